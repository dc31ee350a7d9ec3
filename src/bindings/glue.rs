//! The imports from `glue.js`.
use alloc::string::String;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/bindings/glue.js")]
extern "C" {
    /// A UUID's canonical text from its 16 bytes, as four big-endian words.
    #[wasm_bindgen(js_name = uuidText)]
    pub fn uuid_text(a: u32, b: u32, c: u32, d: u32) -> JsValue;

    #[wasm_bindgen(js_name = launchView)]
    pub fn launch_view(agent: &str, prompt: &str) -> JsValue;

    #[wasm_bindgen(js_name = taskObject)]
    #[allow(clippy::too_many_arguments)]
    pub fn task_object(
        id: &JsValue,
        status: u8,
        created_at: f64,
        updated_at: f64,
        options: &JsValue,
        session_id: &JsValue,
        launch: &JsValue,
        result: &JsValue,
        error: Option<&str>,
        output: Option<&str>,
    ) -> JsValue;

    #[wasm_bindgen(js_name = outputObject)]
    pub fn output_object(
        task_id: &JsValue,
        status: u8,
        output: Option<&str>,
        cursor: f64,
        result: &JsValue,
        error: Option<&str>,
        timed_out: bool,
    ) -> JsValue;

    #[wasm_bindgen(js_name = eventObject)]
    pub fn event_object(
        kind: u8,
        task_id: &JsValue,
        status: u8,
        previous: u8,
        chunk: Option<&str>,
        cursor: f64,
        task: &JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = callListener)]
    pub fn call_listener(listener: &Function, event: &JsValue);

    pub fn once(f: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: u8, message: &str, code: &str) -> JsValue;

    #[wasm_bindgen(js_name = makeArgError)]
    pub fn make_arg_error(kind: u8, message: &str, value: &JsValue) -> JsValue;

    pub fn notify(session: &JsValue, task_id: &JsValue, status: u8, timestamp: f64);

    /// `setInterval(f, ms)` or `setTimeout(f, ms)`; returns the timer's id.
    #[wasm_bindgen(js_name = setTimer)]
    pub fn set_timer(f: &JsValue, ms: u32, repeat: bool) -> JsValue;

    #[wasm_bindgen(js_name = clearTimer)]
    pub fn clear_timer(id: &JsValue);

    /// Calls `f` once with the session's status, or undefined if asking failed.
    #[wasm_bindgen(js_name = askStatus)]
    pub fn ask_status(session: &JsValue, f: &JsValue);

    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(error: &JsValue) -> String;

    #[wasm_bindgen(js_name = idProblem)]
    pub fn id_problem(value: &JsValue) -> u8;

    /// `bag[KEYS[k]]`; throws what a getter throws.
    #[wasm_bindgen(catch)]
    pub fn keyed(bag: &JsValue, k: u8) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = isBag)]
    pub fn is_bag(value: &JsValue) -> bool;

    #[wasm_bindgen(js_name = startRun)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_run(
        runner: &JsValue,
        sink: &JsValue,
        seq: f64,
        task_id: &JsValue,
        agent: &str,
        prompt: &str,
        session_id: &JsValue,
        options: &JsValue,
    ) -> JsValue;

    /// Calls `f(ok, value)` once the runner settles: its result, or its
    /// error's text.
    #[wasm_bindgen(js_name = watchRun)]
    pub fn watch_run(run: &JsValue, f: &JsValue);

    #[wasm_bindgen(js_name = runDone)]
    pub fn run_done(run: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = abortRun)]
    pub fn abort_run(run: &JsValue);

    #[wasm_bindgen(js_name = closeRun)]
    pub fn close_run(run: &JsValue);

    #[wasm_bindgen(js_name = simulatedRunner)]
    pub fn simulated_runner(delay: f64) -> JsValue;

    #[wasm_bindgen(js_name = backgroundReply)]
    pub fn background_reply(status: u8, task_id: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = onSettled)]
    pub fn on_settled(promise: &Promise, f: &JsValue);
}
