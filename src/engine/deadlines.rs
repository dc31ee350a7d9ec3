use std::collections::BTreeSet;

/// What happens when a deadline passes. The order of the variants is the
/// order of handling at equal times: a task that expires at the moment a
/// waiter's timeout ends wakes that waiter with the final snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Deadline {
    /// A running task reaches its TTL and fails.
    Expire(u64),
    /// A final task has been kept for a TTL and leaves the table.
    Evict(u64),
    /// A waiter's `timeout` ends: (task seq, waiter id).
    WaitTimeout(u64, u64),
}

/// Every timed event of the manager in one ordered queue, so the host needs a
/// single timer, armed for `next()`.
#[derive(Default)]
pub struct Deadlines {
    queue: BTreeSet<(u64, Deadline)>,
}

impl Deadlines {
    pub fn insert(&mut self, at: u64, what: Deadline) {
        self.queue.insert((at, what));
    }

    pub fn remove(&mut self, at: u64, what: Deadline) {
        self.queue.remove(&(at, what));
    }

    pub fn contains(&self, at: u64, what: Deadline) -> bool {
        self.queue.contains(&(at, what))
    }

    pub fn next(&self) -> Option<u64> {
        self.queue.first().map(|&(at, _)| at)
    }

    /// Takes the earliest deadline if it is due at `now`.
    pub fn pop_due(&mut self, now: u64) -> Option<(u64, Deadline)> {
        match self.queue.first() {
            Some(&(at, _)) if at <= now => self.queue.pop_first(),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }
}
