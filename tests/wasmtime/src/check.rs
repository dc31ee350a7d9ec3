//! What the component really imports and exports, as wasmtime reads it from
//! the binary: the two WASI interfaces only, and the manager resource with
//! every method of the WIT contract.
use anyhow::{ensure, Context, Result};
use wasmtime::component::types::ComponentItem;

use crate::host::Runtime;

const METHODS: [&str; 21] = [
    "[static]background-manager.open",
    "[method]background-manager.initialize",
    "[method]background-manager.create-task",
    "[method]background-manager.launch",
    "[method]background-manager.complete-task",
    "[method]background-manager.fail-task",
    "[method]background-manager.cancel-task",
    "[method]background-manager.get-task",
    "[method]background-manager.get-all-tasks",
    "[method]background-manager.cancel-all-tasks",
    "[method]background-manager.get-output",
    "[method]background-manager.append-output",
    "[method]background-manager.subscribe",
    "[method]background-manager.cleanup",
    "[method]background-manager.call-agent",
    "[method]background-manager.advance",
    "[method]background-manager.take-effects",
    "[method]background-manager.run-write",
    "[method]background-manager.run-settled",
    "[method]background-manager.begin-poll",
    "[method]background-manager.finish-poll",
];

pub fn interface(rt: &Runtime) -> Result<()> {
    let ty = rt.component.component_type();
    let mut imports: Vec<String> = ty.imports(&rt.engine).map(|(n, _)| n.to_string()).collect();
    imports.sort();
    ensure!(
        imports.len() == 2
            && imports[0].starts_with("wasi:clocks/wall-clock@0.2.")
            && imports[1].starts_with("wasi:random/random@0.2."),
        "the component imports {imports:?}, not just the wall clock and random"
    );
    let (_, manager) = ty
        .exports(&rt.engine)
        .find(|(n, _)| *n == "agents:background-manager/manager@0.1.0")
        .context("the manager interface is not exported")?;
    let ComponentItem::ComponentInstance(manager) = manager.ty else {
        anyhow::bail!("the manager export is not an instance");
    };
    let names: Vec<String> = manager
        .exports(&rt.engine)
        .map(|(n, _)| n.to_string())
        .collect();
    ensure!(
        names.iter().any(|n| n == "background-manager"),
        "no background-manager resource in {names:?}"
    );
    for method in METHODS {
        ensure!(
            names.iter().any(|n| n == method),
            "{method} is not exported"
        );
    }
    println!(
        "ok - the component imports {} and exports the background-manager resource with {} functions",
        imports.join(" and "),
        METHODS.len()
    );
    Ok(())
}

/// What only the component has: payloads must be JSON text, and numbers a
/// host hands back stale change nothing.
pub fn contract(rt: &Runtime) -> Result<()> {
    use crate::host::{api, Host};
    let mut h = Host::open(rt, None)?.map_err(|e| anyhow::anyhow!(e.message))?;
    let session = api::AgentSession { id: "s".into() };
    let n = h.call(|a, s, m| a.call_initialize(s, m, &session))?;
    ensure!(n.is_ok_and(|n| n == 1), "the first session is number 1");
    let bad = api::CreateBackgroundTaskOptions {
        id: Some("t".into()),
        session_id: None,
        options: "{not json".into(),
    };
    let r = h.call(|a, s, m| a.call_create_task(s, m, &bad))?;
    ensure!(
        matches!(&r, Err(e) if e.code == api::ErrorCode::InvalidArgument && e.message.contains("JSON")),
        "options that are not JSON are refused"
    );
    let good = api::CreateBackgroundTaskOptions {
        options: " { \"kept\" : [1, 2.50] } ".into(),
        ..bad
    };
    let t = h
        .call(|a, s, m| a.call_create_task(s, m, &good))?
        .map_err(|e| anyhow::anyhow!(e.message))?;
    ensure!(t.options == good.options, "the JSON text is kept as given");
    let r = h.call(|a, s, m| a.call_complete_task(s, m, "t", Some(&"undefined".to_string())))?;
    ensure!(
        matches!(&r, Err(e) if e.code == api::ErrorCode::InvalidArgument),
        "a result that is not JSON is refused"
    );
    // A run number that names no run, and a poll token that is not the
    // current one, change nothing.
    ensure!(!h.call(|a, s, m| a.call_run_write(s, m, 12345, "x"))?);
    h.call(|a, s, m| a.call_run_settled(s, m, 12345, Ok(&"1".to_string())))?;
    h.call(|a, s, m| a.call_finish_poll(s, m, 999, Some("completed")))?;
    let t = h
        .call(|a, s, m| a.call_get_task(s, m, "t"))?
        .map_err(|e| anyhow::anyhow!(e.message))?;
    ensure!(t.is_some_and(|t| t.status == api::BackgroundTaskStatus::Running));
    // A run whose result is not JSON fails its task, saying why.
    let launch = api::LaunchOptions {
        agent: "a".into(),
        prompt: "p".into(),
        id: Some("r".into()),
        session_id: None,
        options: None,
        resume: None,
        concurrency_key: None,
        priority: None,
        parent_id: None,
        idempotency_key: None,
        on_conflict: None,
        stall_after: None,
        fail_after_stall: None,
        retry: None,
        fallback: None,
    };
    h.call(|a, s, m| a.call_launch(s, m, &launch))?
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let (&run, _) = h
        .carried
        .runs
        .iter()
        .next()
        .context("the launch started a run")?;
    h.call(|a, s, m| a.call_run_settled(s, m, run, Ok(&"{oops".to_string())))?;
    let r = h
        .call(|a, s, m| a.call_get_task(s, m, "r"))?
        .map_err(|e| anyhow::anyhow!(e.message))?
        .context("task r")?;
    ensure!(
        r.status == api::BackgroundTaskStatus::Error
            && r.error.as_deref().is_some_and(|e| e.contains("JSON")),
        "a run's result that is not JSON fails its task: {:?}",
        r.error
    );
    ensure!(r.options == "null", "a launch without options shows null");
    println!("ok - payloads must be JSON and are kept as given; stale run and poll numbers change nothing");
    Ok(())
}
