//! Every promise user code hands back is awaited here, as a `JsFuture` in
//! `spawn_local`: a runner's result, a `getStatus` answer, a `sendMessage`
//! that returned a promise, a foreground `callAgent`. Each is first made a
//! fresh native promise by `calls.js`'s `hold` (so no `then` of the user's
//! runs here) that the manager can let go of (`release`) once the answer no
//! longer matters: a run that ended, an abandoned poll, cleanup. Letting go
//! settles the held promise, so its future finishes and frees what it held
//! even when the user's promise never settles.
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::Promise;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::driver::{self, Inner, Shared};
use super::{errors, glue};
use crate::engine::PollToken;

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
    fn add_send(&mut self, held: Promise) -> (u64, Option<Promise>) {
        self.next += 1;
        self.sends.push_back((self.next, held));
        let evicted = (self.sends.len() > MAX_SENDS)
            .then(|| self.sends.pop_front().map(|(_, p)| p))
            .flatten();
        (self.next, evicted)
    }

    fn settled_send(&mut self, id: u64) {
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

    /// The poll in flight, taken to be let go (a new poll, a new session).
    pub fn take_poll(&mut self) -> Option<Promise> {
        self.poll.take().map(|(_, p)| p)
    }
}

/// Lets go of held promises. Call with the state released: settling them
/// runs nothing now (their reactions are jobs), but keeps the rule simple.
pub fn release_all(held: impl IntoIterator<Item = Promise>) {
    for p in held {
        glue::release(&p);
    }
}

/// Reports a rejection of what `sendMessage` returned.
pub fn watch_send(shared: &Shared, held: Promise) {
    let Some((id, evicted)) = driver::with_state(shared, |st| st.pending.add_send(held.clone()))
    else {
        glue::release(&held);
        return;
    };
    release_all(evicted);
    let weak = Rc::downgrade(shared);
    spawn_local(async move {
        if let Err(error) = JsFuture::from(held).await {
            glue::report("session.sendMessage", &error);
        }
        if let Some(shared) = weak.upgrade() {
            driver::with_state(&shared, |st| st.pending.settled_send(id));
        }
    });
}

/// Awaits a poll's answer and hands it to the engine; lets go of the poll
/// before it, which the engine has abandoned.
pub fn watch_poll(shared: &Shared, token: PollToken, held: Promise) {
    let previous = driver::with_state(shared, |st| {
        st.pending.next += 1;
        let id = st.pending.next;
        (st.pending.poll.replace((id, held.clone())), id)
    });
    let Some((previous, id)) = previous else {
        glue::release(&held);
        return;
    };
    release_all(previous.map(|(_, p)| p));
    let weak = Rc::downgrade(shared);
    spawn_local(async move {
        let answer = JsFuture::from(held).await;
        let Some(shared) = weak.upgrade() else { return };
        driver::with_state(&shared, |st| {
            if st
                .pending
                .poll
                .as_ref()
                .is_some_and(|(current, _)| *current == id)
            {
                st.pending.poll = None;
            }
        });
        let status = match answer {
            Ok(value) if glue::is_abandoned(&value) => return,
            Ok(value) => value.as_string(),
            Err(error) => {
                glue::report("session.getStatus", &error);
                None
            }
        };
        let _ = driver::run(&shared, |st, now| {
            st.engine.finish_poll(token, status.as_deref(), now)
        });
    });
}

/// Awaits the outcome of task `seq`'s runner and hands it to the engine.
/// Once the task ends otherwise, `closeRun` lets go of `done` and this ends.
pub fn watch_run(weak: Weak<Inner>, seq: u64, done: Promise) {
    spawn_local(async move {
        let outcome = match JsFuture::from(done).await {
            Ok(value) if glue::is_abandoned(&value) => return,
            Ok(value) => Ok(value),
            Err(error) => Err(glue::error_text(&error)),
        };
        if let Some(shared) = weak.upgrade() {
            let _ = driver::run(&shared, |st, now| {
                st.runs.remove(&seq);
                st.engine.run_settled(seq, outcome, now)
            });
        }
    });
}

/// A foreground `callAgent`: the promise of the runner's outcome. Cleanup
/// aborts the run and lets go of it: the call then rejects `DISPOSED`.
pub fn foreground(weak: Weak<Inner>, id: u64, done: Promise) -> Promise {
    future_to_promise(async move {
        let outcome = JsFuture::from(done).await;
        if let Some(shared) = weak.upgrade() {
            driver::with_state(&shared, |st| st.foreground.remove(&id));
        }
        match outcome {
            Ok(value) if glue::is_abandoned(&value) => Err(errors::disposed_call()),
            other => other,
        }
    })
}
