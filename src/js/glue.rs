//! The imports from `calls.js` and `sim.js`. None of these throws: each
//! calls user code (or touches a user value) inside try/catch, except the
//! two declared `catch`, which report a problem by throwing plain data.
use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/calls.js")]
extern "C" {
    pub fn protocol(
        status: &Array,
        completed: u8,
        error: u8,
        shapes: &Array,
        notice: &Array,
        codes: &Array,
    );

    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: u8, message: &str, code: &str) -> JsValue;

    /// What a value is, for "got ..." in messages.
    pub fn describe(value: &JsValue) -> String;

    /// A thrown value's message, or the value as a string.
    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(value: &JsValue) -> JsValue;

    /// A failed runner's error as a retry hint: -2 not retryable, else
    /// its `retryAfter` in ms, else -1 (`retryHint` in `calls.js`).
    #[wasm_bindgen(js_name = retryHint)]
    pub fn retry_hint(error: &JsValue) -> f64;

    /// 0 a usable id, 1 not a string, 2 empty, 3 a lone surrogate.
    #[wasm_bindgen(js_name = idProblem)]
    pub fn id_problem(value: &JsValue) -> u8;

    /// A plain copy of an options object (see `protocol::SHAPES`); throws
    /// `{ got }` or `{ key, threw }`.
    #[wasm_bindgen(catch)]
    pub fn bag(value: &JsValue, shape: u8) -> Result<JsValue, JsValue>;

    pub fn report(what: &str, error: &JsValue);

    /// Lets go of a promise `calls.js`'s `hold` made (every user promise
    /// Rust awaits): settles it early with the ABANDONED marker.
    pub fn release(held: &Promise);

    #[wasm_bindgen(js_name = isAbandoned)]
    pub fn is_abandoned(value: &JsValue) -> bool;

    /// Deno or Node: a process that a pending timer keeps alive.
    #[wasm_bindgen(js_name = isScriptHost)]
    pub fn is_script_host() -> bool;

    /// `setTimeout(fire, ms)` unref'd, so that it keeps no Deno or Node
    /// process alive; its handle, for `clearTimeout`. Throws (having
    /// cleared it) where the host cannot unref a timer.
    #[wasm_bindgen(catch, js_name = unheldTimeout)]
    pub fn unheld_timeout(fire: &Closure<dyn FnMut()>, ms: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = clearUnheld)]
    pub fn clear_unheld(handle: &JsValue);

    /// Calls `session.sendMessage` with task `task_id`'s notification, made
    /// in JS in one crossing; a held promise if it returned one, else
    /// undefined.
    pub fn notify(
        session: &JsValue,
        task_id: &JsValue,
        status: u8,
        timestamp: f64,
    ) -> Option<Promise>;

    /// The inbox's send: `message` to `session.sendMessage`, as a held
    /// promise that rejects if it threw or rejected.
    #[cfg(feature = "durable")]
    pub fn deliver(session: &JsValue, message: &JsValue) -> Promise;

    /// Whether the page is hidden (`document.visibilityState`; visible
    /// where there is no document or reading it throws).
    #[wasm_bindgen(js_name = isHidden)]
    pub fn is_hidden() -> bool;

    /// Calls `session.getStatus()` and holds the answer.
    #[wasm_bindgen(js_name = askStatus)]
    pub fn ask_status(session: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = startRun)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_run(
        runner: &JsValue,
        view: &JsValue,
        seq: f64,
        task_id: &JsValue,
        agent: &JsValue,
        prompt: &JsValue,
        session_id: &JsValue,
        options: &JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = runDone)]
    pub fn run_done(run: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = abortRun)]
    pub fn abort_run(run: &JsValue);

    #[wasm_bindgen(js_name = closeRun)]
    pub fn close_run(run: &JsValue);

    /// Settles the question a run asks: 0 with `answer`, 1 timed out, 2
    /// aborted (`replyRun` in `calls.js`).
    #[wasm_bindgen(js_name = replyRun)]
    pub fn reply_run(run: &JsValue, how: u8, answer: &JsValue);

    /// A promise with its resolve and reject functions kept beside it.
    pub fn deferred() -> JsValue;
    #[wasm_bindgen(js_name = deferredPromise)]
    pub fn deferred_promise(deferred: &JsValue) -> Promise;
    /// Settles a deferred: resolves with `value`, or rejects with it.
    pub fn settle(deferred: &JsValue, ok: bool, value: &JsValue);

    #[wasm_bindgen(js_name = callListener)]
    pub fn call_listener(listener: &Function, event: &JsValue);

    pub fn once(f: &JsValue) -> JsValue;
}

#[cfg(feature = "durable")]
#[wasm_bindgen(module = "/src/js/durable.js")]
extern "C" {
    /// The store `options.store` names, or a string saying what is wrong;
    /// `timeout`: ms each request to it may take (`storeTimeout`).
    #[wasm_bindgen(js_name = openStore)]
    pub fn open_store(spec: &JsValue, timeout: f64) -> JsValue;
    /// Why `value` (called `path`) cannot be stored, or `""`.
    pub fn unstorable(value: &JsValue, path: &str) -> String;
    /// `{ tasks, notices }` as stored; rejects with a `STORE_FAILED` error.
    #[wasm_bindgen(js_name = loadStore)]
    pub fn load_store(store: &JsValue) -> Promise;
    /// Writes a batch atomically; rejects with a `STORE_FAILED` error.
    #[wasm_bindgen(js_name = commitStore)]
    pub fn commit_store(store: &JsValue, batch: &JsValue) -> Promise;
    /// The `Deno.Kv` of a KV store, or undefined.
    #[wasm_bindgen(js_name = storeKv)]
    pub fn store_kv(store: &JsValue) -> JsValue;
}

// The processes of a manager shared on one KV store (`kv_link.js`, which
// `shared.js` uses).
#[cfg(feature = "durable")]
#[wasm_bindgen(module = "/src/js/kv_link.js")]
extern "C" {
    /// What the KV store lacks for a shared manager, or "".
    #[wasm_bindgen(js_name = missingKvApis)]
    pub fn missing_kv_apis(store: &JsValue) -> String;
}

// The tabs of a shared manager (`options.shared`): the durable build's, so
// `manager.js` gets their class from `set_factory` instead of importing it.
#[cfg(feature = "durable")]
#[wasm_bindgen(module = "/src/js/shared.js")]
extern "C" {
    /// The `Tabs` class.
    #[wasm_bindgen(js_name = tabsClass)]
    pub fn tabs_class() -> JsValue;

    /// The web API a shared manager needs and this runtime lacks, or "".
    #[wasm_bindgen(js_name = missingTabApis)]
    pub fn missing_tab_apis() -> String;
}

#[wasm_bindgen(module = "/src/js/sim.js")]
extern "C" {
    /// The built-in agent used when no runner is given.
    #[wasm_bindgen(js_name = simulatedRunner)]
    pub fn simulated_runner(delay: f64) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/manager.js")]
extern "C" {
    /// The public class, re-exported from the generated module as is (a
    /// class is a function; its TypeScript declaration is in `types.rs`).
    #[wasm_bindgen(reexport, js_name = BackgroundManager, skip_typescript)]
    pub fn background_manager_class();

    /// Gives `manager.js` the function that makes a core, and the durable
    /// build's `Tabs` class (undefined in the default build).
    #[wasm_bindgen(js_name = setFactory)]
    pub fn set_factory(factory: &JsValue, durable: bool, tabs: &JsValue);
}
