//! The imports from `glue.js`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/bindings/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = taskObject)]
    #[allow(clippy::too_many_arguments)]
    pub fn task_object(
        id: &str,
        status: u8,
        created_at: f64,
        updated_at: f64,
        options: &JsValue,
        session_id: Option<&str>,
        result: &JsValue,
        error: Option<&str>,
        output: Option<&str>,
    ) -> JsValue;

    #[wasm_bindgen(js_name = outputObject)]
    pub fn output_object(
        task_id: &str,
        status: u8,
        output: &str,
        result: &JsValue,
        error: Option<&str>,
        timed_out: bool,
    ) -> JsValue;

    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: u8, message: &str, code: &str) -> JsValue;

    pub fn notify(session: &JsValue, task_id: &str, status: u8, timestamp: f64);

    #[wasm_bindgen(js_name = askStatus)]
    pub fn ask_status(session: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(error: &JsValue) -> String;

    #[wasm_bindgen(js_name = idProblem)]
    pub fn id_problem(value: &JsValue) -> u8;

    pub fn describe(value: &JsValue) -> String;

    #[wasm_bindgen(js_name = isBag)]
    pub fn is_bag(value: &JsValue) -> bool;

    #[wasm_bindgen(js_name = agentReply)]
    pub fn agent_reply(agent: &str, prompt: &str, response: &str) -> JsValue;
}
