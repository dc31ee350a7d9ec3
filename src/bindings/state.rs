//! The manager's shared state and the rules for touching it: borrow, change,
//! release, and only then call JS (notifications, waiter wake-ups) and re-arm
//! the single deadline timer.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use js_sys::Function;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::args::MAX_TIMER_MS;
use super::{convert, errors, glue};
use crate::engine::{Effect, Engine, EngineError, Host};

/// The engine's value types on the JS side.
pub struct Js;

impl Host for Js {
    type Payload = JsValue;
    type Waiter = Resolvers;
    type Session = JsValue;
}

/// The two functions of a pending `getOutput` promise.
pub struct Resolvers {
    pub resolve: Function,
    pub reject: Function,
}

pub struct State {
    pub engine: Engine<Js>,
    poll_timer: Option<Interval>,
    /// The one timeout, armed for the engine's next deadline (and that time).
    deadline_timer: Option<(u64, Timeout)>,
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

pub fn new_shared(engine: Engine<Js>) -> Shared {
    Rc::new(Inner {
        state: RefCell::new(State {
            engine,
            poll_timer: None,
            deadline_timer: None,
        }),
        draining: Cell::new(false),
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
    settle(shared);
    Ok(out)
}

/// `run` for an engine call that can fail.
pub fn try_run<R>(
    shared: &Shared,
    op: impl FnOnce(&mut State, u64) -> Result<R, EngineError>,
) -> Result<R, JsValue> {
    run(shared, op)?.map_err(errors::engine_error)
}

fn settle(shared: &Shared) {
    drain(shared);
    arm_deadline(shared);
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
            Some(effect) => deliver(effect),
            None => break,
        }
    }
    shared.draining.set(false);
}

fn deliver(effect: Effect<Js>) {
    match effect {
        Effect::Notify {
            session,
            task_id,
            status,
            timestamp,
        } => glue::notify(&session, &task_id, status as u8, timestamp as f64),
        Effect::Wake {
            waiter,
            task,
            timed_out,
        } => {
            let _ = waiter.resolve.call1(
                &JsValue::UNDEFINED,
                &convert::output_object(&task, timed_out),
            );
        }
        Effect::Dispose { waiter, task_id } => {
            let error = errors::engine_error(EngineError::disposed(&task_id));
            let _ = waiter.reject.call1(&JsValue::UNDEFINED, &error);
        }
    }
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
        (at, Timeout::new(delay, move || on_deadline(&weak)))
    });
}

fn on_deadline(weak: &Weak<Inner>) {
    let Some(shared) = weak.upgrade() else { return };
    // This timer has fired: forget it so that `arm_deadline` arms a new one
    // even for the same deadline (one that fired early).
    let fired = shared
        .state
        .try_borrow_mut()
        .ok()
        .and_then(|mut state| state.deadline_timer.take());
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
    state.poll_timer = Some(Interval::new(every, move || on_poll(&weak)));
}

/// Stops both timers (their callbacks are dropped with them).
pub fn stop_timers(state: &mut State) {
    state.poll_timer = None;
    state.deadline_timer = None;
}

fn on_poll(weak: &Weak<Inner>) {
    let Some(shared) = weak.upgrade() else { return };
    let Ok(Some((token, session))) = run(&shared, |state, now| state.engine.begin_poll(now)) else {
        return;
    };
    drop(shared);
    // Called with no borrow held: getStatus may call the manager.
    let answer = glue::ask_status(&session);
    let weak = weak.clone();
    spawn_local(async move {
        let status = JsFuture::from(answer)
            .await
            .ok()
            .and_then(|v| v.as_string());
        if let Some(shared) = weak.upgrade() {
            let _ = run(&shared, |state, now| {
                state.engine.finish_poll(token, status.as_deref(), now)
            });
        }
    });
}
