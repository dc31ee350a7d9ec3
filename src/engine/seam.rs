//! Where the durable build plugs into the engine, and the only place the
//! engine's operations meet it. The operations call these hooks as changes
//! happen; `durable/` implements them for `Engine` (the journal of what a
//! store must write, the inbox of notifications kept until delivered, the
//! load of a store). Without the `durable` feature the defaults below are
//! the whole behaviour: nothing is journalled, nothing is loading, and each
//! notification is sent once as it happens (SPEC §5), so the default build
//! carries none of the durable code.
use super::{Host, Status};

/// What a durable store must write (`durable/journal.rs`).
pub(in crate::engine) trait JournalHooks {
    /// Task `seq`'s record changed.
    fn journal_task(&mut self, _seq: u64) {}
    /// Task `seq`'s output grew (saved with its next change, or once
    /// `output_save_every` has passed).
    fn journal_output(&mut self, _seq: u64, _now: u64) {}
    /// Entry `n` of task `seq`'s log was numbered (its reservation of seqs
    /// may need renewing).
    fn journal_log(&mut self, _seq: u64, _n: u64) {}
    /// Task `seq` is about to leave the table.
    fn journal_evicted(&mut self, _seq: u64) {}
    /// The `SaveOutput` deadline came: waiting output goes with the next
    /// write.
    fn save_output_now(&mut self) {}
    /// Whether output waits to be saved (so a timer must run).
    fn output_waits(&self) -> bool {
        false
    }
}

/// Notifications kept until delivered (`durable/inbox.rs`).
pub(in crate::engine) trait InboxHooks<H: Host> {
    /// Files the notification of a transition in the inbox if the config
    /// asks for one; false: the caller sends it as an `Effect::Notify`.
    fn notify_via_inbox(&mut self, _task: &H::Id, _status: Status, _at: u64, _now: u64) -> bool {
        false
    }
    /// The session with interned id `index` became current.
    fn inbox_attach(&mut self, _index: u32, _handle: H::Session, _now: u64) {}
    /// The `Inbox` deadline: retries and batches that came due.
    fn pump_all(&mut self, _now: u64) {}
    /// Whether the inbox needs the deadline timer.
    fn inbox_timed(&self) -> bool {
        false
    }
    /// Forgets every notification (cleanup).
    fn inbox_clear(&mut self) {}
    /// Counts the session ids the inbox holds, one per notification (for
    /// the invariants' check of `Names` references).
    fn count_inbox_sessions(&self, _count: &mut dyn FnMut(u32)) {}
}

/// Loading a store (`durable/restore.rs`).
pub(in crate::engine) trait LoadHooks {
    /// Whether a store is being loaded: nothing is scheduled meanwhile.
    fn is_restoring(&self) -> bool {
        false
    }
}

#[cfg(not(feature = "durable"))]
mod volatile {
    use crate::engine::{Engine, Host};

    impl<H: Host> super::JournalHooks for Engine<H> {}
    impl<H: Host> super::InboxHooks<H> for Engine<H> {}
    impl<H: Host> super::LoadHooks for Engine<H> {}
}
