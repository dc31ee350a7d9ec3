//! The exported class: each method checks its arguments, runs one engine
//! operation, and answers with a Promise. Methods take `&self`, so calls that
//! overlap (from callbacks, or concurrent awaits) never trip a borrow.
use alloc::vec::Vec;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use super::state::{self, Answer, Resolvers, Shared, State};
use super::{args, convert, errors, glue};
use crate::engine::SharedStr;
use crate::engine::{Cancel, Engine, EngineError, Wait};

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

/// The snapshot of task `seq` that a call answers with, `id` being its id
/// as a JS string: the caller's own, or one spelled out for a new task. The
/// call's notifications and events reuse it.
fn answer_for(st: &mut State, seq: u64, id: JsValue) -> JsValue {
    let snapshot = st.engine.by_seq(seq).map_or(JsValue::UNDEFINED, |task| {
        st.strings.task_object(&id, &task)
    });
    st.hint = Some((seq, id));
    snapshot
}

/// The snapshot of task `seq`, just created: its id is the caller's own
/// string (`given`) or spelled out now.
fn answer_created(st: &mut State, seq: u64, given: Option<JsValue>) -> JsValue {
    let id = given.unwrap_or_else(|| {
        st.engine
            .by_seq(seq)
            .map_or(JsValue::UNDEFINED, |task| convert::id_js(&task.id))
    });
    answer_for(st, seq, id)
}

impl BackgroundManager {
    /// A promise for task `seq` once it is final, answered with `answer`;
    /// at once if it already is.
    fn when_final(&self, seq: u64, answer: Answer, timeout: Option<u64>, id: JsValue) -> Promise {
        Promise::new(&mut |resolve, reject| {
            let waiter = Resolvers {
                resolve,
                reject: reject.clone(),
                answer,
                id: id.clone(),
            };
            let ready = state::try_run(&self.shared, |st, _| {
                Ok(match st.engine.wait_seq(seq, true, timeout, waiter)? {
                    Wait::Ready {
                        task,
                        timed_out,
                        waiter,
                    } => Some((waiter.value(&st.strings, &task, timed_out), waiter.resolve)),
                    Wait::Pending => None,
                })
            });
            // Answered here, with the borrow released.
            match ready {
                Ok(Some((value, resolve))) => {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &value);
                }
                Ok(None) => {}
                Err(error) => {
                    let _ = reject.call1(&JsValue::UNDEFINED, &error);
                }
            }
        })
    }
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
        let options = args::options(&options)?;
        Ok(BackgroundManager {
            shared: state::new_shared(Engine::new(options.config), options.runner),
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
                let session_id: SharedStr = session_id.into();
                st.strings.set_session(session_id.clone());
                st.engine.initialize(session, session_id, now);
                state::start_polling(&self.shared, st);
            })?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Creates a running task that the caller drives to its end.
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
            let (id, given) = a.id.unzip();
            state::try_run(&self.shared, |st, now| {
                let seq = st
                    .engine
                    .create(id.as_deref(), a.session_id.as_deref(), a.options, now)?
                    .seq();
                Ok(answer_created(st, seq, given))
            })
        })
    }

    /// Creates a task and runs it through the runner: at once, or `queued`
    /// until the concurrency limits let it start.
    #[wasm_bindgen(unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn launch(
        &self,
        #[wasm_bindgen(js_name = "options", unchecked_param_type = "LaunchOptions")]
        options: JsValue,
    ) -> Promise {
        answer(|| {
            let a = args::launch(&options)?;
            let (id, given) = a.id.unzip();
            state::try_run(&self.shared, |st, now| {
                let seq = st
                    .engine
                    .launch(
                        id.as_deref(),
                        a.session_id.as_deref(),
                        &a.agent,
                        &a.prompt,
                        a.options,
                        now,
                    )?
                    .seq();
                Ok(answer_created(st, seq, given))
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
                let seq = st.engine.complete(&id, result, now)?.seq();
                Ok(answer_for(st, seq, task_id))
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
                let seq = st.engine.fail(&id, &message, now)?.seq();
                Ok(answer_for(st, seq, task_id))
            })
        })
    }

    /// Cancels a task. A running runner is signalled and, without `force`,
    /// given the grace period to stop; the promise resolves once the task is
    /// cancelled.
    #[wasm_bindgen(js_name = cancelTask, unchecked_return_type = "Promise<BackgroundTask>")]
    pub fn cancel_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "CancelOptions")]
        options: JsValue,
    ) -> Promise {
        let parsed = args::id(&task_id, "taskId")
            .and_then(|id| args::cancel(&options).map(|force| (id, force)));
        let (id, force) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Promise::reject(&error),
        };
        let done = state::try_run(&self.shared, |st, now| {
            match st.engine.cancel(&id, force, now)? {
                Cancel::Done(task) => {
                    let seq = task.seq();
                    Ok(Ok(answer_for(st, seq, task_id.clone())))
                }
                Cancel::Stopping(seq) => Ok(Err(seq)),
            }
        });
        match done {
            Ok(Ok(task)) => Promise::resolve(&task),
            Ok(Err(seq)) => self.when_final(seq, Answer::Task, None, task_id),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Resolves `null` for an unknown id.
    #[wasm_bindgen(js_name = getTask, unchecked_return_type = "Promise<BackgroundTask | null>")]
    pub fn get_task(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            state::read(&self.shared, |st| {
                st.engine.peek(&id).map_or(JsValue::NULL, |task| {
                    st.strings.task_object(&task_id, &task)
                })
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
            state::read(&self.shared, |st| {
                st.strings.task_list(st.engine.list(filter))
            })
        })
    }

    /// Cancels every queued and running task; resolves with them in creation
    /// order once all are cancelled.
    #[wasm_bindgen(js_name = cancelAllTasks, unchecked_return_type = "Promise<BackgroundTask[]>")]
    pub fn cancel_all_tasks(
        &self,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "CancelOptions")]
        options: JsValue,
    ) -> Promise {
        let force = match args::cancel(&options) {
            Ok(force) => force,
            Err(error) => return Promise::reject(&error),
        };
        let listed = state::run(&self.shared, |st, now| {
            let seqs = st.engine.cancel_all(force, now);
            // Listed, so they keep their id strings, which the
            // notifications that follow reuse.
            seqs.into_iter()
                .filter_map(|seq| st.engine.by_seq(seq))
                .map(|task| {
                    let id = convert::kept_id(&task);
                    if task.is_final() {
                        Ok(st.strings.task_object(id, &task))
                    } else {
                        Err((task.seq(), id.clone()))
                    }
                })
                .collect::<Vec<_>>()
        });
        match listed {
            // Promise.all takes the snapshots of tasks already cancelled as
            // they are, and waits for those still stopping.
            Ok(listed) => {
                let all: Array = listed
                    .into_iter()
                    .map(|item| match item {
                        Ok(task) => task,
                        Err((seq, id)) => self.when_final(seq, Answer::Task, None, id).into(),
                    })
                    .collect();
                Promise::all(&all)
            }
            Err(error) => Promise::reject(&error),
        }
    }

    /// The task's output (from the `since` cursor, if given) now or, with
    /// `wait`, once it is final or `timeout` ms have passed.
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
        let parsed =
            args::id(&task_id, "taskId").and_then(|id| args::output(&options).map(|o| (id, o)));
        let (id, o) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Promise::reject(&error),
        };
        let found = state::read(&self.shared, |st| {
            let task = st
                .engine
                .peek(&id)
                .ok_or_else(|| errors::engine_error(EngineError::not_found(&id)))?;
            Ok(if o.wait && !task.is_final() {
                Err(task.seq())
            } else {
                Ok(convert::output_object(&task_id, &task, o.since, false))
            })
        })
        .and_then(|found| found);
        match found {
            Ok(Ok(output)) => Promise::resolve(&output),
            Ok(Err(seq)) => {
                self.when_final(seq, Answer::Output { since: o.since }, o.timeout, task_id)
            }
            Err(error) => Promise::reject(&error),
        }
    }

    /// Appends to the output of a task that is not final (one driven from
    /// outside; runners use their `write`).
    #[wasm_bindgen(js_name = appendOutput, unchecked_return_type = "Promise<void>")]
    pub fn append_output(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(js_name = "chunk", unchecked_param_type = "string")] chunk: JsValue,
    ) -> Promise {
        answer(|| {
            let id = args::id(&task_id, "taskId")?;
            let chunk = args::chunk(&chunk)?;
            state::try_run(&self.shared, |st, now| {
                st.engine.append_output(&id, &chunk, now)
            })?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Calls `listener` with every task event, after the change is made and
    /// in order. Returns the function that unsubscribes it.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(
            js_name = "listener",
            unchecked_param_type = "(event: TaskEvent) => void"
        )]
        listener: JsValue,
    ) -> Result<JsValue, JsValue> {
        let listener: Function = listener
            .dyn_into()
            .map_err(|value| super::errors::bad_type("listener must be a function", &value))?;
        Ok(state::subscribe(&self.shared, listener))
    }

    /// Stops the timers and every runner, rejects pending waiters with
    /// `DISPOSED` and forgets every task and the session. `initialize` may be
    /// called again after.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn cleanup(&self) -> Promise {
        settle(state::dispose(&self.shared).map(|()| JsValue::UNDEFINED))
    }

    /// Calls an agent through the runner and resolves with its result; with
    /// `options.background === true` launches a task instead and resolves
    /// `{ status, taskId }`.
    #[wasm_bindgen(js_name = callAgent, unchecked_return_type = "Promise<any>")]
    pub fn call_agent(
        &self,
        #[wasm_bindgen(js_name = "agent", unchecked_param_type = "string")] agent: JsValue,
        #[wasm_bindgen(js_name = "prompt", unchecked_param_type = "string")] prompt: JsValue,
        #[wasm_bindgen(js_name = "options", unchecked_optional_param_type = "any")]
        options: JsValue,
    ) -> Promise {
        let parsed = args::agent_call(&agent, &prompt)
            .and_then(|call| args::background(&options).map(|bg| (call, bg)));
        let ((agent, prompt), background) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Promise::reject(&error),
        };
        if !background {
            return state::call_runner(&self.shared, &agent, &prompt, &options);
        }
        settle(state::try_run(&self.shared, |st, now| {
            let task = st
                .engine
                .launch(None, None, &agent, &prompt, options, now)?;
            let (seq, status) = (task.seq(), task.status as u8);
            let id = convert::id_js(&task.id);
            st.hint = Some((seq, id.clone()));
            Ok(glue::background_reply(status, &id))
        }))
    }
}
