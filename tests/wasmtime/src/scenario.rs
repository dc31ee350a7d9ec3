//! The shared scenarios (tests/scenarios/README.md gives the format), run
//! on the component: each step's JSON arguments become WIT values, each
//! answer becomes the JSON the ES module would give, and is matched as
//! tests/scenarios/run.mjs matches it.
use std::collections::HashMap;

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde_json::{json, Map, Value};

use crate::host::{api, Host, Runtime};

/// An answer: JSON, or a coded error.
type Answer = std::result::Result<Value, (String, String)>;

/// What a call gave: an answer now, or the waiter that will get it.
enum Reply {
    Now(Answer),
    Later(u64),
}

pub fn run_all(rt: &Runtime, file: &str) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let all: Value = serde_json::from_str(&text)?;
    let scenarios = all["scenarios"].as_array().context("no scenarios")?;
    let (mut passed, mut failed) = (0, 0);
    for (i, s) in scenarios.iter().enumerate() {
        let name = s["name"].as_str().unwrap_or("?");
        match run(rt, s) {
            Ok(()) => {
                passed += 1;
                println!("ok {} - component under wasmtime: {name}", i + 1);
            }
            Err(e) => {
                failed += 1;
                println!(
                    "not ok {} - component under wasmtime: {name}\n  {e:#}",
                    i + 1
                );
            }
        }
    }
    println!("# pass {passed}\n# fail {failed}");
    ensure!(failed == 0, "{failed} scenarios failed");
    Ok(())
}

fn code(e: &api::ManagerError) -> String {
    use api::ErrorCode as C;
    match e.code {
        C::TaskNotFound => "TASK_NOT_FOUND",
        C::InvalidTransition => "INVALID_TRANSITION",
        C::DuplicateId => "DUPLICATE_ID",
        C::NotInitialized => "NOT_INITIALIZED",
        C::InvalidArgument => "INVALID_ARGUMENT",
        C::Disposed => "DISPOSED",
        C::RandomUnavailable => "RANDOM_UNAVAILABLE",
        C::StoreFailed => "STORE_FAILED",
        C::Internal => "INTERNAL",
    }
    .to_string()
}

fn coded(e: api::ManagerError) -> Answer {
    Err((code(&e), e.message))
}

fn status(s: api::BackgroundTaskStatus) -> Value {
    use api::BackgroundTaskStatus as S;
    json!(match s {
        S::Queued => "queued",
        S::Running => "running",
        S::InputRequired => "input-required",
        S::Completed => "completed",
        S::Error => "error",
        S::Cancelled => "cancelled",
        S::Interrupted => "interrupted",
    })
}

fn status_of(v: &Value) -> Result<api::BackgroundTaskStatus> {
    use api::BackgroundTaskStatus as S;
    Ok(match v.as_str().context("a status")? {
        "queued" => S::Queued,
        "running" => S::Running,
        "input-required" => S::InputRequired,
        "completed" => S::Completed,
        "error" => S::Error,
        "cancelled" => S::Cancelled,
        "interrupted" => S::Interrupted,
        other => bail!("no status {other}"),
    })
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({ "not JSON": text }))
}

/// Sets `key` when there is a value, as the ES module leaves absent keys out.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.into(), v);
    }
}

fn task(t: api::BackgroundTask) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(t.id));
    m.insert("status".into(), status(t.status));
    m.insert("createdAt".into(), json!(t.created_at));
    m.insert("updatedAt".into(), json!(t.updated_at));
    m.insert("options".into(), parse(&t.options));
    put(&mut m, "sessionId", t.session_id.map(Value::from));
    put(&mut m, "result", t.result.as_deref().map(parse));
    put(&mut m, "error", t.error.map(Value::from));
    put(&mut m, "output", t.output.map(Value::from));
    put(&mut m, "agent", t.agent.map(Value::from));
    put(&mut m, "prompt", t.prompt.map(Value::from));
    put(&mut m, "attempt", t.attempt.map(Value::from));
    put(
        &mut m,
        "progress",
        t.progress.map(|p| Value::Object(progress(p))),
    );
    put(&mut m, "parentId", t.parent_id.map(Value::from));
    put(&mut m, "children", t.children.map(Value::from));
    put(&mut m, "stalledSince", t.stalled_since.map(Value::from));
    put(&mut m, "question", t.question.as_deref().map(parse));
    Value::Object(m)
}

fn progress(p: api::TaskProgress) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("done".into(), json!(p.done));
    put(&mut m, "total", p.total.map(Value::from));
    put(&mut m, "message", p.message.map(Value::from));
    m
}

/// `read-log`'s result as the ES module's `readLog` answers it.
fn log_result(r: api::ReadLogResult) -> Value {
    let entries: Vec<Value> = r
        .entries
        .into_iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("seq".into(), json!(e.seq));
            m.insert("at".into(), json!(e.at));
            let kind = match e.kind {
                api::LogEntryKind::Status(s) => {
                    m.insert("status".into(), status(s.status));
                    put(&mut m, "error", s.error.map(Value::from));
                    "status"
                }
                api::LogEntryKind::Output(o) => {
                    m.insert("text".into(), json!(o.text));
                    m.insert("cursor".into(), json!(o.cursor));
                    "output"
                }
                api::LogEntryKind::Progress(p) => {
                    m.extend(progress(p));
                    "progress"
                }
                api::LogEntryKind::Heartbeat => "heartbeat",
                api::LogEntryKind::Stalled => "stalled",
                api::LogEntryKind::Resumed => "resumed",
                api::LogEntryKind::Retry(r) => {
                    m.insert("attempt".into(), json!(r.attempt));
                    m.insert("error".into(), json!(r.error));
                    m.insert("retryAt".into(), json!(r.retry_at));
                    "retry"
                }
                api::LogEntryKind::Gap(n) => {
                    m.insert("dropped".into(), json!(n));
                    "gap"
                }
            };
            m.insert("type".into(), json!(kind));
            Value::Object(m)
        })
        .collect();
    json!({ "entries": entries, "next": r.next, "final": r.final_ })
}

fn output(o: api::GetBackgroundOutputResult) -> Value {
    let mut m = Map::new();
    m.insert("taskId".into(), json!(o.task_id));
    m.insert("status".into(), status(o.status));
    m.insert("output".into(), json!(o.output));
    m.insert("cursor".into(), json!(o.cursor));
    put(&mut m, "result", o.result.as_deref().map(parse));
    put(&mut m, "error", o.error.map(Value::from));
    put(&mut m, "timedOut", o.timed_out.map(Value::from));
    Value::Object(m)
}

fn notification(n: &api::TaskNotification) -> Value {
    json!({ "type": n.type_, "taskId": n.task_id, "status": status(n.status), "timestamp": n.timestamp })
}

fn answer_of(a: api::Answer) -> Answer {
    match a {
        api::Answer::Output(o) => Ok(output(o)),
        api::Answer::Task(t) => Ok(task(t)),
        api::Answer::Reply(Ok(text)) => Ok(parse(&text)),
        api::Answer::Reply(Err(message)) => Err(("".into(), message)),
    }
}

fn cancel_reply(r: api::CancelReply) -> Reply {
    match r {
        api::CancelReply::Cancelled(t) => Reply::Now(Ok(task(t))),
        api::CancelReply::Stopping(w) => Reply::Later(w),
    }
}

fn text(v: &Value, what: &str) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .with_context(|| format!("{what} must be a string"))
}

fn opt_text(v: &Value, key: &str) -> Result<Option<String>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(s) => text(s, key).map(Some),
    }
}

/// A JS value as the JSON text the component keeps; `None` for undefined.
fn payload(v: Option<&Value>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn f64_of(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

fn manager_options(o: &Value) -> Result<Option<api::BackgroundManagerOptions>> {
    let Some(map) = o.as_object() else {
        return Ok(None);
    };
    // `{ name: n }` as (name, n) pairs.
    let pairs = |v: Option<&Value>| match v {
        Some(Value::Object(limits)) => Some(
            limits
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0) as u32))
                .collect(),
        ),
        _ => None,
    };
    let agent_limits = pairs(map.get("agentLimits"));
    let key_limits = pairs(o.get("limits").and_then(|l| l.get("keys")));
    Ok(Some(api::BackgroundManagerOptions {
        poll_interval: f64_of(o, "pollInterval"),
        task_ttl: f64_of(o, "taskTTL"),
        max_concurrent: o
            .get("maxConcurrent")
            .and_then(Value::as_u64)
            .map(|n| n as u32),
        agent_limits,
        key_limits,
        max_depth: o.get("maxDepth").and_then(Value::as_u64).map(|n| n as u8),
        stall_after: f64_of(o, "stallAfter"),
        fail_after_stall: f64_of(o, "failAfterStall"),
        cancel_grace_period: f64_of(o, "cancelGracePeriod"),
        output_cap: o.get("outputCap").and_then(Value::as_u64).map(|n| n as u32),
    }))
}

fn cancel_options(v: Option<&Value>) -> Option<api::CancelOptions> {
    v.map(|o| api::CancelOptions {
        force: o.get("force").and_then(Value::as_bool),
    })
}

/// Calls method `name` with JSON `args`.
fn call(h: &mut Host, name: &str, args: &[Value]) -> Result<Reply> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let id = |i: usize| text(arg(i), "the task id");
    Ok(match name {
        "createTask" => {
            let o = arg(0);
            let options = api::CreateBackgroundTaskOptions {
                id: opt_text(o, "id")?,
                session_id: opt_text(o, "sessionId")?,
                options: payload(o.get("options")).unwrap_or_else(|| "null".into()),
            };
            let r = h.call(|api, store, m| api.call_create_task(store, m, &options))?;
            Reply::Now(r.map(task).or_else(coded))
        }
        "launch" => {
            let o = arg(0);
            let options = api::LaunchOptions {
                agent: text(&o["agent"], "agent")?,
                prompt: text(&o["prompt"], "prompt")?,
                id: opt_text(o, "id")?,
                session_id: opt_text(o, "sessionId")?,
                options: payload(o.get("options")),
                resume: o.get("resume").and_then(Value::as_bool),
                concurrency_key: opt_text(o, "concurrencyKey")?,
                priority: o.get("priority").and_then(Value::as_i64).map(|n| n as i32),
                parent_id: opt_text(o, "parentId")?,
                retry: o.get("retry").map(|r| api::RetryRule {
                    attempts: r.get("attempts").and_then(Value::as_u64).map(|n| n as u32),
                    backoff: r.get("backoff").map(|b| api::RetryBackoff {
                        initial: f64_of(b, "initial"),
                        max: f64_of(b, "max"),
                        factor: f64_of(b, "factor"),
                        jitter: f64_of(b, "jitter"),
                    }),
                }),
                fallback: o.get("fallback").and_then(Value::as_array).map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                }),
                stall_after: f64_of(o, "stallAfter"),
                fail_after_stall: match o.get("failAfterStall") {
                    Some(Value::Bool(true)) => Some(0.0),
                    other => other.and_then(Value::as_f64),
                },
                idempotency_key: opt_text(o, "idempotencyKey")?,
                on_conflict: match o.get("onConflict").and_then(Value::as_str) {
                    Some("join") => Some(api::OnConflict::Join),
                    Some("enqueue") => Some(api::OnConflict::Enqueue),
                    Some("replace") => Some(api::OnConflict::Replace),
                    Some(_) => Some(api::OnConflict::Reject),
                    None => None,
                },
            };
            let r = h.call(|api, store, m| api.call_launch(store, m, &options))?;
            Reply::Now(r.map(task).or_else(coded))
        }
        "pause" | "resume" => {
            let pause = name == "pause";
            h.call(|api, store, m| {
                if pause {
                    api.call_pause(store, m)
                } else {
                    api.call_resume(store, m)
                }
            })?;
            Reply::Now(Ok(Value::Null))
        }
        "completeTask" => {
            let (id, result) = (id(0)?, payload(args.get(1)));
            let r =
                h.call(|api, store, m| api.call_complete_task(store, m, &id, result.as_ref()))?;
            Reply::Now(r.map(task).or_else(coded))
        }
        "respond" => {
            let (id, answer) = (
                id(0)?,
                payload(args.get(1)).unwrap_or_else(|| "null".into()),
            );
            let r = h.call(|api, store, m| api.call_respond(store, m, &id, &answer))?;
            Reply::Now(r.map(task).or_else(coded))
        }
        "failTask" => {
            let (id, error) = (id(0)?, text(arg(1), "error")?);
            let r = h.call(|api, store, m| api.call_fail_task(store, m, &id, &error))?;
            Reply::Now(r.map(task).or_else(coded))
        }
        "cancelTask" => {
            let (id, o) = (id(0)?, cancel_options(args.get(1)));
            let r = h.call(|api, store, m| api.call_cancel_task(store, m, &id, o))?;
            match r {
                Ok(reply) => cancel_reply(reply),
                Err(e) => Reply::Now(coded(e)),
            }
        }
        "getTask" => {
            let id = id(0)?;
            let r = h.call(|api, store, m| api.call_get_task(store, m, &id))?;
            Reply::Now(r.map(|t| t.map_or(Value::Null, task)).or_else(coded))
        }
        "getAllTasks" => {
            let filter = args.first().map(status_of).transpose()?;
            let all = h.call(|api, store, m| api.call_get_all_tasks(store, m, filter))?;
            Reply::Now(Ok(Value::Array(all.into_iter().map(task).collect())))
        }
        "cancelAllTasks" => {
            let o = cancel_options(args.first());
            let all = h.call(|api, store, m| api.call_cancel_all_tasks(store, m, o))?;
            let mut tasks = Vec::new();
            for reply in all {
                match cancel_reply(reply) {
                    Reply::Now(Ok(t)) => tasks.push(t),
                    _ => bail!(
                        "cancelAllTasks left a run stopping; the scenarios do not wait for it"
                    ),
                }
            }
            Reply::Now(Ok(Value::Array(tasks)))
        }
        "getOutput" => {
            let id = id(0)?;
            let o = args.get(1).map(|o| api::GetBackgroundOutputOptions {
                wait: o.get("wait").and_then(Value::as_bool),
                timeout: f64_of(o, "timeout"),
                since: f64_of(o, "since"),
                children: o.get("children").and_then(Value::as_bool),
            });
            let r = h.call(|api, store, m| api.call_get_output(store, m, &id, o))?;
            match r {
                Ok(api::OutputReply::Ready(o)) => Reply::Now(Ok(output(o))),
                Ok(api::OutputReply::Waiting(w)) => Reply::Later(w),
                Err(e) => Reply::Now(coded(e)),
            }
        }
        "readLog" => {
            let id = id(0)?;
            let o = args.get(1).map(|o| api::ReadLogOptions {
                after: o.get("after").and_then(Value::as_u64),
                limit: o.get("limit").and_then(Value::as_u64).map(|n| n as u32),
            });
            let r = h.call(|api, store, m| api.call_read_log(store, m, &id, o))?;
            Reply::Now(r.map(log_result).or_else(coded))
        }
        "appendOutput" => {
            let (id, chunk) = (id(0)?, text(arg(1), "chunk")?);
            let r = h.call(|api, store, m| api.call_append_output(store, m, &id, &chunk))?;
            Reply::Now(r.map(|()| Value::Null).or_else(coded))
        }
        "callAgent" => {
            let (agent, prompt) = (text(arg(0), "agent")?, text(arg(1), "prompt")?);
            let options = payload(args.get(2));
            let r = h.call(|api, store, m| {
                api.call_call_agent(store, m, &agent, &prompt, options.as_ref())
            })?;
            match r {
                Ok(api::CallReply::Launched(l)) => Reply::Now(Ok(
                    json!({ "status": status(l.status), "taskId": l.task_id }),
                )),
                Ok(api::CallReply::Waiting(w)) => Reply::Later(w),
                Err(e) => Reply::Now(coded(e)),
            }
        }
        other => bail!("no method {other}"),
    })
}

/// The answer waiter `w` got, if it got one.
fn settled(h: &mut Host, w: u64) -> Option<Answer> {
    if let Some(a) = h.carried.wakes.remove(&w) {
        return Some(answer_of(a));
    }
    h.carried.disposals.remove(&w).map(coded)
}

/// The run `key` names: a task's id, or `call:<prompt>` for a foreground call.
fn run_of(h: &Host, key: &str) -> Option<u64> {
    h.carried.runs.iter().find_map(|(&run, (start, _))| {
        let k = match &start.task_id {
            Some(id) => id.clone(),
            None => format!("call:{}", start.prompt),
        };
        (k == key).then_some(run)
    })
}

fn run(rt: &Runtime, s: &Value) -> Result<()> {
    let options = manager_options(s.get("options").unwrap_or(&Value::Null))?;
    let mut h = match Host::open(rt, options)? {
        Ok(h) => h,
        Err(e) => {
            let want = s["openError"]
                .as_str()
                .with_context(|| format!("open failed: {}", e.message))?;
            ensure!(
                code(&e) == want,
                "open failed with {} ({}), not {want}",
                code(&e),
                e.message
            );
            return Ok(());
        }
    };
    ensure!(
        s.get("openError").is_none(),
        "the options should be refused"
    );
    let mut pending: HashMap<String, (u64, Option<Answer>)> = HashMap::new();
    let steps = s["steps"].as_array().context("no steps")?;
    for (i, step) in steps.iter().enumerate() {
        one(&mut h, step, &mut pending).with_context(|| format!("step {} {step}", i + 1))?;
    }
    h.call(|api, store, m| api.call_cleanup(store, m))?;
    Ok(())
}

fn check_answer(answer: Answer, step: &Value) -> Result<()> {
    match (answer, step.get("error")) {
        (Err((code, message)), Some(want)) => {
            ensure!(
                Some(code.as_str()) == want.as_str(),
                "failed with {code} ({message}), not {want}"
            );
            if let Some(m) = step.get("message") {
                matches(&json!(message), m, "message")?;
            }
            Ok(())
        }
        (Ok(v), Some(want)) => bail!("should fail with {want}, answered {v}"),
        (Err((code, message)), None) => bail!("failed: {code} {message}"),
        (Ok(v), None) => {
            check_times(&v)?;
            match step.get("expect") {
                Some(e) => matches(&v, e, "$"),
                None => Ok(()),
            }
        }
    }
}

fn one(
    h: &mut Host,
    step: &Value,
    pending: &mut HashMap<String, (u64, Option<Answer>)>,
) -> Result<()> {
    // Waiters woken since the last step.
    for (w, answer) in pending.values_mut() {
        if answer.is_none() {
            *answer = settled(h, *w);
        }
    }
    if let Some(id) = step.get("initialize") {
        let session = api::AgentSession {
            id: text(id, "session id")?,
        };
        h.call(|api, store, m| api.call_initialize(store, m, &session))?
            .map_err(|e| anyhow!("initialize: {}", e.message))?;
    } else if let Some(st) = step.get("session") {
        h.status = text(st, "status")?;
    } else if let Some(name) = step.get("call") {
        let name = text(name, "call")?;
        let args = step
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let reply = call(h, &name, &args)?;
        match (step.get("as").and_then(Value::as_str), reply) {
            (Some(as_), Reply::Now(a)) => {
                pending.insert(as_.into(), (u64::MAX, Some(a)));
            }
            (Some(as_), Reply::Later(w)) => {
                let now = settled(h, w);
                pending.insert(as_.into(), (w, now));
            }
            (None, Reply::Now(a)) => check_answer(a, step)?,
            (None, Reply::Later(_)) => bail!("{name} did not answer at once"),
        }
    } else if let Some(name) = step.get("await").and_then(Value::as_str) {
        let (_, answer) = pending
            .remove(name)
            .with_context(|| format!("no call {name}"))?;
        let answer = answer.with_context(|| format!("{name} is still pending"))?;
        check_answer(answer, step)?;
    } else if let Some(name) = step.get("pending").and_then(Value::as_str) {
        let (_, answer) = pending
            .get(name)
            .with_context(|| format!("no call {name}"))?;
        ensure!(answer.is_none(), "{name} settled too early");
    } else if let Some(ms) = step.get("sleep").and_then(Value::as_u64) {
        h.sleep(ms)?;
    } else if step.get("cleanup").is_some() {
        h.call(|api, store, m| api.call_cleanup(store, m))?;
    } else if let Some(n) = step.get("polls").and_then(Value::as_u64) {
        ensure!(
            h.polls == n,
            "{} getStatus calls since the last polls step, want {n}",
            h.polls
        );
        h.polls = 0;
    } else if let Some(expected) = step.get("notifications") {
        let got: Vec<Value> = h
            .carried
            .notifications
            .drain(..)
            .map(|n| notification(&n))
            .collect();
        matches(&Value::Array(got), expected, "notifications")?;
    } else if let Some(key) = step.get("run").and_then(Value::as_str) {
        let run = run_of(h, key);
        if let Some(started) = step.get("started").and_then(Value::as_bool) {
            ensure!(
                run.is_some() == started,
                "run {key} started: {}",
                run.is_some()
            );
        }
        let run = || run.with_context(|| format!("run {key} never started"));
        if let Some(aborted) = step.get("aborted").and_then(Value::as_bool) {
            let was = h.carried.runs[&run()?].1;
            ensure!(was == aborted, "run {key} aborted: {was}");
        }
        if let Some(chunk) = step.get("write") {
            let (r, chunk) = (run()?, text(chunk, "write")?);
            h.call(|api, store, m| api.call_run_write(store, m, r, &chunk))?;
        }
        if let Some(p) = step.get("progress") {
            let r = run()?;
            let report = api::TaskProgress {
                done: p
                    .get("done")
                    .and_then(Value::as_f64)
                    .context("progress.done")?,
                total: p.get("total").and_then(Value::as_f64),
                message: p.get("message").and_then(Value::as_str).map(str::to_string),
            };
            h.call(|api, store, m| api.call_run_progress(store, m, r, &report))?;
        }
        if step.get("heartbeat").is_some() {
            let r = run()?;
            h.call(|api, store, m| api.call_run_heartbeat(store, m, r))?;
        }
        if let Some(value) = step.get("ok") {
            let (r, v) = (run()?, value.to_string());
            h.call(|api, store, m| api.call_run_settled(store, m, r, Ok(&v)))?;
        }
        if let Some(question) = step.get("ask") {
            let (r, q) = (run()?, question.to_string());
            let timeout = f64_of(step, "timeout");
            h.carried.replies.remove(&r);
            let asked = h.call(|api, store, m| api.call_run_ask(store, m, r, &q, timeout))?;
            if let Err(e) = asked {
                bail!("run {key} could not ask: {}", e.message);
            }
        }
        if let Some(expected) = step.get("answered") {
            let r = run()?;
            let got = match h.carried.replies.get(&r) {
                None => Value::Null,
                Some(api::AskEnd::Answer(a)) => serde_json::from_str(a)?,
                Some(api::AskEnd::TimedOut) => json!("$TimeoutError"),
                Some(api::AskEnd::Aborted) => json!("$AbortError"),
            };
            ensure!(
                &got == expected,
                "run {key}'s question: {got} vs {expected}"
            );
        }
        if let Some(message) = step.get("fail") {
            let (r, msg) = (run()?, text(message, "fail")?);
            let after = f64_of(step, "retryAfter");
            let retryable = step.get("retryable").and_then(Value::as_bool);
            if after.is_some() || retryable.is_some() {
                h.call(|api, store, m| api.call_run_failed(store, m, r, &msg, after, retryable))?;
            } else {
                h.call(|api, store, m| api.call_run_settled(store, m, r, Err(&msg)))?;
            }
        }
    } else {
        bail!("unknown step");
    }
    // Waiters woken by this step.
    for (w, answer) in pending.values_mut() {
        if answer.is_none() {
            *answer = settled(h, *w);
        }
    }
    Ok(())
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// tests/scenarios/run.mjs's `match`, on JSON.
fn matches(actual: &Value, expected: &Value, path: &str) -> Result<()> {
    if let Some(marker) = expected.as_str().filter(|s| s.starts_with('$')) {
        let ok = match marker {
            "$any" => !actual.is_null(),
            "$absent" => actual.is_null(),
            "$number" => actual.is_number(),
            "$uuid" => actual.as_str().is_some_and(is_uuid_v4),
            m if m.starts_with("$contains:") => {
                let part = &m["$contains:".len()..];
                actual.as_str().is_some_and(|s| s.contains(part))
            }
            m => bail!("unknown marker {m}"),
        };
        ensure!(ok, "{path}: {actual} is not {marker}");
        return Ok(());
    }
    match expected {
        Value::Array(items) => {
            let got = actual
                .as_array()
                .with_context(|| format!("{path} is not an array: {actual}"))?;
            ensure!(got.len() == items.len(), "{path}: {actual}");
            for (i, (a, e)) in got.iter().zip(items).enumerate() {
                matches(a, e, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(keys) => {
            ensure!(actual.is_object(), "{path} is not an object: {actual}");
            for (k, e) in keys {
                matches(
                    actual.get(k).unwrap_or(&Value::Null),
                    e,
                    &format!("{path}.{k}"),
                )?;
            }
            Ok(())
        }
        Value::Null => {
            ensure!(actual.is_null(), "{path} should be null: {actual}");
            Ok(())
        }
        Value::Number(n) => {
            ensure!(actual.as_f64() == n.as_f64(), "{path}: {actual}, not {n}");
            Ok(())
        }
        _ => {
            ensure!(actual == expected, "{path}: {actual}, not {expected}");
            Ok(())
        }
    }
}

fn check_times(v: &Value) -> Result<()> {
    match v {
        Value::Array(items) => items.iter().try_for_each(check_times),
        Value::Object(m) => {
            if let (Some(c), Some(u)) = (
                m.get("createdAt").and_then(Value::as_f64),
                m.get("updatedAt").and_then(Value::as_f64),
            ) {
                ensure!(u >= c, "updatedAt < createdAt in {v}");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
