//! Engine tasks to plain JS snapshot objects: fresh objects each time, with
//! `options` and `result` as the very values the caller passed.

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::glue;
use super::state::Js;
use crate::engine::{Host, Task};

type JsTask = Task<<Js as Host>::Payload>;

pub fn task_object(task: &JsTask) -> JsValue {
    glue::task_object(
        &task.id,
        task.status as u8,
        task.created_at as f64,
        task.updated_at as f64,
        &task.options,
        task.session_id.as_deref(),
        task.result.as_ref().unwrap_or(&JsValue::UNDEFINED),
        task.error.as_deref(),
        (!task.output.is_empty()).then_some(task.output.as_str()),
    )
}

/// An array of snapshots, in the order given.
pub fn task_list<'a>(tasks: impl IntoIterator<Item = &'a JsTask>) -> JsValue {
    let list = Array::new();
    for task in tasks {
        list.push(&task_object(task));
    }
    list.into()
}

pub fn output_object(task: &JsTask, timed_out: bool) -> JsValue {
    glue::output_object(
        &task.id,
        task.status as u8,
        &task.output,
        task.result.as_ref().unwrap_or(&JsValue::UNDEFINED),
        task.error.as_deref(),
        timed_out,
    )
}
