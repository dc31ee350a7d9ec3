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
/// description of what else it was.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Scalar {
    #[default]
    Missing,
    Null,
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
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
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

/// `BackgroundManagerOptions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagerOptions {
    #[serde(default)]
    pub poll_interval: Scalar,
    #[serde(default, rename = "taskTTL")]
    pub task_ttl: Scalar,
    #[serde(default, with = "preserve")]
    pub runner: JsValue,
    #[serde(default)]
    pub max_concurrent: Scalar,
    #[serde(default)]
    pub agent_limits: Entries,
    #[serde(default, rename = "limits.global")]
    pub limits_global: Scalar,
    #[serde(default, rename = "limits.keys")]
    pub limits_keys: Entries,
    #[serde(default)]
    pub cancel_grace_period: Scalar,
    #[serde(default)]
    pub output_cap: Scalar,
    #[serde(default)]
    pub simulated_delay: Scalar,
    #[cfg(feature = "durable")]
    #[serde(default, with = "preserve")]
    pub store: JsValue,
    /// Read as name and scalar pairs, as `agentLimits`: the same record
    /// code serves all three.
    #[cfg(feature = "durable")]
    #[serde(default)]
    pub notify_retry: Entries,
    #[cfg(feature = "durable")]
    #[serde(default)]
    pub notify: Entries,
}

/// `AgentSession`: its id and its two functions, as given.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    #[serde(default, with = "preserve")]
    pub id: JsValue,
    #[serde(default, with = "preserve")]
    pub get_status: JsValue,
    #[serde(default, with = "preserve")]
    pub send_message: JsValue,
}

/// `CreateBackgroundTaskOptions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOptions {
    #[serde(default, with = "preserve")]
    pub id: JsValue,
    #[serde(default, with = "preserve")]
    pub session_id: JsValue,
    #[serde(default, with = "preserve")]
    pub options: JsValue,
}

/// `LaunchOptions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchOptions {
    #[serde(default, with = "preserve")]
    pub agent: JsValue,
    #[serde(default, with = "preserve")]
    pub prompt: JsValue,
    #[serde(default, with = "preserve")]
    pub id: JsValue,
    #[serde(default, with = "preserve")]
    pub session_id: JsValue,
    #[serde(default, with = "preserve")]
    pub options: JsValue,
    #[cfg(feature = "durable")]
    #[serde(default)]
    pub resume: Scalar,
}

/// `CancelOptions`.
#[derive(Deserialize, Default)]
pub struct CancelOptions {
    #[serde(default)]
    pub force: Scalar,
}

/// `GetBackgroundOutputOptions`.
#[derive(Deserialize, Default)]
pub struct OutputOptions {
    #[serde(default)]
    pub wait: Scalar,
    #[serde(default)]
    pub timeout: Scalar,
    #[serde(default)]
    pub since: Scalar,
}

/// `callAgent`'s options, as far as the manager reads them.
#[derive(Deserialize, Default)]
pub struct CallOptions {
    #[serde(default)]
    pub background: Scalar,
}

/// What `bag` throws: the options object was not one (`got`), or reading
/// `key` threw (`threw`).
#[derive(Deserialize, Default)]
pub struct BagProblem {
    pub got: Option<String>,
    pub key: Option<String>,
    pub threw: Option<String>,
}

/// A plain object (from `bag`) as its record.
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

/// What `subscribe` listeners hear. `task` is the task as it is when the
/// event is delivered (left out once it has left the table).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TaskEvent {
    Created {
        #[serde(rename = "taskId", with = "preserve")]
        task_id: JsValue,
        status: &'static str,
        #[serde(skip_serializing_if = "JsValue::is_undefined", with = "preserve")]
        task: JsValue,
    },
    Status {
        #[serde(rename = "taskId", with = "preserve")]
        task_id: JsValue,
        status: &'static str,
        previous: &'static str,
        #[serde(skip_serializing_if = "JsValue::is_undefined", with = "preserve")]
        task: JsValue,
    },
    Output {
        #[serde(rename = "taskId", with = "preserve")]
        task_id: JsValue,
        #[serde(with = "preserve")]
        chunk: JsValue,
        cursor: f64,
    },
    Progress {
        #[serde(rename = "taskId", with = "preserve")]
        task_id: JsValue,
        #[serde(with = "preserve")]
        progress: JsValue,
    },
    Removed {
        #[serde(rename = "taskId", with = "preserve")]
        task_id: JsValue,
    },
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
