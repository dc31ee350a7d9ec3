//! `JsFuture` on the promises user code hands back (`src/bindgen/promises.rs`):
//! a runner's outcome, a foreground `callAgent`, a `getStatus` answer. Each
//! one that resolves or rejects reaches the engine; each that never settles
//! is let go of when it no longer matters.
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn launch(m: &BackgroundManager, agent: &str) -> js_sys::Promise {
    m.launch(&obj(&[("agent", agent.into()), ("prompt", "p".into())]))
}

fn waited() -> JsValue {
    obj(&[("wait", true.into())])
}

#[wasm_bindgen_test]
async fn runner_promises_that_resolve_complete_their_tasks() {
    let value = obj(&[("answer", 42.into())]);
    let options = obj(&[
        ("pollInterval", 600_000.into()),
        ("runner", resolving_runner(&value, 20, "streamed")),
    ]);
    let probe = session("s", &array(&["running".into()]));
    let m = initialized(&options, &probe).await;
    let task = resolves(launch(&m, "a"), "launch").await;
    assert_eq!(text(&task, "status"), "running");

    let out = resolves(m.get_output(&get(&task, "id"), &waited()), "the run").await;
    assert_eq!(text(&out, "status"), "completed", "{}", describe(&out));
    // The very value the promise resolved with, not a copy.
    assert!(same(&get(&out, "result"), &value), "{}", describe(&out));
    assert_eq!(text(&out, "output"), "streamed");

    // A thenable that is not a native promise is followed the same way.
    let m2 = initialized(
        &obj(&[
            ("pollInterval", 600_000.into()),
            ("runner", thenable_runner(&"from a thenable".into(), 20)),
        ]),
        &session("s", &array(&["running".into()])),
    )
    .await;
    let task = resolves(launch(&m2, "a"), "launch").await;
    let out = resolves(m2.get_output(&get(&task, "id"), &waited()), "the run").await;
    assert_eq!(
        text(&out, "result"),
        "from a thenable",
        "{}",
        describe(&out)
    );
    resolves(m.cleanup(), "cleanup").await;
    resolves(m2.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn runner_promises_that_reject_fail_their_tasks() {
    // An Error, and a rejection with a value that is not one.
    let error = js_sys::Error::new("boom");
    for (reason, message) in [
        (JsValue::from(error), "boom"),
        (JsValue::from("just a string"), "just a string"),
    ] {
        let options = obj(&[
            ("pollInterval", 600_000.into()),
            ("runner", rejecting_runner(&reason, 20)),
        ]);
        let probe = session("s", &array(&["running".into()]));
        let m = initialized(&options, &probe).await;
        let task = resolves(launch(&m, "a"), "launch").await;
        let out = resolves(m.get_output(&get(&task, "id"), &waited()), "the run").await;
        assert_eq!(text(&out, "status"), "error", "{}", describe(&out));
        assert_eq!(text(&out, "error"), message);
        resolves(probe.until(1), "the notification").await;
        assert_eq!(text(&probe.sent().get(0), "status"), "error");
        resolves(m.cleanup(), "cleanup").await;
    }
}

#[wasm_bindgen_test]
async fn a_foreground_call_that_never_settles_is_let_go_at_cleanup() {
    let hanging = hanging_runner();
    let options = obj(&[
        ("pollInterval", 600_000.into()),
        ("runner", hanging.runner()),
    ]);
    let m = initialized(&options, &session("s", &array(&["running".into()]))).await;
    let call = m.call_agent(&"a".into(), &"p".into(), &JsValue::UNDEFINED);
    // Past the call's start, so the run is under way when cleanup comes.
    sleep(20).await;
    resolves(m.cleanup(), "cleanup").await;
    // Only letting go of the held promise can settle the call: the runner's
    // own promise never does.
    let error = rejects(call, "the foreground call after cleanup").await;
    assert_coded(&error, "DISPOSED");
    assert_eq!(
        resolves(hanging.aborted(), "the runner's signal").await,
        JsValue::TRUE
    );
}

#[wasm_bindgen_test]
async fn a_background_run_that_never_settles_ends_with_its_grace_period() {
    let hanging = hanging_runner();
    let options = obj(&[
        ("pollInterval", 600_000.into()),
        ("cancelGracePeriod", 50.into()),
        ("runner", hanging.runner()),
    ]);
    let probe = session("s", &array(&["running".into()]));
    let m = initialized(&options, &probe).await;
    let task = resolves(launch(&m, "a"), "launch").await;
    let id = get(&task, "id");
    let cancelled = resolves(m.cancel_task(&id, &JsValue::UNDEFINED), "cancelTask").await;
    assert_eq!(text(&cancelled, "status"), "cancelled");
    assert_eq!(
        resolves(hanging.aborted(), "the runner's signal").await,
        JsValue::TRUE
    );
    // One notification: the run's promise, let go, never reports later.
    resolves(probe.until(1), "the notification").await;
    sleep(100).await;
    assert_eq!(probe.sent().length(), 1, "{}", describe(&probe.sent()));
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn a_poll_that_never_settles_is_abandoned_and_the_next_one_answers() {
    // The first answer never comes; the second completes the task.
    let probe = session("s", &array(&[never().into(), "completed".into()]));
    let m = initialized(&obj(&[("pollInterval", 30.into())]), &probe).await;
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    resolves(probe.until(1), "the completion the second poll brings").await;
    let sent = probe.sent().get(0);
    assert_eq!(text(&sent, "status"), "completed");
    assert_eq!(get(&sent, "taskId"), get(&task, "id"));
    assert_eq!(probe.polls(), 2);
    resolves(m.cleanup(), "cleanup").await;
}
