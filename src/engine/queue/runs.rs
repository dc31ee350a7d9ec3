//! Launched tasks: the queue, the slots, the runner's outcome and output,
//! and cancellation with a grace period.
use crate::engine::prelude::*;
use crate::engine::queue::idempotency::Claim;
use crate::engine::seam::{JournalHooks, LoadHooks};
use crate::engine::tasks::lifecycle::SessionArg;
use crate::engine::time::deadlines::Deadline;
use crate::engine::Queueing;
use crate::engine::{
    Effect, Ending, Engine, EngineError, Event, Host, LogKind, NewTask, Run, Status, ENTRY_COST,
};

/// What `cancel` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cancel {
    /// Task `seq` is cancelled.
    Done(u64),
    /// Its runner was signalled and has a grace period to stop; task `seq`
    /// will be cancelled when it stops or the period ends (wait for it).
    Stopping(u64),
}

impl Cancel {
    pub fn seq(self) -> u64 {
        match self {
            Cancel::Done(seq) | Cancel::Stopping(seq) => seq,
        }
    }
}

impl<H: Host> Engine<H> {
    /// Creates a task for `agent` and queues it; it starts (an
    /// `Effect::Start`) as soon as the limits allow, possibly at once.
    /// `values.launch` holds the agent's name and the prompt as host text,
    /// for the runner and for snapshots.
    pub fn launch(
        &mut self,
        id: Option<H::Id>,
        session: SessionArg<'_, H>,
        agent: &str,
        queueing: Queueing<'_>,
        values: NewTask<H>,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.advance(wall);
        if agent.is_empty() {
            return Err(EngineError::invalid("agent must not be empty"));
        }
        if let Some(key) = queueing.key.map(str::as_bytes) {
            // Names joined by '/': none empty.
            let empty = |i: usize| i == 0 || key[i - 1] == b'/';
            if (0..=key.len()).any(|i| key.get(i).is_none_or(|&b| b == b'/') && empty(i)) {
                return Err(EngineError::invalid(
                    "concurrencyKey must be names joined by '/', none empty",
                ));
            }
        }
        let depth = queueing.parent.map(|p| self.child_depth(p)).transpose()?;
        let claim = match queueing.idempotency {
            Some(("", _)) => return Err(EngineError::invalid("idempotencyKey must not be empty")),
            Some((key, on)) => self.claim(key, on)?,
            None => Claim::Free,
        };
        let after = match claim {
            Claim::Join(seq) => return Ok(seq),
            Claim::After(before, _) => Some(before),
            Claim::Free => None,
        };
        let seq = self.add_task(id, session, values, Some((agent, queueing)), now)?;
        if let Some((key, _)) = queueing.idempotency {
            self.hold_key(seq, key, after);
        }
        if let (Some(parent), Some(depth)) = (queueing.parent, depth) {
            self.adopt(parent, seq, depth, now);
        }
        if queueing.stall.after > 0 {
            if let Some(x) = self.table.make_extra(seq) {
                x.stall = queueing.stall;
            }
        }
        if let Some(rule) = queueing.retry {
            self.set_retry(seq, rule.clone());
        }
        self.enqueue(seq);
        if let Claim::After(before, true) = claim {
            self.replace_holders(before, now);
        }
        self.schedule(now);
        Ok(seq)
    }

    fn global_room(&self) -> bool {
        self.config
            .max_concurrent
            .is_none_or(|max| self.queue.active < max)
    }

    /// The queued task that would start next if the queue ran now.
    pub(in crate::engine) fn next_to_start(&self) -> Option<u64> {
        if self.queue.paused || !self.global_room() {
            return None;
        }
        self.queue.lanes.next()
    }

    /// Starts queued tasks while the limits allow: the highest priority
    /// first, the oldest within a priority; a task whose agent or key is
    /// full lets the next one pass whose limits have room.
    pub(in crate::engine) fn schedule(&mut self, now: u64) {
        if self.is_restoring() {
            return;
        }
        while let Some(seq) = self.next_to_start() {
            self.start(seq, now);
        }
    }

    /// `pause()` (`true`) or `resume()`: while paused nothing queued
    /// starts; running tasks go on.
    pub fn set_paused(&mut self, paused: bool, wall: u64) {
        let now = self.advance(wall);
        self.queue.paused = paused;
        self.schedule(now);
    }

    /// Whether queued task `seq` waits only for room to start (nothing holds
    /// it back).
    pub(in crate::engine) fn may_start(&self, seq: u64) -> bool {
        self.table
            .get(seq)
            .is_some_and(|t| t.status == Status::Queued)
            && self
                .table
                .extra(seq)
                .is_none_or(|x| x.after.is_none() && x.retry_at.is_none())
    }

    /// Task `seq`, queued, may start as soon as its limits allow.
    pub(in crate::engine) fn enqueue(&mut self, seq: u64) {
        if self.may_start(seq) {
            if let Some(lane) = self.table.get(seq).map(|t| t.agent) {
                self.queue.lanes.push(lane, seq);
            }
        }
    }

    fn start(&mut self, seq: u64, now: u64) {
        let Some(previous) = self.move_status(seq, Status::Running, now) else {
            return;
        };
        let Some(task) = self.table.get_mut(seq) else {
            return;
        };
        task.run = Run::Live;
        let lane = task.agent;
        self.queue.active += 1;
        self.queue.lanes.remove(lane, seq);
        self.queue.lanes.count(lane, true);
        self.arm_stall(seq, now);
        self.journal_task(seq);
        // Started the moment it was created (most launches): its log makes
        // this entry from its times when it is first read or written.
        let at_creation = self
            .table
            .get_mut(seq)
            .filter(|t| t.stream().is_none() && t.created_at == now)
            .map(|t| t.restart |= crate::engine::tasks::task::STARTED)
            .is_some();
        if !at_creation {
            self.open_log(seq);
            self.log_entry(seq, LogKind::Status(Status::Running), ENTRY_COST, now);
        }
        self.announce(seq, Status::Running, previous);
        self.outbox.push_back(Effect::Start { seq });
    }

    pub(in crate::engine) fn release_slot(&mut self, lane: u32) {
        self.queue.active = self.queue.active.saturating_sub(1);
        self.queue.lanes.count(lane, false);
    }

    /// The runner of task `seq` settled: `Ok(result)` completes the task,
    /// `Err(message)` fails it; a task being cancelled ends cancelled. Once
    /// the task is final this changes nothing.
    pub fn run_settled(&mut self, seq: u64, outcome: Result<H::Payload, H::Text>, wall: u64) {
        let now = self.advance(wall);
        if !self.table.get(seq).is_some_and(|t| t.run.holds_slot()) {
            return;
        }
        match outcome {
            Ok(result) => self.finish(seq, Status::Completed, Ending::Result(result), false, now),
            // A failure with no hints: its retry rule, if any, decides.
            Err(message) => self.failed(seq, message, crate::engine::RetryHint::default(), now),
        }
        self.schedule(now);
    }

    /// Whether the runner of task `seq` may still write (its task holds its
    /// slot).
    pub fn run_is_open(&self, seq: u64) -> bool {
        self.table.get(seq).is_some_and(|t| t.run.holds_slot())
    }

    /// The runner of task `seq` wrote `chunk` (`len` units); ignored once
    /// the task is final. Returns whether it was kept.
    pub fn run_write(&mut self, seq: u64, chunk: &H::Text, len: usize, wall: u64) -> bool {
        let now = self.advance(wall);
        if !self.run_is_open(seq) {
            return false;
        }
        self.append(seq, chunk, len, now);
        true
    }

    /// `appendOutput(taskId, chunk)`, for any task that is not final.
    /// Returns the task's seq.
    pub fn append_output(
        &mut self,
        id: &H::Id,
        chunk: &H::Text,
        len: usize,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let seq = self.seq_of(id)?;
        self.append_at(seq, id, chunk, len, wall)
    }

    /// `append_output` to task `seq`, filed under `id`.
    pub fn append_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        chunk: &H::Text,
        len: usize,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.live_at(seq, id, "append output to", wall)?;
        self.append(seq, chunk, len, now);
        Ok(seq)
    }

    fn append(&mut self, seq: u64, chunk: &H::Text, len: usize, now: u64) {
        if len == 0 {
            return;
        }
        self.open_log(seq);
        let Some(stream) = self.table.get_mut(seq).and_then(|t| t.stream_mut()) else {
            return;
        };
        let cut = stream.output.push(len);
        let cursor = stream.output.cursor();
        let weight = ENTRY_COST.saturating_add(len);
        self.log_entry(seq, LogKind::Output(chunk, cursor, cut), weight, now);
        self.alive(seq, now);
        if let Some(task) = self.table.get_mut(seq) {
            task.updated_at = task.updated_at.max(now);
        }
        self.journal_output(seq, now);
        self.event(seq, |id| Event::Output {
            id,
            chunk: chunk.clone(),
            cursor,
        });
    }

    /// Cancels a task. A queued task never runs. A running runner is
    /// signalled; without `force` it has the grace period to stop before the
    /// task is marked cancelled, with `force` the task is cancelled at once.
    /// A task without a runner is cancelled at once either way.
    pub fn cancel(&mut self, id: &H::Id, force: bool, wall: u64) -> Result<Cancel, EngineError> {
        let seq = self.seq_of(id)?;
        self.cancel_at(seq, id, force, wall)
    }

    /// `cancel` of task `seq`, filed under `id`.
    pub fn cancel_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        force: bool,
        wall: u64,
    ) -> Result<Cancel, EngineError> {
        let now = self.live_at(seq, id, "cancel", wall)?;
        let stopping = self.cancel_tree(seq, force, now);
        self.schedule(now);
        Ok(if stopping {
            Cancel::Stopping(seq)
        } else {
            Cancel::Done(seq)
        })
    }

    /// Cancels one live task; true if its runner was given a grace period.
    pub(in crate::engine) fn cancel_seq(&mut self, seq: u64, force: bool, now: u64) -> bool {
        let Some(run) = self.table.get(seq).map(|t| t.run) else {
            return false;
        };
        match run {
            Run::Live if !force && self.config.cancel_grace > 0 => {
                // Its question ends; it runs out its grace period `running`.
                self.end_ask(seq, crate::engine::Reply::Aborted, true, now);
                let until = now.saturating_add(self.config.cancel_grace);
                if let Some(task) = self.table.get_mut(seq) {
                    task.run = Run::Cancelling;
                }
                self.time.schedule(until, Deadline::Grace(seq));
                self.outbox.push_back(Effect::Abort { seq });
                true
            }
            Run::Cancelling if !force => true,
            _ => {
                self.finish(seq, Status::Cancelled, Ending::None, true, now);
                false
            }
        }
    }

    /// Cancels every queued and running task; returns their seqs in creation
    /// order. Those still running are stopping: wait for them.
    pub fn cancel_all(&mut self, force: bool, wall: u64) -> Vec<u64> {
        let now = self.advance(wall);
        // Each status's seqs ascend: merged, they are in creation order.
        let seqs = Status::LIVE.iter().fold(Vec::new(), |all, &s| {
            merge(all.into_iter(), self.table.seqs(s))
        });
        // Queued tasks go first so that no slot freed here starts one of them.
        for &seq in &seqs {
            if self.table.get(seq).is_some_and(|t| t.run == Run::Waiting) {
                self.finish(seq, Status::Cancelled, Ending::None, true, now);
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
