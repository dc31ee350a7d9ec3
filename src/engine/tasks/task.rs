use crate::engine::prelude::*;
use crate::engine::tasks::extras::Extra;
use crate::engine::{Output, Status, Stream};

/// The work behind a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Created with `createTask`: someone outside drives it.
    External,
    /// Launched, waiting in the queue for a slot.
    Waiting,
    /// Its runner is running and holds a slot.
    Live,
    /// Its runner was signalled to stop and has until its grace period
    /// ends (a queued `Deadline::Grace`) to do so; it still holds its slot.
    Cancelling,
    /// Launched, and now final: its slot is free, its runner ignored.
    Ended,
}

impl Run {
    pub fn holds_slot(self) -> bool {
        matches!(self, Run::Live | Run::Cancelling)
    }
}

/// What a final task ended with. The values themselves (the result, the
/// message) are the host's: they live in its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    None,
    Result,
    Error,
}

/// One task as the engine keeps it: numbers only, 32 bytes, kept inline in
/// the table. Its creation number (`seq`), the key of every index, is where
/// the table keeps it; its id, options, result, message and output text are
/// in the host's store under that seq.
#[derive(Debug)]
pub struct Task {
    /// Milliseconds since the epoch, from the injected clock.
    pub created_at: u64,
    /// Never below `created_at`, never decreasing.
    pub updated_at: u64,
    /// What few tasks have, in one box made on first need: lengths and
    /// cursor of the output and of the log, and parents, children and
    /// idempotency keys (`extras.rs`).
    pub more: Option<Box<More>>,
    /// The interned session id (see `Engine::session_name`).
    pub session: u32,
    /// The interned agent of a launched task, plus one; 0 for a task made by
    /// `createTask`.
    pub agent: u32,
    pub status: Status,
    pub run: Run,
    pub outcome: Outcome,
    /// A launched task's restart byte: bit 7 set when it was launched with
    /// `resume: true`; bit 6 set when its runner started at the moment it
    /// was created (its log's `running` entry is then made from its times,
    /// see `Engine::open_log`); the low six bits count the runs after the
    /// first one (saturating), so `attempt()` is 1 on the first run.
    pub restart: u8,
}

impl Task {
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }

    pub fn is_launched(&self) -> bool {
        self.agent != 0
    }

    /// When it next changes by itself: its TTL expiry while live, its
    /// eviction once final. The clock never goes back, so a task's last
    /// update is the moment it became final.
    pub fn deadline(&self, ttl: u64) -> u64 {
        let from = if self.is_final() {
            self.updated_at
        } else {
            self.created_at
        };
        from.saturating_add(ttl)
    }

    /// Everything ever written: the cursor after the last write.
    pub fn cursor(&self) -> u64 {
        self.output().map_or(0, |o| o.cursor())
    }

    /// Whether a restart queues it again instead of interrupting it.
    pub fn resumes(&self) -> bool {
        self.restart & RESUME != 0
    }

    /// Which run of its runner this is: 1, then one more after each restart
    /// that queued it again.
    pub fn attempt(&self) -> u32 {
        u32::from(self.restart & RUNS) + 1
    }

    /// Counts one more run (saturating at 64).
    pub fn count_attempt(&mut self) {
        if self.restart & RUNS < RUNS {
            self.restart += 1;
        }
    }

    /// Whether its runner started the moment it was created.
    pub fn started_at_creation(&self) -> bool {
        self.restart & STARTED != 0
    }

    /// Units of output dropped by cuts.
    pub fn dropped(&self) -> u64 {
        self.output().map_or(0, |o| o.dropped())
    }

    /// The output's lengths, once anything was logged beyond the status.
    pub fn output(&self) -> Option<&Output> {
        self.stream().map(|s| &s.output)
    }

    /// Lengths and cursor of the output and of the log, made on the first
    /// entry beyond the ones every task has (`Engine::open_log`).
    pub fn stream(&self) -> Option<&Stream> {
        self.more.as_ref()?.stream.as_ref()
    }

    pub fn stream_mut(&mut self) -> Option<&mut Stream> {
        self.more.as_mut()?.stream.as_mut()
    }

    /// Its parent, children, idempotency key, once it has any.
    pub fn extra(&self) -> Option<&Extra> {
        self.more.as_ref().map(|m| &m.extra)
    }

    pub fn extra_mut(&mut self) -> Option<&mut Extra> {
        self.more.as_mut().map(|m| &mut m.extra)
    }

    /// Its extras, made empty first if it has none.
    pub fn make_extra(&mut self) -> &mut Extra {
        &mut self.more.get_or_insert_with(Default::default).extra
    }

    /// The seq of the newest log entry: what `Engine::open_log` would
    /// make for a task without a stream (its first status, then its final
    /// one), else the log's.
    pub fn log_last(&self) -> u64 {
        match self.stream() {
            Some(s) => s.log.last(),
            None => 1 + u64::from(self.started_at_creation()) + u64::from(self.is_final()),
        }
    }
}

/// A task's rarely-present parts, boxed together (see `Task::more`).
#[derive(Debug, Default)]
pub struct More {
    pub stream: Option<Stream>,
    pub extra: Extra,
}

/// The restart byte's resume bit.
pub const RESUME: u8 = 0x80;
/// The restart byte's bit for a runner started at the task's creation.
pub const STARTED: u8 = 0x40;
/// The restart byte's count of runs after the first.
pub const RUNS: u8 = 0x3f;

// Kept at 32 bytes on wasm32: a task's size is most of its memory.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(core::mem::size_of::<Option<Task>>() <= 32);

/// A task with its creation number, as the table hands them out.
#[derive(Debug)]
pub struct TaskRef<'a> {
    seq: u64,
    task: &'a Task,
}

impl Clone for TaskRef<'_> {
    fn clone(&self) -> Self {
        *self
    }
}

impl Copy for TaskRef<'_> {}

impl<'a> TaskRef<'a> {
    pub(crate) fn new(seq: u64, task: &'a Task) -> Self {
        TaskRef { seq, task }
    }

    /// Its creation number: the order tasks are listed in.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn task(&self) -> &'a Task {
        self.task
    }
}

impl core::ops::Deref for TaskRef<'_> {
    type Target = Task;

    fn deref(&self) -> &Task {
        self.task
    }
}
