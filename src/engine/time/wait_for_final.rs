//! Waiting for a task to become final: `getOutput({ wait })` and a
//! grace-period `cancelTask`.
use crate::engine::prelude::*;
use crate::engine::time::deadlines::Deadline;
use crate::engine::time::waiters::Want;
use crate::engine::{Answer, Engine, EngineError, Host};

/// What a wait found.
pub enum Wait<H: Host> {
    /// The task is final, no wait was asked for, or `timeout` was 0: answer
    /// now.
    Ready(Answer<H>),
    /// The waiter is queued and will come back as an `Effect::Wake` (or
    /// `Effect::Dispose` at cleanup).
    Pending,
}

impl<H: Host> Engine<H> {
    /// `getOutput` of task `id`: answers at once when `wait` is false, the
    /// task is final, or `timeout` is 0; otherwise queues the waiter `waiter`
    /// makes until the task becomes final or `timeout` ms pass.
    pub fn wait_for(
        &mut self,
        id: &H::Id,
        want: Want,
        wait: bool,
        timeout: Option<u64>,
        waiter: impl FnOnce() -> H::Waiter,
        wall: u64,
    ) -> Result<Wait<H>, EngineError> {
        self.advance(wall);
        let seq = self.seq_of(id)?;
        self.wait_seq(seq, want, wait, timeout, waiter)
    }

    /// `wait_for` by creation number, at the engine's current time.
    pub fn wait_seq(
        &mut self,
        seq: u64,
        want: Want,
        wait: bool,
        timeout: Option<u64>,
        waiter: impl FnOnce() -> H::Waiter,
    ) -> Result<Wait<H>, EngineError> {
        let is_final = match want {
            Want::Output { tree: true, .. } => {
                self.task_at(seq)?;
                self.tree_final(seq)
            }
            _ => self.task_at(seq)?.is_final(),
        };
        if !wait || is_final || timeout == Some(0) {
            let answer = self
                .answer(seq, want, wait && !is_final)
                .ok_or_else(|| EngineError::internal(format!("Task #{seq} vanished")))?;
            return Ok(Wait::Ready(answer));
        }
        let deadline = timeout.map(|t| self.time.now().saturating_add(t));
        let wid = self.waiters.add(seq, waiter(), want, deadline);
        if let Some(at) = deadline {
            self.time.schedule(at, Deadline::WaitTimeout(seq, wid));
        }
        Ok(Wait::Pending)
    }

    /// The caller of a pending wait on task `seq` gave up on it (its
    /// signal was aborted): the waiter `which` picks goes, and its timeout
    /// with it (a timeout entry left in the queue finds no waiter). Returns
    /// whether one was waiting.
    pub fn drop_wait(&mut self, seq: u64, which: impl Fn(&H::Waiter) -> bool) -> bool {
        self.waiters.remove_where(seq, which)
    }
}
