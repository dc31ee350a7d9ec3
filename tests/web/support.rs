//! The public class as the package exports it (`manager.js`, the same
//! snippet the crate imports, so the same module instance), the user code of
//! `support.js`, and small helpers to build options and read answers.
use std::cell::Cell;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/facade/manager.js")]
extern "C" {
    #[derive(Clone)]
    pub type BackgroundManager;

    #[wasm_bindgen(constructor, catch)]
    fn construct(options: &JsValue) -> Result<BackgroundManager, JsValue>;

    #[wasm_bindgen(method)]
    pub fn initialize(this: &BackgroundManager, session: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    pub fn launch(this: &BackgroundManager, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = createTask)]
    pub fn create_task(this: &BackgroundManager, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = completeTask)]
    pub fn complete_task(this: &BackgroundManager, id: &JsValue, result: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = failTask)]
    pub fn fail_task(this: &BackgroundManager, id: &JsValue, error: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = cancelTask)]
    pub fn cancel_task(this: &BackgroundManager, id: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = appendOutput)]
    pub fn append_output(this: &BackgroundManager, id: &JsValue, chunk: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = getTask)]
    pub fn get_task(this: &BackgroundManager, id: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = getOutput)]
    pub fn get_output(this: &BackgroundManager, id: &JsValue, options: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = callAgent)]
    pub fn call_agent(
        this: &BackgroundManager,
        agent: &JsValue,
        prompt: &JsValue,
        options: &JsValue,
    ) -> Promise;
    #[wasm_bindgen(method)]
    pub fn subscribe(this: &BackgroundManager, listener: &Function) -> Function;
    #[wasm_bindgen(method)]
    pub fn cleanup(this: &BackgroundManager) -> Promise;
}

#[wasm_bindgen(module = "/tests/web/support.js")]
extern "C" {
    fn within(promise: &Promise, ms: u32, what: &str) -> Promise;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: u32) -> Promise;

    #[wasm_bindgen(js_name = restorePage)]
    fn restore_page();

    pub type TimerSpy;
    #[wasm_bindgen(js_name = timerSpy)]
    fn page_timer_spy() -> TimerSpy;
    #[wasm_bindgen(method, js_name = liveTimeouts)]
    pub fn live_timeouts(this: &TimerSpy) -> u32;
    #[wasm_bindgen(method, js_name = liveIntervals)]
    pub fn live_intervals(this: &TimerSpy) -> u32;
    #[wasm_bindgen(method)]
    pub fn restore(this: &TimerSpy);

    pub type SessionProbe;
    /// A session answering getStatus from `answers` in turn.
    pub fn session(id: &str, answers: &Array) -> SessionProbe;
    #[wasm_bindgen(method, getter)]
    pub fn session(this: &SessionProbe) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn sent(this: &SessionProbe) -> Array;
    #[wasm_bindgen(method, getter)]
    pub fn polls(this: &SessionProbe) -> u32;
    #[wasm_bindgen(method)]
    pub fn until(this: &SessionProbe, messages: u32) -> Promise;

    pub type Recorder;
    pub fn recorder() -> Recorder;
    #[wasm_bindgen(method, getter)]
    pub fn listener(this: &Recorder) -> Function;
    #[wasm_bindgen(method, getter)]
    pub fn events(this: &Recorder) -> Array;
    #[wasm_bindgen(method, js_name = until)]
    pub fn until_event(this: &Recorder, pred: &Function) -> Promise;
    #[wasm_bindgen(js_name = statusIs)]
    pub fn status_is(status: &str) -> Function;

    #[wasm_bindgen(js_name = resolvingRunner)]
    pub fn resolving_runner(value: &JsValue, ms: u32, chunk: &str) -> JsValue;
    #[wasm_bindgen(js_name = rejectingRunner)]
    pub fn rejecting_runner(reason: &JsValue, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = thenableRunner)]
    pub fn thenable_runner(value: &JsValue, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = syncRunner)]
    pub fn sync_runner(value: &JsValue, chunk: &str, progress: &JsValue) -> JsValue;
    pub fn never() -> Promise;

    pub type Hanging;
    #[wasm_bindgen(js_name = hangingRunner)]
    pub fn hanging_runner() -> Hanging;
    #[wasm_bindgen(method, getter)]
    pub fn runner(this: &Hanging) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn aborted(this: &Hanging) -> Promise;

    pub fn thrower(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = revokedProxy)]
    pub fn revoked_proxy() -> JsValue;
    #[wasm_bindgen(js_name = throwingGetter)]
    pub fn throwing_getter(key: &str, value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = throwingThenRunner)]
    pub fn throwing_then_runner(value: &JsValue) -> JsValue;

    pub type HostileConsole;
    #[wasm_bindgen(js_name = hostileConsole)]
    fn page_hostile_console() -> HostileConsole;
    #[wasm_bindgen(method, getter)]
    pub fn calls(this: &HostileConsole) -> u32;
    #[wasm_bindgen(method)]
    pub fn restore(this: &HostileConsole);

    pub fn keys(value: &JsValue) -> String;
    pub fn same(a: &JsValue, b: &JsValue) -> bool;
    #[wasm_bindgen(js_name = isError)]
    pub fn is_error(value: &JsValue) -> bool;
    #[wasm_bindgen(js_name = isRuntimeError)]
    pub fn is_runtime_error(value: &JsValue) -> bool;
    pub fn show(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = hasKey)]
    pub fn has_key(value: &JsValue, key: &str) -> bool;
}

/// Slack for an event that should come: a failure, never a measure.
pub const SLACK_MS: u32 = 10_000;

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

/// A failing assertion panics, and a panic on wasm unwinds nothing: a
/// test's own cleanup never runs. So a panic first puts back what the test
/// replaced on the page (its timer functions, its console), then reports as
/// the harness does.
fn restore_on_panic() {
    if !HOOKED.replace(true) {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_page();
            report(info);
        }));
    }
}

/// Counts the timers made from now on (`support.js`'s `timerSpy`).
pub fn timer_spy() -> TimerSpy {
    restore_on_panic();
    page_timer_spy()
}

/// Makes the console throw at the manager's reports
/// (`support.js`'s `hostileConsole`).
pub fn hostile_console() -> HostileConsole {
    restore_on_panic();
    page_hostile_console()
}

/// `new BackgroundManager(options)`, or what it threw. The first one runs
/// the module's start function, which the test runner does not run.
pub fn try_manager(options: &JsValue) -> Result<BackgroundManager, JsValue> {
    // Every test makes a manager before it can fail: the hook is in place
    // before the first panic (after which no hook can be set).
    restore_on_panic();
    if !STARTED.replace(true) {
        background_manager::start_for_tests();
    }
    BackgroundManager::construct(options)
}

pub fn manager(options: &JsValue) -> BackgroundManager {
    try_manager(options).unwrap_or_else(|e| panic!("new BackgroundManager threw: {}", describe(&e)))
}

/// A manager with `options` and `probe`'s session initialized.
pub async fn initialized(options: &JsValue, probe: &SessionProbe) -> BackgroundManager {
    let m = manager(options);
    resolves(m.initialize(&probe.session()), "initialize").await;
    m
}

/// What `promise` resolves with; fails the test if it rejects or does not
/// settle within the slack.
pub async fn resolves(promise: Promise, what: &str) -> JsValue {
    match JsFuture::from(within(&promise, SLACK_MS, what)).await {
        Ok(value) => value,
        Err(e) => panic!("{what}: rejected with {}", describe(&e)),
    }
}

/// What `promise` rejects with; fails the test if it resolves or does not
/// settle within the slack.
pub async fn rejects(promise: Promise, what: &str) -> JsValue {
    match JsFuture::from(within(&promise, SLACK_MS, what)).await {
        Ok(value) => panic!(
            "{what}: resolved with {} instead of rejecting",
            describe(&value)
        ),
        Err(e) if has_key(&e, "message") && text(&e, "message").starts_with("no answer within") => {
            panic!("{}", text(&e, "message"))
        }
        Err(e) => e,
    }
}

pub async fn sleep(ms: u32) {
    JsFuture::from(sleep_promise(ms)).await.expect("sleep");
}

/// A plain object of `fields`.
pub fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (key, value) in fields {
        Reflect::set(&o, &JsValue::from_str(key), value).expect("set a field");
    }
    o.into()
}

pub fn array(values: &[JsValue]) -> Array {
    values.iter().collect()
}

pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or_else(|_| panic!("reading {key} threw"))
}

/// A string field; fails the test if it is not a string.
pub fn text(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string in {}", describe(value)))
}

pub fn num(value: &JsValue, key: &str) -> f64 {
    get(value, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {}", describe(value)))
}

/// A value for a failure message.
pub fn describe(value: &JsValue) -> String {
    if is_error(value) {
        let code = get(value, "code").as_string().unwrap_or_default();
        return format!("{} [{code}]", text(value, "message"));
    }
    show(value)
}

/// Checks that `error` is a real `Error` with `code`, not a trap.
pub fn assert_coded(error: &JsValue, code: &str) {
    assert!(!is_runtime_error(error), "a trap: {}", describe(error));
    assert!(is_error(error), "not an Error: {}", describe(error));
    assert_eq!(
        get(error, "code").as_string().as_deref(),
        Some(code),
        "{}",
        describe(error)
    );
}

/// The types of `events` as `type:status` (`type` alone without one),
/// joined by spaces.
pub fn kinds(events: &Array) -> String {
    events
        .iter()
        .map(|e| match get(&e, "status").as_string() {
            Some(status) => format!("{}:{status}", text(&e, "type")),
            None => text(&e, "type"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
