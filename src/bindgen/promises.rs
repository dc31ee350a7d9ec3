//! Every promise user code hands back is awaited here, as a `JsFuture` in
//! `spawn_local`: a runner's result, a `getStatus` answer, a `sendMessage`
//! that returned a promise, a foreground `callAgent`. Each is first made a
//! fresh native promise by `calls.js`'s `hold` (so no `then` of the user's
//! runs here) that the manager can let go of (`release`) once the answer no
//! longer matters: a run that ended, an abandoned poll, cleanup. Letting go
//! settles the held promise, so its future finishes and frees what it held
//! even when the user's promise never settles.
use std::rc::{Rc, Weak};

use js_sys::Promise;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::driver::{self, Inner, Shared};
use super::{errors, imports};
use crate::engine::{PollToken, RetryHint};

/// Lets go of held promises. Call with the state released: settling them
/// runs nothing now (their reactions are jobs), but keeps the rule simple.
pub fn release_all(held: impl IntoIterator<Item = Promise>) {
    for p in held {
        imports::release(&p);
    }
}

/// Keeps what a `sendMessage` returned among the promises cleanup lets go
/// of; its number there, or `None` (then it is let go already).
fn hold_send(shared: &Shared, held: &Promise) -> Option<u64> {
    let Some((id, evicted)) = driver::with_state(shared, |st| st.pending.add_send(held.clone()))
    else {
        imports::release(held);
        return None;
    };
    release_all(evicted);
    Some(id)
}

/// Reports a rejection of what `sendMessage` returned.
pub fn watch_send(shared: &Shared, held: Promise) {
    let Some(id) = hold_send(shared, &held) else {
        return;
    };
    let weak = Rc::downgrade(shared);
    spawn_local(async move {
        if let Err(error) = JsFuture::from(held).await {
            imports::report("session.sendMessage", &error);
        }
        if let Some(shared) = weak.upgrade() {
            driver::with_state(&shared, |st| st.pending.settled_send(id));
        }
    });
}

/// Awaits a poll's answer and hands it to the engine; lets go of the poll
/// before it, which the engine has abandoned.
pub fn watch_poll(shared: &Shared, token: PollToken, held: Promise) {
    let previous = driver::with_state(shared, |st| st.pending.set_poll(held.clone()));
    let Some((previous, id)) = previous else {
        imports::release(&held);
        return;
    };
    release_all(previous);
    let weak = Rc::downgrade(shared);
    spawn_local(async move {
        let answer = JsFuture::from(held).await;
        let Some(shared) = weak.upgrade() else { return };
        driver::with_state(&shared, |st| st.pending.settled_poll(id));
        let status = match answer {
            Ok(value) if imports::is_abandoned(&value) => return,
            Ok(value) => value.as_string(),
            Err(error) => {
                imports::report("session.getStatus", &error);
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
            Ok(value) if imports::is_abandoned(&value) => return,
            Ok(value) => Ok(value),
            Err(error) => Err((imports::error_text(&error), imports::retry_hint(&error))),
        };
        if let Some(shared) = weak.upgrade() {
            // The run stays in the view: the engine's `Reply` (a question
            // still open ends) and `Close` for it reach it through there.
            let _ = driver::run(&shared, |st, now| {
                match outcome {
                    Ok(value) => st.engine.run_settled(seq, Ok(value), now),
                    // Its task's retry rule, if any, decides (`retries.rs`).
                    Err((message, hint)) => {
                        let hint = RetryHint {
                            retryable: hint != -2.0,
                            after: (hint >= 0.0).then_some(hint as u64),
                        };
                        st.engine.run_failed(seq, message, hint, now)
                    }
                }
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
            driver::with_state(&shared, |st| {
                if let Some(at) = st.foreground.iter().position(|(other, _)| *other == id) {
                    st.foreground.swap_remove(at);
                }
            });
        }
        match outcome {
            Ok(value) if imports::is_abandoned(&value) => Err(errors::disposed_call()),
            other => other,
        }
    })
}

/// The durable build's waits: on its own promises (a store's load or
/// write), and on the inbox's sends.
#[cfg(feature = "durable")]
pub mod durable {
    use std::rc::Rc;

    use js_sys::Promise;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

    use super::hold_send;
    use crate::bindgen::driver::{self, Shared};
    use crate::bindgen::{errors, imports};

    /// Awaits `held` (one of our own promises: a store's load or write) and
    /// hands its outcome to `then`, unless the manager is gone by then.
    pub fn await_then(
        shared: &Shared,
        held: Promise,
        then: impl FnOnce(&Shared, Result<JsValue, JsValue>) + 'static,
    ) {
        let weak = Rc::downgrade(shared);
        spawn_local(async move {
            let outcome = JsFuture::from(held).await;
            if let Some(shared) = weak.upgrade() {
                then(&shared, outcome);
            }
        });
    }

    /// `await_then` as a promise of what `then` answers (`initialize`'s load).
    pub fn promise_then(
        shared: &Shared,
        held: Promise,
        then: impl FnOnce(&Shared, Result<JsValue, JsValue>) -> Result<JsValue, JsValue> + 'static,
    ) -> Promise {
        let weak = Rc::downgrade(shared);
        future_to_promise(async move {
            let outcome = JsFuture::from(held).await;
            match weak.upgrade() {
                Some(shared) => then(&shared, outcome),
                None => Err(errors::disposed()),
            }
        })
    }

    /// Awaits an inbox send (`calls.js`'s `deliver`) and tells the engine how
    /// it went; the engine times out a send that never settles, and cleanup
    /// lets go of it.
    pub fn watch_delivery(shared: &Shared, send: u64, held: Promise) {
        let Some(id) = hold_send(shared, &held) else {
            return;
        };
        await_then(shared, held, move |shared, outcome| {
            driver::with_state(shared, |st| st.pending.settled_send(id));
            let ok = match outcome {
                Ok(value) if imports::is_abandoned(&value) => return,
                Ok(_) => true,
                Err(error) => {
                    imports::report("session.sendMessage", &error);
                    false
                }
            };
            let _ = driver::run(shared, |st, now| st.engine.notice_settled(send, ok, now));
        });
    }
}
