//! See README.md beside this file.
pub(in crate::engine) mod agent_session;
pub(in crate::engine) mod poll;

use crate::engine::tasks::names::Names;
use poll::Poll;

/// The current agent session: its handle and its interned id.
pub(in crate::engine) struct Session<S> {
    pub handle: S,
    /// The interned session id.
    pub index: u32,
}

/// The session concern's state: the current session, its polling, and the
/// session ids tasks hold (each task holds the id of the session it was
/// made under, so its notifications reach that session).
pub(in crate::engine) struct Sessions<S> {
    current: Option<Session<S>>,
    poll: Poll,
    /// Session ids, held by their tasks and by the current session.
    names: Names,
}

impl<S> Default for Sessions<S> {
    fn default() -> Self {
        Sessions {
            current: None,
            poll: Poll::default(),
            names: Names::default(),
        }
    }
}

impl<S> Sessions<S> {
    /// The current session, if `initialize` gave one.
    pub(in crate::engine) fn current(&self) -> Option<&Session<S>> {
        self.current.as_ref()
    }

    /// Holds session id `name` (for a task, or a loaded notification):
    /// its index, and whether it is new (the host then keeps its value).
    pub(in crate::engine) fn acquire(&mut self, name: &str) -> (u32, bool) {
        self.names.acquire(name)
    }

    /// One more holder of the session id `index`.
    pub(in crate::engine) fn retain(&mut self, index: u32) {
        self.names.retain(index);
    }

    /// One holder fewer; true when no one holds it any more (the host then
    /// drops its value).
    pub(in crate::engine) fn release(&mut self, index: u32) -> bool {
        self.names.release(index)
    }

    /// The session id that `index` stands for.
    pub(in crate::engine) fn name(&self, index: u32) -> Option<&str> {
        self.names.name(index)
    }

    /// Session ids held.
    pub(in crate::engine) fn names_held(&self) -> usize {
        self.names.len()
    }

    /// Holders of session id `index` (for the invariants' check).
    pub(in crate::engine) fn refs(&self, index: u32) -> usize {
        self.names.refs(index)
    }

    /// Forgets the session, its polling and every id (cleanup).
    pub(in crate::engine) fn clear(&mut self) {
        self.names.clear();
        self.current = None;
        self.poll.reset();
    }
}
