use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::OnceCell;

use super::text::SharedStr;
use super::{Status, TaskId, TaskOutput};

/// The work behind a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Created with `createTask`: someone outside drives it.
    External,
    /// Launched, waiting in the queue for a slot.
    Waiting,
    /// Its runner is running and holds a slot.
    Live,
    /// Its runner was signalled to stop and has until its grace period
    /// ends (a queued `Deadline::Grace`) to do so; it still holds its slot.
    Cancelling,
    /// Launched, and now final: its slot is free, its runner ignored.
    Ended,
}

impl Run {
    pub fn holds_slot(self) -> bool {
        matches!(self, Run::Live | Run::Cancelling)
    }
}

/// What a task ended with, when it ended with something.
#[derive(Clone, Debug)]
pub enum Outcome<P> {
    None,
    /// Completed through `completeTask` (or its runner) with this result.
    Result(P),
    /// Failed with this message.
    Error(SharedStr),
}

/// The agent and prompt of a launched task, boxed: most tasks have none.
#[derive(Clone, Debug)]
pub struct Launch<P> {
    pub agent: Rc<str>,
    pub prompt: Rc<str>,
    /// The host's rendering of agent and prompt, made at the first
    /// snapshot so that later ones need not convert them again. The engine
    /// never looks at it.
    pub view: OnceCell<P>,
}

/// One task as the engine keeps it. `P` is the host's payload type (the very
/// JS values in the binding), kept by value and never inspected. Kept small:
/// it is most of a task's memory. Its creation number (`seq`), the key of
/// every index, is where the table keeps it, not here.
#[derive(Clone, Debug)]
pub struct Task<P> {
    pub id: TaskId,
    pub status: Status,
    pub run: Run,
    /// Milliseconds since the epoch, from the injected clock.
    pub created_at: u64,
    /// Never below `created_at`, never decreasing.
    pub updated_at: u64,
    pub options: P,
    pub session_id: SharedStr,
    pub outcome: Outcome<P>,
    pub output: TaskOutput,
    pub launch: Option<Box<Launch<P>>>,
    /// The host's rendering of the id (in the binding, the JS string),
    /// made the first time the host asks to keep one; a cell, so that the
    /// host can keep it while only reading the task. The engine never
    /// looks at it.
    pub id_view: OnceCell<P>,
}

impl<P> Task<P> {
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }

    /// When it next changes by itself: its TTL expiry while live, its
    /// eviction once final. The clock never goes back, so a task's last
    /// update is the moment it became final.
    pub fn deadline(&self, ttl: u64) -> u64 {
        let from = if self.is_final() {
            self.updated_at
        } else {
            self.created_at
        };
        from.saturating_add(ttl)
    }

    /// Set when completed by `completeTask` or its runner; `None` when
    /// something else (the session) completed it.
    pub fn result(&self) -> Option<&P> {
        match &self.outcome {
            Outcome::Result(result) => Some(result),
            _ => None,
        }
    }

    /// Set when failed.
    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Error(error) => Some(error),
            _ => None,
        }
    }

    pub fn agent(&self) -> Option<&str> {
        self.launch.as_ref().map(|l| &*l.agent)
    }

    pub fn prompt(&self) -> Option<&str> {
        self.launch.as_ref().map(|l| &*l.prompt)
    }
}

// The allocator (talc) gives a box of `n` bytes `n + 4` rounded up to 16:
// 80 bytes for a task of up to 76, 96 past that.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(core::mem::size_of::<Task<u32>>() <= 76);

/// A task with its creation number, as the table hands them out.
#[derive(Debug)]
pub struct TaskRef<'a, P> {
    seq: u64,
    task: &'a Task<P>,
}

impl<P> Clone for TaskRef<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for TaskRef<'_, P> {}

impl<'a, P> TaskRef<'a, P> {
    pub(crate) fn new(seq: u64, task: &'a Task<P>) -> Self {
        TaskRef { seq, task }
    }

    /// Its creation number: the order tasks are listed in.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn task(&self) -> &'a Task<P> {
        self.task
    }
}

impl<P> core::ops::Deref for TaskRef<'_, P> {
    type Target = Task<P>;

    fn deref(&self) -> &Task<P> {
        self.task
    }
}
