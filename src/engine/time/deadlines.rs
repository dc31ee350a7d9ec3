use alloc::collections::{BinaryHeap, VecDeque};
use core::cmp::Reverse;

/// What happens when a deadline passes. The order of the variants is the
/// order of handling at equal times: a task that expires at the moment a
/// waiter's timeout ends wakes that waiter with the final snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Deadline {
    /// A live task reaches its TTL and fails (never queued: see `Deadlines`).
    Expire(u64),
    /// A cancelled runner's grace period ends.
    Grace(u64),
    /// A final task has been kept for a TTL and leaves the table (queued in
    /// the eviction FIFO).
    Evict(u64),
    /// A waiter's `timeout` ends: (task seq, waiter id).
    WaitTimeout(u64, u64),
    /// Time to look whether a running task stalled, or should fail for it.
    Stall(u64),
    /// A failed attempt's backoff ends: the task may start again.
    Retry(u64),
    /// A runner's question times out (`asks.rs`).
    Ask(u64),
    /// Output that waited to be saved goes with the next write.
    SaveOutput,
    /// A notification retry, a batch or a send's timeout may be due.
    Inbox,
}

/// The timed events the manager keeps in memory. A task's TTL expiry needs no
/// entry: every live task expires `task_ttl` after its creation, so the
/// oldest live task is always the next to expire, and the engine reads it off
/// the status index. Evictions come due in the order tasks became final (the
/// clock never goes back), so they wait in a FIFO of seqs, one word per final
/// task. The rare rest (grace periods, waiter timeouts) sit in a heap.
///
/// Entries are never removed early: one that no longer applies (its task
/// left, its waiter woke) is recognised by the engine and dropped when it
/// reaches the front. Each task adds at most one eviction and one grace
/// entry, each waiter one timeout, and all are due within two TTLs, so both
/// queues stay bounded.
#[derive(Default)]
pub struct Deadlines {
    heap: BinaryHeap<Reverse<(u64, Deadline)>>,
    evictions: VecDeque<u64>,
}

impl Deadlines {
    /// Queues a grace end or a waiter timeout.
    pub fn insert(&mut self, at: u64, what: Deadline) {
        self.heap.push(Reverse((at, what)));
    }

    pub fn peek(&self) -> Option<(u64, Deadline)> {
        self.heap.peek().map(|Reverse(entry)| *entry)
    }

    pub fn pop(&mut self) -> Option<(u64, Deadline)> {
        self.heap.pop().map(|Reverse(entry)| entry)
    }

    /// Queues the eviction of a task that just became final.
    pub fn push_eviction(&mut self, seq: u64) {
        self.evictions.push_back(seq);
    }

    /// The task whose eviction is next.
    pub fn next_eviction(&self) -> Option<u64> {
        self.evictions.front().copied()
    }

    /// Puts the evictions in `order` (a load sorts them by when each
    /// comes due).
    #[cfg(feature = "durable")]
    pub fn set_evictions(&mut self, order: alloc::vec::Vec<u64>) {
        self.evictions = order.into();
    }

    pub fn pop_eviction(&mut self) {
        self.evictions.pop_front();
    }

    /// The heap's entries (for tests).
    pub fn timed(&self) -> impl Iterator<Item = (u64, Deadline)> + '_ {
        self.heap.iter().map(|Reverse(entry)| *entry)
    }

    /// The evictions' seqs, in queue order (for tests).
    pub fn evictions(&self) -> impl Iterator<Item = u64> + '_ {
        self.evictions.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.evictions.len()
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.evictions.clear();
    }
}
