//! The engine's rules of forwarded calls (`engine::sharing::forward`) for
//! `shared.js`, which sends the messages, keeps each call's promise and
//! arms one timer at `nextDue()`. Times are this side's monotonic ms
//! (`performance.now()`); call numbers are the engine's.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::lease::ms;
use crate::bindgen::protocol::Settled;
use crate::engine::sharing::forward::{Forwarder, Settle};

#[wasm_bindgen(skip_typescript)]
pub struct ForwardRules(RefCell<Forwarder>);

impl ForwardRules {
    pub fn new(timeout: u64) -> Self {
        ForwardRules(RefCell::new(Forwarder::new(timeout)))
    }
}

fn numbers(ids: Vec<u64>) -> Box<[f64]> {
    ids.into_iter().map(|id| id as f64).collect()
}

#[wasm_bindgen]
impl ForwardRules {
    /// A new call's number; it is to be sent now if an owner is known (the
    /// host knows which: the one it last told `ownerIs`).
    pub fn call(&self, now: f64, made: bool) -> f64 {
        self.0.borrow_mut().call(ms(now), made).0 as f64
    }

    /// The lookup settling a creation answered with `2` by `answered`.
    #[wasm_bindgen(js_name = lookUp)]
    pub fn look_up(&self, now: f64) -> f64 {
        self.0.borrow_mut().look_up(ms(now)).0 as f64
    }

    /// The owner is `owner`: the calls to send to it.
    #[wasm_bindgen(js_name = ownerIs)]
    pub fn owner_is(&self, now: f64, owner: &str) -> Box<[f64]> {
        numbers(self.0.borrow_mut().owner_is(ms(now), owner))
    }

    #[wasm_bindgen(js_name = ownerGone)]
    pub fn owner_gone(&self) {
        self.0.borrow_mut().owner_gone();
    }

    pub fn acked(&self, id: f64, by: &str) {
        self.0.borrow_mut().acked(id as u64, by);
    }

    /// How to settle call `id`, its answer come (`protocol::Settled`).
    pub fn answered(&self, id: f64, duplicate: bool) -> u8 {
        let how = match self.0.borrow_mut().answered(id as u64, duplicate) {
            None => Settled::Already,
            Some(Settle::Answer) => Settled::Answer,
            Some(Settle::LookUp) => Settled::LookUp,
        };
        how as u8
    }

    #[wasm_bindgen(js_name = takeAll)]
    pub fn take_all(&self) -> Box<[f64]> {
        numbers(self.0.borrow_mut().take_all())
    }

    pub fn due(&self, now: f64) -> Box<[f64]> {
        numbers(self.0.borrow_mut().due(ms(now)))
    }

    /// When the next call is refused unless taken; -1 when none waits.
    #[wasm_bindgen(js_name = nextDue)]
    pub fn next_due(&self) -> f64 {
        self.0.borrow_mut().next_due().map_or(-1.0, |t| t as f64)
    }

    pub fn abort(&self, id: f64) -> bool {
        self.0.borrow_mut().abort(id as u64)
    }

    pub fn clear(&self) -> Box<[f64]> {
        numbers(self.0.borrow_mut().clear())
    }
}
