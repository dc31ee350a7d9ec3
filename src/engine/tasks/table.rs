use crate::engine::prelude::*;
use alloc::collections::VecDeque;

use crate::engine::tasks::seqset::SeqSet;
use crate::engine::{Status, Task, TaskRef};

/// The tasks in creation order, with an index by status, so that a status
/// query costs O(matching tasks) and a lookup by seq O(1). (The index by id
/// is the host's: ids are host values; see `Store::find`.)
///
/// Tasks live inline in a slab indexed by their creation number (`seq`),
/// in chunks of `CHUNK` slots: a growing table allocates one more chunk
/// instead of moving itself into a buffer twice the size, which in wasm
/// (whose memory never shrinks) would leave the old one behind for good.
/// Slots of removed tasks stay empty until every older slot is empty too;
/// since every task leaves within two TTLs of its creation, the slab spans
/// at most that window, plus a chunk.
#[derive(Default)]
pub struct Table {
    chunks: VecDeque<Box<[Option<Task>]>>,
    /// The seq of slot 0 of `chunks[0]`; a multiple of `CHUNK`.
    first: u64,
    /// The oldest seq that may hold a task: every slot before it is empty.
    base: u64,
    /// The seq the next task gets.
    next: u64,
    live: usize,
    by_status: [SeqSet; Status::ALL.len()],
}

/// Slots per chunk: 8 KiB of tasks.
const CHUNK: u64 = 256;

impl Table {
    pub fn len(&self) -> usize {
        self.live
    }

    /// The seq of the oldest task held (of the next one when none is).
    pub fn oldest(&self) -> u64 {
        self.base
    }

    /// The seq the next task gets.
    pub fn next_seq(&self) -> u64 {
        self.next
    }

    /// Chunk and slot of `seq`, if the slab spans it.
    fn at(&self, seq: u64) -> Option<(usize, usize)> {
        if seq < self.base || seq >= self.next {
            return None;
        }
        let offset = seq - self.first;
        Some(((offset / CHUNK) as usize, (offset % CHUNK) as usize))
    }

    fn slot(&self, seq: u64) -> Option<&Option<Task>> {
        let (chunk, i) = self.at(seq)?;
        self.chunks.get(chunk)?.get(i)
    }

    fn slot_mut(&mut self, seq: u64) -> Option<&mut Option<Task>> {
        let (chunk, i) = self.at(seq)?;
        self.chunks.get_mut(chunk)?.get_mut(i)
    }

    pub fn get(&self, seq: u64) -> Option<TaskRef<'_>> {
        let task = self.slot(seq)?.as_ref()?;
        Some(TaskRef::new(seq, task))
    }

    /// Adds a task; returns its seq.
    pub fn insert(&mut self, task: Task) -> u64 {
        let seq = self.next;
        if self.chunks.is_empty() {
            self.first = seq - seq % CHUNK;
        }
        if seq - self.first >= CHUNK * self.chunks.len() as u64 {
            self.chunks.push_back((0..CHUNK).map(|_| None).collect());
        }
        self.by_status[task.status.index()].insert(seq);
        self.next += 1;
        if let Some(slot) = self.slot_mut(seq) {
            *slot = Some(task);
        }
        self.live += 1;
        seq
    }

    /// Moves a task between status indexes. The only way a status changes.
    pub fn set_status(&mut self, seq: u64, status: Status) -> Option<&mut Task> {
        let (chunk, i) = self.at(seq)?;
        let task = self.chunks.get_mut(chunk)?.get_mut(i)?.as_mut()?;
        self.by_status[task.status.index()].remove(seq);
        self.by_status[status.index()].insert(seq);
        task.status = status;
        Some(task)
    }

    /// A task to change in ways that leave the indexes as they are (its
    /// output, its run); its status must not change through this.
    pub fn get_mut(&mut self, seq: u64) -> Option<&mut Task> {
        self.slot_mut(seq)?.as_mut()
    }

    /// Task `seq`'s extras, if it has any.
    pub fn extra(&self, seq: u64) -> Option<&crate::engine::tasks::extras::Extra> {
        self.get(seq)?.task().extra()
    }

    pub fn extra_mut(&mut self, seq: u64) -> Option<&mut crate::engine::tasks::extras::Extra> {
        self.get_mut(seq)?.extra_mut()
    }

    /// Task `seq`'s extras, made first if need be; `None` if it is not held.
    pub fn make_extra(&mut self, seq: u64) -> Option<&mut crate::engine::tasks::extras::Extra> {
        Some(self.get_mut(seq)?.make_extra())
    }

    pub fn remove(&mut self, seq: u64) -> Option<Task> {
        let task = self.slot_mut(seq)?.take()?;
        self.live -= 1;
        self.by_status[task.status.index()].remove(seq);
        while self.base < self.next && matches!(self.slot(self.base), Some(None)) {
            self.base += 1;
        }
        // Chunks wholly below the oldest task go.
        while self.base - self.first >= CHUNK && !self.chunks.is_empty() {
            self.chunks.pop_front();
            self.first += CHUNK;
        }
        Some(task)
    }

    /// Forgets every task; seqs keep counting up.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.base = self.next;
        self.first = self.next;
        self.live = 0;
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

    pub fn iter(&self) -> impl Iterator<Item = TaskRef<'_>> {
        (self.first..)
            .zip(self.chunks.iter().flat_map(|chunk| chunk.iter()))
            .take_while(move |(seq, _)| *seq < self.next)
            .filter_map(|(seq, slot)| Some(TaskRef::new(seq, slot.as_ref()?)))
    }

    pub fn iter_status(&self, status: Status) -> impl Iterator<Item = TaskRef<'_>> {
        self.seqs(status).filter_map(|seq| self.get(seq))
    }

    /// Slots held, empty or not (for tests of the slab's bound).
    pub fn span(&self) -> usize {
        (self.next - self.base) as usize
    }

    /// True when the status index agrees with the slab (for tests).
    pub fn is_consistent(&self) -> bool {
        let indexed: usize = self.by_status.iter().map(SeqSet::len).sum();
        let status_ok = indexed == self.live
            && Status::ALL.iter().all(|&st| {
                let index = &self.by_status[st.index()];
                index.len() == index.iter().count()
                    && index
                        .iter()
                        .all(|seq| self.get(seq).is_some_and(|t| t.status == st))
            });
        let front_ok = self.base == self.next || matches!(self.slot(self.base), Some(Some(_)));
        let chunks_ok = self.first <= self.base
            && self.base - self.first < CHUNK
            && self.first + CHUNK * self.chunks.len() as u64 >= self.next;
        status_ok && self.iter().count() == self.live && front_ok && chunks_ok
    }
}
