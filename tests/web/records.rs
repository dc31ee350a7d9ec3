//! The records serde-wasm-bindgen makes (`src/bindgen/records.rs`): plain
//! objects with exactly their keys, optional ones left out rather than
//! `undefined` (except a completed task's `result`, present even when
//! undefined), and the caller's own values in them passed through as they
//! are. With the durable build, the stored task record, written to
//! IndexedDB and read back by another manager.
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn quiet() -> (JsValue, SessionProbe) {
    (
        obj(&[("pollInterval", 600_000.into())]),
        session("s", &array(&["running".into()])),
    )
}

#[wasm_bindgen_test]
async fn output_results_have_their_keys_and_the_callers_values() {
    let (options, probe) = quiet();
    let m = initialized(&options, &probe).await;
    // An id with a character outside ASCII and one outside the BMP, and
    // output whose length in UTF-16 units differs from its UTF-8 bytes.
    let id = JsValue::from("tâsk-😀");
    let task = resolves(m.create_task(&obj(&[("id", id.clone())])), "createTask").await;
    assert_eq!(get(&task, "id"), id);
    // Waits made while the task runs: answered with the record Rust makes.
    let waiting = m.get_output(&id, &obj(&[("wait", true.into())]));
    resolves(m.append_output(&id, &"héllo 😀".into()), "appendOutput").await;
    let result = obj(&[("nested", array(&[1.into(), 2.into()]).into())]);
    resolves(m.complete_task(&id, &result), "completeTask").await;

    let out = resolves(waiting, "the wait for completion").await;
    assert_eq!(keys(&out), "taskId,status,output,cursor,result");
    assert!(same(&get(&out, "taskId"), &id));
    assert!(same(&get(&out, "result"), &result), "result copied");
    assert_eq!(text(&out, "output"), "héllo 😀");
    assert_eq!(num(&out, "cursor"), 8.0, "cursor in UTF-16 units");

    // A failed task: `error`, no `result`.
    let failed = resolves(m.create_task(&obj(&[])), "createTask").await;
    let failed_id = get(&failed, "id");
    let waiting = m.get_output(&failed_id, &obj(&[("wait", true.into())]));
    resolves(m.fail_task(&failed_id, &"bad".into()), "failTask").await;
    let out = resolves(waiting, "the wait for failure").await;
    assert_eq!(keys(&out), "taskId,status,output,cursor,error");
    assert_eq!(text(&out, "error"), "bad");

    // A wait that timed out: `timedOut`, neither `result` nor `error`.
    let live = resolves(m.create_task(&obj(&[])), "createTask").await;
    let out = resolves(
        m.get_output(
            &get(&live, "id"),
            &obj(&[("wait", true.into()), ("timeout", 20.into())]),
        ),
        "a wait timing out",
    )
    .await;
    assert_eq!(keys(&out), "taskId,status,output,cursor,timedOut");
    assert_eq!(get(&out, "timedOut"), JsValue::TRUE);
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn a_task_completed_by_its_session_has_an_undefined_result() {
    let probe = session("s", &array(&["completed".into()]));
    let m = initialized(&obj(&[("pollInterval", 20.into())]), &probe).await;
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    let out = resolves(
        m.get_output(&get(&task, "id"), &obj(&[("wait", true.into())])),
        "the poll completing the task",
    )
    .await;
    assert_eq!(text(&out, "status"), "completed");
    assert_eq!(keys(&out), "taskId,status,output,cursor,result");
    assert!(get(&out, "result").is_undefined());
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn events_and_background_replies_have_their_keys() {
    let progress = obj(&[("done", 1.into()), ("total", 2.into())]);
    let value = obj(&[("ok", true.into())]);
    let (options, probe) = quiet();
    js_sys::Reflect::set(
        &options,
        &"runner".into(),
        &sync_runner(&value, "chunk", &progress),
    )
    .unwrap();
    let m = initialized(&options, &probe).await;
    let events = recorder();
    let _off = m.subscribe(&events.listener());

    let reply = resolves(
        m.call_agent(
            &"a".into(),
            &"p".into(),
            &obj(&[("background", true.into())]),
        ),
        "callAgent in the background",
    )
    .await;
    assert_eq!(keys(&reply), "status,taskId", "{}", describe(&reply));
    assert_eq!(text(&reply, "status"), "running");
    let id = get(&reply, "taskId");
    resolves(
        events.until_event(&status_is("completed")),
        "the run completing",
    )
    .await;

    let seen = events.events();
    assert_eq!(
        kinds(&seen),
        "created:queued status:running output progress status:completed",
        "{}",
        describe(&seen)
    );
    let [created, started, output, reported, completed] = [0, 1, 2, 3, 4].map(|i| seen.get(i));
    for event in [&created, &started, &output, &reported, &completed] {
        assert!(same(&get(event, "taskId"), &id));
    }
    assert_eq!(keys(&created), "type,taskId,status,task");
    assert_eq!(keys(&started), "type,taskId,status,previous,task");
    assert_eq!(keys(&output), "type,taskId,chunk,cursor");
    assert_eq!(text(&output, "chunk"), "chunk");
    assert_eq!(num(&output, "cursor"), 5.0);
    assert_eq!(keys(&reported), "type,taskId,progress");
    assert_eq!(keys(&completed), "type,taskId,status,previous,task");
    assert_eq!(text(&completed, "previous"), "running");
    // One frozen report, shared by the event and the snapshot.
    let snapshot = get(&completed, "task");
    assert!(same(
        &get(&reported, "progress"),
        &get(&snapshot, "progress")
    ));
    assert!(same(&get(&snapshot, "result"), &value));
    resolves(m.cleanup(), "cleanup").await;
}

/// The stored record of a task, written by one manager into IndexedDB and
/// loaded by the next: serialized and deserialized by serde-wasm-bindgen.
#[cfg(feature = "durable")]
#[wasm_bindgen_test]
async fn a_task_record_round_trips_through_indexeddb() {
    let name = format!("web-{}", js_sys::Date::now());
    let store = obj(&[("indexedDB", name.as_str().into())]);
    let options = || obj(&[("pollInterval", 600_000.into()), ("store", store.clone())]);
    let probe = session("s", &array(&["running".into()]));
    let m = initialized(&options(), &probe).await;
    let given = obj(&[
        ("tags", array(&["x".into(), "ü".into()]).into()),
        ("depth", 2.5.into()),
    ]);
    let id = JsValue::from("stored-😀");
    let task = resolves(
        m.create_task(&obj(&[("id", id.clone()), ("options", given)])),
        "createTask",
    )
    .await;
    resolves(m.append_output(&id, &"out 😀".into()), "appendOutput").await;
    let result = obj(&[("answer", array(&[JsValue::NULL, "r".into()]).into())]);
    resolves(m.complete_task(&id, &result), "completeTask").await;
    resolves(probe.until(1), "the notification").await;
    // The inbox's message, a serde record too, carries its stable id.
    let sent = probe.sent().get(0);
    assert_eq!(keys(&sent), "type,taskId,status,timestamp,notificationId");
    resolves(m.cleanup(), "cleanup").await;

    let probe = session("s", &array(&["running".into()]));
    let m = initialized(&options(), &probe).await;
    let loaded = resolves(m.get_task(&id), "getTask after loading").await;
    assert_eq!(
        text(&loaded, "status"),
        "completed",
        "{}",
        describe(&loaded)
    );
    assert_eq!(get(&loaded, "id"), id);
    assert_eq!(
        show(&get(&loaded, "options")),
        r#"{"tags":["x","ü"],"depth":2.5}"#
    );
    assert_eq!(show(&get(&loaded, "result")), r#"{"answer":[null,"r"]}"#);
    assert_eq!(text(&loaded, "output"), "out 😀");
    assert_eq!(num(&loaded, "createdAt"), num(&task, "createdAt"));
    assert_eq!(text(&loaded, "sessionId"), "s");
    resolves(m.cleanup(), "cleanup").await;
}
