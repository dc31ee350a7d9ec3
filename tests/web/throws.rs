//! Thrown JS values never unwind through Rust: every call into user code is
//! guarded (`calls.js`) or a `catch` import, whatever is thrown (a symbol,
//! `null`, a revoked Proxy). A throw that went through the skin would skip
//! its Rust frames and leave its state mid-update (a borrow held, effects
//! left undelivered): so each test shows the manager working on after it.
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// Values that are not `Error`s, as user code may throw them.
fn odd_values() -> Vec<JsValue> {
    vec![
        js_sys::Symbol::for_("thrown").into(),
        JsValue::NULL,
        JsValue::UNDEFINED,
        revoked_proxy(),
    ]
}

/// Launches a task and waits for the outcome of its run (`what`, for the
/// message if it never comes).
async fn run_to_end(m: &BackgroundManager, what: &str) -> JsValue {
    let task = resolves(
        m.launch(&obj(&[("agent", "a".into()), ("prompt", "p".into())])),
        "launch",
    )
    .await;
    resolves(
        m.get_output(&get(&task, "id"), &obj(&[("wait", true.into())])),
        what,
    )
    .await
}

#[wasm_bindgen_test]
async fn values_thrown_by_every_callback_leave_the_manager_working() {
    // console.warn and console.error, where the manager reports what
    // callbacks threw, throw too.
    let console = hostile_console();
    for thrown in odd_values() {
        let events = recorder();
        let session = obj(&[
            ("id", "s".into()),
            ("getStatus", thrower(&thrown)),
            ("sendMessage", thrower(&thrown)),
        ]);
        let m = manager(&obj(&[
            ("pollInterval", 20.into()),
            ("runner", thrower(&thrown)),
        ]));
        resolves(m.initialize(&session), "initialize").await;
        let _bad = m.subscribe(&thrower(&thrown).into());
        let _good = m.subscribe(&events.listener());

        // A runner that throws at once fails its task; the listener before
        // the recorder throws at every event; sendMessage throws at its
        // notification; getStatus throws at every poll.
        let out = run_to_end(&m, "the thrown run").await;
        assert_eq!(text(&out, "status"), "error", "{}", describe(&out));

        // Polls that threw are failures, not the end of polling: the
        // interval and its deadline still run and answer.
        let made = resolves(m.create_task(&obj(&[])), "createTask").await;
        let id = get(&made, "id");
        let timed = resolves(
            m.get_output(&id, &obj(&[("wait", true.into()), ("timeout", 60.into())])),
            "a wait timing out between failing polls",
        )
        .await;
        assert_eq!(get(&timed, "timedOut"), JsValue::TRUE);
        resolves(m.complete_task(&id, &"done".into()), "completeTask").await;
        resolves(
            events.until_event(&status_is("completed")),
            "the events after the throws",
        )
        .await;
        assert_eq!(
            kinds(&events.events()),
            "created:queued status:running status:error created:running status:completed",
        );
        resolves(m.cleanup(), "cleanup").await;
    }
    let reported = console.calls();
    console.restore();
    assert!(reported > 0, "nothing was reported");
}

#[wasm_bindgen_test]
async fn hostile_arguments_are_coded_errors_and_change_nothing() {
    // The constructor reads its options through a catch import.
    for options in [
        throwing_getter("pollInterval", &js_sys::Symbol::for_("getter").into()),
        revoked_proxy(),
    ] {
        match try_manager(&options) {
            Ok(_) => panic!(
                "new BackgroundManager({}) did not throw",
                describe(&options)
            ),
            Err(error) => assert_coded(&error, "INVALID_ARGUMENT"),
        }
    }

    let probe = session("s", &array(&["running".into()]));
    let m = initialized(
        &obj(&[
            ("pollInterval", 600_000.into()),
            ("runner", throwing_then_runner(&"then threw".into())),
        ]),
        &probe,
    )
    .await;
    for options in [
        revoked_proxy(),
        throwing_getter("agent", &JsValue::NULL),
        obj(&[
            ("agent", "a".into()),
            ("prompt", "p".into()),
            ("id", revoked_proxy()),
        ]),
    ] {
        let error = rejects(m.launch(&options), "launch with a hostile argument").await;
        assert_coded(&error, "INVALID_ARGUMENT");
    }
    let error = rejects(m.get_task(&revoked_proxy()), "getTask(revoked Proxy)").await;
    assert_coded(&error, "INVALID_ARGUMENT");

    // None of that made a task; a `then` getter that throws is the run's
    // failure, with what it threw as the error.
    let out = run_to_end(&m, "the run").await;
    assert_eq!(text(&out, "status"), "error");
    assert_eq!(text(&out, "error"), "then threw");
    let all = resolves(m.get_task(&get(&out, "taskId")), "getTask").await;
    assert_eq!(text(&all, "status"), "error");
    resolves(m.cleanup(), "cleanup").await;
}
