use std::collections::BTreeMap;

/// A pending `getOutput({ wait: true })`.
pub struct Waiter<W> {
    pub handle: W,
    /// Set by `Waiters::add`.
    pub id: u64,
    /// When its timeout ends, if it has one.
    pub deadline: Option<u64>,
}

/// Waiters keyed by (task seq, waiter id): all waiters of one task are one
/// range, woken in the order they started waiting.
pub struct Waiters<W> {
    map: BTreeMap<(u64, u64), Waiter<W>>,
    next_id: u64,
}

impl<W> Default for Waiters<W> {
    fn default() -> Self {
        Waiters {
            map: BTreeMap::new(),
            next_id: 0,
        }
    }
}

impl<W> Waiters<W> {
    pub fn add(&mut self, seq: u64, handle: W, deadline: Option<u64>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.map.insert(
            (seq, id),
            Waiter {
                handle,
                id,
                deadline,
            },
        );
        id
    }

    /// Every waiter with its task's seq.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Waiter<W>)> {
        self.map.iter().map(|(&(seq, _), w)| (seq, w))
    }

    pub fn remove(&mut self, seq: u64, id: u64) -> Option<Waiter<W>> {
        self.map.remove(&(seq, id))
    }

    /// Removes and returns every waiter of one task, oldest first.
    pub fn take_task(&mut self, seq: u64) -> Vec<Waiter<W>> {
        let ids: Vec<u64> = self
            .map
            .range((seq, 0)..=(seq, u64::MAX))
            .map(|(&(_, id), _)| id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.map.remove(&(seq, id)))
            .collect()
    }

    /// Removes every waiter, oldest task first.
    pub fn take_all(&mut self) -> Vec<(u64, Waiter<W>)> {
        std::mem::take(&mut self.map)
            .into_iter()
            .map(|((seq, _), w)| (seq, w))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
