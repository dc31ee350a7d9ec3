//! The binding layer from Rust, in Node and in headless Chromium (one file
//! for both: run with WASM_BINDGEN_USE_BROWSER=1 for the browser).
#![cfg(target_arch = "wasm32")]

use background_manager::BackgroundManager;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[wasm_bindgen(module = "/tests/web_helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeSession)]
    fn make_session(id: &str, status: &str) -> JsValue;
    #[wasm_bindgen(js_name = sentStatuses)]
    fn sent_statuses(probe: &JsValue) -> String;
    #[wasm_bindgen(js_name = statusCalls)]
    fn status_calls(probe: &JsValue) -> u32;
    #[wasm_bindgen(js_name = setStatus)]
    fn set_status(probe: &JsValue, status: &str);
    fn session(probe: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = errorInfo)]
    fn error_info(error: &JsValue) -> String;
    fn sleep(ms: u32) -> Promise;
    fn field(object: &JsValue, key: &str) -> JsValue;
    fn has(object: &JsValue, key: &str) -> bool;
    #[wasm_bindgen(js_name = setField)]
    fn set_field(object: &JsValue, key: &str, value: &JsValue);
    fn obj(json: &str) -> JsValue;
    #[wasm_bindgen(js_name = settlesThisTurn)]
    fn settles_this_turn(promise: &Promise) -> Promise;
    fn options(json: &str, runner: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = throwingRunner)]
    fn throwing_runner() -> JsValue;
    #[wasm_bindgen(js_name = stubbornRunner)]
    fn stubborn_runner(probe: &JsValue) -> JsValue;
    fn release(probe: &JsValue);
    #[wasm_bindgen(js_name = wasAborted)]
    fn was_aborted(probe: &JsValue) -> bool;
    #[wasm_bindgen(js_name = countingRunner)]
    fn counting_runner(probe: &JsValue) -> JsValue;
    fn peak(probe: &JsValue) -> u32;
    #[wasm_bindgen(js_name = writingRunner)]
    fn writing_runner(lines: u32) -> JsValue;
    #[wasm_bindgen(js_name = throwingListener)]
    fn throwing_listener(probe: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = recordingListener)]
    fn recording_listener(probe: &JsValue) -> JsValue;
    fn heard(probe: &JsValue) -> String;
    #[wasm_bindgen(js_name = cancellingListener)]
    fn cancelling_listener(cancel: &JsValue, probe: &JsValue) -> JsValue;
    fn cancels(probe: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = quietConsoleError)]
    fn quiet_console_error(on: bool);
}

async fn ok(p: Promise) -> JsValue {
    JsFuture::from(p).await.expect("promise rejected")
}

async fn err(p: Promise) -> String {
    error_info(&JsFuture::from(p).await.expect_err("promise fulfilled"))
}

fn s(v: JsValue) -> String {
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

async fn manager(options: &str, status: &str) -> (BackgroundManager, JsValue) {
    with_runner(options, &JsValue::UNDEFINED, status).await
}

async fn with_runner(json: &str, runner: &JsValue, status: &str) -> (BackgroundManager, JsValue) {
    let m = BackgroundManager::new(options(json, runner)).expect("valid options");
    let probe = make_session("session-1", status);
    ok(m.initialize(session(&probe))).await;
    (m, probe)
}

/// Waits (with generous slack: headless timers are throttled) until `done`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        JsFuture::from(sleep(10)).await.unwrap();
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn create_complete_and_notify_once() {
    let (m, probe) = manager("{}", "running").await;
    let task = ok(m.create_task(obj(r#"{"options":{"agent":"default"}}"#))).await;
    let id = field(&task, "id");
    assert_eq!(s(field(&task, "status")), "running");
    assert_eq!(s(field(&task, "sessionId")), "session-1");
    let done = ok(m.complete_task(id.clone(), obj(r#"{"result":"Done"}"#))).await;
    assert_eq!(s(field(&done, "status")), "completed");
    assert!(has(&done, "result"));
    let again = err(m.complete_task(id.clone(), JsValue::UNDEFINED)).await;
    assert!(
        again.starts_with("true|Error|INVALID_TRANSITION|Cannot complete task"),
        "{again}"
    );
    assert_eq!(
        sent_statuses(&probe),
        format!("task_completion:{}:completed", s(id))
    );
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn errors_are_error_objects_with_codes() {
    let (m, _probe) = manager("{}", "running").await;
    let unknown = err(m.fail_task("nope".into(), "x".into())).await;
    assert_eq!(unknown, "true|Error|TASK_NOT_FOUND|Task \"nope\" not found");
    let bad_id = err(m.get_task(42.into())).await;
    assert!(
        bad_id.starts_with("true|TypeError|INVALID_ARGUMENT|"),
        "{bad_id}"
    );
    let bad_status = err(m.get_all_tasks("done".into())).await;
    assert!(
        bad_status.starts_with("true|RangeError|INVALID_ARGUMENT|"),
        "{bad_status}"
    );
    ok(m.create_task(obj(r#"{"id":"a","options":1}"#))).await;
    let dup = err(m.create_task(obj(r#"{"id":"a","options":2}"#))).await;
    assert!(dup.starts_with("true|Error|DUPLICATE_ID|"), "{dup}");
    let bad_options = BackgroundManager::new(obj(r#"{"pollInterval":0}"#))
        .err()
        .unwrap();
    assert!(error_info(&bad_options).starts_with("true|RangeError|INVALID_ARGUMENT|"));
    ok(m.cleanup()).await;
    let not_init = err(m.create_task(obj(r#"{"options":null}"#))).await;
    assert!(
        not_init.starts_with("true|Error|NOT_INITIALIZED|"),
        "{not_init}"
    );
}

#[wasm_bindgen_test]
async fn snapshots_are_copies_that_keep_the_callers_values() {
    let (m, _probe) = manager("{}", "running").await;
    let options = obj(r#"{"agent":"default"}"#);
    let task = ok(m.create_task({
        let o = obj("{}");
        set_field(&o, "options", &options);
        o
    }))
    .await;
    set_field(&task, "status", &"hacked".into());
    let again = ok(m.get_task(field(&task, "id"))).await;
    assert_eq!(s(field(&again, "status")), "running");
    assert!(
        field(&again, "options") == options,
        "options is the very object passed"
    );
    assert!(field(&again, "options") != JsValue::from(task.clone()));
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn a_waiting_get_output_resolves_in_the_same_turn_as_the_completion() {
    let (m, _probe) = manager("{}", "running").await;
    let task = ok(m.create_task(obj(r#"{"options":{}}"#))).await;
    let id = field(&task, "id");
    let waiting = m.get_output(id.clone(), obj(r#"{"wait":true,"timeout":60000}"#));
    let second = m.get_output(id.clone(), obj(r#"{"wait":true}"#));
    let turn = settles_this_turn(&waiting);
    ok(m.complete_task(id.clone(), "r".into())).await;
    assert_eq!(ok(turn).await, JsValue::TRUE);
    let out = ok(waiting).await;
    assert_eq!(s(field(&out, "status")), "completed");
    assert_eq!(s(field(&out, "result")), "r");
    assert_eq!(s(field(&out, "output")), "");
    assert_eq!(s(field(&ok(second).await, "status")), "completed");
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn a_wait_times_out_with_the_running_snapshot() {
    let (m, _probe) = manager("{}", "running").await;
    let task = ok(m.create_task(obj(r#"{"options":{}}"#))).await;
    let out = ok(m.get_output(field(&task, "id"), obj(r#"{"wait":true,"timeout":30}"#))).await;
    assert_eq!(s(field(&out, "status")), "running");
    assert_eq!(field(&out, "timedOut"), JsValue::TRUE);
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn ttl_fails_a_running_task_on_time_and_evicts_it_later() {
    let (m, probe) = manager(r#"{"taskTTL":40,"pollInterval":1000000}"#, "running").await;
    let task = ok(m.create_task(obj(r#"{"options":{}}"#))).await;
    let id = field(&task, "id");
    // Polling never ticks here: only the deadline timer can fail the task.
    let out = ok(m.get_output(id.clone(), obj(r#"{"wait":true}"#))).await;
    assert_eq!(s(field(&out, "status")), "error");
    assert!(s(field(&out, "error")).contains("timed out"));
    assert_eq!(
        sent_statuses(&probe),
        format!("task_completion:{}:error", s(id.clone()))
    );
    for _ in 0..500 {
        if ok(m.get_task(id.clone())).await.is_null() {
            break;
        }
        JsFuture::from(sleep(10)).await.unwrap();
    }
    assert!(
        ok(m.get_task(id)).await.is_null(),
        "evicted one TTL after failing"
    );
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn polling_applies_the_session_status() {
    let (m, probe) = manager(r#"{"pollInterval":20}"#, "running").await;
    let mine = field(&ok(m.create_task(obj(r#"{"options":{}}"#))).await, "id");
    let other = field(
        &ok(m.create_task(obj(r#"{"sessionId":"elsewhere","options":{}}"#))).await,
        "id",
    );
    eventually("a few polls", || status_calls(&probe) >= 2).await;
    assert_eq!(
        s(field(&ok(m.get_task(mine.clone())).await, "status")),
        "running"
    );
    set_status(&probe, "error");
    let out = ok(m.get_output(mine.clone(), obj(r#"{"wait":true}"#))).await;
    assert_eq!(s(field(&out, "error")), "Session error");
    assert_eq!(s(field(&ok(m.get_task(other)).await, "status")), "running");
    ok(m.cleanup()).await;
    let calls = status_calls(&probe);
    JsFuture::from(sleep(100)).await.unwrap();
    assert_eq!(status_calls(&probe), calls, "cleanup stops polling");
}

#[wasm_bindgen_test]
async fn cleanup_rejects_waiters_and_allows_a_new_session() {
    let (m, _probe) = manager("{}", "running").await;
    let task = ok(m.create_task(obj(r#"{"options":{}}"#))).await;
    let waiting = m.get_output(field(&task, "id"), obj(r#"{"wait":true}"#));
    ok(m.cleanup()).await;
    let disposed = err(waiting).await;
    assert!(disposed.starts_with("true|Error|DISPOSED|"), "{disposed}");
    assert_eq!(
        js_sys::Array::from(&ok(m.get_all_tasks(JsValue::UNDEFINED)).await).length(),
        0
    );
    let probe = make_session("session-2", "running");
    ok(m.initialize(session(&probe))).await;
    let task = ok(m.create_task(obj(r#"{"options":{}}"#))).await;
    assert_eq!(s(field(&task, "sessionId")), "session-2");
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn fail_task_accepts_any_error_value() {
    let (m, _probe) = manager("{}", "running").await;
    for (value, expected) in [
        (js_sys::Error::new("boom").into(), "boom"),
        (JsValue::from("plain"), "plain"),
        (JsValue::from(42), "42"),
        (JsValue::NULL, "null"),
        (obj(r#"{"message":"from object"}"#), "from object"),
    ] {
        let id = field(&ok(m.create_task(obj(r#"{"options":{}}"#))).await, "id");
        let failed = ok(m.fail_task(id, value)).await;
        assert_eq!(s(field(&failed, "error")), expected);
    }
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn the_simulated_agent_answers() {
    let (m, _probe) = manager(r#"{"simulatedDelay":1}"#, "running").await;
    let reply = ok(m.call_agent(
        "default".into(),
        "Write a summary".into(),
        JsValue::UNDEFINED,
    ))
    .await;
    assert_eq!(s(field(&reply, "agent")), "default");
    assert!(s(field(&reply, "response")).contains("Write a summary"));
    let bad = err(m.call_agent(JsValue::NULL, "x".into(), JsValue::UNDEFINED)).await;
    assert!(bad.starts_with("true|TypeError|INVALID_ARGUMENT|"), "{bad}");
    ok(m.cleanup()).await;
}

fn launch_options(id: &str) -> JsValue {
    obj(&format!(r#"{{"agent":"a","prompt":"p","id":"{id}"}}"#))
}

#[wasm_bindgen_test]
async fn a_runner_that_throws_synchronously_fails_its_task() {
    let (m, _) = with_runner("{}", &throwing_runner(), "running").await;
    ok(m.launch(launch_options("t"))).await;
    let out = ok(m.get_output("t".into(), obj(r#"{"wait":true,"timeout":5000}"#))).await;
    assert_eq!(s(field(&out, "status")), "error");
    assert_eq!(s(field(&out, "error")), "sync boom");
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn a_runner_that_ignores_abort_is_cancelled_after_the_grace_period() {
    let probe = obj("{}");
    let (m, session) = with_runner(
        r#"{"cancelGracePeriod":40}"#,
        &stubborn_runner(&probe),
        "running",
    )
    .await;
    ok(m.launch(launch_options("t"))).await;
    let cancelled = ok(m.cancel_task("t".into(), JsValue::UNDEFINED)).await;
    assert_eq!(s(field(&cancelled, "status")), "cancelled");
    assert!(was_aborted(&probe));
    release(&probe);
    JsFuture::from(sleep(10)).await.unwrap();
    assert_eq!(
        s(field(&ok(m.get_task("t".into())).await, "status")),
        "cancelled"
    );
    assert_eq!(sent_statuses(&session), "task_completion:t:cancelled");
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn a_thousand_tasks_through_a_limit_of_four() {
    let probe = obj("{}");
    let (m, _) = with_runner(
        r#"{"maxConcurrent":4}"#,
        &counting_runner(&probe),
        "running",
    )
    .await;
    for i in 0..1000 {
        ok(m.launch(launch_options(&format!("t{i}")))).await;
    }
    ok(m.get_output("t999".into(), obj(r#"{"wait":true,"timeout":60000}"#))).await;
    for _ in 0..500 {
        let done = js_sys::Array::from(&ok(m.get_all_tasks("completed".into())).await).length();
        if done == 1000 {
            break;
        }
        JsFuture::from(sleep(10)).await.unwrap();
    }
    let done = js_sys::Array::from(&ok(m.get_all_tasks("completed".into())).await).length();
    assert_eq!(done, 1000);
    assert_eq!(peak(&probe), 4);
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn listeners_that_throw_are_isolated_and_listeners_may_cancel() {
    let probe = obj("{}");
    let (m, _) = with_runner("{}", &stubborn_runner(&obj("{}")), "running").await;
    let m = std::rc::Rc::new(m);
    let cancel = {
        let m = m.clone();
        Closure::<dyn FnMut(JsValue) -> Promise>::new(move |id: JsValue| {
            m.cancel_task(id, obj(r#"{"force":true}"#))
        })
    };
    quiet_console_error(true);
    let _unsubscribe = m.subscribe(throwing_listener(&probe)).unwrap();
    let _recording = m.subscribe(recording_listener(&probe)).unwrap();
    let _cancelling = m
        .subscribe(cancelling_listener(cancel.as_ref(), &probe))
        .unwrap();
    ok(m.launch(launch_options("t"))).await;
    let all = ok(cancels(&probe)).await;
    quiet_console_error(false);
    let cancelled = js_sys::Array::from(&all).get(0);
    assert_eq!(s(field(&cancelled, "status")), "cancelled");
    assert_eq!(heard(&probe), "created,status,status");
    ok(m.cleanup()).await;
}

#[wasm_bindgen_test]
async fn output_past_the_cap_and_two_cursor_readers() {
    let (m, _) = with_runner(r#"{"outputCap":4096}"#, &writing_runner(2000), "running").await;
    ok(m.launch(launch_options("t"))).await;
    let (mut a, mut b) = (0.0, 0.0);
    let (mut text_a, mut text_b) = (String::new(), String::new());
    loop {
        let out_a = ok(m.get_output("t".into(), obj(&format!(r#"{{"since":{a}}}"#)))).await;
        text_a += &s(field(&out_a, "output"));
        a = field(&out_a, "cursor").as_f64().unwrap();
        let out_b = ok(m.get_output("t".into(), obj(&format!(r#"{{"since":{b}}}"#)))).await;
        text_b += &s(field(&out_b, "output"));
        b = field(&out_b, "cursor").as_f64().unwrap();
        if s(field(&out_b, "status")) != "running" {
            break;
        }
        JsFuture::from(sleep(1)).await.unwrap();
    }
    let whole = s(field(
        &ok(m.get_output("t".into(), JsValue::UNDEFINED)).await,
        "output",
    ));
    assert!(whole.len() <= 4096);
    assert!(whole.starts_with("line 0000\n") && whole.ends_with("line 1999\n"));
    assert!(whole.contains("bytes of output cut"));
    assert_eq!(a, 20_000.0);
    assert!(text_a.ends_with("line 1999\n") && text_b.ends_with("line 1999\n"));
    ok(m.cleanup()).await;
}
