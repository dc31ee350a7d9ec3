//! The engine's host types on the JS side: every value is a `JsValue` the
//! engine passes on without reading, kept in `view.js` (see `store.rs`).
use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::store::JsStore;
use crate::engine::Host;

pub struct Js;

impl Host for Js {
    type Id = JsValue;
    type Payload = JsValue;
    type Text = JsValue;
    type Waiter = Waiter;
    /// Shared, so that each notification's copy costs no boundary call.
    type Session = Rc<JsValue>;
    type Snapshot = JsValue;
    type Store = JsStore;
}

/// A pending promise (`calls.js`'s `deferred`), and the task's id as the JS
/// string its answer carries.
pub struct Waiter {
    pub deferred: JsValue,
    pub id: JsValue,
}
