//! Questions: a running launched task's runner asks (`ask(question, {
//! timeout })`) and waits for the answer that `respond(taskId, answer)`
//! gives. While it asks the task is `InputRequired`: live, its slot kept,
//! its TTL counting, never stalled; the question is on its snapshot and in
//! its log. The ask ends with the answer, with its timeout, or when the task
//! stops running (cancelled, failed, completed, expired): then the runner's
//! `ask` rejects. Each end is one `Effect::Reply` to the runner.
use crate::engine::prelude::*;
use crate::engine::seam::JournalHooks;
use crate::engine::time::deadlines::Deadline;
use crate::engine::{Effect, Engine, EngineError, Host, LogKind, Run, Status, Store, ENTRY_COST};

/// How a runner's question was answered.
pub enum Reply<H: Host> {
    /// `respond(taskId, answer)`.
    Answer(H::Payload),
    /// Its `timeout` passed first.
    TimedOut,
    /// The task stopped running (cancelled or final) first.
    Aborted,
}

impl<H: Host> Engine<H> {
    /// The runner of task `seq` asks `question`, to be answered within
    /// `timeout` ms (none: no limit). Fails with `INVALID_TRANSITION` when
    /// the task is not running a live runner, or already asks.
    pub fn ask(
        &mut self,
        seq: u64,
        question: H::Payload,
        timeout: Option<u64>,
        wall: u64,
    ) -> Result<(), EngineError> {
        let now = self.advance(wall);
        let Some(task) = self.table.get(seq) else {
            return Err(EngineError::new(
                crate::engine::ErrorKind::InvalidTransition,
                "Cannot ask: the task is gone",
            ));
        };
        if task.status != Status::Running || task.run != Run::Live {
            let id = self.describe(seq);
            return Err(match (task.status, task.run) {
                (_, Run::Cancelling) => EngineError::being_cancelled("ask for", &id),
                (status, _) => EngineError::invalid_transition("ask for", &id, status),
            });
        }
        // Asking is activity: a stalled task resumes, and no stall is
        // looked for until the answer.
        self.alive(seq, now);
        self.store.set_question(seq, Some(&question));
        let previous = self.move_status(seq, Status::InputRequired, now);
        let until = timeout.map(|ms| now.saturating_add(ms));
        if let Some(until) = until {
            if let Some(x) = self.table.make_extra(seq) {
                x.ask_until = Some(until);
            }
            self.time.schedule(until, Deadline::Ask(seq));
        }
        self.open_log(seq);
        self.log_entry(seq, LogKind::Asked(&question), ENTRY_COST, now);
        self.journal_task(seq);
        if let Some(previous) = previous {
            self.announce(seq, Status::InputRequired, previous);
        }
        Ok(())
    }

    /// `respond(taskId, answer)`: task `id`'s runner gets `answer` and the
    /// task runs on. Fails with `INVALID_TRANSITION` unless it is asking.
    pub fn respond(
        &mut self,
        id: &H::Id,
        answer: H::Payload,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let seq = self.seq_of(id)?;
        self.respond_at(seq, id, answer, wall)
    }

    /// `respond` to task `seq`, filed under `id`.
    pub fn respond_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        answer: H::Payload,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.live_at(seq, id, "respond to", wall)?;
        let status = self.task_at(seq)?.status;
        if status != Status::InputRequired {
            return Err(EngineError::new(
                crate::engine::ErrorKind::InvalidTransition,
                format!(
                    "Cannot respond to task \"{}\": it is {}, not asking",
                    self.store.describe(id),
                    status.as_str()
                ),
            ));
        }
        self.end_ask(seq, Reply::Answer(answer), true, now);
        Ok(seq)
    }

    /// Task `seq`'s question ends with `reply`. With `resume` it runs on
    /// (`Running` again, its stall clock restarted); without, it is about
    /// to become final and its caller sets the status.
    pub(in crate::engine) fn end_ask(&mut self, seq: u64, reply: Reply<H>, resume: bool, now: u64) {
        if self
            .table
            .get(seq)
            .is_none_or(|t| t.status != Status::InputRequired)
        {
            return;
        }
        self.store.set_question(seq, None);
        if let Some(x) = self.table.extra_mut(seq) {
            x.ask_until = None;
        }
        self.outbox.push_back(Effect::Reply { seq, reply });
        if !resume {
            return;
        }
        let previous = self.move_status(seq, Status::Running, now);
        self.open_log(seq);
        self.log_entry(seq, LogKind::Status(Status::Running), ENTRY_COST, now);
        self.journal_task(seq);
        if let Some(previous) = previous {
            self.announce(seq, Status::Running, previous);
        }
        self.rearm_stall(seq, now);
    }

    /// Task `seq`'s question timed out at `at`.
    pub(in crate::engine) fn ask_due(&mut self, seq: u64, at: u64) {
        self.end_ask(seq, Reply::TimedOut, true, at);
    }

    /// Whether a queued ask timeout still applies.
    pub(in crate::engine) fn ask_applies(&self, seq: u64, at: u64) -> bool {
        self.table
            .get(seq)
            .is_some_and(|t| t.status == Status::InputRequired)
            && self
                .table
                .extra(seq)
                .is_some_and(|x| x.ask_until == Some(at))
    }
}
