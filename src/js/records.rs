//! The structured records that cross the boundary, as serde structs that
//! serde-wasm-bindgen converts: the options objects the caller passes in
//! (after `calls.js`'s `bag` has read them once into plain objects, so that
//! no getter or Proxy runs here), and what the manager hands out that is
//! not the caller's own value: notifications, events, getOutput's result.
//! Host values inside them (ids, payloads, text) pass through untouched
//! (`serde_wasm_bindgen::preserve`). This is the only file that uses
//! serde-wasm-bindgen; the durable store will use the same records.
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_wasm_bindgen::preserve;
use wasm_bindgen::JsValue;

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

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Missing)
            }
            // `{ got }`, bag's stand-in for a value that is not a primitive.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                let mut got = String::from("an object");
                while let Some(key) = map.next_key::<String>()? {
                    let value: String = map.next_value()?;
                    if key == "got" {
                        got = value;
                    }
                }
                Ok(Scalar::Got(got))
            }
        }
        d.deserialize_any(V)
    }
}

/// An object of names to scalars (`agentLimits`), as bag copied it.
#[derive(Debug, Default)]
pub enum Entries {
    #[default]
    Missing,
    Pairs(Vec<(String, Scalar)>),
    Got(String),
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("name and scalar pairs")
            }
            fn visit_unit<E>(self) -> Result<Entries, E> {
                Ok(Entries::Missing)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entries, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = seq.next_element()? {
                    pairs.push(pair);
                }
                Ok(Entries::Pairs(pairs))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entries, A::Error> {
                match Scalar::deserialize(de::value::MapAccessDeserializer::new(map))? {
                    Scalar::Got(got) => Ok(Entries::Got(got)),
                    _ => Ok(Entries::Got("an object".into())),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A value kept as given (`serde_wasm_bindgen::preserve`).
#[derive(Default)]
struct Kept(JsValue);

impl<'de> Deserialize<'de> for Kept {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        preserve::deserialize(d).map(Kept)
    }
}

/// A record that `bag` hands over as an array: the values of its shape's
/// keys (`protocol.rs`) in order, `undefined` where a key was left out.
/// Read by position, so no key name is matched here (the derive's by-name
/// reading cost about 1.5 KB of the gzipped .wasm). The fields must be in
/// the order of the shape's keys; `protocol::send` checks it in the
/// `check` build. `Value` fields are kept as given.
macro_rules! positional {
    (
        $(#[$sm:meta])*
        pub struct $name:ident { $( $(#[$m:meta])* $field:ident : $kind:ident ),* $(,)? }
    ) => {
        $(#[$sm])*
        pub struct $name { $( $(#[$m])* pub $field: positional!(@ty $kind), )* }

        impl $name {
            /// The fields' names, in order (for the check against the shape).
            #[allow(dead_code, unused_doc_comments)]
            pub const FIELDS: &'static [&'static str] = &[$( $(#[$m])* stringify!($field), )*];
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str(stringify!($name))
                    }
                    #[allow(unused_doc_comments)]
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$name, A::Error> {
                        $( $(#[$m])* let $field = positional!(@next seq $kind); )*
                        Ok($name { $( $(#[$m])* $field, )* })
                    }
                }
                d.deserialize_seq(V)
            }
        }
    };
    (@ty Value) => { JsValue };
    (@ty Text) => { Option<String> };
    (@ty $t:ident) => { $t };
    (@next $seq:ident Value) => { next::<A, Kept>(&mut $seq).0 };
    (@next $seq:ident Text) => { next::<A, Option<String>>(&mut $seq) };
    (@next $seq:ident $t:ident) => { next::<A, $t>(&mut $seq) };
}

/// The next element of a positional record; its default when the array
/// ends early. `bag` makes every element one its type reads (a scalar, a
/// `{ got }`, pairs, a kept value, `undefined`), so none fails; one that
/// did would read as left out. Not failing, a record's reading has no
/// early return that drops the fields read so far: straight-line code,
/// and one copy of this per element type.
#[inline(never)]
fn next<'de, A: SeqAccess<'de>, T: Deserialize<'de> + Default>(seq: &mut A) -> T {
    seq.next_element().ok().flatten().unwrap_or_default()
}

positional! {
    /// `BackgroundManagerOptions`.
    pub struct ManagerOptions {
        poll_interval: Scalar,
        task_ttl: Scalar,
        runner: Value,
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
        store: Value,
        /// Read as name and scalar pairs, as `agentLimits`: the same record
        /// code serves all three.
        #[cfg(feature = "durable")]
        notify_retry: Entries,
        #[cfg(feature = "durable")]
        notify: Entries,
    }
}

positional! {
    /// `AgentSession`: its id and its two functions, as given.
    pub struct AgentSession {
        id: Value,
        get_status: Value,
        send_message: Value,
    }
}

positional! {
    /// `CreateBackgroundTaskOptions`.
    pub struct CreateOptions {
        id: Value,
        session_id: Value,
        options: Value,
    }
}

positional! {
    /// `LaunchOptions`.
    pub struct LaunchOptions {
        agent: Value,
        prompt: Value,
        id: Value,
        session_id: Value,
        options: Value,
        #[cfg(feature = "durable")]
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
        got: Text,
        key: Text,
        threw: Text,
    }
}

/// A value from `bag` (or a store) as its record.
pub fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
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
/// type (the `TaskEvent` union in `types.rs`). One flat record, its absent
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

#[cfg(feature = "durable")]
fn is_zero(n: &i32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A record as a fresh JS object.
pub fn to_js<T: Serialize>(record: &T) -> JsValue {
    serde_wasm_bindgen::to_value(record).unwrap_or(JsValue::UNDEFINED)
}

// ---- the durable store's records -----------------------------------------

/// A task as a durable store keeps it (`durable.js` adds its `version`).
/// Written whole on every change; the values are the view's, shared.
#[cfg(feature = "durable")]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRecord {
    #[serde(with = "preserve")]
    pub id: JsValue,
    /// Its place in creation order among tasks created at the same ms.
    #[serde(default)]
    pub order: f64,
    pub status: std::borrow::Cow<'static, str>,
    pub created_at: f64,
    pub updated_at: f64,
    #[serde(with = "preserve")]
    pub session_id: JsValue,
    #[serde(default, with = "preserve")]
    pub options: JsValue,
    /// What it ended with: 0 nothing, 1 `result`, 2 `error`.
    #[serde(default)]
    pub outcome: u8,
    #[serde(default, with = "preserve")]
    pub result: JsValue,
    #[serde(default, with = "preserve")]
    pub error: JsValue,
    #[serde(default, with = "preserve")]
    pub agent: JsValue,
    #[serde(default, with = "preserve")]
    pub prompt: JsValue,
    /// Kept output: its beginning, its end, and the units cut between.
    #[serde(default, with = "preserve")]
    pub head: JsValue,
    #[serde(default, with = "preserve")]
    pub tail: JsValue,
    #[serde(default)]
    pub dropped: f64,
    /// Kept log entries: `{ head, tail, last }` (log.js's `kept()`).
    #[serde(
        default,
        with = "preserve",
        skip_serializing_if = "JsValue::is_undefined"
    )]
    pub log: JsValue,
    #[serde(default)]
    pub attempt: f64,
    #[serde(default)]
    pub resume: bool,
    /// Its runner started the moment it was created (its log's `running`
    /// entry is made from its times).
    #[serde(default, skip_serializing_if = "is_false")]
    pub started: bool,
    /// A launched task's concurrency key and priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_key: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i32,
}

/// A notification not delivered yet, as the store keeps it.
#[cfg(feature = "durable")]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeRecord {
    #[serde(with = "preserve")]
    pub notification_id: JsValue,
    #[serde(with = "preserve")]
    pub task_id: JsValue,
    #[serde(with = "preserve")]
    pub session_id: JsValue,
    pub status: std::borrow::Cow<'static, str>,
    pub timestamp: f64,
    #[serde(default)]
    pub order: f64,
}

/// One write: what `durable.js`'s `commit` takes.
#[cfg(feature = "durable")]
#[derive(Serialize)]
pub struct StoreBatch {
    pub tasks: Vec<TaskRecord>,
    #[serde(with = "preserve")]
    pub removed: JsValue,
    pub notices: Vec<NoticeRecord>,
    #[serde(with = "preserve")]
    pub delivered: JsValue,
}

/// What `durable.js`'s `load` gives back.
#[cfg(feature = "durable")]
#[derive(Deserialize)]
pub struct Loaded {
    #[serde(default, with = "preserve")]
    pub tasks: JsValue,
    #[serde(default, with = "preserve")]
    pub notices: JsValue,
}

/// A notification as the inbox sends it (`TaskNotification` with its id).
#[cfg(feature = "durable")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationMessage {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(with = "preserve")]
    pub task_id: JsValue,
    pub status: &'static str,
    pub timestamp: f64,
    #[serde(with = "preserve")]
    pub notification_id: JsValue,
}

/// `TaskNotificationBatch`.
#[cfg(feature = "durable")]
#[derive(Serialize)]
pub struct BatchMessage {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub notifications: Vec<NotificationMessage>,
}

/// `PendingNotification`.
#[cfg(feature = "durable")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRecord {
    #[serde(with = "preserve")]
    pub notification_id: JsValue,
    #[serde(with = "preserve")]
    pub task_id: JsValue,
    #[serde(with = "preserve")]
    pub session_id: JsValue,
    pub status: &'static str,
    pub timestamp: f64,
    pub attempts: u32,
    pub state: &'static str,
}
