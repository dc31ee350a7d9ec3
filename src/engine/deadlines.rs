use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

/// What happens when a deadline passes. The order of the variants is the
/// order of handling at equal times: a task that expires at the moment a
/// waiter's timeout ends wakes that waiter with the final snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Deadline {
    /// A live task reaches its TTL and fails.
    Expire(u64),
    /// A cancelled runner's grace period ends.
    Grace(u64),
    /// A final task has been kept for a TTL and leaves the table.
    Evict(u64),
    /// A waiter's `timeout` ends: (task seq, waiter id).
    WaitTimeout(u64, u64),
}

/// Every timed event of the manager in one queue, so the host needs a single
/// timer. Entries are never removed early: one that no longer applies (its
/// task finished or left, its waiter woke) is recognised by the engine and
/// dropped when it reaches the front. Each task adds at most two entries and
/// each waiter one, and all of them are due within two TTLs, so the queue
/// stays bounded.
#[derive(Default)]
pub struct Deadlines {
    heap: BinaryHeap<Reverse<(u64, Deadline)>>,
}

impl Deadlines {
    pub fn insert(&mut self, at: u64, what: Deadline) {
        self.heap.push(Reverse((at, what)));
    }

    pub fn peek(&self) -> Option<(u64, Deadline)> {
        self.heap.peek().map(|Reverse(entry)| *entry)
    }

    pub fn pop(&mut self) -> Option<(u64, Deadline)> {
        self.heap.pop().map(|Reverse(entry)| entry)
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, Deadline)> + '_ {
        self.heap.iter().map(|Reverse(entry)| *entry)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn clear(&mut self) {
        self.heap.clear();
    }
}
