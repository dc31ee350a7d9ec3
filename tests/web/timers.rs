//! The skin's two gloo-timers (`src/bindgen/timers.rs`): the `Timeout` that fires
//! at the engine's next deadline, and the `Interval` that polls the session.
//! Every call runs what is due first, so each test makes its calls, then
//! waits for what only a timer can bring, with no call in between.
use js_sys::Date;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// Polling slow enough never to matter where a test is about deadlines.
fn no_polling() -> (JsValue, SessionProbe) {
    (
        obj(&[("pollInterval", 600_000.into())]),
        session("s", &array(&["running".into()])),
    )
}

#[wasm_bindgen_test]
async fn the_deadline_timer_answers_a_wait_that_times_out() {
    let (options, probe) = no_polling();
    let m = initialized(&options, &probe).await;
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    let id = get(&task, "id");

    let asked = Date::now();
    let wait = m.get_output(&id, &obj(&[("wait", true.into()), ("timeout", 100.into())]));
    // Nothing calls the manager from here on: only the timer can answer.
    let out = resolves(wait, "a wait with a 100 ms timeout").await;
    assert_eq!(get(&out, "timedOut"), JsValue::TRUE, "{}", describe(&out));
    assert_eq!(text(&out, "status"), "running");
    // Answered when due, not before (the engine reads Date.now too).
    assert!(Date::now() - asked >= 100.0, "answered early");
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn the_deadline_timer_is_one_js_timer_rearmed_for_an_earlier_deadline() {
    let spy = timer_spy();
    let (options, probe) = no_polling();
    let m = initialized(&options, &probe).await;
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    let id = get(&task, "id");
    // The task's TTL is the one deadline: one timer.
    assert_eq!(spy.live_timeouts(), 1);

    // Each wait's deadline comes before all the others: the timer is armed
    // again for it, and the one it replaces is cleared (dropping a gloo
    // `Timeout` clears it).
    let waits: Vec<_> = [250, 200, 150, 100, 50]
        .into_iter()
        .map(|ms| {
            let wait = m.get_output(&id, &obj(&[("wait", true.into()), ("timeout", ms.into())]));
            assert_eq!(spy.live_timeouts(), 1, "after a wait of {ms} ms");
            wait
        })
        .collect();
    // The timer, re-armed as each deadline passes, answers all of them.
    for wait in waits {
        let out = resolves(wait, "a wait timing out").await;
        assert_eq!(get(&out, "timedOut"), JsValue::TRUE);
    }
    assert_eq!(spy.live_timeouts(), 1, "armed for the TTL again");
    resolves(m.cleanup(), "cleanup").await;
    assert_eq!(spy.live_timeouts(), 0, "cleanup clears the timer");
    spy.restore();
}

#[wasm_bindgen_test]
async fn the_deadline_timer_fails_a_task_past_its_ttl() {
    let (options, probe) = no_polling();
    js_sys::Reflect::set(&options, &"taskTTL".into(), &150.into()).unwrap();
    let m = initialized(&options, &probe).await;
    let events = recorder();
    let _off = m.subscribe(&events.listener());
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;

    // Heard from the timer's callback: the change and its effects (the
    // event, the notification) happen there, with no call to run them.
    let ended = resolves(
        events.until_event(&status_is("error")),
        "the task failing at its TTL",
    )
    .await;
    assert_eq!(text(&ended, "previous"), "running");
    resolves(probe.until(1), "the notification").await;
    let sent = probe.sent().get(0);
    assert_eq!(text(&sent, "status"), "error");
    assert_eq!(get(&sent, "taskId"), get(&task, "id"));
    let snapshot = get(&ended, "task");
    let error = text(&snapshot, "error");
    assert!(error.ends_with("timed out after 150 ms"), "{error}");
    // Recorded as of its deadline, however late the timer ran.
    assert_eq!(
        num(&snapshot, "updatedAt"),
        num(&task, "createdAt") + 150.0,
        "{}",
        describe(&snapshot)
    );
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn the_polling_interval_asks_until_the_session_answers_then_stops() {
    let probe = session(
        "s",
        &array(&["running".into(), "running".into(), "completed".into()]),
    );
    let spy = timer_spy();
    let m = initialized(&obj(&[("pollInterval", 30.into())]), &probe).await;
    assert_eq!(spy.live_intervals(), 0, "no task runs: no polling");
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    assert_eq!(spy.live_intervals(), 1);

    // Three ticks of the interval: two answers that change nothing, then
    // the one that completes the session's running task.
    resolves(probe.until(1), "the completion the third poll brings").await;
    let sent = probe.sent().get(0);
    assert_eq!(text(&sent, "status"), "completed");
    assert_eq!(get(&sent, "taskId"), get(&task, "id"));
    let polls = probe.polls();
    assert_eq!(polls, 3, "one poll per answer until the last");

    // Nothing runs any more: the interval is cleared, not left ticking.
    assert_eq!(spy.live_intervals(), 0, "the interval outlived the polling");
    sleep(300).await;
    assert_eq!(probe.polls(), polls, "polled with no running task");
    resolves(m.cleanup(), "cleanup").await;
    spy.restore();
}
