//! The manager's shared state and the rules for touching it: borrow, change,
//! release, and only then call JS (notifications, runners, listeners, waiter
//! wake-ups) and re-arm the single deadline timer.
use alloc::{string::String, vec::Vec};

use crate::engine::fxhash::FxHashMap;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::args::MAX_TIMER_MS;
use super::convert;
use super::timers::Timer;
use super::{errors, glue};
use crate::engine::{Effect, Engine, EngineError, Event, Host, Task};

/// The engine's value types on the JS side.
pub struct Js;

impl Host for Js {
    type Payload = JsValue;
    type Waiter = Resolvers;
    type Session = JsValue;
}

/// What a pending promise settles with when its task becomes final.
#[derive(Clone, Copy)]
pub enum Answer {
    /// `getOutput`'s result, from `since` if given.
    Output { since: Option<u64> },
    /// The task itself (`cancelTask` waiting out a grace period).
    Task,
}

/// The two functions of a pending promise, what it answers, and the task's
/// id as the JS string the answer carries.
pub struct Resolvers {
    pub resolve: Function,
    pub reject: Function,
    pub answer: Answer,
    pub id: JsValue,
}

pub struct State {
    pub engine: Engine<Js>,
    pub runner: JsValue,
    poll_timer: Option<Timer>,
    /// The one timeout, armed for the engine's next deadline (and that time).
    deadline_timer: Option<(u64, Timer)>,
    /// Live runs by task seq, as `glue.startRun` made them.
    runs: FxHashMap<u64, JsValue>,
    /// Foreground `callAgent` runs still going, so cleanup can abort them.
    foreground: FxHashMap<u64, JsValue>,
    next_foreground: u64,
    listeners: Vec<(u64, Function)>,
    next_listener: u64,
    /// JS strings that snapshots share.
    pub strings: convert::Strings,
    /// The caller's own string for the id of the task (by seq) the last
    /// call named: that call's notifications and events reuse it instead of
    /// spelling the id out. Left in place after: whichever effect of that
    /// task meets it later, the string is still that task's id.
    pub hint: Option<(u64, JsValue)>,
    /// Where runners' `write(chunk)` lands: `(seq, chunk)`.
    sink: Option<Closure<dyn FnMut(f64, String)>>,
}

impl Resolvers {
    /// What the promise resolves with, `task` being as it is now.
    pub fn value(
        &self,
        strings: &convert::Strings,
        task: &Task<JsValue>,
        timed_out: bool,
    ) -> JsValue {
        match self.answer {
            Answer::Output { since } => convert::output_object(&self.id, task, since, timed_out),
            Answer::Task => strings.task_object(&self.id, task),
        }
    }
}

impl State {
    /// The runner to call and the `write` sink it gets.
    fn runner(&mut self) -> Option<(JsValue, JsValue)> {
        let sink = self.sink.as_ref()?.as_ref().clone();
        Some((self.runner.clone(), sink))
    }
}

pub struct Inner {
    state: RefCell<State>,
    /// Set while effects are being delivered, so a callback that calls back
    /// into the manager queues its effects behind the ones in progress
    /// instead of delivering them out of order. Outside the RefCell so it can
    /// never be stuck behind a borrow.
    draining: Cell<bool>,
}

pub type Shared = Rc<Inner>;

pub fn new_shared(engine: Engine<Js>, runner: JsValue) -> Shared {
    Rc::new_cyclic(|weak: &Weak<Inner>| {
        let weak = weak.clone();
        let sink = Closure::new(move |seq: f64, chunk: String| {
            if let Some(shared) = weak.upgrade() {
                let _ = run(&shared, |st, now| {
                    st.engine.run_write(seq as u64, &chunk, now)
                });
            }
        });
        Inner {
            state: RefCell::new(State {
                engine,
                runner,
                poll_timer: None,
                deadline_timer: None,
                runs: FxHashMap::default(),
                foreground: FxHashMap::default(),
                next_foreground: 0,
                listeners: Vec::new(),
                next_listener: 0,
                strings: convert::Strings::default(),
                hint: None,
                sink: Some(sink),
            }),
            draining: Cell::new(false),
        }
    })
}

pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Runs `op` with the state borrowed, then with the borrow released delivers
/// the effects it queued and re-arms the deadline timer. `op` must not call
/// user code; it may build plain JS values.
pub fn run<R>(shared: &Shared, op: impl FnOnce(&mut State, u64) -> R) -> Result<R, JsValue> {
    let out = {
        let mut state = shared
            .state
            .try_borrow_mut()
            .map_err(|_| errors::reentered())?;
        op(&mut state, now())
    };
    drain(shared);
    arm_deadline(shared);
    Ok(out)
}

/// `run` for an engine call that can fail.
pub fn try_run<R>(
    shared: &Shared,
    op: impl FnOnce(&mut State, u64) -> Result<R, EngineError>,
) -> Result<R, JsValue> {
    run(shared, op)?.map_err(errors::engine_error)
}

/// Runs `op`, a call that only reads (it may keep id strings, nothing that
/// deadlines depend on). While the deadline timer is armed for later than
/// now, no deadline is due and the state is exact as it is: it is read
/// without moving the clock, and there is nothing to deliver or re-arm.
/// Otherwise the deadlines due run first, and their effects after, as in
/// `run`.
pub fn read<R>(shared: &Shared, op: impl FnOnce(&mut State) -> R) -> Result<R, JsValue> {
    let (out, due) = {
        let mut state = shared
            .state
            .try_borrow_mut()
            .map_err(|_| errors::reentered())?;
        let now = now();
        let due = state
            .deadline_timer
            .as_ref()
            .is_none_or(|(at, _)| now >= *at);
        if due {
            state.engine.advance(now);
        }
        (op(&mut state), due)
    };
    if due {
        drain(shared);
        arm_deadline(shared);
    }
    Ok(out)
}

fn drain(shared: &Shared) {
    if shared.draining.replace(true) {
        return;
    }
    loop {
        let next = match shared.state.try_borrow_mut() {
            Ok(mut state) => state.engine.pop_effect(),
            Err(_) => None,
        };
        match next {
            Some(effect) => deliver(shared, effect),
            None => break,
        }
    }
    shared.draining.set(false);
}

fn deliver(shared: &Shared, effect: Effect<Js>) {
    match effect {
        Effect::Notify {
            session,
            seq,
            task_id,
            status,
            timestamp,
        } => {
            let id = with_state(shared, |st| {
                convert::id_for(&st.engine, st.hint.as_ref(), seq, &task_id)
            })
            .unwrap_or_else(|| convert::id_js(&task_id));
            glue::notify(&session, &id, status as u8, timestamp as f64)
        }
        Effect::Wake {
            waiter,
            task,
            timed_out,
        } => {
            let value = with_state(shared, |st| waiter.value(&st.strings, &task, timed_out))
                .unwrap_or_default();
            let _ = waiter.resolve.call1(&JsValue::UNDEFINED, &value);
        }
        Effect::Dispose { waiter, task_id } => {
            let error = errors::engine_error(EngineError::disposed(&task_id.text()));
            let _ = waiter.reject.call1(&JsValue::UNDEFINED, &error);
        }
        Effect::Start {
            seq,
            task_id,
            agent,
            prompt,
            session_id,
            options,
        } => {
            let strings = with_state(shared, |st| {
                let id = convert::id_for(&st.engine, st.hint.as_ref(), seq, &task_id);
                (id, st.strings.session_js(&session_id).clone())
            });
            if let Some((id, session_id)) = strings {
                start_run(shared, seq, &id, &agent, &prompt, &session_id, &options);
            }
        }
        Effect::Abort { seq } => {
            let run = with_state(shared, |st| st.runs.get(&seq).cloned()).flatten();
            if let Some(run) = run {
                glue::abort_run(&run);
            }
        }
        Effect::Close { seq } => {
            if let Some(run) = with_state(shared, |st| st.runs.remove(&seq)).flatten() {
                glue::close_run(&run);
            }
        }
        Effect::Event { seq, event } => deliver_event(shared, seq, event),
    }
}

/// A short borrow that calls no JS beyond building plain values.
fn with_state<R>(shared: &Shared, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    shared.state.try_borrow_mut().ok().map(|mut st| f(&mut st))
}

/// Calls the runner for task `seq`; `task_id` and `session_id` are JS
/// strings.
fn start_run(
    shared: &Shared,
    seq: u64,
    task_id: &JsValue,
    agent: &str,
    prompt: &str,
    session_id: &JsValue,
    options: &JsValue,
) {
    let Some((runner, sink)) = with_state(shared, State::runner).flatten() else {
        return;
    };
    // The runner is called here, with nothing borrowed: it may call back.
    let handle = glue::start_run(
        &runner, &sink, seq as f64, task_id, agent, prompt, session_id, options,
    );
    let still_live = with_state(shared, |st| {
        let live = st.engine.by_seq(seq).is_some_and(|t| t.run.holds_slot());
        if live {
            st.runs.insert(seq, handle.clone());
        }
        live
    });
    if still_live != Some(true) {
        // The task ended while its runner was being called (the runner ended
        // it, or cleanup ran): the abort queued for it found no run yet, so
        // the signal is aborted here, and its writes no longer count.
        glue::abort_run(&handle);
        glue::close_run(&handle);
    }
    let weak = Rc::downgrade(shared);
    let settled = Closure::once_into_js(move |ok: bool, value: JsValue| {
        let outcome = if ok {
            Ok(value)
        } else {
            Err(value.as_string().unwrap_or_default())
        };
        if let Some(shared) = weak.upgrade() {
            let _ = run(&shared, |st, now| st.engine.run_settled(seq, outcome, now));
        }
    });
    glue::watch_run(&handle, &settled);
}

/// `callAgent` in the foreground: the runner's own promise, aborted by
/// cleanup like every other run.
pub fn call_runner(
    shared: &Shared,
    agent: &str,
    prompt: &str,
    options: &JsValue,
) -> js_sys::Promise {
    let Some(((runner, sink), id)) = with_state(shared, |st| {
        st.next_foreground += 1;
        Some((st.runner()?, st.next_foreground))
    })
    .flatten() else {
        return js_sys::Promise::reject(&errors::reentered());
    };
    let handle = glue::start_run(
        &runner,
        &sink,
        -1.0,
        &JsValue::UNDEFINED,
        agent,
        prompt,
        &JsValue::UNDEFINED,
        options,
    );
    let done = glue::run_done(&handle);
    with_state(shared, |st| st.foreground.insert(id, handle));
    let weak = Rc::downgrade(shared);
    let forget = Closure::once_into_js(move || {
        if let Some(shared) = weak.upgrade() {
            with_state(&shared, |st| st.foreground.remove(&id));
        }
    });
    glue::on_settled(&done, &forget);
    done
}

fn deliver_event(shared: &Shared, seq: u64, event: Event) {
    let Some(Some((listeners, value))) = with_state(shared, |st| {
        if st.listeners.is_empty() {
            return None;
        }
        let listeners: Vec<Function> = st.listeners.iter().map(|(_, f)| f.clone()).collect();
        Some((
            listeners,
            convert::event_object(&st.engine, &st.strings, st.hint.as_ref(), seq, &event),
        ))
    }) else {
        return;
    };
    for listener in &listeners {
        glue::call_listener(listener, &value);
    }
}

/// Adds a listener; returns the function that removes it.
pub fn subscribe(shared: &Shared, listener: Function) -> JsValue {
    let id = with_state(shared, |st| {
        st.next_listener += 1;
        st.listeners.push((st.next_listener, listener));
        st.engine.set_events(true);
        st.next_listener
    });
    let weak = Rc::downgrade(shared);
    let remove = Closure::once_into_js(move || {
        if let Some(shared) = weak.upgrade() {
            with_state(&shared, |st| {
                st.listeners.retain(|(other, _)| Some(*other) != id);
                let any = !st.listeners.is_empty();
                st.engine.set_events(any);
            });
        }
    });
    glue::once(&remove)
}

/// Keeps the single deadline timer armed for the engine's next deadline.
fn arm_deadline(shared: &Shared) {
    let Ok(mut state) = shared.state.try_borrow_mut() else {
        return;
    };
    let next = state.engine.next_deadline();
    if state.deadline_timer.as_ref().map(|(at, _)| *at) == next {
        return;
    }
    state.deadline_timer = next.map(|at| {
        // A deadline past the longest timer JS allows fires early, finds
        // nothing due, and re-arms for the rest.
        let delay = (at.saturating_sub(now()) as f64).min(MAX_TIMER_MS) as u32;
        let weak = Rc::downgrade(shared);
        (at, Timer::once(delay, move || on_deadline(&weak)))
    });
}

fn on_deadline(weak: &Weak<Inner>) {
    let Some(shared) = weak.upgrade() else { return };
    // This timer has fired: forget it so that `arm_deadline` arms a new one
    // even for the same deadline (one that fired early).
    let fired = with_state(&shared, |st| st.deadline_timer.take()).flatten();
    drop(fired);
    let _ = run(&shared, |state, now| {
        state.engine.advance(now);
    });
}

/// Starts the polling interval unless it already runs.
pub fn start_polling(shared: &Shared, state: &mut State) {
    if state.poll_timer.is_some() {
        return;
    }
    let weak = Rc::downgrade(shared);
    let every = state.engine.config().poll_interval as u32;
    state.poll_timer = Some(Timer::every(every, move || on_poll(&weak)));
}

/// `cleanup()`: everything the engine forgets, plus the timers and the
/// foreground runs, which only the binding knows.
pub fn dispose(shared: &Shared) -> Result<(), JsValue> {
    let foreground = run(shared, |st, _| {
        st.engine.dispose();
        st.poll_timer = None;
        st.deadline_timer = None;
        core::mem::take(&mut st.foreground)
    })?;
    for run in foreground.values() {
        glue::abort_run(run);
    }
    Ok(())
}

fn on_poll(weak: &Weak<Inner>) {
    let Some(shared) = weak.upgrade() else { return };
    let Ok(Some((token, session))) = run(&shared, |state, now| state.engine.begin_poll(now)) else {
        return;
    };
    drop(shared);
    // Called with no borrow held: getStatus may call the manager.
    let weak = weak.clone();
    let answered = Closure::once_into_js(move |status: JsValue| {
        let status = status.as_string();
        if let Some(shared) = weak.upgrade() {
            let _ = run(&shared, |state, now| {
                state.engine.finish_poll(token, status.as_deref(), now)
            });
        }
    });
    glue::ask_status(&session, &answered);
}
