//! The durable build's records, as serde structs that serde-wasm-bindgen
//! converts: a task and an undelivered notification as a store keeps them,
//! a write and a load (`durable.js`), and what the inbox sends and lists.
//! Host values inside them pass through untouched
//! (`serde_wasm_bindgen::preserve`).
use serde::{Deserialize, Serialize};
use serde_wasm_bindgen::preserve;
use wasm_bindgen::JsValue;

use crate::bindgen::records::is_false;

/// A store's value as its record.
pub fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// A task as a durable store keeps it (`durable.js` adds its `version`).
/// Written whole on every change; the values are the view's, shared.
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
#[derive(Deserialize)]
pub struct Loaded {
    #[serde(default, with = "preserve")]
    pub tasks: JsValue,
    #[serde(default, with = "preserve")]
    pub notices: JsValue,
}

/// A notification as the inbox sends it (`TaskNotification` with its id).
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
#[derive(Serialize)]
pub struct BatchMessage {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub notifications: Vec<NotificationMessage>,
}

/// `PendingNotification`.
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
