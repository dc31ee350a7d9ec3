//! Arguments checked at the boundary, before any state is touched, with the
//! messages and codes of the JS build where the two can be given the same
//! wrong value (WIT's types rule out the rest).
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::bindings::api::{BackgroundManagerOptions, GetBackgroundOutputOptions};
use crate::engine::{Config, EngineError};

pub type Arg<T> = Result<T, EngineError>;

/// The largest delay a JS timer takes: a poll interval past it could not be
/// kept by a JS host, so it is refused here as there.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// A number of ms: `> 0` when `positive`, else `>= 0`; rounded up to a
/// whole number; may be infinite when `infinite`.
pub fn ms(x: Option<f64>, name: &str, positive: bool, infinite: bool) -> Arg<Option<f64>> {
    let Some(x) = x else { return Ok(None) };
    let ok = if positive { x > 0.0 } else { x >= 0.0 };
    if x.is_nan() || !ok {
        let bound = if positive { "> 0" } else { ">= 0" };
        return Err(EngineError::invalid(format!("{name} must be {bound}")));
    }
    if !infinite && !x.is_finite() {
        return Err(EngineError::invalid(format!(
            "{name} must be a finite number"
        )));
    }
    Ok(Some(ceil(x)))
}

/// `f64::ceil` is std's; core has no float rounding on stable.
fn ceil(x: f64) -> f64 {
    if !x.is_finite() || x >= 9_007_199_254_740_992.0 {
        return x;
    }
    let t = x as u64 as f64;
    if t < x {
        t + 1.0
    } else {
        t
    }
}

/// A whole number of at least 1.
fn count(n: Option<u32>, name: &str) -> Arg<Option<usize>> {
    match n {
        Some(0) => Err(EngineError::invalid(format!(
            "{name} must be a whole number >= 1"
        ))),
        n => Ok(n.map(|n| n as usize)),
    }
}

/// The manager's options as the engine's config.
pub fn config(options: Option<BackgroundManagerOptions>) -> Arg<Config> {
    let mut config = Config {
        // Timed only while someone listens (see `Manager::schedule`).
        timed_evictions: false,
        ..Config::default()
    };
    let Some(o) = options else { return Ok(config) };
    if let Some(ms) = ms(o.poll_interval, "options.pollInterval", true, false)? {
        if ms > MAX_TIMER_MS {
            return Err(EngineError::invalid(
                "options.pollInterval must be a finite number of ms up to 2147483647",
            ));
        }
        config.poll_interval = ms as u64;
    }
    if let Some(ms) = ms(o.task_ttl, "options.taskTTL", true, false)? {
        config.task_ttl = ms as u64;
    }
    if let Some(ms) = ms(
        o.cancel_grace_period,
        "options.cancelGracePeriod",
        false,
        false,
    )? {
        config.cancel_grace = ms as u64;
    }
    config.max_concurrent = count(o.max_concurrent, "options.maxConcurrent")?;
    if let Some(n) = count(o.output_cap, "options.outputCap")? {
        config.output_cap = n;
    }
    let mut limits = Vec::new();
    for (agent, limit) in o.agent_limits.unwrap_or_default() {
        let n = count(Some(limit), &format!("options.agentLimits.{agent}"))?;
        limits.extend(n.map(|n| (agent, n)));
    }
    config.agent_limits = limits;
    if let Some(depth) = o.max_depth {
        config.max_depth = depth;
    }
    config.stall = stall_rule(o.stall_after, o.fail_after_stall, "options")?;
    // 0: no limit, as in the JS options.
    config.key_limits = o
        .key_limits
        .unwrap_or_default()
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(key, n)| (key, n as usize))
        .collect();
    Ok(config)
}

/// An id, which must not be empty.
pub fn id(value: &str, name: &str) -> Arg<()> {
    if value.is_empty() {
        return Err(EngineError::invalid(format!("{name} must not be empty")));
    }
    Ok(())
}

pub fn opt_id(value: &Option<String>, name: &str) -> Arg<()> {
    match value {
        Some(v) => id(v, name),
        None => Ok(()),
    }
}

/// A payload, which must be JSON text: it is kept as given.
pub fn json(text: String, name: &str) -> Arg<String> {
    match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        Ok(_) => Ok(text),
        Err(e) => Err(EngineError::invalid(format!(
            "{name} must be JSON text: {e}"
        ))),
    }
}

pub fn opt_json(text: Option<String>, name: &str) -> Arg<Option<String>> {
    text.map(|t| json(t, name)).transpose()
}

/// Whether `call-agent`'s options ask for a background task
/// (`{"background": true}`); options that are not an object are the
/// runner's business, but `background` in one that is must be a boolean
/// (`null` too is refused, as in the JS build).
pub fn background(options: &Option<String>) -> Arg<bool> {
    let Some(text) = options else {
        return Ok(false);
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(false);
    };
    match map.get("background") {
        None => Ok(false),
        Some(serde_json::Value::Bool(b)) => Ok(*b),
        Some(_) => Err(EngineError::invalid(
            "callAgent options.background must be a boolean",
        )),
    }
}

/// `launch`'s `priority`: a whole number in ±2147483647, as the JS build
/// takes it (so `i32::MIN`, which WIT's `s32` allows, is refused).
pub fn priority(priority: Option<i32>) -> Arg<i32> {
    match priority {
        Some(i32::MIN) => Err(EngineError::invalid(
            "launch options.priority must be a whole number from -2147483647 to 2147483647",
        )),
        p => Ok(p.unwrap_or(0)),
    }
}

/// `get-output`'s options: wait, timeout (none: forever) and since.
pub struct Output {
    pub wait: bool,
    pub timeout: Option<u64>,
    pub since: Option<u64>,
    /// Wait until every descendant is final too.
    pub children: bool,
}

pub fn output(options: Option<GetBackgroundOutputOptions>) -> Arg<Output> {
    let o = options.unwrap_or(GetBackgroundOutputOptions {
        wait: None,
        timeout: None,
        since: None,
        children: None,
    });
    let what = "getOutput options";
    let timeout = ms(o.timeout, &format!("{what}.timeout"), false, true)?;
    let since = ms(o.since, &format!("{what}.since"), false, true)?;
    Ok(Output {
        wait: o.wait.unwrap_or(false),
        timeout: timeout.filter(|t| t.is_finite()).map(|t| t as u64),
        since: since.map(|c| if c.is_finite() { c as u64 } else { u64::MAX }),
        children: o.children.unwrap_or(false),
    })
}

/// `stall-after` (ms > 0) and `fail-after-stall` (ms >= 0) of `what`.
pub fn stall_rule(
    after: Option<f64>,
    fail: Option<f64>,
    what: &str,
) -> Arg<crate::engine::StallRule> {
    let after = ms(after, &alloc::format!("{what}.stallAfter"), true, false)?;
    let fail = ms(fail, &alloc::format!("{what}.failAfterStall"), false, false)?;
    if after.is_none() && fail.is_some() {
        return Err(EngineError::invalid(alloc::format!(
            "{what}.failAfterStall needs {what}.stallAfter"
        )));
    }
    Ok(crate::engine::StallRule {
        after: after.map_or(0, |ms| ms as u64),
        fail_after: fail.map(|ms| ms as u64),
    })
}

/// `launch`'s `retry` and `fallback`; `None` for one attempt.
pub fn retry_rule(
    retry: Option<super::bindings::api::RetryRule>,
    fallback: Option<Vec<String>>,
) -> Arg<Option<crate::engine::RetryRule>> {
    let fallback = fallback.unwrap_or_default();
    if fallback.iter().any(String::is_empty) {
        return Err(EngineError::invalid(
            "launch options.fallback must hold non-empty names",
        ));
    }
    let attempts = retry
        .as_ref()
        .and_then(|r| r.attempts)
        .unwrap_or(fallback.len() as u32 + 1);
    if !(1..=64).contains(&attempts) {
        return Err(EngineError::invalid(
            "launch options.retry.attempts must be from 1 to 64",
        ));
    }
    let d = crate::engine::RetryRule::default();
    let r = retry.as_ref().and_then(|r| r.backoff.as_ref());
    // A delay a JS timer can keep, as the JS build asks.
    let delay = |x: Option<f64>, name: &str| -> Arg<Option<u64>> {
        match ms(x, name, false, false)? {
            Some(x) if x > MAX_TIMER_MS => Err(EngineError::invalid(format!(
                "{name} must be a number from 0 to 2147483647"
            ))),
            x => Ok(x.map(|x| x as u64)),
        }
    };
    let initial = delay(
        r.and_then(|r| r.initial),
        "launch options.retry.backoff.initial",
    )?
    .unwrap_or(d.initial);
    let max = delay(r.and_then(|r| r.max), "launch options.retry.backoff.max")?
        .unwrap_or(d.max.max(initial));
    let factor = r.and_then(|r| r.factor).unwrap_or(d.factor);
    let jitter = r.and_then(|r| r.jitter).unwrap_or(d.jitter);
    if !(1.0..=1000.0).contains(&factor) || !(0.0..=1.0).contains(&jitter) || max < initial {
        return Err(EngineError::invalid(
            "launch options.retry: factor from 1 to 1000, jitter from 0 to 1, max >= initial",
        ));
    }
    // Checked first, as in the JS build: a wrong backoff is refused even
    // for a single attempt.
    if attempts == 1 {
        return Ok(None);
    }
    Ok(Some(crate::engine::RetryRule {
        attempts,
        initial,
        max,
        factor,
        jitter,
        fallback,
    }))
}
