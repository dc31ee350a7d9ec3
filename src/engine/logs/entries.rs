//! Writing the log: every entry a task gets goes through `log_entry`, which
//! numbers it, cuts the log to its cap and hands the host the entry to keep.
//! A task that only ever had its first status and its final one (most tasks
//! made by `createTask`) has no stream: its log is made on the first entry
//! beyond those, or when a reader asks for it (`open_log`), from the times
//! the task keeps anyway, so the log costs a task nothing until it is used.

use crate::engine::seam::JournalHooks;
use crate::engine::{Engine, Host, LogKind, Status, Store, Stream, ENTRY_COST};

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
        if task.stream().is_some() {
            return task.log_last();
        }
        let times = Times::of(task);
        task.more.get_or_insert_with(Default::default).stream =
            Some(Stream::new(self.config.output_cap));
        self.log_from_times(seq, times);
        self.table.get(seq).map_or(0, |t| t.log_last())
    }

    /// Logs, into task `seq`'s new and empty log, the entries its times
    /// stand for (see `open_log`).
    /// These entries reserve no seqs in a durable store (`journal_log`): a
    /// load makes them again, the same, from the stored times.
    pub(in crate::engine) fn log_from_times(&mut self, seq: u64, t: Times) {
        self.number_entry(seq, Kind::<H>::Status(t.first), ENTRY_COST, t.created);
        if t.started {
            self.number_entry(
                seq,
                Kind::<H>::Status(Status::Running),
                ENTRY_COST,
                t.created,
            );
        }
        if t.status.is_final() {
            self.number_entry(seq, Kind::<H>::Status(t.status), ENTRY_COST, t.updated);
        }
    }

    /// Logs an entry of `weight` at `at` for task `seq` into the log it has;
    /// a task without a stream logs nothing (its times stand for its
    /// statuses, and `open_log` makes the log before any other entry).
    /// Returns the entry's seq (0: none).
    pub(in crate::engine) fn log_entry(
        &mut self,
        seq: u64,
        kind: Kind<'_, H>,
        weight: usize,
        at: u64,
    ) -> u64 {
        let n = self.number_entry(seq, kind, weight, at);
        if n > 0 {
            self.journal_log(seq, n);
        }
        n
    }

    /// `log_entry` without the store's reservation (see `journal_log`).
    fn number_entry(&mut self, seq: u64, kind: Kind<'_, H>, weight: usize, at: u64) -> u64 {
        let Some(stream) = self.table.get_mut(seq).and_then(|t| t.stream_mut()) else {
            return 0;
        };
        let (n, cut) = stream.log.push(weight);
        self.store.log(seq, n, at, kind, cut);
        n
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
        self.run_report(seq, Some((progress, message_len)), wall)
    }

    /// The runner of task `seq` said it is still alive; ignored once the
    /// task is final. Logged, and nothing else changes (not `updatedAt`).
    pub fn run_heartbeat(&mut self, seq: u64, wall: u64) -> bool {
        self.run_report(seq, None, wall)
    }

    /// A progress report (with its message's length), or a heartbeat
    /// (`None`), from the runner of task `seq`: the one path of both.
    pub fn run_report(
        &mut self,
        seq: u64,
        progress: Option<(&H::Payload, usize)>,
        wall: u64,
    ) -> bool {
        let now = self.advance(wall);
        if !self.run_is_open(seq) {
            return false;
        }
        self.open_log(seq);
        self.alive(seq, now);
        let Some((progress, message_len)) = progress else {
            self.log_entry(seq, Kind::<H>::Heartbeat, ENTRY_COST, now);
            self.journal_output(seq, now);
            return true;
        };
        if let Some(task) = self.table.get_mut(seq) {
            task.updated_at = task.updated_at.max(now);
        }
        let weight = ENTRY_COST.saturating_add(message_len);
        self.log_entry(seq, Kind::<H>::Progress(progress), weight, now);
        self.journal_task(seq);
        self.event(seq, |id| crate::engine::Event::Progress {
            id,
            progress: progress.clone(),
        });
        true
    }
}

/// What a task's log is made from while it has none: its first status,
/// whether its runner started at its creation, its status and its times.
#[derive(Clone, Copy)]
pub(in crate::engine) struct Times {
    first: Status,
    started: bool,
    created: u64,
    status: Status,
    updated: u64,
}

impl Times {
    pub(in crate::engine) fn of(task: &crate::engine::Task) -> Self {
        Times {
            first: if task.agent != 0 {
                Status::Queued
            } else {
                Status::Running
            },
            started: task.started_at_creation(),
            created: task.created_at,
            status: task.status,
            updated: task.updated_at,
        }
    }
}
