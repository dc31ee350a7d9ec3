//! Writing the log: every entry a task gets goes through `log_entry`, which
//! numbers it, cuts the log to its cap and hands the host the entry to keep.
//! A task that only ever had its first status and its final one (most tasks
//! made by `createTask`) has no stream: its log is made on the first entry
//! beyond those, or when a reader asks for it (`open_log`), from the times
//! the task keeps anyway, so the log costs a task nothing until it is used.
use super::prelude::*;

use super::{Engine, Host, LogKind, Status, Store, Stream, ENTRY_COST};

type Kind<'a, H> = LogKind<'a, <H as Host>::Payload, <H as Host>::Text>;

impl<H: Host> Engine<H> {
    /// Makes task `seq`'s stream if it has none, logging the entries every
    /// task has had so far: its first status (`queued` when launched,
    /// `running` when created), `running` at its creation when its runner
    /// started then, and its final status if it has ended. Returns
    /// the seq of its newest entry (0: no such task).
    pub fn open_log(&mut self, seq: u64) -> u64 {
        let Some(task) = self.table.get_mut(seq) else {
            return 0;
        };
        if task.stream.is_some() {
            return task.log_last();
        }
        task.stream = Some(Box::new(Stream::new(self.config.output_cap)));
        let (first, started, created, status, updated) = (
            if task.agent != 0 {
                Status::Queued
            } else {
                Status::Running
            },
            task.started_at_creation(),
            task.created_at,
            task.status,
            task.updated_at,
        );
        self.log_entry(seq, Kind::<H>::Status(first), ENTRY_COST, created);
        if started {
            self.log_entry(seq, Kind::<H>::Status(Status::Running), ENTRY_COST, created);
        }
        if status.is_final() {
            self.log_entry(seq, Kind::<H>::Status(status), ENTRY_COST, updated);
        }
        self.table.get(seq).map_or(0, |t| t.log_last())
    }

    /// Logs an entry of `weight` at `at` for task `seq`, making its stream
    /// first if need be. Returns its seq (0: no such task).
    pub(super) fn log_entry(&mut self, seq: u64, kind: Kind<'_, H>, weight: usize, at: u64) -> u64 {
        if self.table.get(seq).is_some_and(|t| t.stream.is_none()) {
            self.open_log(seq);
        }
        let Some(stream) = self.table.get_mut(seq).and_then(|t| t.stream.as_mut()) else {
            return 0;
        };
        let (n, cut) = stream.log.push(weight);
        self.store.log(seq, n, at, kind, cut);
        n
    }

    /// A status change other than the first: logged only when the task has
    /// a stream (else `open_log` makes it from the task's times later).
    pub(super) fn log_status(&mut self, seq: u64, status: Status, at: u64) {
        if self.table.get(seq).is_some_and(|t| t.stream.is_some()) {
            self.log_entry(seq, Kind::<H>::Status(status), ENTRY_COST, at);
        }
    }

    /// The runner of task `seq` reported progress (`progress` as the host
    /// made it, its message `message_len` units long); ignored once the
    /// task is final. Returns whether it was kept.
    pub fn run_progress(
        &mut self,
        seq: u64,
        progress: &H::Payload,
        message_len: usize,
        wall: u64,
    ) -> bool {
        let now = self.advance(wall);
        if !self.run_is_open(seq) {
            return false;
        }
        if let Some(task) = self.table.get_mut(seq) {
            task.updated_at = task.updated_at.max(now);
        }
        let weight = ENTRY_COST.saturating_add(message_len);
        self.log_entry(seq, Kind::<H>::Progress(progress), weight, now);
        self.journal_task(seq);
        self.event(seq, |id| super::Event::Progress {
            id,
            progress: progress.clone(),
        });
        true
    }

    /// The runner of task `seq` said it is still alive; ignored once the
    /// task is final. Logged, and nothing else changes (not `updatedAt`).
    pub fn run_heartbeat(&mut self, seq: u64, wall: u64) -> bool {
        let now = self.advance(wall);
        if !self.run_is_open(seq) {
            return false;
        }
        self.log_entry(seq, Kind::<H>::Heartbeat, ENTRY_COST, now);
        self.journal_output(seq, now);
        true
    }
}
