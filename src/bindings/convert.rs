//! Engine tasks and events to plain JS objects: fresh objects each time, with
//! `options` and `result` as the very values the caller passed.
//!
//! A task keeps its id as a JS string (`id_view`), made when it is created:
//! a snapshot, a notification or an event reuses it.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use super::state::Js;
use crate::engine::{format_uuid, Engine, Event, Host, Task, TaskId};
use alloc::rc::Rc;
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

/// The id as a JS string.
pub fn id_js(id: &TaskId) -> JsValue {
    match id {
        TaskId::Uuid(bytes) => glue::ascii_text(&format_uuid(bytes)),
        TaskId::Text(text) => JsValue::from_str(text),
    }
}

/// The JS strings shared by many snapshots: the current session's id.
#[derive(Default)]
pub struct Strings {
    session: Option<(Rc<str>, JsValue)>,
}

impl Strings {
    pub fn set_session(&mut self, id: Rc<str>) {
        let value = JsValue::from_str(&id);
        self.session = Some((id, value));
    }

    fn session_of(&self, task: &JsTask) -> Value<'_> {
        match &self.session {
            Some((shared, value)) if *shared == task.session_id => Value::Given(value),
            _ => Value::Made(JsValue::from_str(&task.session_id)),
        }
    }

    /// The task as a fresh object.
    pub fn task_object(&self, task: &JsTask) -> JsValue {
        let output = (!task.output.is_empty()).then(|| task.output.text());
        let launch = match &task.launch {
            None => Value::Made(JsValue::UNDEFINED),
            Some(launch) => match &launch.view {
                Some(view) => Value::Given(view),
                None => Value::Made(glue::launch_view(&launch.agent, &launch.prompt)),
            },
        };
        glue::task_object(
            &id_of(task),
            task.status as u8,
            task.created_at as f64,
            task.updated_at as f64,
            &task.options,
            &self.session_of(task),
            &launch,
            task.result().unwrap_or(&JsValue::UNDEFINED),
            task.error(),
            output.as_deref(),
        )
    }

    /// An array of snapshots, in the order given.
    pub fn task_list<T: Deref<Target = JsTask>>(
        &self,
        tasks: impl IntoIterator<Item = T>,
    ) -> JsValue {
        let list = Array::new();
        for task in tasks {
            list.push(&self.task_object(&task));
        }
        list.into()
    }
}

/// A task just created: keeps its id as a JS string and, if it was
/// launched, the JS rendering of its agent and prompt; returns the id.
pub fn keep_views(engine: &mut Engine<Js>, seq: u64) -> JsValue {
    let Some(task) = engine.by_seq(seq) else {
        return JsValue::UNDEFINED;
    };
    let id = id_js(&task.id);
    let launch = task
        .launch
        .as_ref()
        .map(|l| glue::launch_view(&l.agent, &l.prompt));
    engine.set_views(seq, id.clone(), launch);
    id
}

/// A task just created: keeps its views, then answers its snapshot.
pub fn created(engine: &mut Engine<Js>, strings: &Strings, seq: u64) -> JsValue {
    keep_views(engine, seq);
    engine
        .by_seq(seq)
        .map_or(JsValue::UNDEFINED, |task| strings.task_object(&task))
}

/// The task's id as a JS string: the one kept, or (for a task the binding
/// did not create) a new one.
fn id_of(task: &JsTask) -> Value<'_> {
    match &task.id_view {
        Some(id) => Value::Given(id),
        None => Value::Made(id_js(&task.id)),
    }
}

/// `getOutput`'s answer: the output since `since` (all of it without).
pub fn output_object(task: &JsTask, since: Option<u64>, timed_out: bool) -> JsValue {
    let output =
        (task.output.cursor() > since.unwrap_or(0)).then(|| task.output.since(since.unwrap_or(0)));
    glue::output_object(
        &id_of(task),
        task.status as u8,
        output.as_deref(),
        task.output.cursor() as f64,
        task.result().unwrap_or(&JsValue::UNDEFINED),
        task.error(),
        timed_out,
    )
}

/// What listeners receive; `task` is the task as it is now, if it still is.
pub fn event_object(engine: &Engine<Js>, strings: &Strings, event: &Event) -> JsValue {
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
    let task = engine.peek_id(task_id);
    let id = match &task {
        Some(task) => id_of(task),
        None => Value::Made(id_js(task_id)),
    };
    let snapshot = match (kind, &task) {
        (0 | 1, Some(task)) => strings.task_object(task),
        _ => JsValue::UNDEFINED,
    };
    glue::event_object(kind, &id, status, previous, chunk, cursor, &snapshot)
}
