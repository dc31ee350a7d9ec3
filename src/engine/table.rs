use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use super::{Status, Task};

/// The tasks in creation order, with an index by id and one by status, so
/// that a status query costs O(matching tasks) and a lookup O(1).
pub struct Table<P> {
    tasks: BTreeMap<u64, Task<P>>,
    ids: HashMap<Rc<str>, u64>,
    by_status: [BTreeSet<u64>; Status::ALL.len()],
    next_seq: u64,
}

impl<P> Default for Table<P> {
    fn default() -> Self {
        Table {
            tasks: BTreeMap::new(),
            ids: HashMap::new(),
            by_status: Default::default(),
            next_seq: 0,
        }
    }
}

impl<P> Table<P> {
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    pub fn seq_of(&self, id: &str) -> Option<u64> {
        self.ids.get(id).copied()
    }

    pub fn get(&self, seq: u64) -> Option<&Task<P>> {
        self.tasks.get(&seq)
    }

    /// Adds a task; the caller has checked that its id is free. Returns its seq.
    pub fn insert(&mut self, mut task: Task<P>) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        task.seq = seq;
        self.ids.insert(task.id.clone(), seq);
        self.by_status[task.status.index()].insert(seq);
        self.tasks.insert(seq, task);
        seq
    }

    /// Moves a task between status indexes. The only way a status changes.
    pub fn set_status(&mut self, seq: u64, status: Status) -> Option<&mut Task<P>> {
        let task = self.tasks.get_mut(&seq)?;
        self.by_status[task.status.index()].remove(&seq);
        self.by_status[status.index()].insert(seq);
        task.status = status;
        Some(task)
    }

    pub fn remove(&mut self, seq: u64) -> Option<Task<P>> {
        let task = self.tasks.remove(&seq)?;
        self.ids.remove(&task.id);
        self.by_status[task.status.index()].remove(&seq);
        Some(task)
    }

    pub fn clear(&mut self) {
        self.tasks.clear();
        self.ids.clear();
        for index in &mut self.by_status {
            index.clear();
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.by_status[status.index()].len()
    }

    /// Seqs of the tasks in `status`, in creation order.
    pub fn seqs(&self, status: Status) -> impl Iterator<Item = u64> + '_ {
        self.by_status[status.index()].iter().copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Task<P>> {
        self.tasks.values()
    }

    pub fn iter_status(&self, status: Status) -> impl Iterator<Item = &Task<P>> {
        self.seqs(status).filter_map(|seq| self.tasks.get(&seq))
    }

    /// True when both indexes agree with the table (for tests).
    pub fn is_consistent(&self) -> bool {
        let ids_ok = self.ids.len() == self.tasks.len()
            && self
                .ids
                .iter()
                .all(|(id, seq)| self.tasks.get(seq).is_some_and(|t| &t.id == id));
        let indexed: usize = self.by_status.iter().map(BTreeSet::len).sum();
        let status_ok = indexed == self.tasks.len()
            && Status::ALL.iter().all(|&st| {
                self.by_status[st.index()]
                    .iter()
                    .all(|seq| self.tasks.get(seq).is_some_and(|t| t.status == st))
            });
        ids_ok && status_ok && self.tasks.iter().all(|(seq, t)| t.seq == *seq)
    }
}
