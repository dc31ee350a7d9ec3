//! Argument checks at the boundary: each JS value is validated before any
//! state is touched, so bad input can neither corrupt state nor panic.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::errors::{range_error, type_error};
use super::glue;
use crate::engine::{Config, Status};

type Arg<T> = Result<T, JsValue>;

/// Largest delay a JS timer accepts.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// A task id: a non-empty, well-formed string.
pub fn id(value: &JsValue, what: &str) -> Arg<String> {
    match glue::id_problem(value) {
        0 => value
            .as_string()
            .ok_or_else(|| type_error(&format!("{what} must be a string"))),
        1 => Err(type_error(&format!(
            "{what} must be a non-empty string, got {}",
            glue::describe(value)
        ))),
        2 => Err(range_error(&format!("{what} must not be empty"))),
        _ => Err(range_error(&format!(
            "{what} must be well-formed Unicode (it has a lone surrogate)"
        ))),
    }
}

/// An options object that may be left out (`undefined` or `null`).
pub fn bag(value: &JsValue, what: &str) -> Arg<Option<JsValue>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else if glue::is_bag(value) {
        Ok(Some(value.clone()))
    } else {
        Err(type_error(&format!(
            "{what} must be an object, got {}",
            glue::describe(value)
        )))
    }
}

/// Reads `bag[key]`; a getter or proxy that throws is a bad argument.
pub fn field(bag: &JsValue, key: &str, what: &str) -> Arg<JsValue> {
    Reflect::get(bag, &JsValue::from_str(key)).map_err(|e| {
        type_error(&format!(
            "Reading {what}.{key} threw: {}",
            glue::error_text(&e)
        ))
    })
}

pub fn opt_bool(bag: Option<&JsValue>, key: &str, what: &str) -> Arg<Option<bool>> {
    let Some(bag) = bag else { return Ok(None) };
    let value = field(bag, key, what)?;
    if value.is_undefined() {
        return Ok(None);
    }
    value.as_bool().map(Some).ok_or_else(|| {
        type_error(&format!(
            "{what}.{key} must be a boolean, got {}",
            glue::describe(&value)
        ))
    })
}

pub fn opt_string(bag: &JsValue, key: &str, what: &str) -> Arg<Option<String>> {
    let value = field(bag, key, what)?;
    if value.is_undefined() {
        Ok(None)
    } else {
        id(&value, &format!("{what}.{key}")).map(Some)
    }
}

/// A duration in ms, rounded up to a whole ms.
fn opt_ms(bag: Option<&JsValue>, key: &str, what: &str, positive: bool) -> Arg<Option<f64>> {
    let Some(bag) = bag else { return Ok(None) };
    let value = field(bag, key, what)?;
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(ms) = value.as_f64() else {
        return Err(type_error(&format!(
            "{what}.{key} must be a number, got {}",
            glue::describe(&value)
        )));
    };
    let ok = if positive { ms > 0.0 } else { ms >= 0.0 };
    if ms.is_nan() || !ok {
        let bound = if positive { "> 0" } else { ">= 0" };
        // JS prints the number: Rust's float formatting costs 15 KB of wasm.
        return Err(range_error(&format!(
            "{what}.{key} must be {bound}, got {}",
            glue::describe(&value)
        )));
    }
    Ok(Some(ms.ceil()))
}

/// `BackgroundManagerOptions`.
pub fn config(value: &JsValue) -> Arg<Config> {
    let what = "options";
    let bag = bag(value, what)?;
    let mut config = Config::default();
    if let Some(ms) = opt_ms(bag.as_ref(), "pollInterval", what, true)? {
        if ms > MAX_TIMER_MS {
            return Err(range_error(&format!(
                "options.pollInterval must be a finite number of ms up to 2147483647, got {}",
                glue::describe(&field(value, "pollInterval", what)?)
            )));
        }
        config.poll_interval = ms as u64;
    }
    if let Some(ms) = opt_ms(bag.as_ref(), "taskTTL", what, true)? {
        if !ms.is_finite() {
            return Err(range_error("options.taskTTL must be a finite number"));
        }
        config.task_ttl = ms as u64;
    }
    Ok(config)
}

/// `AgentSession`: returns its id.
pub fn session(value: &JsValue) -> Arg<String> {
    if !glue::is_bag(value) {
        return Err(type_error(&format!(
            "session must be an object with id, getStatus and sendMessage, got {}",
            glue::describe(value)
        )));
    }
    let session_id = id(&field(value, "id", "session")?, "session.id")?;
    for method in ["getStatus", "sendMessage"] {
        if !field(value, method, "session")?.is_function() {
            return Err(type_error(&format!("session.{method} must be a function")));
        }
    }
    Ok(session_id)
}

/// `CreateBackgroundTaskOptions`.
pub struct Create {
    pub id: Option<String>,
    pub session_id: Option<String>,
    pub options: JsValue,
}

pub fn create(value: &JsValue) -> Arg<Create> {
    let what = "createTask options";
    if !glue::is_bag(value) {
        return Err(type_error(&format!(
            "createTask expects {{ id?, sessionId?, options }}, got {}",
            glue::describe(value)
        )));
    }
    Ok(Create {
        id: opt_string(value, "id", what)?,
        session_id: opt_string(value, "sessionId", what)?,
        options: field(value, "options", what)?,
    })
}

/// `CancelOptions`: returns `force`.
pub fn cancel(value: &JsValue) -> Arg<bool> {
    let bag = bag(value, "cancel options")?;
    Ok(opt_bool(bag.as_ref(), "force", "cancel options")?.unwrap_or(false))
}

/// `getAllTasks`' filter.
pub fn status_filter(value: &JsValue) -> Arg<Option<Status>> {
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(text) = value.as_string() else {
        return Err(type_error(&format!(
            "status must be one of 'running', 'completed', 'error', 'cancelled', got {}",
            glue::describe(value)
        )));
    };
    Status::parse(&text).map(Some).ok_or_else(|| {
        range_error(&format!(
            "status must be one of 'running', 'completed', 'error', 'cancelled', got \"{text}\""
        ))
    })
}

/// `GetBackgroundOutputOptions`: (wait, timeout). An infinite timeout is
/// the same as none.
pub fn output(value: &JsValue) -> Arg<(bool, Option<u64>)> {
    let what = "getOutput options";
    let bag = bag(value, what)?;
    let wait = opt_bool(bag.as_ref(), "wait", what)?.unwrap_or(false);
    let timeout = opt_ms(bag.as_ref(), "timeout", what, false)?
        .filter(|ms| ms.is_finite())
        .map(|ms| ms as u64);
    Ok((wait, timeout))
}

/// `callAgent`'s agent name and prompt.
pub fn agent_call(agent: &JsValue, prompt: &JsValue) -> Arg<(String, String)> {
    let agent = id(agent, "agent")?;
    let prompt = prompt.as_string().ok_or_else(|| {
        type_error(&format!(
            "prompt must be a string, got {}",
            glue::describe(prompt)
        ))
    })?;
    Ok((agent, prompt))
}
