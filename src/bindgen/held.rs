//! The user promises being awaited (held by `calls.js`'s `hold`), kept so
//! that they can be let go when their answer no longer matters: the poll in
//! flight, and `sendMessage` answers, which only get reported.
use std::collections::VecDeque;

use js_sys::Promise;

/// Promises whose answers are only reported, never waited for by a task
/// (`sendMessage`'s): the most kept at once; past it the oldest is let go.
const MAX_SENDS: usize = 1024;

/// Held promises not yet settled, by a number of their own.
#[derive(Default)]
pub struct Pending {
    /// Oldest first; few at a time in practice (a send settles quickly).
    sends: VecDeque<(u64, Promise)>,
    /// The poll in flight.
    poll: Option<(u64, Promise)>,
    next: u64,
}

impl Pending {
    pub fn add_send(&mut self, held: Promise) -> (u64, Option<Promise>) {
        self.next += 1;
        self.sends.push_back((self.next, held));
        let evicted = (self.sends.len() > MAX_SENDS)
            .then(|| self.sends.pop_front().map(|(_, p)| p))
            .flatten();
        (self.next, evicted)
    }

    pub fn settled_send(&mut self, id: u64) {
        if let Some(i) = self.sends.iter().position(|(other, _)| *other == id) {
            self.sends.remove(i);
        }
    }

    /// Every held promise, taken to be let go (`cleanup()`).
    pub fn take_all(&mut self) -> Vec<Promise> {
        let mut all: Vec<Promise> = std::mem::take(&mut self.sends)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        all.extend(self.poll.take().map(|(_, p)| p));
        all
    }

    /// Holds a new poll; returns the one before it, to let go of, and the
    /// new one's number.
    pub fn set_poll(&mut self, held: Promise) -> (Option<Promise>, u64) {
        self.next += 1;
        let previous = self.poll.replace((self.next, held)).map(|(_, p)| p);
        (previous, self.next)
    }

    /// Poll `id` settled: forget it, unless a newer one replaced it.
    pub fn settled_poll(&mut self, id: u64) {
        if self
            .poll
            .as_ref()
            .is_some_and(|(current, _)| *current == id)
        {
            self.poll = None;
        }
    }

    /// The poll in flight, taken to be let go (a new poll, a new session).
    pub fn take_poll(&mut self) -> Option<Promise> {
        self.poll.take().map(|(_, p)| p)
    }
}
