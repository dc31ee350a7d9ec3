use super::fxhash::{FxBuild, FxHashMap};
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::{boxed::Box, string::String, vec::Vec};
use core::cell::OnceCell;

use super::deadlines::{Deadline, Deadlines};
use super::poll::{Poll, PollToken};
use super::table::Table;
use super::text::{cat, decimal, SharedStr};
use super::waiters::Waiters;
use super::{
    Effect, EngineError, ErrorKind, Event, IdGen, IdKey, Launch, Outcome, Run, Status, Task,
    TaskId, TaskOutput, TaskRef,
};

/// The types a host plugs into the engine. The binding uses JS values; native
/// tests use plain Rust values.
pub trait Host {
    /// `options` and `result`, kept as given.
    type Payload: Clone;
    /// Whatever settles one pending wait for a task.
    type Waiter;
    /// The agent session notifications go to.
    type Session: Clone;
}

/// Times are milliseconds, sizes bytes; the defaults are the seed's where it
/// has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub poll_interval: u64,
    pub task_ttl: u64,
    /// Launched tasks running at once; `None` for no limit.
    pub max_concurrent: Option<usize>,
    /// Per-agent limits on launched tasks running at once.
    pub agent_limits: Vec<(String, usize)>,
    /// How long a cancelled runner has to stop before its task is marked
    /// cancelled anyway.
    pub cancel_grace: u64,
    /// Output kept per task.
    pub output_cap: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            poll_interval: 2_000,
            task_ttl: 1_800_000,
            max_concurrent: None,
            agent_limits: Vec::new(),
            cancel_grace: 2_000,
            output_cap: 1 << 20,
        }
    }
}

impl Config {
    pub(super) fn agent_limit(&self, agent: &str) -> Option<usize> {
        self.agent_limits
            .iter()
            .find(|(name, _)| name == agent)
            .map(|&(_, n)| n)
    }
}

pub(super) struct Session<S> {
    pub handle: S,
    pub id: SharedStr,
}

/// What `wait_for` found.
pub enum Wait<'a, P, W> {
    /// The task is final, or `timeout` was 0: answer now.
    Ready {
        task: TaskRef<'a, P>,
        timed_out: bool,
        waiter: W,
    },
    /// The waiter is queued and will come back as an `Effect`.
    Pending,
}

/// The whole task manager as a state machine: no JS, no timers, no I/O.
/// Every operation takes the wall-clock time from the caller, first runs
/// the deadlines that are due at that time, and queues the effects the host
/// must carry out once it has released its borrow.
pub struct Engine<H: Host> {
    pub(super) config: Config,
    pub(super) clock: u64,
    pub(super) session: Option<Session<H::Session>>,
    pub(super) table: Table<H::Payload>,
    pub(super) deadlines: Deadlines,
    pub(super) waiters: Waiters<H::Waiter>,
    pub(super) poll: Poll,
    pub(super) outbox: VecDeque<Effect<H>>,
    pub(super) ids: IdGen,
    /// Launched tasks holding a slot, in all and per agent.
    pub(super) active: usize,
    pub(super) active_by_agent: Vec<(Rc<str>, usize)>,
    /// Whether anyone listens: events are only queued then.
    pub(super) events: bool,
}

impl<H: Host> Engine<H> {
    pub fn new(config: Config) -> Self {
        Engine {
            config,
            clock: 0,
            session: None,
            table: Table::default(),
            deadlines: Deadlines::default(),
            waiters: Waiters::default(),
            poll: Poll::default(),
            outbox: VecDeque::new(),
            ids: IdGen::default(),
            active: 0,
            active_by_agent: Vec::new(),
            events: false,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Turns event effects on or off (on while the host has listeners).
    pub fn set_events(&mut self, on: bool) {
        self.events = on;
    }

    /// Moves the engine's clock to `wall` (never backwards) and runs every
    /// deadline due by then. Every other operation starts with this, so the
    /// state is exact whenever it is observed, however late a timer fires.
    pub fn advance(&mut self, wall: u64) -> u64 {
        self.clock = self.clock.max(wall);
        let now = self.clock;
        // Each deadline is handled as of its own time, so a late timer or a
        // throttled tab changes when it is seen, never what it records.
        let mut next = self.next_due();
        while let Some((at, due)) = next {
            if at > now {
                break;
            }
            match due {
                // Handling it makes the task final, which takes it off the
                // live indexes the expiry was read from.
                Deadline::Expire(_) => {}
                Deadline::Evict(_) => self.deadlines.pop_eviction(),
                _ => {
                    self.deadlines.pop();
                }
            }
            self.handle(at, due);
            next = self.next_due();
            // Slots freed at `at` go to the queue as of `at`, once every
            // deadline of that instant is handled.
            if next.is_none_or(|(next, _)| next > at) {
                self.schedule(at);
                next = self.next_due();
            }
        }
        now
    }

    /// Carries out one deadline that still applies.
    fn handle(&mut self, at: u64, due: Deadline) {
        match due {
            Deadline::Expire(seq) => {
                let message = self.table.get(seq).map(|t| {
                    let ttl = decimal(self.config.task_ttl);
                    cat(&["Task \"", &t.id.text(), "\" timed out after ", &ttl, " ms"])
                });
                if let Some(message) = message {
                    self.finish(seq, Status::Error, Outcome::Error(message.into()), true, at);
                }
            }
            Deadline::Grace(seq) => self.finish(seq, Status::Cancelled, Outcome::None, false, at),
            Deadline::Evict(seq) => {
                if let Some(task) = self.table.remove(seq) {
                    self.event(seq, || Event::Removed { task_id: task.id });
                }
            }
            Deadline::WaitTimeout(seq, id) => {
                if let (Some(w), Some(task)) =
                    (self.waiters.timed_out(seq, id, at), self.table.get(seq))
                {
                    self.outbox.push_back(Effect::Wake {
                        waiter: w.handle,
                        task: Rc::new(task.task().clone()),
                        timed_out: true,
                    });
                }
            }
        }
    }

    /// When the host's single timer must next fire. Drops entries at the
    /// front that no longer apply, so the timer never wakes for nothing.
    pub fn next_deadline(&mut self) -> Option<u64> {
        self.next_due().map(|(at, _)| at)
    }

    /// The earliest deadline that still applies, and what it is; ties go in
    /// `Deadline` order. Drops the queued entries in front of it that no
    /// longer apply.
    fn next_due(&mut self) -> Option<(u64, Deadline)> {
        while let Some((at, due)) = self.deadlines.peek() {
            if self.applies(at, due) {
                break;
            }
            self.deadlines.pop();
        }
        while let Some(seq) = self.deadlines.next_eviction() {
            if self.table.get(seq).is_some_and(|t| t.is_final()) {
                break;
            }
            self.deadlines.pop_eviction();
        }
        let oldest_live = match (
            self.table.first(Status::Queued),
            self.table.first(Status::Running),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let expire = oldest_live
            .and_then(|seq| self.table.get(seq))
            .map(|t| (t.deadline(self.config.task_ttl), Deadline::Expire(t.seq())));
        let evict = self
            .deadlines
            .next_eviction()
            .and_then(|seq| self.table.get(seq))
            .map(|t| (t.deadline(self.config.task_ttl), Deadline::Evict(t.seq())));
        [expire, evict, self.deadlines.peek()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether a queued grace end or waiter timeout still applies.
    fn applies(&self, at: u64, due: Deadline) -> bool {
        match due {
            Deadline::Grace(seq) => self
                .table
                .get(seq)
                .is_some_and(|t| t.run == Run::Cancelling),
            Deadline::WaitTimeout(seq, id) => self.waiters.deadline_of(seq, id) == Some(at),
            // Never in the heap.
            Deadline::Expire(_) | Deadline::Evict(_) => false,
        }
    }

    /// The next effect to carry out, in the order they arose.
    pub fn pop_effect(&mut self) -> Option<Effect<H>> {
        self.outbox.pop_front()
    }

    /// Queues an event about task `seq`, if anyone listens.
    pub(super) fn event(&mut self, seq: u64, make: impl FnOnce() -> Event) {
        if self.events {
            self.outbox.push_back(Effect::Event { seq, event: make() });
        }
    }

    // ---- session -------------------------------------------------------

    /// Stores (or replaces) the session. A poll of a previous session still
    /// in flight is abandoned: its answer is about another session.
    pub fn initialize(&mut self, session: H::Session, session_id: SharedStr, wall: u64) {
        self.advance(wall);
        self.session = Some(Session {
            handle: session,
            id: session_id,
        });
        self.poll.abandon();
    }

    pub fn is_initialized(&self) -> bool {
        self.session.is_some()
    }

    /// A polling tick: returns the session to ask for its status, or `None`
    /// when nothing runs or a younger poll is still pending.
    pub fn begin_poll(&mut self, wall: u64) -> Option<(PollToken, H::Session)> {
        let now = self.advance(wall);
        let session = self.session.as_ref()?;
        if self.table.count(Status::Running) == 0 {
            return None;
        }
        let token = self.poll.begin(now, self.config.poll_interval)?;
        Some((token, session.handle.clone()))
    }

    /// The answer to a poll: `None` when `getStatus` threw or rejected or gave
    /// something that is not a string. Only the current poll's answer counts.
    pub fn finish_poll(&mut self, token: PollToken, status: Option<&str>, wall: u64) {
        let now = self.advance(wall);
        if !self.poll.finish(token) {
            return;
        }
        let (target, outcome) = match status {
            Some("completed") => (Status::Completed, Outcome::None),
            Some("error") => (Status::Error, Outcome::Error("Session error".into())),
            Some("cancelled") => (Status::Cancelled, Outcome::None),
            _ => return,
        };
        let Some(session_id) = self.session.as_ref().map(|s| s.id.clone()) else {
            return;
        };
        let seqs: Vec<u64> = self
            .table
            .iter_status(Status::Running)
            .filter(|t| t.session_id == session_id)
            .map(|t| t.seq())
            .collect();
        for seq in seqs {
            self.finish(seq, target, outcome.clone(), true, now);
        }
        self.schedule(now);
    }

    pub fn poll_in_flight(&self) -> bool {
        self.poll.in_flight()
    }

    // ---- tasks ---------------------------------------------------------

    /// Creates a running task that someone outside drives. `id: None` draws
    /// a fresh UUID; `session_id: None` uses the session's id.
    pub fn create(
        &mut self,
        id: Option<&str>,
        session_id: Option<&str>,
        options: H::Payload,
        wall: u64,
    ) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        let now = self.advance(wall);
        let seq = self.add_task(id, session_id, options, None, now)?;
        self.task_at(seq)
    }

    /// Checks and inserts a new task: running, or queued when `work` names
    /// the agent and prompt of a launched one.
    pub(super) fn add_task(
        &mut self,
        id: Option<&str>,
        session_id: Option<&str>,
        options: H::Payload,
        work: Option<(&str, &str)>,
        now: u64,
    ) -> Result<u64, EngineError> {
        let Some(session) = &self.session else {
            return Err(EngineError::not_initialized());
        };
        let session_id = match session_id {
            Some("") => return Err(invalid("sessionId must not be empty")),
            Some(s) => SharedStr::from(s),
            None => session.id.clone(),
        };
        let id = match id.map(|id| (id, IdKey::new(id))) {
            Some(("", _)) => return Err(invalid("A task id must not be empty")),
            Some((id, key)) if self.table.seq_of_key(key).is_some() => {
                return Err(EngineError::duplicate(id))
            }
            Some((_, key)) => TaskId::from(key),
            None => loop {
                let candidate = self.ids.next_id()?;
                if self.table.seq_of_key(candidate.key()).is_none() {
                    break candidate;
                }
            },
        };
        let (status, run) = match work {
            Some(_) => (Status::Queued, Run::Waiting),
            None => (Status::Running, Run::External),
        };
        let seq = self.table.insert(Task {
            id: id.clone(),
            status,
            created_at: now,
            updated_at: now,
            options,
            session_id,
            outcome: Outcome::None,
            output: TaskOutput::default(),
            launch: work.map(|(agent, prompt)| {
                Box::new(Launch {
                    agent: Rc::from(agent),
                    prompt: Rc::from(prompt),
                    view: OnceCell::new(),
                })
            }),
            run,
            id_view: OnceCell::new(),
        });
        self.event(seq, || Event::Created {
            task_id: id,
            status,
        });
        Ok(seq)
    }

    pub fn complete(
        &mut self,
        id: &str,
        result: H::Payload,
        wall: u64,
    ) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        self.transition(
            id,
            "complete",
            Status::Completed,
            Outcome::Result(result),
            wall,
        )
    }

    pub fn fail(
        &mut self,
        id: &str,
        error: &str,
        wall: u64,
    ) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        self.transition(
            id,
            "fail",
            Status::Error,
            Outcome::Error(error.into()),
            wall,
        )
    }

    pub fn get(&mut self, id: &str, wall: u64) -> Option<TaskRef<'_, H::Payload>> {
        self.advance(wall);
        self.table.seq_of(id).and_then(|seq| self.table.get(seq))
    }

    /// A task by id, without moving the clock.
    pub fn peek(&self, id: &str) -> Option<TaskRef<'_, H::Payload>> {
        self.table.seq_of(id).and_then(|seq| self.table.get(seq))
    }

    /// A task by its creation number, as `cancel_all` reports them.
    pub fn by_seq(&self, seq: u64) -> Option<TaskRef<'_, H::Payload>> {
        self.table.get(seq)
    }

    /// Every task, or those in `status`, in creation order.
    pub fn all(
        &mut self,
        status: Option<Status>,
        wall: u64,
    ) -> Box<dyn Iterator<Item = TaskRef<'_, H::Payload>> + '_> {
        self.advance(wall);
        self.list(status)
    }

    /// `all` without moving the clock.
    pub fn list(
        &self,
        status: Option<Status>,
    ) -> Box<dyn Iterator<Item = TaskRef<'_, H::Payload>> + '_> {
        match status {
            None => Box::new(self.table.iter()),
            Some(st) => Box::new(self.table.iter_status(st)),
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.table.count(status)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// `getOutput`: answers at once when `wait` is false, the task is final,
    /// or `timeout` is 0; otherwise queues `waiter` until the task becomes
    /// final or `timeout` ms pass.
    pub fn wait_for(
        &mut self,
        id: &str,
        wait: bool,
        timeout: Option<u64>,
        waiter: H::Waiter,
        wall: u64,
    ) -> Result<Wait<'_, H::Payload, H::Waiter>, EngineError> {
        self.advance(wall);
        let seq = self
            .table
            .seq_of(id)
            .ok_or_else(|| EngineError::not_found(id))?;
        self.wait_seq(seq, wait, timeout, waiter)
    }

    /// `wait_for` by creation number.
    pub fn wait_seq(
        &mut self,
        seq: u64,
        wait: bool,
        timeout: Option<u64>,
        waiter: H::Waiter,
    ) -> Result<Wait<'_, H::Payload, H::Waiter>, EngineError> {
        let is_final = self.task_at(seq)?.is_final();
        if !wait || is_final || timeout == Some(0) {
            return Ok(Wait::Ready {
                task: self.task_at(seq)?,
                timed_out: wait && !is_final,
                waiter,
            });
        }
        let deadline = timeout.map(|t| self.clock.saturating_add(t));
        let wid = self.waiters.add(seq, waiter, deadline);
        if let Some(at) = deadline {
            self.deadlines.insert(at, Deadline::WaitTimeout(seq, wid));
        }
        Ok(Wait::Pending)
    }

    pub fn waiting(&self) -> usize {
        self.waiters.len()
    }

    /// `cleanup()`: stops every runner, rejects every waiter, forgets the
    /// tasks, the deadlines and the session. Effects already queued are
    /// still delivered.
    pub fn dispose(&mut self) {
        let seqs: Vec<u64> = self.table.iter().map(|t| t.seq()).collect();
        for seq in seqs {
            let Some(task) = self.table.get(seq) else {
                continue;
            };
            let (task_id, run) = (task.id.clone(), task.run);
            if run == Run::Live {
                self.outbox.push_back(Effect::Abort { seq });
            }
            if run.holds_slot() {
                self.outbox.push_back(Effect::Close { seq });
            }
            for w in self.waiters.take_task(seq) {
                self.outbox.push_back(Effect::Dispose {
                    waiter: w.handle,
                    task_id: task_id.clone(),
                });
            }
            self.event(seq, || Event::Removed { task_id });
        }
        self.table.clear();
        self.deadlines.clear();
        self.session = None;
        self.poll.abandon();
        self.active = 0;
        self.active_by_agent.clear();
    }

    /// True when the indexes agree with the table, every task's deadline and
    /// every timed waiter's timeout is queued, waiters only wait on live
    /// tasks, statuses agree with runs, and the slots are counted right and
    /// used whenever a queued task could start. Linear in everything: for
    /// tests.
    pub fn is_consistent(&self) -> bool {
        let queued: hashbrown::HashSet<(u64, Deadline), FxBuild> = self.deadlines.timed().collect();
        let evicting: hashbrown::HashSet<u64, FxBuild> = self.deadlines.evictions().collect();
        let grace: hashbrown::HashSet<u64, FxBuild> = queued
            .iter()
            .filter_map(|(_, due)| match due {
                Deadline::Grace(seq) => Some(*seq),
                _ => None,
            })
            .collect();
        let waiters_ok = self.waiters.iter().all(|(seq, w)| {
            self.table.get(seq).is_some_and(|t| !t.is_final())
                && w.deadline
                    .is_none_or(|at| queued.contains(&(at, Deadline::WaitTimeout(seq, w.id))))
        });
        // Evictions queue in the order they come due; live tasks expire a
        // TTL after creation, so in creation order.
        let ttl = self.config.task_ttl;
        let due = |seq| self.table.get(seq).map(|t| t.deadline(ttl));
        let evictions: Vec<Option<u64>> = self.deadlines.evictions().map(due).collect();
        let fifo_ok = evictions.len() == evicting.len()
            && evictions.windows(2).all(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            });
        let created: Vec<u64> = self.table.iter().map(|t| t.created_at).collect();
        let created_ok = created.windows(2).all(|w| w[0] <= w[1]);
        let tasks_ok = self.table.iter().all(|t| {
            let deadline_ok = !t.is_final() || evicting.contains(&t.seq());
            let grace_ok = match t.run {
                Run::Cancelling => grace.contains(&t.seq()),
                _ => true,
            };
            let run_ok = match t.status {
                Status::Queued => t.run == Run::Waiting,
                Status::Running => {
                    matches!(t.run, Run::External | Run::Live | Run::Cancelling)
                }
                _ => matches!(t.run, Run::External | Run::Ended),
            };
            deadline_ok && grace_ok && run_ok
        });
        let holding: Vec<TaskRef<'_, H::Payload>> =
            self.table.iter().filter(|t| t.run.holds_slot()).collect();
        let mut by_agent: FxHashMap<Rc<str>, usize> = FxHashMap::default();
        for t in &holding {
            if let Some(launch) = &t.launch {
                *by_agent.entry(launch.agent.clone()).or_default() += 1;
            }
        }
        by_agent.retain(|_, n| *n > 0);
        let counted: FxHashMap<Rc<str>, usize> = self.active_by_agent.iter().cloned().collect();
        let slots_ok = holding.len() == self.active && by_agent == counted;
        let limits_ok = self
            .config
            .max_concurrent
            .is_none_or(|max| self.active <= max)
            && counted
                .iter()
                .all(|(agent, &n)| self.config.agent_limit(agent).is_none_or(|max| n <= max));
        let no_idle_slot = self
            .table
            .iter_status(Status::Queued)
            .all(|t| !self.has_room(t.agent()));
        self.table.is_consistent()
            && fifo_ok
            && created_ok
            && waiters_ok
            && tasks_ok
            && slots_ok
            && limits_ok
            && no_idle_slot
    }

    /// Slots the task slab holds, empty or not.
    pub fn slab_span(&self) -> usize {
        self.table.span()
    }

    pub fn queued_deadlines(&self) -> usize {
        self.deadlines.len()
    }

    /// Launched tasks holding a slot.
    pub fn active(&self) -> usize {
        self.active
    }

    // ---- internals -----------------------------------------------------

    /// A task by seq, for a seq just looked up or inserted; the error arm is
    /// there so that a broken invariant is an error, never a panic.
    pub(super) fn task_at(&self, seq: u64) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        self.table.get(seq).ok_or_else(|| {
            EngineError::new(
                ErrorKind::Internal,
                cat(&["Task #", &decimal(seq), " vanished"]),
            )
        })
    }

    /// Moves the clock to `wall`, then finds task `id`, which must exist
    /// (`TASK_NOT_FOUND`) and not be final (`INVALID_TRANSITION`, naming
    /// `verb`). Returns its seq and the time.
    pub(super) fn live_task(
        &mut self,
        id: &str,
        verb: &str,
        wall: u64,
    ) -> Result<(u64, u64), EngineError> {
        let now = self.advance(wall);
        let seq = self
            .table
            .seq_of(id)
            .ok_or_else(|| EngineError::not_found(id))?;
        let status = self.task_at(seq)?.status;
        if status.is_final() {
            return Err(EngineError::invalid_transition(verb, id, status));
        }
        Ok((seq, now))
    }

    fn transition(
        &mut self,
        id: &str,
        verb: &str,
        target: Status,
        outcome: Outcome<H::Payload>,
        wall: u64,
    ) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        let (seq, now) = self.live_task(id, verb, wall)?;
        if matches!(self.task_at(seq)?.run, Run::Cancelling) {
            return Err(EngineError::being_cancelled(verb, id));
        }
        self.finish(seq, target, outcome, true, now);
        self.schedule(now);
        self.task_at(seq)
    }

    /// The one place a task becomes final: it moves index, trades its expiry
    /// for an eviction, frees its slot and stops its runner (signalling it
    /// when `abort` and it still runs), queues exactly one notification and
    /// wakes its waiters. A task being cancelled ends cancelled, whatever
    /// ends it.
    pub(super) fn finish(
        &mut self,
        seq: u64,
        target: Status,
        outcome: Outcome<H::Payload>,
        abort: bool,
        now: u64,
    ) {
        let Some(task) = self.table.get(seq) else {
            return;
        };
        let (run, previous) = (task.run, task.status);
        let agent = task.launch.as_ref().map(|l| l.agent.clone());
        let (target, outcome) = match run {
            Run::Cancelling => (Status::Cancelled, Outcome::None),
            _ => (target, outcome),
        };
        let Some(task) = self.table.set_status(seq, target) else {
            return;
        };
        task.updated_at = task.updated_at.max(now);
        task.outcome = outcome;
        task.run = match run {
            Run::External => Run::External,
            _ => Run::Ended,
        };
        let (task_id, timestamp) = (task.id.clone(), task.updated_at);
        self.deadlines.push_eviction(seq);
        if run.holds_slot() {
            self.release_slot(agent.as_deref());
            if abort && run == Run::Live {
                self.outbox.push_back(Effect::Abort { seq });
            }
            self.outbox.push_back(Effect::Close { seq });
        }
        if let Some(session) = &self.session {
            self.outbox.push_back(Effect::Notify {
                session: session.handle.clone(),
                seq,
                task_id: task_id.clone(),
                status: target,
                timestamp,
            });
        }
        self.event(seq, || Event::Status {
            task_id,
            status: target,
            previous,
        });
        let woken = self.waiters.take_task(seq);
        if woken.is_empty() {
            return;
        }
        let Some(task) = self.table.get(seq) else {
            return;
        };
        let snapshot = Rc::new(task.task().clone());
        for w in woken {
            self.outbox.push_back(Effect::Wake {
                waiter: w.handle,
                task: snapshot.clone(),
                timed_out: false,
            });
        }
    }
}

pub(super) fn invalid(message: &str) -> EngineError {
    EngineError::new(ErrorKind::InvalidArgument, message)
}
