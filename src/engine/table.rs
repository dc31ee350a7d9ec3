use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;

use super::fxhash::FxHashMap;
use super::seqset::SeqSet;
use super::{Status, Task};

/// The tasks in creation order, with an index by id and one by status, so
/// that a status query costs O(matching tasks) and a lookup O(1).
///
/// Tasks live in a slab indexed by their creation number (`seq`), each in its
/// own box: a slot is one pointer, so the slab's spare capacity (up to half
/// of it after a doubling) costs pointers, not whole tasks. Slots of
/// removed tasks stay empty until every older slot is empty too; since every
/// task leaves within two TTLs of its creation, the slab spans at most that
/// window.
pub struct Table<P> {
    slots: VecDeque<Option<Box<Task<P>>>>,
    /// The seq of `slots[0]`.
    base: u64,
    live: usize,
    ids: FxHashMap<Rc<str>, u64>,
    by_status: [SeqSet; Status::ALL.len()],
}

impl<P> Default for Table<P> {
    fn default() -> Self {
        Table {
            slots: VecDeque::new(),
            base: 0,
            live: 0,
            ids: FxHashMap::default(),
            by_status: Default::default(),
        }
    }
}

impl<P> Table<P> {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    pub fn seq_of(&self, id: &str) -> Option<u64> {
        self.ids.get(id).copied()
    }

    fn slot(&self, seq: u64) -> Option<usize> {
        seq.checked_sub(self.base).map(|i| i as usize)
    }

    pub fn get(&self, seq: u64) -> Option<&Task<P>> {
        self.slots.get(self.slot(seq)?)?.as_deref()
    }

    /// Adds a task; the caller has checked that its id is free. Returns its seq.
    pub fn insert(&mut self, mut task: Task<P>) -> u64 {
        let seq = self.base + self.slots.len() as u64;
        task.seq = seq;
        self.ids.insert(task.id.clone(), seq);
        self.by_status[task.status.index()].insert(seq);
        self.slots.push_back(Some(Box::new(task)));
        self.live += 1;
        seq
    }

    /// Moves a task between status indexes. The only way a status changes.
    pub fn set_status(&mut self, seq: u64, status: Status) -> Option<&mut Task<P>> {
        let i = self.slot(seq)?;
        let task = self.slots.get_mut(i)?.as_deref_mut()?;
        self.by_status[task.status.index()].remove(seq);
        self.by_status[status.index()].insert(seq);
        task.status = status;
        Some(task)
    }

    /// A task to change in ways that leave the indexes as they are (its
    /// output, its run); its status must not change through this.
    pub fn get_mut(&mut self, seq: u64) -> Option<&mut Task<P>> {
        let i = self.slot(seq)?;
        self.slots.get_mut(i)?.as_deref_mut()
    }

    pub fn remove(&mut self, seq: u64) -> Option<Task<P>> {
        let i = self.slot(seq)?;
        let task = self.slots.get_mut(i)?.take()?;
        self.live -= 1;
        self.ids.remove(&task.id);
        self.by_status[task.status.index()].remove(seq);
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(*task)
    }

    /// Forgets every task; seqs keep counting up.
    pub fn clear(&mut self) {
        self.base += self.slots.len() as u64;
        self.slots.clear();
        self.live = 0;
        self.ids.clear();
        for index in &mut self.by_status {
            index.clear();
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.by_status[status.index()].len()
    }

    /// The oldest task in `status`.
    pub fn first(&self, status: Status) -> Option<u64> {
        self.by_status[status.index()].first()
    }

    /// Seqs of the tasks in `status`, in creation order.
    pub fn seqs(&self, status: Status) -> impl Iterator<Item = u64> + '_ {
        self.by_status[status.index()].iter()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Task<P>> {
        self.slots.iter().flatten().map(|task| &**task)
    }

    pub fn iter_status(&self, status: Status) -> impl Iterator<Item = &Task<P>> {
        self.seqs(status).filter_map(|seq| self.get(seq))
    }

    /// Slots held, empty or not (for tests of the slab's bound).
    pub fn span(&self) -> usize {
        self.slots.len()
    }

    /// True when both indexes agree with the slab (for tests).
    pub fn is_consistent(&self) -> bool {
        let ids_ok = self.ids.len() == self.live
            && self
                .ids
                .iter()
                .all(|(id, &seq)| self.get(seq).is_some_and(|t| &t.id == id));
        let indexed: usize = self.by_status.iter().map(SeqSet::len).sum();
        let status_ok = indexed == self.live
            && Status::ALL.iter().all(|&st| {
                self.by_status[st.index()].len() == self.by_status[st.index()].iter().count()
                    && self.by_status[st.index()]
                        .iter()
                        .all(|seq| self.get(seq).is_some_and(|t| t.status == st))
            });
        let slab_ok = self.iter().count() == self.live
            && self
                .iter()
                .all(|t| self.get(t.seq).is_some_and(|s| s.id == t.id))
            && !matches!(self.slots.front(), Some(None));
        ids_ok && status_ok && slab_ok
    }
}
