//! The engine's lease rules (`engine::sharing::lease`) for `kv_link.js`, which reads
//! and writes the lease records of a manager shared on a KV store and asks
//! these rules what to do. Times are the process's own monotonic ms
//! (`performance.now()`); no other process's clock is ever read.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::engine::sharing::lease::{Lease, LeaseStep};

/// `read`'s answers other than a time to read again at.
const TAKE: f64 = -1.0;
const RENEW: f64 = -2.0;

#[wasm_bindgen(skip_typescript)]
pub struct LeaseRules(RefCell<Lease>);

impl LeaseRules {
    pub fn new(term: u64) -> Self {
        LeaseRules(RefCell::new(Lease::new(term)))
    }
}

/// A time from JS as whole ms (a negative or NaN one as 0).
pub(super) fn ms(t: f64) -> u64 {
    t.max(0.0) as u64
}

#[wasm_bindgen]
impl LeaseRules {
    pub fn term(&self) -> f64 {
        self.0.borrow().term() as f64
    }

    /// The lease record read at `now`: its versionstamp (undefined: none)
    /// and whether this process wrote it. -1: take it; -2: renew it; else
    /// the time to read again at.
    pub fn read(&self, now: f64, version: Option<String>, mine: bool) -> f64 {
        match self.0.borrow_mut().read(ms(now), version.as_deref(), mine) {
            LeaseStep::Wait(at) => at as f64,
            LeaseStep::Take => TAKE,
            LeaseStep::Renew => RENEW,
        }
    }

    pub fn took(&self, sent: f64, ok: bool) {
        self.0.borrow_mut().took(ms(sent), ok);
    }

    pub fn renewed(&self, sent: f64, ok: bool) {
        self.0.borrow_mut().renewed(ms(sent), ok);
    }

    #[wasm_bindgen(js_name = dropHeld)]
    pub fn drop_held(&self) {
        self.0.borrow_mut().drop_held();
    }

    pub fn acting(&self, now: f64) -> bool {
        self.0.borrow().acting(ms(now))
    }

    /// When this process must stop acting unless a renewal comes back; -1
    /// when it does not hold the lease.
    pub fn until(&self) -> f64 {
        self.0.borrow().until().map_or(-1.0, |t| t as f64)
    }
}
