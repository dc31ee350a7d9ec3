//! Arguments checked at the boundary, before any state is touched: options
//! objects become their records (`records.rs`), and each value is checked
//! with the message and code SPEC §4 asks for. Nothing here reads a user
//! value other than through `calls.js`, whose functions never throw.
use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};

#[cfg(feature = "durable")]
use super::durable::{self, options::Durable};
use super::errors::{bad_type, bad_value, range_error, type_error};
use super::protocol::{self, IdProblem, SHAPES};
use super::records::{self, BagProblem, Entries, Record, Scalar};
use super::{errors, imports};
use crate::engine::{Config, EngineError, StallRule, Status};

pub(crate) type Arg<T> = Result<T, JsValue>;

/// Largest delay a JS timer accepts.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Why an options object could not be read.
enum Unread {
    /// It is not an object at all; what it is.
    NotObject(String),
    /// Reading it failed: the error to reject with.
    Failed(JsValue),
}

/// Options object `value` of `shape` as its record; `None` when left out
/// (`undefined` or `null`).
fn read<T: Record>(value: &JsValue, shape: usize) -> Result<Option<T>, Unread> {
    let what = SHAPES[shape].what;
    match imports::bag(value, shape as u8) {
        Ok(plain) if plain.is_undefined() => Ok(None),
        Ok(plain) => records::record(plain).map(Some).ok_or_else(|| {
            Unread::Failed(errors::engine(EngineError::internal(format!(
                "{what} could not be read"
            ))))
        }),
        Err(problem) => {
            let p: BagProblem = records::record(problem).unwrap_or_default();
            Err(match (p.got, p.key, p.threw) {
                (Some(got), _, _) => Unread::NotObject(got),
                (_, Some(key), Some(threw)) => {
                    Unread::Failed(type_error(&format!("Reading {what}.{key} threw: {threw}")))
                }
                _ => Unread::Failed(type_error(&format!("{what} could not be read"))),
            })
        }
    }
}

/// `read` for an object that may be left out.
fn optional<T: Record + Default>(value: &JsValue, shape: usize) -> Arg<T> {
    match read(value, shape) {
        Ok(record) => Ok(record.unwrap_or_default()),
        Err(Unread::NotObject(got)) => Err(bad_type(
            &format!("{} must be an object", SHAPES[shape].what),
            &got,
        )),
        Err(Unread::Failed(error)) => Err(error),
    }
}

/// `read` for an object that must be given: `expects` says its form.
fn required<T: Record>(value: &JsValue, shape: usize, expects: &str) -> Arg<T> {
    match read(value, shape) {
        Ok(Some(record)) => Ok(record),
        Ok(None) => Err(bad_type(expects, &imports::describe(value))),
        Err(Unread::NotObject(got)) => Err(bad_type(expects, &got)),
        Err(Unread::Failed(error)) => Err(error),
    }
}

/// What a scalar was, for "got ...": `calls.js`'s `describe` says it (a
/// number as JS prints it, which Rust would need float formatting for).
fn got(s: &Scalar) -> String {
    let value = match s {
        Scalar::Missing => JsValue::UNDEFINED,
        Scalar::Bool(b) => JsValue::from_bool(*b),
        Scalar::Num(x) => JsValue::from_f64(*x),
        Scalar::Str(t) => JsValue::from_str(t),
        Scalar::Got(what) => return what.clone(),
    };
    imports::describe(&value)
}

/// A number of ms (or units, or a count): `> 0` when `positive`, else
/// `>= 0`; rounded up to a whole number; may be infinite.
pub(crate) fn number(s: &Scalar, name: &str, positive: bool) -> Arg<Option<f64>> {
    let x = match s {
        Scalar::Missing => return Ok(None),
        Scalar::Num(x) => *x,
        other => return Err(bad_type(&format!("{name} must be a number"), &got(other))),
    };
    let ok = if positive { x > 0.0 } else { x >= 0.0 };
    if x.is_nan() || !ok {
        let bound = if positive { "> 0" } else { ">= 0" };
        return Err(bad_value(&format!("{name} must be {bound}"), &got(s)));
    }
    Ok(Some(x.ceil()))
}

pub(crate) fn finite(ms: Option<f64>, name: &str) -> Arg<Option<f64>> {
    if ms.is_some_and(|ms| !ms.is_finite()) {
        return Err(range_error(&format!("{name} must be a finite number")));
    }
    Ok(ms)
}

/// A whole number of at least 1.
pub(crate) fn count(s: &Scalar, name: &str) -> Arg<Option<usize>> {
    let Some(n) = finite(number(s, name, true)?, name)? else {
        return Ok(None);
    };
    if *s != Scalar::Num(n) || n > f64::from(u32::MAX) {
        return Err(bad_value(
            &format!("{name} must be a whole number >= 1"),
            &got(s),
        ));
    }
    Ok(Some(n as usize))
}

/// The options' `stallAfter` (ms > 0) and `failAfterStall` (`true`, or ms
/// >= 0 after the stall). (`launch`'s are the facade's to check.)
fn stall_rule(after: &Scalar, fail: &Scalar) -> Arg<StallRule> {
    const AFTER: &str = "options.stallAfter";
    const FAIL: &str = "options.failAfterStall";
    let after = finite(number(after, AFTER, true)?, AFTER)?;
    let fail_after = match fail {
        Scalar::Missing | Scalar::Bool(false) => None,
        Scalar::Bool(true) => Some(0),
        other => finite(number(other, FAIL, false)?, FAIL)?.map(|ms| ms as u64),
    };
    if after.is_none() && fail_after.is_some() {
        return Err(type_error(
            "options.failAfterStall needs options.stallAfter",
        ));
    }
    Ok(StallRule {
        after: after.map_or(0, |ms| ms as u64),
        fail_after,
    })
}

/// A limit where 0 means none: a whole number >= 0.
fn limit(s: &Scalar, name: &str) -> Arg<Option<usize>> {
    match s {
        Scalar::Num(n) if *n == 0.0 => Ok(Some(0)),
        Scalar::Num(_) => count(s, name)
            .map_err(|_| bad_value(&format!("{name} must be a whole number >= 0"), &got(s))),
        _ => count(s, name),
    }
}

/// `agentLimits` or `limits.keys`: names to limits; `zero` allows 0 (no
/// limit, and left out).
fn limit_pairs(entries: Entries, name: &str, of: &str, zero: bool) -> Arg<Vec<(String, usize)>> {
    let pairs = match entries {
        Entries::Missing => return Ok(Vec::new()),
        Entries::Got(what) => {
            return Err(bad_type(
                &format!("{name} must be an object of {of} to limits"),
                &what,
            ))
        }
        Entries::Pairs(pairs) => pairs,
    };
    let mut limits = Vec::new();
    for (key, value) in pairs {
        let name = format!("{name}.{key}");
        let n = if zero {
            limit(&value, &name)?
        } else {
            count(&value, &name)?
        };
        if let Some(n) = n.filter(|&n| n > 0) {
            limits.push((key, n));
        }
    }
    Ok(limits)
}

fn boolean(s: &Scalar, name: &str) -> Arg<Option<bool>> {
    match s {
        Scalar::Missing => Ok(None),
        Scalar::Bool(b) => Ok(Some(*b)),
        other => Err(bad_type(&format!("{name} must be a boolean"), &got(other))),
    }
}

/// What a value is called in messages: a name, or `what.key`; formatted
/// only for a message, never on the way through.
#[derive(Clone, Copy)]
pub struct Name<'a>(pub &'a str, pub Option<&'a str>);

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(key) => write!(f, "{}.{key}", self.0),
            None => f.write_str(self.0),
        }
    }
}

/// A task id, a session id or an agent name: a non-empty, well-formed
/// string (a lone surrogate could not survive a trip through UTF-8, which
/// the durable store and the component take).
pub fn id(value: &JsValue, name: impl std::fmt::Display) -> Arg<()> {
    match IdProblem::of(imports::id_problem(value)) {
        IdProblem::None => Ok(()),
        IdProblem::NotString => Err(bad_type(
            &format!("{name} must be a non-empty string"),
            &imports::describe(value),
        )),
        IdProblem::Empty => Err(range_error(&format!("{name} must not be empty"))),
        IdProblem::LoneSurrogate => Err(range_error(&format!(
            "{name} must be well-formed Unicode (it has a lone surrogate)"
        ))),
    }
}

fn opt_id(value: JsValue, name: Name<'_>) -> Arg<Option<JsValue>> {
    if value.is_undefined() {
        Ok(None)
    } else {
        id(&value, name)?;
        Ok(Some(value))
    }
}

/// A checked id (a session id, an agent name) as Rust text, which the
/// engine interns, and as given, which the store keeps.
pub fn with_text(value: JsValue) -> (String, JsValue) {
    (value.as_string().unwrap_or_default(), value)
}

/// An optional session id, as Rust text (to compare) and as given.
fn opt_session(value: JsValue, what: &str) -> Arg<Option<(String, JsValue)>> {
    Ok(opt_id(value, Name(what, Some("sessionId")))?.map(with_text))
}

/// `BackgroundManagerOptions` as the core is made from them.
pub struct Options {
    pub config: Config,
    /// The runner to call, or the built-in simulated agent.
    pub runner: JsValue,
    /// The store and the sharing the durable build's options ask for.
    #[cfg(feature = "durable")]
    pub durable: Durable,
}

/// `BackgroundManagerOptions`: the engine's config, the runner (the
/// built-in simulated agent when left out) and the store.
pub fn options(value: &JsValue) -> Arg<Options> {
    let o: records::ManagerOptions = match read(value, protocol::OPTIONS) {
        Ok(Some(o)) => o,
        Ok(None) => {
            return Ok(Options {
                config: Config::default(),
                runner: imports::simulated_runner(150.0),
                #[cfg(feature = "durable")]
                durable: Durable::default(),
            })
        }
        Err(Unread::NotObject(got)) => return Err(bad_type("options must be an object", &got)),
        Err(Unread::Failed(error)) => return Err(error),
    };
    let mut config = Config::default();
    if let Some(ms) = number(&o.poll_interval, "options.pollInterval", true)? {
        if ms > MAX_TIMER_MS {
            return Err(range_error(
                "options.pollInterval must be a finite number of ms up to 2147483647",
            ));
        }
        config.poll_interval = ms as u64;
    }
    let ttl = number(&o.task_ttl, "options.taskTTL", true)?;
    if let Some(ms) = finite(ttl, "options.taskTTL")? {
        config.task_ttl = ms as u64;
    }
    let grace = number(&o.cancel_grace_period, "options.cancelGracePeriod", false)?;
    if let Some(ms) = finite(grace, "options.cancelGracePeriod")? {
        config.cancel_grace = ms as u64;
    }
    config.max_concurrent = count(&o.max_concurrent, "options.maxConcurrent")?;
    if let Some(n) = count(&o.output_cap, "options.outputCap")? {
        config.output_cap = n;
    }
    config.agent_limits = limit_pairs(o.agent_limits, "options.agentLimits", "agent names", false)?;
    // `limits.global` is `maxConcurrent` by its other name; 0: no limit.
    if let Some(n) = limit(&o.limits_global, "options.limits.global")? {
        config.max_concurrent = (n > 0).then_some(n);
    }
    config.key_limits = limit_pairs(
        o.limits_keys,
        "options.limits.keys",
        "concurrency keys",
        true,
    )?;
    config.stall = stall_rule(&o.stall_after, &o.fail_after_stall)?;
    if let Some(n) = limit(&o.max_depth, "options.maxDepth")? {
        config.max_depth = u8::try_from(n)
            .map_err(|_| bad_value("options.maxDepth must be at most 255", &got(&o.max_depth)))?;
    }
    let delay = number(&o.simulated_delay, "options.simulatedDelay", false)?;
    let delay = finite(delay, "options.simulatedDelay")?.unwrap_or(150.0);
    let runner = if o.runner.is_undefined() {
        imports::simulated_runner(delay)
    } else if o.runner.is_function() {
        o.runner
    } else {
        return Err(bad_type(
            "options.runner must be a function",
            &imports::describe(&o.runner),
        ));
    };
    // The default build's facade refuses these options itself.
    #[cfg(feature = "durable")]
    let durable = durable::options::read(
        &mut config,
        o.store,
        &o.store_timeout,
        o.notify_retry,
        o.notify,
        o.shared,
        &o.shared_lease,
    )?;
    Ok(Options {
        config,
        runner,
        #[cfg(feature = "durable")]
        durable,
    })
}

/// `AgentSession`: the session and its id (as given and as Rust text).
pub fn session(value: &JsValue) -> Arg<(JsValue, String)> {
    let expects = "session must be an object with id, getStatus and sendMessage";
    let s: records::AgentSession = required(value, protocol::SESSION, expects)?;
    id(&s.id, "session.id")?;
    for (name, f) in [
        ("getStatus", &s.get_status),
        ("sendMessage", &s.send_message),
    ] {
        if !f.is_function() {
            return Err(type_error(&format!("session.{name} must be a function")));
        }
    }
    let text = s.id.as_string().unwrap_or_default();
    Ok((s.id, text))
}

/// `CreateBackgroundTaskOptions`.
pub struct Create {
    pub id: Option<JsValue>,
    pub session: Option<(String, JsValue)>,
    pub options: JsValue,
}

pub fn create(value: &JsValue) -> Arg<Create> {
    let what = "createTask options";
    let expects = "createTask expects { id?, sessionId?, options }";
    let c: records::CreateOptions = required(value, protocol::CREATE, expects)?;
    Ok(Create {
        id: opt_id(c.id, Name(what, Some("id")))?,
        session: opt_session(c.session_id, what)?,
        options: c.options,
    })
}

/// `LaunchOptions`.
pub struct Launch {
    pub id: Option<JsValue>,
    pub session: Option<(String, JsValue)>,
    pub agent: (String, JsValue),
    pub prompt: JsValue,
    pub options: JsValue,
    pub resume: bool,
}

pub fn launch(value: &JsValue) -> Arg<Launch> {
    let what = "launch options";
    let expects = "launch expects { agent, prompt, id?, sessionId?, options? }";
    let l: records::LaunchOptions = required(value, protocol::LAUNCH, expects)?;
    let (agent, prompt) = agent_call(l.agent, l.prompt)?;
    // A wrong `resume` is refused in both builds; the default build has no
    // restart to run a task again after, so it keeps none.
    let resume = boolean(&l.resume, "launch options.resume")?.unwrap_or(false);
    Ok(Launch {
        id: opt_id(l.id, Name(what, Some("id")))?,
        session: opt_session(l.session_id, what)?,
        agent,
        prompt,
        options: l.options,
        resume: cfg!(feature = "durable") && resume,
    })
}

/// `CancelOptions`: returns `force`.
pub fn cancel(value: &JsValue) -> Arg<bool> {
    let c: records::CancelOptions = optional(value, protocol::CANCEL)?;
    Ok(boolean(&c.force, "cancel options.force")?.unwrap_or(false))
}

/// `GetBackgroundOutputOptions`. An infinite timeout is the same as none.
pub struct OutputArgs {
    pub wait: bool,
    pub timeout: Option<u64>,
    pub since: Option<u64>,
    /// Wait until every descendant is final too.
    pub children: bool,
}

pub fn output(value: &JsValue) -> Arg<OutputArgs> {
    let o: records::OutputOptions = optional(value, protocol::OUTPUT)?;
    let what = "getOutput options";
    Ok(OutputArgs {
        wait: boolean(&o.wait, &format!("{what}.wait"))?.unwrap_or(false),
        timeout: number(&o.timeout, &format!("{what}.timeout"), false)?
            .filter(|ms| ms.is_finite())
            .map(|ms| ms as u64),
        since: number(&o.since, &format!("{what}.since"), false)?.map(|c| {
            if c.is_finite() {
                c as u64
            } else {
                u64::MAX
            }
        }),
        children: boolean(&o.children, &format!("{what}.children"))?.unwrap_or(false),
    })
}

/// `callAgent`'s options: whether to launch a background task. Options that
/// are not an object are the runner's business; `background` in one that
/// is must be a boolean.
pub fn background(value: &JsValue) -> Arg<bool> {
    match read::<records::CallOptions>(value, protocol::CALL) {
        Ok(c) => Ok(boolean(
            &c.unwrap_or_default().background,
            "callAgent options.background",
        )?
        .unwrap_or(false)),
        Err(Unread::NotObject(_)) => Ok(false),
        Err(Unread::Failed(error)) => Err(error),
    }
}

/// `getAllTasks`' filter.
pub fn status_filter(value: &JsValue) -> Arg<Option<Status>> {
    const EXPECTED: &str =
        "status must be one of 'queued', 'running', 'input-required', 'completed', 'error', 'cancelled', 'interrupted'";
    if value.is_undefined() {
        return Ok(None);
    }
    let Some(text) = value.as_string() else {
        return Err(bad_type(EXPECTED, &imports::describe(value)));
    };
    Status::parse(&text)
        .map(Some)
        .ok_or_else(|| bad_value(EXPECTED, &imports::describe(value)))
}

/// An output chunk and its length in UTF-16 code units.
pub fn chunk(value: JsValue) -> Arg<(JsValue, usize)> {
    match value.dyn_ref::<JsString>() {
        Some(text) => {
            let len = text.length() as usize;
            Ok((value, len))
        }
        None => Err(bad_type(
            "chunk must be a string",
            &imports::describe(&value),
        )),
    }
}

/// `callAgent`'s and `launch`'s agent name (as Rust text and as given) and
/// prompt.
pub fn agent_call(agent: JsValue, prompt: JsValue) -> Arg<((String, JsValue), JsValue)> {
    id(&agent, "agent")?;
    if !prompt.is_string() {
        return Err(bad_type(
            "prompt must be a string",
            &imports::describe(&prompt),
        ));
    }
    Ok((with_text(agent), prompt))
}
