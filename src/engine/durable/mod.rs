//! See README.md beside this file.
pub(in crate::engine) mod inbox;
pub(in crate::engine) mod journal;
pub(in crate::engine) mod restore;

pub use inbox::{Notice, NoticeState};
pub use journal::Changes;
pub use restore::{Restored, RestoredNotice, StoredLog};

use crate::engine::prelude::*;
use crate::engine::{Config, Host};
use alloc::collections::BinaryHeap;

/// `items` in order. A heap sort: the heap is here anyway, and the slice
/// sorts would add about 20 KB of code to the wasm for lists this rare
/// (loading a store, listing pending notifications).
pub(in crate::engine) fn sorted<T: Ord>(items: Vec<T>) -> Vec<T> {
    BinaryHeap::from(items).into_sorted_vec()
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
