use std::collections::HashMap;

/// A pending `getOutput({ wait: true })`.
pub struct Waiter<W> {
    pub handle: W,
    pub id: u64,
    pub seq: u64,
    /// When its timeout ends, if it has one.
    pub deadline: Option<u64>,
}

/// Waiters by id, and each task's waiter ids in the order they started
/// waiting. A task's list may still name waiters that timed out; they are
/// skipped when the task wakes the rest.
pub struct Waiters<W> {
    by_id: HashMap<u64, Waiter<W>>,
    by_task: HashMap<u64, Vec<u64>>,
    next_id: u64,
}

impl<W> Default for Waiters<W> {
    fn default() -> Self {
        Waiters {
            by_id: HashMap::new(),
            by_task: HashMap::new(),
            next_id: 0,
        }
    }
}

impl<W> Waiters<W> {
    pub fn add(&mut self, seq: u64, handle: W, deadline: Option<u64>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.by_id.insert(
            id,
            Waiter {
                handle,
                id,
                seq,
                deadline,
            },
        );
        self.by_task.entry(seq).or_default().push(id);
        id
    }

    /// When waiter `id`'s timeout ends, if it still waits and has one.
    pub fn deadline_of(&self, id: u64) -> Option<u64> {
        self.by_id.get(&id).and_then(|w| w.deadline)
    }

    /// The waiter whose timeout ends at `at`, if it still waits.
    pub fn timed_out(&mut self, id: u64, at: u64) -> Option<Waiter<W>> {
        match self.by_id.get(&id) {
            Some(w) if w.deadline == Some(at) => self.by_id.remove(&id),
            _ => None,
        }
    }

    /// Removes and returns every waiter of one task, oldest first.
    pub fn take_task(&mut self, seq: u64) -> Vec<Waiter<W>> {
        let ids = self.by_task.remove(&seq).unwrap_or_default();
        ids.into_iter()
            .filter_map(|id| self.by_id.remove(&id))
            .collect()
    }

    /// Removes every waiter, oldest first.
    pub fn take_all(&mut self) -> Vec<Waiter<W>> {
        self.by_task.clear();
        let mut all: Vec<Waiter<W>> = self.by_id.drain().map(|(_, w)| w).collect();
        all.sort_by_key(|w| w.id);
        all
    }

    pub fn iter(&self) -> impl Iterator<Item = &Waiter<W>> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}
