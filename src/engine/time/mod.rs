//! See README.md beside this file.
pub(in crate::engine) mod clock;
pub(in crate::engine) mod deadlines;
pub(in crate::engine) mod wait_for_final;
pub(in crate::engine) mod waiters;

use deadlines::{Deadline, Deadlines};

/// The engine's time: its clock, the deadlines still to come, and the
/// bound before which none comes due. Every deadline goes in through
/// `schedule`, `push_eviction` or `due_at`, so the bound is never later
/// than the first deadline (an operation between deadlines then does not
/// look at the queues at all).
pub(in crate::engine) struct Time {
    /// The latest wall-clock time the engine was given.
    clock: u64,
    /// No deadline comes due before this time: exact after `advance` has
    /// looked, lowered as deadlines are added, left as it is when they go
    /// (a bound that is too early only costs a look).
    due_from: u64,
    deadlines: Deadlines,
}

impl Default for Time {
    fn default() -> Self {
        Time {
            clock: 0,
            due_from: u64::MAX,
            deadlines: Deadlines::default(),
        }
    }
}

impl Time {
    /// The engine's clock: the latest time it was given.
    pub(in crate::engine) fn now(&self) -> u64 {
        self.clock
    }

    /// `what` comes due at `at`.
    pub(in crate::engine) fn schedule(&mut self, at: u64, what: Deadline) {
        self.deadlines.insert(at, what);
        self.due_at(at);
    }

    /// Task `seq` became final and is evicted at `at` (evictions come due
    /// in the order tasks became final, so they wait in a plain queue).
    pub(in crate::engine) fn push_eviction(&mut self, seq: u64, at: u64) {
        self.deadlines.push_eviction(seq);
        self.due_at(at);
    }

    /// Something read from elsewhere (a live task's TTL, kept by the
    /// tasks' own indexes) may come due at `at`: the bound comes down to it.
    pub(in crate::engine) fn due_at(&mut self, at: u64) {
        self.due_from = self.due_from.min(at);
    }

    /// The pending evictions, oldest first.
    pub(in crate::engine) fn evictions(&self) -> impl Iterator<Item = u64> + '_ {
        self.deadlines.evictions()
    }

    /// Puts the evictions in `order` (a load sorts them by when each comes
    /// due).
    #[cfg(feature = "durable")]
    pub(in crate::engine) fn set_evictions(&mut self, order: alloc::vec::Vec<u64>) {
        self.deadlines.set_evictions(order);
    }

    /// When the host's timer must fire at the latest; `None`: nothing is
    /// timed.
    pub(in crate::engine) fn due_by(&self) -> Option<u64> {
        (self.due_from != u64::MAX).then_some(self.due_from)
    }

    /// Forgets every deadline (cleanup); the clock stays.
    pub(in crate::engine) fn clear(&mut self) {
        self.deadlines.clear();
        self.due_from = u64::MAX;
    }

    /// The deadlines queued (for tests of what the engine keeps).
    pub(in crate::engine) fn queued(&self) -> usize {
        self.deadlines.len()
    }

    /// Every timed deadline and every pending eviction, for the
    /// invariants' check.
    pub(in crate::engine) fn deadlines(&self) -> &Deadlines {
        &self.deadlines
    }
}
