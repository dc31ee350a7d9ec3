//! The exported class behind the public `BackgroundManager` (`manager.js`):
//! every method that changes state, and the slow path of every read. Each
//! method checks its arguments, runs one engine operation through the
//! driver, and answers with a value or a Promise; an error is returned as
//! `Err`, which the generated glue throws and the facade turns into a
//! rejection. Methods take `&self`, so calls that overlap (from callbacks,
//! or concurrent awaits) never trip a borrow.
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::driver::{self, Shared, State};
#[cfg(feature = "durable")]
use super::durable::{core::CoreDurable, persist, writes::Persist};
use super::imports::View;
use super::store::{JsStore, Waiter};
use super::{args, deliver, errors, imports, promises, protocol};
use crate::engine::{
    Cancel, Engine, NewTask, OnConflict, Queueing, RetryRule, StallRule, Status, Store, Wait, Want,
};

#[wasm_bindgen(private)]
pub struct Core {
    pub(crate) shared: Shared,
    /// The durable build's store and sharing (`durable/core.rs` has its
    /// methods).
    #[cfg(feature = "durable")]
    pub(crate) durable: CoreDurable,
}

/// Makes the module's cores: handed to `manager.js` once, at start.
#[wasm_bindgen(start, private)]
pub(crate) fn start() {
    protocol::send();
    let factory = Closure::<dyn Fn(JsValue, JsValue) -> Result<Core, JsValue>>::new(Core::make);
    #[cfg(feature = "durable")]
    let tabs = imports::durable::tabs_class();
    #[cfg(not(feature = "durable"))]
    let tabs = JsValue::UNDEFINED;
    imports::set_factory(&factory.into_js_value(), cfg!(feature = "durable"), &tabs);
}

/// Task `seq` as a fresh snapshot.
fn snapshot(st: &State, seq: u64) -> JsValue {
    st.engine
        .task(seq)
        .map_or(JsValue::NULL, |t| st.engine.store().snapshot(seq, &t))
}

/// A promise and its waiter: made inside an engine operation, so that the
/// waiter is queued in the same step as the change it waits for. Making one
/// runs only our own code.
fn waiter(id: &JsValue) -> (Promise, Waiter) {
    let deferred = imports::deferred();
    (
        imports::deferred_promise(&deferred),
        Waiter {
            deferred,
            id: id.clone(),
        },
    )
}

/// The id the facade passed: checked unless the facade found it in the
/// view (`seq >= 0`), where only well-formed ids are filed.
fn known(task_id: JsValue, seq: f64) -> Result<JsValue, JsValue> {
    if seq >= 0.0 {
        Ok(task_id)
    } else {
        args::id(&task_id, "taskId")?;
        Ok(task_id)
    }
}

fn seq_at(seq: f64) -> Option<u64> {
    (seq >= 0.0).then_some(seq as u64)
}

/// Task `seq`'s numbers as `view.js`'s `row` reads them (`protocol::ROW`).
fn row(st: &State, seq: u64) -> Option<Row> {
    st.engine.task(seq).map(|t| protocol::row(&t))
}

type Row = [f64; protocol::ROW.len()];

/// A task's session as the engine takes it: the id as Rust text (to
/// intern) and as the caller's JS string (to keep).
fn session_arg(session: &Option<(String, JsValue)>) -> Option<(&str, JsValue)> {
    session.as_ref().map(|(text, v)| (text.as_str(), v.clone()))
}

impl Core {
    /// Runs an operation that changes task `seq` (which it returns), and
    /// leaves the task's numbers as the operation left it where the facade
    /// reads them: after the effects, whose callbacks may have read other
    /// tasks in between.
    fn changed(
        &self,
        op: impl FnOnce(&mut State, u64) -> Result<u64, crate::engine::EngineError>,
    ) -> Result<f64, JsValue> {
        let (seq, row) = driver::try_run(&self.shared, |st, now| {
            let seq = op(st, now)?;
            Ok((seq, row(st, seq)))
        })?;
        self.put(row);
        Ok(seq as f64)
    }

    /// Both `launch` paths, their arguments checked: agent and session as
    /// Rust text and as given, and the facade's queue arguments (`queueing`)
    /// and retry numbers (`retry_rule`).
    #[allow(clippy::too_many_arguments)]
    fn launch_new(
        &self,
        id: Option<JsValue>,
        session: Option<(String, JsValue)>,
        (name, agent): (String, JsValue),
        prompt: JsValue,
        options: JsValue,
        resume: bool,
        q: QueueArgs,
        retry: &JsValue,
    ) -> Result<f64, JsValue> {
        let retry = retry_rule(retry);
        self.changed(|st, now| {
            let values = NewTask {
                resume,
                options,
                launch: Some((agent, prompt)),
            };
            let queueing = queueing(&q, retry.as_ref());
            st.engine
                .launch(id, session_arg(&session), &name, queueing, values, now)
        })
    }

    /// Runs an operation that answers nothing: `undefined`, or the error
    /// of a call that could not run (the state borrowed, or disposed).
    fn noted(&self, op: impl FnOnce(&mut State, u64)) -> JsValue {
        driver::run(&self.shared, op)
            .err()
            .unwrap_or(JsValue::UNDEFINED)
    }

    fn put(&self, row: Option<Row>) {
        if let Some(row) = row {
            driver::with_state(&self.shared, |st| {
                st.rows.clear();
                st.rows.extend_from_slice(&row);
            });
        }
    }

    fn make(options: JsValue, view: JsValue) -> Result<Core, JsValue> {
        let args::Options {
            config,
            runner,
            #[cfg(feature = "durable")]
            durable,
        } = args::options(&options)?;
        #[cfg(feature = "durable")]
        let (durable, persist) = (
            CoreDurable {
                keeps: durable.store.is_some(),
                shared: durable.shared,
            },
            durable.store.map(Persist::new),
        );
        let view: View = view.unchecked_into();
        view.attach(&wasm_bindgen::memory());
        let store = JsStore { view: view.clone() };
        let hooks = driver::Hooks {
            deliver: deliver::deliver,
            poll: on_poll,
            #[cfg(feature = "durable")]
            flush: |shared| persist::flush(shared, false),
            #[cfg(not(feature = "durable"))]
            flush: |_| {},
        };
        let engine = Engine::new(config, store);
        #[cfg(feature = "durable")]
        let shared = driver::new_shared(engine, view, runner, persist, hooks);
        #[cfg(not(feature = "durable"))]
        let shared = driver::new_shared(engine, view, runner, hooks);
        driver::with_state(&shared, |st| st.rows.reserve(64));
        Ok(Core {
            shared,
            #[cfg(feature = "durable")]
            durable,
        })
    }

    /// Without a durable store anything may be kept (the durable build's is
    /// in `durable/core.rs`).
    #[cfg(not(feature = "durable"))]
    #[inline(always)]
    fn storable(&self, _value: &JsValue, _what: &str) -> Result<(), JsValue> {
        Ok(())
    }

    /// Everything the engine forgets, plus the timers, the runs and the
    /// promises awaited, which only the skin knows; `disposed` for `free()`.
    fn dispose(&self, disposed: bool) -> Result<Option<Promise>, JsValue> {
        // The engine queues an abort and a close for every run it knows,
        // which the driver delivers before `run` returns.
        let (timers, held, foreground, last) = driver::run(&self.shared, |st, _| {
            #[cfg(feature = "durable")]
            let last = persist::last_write(st);
            #[cfg(not(feature = "durable"))]
            let last: Option<Promise> = None;
            st.engine.dispose();
            st.disposed = disposed;
            (
                st.timers.stop(),
                st.pending.take_all(),
                std::mem::take(&mut st.foreground),
                last,
            )
        })?;
        drop(timers);
        #[cfg(feature = "durable")]
        let written = match last {
            Some((batch, changes, waiters, promise)) => {
                persist::start(&self.shared, batch, changes, waiters);
                Some(promise)
            }
            None => persist::settled(&self.shared),
        };
        #[cfg(not(feature = "durable"))]
        let written = last;
        // Foreground calls are the skin's alone, and a run that was still
        // being called when the engine forgot its task has no close coming.
        let late = driver::with_state(&self.shared, |st| st.view.take_runs()).flatten();
        let late = late.map(|runs| runs.to_vec()).unwrap_or_default();
        for run in foreground.into_iter().map(|(_, run)| run).chain(late) {
            imports::abort_run(&run);
            imports::close_run(&run);
        }
        promises::release_all(held);
        Ok(written)
    }
}

/// `initialize`: with a durable store not loaded yet, loads it first
/// (`persist::load_first`); else sets the session now.
fn start_session(
    shared: &Shared,
    session: Rc<JsValue>,
    text: String,
    session_id: JsValue,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "durable")]
    let (session, text, session_id) =
        match persist::load_first(shared, session, text, session_id, start_session) {
            Ok(waiting) => return Ok(waiting.into()),
            Err(args) => args,
        };
    let previous = driver::run(shared, |st, now| {
        driver::set_session(st, session, &text, session_id, now)
    })?;
    promises::release_all(previous);
    Ok(JsValue::UNDEFINED)
}

/// A polling tick, or the page becoming visible (`wake`): the engine
/// decides whether a poll is due (slower while the page is hidden, backing
/// off while polls fail), and fires the deadlines a throttled timer left
/// due.
fn on_poll(shared: &Shared) {
    let hidden = imports::is_hidden();
    let Ok(Some((token, session))) =
        driver::run(shared, |st, now| st.engine.begin_poll_while(now, hidden))
    else {
        return;
    };
    // Called with no borrow held: getStatus may call the manager.
    let held = imports::ask_status(&session);
    promises::watch_poll(shared, token, held);
}

#[wasm_bindgen(js_class = Core)]
impl Core {
    /// Stores the session (replacing any previous one); polling runs while
    /// one of its tasks does.
    pub fn initialize(&self, session: JsValue) -> Result<JsValue, JsValue> {
        let (session_id, text) = args::session(&session)?;
        start_session(&self.shared, Rc::new(session), text, session_id)
    }

    /// Returns the new task's seq; `view.answer(seq)` is its snapshot.
    #[wasm_bindgen(js_name = createTask)]
    pub fn create_task(&self, options: JsValue) -> Result<f64, JsValue> {
        let a = args::create(&options)?;
        self.storable(&a.options, "options")?;
        self.changed(|st, now| {
            st.engine
                .create(a.id, session_arg(&a.session), a.options, now)
        })
    }

    /// `createTask` as the facade calls it when its options object is the
    /// common shape: `id` and `sessionId` are undefined or well-formed,
    /// non-empty strings (the facade checked), read once.
    pub fn create(
        &self,
        id: Option<JsValue>,
        session_id: Option<JsValue>,
        options: JsValue,
    ) -> Result<f64, JsValue> {
        self.storable(&options, "options")?;
        let session = session_id.map(args::with_text);
        self.changed(|st, now| st.engine.create(id, session_arg(&session), options, now))
    }

    /// `launch` as the facade calls it for the common shape (see `create`;
    /// `agent` checked as an id, `prompt` a string). The facade checked
    /// `concurrencyKey` (`key`) and `priority` for either path.
    #[wasm_bindgen(js_name = launchTask)]
    #[allow(clippy::too_many_arguments)]
    pub fn launch_task(
        &self,
        agent: JsValue,
        prompt: JsValue,
        id: Option<JsValue>,
        session_id: Option<JsValue>,
        options: JsValue,
        key: Option<String>,
        priority: i32,
        parent: f64,
        idem: Option<String>,
        conflict: u8,
        stall_after: f64,
        fail_after: f64,
        retry: JsValue,
    ) -> Result<f64, JsValue> {
        self.storable(&options, "options")?;
        let name = agent.as_string().unwrap_or_default();
        let session = session_id.map(args::with_text);
        let q = (
            key,
            priority,
            parent,
            idem,
            conflict,
            stall_after,
            fail_after,
        );
        self.launch_new(
            id,
            session,
            (name, agent),
            prompt,
            options,
            false,
            q,
            &retry,
        )
    }

    /// Returns the new task's seq; `view.answer(seq)` is its snapshot.
    #[allow(clippy::too_many_arguments)]
    pub fn launch(
        &self,
        options: JsValue,
        key: Option<String>,
        priority: i32,
        parent: f64,
        idem: Option<String>,
        conflict: u8,
        stall_after: f64,
        fail_after: f64,
        retry: JsValue,
    ) -> Result<f64, JsValue> {
        let a = args::launch(&options)?;
        self.storable(&a.options, "options")?;
        let q = (
            key,
            priority,
            parent,
            idem,
            conflict,
            stall_after,
            fail_after,
        );
        self.launch_new(
            a.id, a.session, a.agent, a.prompt, a.options, a.resume, q, &retry,
        )
    }

    /// `seq` is where the facade found `taskId` in the view, or -1. Returns
    /// the task's seq, as `createTask`.
    #[wasm_bindgen(js_name = completeTask)]
    pub fn complete_task(
        &self,
        task_id: JsValue,
        result: JsValue,
        seq: f64,
    ) -> Result<f64, JsValue> {
        let id = known(task_id, seq)?;
        self.storable(&result, "result")?;
        self.changed(|st, now| match seq_at(seq) {
            Some(seq) => st.engine.complete_at(seq, &id, result, now),
            None => st.engine.complete(&id, result, now),
        })
    }

    /// `respond(taskId, answer)`: as `completeTask`.
    pub fn respond(&self, task_id: JsValue, answer: JsValue, seq: f64) -> Result<f64, JsValue> {
        let id = known(task_id, seq)?;
        self.changed(|st, now| match seq_at(seq) {
            Some(seq) => st.engine.respond_at(seq, &id, answer, now),
            None => st.engine.respond(&id, answer, now),
        })
    }

    #[wasm_bindgen(js_name = failTask)]
    pub fn fail_task(&self, task_id: JsValue, error: JsValue, seq: f64) -> Result<f64, JsValue> {
        let id = known(task_id, seq)?;
        let message = imports::error_text(&error);
        self.changed(|st, now| match seq_at(seq) {
            Some(seq) => st.engine.fail_at(seq, &id, message, now),
            None => st.engine.fail(&id, message, now),
        })
    }

    /// Cancels a task. A running runner is signalled and, without `force`,
    /// given the grace period to stop: then the answer is -1 and
    /// `takeWaiting()` gives the promise of the task once it is cancelled;
    /// else the answer is the task's seq, as `createTask`'s.
    #[wasm_bindgen(js_name = cancelTask)]
    pub fn cancel_task(
        &self,
        task_id: JsValue,
        options: Option<JsValue>,
        seq: f64,
    ) -> Result<f64, JsValue> {
        let id = known(task_id, seq)?;
        let force = options.map_or(Ok(false), |o| args::cancel(&o))?;
        let (answer, row) = driver::try_run(&self.shared, |st, now| {
            let cancel = match seq_at(seq) {
                Some(seq) => st.engine.cancel_at(seq, &id, force, now)?,
                None => st.engine.cancel(&id, force, now)?,
            };
            Ok(match cancel {
                Cancel::Done(seq) => (seq as f64, row(st, seq)),
                Cancel::Stopping(seq) => {
                    let (promise, w) = waiter(&id);
                    st.engine.wait_seq(seq, Want::Task, true, None, || w)?;
                    st.waiting = Some(promise);
                    (-1.0, None)
                }
            })
        })?;
        self.put(row);
        Ok(answer)
    }

    /// The promise the last `cancelTask` that answered -1 waits with.
    #[wasm_bindgen(js_name = takeWaiting)]
    pub fn take_waiting(&self) -> Option<Promise> {
        driver::with_state(&self.shared, |st| st.waiting.take()).flatten()
    }

    /// The slow path of `getTask`: resolves `null` for an unknown id.
    #[wasm_bindgen(js_name = getTask)]
    pub fn get_task(&self, task_id: JsValue) -> Result<JsValue, JsValue> {
        args::id(&task_id, "taskId")?;
        let id = task_id;
        driver::run(&self.shared, |st, now| {
            st.engine.advance(now);
            st.engine
                .get(&id)
                .map_or(JsValue::NULL, |t| snapshot(st, t.seq()))
        })
    }

    /// The slow path of `getAllTasks`.
    #[wasm_bindgen(js_name = getAllTasks)]
    pub fn get_all_tasks(&self, status: JsValue) -> Result<JsValue, JsValue> {
        let filter = args::status_filter(&status)?;
        driver::run(&self.shared, |st, now| {
            st.engine.advance(now);
            let list: Array = st
                .engine
                .list(filter)
                .map(|t| st.engine.store().snapshot(t.seq(), &t))
                .collect();
            list.into()
        })
    }

    /// Cancels every queued and running task; a promise of them in creation
    /// order once all are cancelled.
    #[wasm_bindgen(js_name = cancelAllTasks)]
    pub fn cancel_all_tasks(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let force = args::cancel(&options)?;
        let all = driver::try_run(&self.shared, |st, now| {
            let seqs = st.engine.cancel_all(force, now);
            let all = Array::new();
            for seq in seqs {
                let Some(task) = st.engine.task(seq) else {
                    continue;
                };
                if task.is_final() {
                    all.push(&snapshot(st, seq));
                } else {
                    let id = st.engine.store().id(seq).unwrap_or_default();
                    let (promise, w) = waiter(&id);
                    st.engine.wait_seq(seq, Want::Task, true, None, || w)?;
                    all.push(&promise);
                }
            }
            Ok(all)
        })?;
        Ok(Promise::all(&all).into())
    }

    /// The task's output (from the `since` cursor, if given) now or, with
    /// `wait`, a promise of it once the task is final or `timeout` ms pass.
    #[wasm_bindgen(js_name = getOutput)]
    pub fn get_output(&self, task_id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        args::id(&task_id, "taskId")?;
        let id = task_id;
        let o = args::output(&options)?;
        let want = Want::Output {
            since: o.since,
            tree: o.children,
        };
        let mut promise = None;
        let found = driver::try_run(&self.shared, |st, now| {
            st.engine.wait_for(
                &id,
                want,
                o.wait,
                o.timeout,
                || {
                    let (p, w) = waiter(&id);
                    promise = Some(p);
                    w
                },
                now,
            )
        })?;
        Ok(match found {
            Wait::Ready(answer) => super::deliver::answer_value(&id, answer),
            Wait::Pending => promise.map_or(JsValue::UNDEFINED, JsValue::from),
        })
    }

    /// Appends to the output of a task that is not final (one driven from
    /// outside; runners use their `write`).
    #[wasm_bindgen(js_name = appendOutput)]
    /// `len` is the chunk's `length` when the facade saw a string, else -1
    /// (then the chunk is checked here, for the error's text): one crossing
    /// fewer per write.
    pub fn append_output(
        &self,
        task_id: JsValue,
        chunk: JsValue,
        len: f64,
        seq: f64,
    ) -> Result<(), JsValue> {
        let id = known(task_id, seq)?;
        let (chunk, len) = if len >= 0.0 {
            (chunk, len as usize)
        } else {
            args::chunk(chunk)?
        };
        driver::try_run(&self.shared, |st, now| match seq_at(seq) {
            Some(seq) => st.engine.append_at(seq, &id, &chunk, len, now),
            None => st.engine.append_output(&id, &chunk, len, now),
        })?;
        Ok(())
    }

    /// Task `seq`'s runner wrote `chunk` (the string `calls.js` checked,
    /// `len` its `length`); ignored once the task is final.
    #[wasm_bindgen(js_name = runWrite)]
    pub fn run_write(&self, seq: f64, chunk: JsValue, len: f64) {
        self.noted(|st, now| {
            st.engine.run_write(seq as u64, &chunk, len as usize, now);
        });
    }

    /// Task `seq`'s runner reported progress: `report` the record
    /// `calls.js` made, its message `len` units long; ignored once the
    /// task is final.
    #[wasm_bindgen(js_name = runProgress)]
    pub fn run_progress(&self, seq: f64, report: JsValue, len: f64) {
        self.noted(|st, now| {
            st.engine
                .run_report(seq as u64, Some((&report, len as usize)), now);
        });
    }

    /// Task `seq`'s runner sent a heartbeat; ignored once the task is final.
    #[wasm_bindgen(js_name = runHeartbeat)]
    pub fn run_heartbeat(&self, seq: f64) {
        self.noted(|st, now| {
            st.engine.run_report(seq as u64, None, now);
        });
    }

    /// Task `seq`'s runner asks `question`, with a timeout of `timeout` ms
    /// (-1: none); answers the error when it cannot ask now, else
    /// `undefined`.
    #[wasm_bindgen(js_name = runAsk)]
    pub fn run_ask(&self, seq: f64, question: JsValue, timeout: f64) -> JsValue {
        let asked = driver::run(&self.shared, |st, now| {
            let timeout = (timeout >= 0.0).then_some(timeout as u64);
            st.engine.ask(seq as u64, question, timeout, now).err()
        });
        match asked {
            Ok(None) => JsValue::UNDEFINED,
            Ok(Some(error)) => errors::engine(error),
            Err(error) => error,
        }
    }

    /// Runs what is due, then makes task `seq`'s log in the view if it has
    /// none (see `Engine::open_log`).
    #[wasm_bindgen(js_name = openLog)]
    pub fn open_log(&self, seq: f64) -> JsValue {
        self.noted(|st, now| {
            st.engine.advance(now);
            st.engine.open_log(seq as u64);
        })
    }

    /// The caller of the wait on task `seq` that `promise` answers gave up
    /// on it (its signal was aborted), so the waiter goes.
    #[wasm_bindgen(js_name = dropWait)]
    pub fn drop_wait(&self, seq: f64, promise: JsValue) -> JsValue {
        self.noted(|st, _| {
            // Matching a waiter by its promise reads our own deferred, no
            // user value, so it may run with the state borrowed.
            st.engine.drop_wait(seq as u64, |w| {
                JsValue::from(imports::deferred_promise(&w.deferred)) == promise
            });
        })
    }

    /// `pause()` (`on`) or `resume()` the queue.
    #[wasm_bindgen(js_name = setPaused)]
    pub fn set_paused(&self, on: bool) -> JsValue {
        self.noted(|st, now| {
            st.engine.set_paused(on, now);
        })
    }

    /// The page became visible again (timers in a hidden tab run late): run
    /// what is due, and poll if a poll is due.
    pub fn wake(&self) {
        on_poll(&self.shared);
    }

    /// Calls `listener` with every task event, after the change is made and
    /// in order. Returns the function that unsubscribes it.
    pub fn subscribe(&self, listener: JsValue) -> Result<JsValue, JsValue> {
        if !listener.is_function() {
            return Err(errors::bad_type(
                "listener must be a function",
                &imports::describe(&listener),
            ));
        }
        let id = driver::run(&self.shared, |st, _| {
            st.next_listener += 1;
            st.listeners
                .push((st.next_listener, listener.unchecked_into()));
            st.engine.set_events(true);
            st.next_listener
        })?;
        let weak = Rc::downgrade(&self.shared);
        let remove = Closure::once_into_js(move || {
            if let Some(shared) = weak.upgrade() {
                driver::with_state(&shared, |st| {
                    st.listeners.retain(|(other, _)| *other != id);
                    let any = !st.listeners.is_empty();
                    st.engine.set_events(any);
                });
            }
        });
        Ok(imports::once(&remove))
    }

    /// Stops the timers and every runner, rejects pending waiters with
    /// `DISPOSED`, and forgets every task; `initialize` may be called again.
    pub fn cleanup(&self) -> Result<JsValue, JsValue> {
        Ok(self
            .dispose(false)?
            .map_or(JsValue::UNDEFINED, JsValue::from))
    }

    /// `free()` and `[Symbol.dispose]()`: `cleanup()`, after which every call
    /// rejects `DISPOSED`.
    #[wasm_bindgen(js_name = disposeForGood)]
    pub fn dispose_for_good(&self) {
        let _ = self.dispose(true);
    }

    /// Calls an agent through the runner and resolves with its result; with
    /// `options.background === true` launches a task instead and resolves
    /// `{ status, taskId }`.
    #[wasm_bindgen(js_name = callAgent)]
    pub fn call_agent(
        &self,
        agent: JsValue,
        prompt: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let ((agent_name, agent), prompt) = args::agent_call(agent, prompt)?;
        if args::background(&options)? {
            return driver::try_run(&self.shared, |st, now| {
                let values = NewTask {
                    resume: false,
                    options,
                    launch: Some((agent, prompt)),
                };
                let seq =
                    st.engine
                        .launch(None, None, &agent_name, Default::default(), values, now)?;
                let task = st.engine.task(seq);
                let status = task.map_or(Status::Queued, |t| t.status);
                let id = st.engine.store().id(seq).unwrap_or_default();
                Ok(super::deliver::background_reply(status, id))
            });
        }
        let (runner, view, id) = driver::run(&self.shared, |st, _| {
            st.next_foreground += 1;
            (st.runner.clone(), st.view.clone(), st.next_foreground)
        })?;
        let run = imports::start_run(
            &runner,
            &view,
            -1.0,
            &JsValue::UNDEFINED,
            &agent,
            &prompt,
            &JsValue::UNDEFINED,
            &options,
        );
        let done = imports::run_done(&run);
        driver::with_state(&self.shared, |st| st.foreground.push((id, run)));
        Ok(promises::foreground(Rc::downgrade(&self.shared), id, done).into())
    }

    // ---- the facade's fast reads ------------------------------------------

    /// Writes task `seq`'s row (`protocol::ROW`) where `rowsAt` points;
    /// false if there is no such task. Moves no clock: the facade calls it
    /// only while no deadline is due (see `due_at`).
    pub fn read(&self, seq: f64) -> bool {
        driver::with_state(&self.shared, |st| {
            let Some(row) = row(st, seq as u64) else {
                return false;
            };
            st.rows.clear();
            st.rows.extend_from_slice(&row);
            true
        })
        .unwrap_or(false)
    }

    /// Writes a row of `protocol::LIST_ROW` (the seq, then `ROW`) for every
    /// task (in `status` when it is a status number) in creation order;
    /// returns how many.
    pub fn list(&self, status: i32) -> u32 {
        driver::with_state(&self.shared, |st| {
            let filter = usize::try_from(status)
                .ok()
                .and_then(|i| Status::ALL.get(i).copied());
            let State { engine, rows, .. } = st;
            rows.clear();
            let mut n = 0;
            let mut put = |t: crate::engine::TaskRef<'_>| {
                rows.push(t.seq() as f64);
                rows.extend_from_slice(&protocol::row(&t));
                n += 1;
            };
            match filter {
                None => engine.all().for_each(&mut put),
                Some(status) => engine.in_status(status).for_each(&mut put),
            }
            n
        })
        .unwrap_or(0)
    }

    /// Where `read` and `list` wrote their numbers.
    #[wasm_bindgen(js_name = rowsAt)]
    pub fn rows_at(&self) -> u32 {
        driver::with_state(&self.shared, |st| st.rows.as_ptr() as u32).unwrap_or(0)
    }

    /// Where the facade reads `State::due`: its reads answer from the view
    /// only while `Date.now()` is before it, so a deadline whose timer is
    /// late (a throttled tab, a blocked event loop) is run before a read.
    #[wasm_bindgen(js_name = dueAt)]
    pub fn due_at(&self) -> u32 {
        driver::with_state(&self.shared, |st| &*st.due as *const f64 as u32).unwrap_or(0)
    }

    /// The engine's invariants and the view's agreement with the engine:
    /// `""` when all hold, else what does not. For tests.
    #[cfg(feature = "check")]
    pub fn check(&self) -> String {
        driver::with_state(&self.shared, |st| super::check::check(&st.engine))
            .unwrap_or_else(|| "the state was borrowed".into())
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Freed (free(), or the facade collected): nothing may fire for it.
        let _ = self.dispose(true);
    }
}

/// `launch`'s queue arguments as the facade passes them: concurrency key,
/// priority, parent, idempotency key, `onConflict`, stall rule.
type QueueArgs = (Option<String>, i32, f64, Option<String>, u8, f64, f64);

/// `launch`'s queueing as the facade checked it: `parent` a seq or -1,
/// `conflict` an index of `onConflict`'s values, `stall_after` and
/// `fail_after` the stall rule in ms (0 and -1: none).
fn queueing<'a>(
    (key, priority, parent, idem, conflict, stall_after, fail_after): &'a QueueArgs,
    retry: Option<&'a RetryRule>,
) -> Queueing<'a> {
    let on = protocol::ON_CONFLICT
        .get(usize::from(*conflict))
        .map_or(OnConflict::Reject, |&(_, on)| on);
    Queueing {
        key: key.as_deref(),
        priority: *priority,
        parent: (*parent >= 0.0).then_some(*parent as u64),
        idempotency: idem.as_deref().map(|k| (k, on)),
        stall: StallRule {
            after: *stall_after as u64,
            fail_after: (*fail_after >= 0.0).then_some(*fail_after as u64),
        },
        retry,
    }
}

/// The facade's `[attempts, initial, max, factor, jitter, ...fallback]`,
/// checked by it (`retryRule` in `manager.js`), as the engine's rule.
fn retry_rule(numbers: &JsValue) -> Option<RetryRule> {
    let a = numbers.dyn_ref::<js_sys::Array>()?;
    let n = |i| a.get(i).as_f64().unwrap_or(0.0);
    Some(RetryRule {
        attempts: n(0) as u32,
        initial: n(1) as u64,
        max: n(2) as u64,
        factor: n(3),
        jitter: n(4),
        fallback: (5..a.length())
            .map(|i| a.get(i).as_string().unwrap_or_default())
            .collect(),
    })
}
