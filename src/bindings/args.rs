//! Argument checks at the boundary: each JS value is validated before any
//! state is touched, so bad input can neither corrupt state nor panic.
//! Messages are built with `cat`; "got <what it was>" is added by the glue.
use alloc::{string::String, vec::Vec};

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::errors::{bad_type, bad_value, range_error, type_error};
use super::glue;
use crate::engine::text::cat;
use crate::engine::{Config, Status};

type Arg<T> = Result<T, JsValue>;

/// Largest delay a JS timer accepts.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// A task id: a non-empty, well-formed string. The string is read first
/// (one crossing); only a replacement character sends it back to JS to tell
/// a real U+FFFD from a lone surrogate, which UTF-8 cannot carry.
pub fn id(value: &JsValue, what: &str) -> Arg<String> {
    let Some(text) = value.as_string() else {
        return Err(bad_type(
            &cat(&[what, " must be a non-empty string"]),
            value,
        ));
    };
    if text.is_empty() {
        return Err(range_error(&cat(&[what, " must not be empty"])));
    }
    // U+FFFD is EF BF BD in UTF-8; a byte scan keeps the substring searcher
    // (and its panic paths) out of the wasm.
    let replaced = !text.is_ascii() && text.as_bytes().windows(3).any(|w| w == [0xef, 0xbf, 0xbd]);
    if replaced && glue::id_problem(value) == 3 {
        return Err(range_error(&cat(&[
            what,
            " must be well-formed Unicode (it has a lone surrogate)",
        ])));
    }
    Ok(text)
}

/// An options object that may be left out (`undefined` or `null`).
pub fn bag(value: &JsValue, what: &str) -> Arg<Option<JsValue>> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else if glue::is_bag(value) {
        Ok(Some(value.clone()))
    } else {
        Err(bad_type(&cat(&[what, " must be an object"]), value))
    }
}

/// Reads `bag[key]`; a getter or proxy that throws is a bad argument.
pub fn field(bag: &JsValue, key: &str, what: &str) -> Arg<JsValue> {
    // The names the hot paths read go by index: no string crosses.
    let read = match KEYS.iter().position(|k| *k == key) {
        Some(i) => glue::keyed(bag, i as u8),
        None => Reflect::get(bag, &JsValue::from_str(key)),
    };
    read.map_err(|e| {
        type_error(&cat(&[
            "Reading ",
            what,
            ".",
            key,
            " threw: ",
            &glue::error_text(&e),
        ]))
    })
}

/// In the order of `KEYS` in glue.js.
const KEYS: [&str; 10] = [
    "id",
    "sessionId",
    "options",
    "agent",
    "prompt",
    "force",
    "wait",
    "timeout",
    "since",
    "background",
];

/// `bag[key]`, or `undefined` when there is no bag.
fn opt_field(bag: Option<&JsValue>, key: &str, what: &str) -> Arg<JsValue> {
    bag.map_or(Ok(JsValue::UNDEFINED), |b| field(b, key, what))
}

pub fn opt_bool(bag: Option<&JsValue>, key: &str, what: &str) -> Arg<Option<bool>> {
    let value = opt_field(bag, key, what)?;
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| bad_type(&cat(&[what, ".", key, " must be a boolean"]), &value))
}

/// `bag[key]`, if given: a well-formed string, as read and as the caller's
/// JS string itself (answers about a task reuse the one that names it).
pub fn opt_string(bag: &JsValue, key: &str, what: &str) -> Arg<Option<(String, JsValue)>> {
    let value = field(bag, key, what)?;
    if value.is_undefined() {
        Ok(None)
    } else {
        id(&value, &cat(&[what, ".", key])).map(|text| Some((text, value)))
    }
}

/// A number of ms (or bytes, or a count): `> 0` when `positive`, else
/// `>= 0`; rounded up to a whole number; may be infinite.
fn number(value: &JsValue, key: &str, what: &str, positive: bool) -> Arg<Option<f64>> {
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(ms) = value.as_f64() else {
        return Err(bad_type(
            &cat(&[what, ".", key, " must be a number"]),
            value,
        ));
    };
    let ok = if positive { ms > 0.0 } else { ms >= 0.0 };
    if ms.is_nan() || !ok {
        let bound = if positive {
            " must be > 0"
        } else {
            " must be >= 0"
        };
        return Err(bad_value(&cat(&[what, ".", key, bound]), value));
    }
    Ok(Some(ceil(ms)))
}

/// `f64::ceil` for a number >= 0, which core lacks without std. Past 2^52
/// every double is whole already (and infinity stays infinite).
fn ceil(x: f64) -> f64 {
    if x >= 4_503_599_627_370_496.0 {
        return x;
    }
    let whole = x as u64 as f64;
    if whole < x {
        whole + 1.0
    } else {
        whole
    }
}

fn opt_ms(bag: Option<&JsValue>, key: &str, what: &str, positive: bool) -> Arg<Option<f64>> {
    number(&opt_field(bag, key, what)?, key, what, positive)
}

fn finite(ms: Option<f64>, key: &str, what: &str) -> Arg<Option<f64>> {
    if ms.is_some_and(|ms| !ms.is_finite()) {
        return Err(range_error(&cat(&[
            what,
            ".",
            key,
            " must be a finite number",
        ])));
    }
    Ok(ms)
}

fn opt_finite_ms(bag: Option<&JsValue>, key: &str, what: &str, positive: bool) -> Arg<Option<f64>> {
    finite(opt_ms(bag, key, what, positive)?, key, what)
}

/// A whole number of at least 1. The property is read once, so a getter
/// runs once.
fn opt_count(bag: Option<&JsValue>, key: &str, what: &str) -> Arg<Option<usize>> {
    let value = opt_field(bag, key, what)?;
    let Some(n) = finite(number(&value, key, what, true)?, key, what)? else {
        return Ok(None);
    };
    if value.as_f64() != Some(n) || n > u32::MAX as f64 {
        return Err(bad_value(
            &cat(&[what, ".", key, " must be a whole number >= 1"]),
            &value,
        ));
    }
    Ok(Some(n as usize))
}

/// `BackgroundManagerOptions`, as the engine's config and what the binding
/// keeps for itself.
pub struct Options {
    pub config: Config,
    /// The runner to call, or the built-in simulated agent.
    pub runner: JsValue,
}

pub fn options(value: &JsValue) -> Arg<Options> {
    let what = "options";
    let bag = bag(value, what)?;
    let bag = bag.as_ref();
    let mut config = Config::default();
    if let Some(ms) = opt_ms(bag, "pollInterval", what, true)? {
        if ms > MAX_TIMER_MS {
            return Err(range_error(
                "options.pollInterval must be a finite number of ms up to 2147483647",
            ));
        }
        config.poll_interval = ms as u64;
    }
    if let Some(ms) = opt_finite_ms(bag, "taskTTL", what, true)? {
        config.task_ttl = ms as u64;
    }
    if let Some(ms) = opt_finite_ms(bag, "cancelGracePeriod", what, false)? {
        config.cancel_grace = ms as u64;
    }
    config.max_concurrent = opt_count(bag, "maxConcurrent", what)?;
    if let Some(n) = opt_count(bag, "outputCap", what)? {
        config.output_cap = n;
    }
    let limits = opt_field(bag, "agentLimits", what)?;
    if !limits.is_undefined() {
        config.agent_limits = agent_limits(&limits)?;
    }
    let delay = opt_finite_ms(bag, "simulatedDelay", what, false)?.unwrap_or(150.0);
    let runner = opt_field(bag, "runner", what)?;
    let runner = if runner.is_undefined() {
        glue::simulated_runner(delay)
    } else if runner.is_function() {
        runner
    } else {
        return Err(bad_type("options.runner must be a function", &runner));
    };
    Ok(Options { config, runner })
}

/// `{ [agent]: limit }`.
fn agent_limits(value: &JsValue) -> Arg<Vec<(String, usize)>> {
    let what = "options.agentLimits";
    if !glue::is_bag(value) {
        return Err(bad_type(
            "options.agentLimits must be an object of agent names to limits",
            value,
        ));
    }
    let keys = Reflect::own_keys(value).map_err(|e| type_error(&glue::error_text(&e)))?;
    let mut limits = Vec::new();
    for key in keys.iter() {
        let Some(agent) = key.as_string() else {
            continue;
        };
        if let Some(limit) = opt_count(Some(value), &agent, what)? {
            limits.push((agent, limit));
        }
    }
    Ok(limits)
}

/// `AgentSession`: returns its id.
pub fn session(value: &JsValue) -> Arg<String> {
    if !glue::is_bag(value) {
        return Err(bad_type(
            "session must be an object with id, getStatus and sendMessage",
            value,
        ));
    }
    let session_id = id(&field(value, "id", "session")?, "session.id")?;
    for method in ["getStatus", "sendMessage"] {
        if !field(value, method, "session")?.is_function() {
            return Err(type_error(&cat(&[
                "session.",
                method,
                " must be a function",
            ])));
        }
    }
    Ok(session_id)
}

/// `CreateBackgroundTaskOptions`.
pub struct Create {
    /// The id as read and as the caller's own JS string.
    pub id: Option<(String, JsValue)>,
    pub session_id: Option<String>,
    pub options: JsValue,
}

pub fn create(value: &JsValue) -> Arg<Create> {
    let what = "createTask options";
    if !glue::is_bag(value) {
        return Err(bad_type(
            "createTask expects { id?, sessionId?, options }",
            value,
        ));
    }
    Ok(Create {
        id: opt_string(value, "id", what)?,
        session_id: opt_string(value, "sessionId", what)?.map(|(text, _)| text),
        options: field(value, "options", what)?,
    })
}

/// `LaunchOptions`.
pub struct Launch {
    pub id: Option<(String, JsValue)>,
    pub session_id: Option<String>,
    pub agent: String,
    pub prompt: String,
    pub options: JsValue,
}

pub fn launch(value: &JsValue) -> Arg<Launch> {
    let what = "launch options";
    if !glue::is_bag(value) {
        return Err(bad_type(
            "launch expects { agent, prompt, id?, sessionId?, options? }",
            value,
        ));
    }
    let (agent, prompt) = agent_call(
        &field(value, "agent", what)?,
        &field(value, "prompt", what)?,
    )?;
    Ok(Launch {
        id: opt_string(value, "id", what)?,
        session_id: opt_string(value, "sessionId", what)?.map(|(text, _)| text),
        agent,
        prompt,
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
    const EXPECTED: &str =
        "status must be one of 'queued', 'running', 'completed', 'error', 'cancelled'";
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(text) = value.as_string() else {
        return Err(bad_type(EXPECTED, value));
    };
    Status::parse(&text)
        .map(Some)
        .ok_or_else(|| bad_value(EXPECTED, value))
}

/// `GetBackgroundOutputOptions`. An infinite timeout is the same as none.
pub struct OutputArgs {
    pub wait: bool,
    pub timeout: Option<u64>,
    pub since: Option<u64>,
}

pub fn output(value: &JsValue) -> Arg<OutputArgs> {
    let what = "getOutput options";
    let bag = bag(value, what)?;
    let bag = bag.as_ref();
    Ok(OutputArgs {
        wait: opt_bool(bag, "wait", what)?.unwrap_or(false),
        timeout: opt_ms(bag, "timeout", what, false)?
            .filter(|ms| ms.is_finite())
            .map(|ms| ms as u64),
        since: opt_ms(bag, "since", what, false)?.map(|c| {
            if c.is_finite() {
                c as u64
            } else {
                u64::MAX
            }
        }),
    })
}

/// `callAgent`'s options: whether to launch a background task.
pub fn background(value: &JsValue) -> Arg<bool> {
    if !glue::is_bag(value) {
        return Ok(false);
    }
    Ok(field(value, "background", "callAgent options")?.as_bool() == Some(true))
}

/// An output chunk.
pub fn chunk(value: &JsValue) -> Arg<String> {
    value
        .as_string()
        .ok_or_else(|| bad_type("chunk must be a string", value))
}

/// `callAgent`'s agent name and prompt.
pub fn agent_call(agent: &JsValue, prompt: &JsValue) -> Arg<(String, String)> {
    let agent = id(agent, "agent")?;
    let prompt = prompt
        .as_string()
        .ok_or_else(|| bad_type("prompt must be a string", prompt))?;
    Ok((agent, prompt))
}
