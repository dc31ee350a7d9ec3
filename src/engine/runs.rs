//! Launched tasks: the queue, the slots, the runner's outcome and output,
//! and cancellation with a grace period.
use alloc::{string::String, vec::Vec};

use alloc::rc::Rc;

use super::deadlines::Deadline;
use super::engine::invalid;
use super::{Effect, Engine, EngineError, Event, Host, Outcome, Run, Status, TaskRef};

/// What `cancel` did.
#[derive(Debug)]
pub enum Cancel<'a, P> {
    /// The task is cancelled.
    Done(TaskRef<'a, P>),
    /// Its runner was signalled and has a grace period to stop; task `seq`
    /// will be cancelled when it stops or the period ends (wait for it).
    Stopping(u64),
}

impl<'a, P> Cancel<'a, P> {
    /// The cancelled task, unless it is still stopping.
    pub fn done(self) -> Option<TaskRef<'a, P>> {
        match self {
            Cancel::Done(task) => Some(task),
            Cancel::Stopping(_) => None,
        }
    }
}

impl<H: Host> Engine<H> {
    /// Creates a task for `agent` and `prompt` and queues it; it starts (an
    /// `Effect::Start`) as soon as the limits allow, possibly at once.
    pub fn launch(
        &mut self,
        id: Option<&str>,
        session_id: Option<&str>,
        agent: &str,
        prompt: &str,
        options: H::Payload,
        wall: u64,
    ) -> Result<TaskRef<'_, H::Payload>, EngineError> {
        let now = self.advance(wall);
        if agent.is_empty() {
            return Err(invalid("agent must not be empty"));
        }
        let seq = self.add_task(id, session_id, options, Some((agent, prompt)), now)?;
        self.schedule(now);
        self.task_at(seq)
    }

    pub(super) fn has_room(&self, agent: Option<&str>) -> bool {
        if self
            .config
            .max_concurrent
            .is_some_and(|max| self.active >= max)
        {
            return false;
        }
        match agent.and_then(|a| self.config.agent_limit(a).map(|max| (a, max))) {
            Some((a, max)) => self.running_for(a) < max,
            None => true,
        }
    }

    /// Starts queued tasks, oldest first, while the limits allow; a task
    /// whose agent is at its limit lets younger tasks of other agents pass.
    pub(super) fn schedule(&mut self, now: u64) {
        while self
            .config
            .max_concurrent
            .is_none_or(|max| self.active < max)
        {
            let next = self
                .table
                .iter_status(Status::Queued)
                .find(|t| self.has_room(t.agent()))
                .map(|t| t.seq());
            let Some(seq) = next else { break };
            self.start(seq, now);
        }
    }

    fn start(&mut self, seq: u64, now: u64) {
        let Some(task) = self.table.set_status(seq, Status::Running) else {
            return;
        };
        task.run = Run::Live;
        task.updated_at = task.updated_at.max(now);
        let Some((agent, prompt)) = task
            .launch
            .as_ref()
            .map(|l| (l.agent.clone(), l.prompt.clone()))
        else {
            return;
        };
        let start = Effect::Start {
            seq,
            task_id: task.id.clone(),
            agent: agent.clone(),
            prompt,
            session_id: task.session_id.clone(),
            options: task.options.clone(),
        };
        let task_id = task.id.clone();
        self.active += 1;
        match self.active_by_agent.iter_mut().find(|(a, _)| *a == agent) {
            Some((_, n)) => *n += 1,
            None => self.active_by_agent.push((agent, 1)),
        }
        self.event(seq, || Event::Status {
            task_id,
            status: Status::Running,
            previous: Status::Queued,
        });
        self.outbox.push_back(start);
    }

    pub(super) fn release_slot(&mut self, agent: Option<&str>) {
        self.active = self.active.saturating_sub(1);
        if let Some(agent) = agent {
            // Agents are few: a list beats a hash map in code and in time.
            if let Some(i) = self.active_by_agent.iter().position(|(a, _)| &**a == agent) {
                self.active_by_agent[i].1 -= 1;
                if self.active_by_agent[i].1 == 0 {
                    self.active_by_agent.swap_remove(i);
                }
            }
        }
    }

    pub(super) fn running_for(&self, agent: &str) -> usize {
        self.active_by_agent
            .iter()
            .find(|(a, _)| &**a == agent)
            .map_or(0, |&(_, n)| n)
    }

    /// The runner of task `seq` settled: `Ok(result)` completes the task,
    /// `Err(message)` fails it; a task being cancelled ends cancelled. Once
    /// the task is final this changes nothing.
    pub fn run_settled(&mut self, seq: u64, outcome: Result<H::Payload, String>, wall: u64) {
        let now = self.advance(wall);
        let Some(run) = self.table.get(seq).map(|t| t.run) else {
            return;
        };
        if !run.holds_slot() {
            return;
        }
        match outcome {
            Ok(result) => self.finish(seq, Status::Completed, Outcome::Result(result), false, now),
            Err(message) => self.finish(
                seq,
                Status::Error,
                Outcome::Error(message.into()),
                false,
                now,
            ),
        }
        self.schedule(now);
    }

    /// The runner of task `seq` wrote `chunk`; ignored once the task is final.
    pub fn run_write(&mut self, seq: u64, chunk: &str, wall: u64) {
        let now = self.advance(wall);
        if self.table.get(seq).is_some_and(|t| t.run.holds_slot()) {
            self.append(seq, chunk, now);
        }
    }

    /// `appendOutput(taskId, chunk)`, for tasks driven from outside (or any
    /// task that is not final).
    pub fn append_output(&mut self, id: &str, chunk: &str, wall: u64) -> Result<(), EngineError> {
        let (seq, now) = self.live_task(id, "append output to", wall)?;
        self.append(seq, chunk, now);
        Ok(())
    }

    fn append(&mut self, seq: u64, chunk: &str, now: u64) {
        if chunk.is_empty() {
            return;
        }
        let Some(task) = self.table.get_mut(seq) else {
            return;
        };
        task.output.push(chunk, self.config.output_cap);
        task.updated_at = task.updated_at.max(now);
        let (task_id, cursor) = (task.id.clone(), task.output.cursor());
        self.event(seq, || Event::Output {
            task_id,
            chunk: Rc::from(chunk),
            cursor,
        });
    }

    /// Cancels a task. A queued task never runs. A running runner is
    /// signalled; without `force` it has the grace period to stop before the
    /// task is marked cancelled, with `force` the task is cancelled at once.
    /// A task without a runner is cancelled at once either way.
    pub fn cancel(
        &mut self,
        id: &str,
        force: bool,
        wall: u64,
    ) -> Result<Cancel<'_, H::Payload>, EngineError> {
        let (seq, now) = self.live_task(id, "cancel", wall)?;
        let stopping = self.cancel_seq(seq, force, now);
        self.schedule(now);
        if stopping {
            Ok(Cancel::Stopping(seq))
        } else {
            self.task_at(seq).map(Cancel::Done)
        }
    }

    /// Cancels one live task; true if its runner was given a grace period.
    fn cancel_seq(&mut self, seq: u64, force: bool, now: u64) -> bool {
        let Some(run) = self.table.get(seq).map(|t| t.run) else {
            return false;
        };
        match run {
            Run::Live if !force && self.config.cancel_grace > 0 => {
                let until = now.saturating_add(self.config.cancel_grace);
                if let Some(task) = self.table.get_mut(seq) {
                    task.run = Run::Cancelling;
                }
                self.deadlines.insert(until, Deadline::Grace(seq));
                self.outbox.push_back(Effect::Abort { seq });
                true
            }
            Run::Cancelling if !force => true,
            _ => {
                self.finish(seq, Status::Cancelled, Outcome::None, true, now);
                false
            }
        }
    }

    /// Cancels every queued and running task; returns their seqs in creation
    /// order. Those still running are stopping: wait for them.
    pub fn cancel_all(&mut self, force: bool, wall: u64) -> Vec<u64> {
        let now = self.advance(wall);
        let seqs = merge(
            self.table.seqs(Status::Queued),
            self.table.seqs(Status::Running),
        );
        // Queued tasks go first so that no slot freed here starts one of them.
        for &seq in &seqs {
            if self.table.get(seq).is_some_and(|t| t.run == Run::Waiting) {
                self.finish(seq, Status::Cancelled, Outcome::None, true, now);
            }
        }
        for &seq in &seqs {
            if self.table.get(seq).is_some_and(|t| !t.is_final()) {
                self.cancel_seq(seq, force, now);
            }
        }
        self.schedule(now);
        seqs
    }
}

/// Two ascending sequences as one.
fn merge(a: impl Iterator<Item = u64>, b: impl Iterator<Item = u64>) -> Vec<u64> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let mut out = Vec::new();
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x <= y => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}
