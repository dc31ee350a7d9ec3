//! Creating tasks and making them final: the one place each happens.
use crate::engine::seam::{InboxHooks, JournalHooks};
use crate::engine::time::waiters::Want;
use crate::engine::{
    Answer, Effect, Ending, Engine, EngineError, Event, Host, NewTask, Outcome, Run, Status, Store,
    Task,
};

/// A task's session: the current session's (`None`) or one named by the
/// caller, as Rust text (to compare) and host text (to keep).
pub type SessionArg<'a, H> = Option<(&'a str, <H as Host>::Text)>;

impl<H: Host> Engine<H> {
    /// Creates a running task that someone outside drives. `id: None` draws
    /// a fresh UUID; `session: None` uses the session's id. Returns its seq.
    pub fn create(
        &mut self,
        id: Option<H::Id>,
        session: SessionArg<'_, H>,
        options: H::Payload,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.advance(wall);
        let task = NewTask {
            resume: false,
            options,
            launch: None,
        };
        self.add_task(id, session, task, None, now)
    }

    /// Checks and inserts a new task: running, or queued when `agent` names
    /// the agent of a launched one.
    pub(in crate::engine) fn add_task(
        &mut self,
        id: Option<H::Id>,
        session: SessionArg<'_, H>,
        values: NewTask<H>,
        agent: Option<(&str, crate::engine::Queueing<'_>)>,
        now: u64,
    ) -> Result<u64, EngineError> {
        let Some(current) = self.session.current().map(|s| s.index) else {
            return Err(EngineError::not_initialized());
        };
        if let Some(("", _)) = session {
            return Err(EngineError::invalid("sessionId must not be empty"));
        }
        // The store files the task first: the only step that can fail. What
        // follows cannot, and gives the task the seq it was filed under.
        let seq = self.table.next_seq();
        let oldest = self.table.oldest();
        let restart = if values.resume && agent.is_some() {
            crate::engine::tasks::task::RESUME
        } else {
            0
        };
        match id {
            // A caller's id that is taken: the store refuses it and nothing
            // changes.
            Some(id) => {
                if let Err((id, _)) = self.store.insert(seq, oldest, id, values) {
                    return Err(EngineError::duplicate(&self.store.describe(&id)));
                }
            }
            None => self.file_fresh(seq, oldest, values)?,
        }
        let session = match session {
            Some((name, text)) => {
                let (index, new) = self.session.acquire(name);
                if new {
                    self.store.set_session(index, Some(text));
                }
                index
            }
            None => {
                self.session.retain(current);
                current
            }
        };
        let (status, run, agent) = match agent {
            Some((name, q)) => {
                let limit = self.config.agent_limit(name);
                let lane = self.queue.enter(name, limit, q.key, q.priority);
                (Status::Queued, Run::Waiting, lane)
            }
            None => (Status::Running, Run::External, 0),
        };
        self.table.insert(Task {
            created_at: now,
            updated_at: now,
            more: None,
            session,
            agent,
            status,
            run,
            outcome: Outcome::None,
            restart,
        });
        self.time.due_at(now.saturating_add(self.config.task_ttl));
        self.journal_task(seq);
        self.event(seq, |id| Event::Created { id, status });
        Ok(seq)
    }

    /// Files a new task as `seq` under a UUID no live task has.
    fn file_fresh(
        &mut self,
        seq: u64,
        oldest: u64,
        mut values: NewTask<H>,
    ) -> Result<(), EngineError> {
        // Two ids in a row taken would be one chance in 2^244: a store that
        // keeps refusing is broken, and must not hang the engine.
        for _ in 0..8 {
            let store = &mut self.store;
            let bytes = self
                .ids
                .next(|buf| store.random(buf))
                .ok_or_else(EngineError::random_unavailable)?;
            let id = self.store.uuid(&bytes);
            match self.store.insert(seq, oldest, id, values) {
                Ok(()) => return Ok(()),
                Err((_, back)) => values = back,
            }
        }
        Err(EngineError::internal("the store refused eight fresh ids"))
    }

    /// `completeTask`: returns the task's seq.
    pub fn complete(
        &mut self,
        id: &H::Id,
        result: H::Payload,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let seq = self.seq_of(id)?;
        self.complete_at(seq, id, result, wall)
    }

    /// `complete` of task `seq`, filed under `id` (the host looked it up).
    pub fn complete_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        result: H::Payload,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let ending = Ending::Result(result);
        self.transition(seq, id, "complete", Status::Completed, ending, wall)
    }

    /// `failTask`: returns the task's seq.
    pub fn fail(&mut self, id: &H::Id, message: H::Text, wall: u64) -> Result<u64, EngineError> {
        let seq = self.seq_of(id)?;
        self.fail_at(seq, id, message, wall)
    }

    /// `fail` of task `seq`, filed under `id`.
    pub fn fail_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        message: H::Text,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let ending = Ending::Error(message);
        self.transition(seq, id, "fail", Status::Error, ending, wall)
    }

    fn transition(
        &mut self,
        seq: u64,
        id: &H::Id,
        verb: &str,
        target: Status,
        ending: Ending<H>,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.live_at(seq, id, verb, wall)?;
        if self.task_at(seq)?.run == Run::Cancelling {
            return Err(EngineError::being_cancelled(verb, &self.store.describe(id)));
        }
        self.finish(seq, target, ending, true, now);
        self.schedule(now);
        Ok(seq)
    }

    /// The one place a task becomes final: it moves index, trades its expiry
    /// for an eviction, frees its slot and stops its runner (signalling it
    /// when `abort` and it still runs), queues exactly one notification and
    /// wakes its waiters. A task being cancelled ends cancelled, whatever
    /// ends it.
    pub(in crate::engine) fn finish(
        &mut self,
        seq: u64,
        target: Status,
        ending: Ending<H>,
        abort: bool,
        now: u64,
    ) {
        let Some(task) = self.table.get(seq) else {
            return;
        };
        let (run, previous, agent) = (task.run, task.status, task.agent);
        // A question still open is not answered now: its `ask` rejects.
        self.end_ask(seq, crate::engine::Reply::Aborted, false, now);
        let (target, ending) = match run {
            Run::Cancelling => (Status::Cancelled, Ending::None),
            _ => (target, ending),
        };
        let Some(task) = self.table.set_status(seq, target) else {
            return;
        };
        task.updated_at = task.updated_at.max(now);
        task.outcome = Outcome::of(&ending);
        task.run = match run {
            Run::External => Run::External,
            _ => Run::Ended,
        };
        if previous == Status::Queued {
            self.queue.leave(agent, seq);
        }
        let timestamp = task.updated_at;
        let id = self.store.finish(seq, ending);
        // Logged only into a log already made (else its times stand for it).
        self.log_entry(
            seq,
            crate::engine::LogKind::Status(target),
            crate::engine::ENTRY_COST,
            timestamp,
        );
        self.time
            .push_eviction(seq, timestamp.saturating_add(self.config.task_ttl));
        if run.holds_slot() {
            self.release_slot(agent);
            if abort && run == Run::Live {
                self.outbox.push_back(Effect::Abort { seq });
            }
            self.outbox.push_back(Effect::Close { seq });
        }
        self.journal_task(seq);
        if self.notify_via_inbox(&id, target, timestamp, now) {
            // Kept until delivered.
        } else if let Some(session) = self.session.current() {
            self.outbox.push_back(Effect::Notify {
                session: session.handle.clone(),
                id: id.clone(),
                status: target,
                timestamp,
            });
        }
        if self.events {
            self.outbox.push_back(Effect::Event {
                seq,
                event: Event::Status {
                    id,
                    status: target,
                    previous,
                },
            });
        }
        self.leave_tree(seq);
        self.release_key(seq);
        if target == Status::Cancelled {
            self.cancel_children(seq, false, now);
        }
        if self.waiters.is_empty() {
            return;
        }
        // A wait for the whole tree stays while a descendant is live.
        let tree_live = !self.tree_final(seq);
        self.wake_where(seq, &|w| {
            !(tree_live && matches!(w.want, Want::Output { tree: true, .. }))
        });
    }

    /// What a waiter wanting `want` of task `seq` is answered with now.
    pub(in crate::engine) fn answer(
        &self,
        seq: u64,
        want: Want,
        timed_out: bool,
    ) -> Option<Answer<H>> {
        let task = self.table.get(seq)?;
        Some(match want {
            Want::Output { since, .. } => Answer::Output {
                status: task.status,
                output: self.store.output(seq, since.unwrap_or(0)),
                cursor: task.cursor(),
                ending: self.store.ending(seq, task.outcome),
                timed_out,
            },
            Want::Task => Answer::Task(self.store.snapshot(seq, &task)),
        })
    }
}
