//! The structured records that cross the boundary: the options objects the
//! caller passes in (after `calls.js`'s `bag` has read them once into
//! arrays of plain values, so that no getter or Proxy runs here), read by
//! position; and, as serde structs that serde-wasm-bindgen converts, what
//! the manager hands out that is not the caller's own value
//! (notifications, events, getOutput's result); the durable store's
//! records are in `durable/records.rs`. Host values inside them (ids,
//! payloads, text) pass through untouched (`serde_wasm_bindgen::preserve`).
//! These two are the only files that use serde-wasm-bindgen.
use js_sys::{Array, Reflect};
use serde::{Serialize, Serializer};
use serde_wasm_bindgen::preserve;
use wasm_bindgen::{JsCast, JsValue};

// ---- in: options objects -------------------------------------------------

/// A scalar option as `bag` copied it: missing, a primitive, or a
/// description of what else it was (`null` too, so that a missing key,
/// `undefined` in `bag`'s array, is the only unit).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Scalar {
    #[default]
    Missing,
    Bool(bool),
    Num(f64),
    Str(String),
    /// Not a primitive: what it was ("an object", "a function", ...).
    Got(String),
}

/// An object of names to scalars (`agentLimits`), as bag copied it.
#[derive(Debug, Default)]
pub enum Entries {
    #[default]
    Missing,
    Pairs(Vec<(String, Scalar)>),
    Got(String),
}

/// One element of `bag`'s array as the field it holds. `bag` makes every
/// element one of the forms read here (a primitive, a `{ got }`, an array
/// of `[name, scalar]` pairs, a kept value, `undefined`), on arrays and
/// objects of its own, so no read here can run user code or throw.
pub trait Slot: Default {
    fn slot(value: JsValue) -> Self;
}

impl Slot for Scalar {
    fn slot(v: JsValue) -> Scalar {
        if v.is_undefined() {
            Scalar::Missing
        } else if let Some(b) = v.as_bool() {
            Scalar::Bool(b)
        } else if let Some(n) = v.as_f64() {
            Scalar::Num(n)
        } else if let Some(t) = v.as_string() {
            Scalar::Str(t)
        } else {
            Scalar::Got(got_of(&v))
        }
    }
}

/// What a `{ got }` says it stood for.
fn got_of(v: &JsValue) -> String {
    Reflect::get(v, &JsValue::from_str("got"))
        .ok()
        .and_then(|g| g.as_string())
        .unwrap_or_else(|| "an object".into())
}

impl Slot for Entries {
    fn slot(v: JsValue) -> Entries {
        if v.is_undefined() {
            return Entries::Missing;
        }
        match v.dyn_into::<Array>() {
            Ok(pairs) => Entries::Pairs(
                pairs
                    .iter()
                    .map(|pair| {
                        let pair: Array = pair.unchecked_into();
                        (
                            pair.get(0).as_string().unwrap_or_default(),
                            Scalar::slot(pair.get(1)),
                        )
                    })
                    .collect(),
            ),
            Err(v) => Entries::Got(got_of(&v)),
        }
    }
}

/// A value kept as given.
impl Slot for JsValue {
    fn slot(v: JsValue) -> JsValue {
        v
    }
}

/// Text `bag` wrote itself (its problem reports).
impl Slot for Option<String> {
    fn slot(v: JsValue) -> Option<String> {
        v.as_string()
    }
}

/// A record that `bag` hands over as an array: the values of its shape's
/// keys (`protocol.rs`) in order, `undefined` where a key was left out.
pub trait Record: Sized {
    fn from_array(values: &Array) -> Self;
}

/// A record read by position from `bag`'s array, so no key name is matched
/// here. The fields must be in the order of the shape's keys;
/// `protocol::send` checks it in the `check` build.
///
/// Why not serde: these records used to be read by serde-wasm-bindgen's
/// `Deserializer`, whose one type-error path formats serde's `Unexpected`,
/// and with it `f64`'s `Display` (flt2dec's Grisu and Dragon) and `str`'s
/// `Debug`: about 24 KB of the .wasm that no reading of `bag`'s well-typed
/// arrays could reach. The records the manager hands out, and the durable
/// store's, are still serde structs converted by serde-wasm-bindgen.
macro_rules! positional {
    (
        $(#[$sm:meta])*
        pub struct $name:ident { $( $(#[$m:meta])* $field:ident : $kind:ty ),* $(,)? }
    ) => {
        $(#[$sm])*
        pub struct $name { $( $(#[$m])* pub $field: $kind, )* }

        impl $name {
            /// The fields' names, in order (for the check against the shape).
            #[allow(dead_code, unused_doc_comments)]
            pub const FIELDS: &'static [&'static str] = &[$( $(#[$m])* stringify!($field), )*];
        }

        impl Record for $name {
            #[allow(unused_doc_comments, unused_assignments)]
            fn from_array(values: &Array) -> $name {
                let mut at = 0;
                $( $(#[$m])* let $field = { at += 1; <$kind as Slot>::slot(values.get(at - 1)) }; )*
                $name { $( $(#[$m])* $field, )* }
            }
        }
    };
}

positional! {
    /// `BackgroundManagerOptions`.
    pub struct ManagerOptions {
        poll_interval: Scalar,
        task_ttl: Scalar,
        runner: JsValue,
        max_concurrent: Scalar,
        agent_limits: Entries,
        /// `limits.global` and `limits.keys`, read flat.
        limits_global: Scalar,
        limits_keys: Entries,
        cancel_grace_period: Scalar,
        output_cap: Scalar,
        simulated_delay: Scalar,
        max_depth: Scalar,
        stall_after: Scalar,
        fail_after_stall: Scalar,
        #[cfg(feature = "durable")]
        store: JsValue,
        /// Read as name and scalar pairs, as `agentLimits`: the same record
        /// code serves all three.
        #[cfg(feature = "durable")]
        notify_retry: Entries,
        #[cfg(feature = "durable")]
        notify: Entries,
        /// The name the tabs of a shared manager use (`shared.js`).
        #[cfg(feature = "durable")]
        shared: JsValue,
        #[cfg(feature = "durable")]
        shared_lease: Scalar,
        #[cfg(feature = "durable")]
        store_timeout: Scalar,
    }
}

positional! {
    /// `AgentSession`: its id and its two functions, as given.
    pub struct AgentSession {
        id: JsValue,
        get_status: JsValue,
        send_message: JsValue,
    }
}

positional! {
    /// `CreateBackgroundTaskOptions`.
    pub struct CreateOptions {
        id: JsValue,
        session_id: JsValue,
        options: JsValue,
    }
}

positional! {
    /// `LaunchOptions`.
    pub struct LaunchOptions {
        agent: JsValue,
        prompt: JsValue,
        id: JsValue,
        session_id: JsValue,
        options: JsValue,
        /// Checked in both builds; only the durable one keeps it.
        resume: Scalar,
    }
}

positional! {
    /// `CancelOptions`.
    #[derive(Default)]
    pub struct CancelOptions {
        force: Scalar,
    }
}

positional! {
    /// `GetBackgroundOutputOptions`.
    #[derive(Default)]
    pub struct OutputOptions {
        wait: Scalar,
        timeout: Scalar,
        since: Scalar,
        children: Scalar,
    }
}

positional! {
    /// `callAgent`'s options, as far as the manager reads them.
    #[derive(Default)]
    pub struct CallOptions {
        background: Scalar,
    }
}

positional! {
    /// What `bag` throws, as `[got, key, threw]`: the options object was
    /// not one (`got`), or reading `key` threw (`threw`).
    #[derive(Default)]
    pub struct BagProblem {
        got: Option<String>,
        key: Option<String>,
        threw: Option<String>,
    }
}

/// `bag`'s array as its record; `None` if it is not an array.
pub fn record<T: Record>(value: JsValue) -> Option<T> {
    value.dyn_into::<Array>().ok().map(|a| T::from_array(&a))
}

// ---- out: records the manager hands out ----------------------------------

/// `getOutput`'s answer. `result` is present exactly when the task
/// completed (even if it is undefined), `error` exactly when it failed,
/// `timedOut` only when a wait ended by its timeout.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputResult {
    #[serde(with = "preserve")]
    pub task_id: JsValue,
    pub status: &'static str,
    #[serde(with = "preserve")]
    pub output: JsValue,
    pub cursor: f64,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "some")]
    pub result: Option<JsValue>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "some")]
    pub error: Option<JsValue>,
    #[serde(skip_serializing_if = "is_false")]
    pub timed_out: bool,
}

/// What `subscribe` listeners hear: `type`, `taskId`, and the fields of its
/// type (the `TaskEvent` union in `background_manager.d.ts`). One flat record, its absent
/// fields left out, rather than an enum: one serializer instead of one per
/// event type. `task` is the task as it is when the event is delivered
/// (left out once it has left the table).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEvent {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(with = "preserve")]
    pub task_id: JsValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<&'static str>,
    #[serde(skip_serializing_if = "JsValue::is_undefined", with = "preserve")]
    pub chunk: JsValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<f64>,
    #[serde(skip_serializing_if = "JsValue::is_undefined", with = "preserve")]
    pub progress: JsValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<f64>,
    #[serde(skip_serializing_if = "JsValue::is_undefined", with = "preserve")]
    pub task: JsValue,
}

impl TaskEvent {
    /// An event of type `kind` about `task_id`, with no other field yet.
    pub fn of(kind: &'static str, task_id: JsValue) -> Self {
        TaskEvent {
            kind,
            task_id,
            status: None,
            previous: None,
            chunk: JsValue::UNDEFINED,
            cursor: None,
            progress: JsValue::UNDEFINED,
            since: None,
            task: JsValue::UNDEFINED,
        }
    }
}

/// `callAgent(..., { background: true })`'s answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundReply {
    pub status: &'static str,
    #[serde(with = "preserve")]
    pub task_id: JsValue,
}

fn some<S: Serializer>(value: &Option<JsValue>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => preserve::serialize(value, s),
        None => s.serialize_none(),
    }
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// A record as a fresh JS object.
pub fn to_js<T: Serialize>(record: &T) -> JsValue {
    serde_wasm_bindgen::to_value(record).unwrap_or(JsValue::UNDEFINED)
}
