//! What a durable store must write: the engine journals every change to a
//! task's record and to the inbox as it makes it, and the host takes the
//! journal after each operation, writes it in one atomic step per task, and
//! says how that went. The engine never waits for a write: it is the
//! authority, the store catches up (a failed write is handed back and goes
//! with the next one).
use crate::engine::maps::HashSet;
use crate::engine::prelude::*;
use crate::engine::seam::JournalHooks;

use crate::engine::time::deadlines::Deadline;
use crate::engine::{Engine, Host, Store};

/// One write's worth of changes, in the order they were made.
pub struct Changes<H: Host> {
    /// Tasks whose record changed (its status, times, values or output), by
    /// seq: the host writes each as it is when it takes the changes.
    pub tasks: Vec<u64>,
    /// Ids of tasks that left the table: their records go.
    pub removed: Vec<H::Id>,
    /// Notifications to store, by their number in the inbox.
    pub notices: Vec<u64>,
    /// Notification ids delivered: their records go.
    pub delivered: Vec<H::Id>,
}

impl<H: Host> Changes<H> {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
            && self.removed.is_empty()
            && self.notices.is_empty()
            && self.delivered.is_empty()
    }
}

pub(in crate::engine) struct Journal<H: Host> {
    tasks: Vec<u64>,
    marked: HashSet<u64>,
    /// Tasks whose output grew since they were saved, and since when: their
    /// records wait until `Config::output_save_every` has passed.
    output: Vec<u64>,
    output_marked: HashSet<u64>,
    output_since: Option<u64>,
    removed: Vec<H::Id>,
    notices: Vec<u64>,
    delivered: Vec<H::Id>,
}

impl<H: Host> Default for Journal<H> {
    fn default() -> Self {
        Journal {
            tasks: Vec::new(),
            marked: HashSet::default(),
            output: Vec::new(),
            output_marked: HashSet::default(),
            output_since: None,
            removed: Vec::new(),
            notices: Vec::new(),
            delivered: Vec::new(),
        }
    }
}

impl<H: Host> Journal<H> {
    fn mark(&mut self, seq: u64) {
        if self.marked.insert(seq) {
            self.tasks.push(seq);
        }
    }

    /// Moves the tasks whose output waited into the next write.
    fn due_output(&mut self) {
        self.output_since = None;
        for seq in core::mem::take(&mut self.output) {
            if self.output_marked.remove(&seq) {
                self.mark(seq);
            }
        }
    }
}

impl<H: Host> Engine<H> {
    /// The last write before a clean stop: each live task's reservation
    /// shrinks to its newest entry, so the next load numbers on with no
    /// hole.
    fn release_reservations(&mut self) {
        let live: Vec<u64> = crate::engine::Status::LIVE
            .iter()
            .flat_map(|&s| self.table.seqs(s))
            .collect();
        for seq in live {
            let released = self
                .table
                .get_mut(seq)
                .and_then(|t| t.stream_mut())
                .is_some_and(|s| s.log.release());
            if released {
                self.journal_task(seq);
            }
        }
    }

    pub(in crate::engine) fn journal_notice(&mut self, number: u64) {
        if let Some(j) = &mut self.durable.journal {
            j.notices.push(number);
        }
    }

    pub(in crate::engine) fn journal_delivered(&mut self, id: H::Id) {
        if let Some(j) = &mut self.durable.journal {
            j.delivered.push(id);
        }
    }

    /// Whether the next `take_changes` has anything.
    pub fn has_changes(&self) -> bool {
        self.durable.journal.as_ref().is_some_and(|j| {
            !(j.tasks.is_empty()
                && j.removed.is_empty()
                && j.notices.is_empty()
                && j.delivered.is_empty())
        })
    }

    /// Everything to write since the last take; `flush` (the last write
    /// before a cleanup) also takes output that is still waiting and
    /// releases the logs' reserved seqs. `None`
    /// without a durable store or with nothing to write.
    pub fn take_changes(&mut self, flush: bool) -> Option<Changes<H>> {
        if flush && self.durable.journal.is_some() {
            self.release_reservations();
        }
        let j = self.durable.journal.as_mut()?;
        if flush {
            j.due_output();
        }
        if j.tasks.is_empty()
            && j.removed.is_empty()
            && j.notices.is_empty()
            && j.delivered.is_empty()
        {
            return None;
        }
        j.marked.clear();
        let tasks = core::mem::take(&mut j.tasks);
        // A task saved whole takes its waiting output along.
        for seq in &tasks {
            j.output_marked.remove(seq);
        }
        Some(Changes {
            tasks,
            removed: core::mem::take(&mut j.removed),
            notices: core::mem::take(&mut j.notices),
            delivered: core::mem::take(&mut j.delivered),
        })
    }

    /// The host wrote `changes` (`ok`): the notifications in it may now be
    /// sent. Or it could not: then they go again with the next write,
    /// merged with what changed since, and the notifications wait for it:
    /// a parent is never told of a transition a crash could still undo.
    pub fn changes_written(&mut self, changes: Changes<H>, ok: bool, wall: u64) {
        let now = self.advance(wall);
        if ok {
            self.notices_stored(&changes.notices, now);
        } else {
            if let Some(j) = &mut self.durable.journal {
                for seq in &changes.tasks {
                    j.mark(*seq);
                }
                j.removed.extend(changes.removed);
                j.notices.extend(changes.notices.iter().copied());
                j.delivered.extend(changes.delivered);
            }
        }
    }
}

impl<H: Host> crate::engine::seam::JournalHooks for Engine<H> {
    /// Task `seq`'s record changed.
    fn journal_task(&mut self, seq: u64) {
        if let Some(j) = &mut self.durable.journal {
            j.mark(seq);
        }
    }

    /// Task `seq`'s output grew: saved with its next change, or once
    /// `output_save_every` has passed since the first unsaved write.
    fn journal_output(&mut self, seq: u64, now: u64) {
        let Some(j) = &mut self.durable.journal else {
            return;
        };
        if j.marked.contains(&seq) || !j.output_marked.insert(seq) {
            return;
        }
        j.output.push(seq);
        if j.output_since.is_none() {
            j.output_since = Some(now);
            let at = now.saturating_add(self.config.durable.output_save_every);
            self.time.schedule(at, Deadline::SaveOutput);
        }
    }

    /// Entry `n` of task `seq`'s log was numbered: when its reservation of
    /// seqs runs low it is renewed, and the record goes with the next write
    /// instead of waiting for the output save (see `LOG_RESERVE`). A final
    /// task's record is saved without one.
    fn journal_log(&mut self, seq: u64, n: u64) {
        // A load relogs what its records held: nothing new was seen.
        if self.durable.journal.is_none() || self.durable.restoring {
            return;
        }
        let renewed = self
            .table
            .get_mut(seq)
            .filter(|t| !t.is_final())
            .and_then(|t| t.stream_mut())
            .is_some_and(|s| s.log.reserve_ahead(n));
        if renewed {
            self.journal_task(seq);
        }
    }

    /// Task `seq` is about to leave the table (its eviction).
    fn journal_evicted(&mut self, seq: u64) {
        if self.durable.journal.is_none() {
            return;
        }
        if let Some(id) = self.store.id(seq) {
            if let Some(j) = &mut self.durable.journal {
                j.removed.push(id);
            }
        }
    }

    /// The `SaveOutput` deadline: output that waited goes with the next write.
    fn save_output_now(&mut self) {
        if let Some(j) = &mut self.durable.journal {
            j.due_output();
        }
    }

    /// Whether output is waiting to be saved (so a timer must run).
    fn output_waits(&self) -> bool {
        self.durable
            .journal
            .as_ref()
            .is_some_and(|j| j.output_since.is_some())
    }
}
