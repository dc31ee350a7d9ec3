//! What the skin keeps about a durable store's writes, in the state
//! (`driver::State::persist`); `persist.rs` does the loading and writing.
use wasm_bindgen::JsValue;

use super::store::Js;
use super::timers;
use crate::engine::Changes;

pub struct Persist {
    /// The store (`durable.js`).
    pub store: JsValue,
    /// Whether `initialize` has loaded it; nothing is written before.
    pub loaded: bool,
    /// A write is in flight: the next waits for it, so writes land in order.
    pub writing: bool,
    /// What to write once the one in flight is done (cleanup's last write).
    pub queued: Option<(JsValue, Changes<Js>, Vec<JsValue>)>,
    /// Calls waiting for the write of the changes not taken yet, and for
    /// the write in flight.
    pub next: Vec<JsValue>,
    pub current: Vec<JsValue>,
    /// Writes failed in a row, and the retry timer after the last.
    pub failures: u32,
    pub retry: Option<timers::Later>,
}

impl Persist {
    pub fn new(store: JsValue) -> Self {
        Persist {
            store,
            loaded: false,
            writing: false,
            queued: None,
            next: Vec::new(),
            current: Vec::new(),
            failures: 0,
            retry: None,
        }
    }
}
