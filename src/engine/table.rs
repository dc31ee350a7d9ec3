use alloc::boxed::Box;
use alloc::collections::VecDeque;

use hashbrown::HashTable;

use super::ids::IdKey;
use super::seqset::SeqSet;
use super::{Status, Task, TaskRef};

/// The tasks in creation order, with an index by id and one by status, so
/// that a status query costs O(matching tasks) and a lookup O(1).
///
/// Tasks live in a slab indexed by their creation number (`seq`), each in its
/// own box: a slot is one pointer, so the slab's spare capacity (up to half
/// of it after a doubling) costs pointers, not whole tasks. Slots of
/// removed tasks stay empty until every older slot is empty too; since every
/// task leaves within two TTLs of its creation, the slab spans at most that
/// window.
///
/// The id index holds only seqs, cut to 32 bits (4 bytes an entry instead of
/// a string key and a seq): the slab never spans 2^32 tasks, so a cut seq
/// and `base` give back the whole one, and the id it is filed under is read
/// from the task.
pub struct Table<P> {
    slots: VecDeque<Option<Box<Task<P>>>>,
    /// The seq of `slots[0]`.
    base: u64,
    live: usize,
    ids: HashTable<u32>,
    by_status: [SeqSet; Status::ALL.len()],
}

impl<P> Default for Table<P> {
    fn default() -> Self {
        Table {
            slots: VecDeque::new(),
            base: 0,
            live: 0,
            ids: HashTable::new(),
            by_status: Default::default(),
        }
    }
}

impl<P> Table<P> {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn seq_of(&self, id: &str) -> Option<u64> {
        self.seq_of_key(IdKey::new(id))
    }

    pub fn seq_of_key(&self, key: IdKey<'_>) -> Option<u64> {
        let cut = self.ids.find(key.hash(), |&cut| {
            filed(&self.slots, self.base, cut).is_some_and(|t| t.id.key() == key)
        })?;
        Some(self.base + u64::from(cut.wrapping_sub(self.base as u32)))
    }

    fn slot(&self, seq: u64) -> Option<usize> {
        seq.checked_sub(self.base).map(|i| i as usize)
    }

    fn task(&self, seq: u64) -> Option<&Task<P>> {
        self.slots.get(self.slot(seq)?)?.as_deref()
    }

    pub fn get(&self, seq: u64) -> Option<TaskRef<'_, P>> {
        self.task(seq).map(|task| TaskRef::new(seq, task))
    }

    /// Adds a task; the caller has checked that its id is free. Returns its seq.
    pub fn insert(&mut self, task: Task<P>) -> u64 {
        let seq = self.base + self.slots.len() as u64;
        let (slots, base) = (&self.slots, self.base);
        self.ids
            .insert_unique(task.id.key().hash(), seq as u32, |&cut| {
                filed(slots, base, cut).map_or(0, |t| t.id.key().hash())
            });
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
        if let Ok(entry) = self
            .ids
            .find_entry(task.id.key().hash(), |&cut| cut == seq as u32)
        {
            entry.remove();
        }
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

    pub fn iter(&self) -> impl Iterator<Item = TaskRef<'_, P>> {
        let base = self.base;
        (base..)
            .zip(&self.slots)
            .filter_map(|(seq, slot)| Some(TaskRef::new(seq, slot.as_deref()?)))
    }

    pub fn iter_status(&self, status: Status) -> impl Iterator<Item = TaskRef<'_, P>> {
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
                .iter()
                .all(|t| self.seq_of(&t.id.text()) == Some(t.seq()));
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
                .all(|t| self.get(t.seq()).is_some_and(|s| s.id == t.id))
            && !matches!(self.slots.front(), Some(None));
        ids_ok && status_ok && slab_ok
    }
}

/// The task the id index files as `cut` (a seq's low 32 bits) in a slab
/// whose first seq is `base`. Every indexed seq has a task.
fn filed<P>(slots: &VecDeque<Option<Box<Task<P>>>>, base: u64, cut: u32) -> Option<&Task<P>> {
    slots
        .get(cut.wrapping_sub(base as u32) as usize)?
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Outcome, Run, TaskId, TaskOutput};
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    fn task(id: &str) -> Task<()> {
        Task {
            id: TaskId::new(id),
            status: Status::Running,
            run: Run::External,
            created_at: 0,
            updated_at: 0,
            options: (),
            session_id: "s".into(),
            outcome: Outcome::None,
            output: TaskOutput::default(),
            launch: None,
            id_view: Default::default(),
        }
    }

    /// Ids in both forms, UUID-shaped ones in other cases, near misses.
    fn id(i: u32) -> String {
        match i % 4 {
            0 => crate::engine::uuid_v4([
                i as u8,
                (i >> 8) as u8,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
                7,
            ]),
            1 => crate::engine::uuid_v4([
                i as u8,
                (i >> 8) as u8,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
                9,
            ])
            .to_uppercase(),
            2 => ["task-", &i.to_string()].concat(),
            _ => [
                "0123abcd-4567-89ef-0a1b-2c3d4e5f",
                &alloc::format!("{i:04}"),
            ]
            .concat(),
        }
    }

    /// Inserts, removes from the front and the middle, and checks every
    /// lookup against the ids the table should hold, with seqs that cross
    /// 2^32 (where the index's cut seqs wrap).
    #[test]
    fn the_id_index_finds_exactly_the_tasks_held() {
        let mut table: Table<()> = Table {
            base: u64::from(u32::MAX) - 300,
            ..Table::default()
        };
        let mut held: Vec<(String, u64)> = Vec::new();
        for i in 0..2_000u32 {
            let id = id(i);
            assert_eq!(table.seq_of(&id), None, "{id} before insert");
            let seq = table.insert(task(&id));
            held.push((id, seq));
            if i % 3 == 2 {
                // Oldest first, as the TTL removes them, and one from the middle.
                let (_, oldest) = held.remove(0);
                assert!(table.remove(oldest).is_some());
                let (_, middle) = held.remove(held.len() / 2);
                assert!(table.remove(middle).is_some());
            }
        }
        assert!(table.base > u64::from(u32::MAX), "the seqs crossed 2^32");
        assert!(table.is_consistent());
        assert_eq!(table.len(), held.len());
        for (id, seq) in &held {
            assert_eq!(table.seq_of(id), Some(*seq), "{id}");
            assert_eq!(table.get(*seq).map(|t| t.id.to_string()), Some(id.clone()));
        }
        for i in 2_000..2_100u32 {
            assert_eq!(table.seq_of(&id(i)), None);
        }
    }
}
