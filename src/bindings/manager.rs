//! The exported class: each method checks its arguments, runs one engine
//! operation, and answers with a Promise. Methods take `&self`, so calls that
//! overlap (from callbacks, or concurrent awaits) never trip a borrow.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::state::{self, Resolvers, Shared};
use super::{args, convert, glue};
use crate::engine::{simulated_reply, Engine, EngineError, Wait};

#[wasm_bindgen]
pub struct BackgroundManager {
    shared: Shared,
}

fn settle(result: Result<JsValue, JsValue>) -> Promise {
    match result {
        Ok(value) => Promise::resolve(&value),
        Err(error) => Promise::reject(&error),
    }
}

/// Runs a method body; its error becomes the rejection, never a throw.
fn answer(body: impl FnOnce() -> Result<JsValue, JsValue>) -> Promise {
    settle(body())
}

#[wasm_bindgen]
impl BackgroundManager {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            js_name = "options",
            unchecked_optional_param_type = "BackgroundManagerOptions"
        )]
        options: JsValue,
    ) -> Result<BackgroundManager, JsValue> {
        let config = args::config(&options)?;
        Ok(BackgroundManager {
            shared: state::new_shared(Engine::new(config)),
        })
    }

    /// Stores the session (replacing any previous one) and starts polling.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn initialize(
        &self,
        #[wasm_bindgen(js_name = "session", unchecked_param_type = "AgentSession")]
        session: JsValue,
    ) -> Promise {
        answer(|| {
            let session_id = args::session(&session)?;
            state::run(&self.shared, |st, now| {
                st.engine.initialize(session, session_id.into(), now);
                state::start_polling(&self.shared, st);
            })?;
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = createTask, unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn create_task(
        &self,
        #[wasm_bindgen(
            js_name = "options",
            unchecked_param_type = "CreateBackgroundTaskOptions"
        )]
        options: JsValue,
    ) -> Promise {
        answer(|| {
            let a = args::create(&options)?;
            state::try_run(&self.shared, |st, now| {
                st.engine
                    .create(a.id.as_deref(), a.session_id.as_deref(), a.options, now)
                    .map(convert::task_object)
            })
        })
    }

    #[wasm_bindgen(js_name = completeTask, unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn complete_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(js_name = "result", unchecked_optional_param_type = "unknown")]
        result: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            state::try_run(&self.shared, |st, now| {
                st.engine
                    .complete(&id, result, now)
                    .map(convert::task_object)
            })
        })
    }

    #[wasm_bindgen(js_name = failTask, unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn fail_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(js_name = "error", unchecked_param_type = "string | Error")] error: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            let message = glue::error_text(&error);
            state::try_run(&self.shared, |st, now| {
                st.engine.fail(&id, &message, now).map(convert::task_object)
            })
        })
    }

    #[wasm_bindgen(js_name = cancelTask, unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn cancel_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "CancelOptions")]
        options: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            let force = args::cancel(&options)?;
            state::try_run(&self.shared, |st, now| {
                st.engine.cancel(&id, force, now).map(convert::task_object)
            })
        })
    }

    /// Resolves `null` for an unknown id.
    #[wasm_bindgen(js_name = getTask, unchecked_return_type = "Promise<BackgroundTask | null>")]
    pub fn get_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            state::run(&self.shared, |st, now| {
                st.engine
                    .get(&id, now)
                    .map_or(JsValue::NULL, convert::task_object)
            })
        })
    }

    /// Every task in creation order, or only those in `status`.
    #[wasm_bindgen(js_name = getAllTasks, unchecked_return_type = "Promise<BackgroundTask[]>")]
    pub fn get_all_tasks(
        &self,
        #[wasm_bindgen(
            js_name = "status",
            unchecked_optional_param_type = "BackgroundTaskStatus"
        )]
        status: JsValue,
    ) -> Promise {
        answer(|| {
            let filter = args::status_filter(&status)?;
            state::run(&self.shared, |st, now| {
                convert::task_list(st.engine.all(filter, now))
            })
        })
    }

    /// Cancels every running task; resolves with them in creation order.
    #[wasm_bindgen(js_name = cancelAllTasks, unchecked_return_type = "Promise<BackgroundTask[]>")]
    pub fn cancel_all_tasks(
        &self,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "CancelOptions")]
        options: JsValue,
    ) -> Promise {
        answer(|| {
            let force = args::cancel(&options)?;
            state::run(&self.shared, |st, now| {
                convert::task_list(st.engine.cancel_all(force, now))
            })
        })
    }

    /// The task's output now or, with `wait`, once it is final (or `timeout`
    /// ms have passed).
    #[wasm_bindgen(js_name = getOutput, unchecked_return_type = "Promise<GetBackgroundOutputResult>")]
    pub fn get_output(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(
            js_name = "options",
            unchecked_optional_param_type = "GetBackgroundOutputOptions"
        )]
        options: JsValue,
    ) -> Promise {
        let parsed = args::id(&task_id, "taskId")
            .and_then(|id| args::output(&options).map(|(w, t)| (id, w, t)));
        let (id, wait, timeout) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Promise::reject(&error),
        };
        if !wait {
            return settle(state::try_run(&self.shared, |st, now| {
                st.engine
                    .get(&id, now)
                    .map(|task| convert::output_object(task, false))
                    .ok_or_else(|| EngineError::not_found(&id))
            }));
        }
        Promise::new(&mut |resolve, reject| {
            let waiter = Resolvers {
                resolve,
                reject: reject.clone(),
            };
            let ready = state::try_run(&self.shared, |st, now| {
                Ok(match st.engine.wait_for(&id, true, timeout, waiter, now)? {
                    Wait::Ready {
                        task,
                        timed_out,
                        waiter,
                    } => Some((convert::output_object(task, timed_out), waiter)),
                    Wait::Pending => None,
                })
            });
            // Answered here, with the borrow released.
            match ready {
                Ok(Some((output, waiter))) => {
                    let _ = waiter.resolve.call1(&JsValue::UNDEFINED, &output);
                }
                Ok(None) => {}
                Err(error) => {
                    let _ = reject.call1(&JsValue::UNDEFINED, &error);
                }
            }
        })
    }

    /// Stops the timers, rejects pending waiters with `DISPOSED` and forgets
    /// every task and the session. `initialize` may be called again after.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn cleanup(&self) -> Promise {
        settle(
            state::run(&self.shared, |st, _| {
                st.engine.dispose();
                state::stop_timers(st);
            })
            .map(|()| JsValue::UNDEFINED),
        )
    }

    /// Calls an agent. Until runners arrive this is the built-in simulated
    /// agent: deterministic, offline.
    #[wasm_bindgen(js_name = callAgent, unchecked_return_type = "Promise<any>")]
    pub fn call_agent(
        &self,
        #[wasm_bindgen(js_name = "agent", unchecked_param_type = "string")] agent: JsValue,
        #[wasm_bindgen(js_name = "prompt", unchecked_param_type = "string")] prompt: JsValue,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "any")]
        _options: JsValue,
    ) -> Promise {
        settle(args::agent_call(&agent, &prompt).map(|(agent, prompt)| {
            let reply = simulated_reply(&agent, &prompt);
            glue::agent_reply(&agent, &prompt, &reply)
        }))
    }
}
