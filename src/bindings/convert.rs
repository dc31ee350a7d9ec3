//! Engine tasks and events to plain JS objects: fresh objects each time, with
//! `options` and `result` as the very values the caller passed.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use super::state::{Js, State};
use crate::engine::{Engine, Event, Host, Task};

type JsTask = Task<<Js as Host>::Payload>;

/// The task's fixed fields (id, options, session, agent, prompt) as a JS
/// object: the one made at creation, or (for a task the binding did not
/// create) a new one.
fn base(task: &JsTask) -> JsValue {
    match &task.fixed_view {
        Some(view) => view.clone(),
        None => make_base(task),
    }
}

/// Builds the fixed fields; the binding stores the result with
/// `Engine::set_fixed_view` right after creating a task.
pub fn make_base(task: &JsTask) -> JsValue {
    let session = task
        .session_id
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    base_with(task, &session)
}

fn base_with(task: &JsTask, session_id: &JsValue) -> JsValue {
    glue::task_base(
        &task.id,
        &task.options,
        session_id,
        task.agent.as_deref(),
        task.prompt.as_deref(),
    )
}

pub fn task_object(task: &JsTask) -> JsValue {
    let output = (!task.output.is_empty()).then(|| task.output.text());
    glue::task_object(
        &base(task),
        task.status as u8,
        task.created_at as f64,
        task.updated_at as f64,
        task.result.as_ref().unwrap_or(&JsValue::UNDEFINED),
        task.error.as_deref(),
        output.as_deref(),
    )
}

/// Makes and keeps a new task's fixed fields, and returns them. Tasks of one
/// session share one JS string for its id.
pub fn keep_base(st: &mut State, seq: u64) -> JsValue {
    let State {
        engine, session_js, ..
    } = st;
    let Some(task) = engine.by_seq(seq) else {
        return JsValue::UNDEFINED;
    };
    let session = match (&task.session_id, &*session_js) {
        (None, _) => JsValue::UNDEFINED,
        (Some(id), Some((cached, value))) if cached == id => value.clone(),
        (Some(id), _) => {
            let value = JsValue::from_str(id);
            *session_js = Some((id.clone(), value.clone()));
            value
        }
    };
    let base = base_with(task, &session);
    engine.set_fixed_view(seq, base.clone());
    base
}

/// A task just created: keeps its fixed fields, then answers its snapshot.
pub fn created(st: &mut State, seq: u64) -> JsValue {
    keep_base(st, seq);
    st.engine
        .by_seq(seq)
        .map_or(JsValue::UNDEFINED, task_object)
}

/// An array of snapshots, in the order given.
pub fn task_list<'a>(tasks: impl IntoIterator<Item = &'a JsTask>) -> JsValue {
    let list = Array::new();
    for task in tasks {
        list.push(&task_object(task));
    }
    list.into()
}

/// `getOutput`'s answer: the output since `since` (all of it without).
pub fn output_object(task: &JsTask, since: Option<u64>, timed_out: bool) -> JsValue {
    let output =
        (task.output.cursor() > since.unwrap_or(0)).then(|| task.output.since(since.unwrap_or(0)));
    glue::output_object(
        &base(task),
        task.status as u8,
        output.as_deref(),
        task.output.cursor() as f64,
        task.result.as_ref().unwrap_or(&JsValue::UNDEFINED),
        task.error.as_deref(),
        timed_out,
    )
}

/// What listeners receive; `task` is the task as it is now, if it still is.
pub fn event_object(engine: &Engine<Js>, event: &Event) -> JsValue {
    let current = |id: &str| engine.peek(id).map_or(JsValue::UNDEFINED, task_object);
    match event {
        Event::Created { task_id, status } => {
            glue::event_object(0, task_id, *status as u8, 0, None, 0.0, &current(task_id))
        }
        Event::Status {
            task_id,
            status,
            previous,
        } => glue::event_object(
            1,
            task_id,
            *status as u8,
            *previous as u8,
            None,
            0.0,
            &current(task_id),
        ),
        Event::Output {
            task_id,
            chunk,
            cursor,
        } => glue::event_object(
            2,
            task_id,
            0,
            0,
            Some(chunk),
            *cursor as f64,
            &JsValue::UNDEFINED,
        ),
        Event::Removed { task_id } => {
            glue::event_object(3, task_id, 0, 0, None, 0.0, &JsValue::UNDEFINED)
        }
    }
}
