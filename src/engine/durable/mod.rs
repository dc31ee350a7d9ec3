//! See README.md beside this file.
pub(in crate::engine) mod inbox;
pub(in crate::engine) mod journal;
pub(in crate::engine) mod restore;

pub use inbox::{Notice, NoticeState};
pub use journal::Changes;
pub use restore::{Restored, RestoredNotice, StoredLog};

use crate::engine::prelude::*;
use crate::engine::{Config, Host, InboxConfig};
use alloc::collections::BinaryHeap;

/// `items` in order. A heap sort: the heap is here anyway, and the slice
/// sorts would add about 20 KB of code to the wasm for lists this rare
/// (loading a store, listing pending notifications).
pub(in crate::engine) fn sorted<T: Ord>(items: Vec<T>) -> Vec<T> {
    BinaryHeap::from(items).into_sorted_vec()
}

/// The durable build's part of the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurableConfig {
    /// Whether a durable store keeps the tasks: then the engine journals
    /// every change for the host to write (`durable/journal.rs`).
    pub store: bool,
    /// How long output written to a live task may wait before it is saved:
    /// a stream is written at most this often per task, not per chunk.
    pub output_save_every: u64,
    /// Notifications kept until delivered, retried and maybe batched
    /// (`durable/inbox.rs`); `None`: each is sent once, as it happens
    /// (SPEC §5).
    pub inbox: Option<InboxConfig>,
}

impl Default for DurableConfig {
    fn default() -> Self {
        DurableConfig {
            store: false,
            output_save_every: 250,
            inbox: None,
        }
    }
}

/// The durable build's state in the engine: its one field there.
pub(in crate::engine) struct Durable<H: Host> {
    /// What a durable store must still write; `None` without one.
    journal: Option<journal::Journal<H>>,
    /// Notifications until delivered, when `Config::inbox` asks for it.
    inbox: inbox::Inbox<H>,
    /// Set while a store is being loaded: nothing is scheduled until the
    /// restored tasks are sorted out.
    restoring: bool,
}

impl<H: Host> Durable<H> {
    pub(in crate::engine) fn new(config: &Config) -> Self {
        Durable {
            journal: config.durable.store.then(Default::default),
            inbox: Default::default(),
            restoring: false,
        }
    }
}
