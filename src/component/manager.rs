//! The `background-manager` resource: each method checks its arguments,
//! runs the engine at the wall clock's time and converts the answer. The
//! engine's effects wait in its outbox until the host takes them.
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

use super::args::{self, Arg};
use super::bindings::api::{
    self, AgentSession, Answer, BackgroundManagerOptions, BackgroundTask, BackgroundTaskStatus,
    CallReply, CancelOptions, CancelReply, CreateBackgroundTaskOptions, GetBackgroundOutputOptions,
    LaunchOptions, Launched, ManagerError, OutputReply, Poll, ReadLogOptions, ReadLogResult,
    RunStart, Schedule, TaskProgress, Wake,
};
use super::effects::{convert, disposal};
use super::host::{self, now, WasiEngine};
use super::records::{error, output, snapshot, status, status_of, task_of};
use crate::engine::memstore::store::units;
use crate::engine::{self, EngineError, ErrorKind, NewTask, PollToken, Status, Store, Wait, Want};

pub struct Component;

// The component's exports are this type's: the generated glue calls into it.
super::bindings::export!(Component with_types_in super::bindings);

impl api::Guest for Component {
    type BackgroundManager = Manager;
}

/// Foreground `call-agent` runs are numbered from here up, apart from the
/// task runs, which are numbered by their task's creation number.
const FIRST_CALL: u64 = 1 << 63;

struct State {
    engine: WasiEngine,
    /// The number the latest `initialize` gave its session.
    sessions: u32,
    next_waiter: u64,
    /// Foreground runs still going, and the waiter each one settles.
    calls: BTreeMap<u64, u64>,
    next_call: u64,
    /// Effects converted and not yet taken, oldest first.
    out: Vec<api::Effect>,
}

impl State {
    /// Moves the engine's effects to `out`, so that one the skin adds comes
    /// after them.
    fn flush(&mut self) {
        while let Some(effect) = self.engine.pop_effect() {
            if let Some(effect) = convert(&self.engine, effect) {
                self.out.push(effect);
            }
        }
    }

    fn waiter(&mut self) -> u64 {
        self.next_waiter += 1;
        self.next_waiter
    }

    fn snapshot(&self, seq: u64) -> Arg<BackgroundTask> {
        snapshot(&self.engine, seq)
            .ok_or_else(|| EngineError::internal(alloc::format!("Task #{seq} vanished")))
    }

    /// Cancelled now, or a waiter for the task once its run has stopped.
    fn cancel_reply(&mut self, seq: u64) -> Arg<CancelReply> {
        if self.engine.task(seq).is_some_and(|t| t.is_final()) {
            return self.snapshot(seq).map(CancelReply::Cancelled);
        }
        let w = self.waiter();
        let id = self.engine.store().id(seq).unwrap_or_default();
        match self
            .engine
            .wait_seq(seq, Want::Task, true, None, || (w, id))?
        {
            Wait::Pending => Ok(CancelReply::Stopping(w)),
            Wait::Ready(_) => self.snapshot(seq).map(CancelReply::Cancelled),
        }
    }
}

pub struct Manager {
    state: RefCell<State>,
}

impl Manager {
    /// Runs `f` on the state, at the wall clock's time.
    fn with<T>(&self, f: impl FnOnce(&mut State, u64) -> Arg<T>) -> Result<T, ManagerError> {
        let now = now();
        f(&mut self.state.borrow_mut(), now).map_err(error)
    }

    /// `pause` (`true`) or `resume`.
    fn paused(&self, on: bool) {
        let now = now();
        self.state.borrow_mut().engine.set_paused(on, now);
    }
}

fn session_arg(id: &Option<String>) -> engine::SessionArg<'_, host::Wasi> {
    id.as_deref().map(|s| (s, s.to_string()))
}

impl api::GuestBackgroundManager for Manager {
    fn open(
        options: Option<BackgroundManagerOptions>,
    ) -> Result<api::BackgroundManager, ManagerError> {
        let config = args::config(options).map_err(error)?;
        let state = State {
            engine: WasiEngine::new(config, host::store()),
            sessions: 0,
            next_waiter: 0,
            calls: BTreeMap::new(),
            next_call: FIRST_CALL,
            out: Vec::new(),
        };
        Ok(api::BackgroundManager::new(Manager {
            state: RefCell::new(state),
        }))
    }

    fn initialize(&self, session: AgentSession) -> Result<u32, ManagerError> {
        args::id(&session.id, "session.id").map_err(error)?;
        self.with(|st, now| {
            st.sessions = st.sessions.wrapping_add(1);
            let n = st.sessions;
            st.engine
                .initialize(n, &session.id, session.id.clone(), now);
            Ok(n)
        })
    }

    fn create_task(
        &self,
        options: CreateBackgroundTaskOptions,
    ) -> Result<BackgroundTask, ManagerError> {
        self.with(|st, now| {
            let what = "createTask options";
            args::opt_id(&options.id, "createTask options.id")?;
            args::opt_id(&options.session_id, "createTask options.sessionId")?;
            let payload = args::json(options.options, &alloc::format!("{what}.options"))?;
            let session = session_arg(&options.session_id);
            let seq = st.engine.create(options.id, session, Some(payload), now)?;
            st.snapshot(seq)
        })
    }

    fn launch(&self, options: LaunchOptions) -> Result<BackgroundTask, ManagerError> {
        self.with(|st, now| {
            args::id(&options.agent, "agent")?;
            args::opt_id(&options.id, "launch options.id")?;
            args::opt_id(&options.session_id, "launch options.sessionId")?;
            let payload = args::opt_json(options.options, "launch options.options")?;
            let values = NewTask {
                resume: options.resume.unwrap_or(false),
                options: payload,
                launch: Some((options.agent.clone(), options.prompt)),
            };
            let session = session_arg(&options.session_id);
            let priority = args::priority(options.priority)?;
            let parent = match &options.parent_id {
                Some(p) => {
                    // An empty id is a wrong value (as in the JS build), not an unknown task.
                    args::id(p, "launch options.parentId")?;
                    Some(st.engine.seq_of(p)?)
                }
                None => None,
            };
            let on = match options.on_conflict {
                Some(api::OnConflict::Join) => engine::OnConflict::Join,
                Some(api::OnConflict::Enqueue) => engine::OnConflict::Enqueue,
                Some(api::OnConflict::Replace) => engine::OnConflict::Replace,
                _ => engine::OnConflict::Reject,
            };
            let retry = args::retry_rule(options.retry, options.fallback)?;
            let queueing = crate::engine::Queueing {
                key: options.concurrency_key.as_deref(),
                priority,
                parent,
                idempotency: options.idempotency_key.as_deref().map(|k| (k, on)),
                stall: args::stall_rule(
                    options.stall_after,
                    options.fail_after_stall,
                    "launch options",
                )?,
                retry: retry.as_ref(),
            };
            let seq =
                st.engine
                    .launch(options.id, session, &options.agent, queueing, values, now)?;
            st.snapshot(seq)
        })
    }

    fn complete_task(
        &self,
        task_id: String,
        result: Option<String>,
    ) -> Result<BackgroundTask, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let result = args::opt_json(result, "result")?;
            let seq = st.engine.complete(&task_id, result, now)?;
            st.snapshot(seq)
        })
    }

    fn respond(&self, task_id: String, answer: String) -> Result<BackgroundTask, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let answer = args::json(answer, "answer")?;
            let seq = st.engine.respond(&task_id, Some(answer), now)?;
            st.snapshot(seq)
        })
    }

    fn fail_task(&self, task_id: String, error: String) -> Result<BackgroundTask, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let seq = st.engine.fail(&task_id, error, now)?;
            st.snapshot(seq)
        })
    }

    fn cancel_task(
        &self,
        task_id: String,
        options: Option<CancelOptions>,
    ) -> Result<CancelReply, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let force = options.and_then(|o| o.force).unwrap_or(false);
            let seq = st.engine.cancel(&task_id, force, now)?.seq();
            st.cancel_reply(seq)
        })
    }

    fn get_task(&self, task_id: String) -> Result<Option<BackgroundTask>, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            st.engine.advance(now);
            Ok(st.engine.get(&task_id).and_then(|t| task_of(&st.engine, t)))
        })
    }

    fn get_all_tasks(&self, status: Option<BackgroundTaskStatus>) -> Vec<BackgroundTask> {
        let mut st = self.state.borrow_mut();
        st.engine.advance(now());
        let engine = &st.engine;
        engine
            .list(status.map(status_of))
            .filter_map(|t| task_of(engine, t))
            .collect()
    }

    fn cancel_all_tasks(&self, options: Option<CancelOptions>) -> Vec<CancelReply> {
        let force = options.and_then(|o| o.force).unwrap_or(false);
        let mut st = self.state.borrow_mut();
        let seqs = st.engine.cancel_all(force, now());
        seqs.into_iter()
            .filter_map(|seq| st.cancel_reply(seq).ok())
            .collect()
    }

    fn get_output(
        &self,
        task_id: String,
        options: Option<GetBackgroundOutputOptions>,
    ) -> Result<OutputReply, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let o = args::output(options)?;
            let want = Want::Output {
                since: o.since,
                tree: o.children,
            };
            let w = st.waiter();
            let waiter = || (w, task_id.clone());
            match st
                .engine
                .wait_for(&task_id, want, o.wait, o.timeout, waiter, now)?
            {
                Wait::Pending => Ok(OutputReply::Waiting(w)),
                Wait::Ready(engine::Answer::Output {
                    status: s,
                    output: text,
                    cursor,
                    ending,
                    timed_out,
                }) => Ok(OutputReply::Ready(output(
                    task_id.clone(),
                    s,
                    text,
                    cursor,
                    ending,
                    timed_out,
                ))),
                Wait::Ready(engine::Answer::Task(_)) => {
                    Err(EngineError::internal("getOutput was answered with a task"))
                }
            }
        })
    }

    fn append_output(&self, task_id: String, chunk: String) -> Result<(), ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            st.engine
                .append_output(&task_id, &chunk, units(&chunk), now)
                .map(|_| ())
        })
    }

    fn read_log(
        &self,
        task_id: String,
        options: Option<ReadLogOptions>,
    ) -> Result<ReadLogResult, ManagerError> {
        self.with(|st, now| {
            args::id(&task_id, "taskId")?;
            let (after, limit) = options.map_or((0, None), |o| (o.after.unwrap_or(0), o.limit));
            if limit == Some(0) {
                return Err(EngineError::new(
                    ErrorKind::InvalidArgument,
                    "options.limit must be a whole number >= 1",
                ));
            }
            st.engine.advance(now);
            let seq = st.engine.seq_of(&task_id)?;
            let last = st.engine.open_log(seq);
            let is_final = st.engine.task(seq).is_some_and(|t| t.is_final());
            let limit = limit.map_or(usize::MAX, |n| n as usize);
            let entries = st
                .engine
                .store()
                .read_log(seq, after, limit)
                .ok_or_else(|| EngineError::internal("a task's log vanished"))?;
            Ok(super::log::result(entries, after, last, is_final))
        })
    }

    fn subscribe(&self, on: bool) {
        let mut st = self.state.borrow_mut();
        st.engine.set_events(on);
    }

    fn pause(&self) {
        self.paused(true);
    }

    fn resume(&self) {
        self.paused(false);
    }

    fn cleanup(&self) {
        let mut st = self.state.borrow_mut();
        st.engine.dispose();
        st.flush();
        for (run, waiter) in core::mem::take(&mut st.calls) {
            st.out.push(api::Effect::Abort(run));
            let why = EngineError::new(
                ErrorKind::Disposed,
                "BackgroundManager was cleaned up while this callAgent was running",
            );
            st.out.push(disposal(waiter, why));
        }
    }

    fn call_agent(
        &self,
        agent: String,
        prompt: String,
        options: Option<String>,
    ) -> Result<CallReply, ManagerError> {
        self.with(|st, now| {
            args::id(&agent, "agent")?;
            let options = args::opt_json(options, "options")?;
            if args::background(&options)? {
                let values = NewTask {
                    resume: false,
                    options,
                    launch: Some((agent.clone(), prompt)),
                };
                let seq = st
                    .engine
                    .launch(None, None, &agent, Default::default(), values, now)?;
                let s = st.engine.task(seq).map_or(Status::Queued, |t| t.status);
                let task_id = st.engine.store().id(seq).unwrap_or_default();
                return Ok(CallReply::Launched(Launched {
                    status: status(s),
                    task_id,
                }));
            }
            let run = st.next_call;
            st.next_call += 1;
            let w = st.waiter();
            st.calls.insert(run, w);
            st.flush();
            st.out.push(api::Effect::Start(RunStart {
                run,
                task_id: None,
                session_id: None,
                agent,
                prompt,
                options,
                attempt: 1,
            }));
            Ok(CallReply::Waiting(w))
        })
    }

    fn advance(&self) -> Schedule {
        let mut st = self.state.borrow_mut();
        st.engine.advance(now());
        // A final task's eviction is worth a timer only to a host that
        // listens for `removed`; otherwise the next call runs it, as of its
        // time, and nobody can tell.
        let timed = st.engine.needs_timer() || st.engine.events();
        Schedule {
            deadline: timed
                .then(|| st.engine.due_by())
                .flatten()
                .map(|t| t as f64),
            polling: st.engine.wants_polling(),
        }
    }

    fn take_effects(&self) -> Vec<api::Effect> {
        let mut st = self.state.borrow_mut();
        st.flush();
        core::mem::take(&mut st.out)
    }

    fn run_write(&self, run: u64, chunk: String) -> bool {
        let mut st = self.state.borrow_mut();
        if st.calls.contains_key(&run) {
            // A foreground call has no task to keep its output.
            return true;
        }
        st.engine.run_write(run, &chunk, units(&chunk), now())
    }

    fn run_progress(&self, run: u64, progress: TaskProgress) -> bool {
        let mut st = self.state.borrow_mut();
        if st.calls.contains_key(&run) {
            return true;
        }
        // A report that is not one is dropped here; the JS runner's
        // `progress()` throws instead, but a host call answers only a bool.
        let len = progress.message.as_deref().map_or(0, units);
        let Ok(json) = super::records::progress_payload(progress) else {
            return st.engine.run_is_open(run);
        };
        st.engine.run_progress(run, &Some(json), len, now())
    }

    fn run_ask(
        &self,
        run: u64,
        question: String,
        timeout: Option<f64>,
    ) -> Result<(), ManagerError> {
        self.with(|st, now| {
            if st.calls.contains_key(&run) {
                return Err(EngineError::new(
                    engine::ErrorKind::InvalidTransition,
                    "ask is for the run of a launched task, not a foreground call-agent",
                ));
            }
            let question = args::json(question, "question")?;
            let timeout = args::ms(timeout, "ask timeout", false, true)?;
            st.engine.ask(
                run,
                Some(question),
                timeout.filter(|ms| ms.is_finite()).map(|ms| ms as u64),
                now,
            )
        })
    }

    fn run_heartbeat(&self, run: u64) -> bool {
        let mut st = self.state.borrow_mut();
        if st.calls.contains_key(&run) {
            return true;
        }
        st.engine.run_heartbeat(run, now())
    }

    fn run_failed(
        &self,
        run: u64,
        error: String,
        retry_after: Option<f64>,
        retryable: Option<bool>,
    ) {
        if self.state.borrow().calls.contains_key(&run) {
            return self.run_settled(run, Err(error));
        }
        let hint = engine::RetryHint {
            retryable: retryable.unwrap_or(true),
            after: retry_after
                .filter(|ms| *ms >= 0.0 && ms.is_finite())
                .map(|ms| ms as u64),
        };
        let mut st = self.state.borrow_mut();
        st.engine.run_failed(run, error, hint, now());
    }

    fn run_settled(&self, run: u64, outcome: Result<String, String>) {
        let outcome = match outcome {
            Ok(text) => args::json(text, "the run's result").map_err(|e| e.message),
            Err(message) => Err(message),
        };
        let mut st = self.state.borrow_mut();
        if let Some(waiter) = st.calls.remove(&run) {
            st.flush();
            st.out.push(api::Effect::Wake(Wake {
                waiter,
                answer: Answer::Reply(outcome),
            }));
            return;
        }
        st.engine.run_settled(run, outcome.map(Some), now());
    }

    fn begin_poll(&self) -> Option<Poll> {
        let mut st = self.state.borrow_mut();
        let (token, session) = st.engine.begin_poll(now())?;
        Some(Poll {
            token: token.number(),
            session,
        })
    }

    fn finish_poll(&self, token: u64, status: Option<String>) {
        let mut st = self.state.borrow_mut();
        let token = PollToken::from_number(token);
        st.engine.finish_poll(token, status.as_deref(), now());
    }
}
