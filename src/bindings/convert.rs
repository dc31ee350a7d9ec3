//! Engine tasks and events to plain JS objects: fresh objects each time, with
//! `options` and `result` as the very values the caller passed.
//!
//! Spelling a task's id out as a JS string costs about as much as the rest
//! of a snapshot, and keeping one costs most of what the Rust task does. So an answer about a task the caller named reuses the caller's own
//! string; a listed task keeps the string it was spelled out in (lists are
//! the calls that repeat); anything else spells the id out for the occasion.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use super::state::Js;
use crate::engine::SharedStr;
use crate::engine::{Engine, Event, Host, Task, TaskId};
use core::ops::Deref;

type JsTask = Task<<Js as Host>::Payload>;

/// A JS value at hand, or one made for the occasion.
pub enum Value<'a> {
    Given(&'a JsValue),
    Made(JsValue),
}

impl Deref for Value<'_> {
    type Target = JsValue;

    fn deref(&self) -> &JsValue {
        match self {
            Value::Given(value) => value,
            Value::Made(value) => value,
        }
    }
}

/// The id spelled out as a JS string.
pub fn id_js(id: &TaskId) -> JsValue {
    match id {
        TaskId::Uuid(bytes) => {
            let word = |i: usize| {
                let mut b = [0u8; 4];
                b.copy_from_slice(bytes.get(i..i + 4).unwrap_or_default());
                u32::from_be_bytes(b)
            };
            glue::uuid_text(word(0), word(4), word(8), word(12))
        }
        TaskId::Text(text) => JsValue::from_str(text),
    }
}

/// Task `seq`'s id (`id`) as a JS string, for a notification, an event or
/// a runner: the caller's own if the call at hand named the task (`hint`),
/// else the one the task keeps, else one spelled out now.
pub fn id_for(
    engine: &Engine<Js>,
    hint: Option<&(u64, JsValue)>,
    seq: u64,
    id: &TaskId,
) -> JsValue {
    if let Some((_, given)) = hint.filter(|(hinted, _)| *hinted == seq) {
        return given.clone();
    }
    engine
        .by_seq(seq)
        .and_then(|task| task.id_view.get().cloned())
        .unwrap_or_else(|| id_js(id))
}

/// The task's id as a JS string, made and kept if it has none.
pub fn kept_id(task: &JsTask) -> &JsValue {
    task.id_view.get_or_init(|| id_js(&task.id))
}

/// The JS strings shared by many snapshots: the current session's id.
#[derive(Default)]
pub struct Strings {
    session: Option<(SharedStr, JsValue)>,
}

impl Strings {
    pub fn set_session(&mut self, id: SharedStr) {
        let value = JsValue::from_str(&id);
        self.session = Some((id, value));
    }

    /// A session id as a JS string: the shared one, if it is the current
    /// session's.
    pub fn session_js(&self, id: &SharedStr) -> Value<'_> {
        match &self.session {
            Some((shared, value)) if shared == id => Value::Given(value),
            _ => Value::Made(JsValue::from_str(id)),
        }
    }

    /// The task as a fresh object; `id` is its id as a JS string.
    pub fn task_object(&self, id: &JsValue, task: &JsTask) -> JsValue {
        let output = (!task.output.is_empty()).then(|| task.output.text());
        let launch = match &task.launch {
            None => &JsValue::UNDEFINED,
            Some(l) => l
                .view
                .get_or_init(|| glue::launch_view(&l.agent, &l.prompt)),
        };
        glue::task_object(
            id,
            task.status as u8,
            task.created_at as f64,
            task.updated_at as f64,
            &task.options,
            &self.session_js(&task.session_id),
            launch,
            task.result().unwrap_or(&JsValue::UNDEFINED),
            task.error(),
            output.as_deref(),
        )
    }

    /// Snapshots of `tasks`, in the order given; each keeps its id string.
    pub fn task_list<T: Deref<Target = JsTask>>(
        &self,
        tasks: impl IntoIterator<Item = T>,
    ) -> JsValue {
        let list = Array::new();
        for task in tasks {
            list.push(&self.task_object(kept_id(&task), &task));
        }
        list.into()
    }
}

/// `getOutput`'s answer: the output since `since` (all of it without).
pub fn output_object(id: &JsValue, task: &JsTask, since: Option<u64>, timed_out: bool) -> JsValue {
    let output =
        (task.output.cursor() > since.unwrap_or(0)).then(|| task.output.since(since.unwrap_or(0)));
    glue::output_object(
        id,
        task.status as u8,
        output.as_deref(),
        task.output.cursor() as f64,
        task.result().unwrap_or(&JsValue::UNDEFINED),
        task.error(),
        timed_out,
    )
}

/// What listeners receive about task `seq`; `task` is the task as it is
/// now, if it still is. `hint` is as for `id_for`.
pub fn event_object(
    engine: &Engine<Js>,
    strings: &Strings,
    hint: Option<&(u64, JsValue)>,
    seq: u64,
    event: &Event,
) -> JsValue {
    let (kind, task_id, status, previous, chunk, cursor) = match event {
        Event::Created { task_id, status } => (0, task_id, *status as u8, 0, None, 0.0),
        Event::Status {
            task_id,
            status,
            previous,
        } => (1, task_id, *status as u8, *previous as u8, None, 0.0),
        Event::Output {
            task_id,
            chunk,
            cursor,
        } => (2, task_id, 0, 0, Some(&**chunk), *cursor as f64),
        Event::Removed { task_id } => (3, task_id, 0, 0, None, 0.0),
    };
    let id = id_for(engine, hint, seq, task_id);
    let snapshot = match (kind, engine.by_seq(seq)) {
        (0 | 1, Some(task)) => strings.task_object(&id, &task),
        _ => JsValue::UNDEFINED,
    };
    glue::event_object(kind, &id, status, previous, chunk, cursor, &snapshot)
}
