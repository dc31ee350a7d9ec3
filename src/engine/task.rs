use alloc::rc::Rc;

use super::{Status, TaskOutput};

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

/// One task as the engine keeps it. `P` is the host's payload type (the very
/// JS values in the binding), kept by value and never inspected.
#[derive(Clone, Debug)]
pub struct Task<P> {
    pub id: Rc<str>,
    pub status: Status,
    /// Milliseconds since the epoch, from the injected clock.
    pub created_at: u64,
    /// Never below `created_at`, never decreasing.
    pub updated_at: u64,
    pub options: P,
    pub session_id: Option<Rc<str>>,
    /// Set when completed; `None` when something other than `completeTask`
    /// (the session) completed it.
    pub result: Option<P>,
    /// Set when failed.
    pub error: Option<Rc<str>>,
    pub output: TaskOutput,
    /// The agent and prompt of a launched task.
    pub agent: Option<Rc<str>>,
    pub prompt: Option<Rc<str>>,
    pub run: Run,
    /// The host's rendering of fields that never change and are costly to
    /// convert (in the binding: id, options, session, agent and prompt),
    /// made once so that snapshots need not convert them again. The engine
    /// only stores it.
    pub fixed_view: Option<P>,
    /// Creation order; the key of every index.
    pub(crate) seq: u64,
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

    /// Its creation number: the order tasks are listed in.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}
