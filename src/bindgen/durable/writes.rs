//! What the skin keeps about a durable store's writes, in the state
//! (`driver::State::persist`); `persist.rs` does the loading and writing.
use std::collections::VecDeque;

use wasm_bindgen::JsValue;

use crate::bindgen::store::Js;
use crate::bindgen::timers;
use crate::engine::Changes;

pub struct Persist {
    /// The store (`durable.js`).
    pub store: JsValue,
    /// Whether `initialize` has loaded it; nothing is written before.
    pub loaded: bool,
    /// The load in flight (`durable.js`'s promise), which an `initialize`
    /// called meanwhile waits for instead of loading again.
    pub loading: Option<js_sys::Promise>,
    /// Counts cleanups: a load that a cleanup overtook initializes nothing.
    pub generation: u32,
    /// A write is in flight: the next waits for it, so writes land in order.
    pub writing: bool,
    /// What to write once the one in flight is done (cleanup's last write).
    pub queued: VecDeque<(JsValue, Changes<Js>, Vec<JsValue>)>,
    /// Calls waiting for the write of the changes not taken yet, and for
    /// the write in flight.
    pub next: Vec<JsValue>,
    pub current: Vec<JsValue>,
    /// Writes failed in a row, and the retry timer after the last.
    pub failures: u32,
    pub retry: Option<timers::durable::Later>,
}

impl Persist {
    pub fn new(store: JsValue) -> Self {
        Persist {
            store,
            loaded: false,
            loading: None,
            generation: 0,
            writing: false,
            queued: VecDeque::new(),
            next: Vec::new(),
            current: Vec::new(),
            failures: 0,
            retry: None,
        }
    }
}
