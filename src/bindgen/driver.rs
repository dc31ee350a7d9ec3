//! The single-threaded state, in `Rc<RefCell<…>>`, and the one way to change
//! it: borrow, run one engine operation, release, then carry out what the
//! operation queued (which may call user code, which may call back in) and
//! re-arm the deadline timer.
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::JsValue;

#[cfg(feature = "durable")]
use super::durable::writes::Persist;
use super::errors;
use super::held::Pending;
use super::imports;
use super::imports::View;
use super::store::Js;
use super::timers::Timers;
use crate::engine::{Effect, Engine, EngineError};

pub struct State {
    pub engine: Engine<Js>,
    pub view: View,
    /// The runner to call, or the built-in simulated agent.
    pub runner: JsValue,
    pub timers: Timers,
    /// Foreground `callAgent` runs still going, so cleanup can abort them
    /// (few at a time: a list). Background runs are the view's (`run`).
    pub foreground: Vec<(u64, JsValue)>,
    pub next_foreground: u64,
    pub listeners: Vec<(u64, Function)>,
    pub next_listener: u64,
    /// User promises being awaited, to let go of at cleanup.
    pub pending: Pending,
    /// Numbers the facade reads out of wasm memory (see `core.rs`).
    pub rows: Vec<f64>,
    /// Set by `free()`: every later call rejects `DISPOSED`.
    pub disposed: bool,
    /// Until when the facade's reads may trust the state as it is (ms since
    /// the epoch, read by the facade from wasm memory, see `Core::due_at`):
    /// the time the deadline timer is armed for, which is no later than the
    /// engine's next deadline; +∞ when nothing is timed, −∞ while an
    /// operation and its effects are in progress. Boxed so its address stays.
    pub due: Box<f64>,
    /// What a `cancelTask` that must wait hands the facade (`takeWaiting`).
    pub waiting: Option<js_sys::Promise>,
    /// The durable store's writes, when there is one.
    #[cfg(feature = "durable")]
    pub persist: Option<Persist>,
}

pub struct Inner {
    pub state: RefCell<State>,
    /// Set while effects are being delivered, so a callback that calls back
    /// into the manager queues its effects behind the ones in progress
    /// instead of delivering them out of order. Outside the RefCell so it can
    /// never be stuck behind a borrow.
    draining: Cell<bool>,
    /// What the driver calls out to. Handed in by whoever makes the state,
    /// because each calls back into this driver: delivering an effect (a
    /// runner's outcome, a callback's own calls), and a polling tick (the
    /// poll's answer).
    hooks: Hooks,
}

pub struct Hooks {
    /// Carries out one effect once the state is released (`deliver::deliver`).
    pub deliver: fn(&Shared, Effect<Js>),
    /// One tick of the polling interval.
    pub poll: fn(&Shared),
    /// Writes what the engine journaled (`persist::flush`), after the
    /// effects are delivered.
    pub flush: fn(&Shared),
}

pub type Shared = Rc<Inner>;

pub fn new_shared(
    engine: Engine<Js>,
    view: View,
    runner: JsValue,
    #[cfg(feature = "durable")] persist: Option<Persist>,
    hooks: Hooks,
) -> Shared {
    Rc::new(Inner {
        state: RefCell::new(State {
            engine,
            view,
            runner,
            timers: Timers::new(imports::is_script_host()),
            foreground: Vec::new(),
            next_foreground: 0,
            listeners: Vec::new(),
            next_listener: 0,
            pending: Pending::default(),
            rows: Vec::new(),
            disposed: false,
            due: Box::new(f64::NEG_INFINITY),
            waiting: None,
            #[cfg(feature = "durable")]
            persist,
        }),
        draining: Cell::new(false),
        hooks,
    })
}

pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Stores (or replaces) the session; returns the poll in flight, abandoned,
/// to let go of once the state is released.
pub fn set_session(
    st: &mut State,
    session: Rc<JsValue>,
    text: &str,
    session_id: JsValue,
    now: u64,
) -> Option<js_sys::Promise> {
    st.engine.initialize(session, text, session_id, now);
    st.pending.take_poll()
}

/// Runs `op` with the state borrowed, then with the borrow released delivers
/// the effects it queued and re-arms the deadline timer. `op` must not call
/// user code; it may build plain JS values and write the store.
pub fn run<R>(shared: &Shared, op: impl FnOnce(&mut State, u64) -> R) -> Result<R, JsValue> {
    let out = {
        let mut state = shared
            .state
            .try_borrow_mut()
            .map_err(|_| errors::reentered())?;
        if state.disposed {
            return Err(errors::disposed());
        }
        // Reads made by callbacks while this operation's effects are
        // delivered go through the core, until `arm_timers` publishes.
        *state.due = f64::NEG_INFINITY;
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
    run(shared, op)?.map_err(errors::engine)
}

/// Delivers what is queued and sets the timers for what is left.
pub fn settle(shared: &Shared) {
    drain(shared);
    arm_timers(shared);
    (shared.hooks.flush)(shared);
}

/// A short borrow that calls no user code.
pub fn with_state<R>(shared: &Shared, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    shared.state.try_borrow_mut().ok().map(|mut st| f(&mut st))
}

fn drain(shared: &Shared) {
    if shared.draining.replace(true) {
        return;
    }
    while let Some(effect) = with_state(shared, |st| st.engine.pop_effect()).flatten() {
        (shared.hooks.deliver)(shared, effect);
    }
    shared.draining.set(false);
}

/// Sets the timers for the work there is, as the engine decides: the
/// polling interval runs while the session has a running task to ask about,
/// and the deadline timer while there is timed work (`Engine::needs_timer`),
/// armed no later than the engine's next deadline; in Deno and Node it is
/// unref'd while evictions alone are pending (`Timers::wanted`), and is armed
/// anew when that changes. A deadline that moved later (the oldest task
/// finished) leaves the timer as it is: it fires early, finds nothing due,
/// and is armed again then; re-arming on every change would cost a
/// clearTimeout and a setTimeout per completed task. Then publishes until
/// when reads may trust the state (`State::due`).
fn arm_timers(shared: &Shared) {
    let weak = Rc::downgrade(shared);
    let stopped = with_state(shared, |st| {
        let poll = if st.engine.wants_polling() {
            if !st.timers.polling() {
                let tick = weak.clone();
                let every = st.engine.config().poll_interval;
                st.timers.poll_every(every, move || {
                    if let Some(shared) = tick.upgrade() {
                        (shared.hooks.poll)(&shared);
                    }
                });
            }
            None
        } else {
            st.timers.stop_polling()
        };
        let next = st.engine.due_by();
        let wanted = st
            .timers
            .wanted(st.engine.live_work(), st.engine.needs_timer());
        let deadline = match (wanted, next, st.timers.armed()) {
            (Some(held), Some(next), armed)
                if armed.is_none_or(|(at, was)| next < at || was != held) =>
            {
                st.timers.arm(next, now(), held, move || on_deadline(&weak))
            }
            (Some(_), _, _) => None,
            (None, _, _) => st.timers.disarm(),
        };
        // Armed, the timer is no later than the next deadline; unarmed, the
        // next deadline is an eviction that the next read must run.
        let due = st.timers.armed_for().or(next);
        *st.due = due.map_or(f64::INFINITY, |at| at as f64);
        (poll, deadline)
    });
    // Cleared with the state released.
    drop(stopped);
}

fn on_deadline(weak: &Weak<Inner>) {
    let Some(shared) = weak.upgrade() else { return };
    let fired = with_state(&shared, |st| st.timers.fired());
    drop(fired);
    let _ = run(&shared, |st, now| {
        st.engine.advance(now);
    });
}
