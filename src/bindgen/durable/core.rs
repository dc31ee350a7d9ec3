//! The core's methods that only the durable build has: what a shared
//! manager's facade asks of its core (`shared.js`: the session check, the
//! name, the KV store, the lease and forwarding rules), the write a
//! changing call's answer waits for, and the inbox's pending
//! notifications.
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::forward::ForwardRules;
use super::lease::LeaseRules;
use super::options::Shared;
use super::persist;
use super::records::PendingRecord;
use crate::bindgen::args;
use crate::bindgen::core::Core;
use crate::bindgen::driver;
use crate::bindgen::errors::type_error;
use crate::bindgen::imports;
use crate::bindgen::records::to_js;
use crate::engine::NoticeState;

/// What a durable build's core keeps besides the state.
pub struct CoreDurable {
    /// Whether a durable store keeps the tasks (fixed at construction).
    pub keeps: bool,
    /// `options.shared`, as checked.
    pub shared: Shared,
}

impl Core {
    /// With a durable store: `value` (called `what`) must be storable, so
    /// that no transition of the task can be lost to it. Reads user values:
    /// call with no state borrowed.
    pub(crate) fn storable(&self, value: &JsValue, what: &str) -> Result<(), JsValue> {
        if !self.durable.keeps {
            return Ok(());
        }
        let why = imports::durable::unstorable(value, what);
        if why.is_empty() {
            return Ok(());
        }
        Err(type_error(&format!(
            "{why}: a manager with a store keeps {what} in it, so it must be plain data (objects, arrays, strings, numbers, booleans, null, Dates)"
        )))
    }
}

#[wasm_bindgen(js_class = Core)]
impl Core {
    /// `initialize`'s check of `session`, for a tab of a shared manager:
    /// its core takes the session only once the tab owns the manager.
    #[wasm_bindgen(js_name = checkSession)]
    pub fn check_session(&self, session: JsValue) -> Result<(), JsValue> {
        args::session(&session).map(|_| ())
    }

    /// Whether a durable store keeps the tasks: the facade then chains the
    /// answers of changing calls to `written()`.
    pub fn durable(&self) -> bool {
        self.durable.keeps
    }

    /// `options.shared` as the core checked it, or undefined.
    pub fn shared(&self) -> JsValue {
        self.durable.shared.name.clone()
    }

    /// With `options.shared` on a KV store, its `Deno.Kv`; else undefined.
    #[wasm_bindgen(js_name = sharedKv)]
    pub fn shared_kv(&self) -> JsValue {
        self.durable.shared.kv.clone()
    }

    /// Fresh lease rules for this process, of `sharedLease`'s term.
    pub fn lease(&self) -> JsValue {
        LeaseRules::new(self.durable.shared.lease).into()
    }

    /// Fresh rules for the calls this side forwards to the owner: refused
    /// `NO_OWNER` after `timeout` ms untaken.
    pub fn forward(&self, timeout: f64) -> JsValue {
        ForwardRules::new(timeout.max(0.0) as u64).into()
    }

    /// With a durable store: the promise of the write that holds every
    /// change made so far (the facade chains a changing call's answer to
    /// it); undefined when there is nothing to wait for.
    pub fn written(&self) -> Option<Promise> {
        persist::written(&self.shared)
    }

    /// The notifications not delivered yet, in the order they were made.
    #[wasm_bindgen(js_name = getPendingNotifications)]
    pub fn get_pending_notifications(&self) -> Result<JsValue, JsValue> {
        driver::run(&self.shared, |st, now| {
            st.engine.advance(now);
            let list: Array = st
                .engine
                .pending_notices()
                .into_iter()
                .map(|n| {
                    to_js(&PendingRecord {
                        notification_id: n.id.clone(),
                        task_id: n.task.clone(),
                        session_id: st.view.session_id(n.session),
                        status: n.status.as_str(),
                        timestamp: n.timestamp as f64,
                        attempts: n.attempts,
                        state: match n.state {
                            NoticeState::Unsaved => "unsaved",
                            NoticeState::Ready => "ready",
                            NoticeState::Sending { .. } => "sending",
                            NoticeState::Waiting { .. } => "waiting",
                            NoticeState::Parked => "parked",
                        },
                    })
                })
                .collect();
            list.into()
        })
    }
}
