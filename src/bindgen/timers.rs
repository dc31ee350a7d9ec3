//! The manager's two timers, from gloo-timers: one `Interval` polls the
//! session, one `Timeout` fires at the engine's next deadline and is re-armed
//! by replacing it. Dropping either clears its JS timer, so the number of
//! live JS timers never grows with the number of tasks. Both run only while
//! there is work (see `driver::arm_timers`). In Deno and Node the deadline
//! timer that waits for evictions alone is unref'd instead (`Unheld`): the
//! memory of evicted tasks comes back at their time, and a script whose work
//! is done still ends on its own.
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use super::args::MAX_TIMER_MS;
use super::imports;

pub struct Timers {
    poll: Option<Interval>,
    /// The deadline timer and the time it was armed for.
    deadline: Option<(u64, Deadline)>,
    evictions: Evictions,
}

/// How the deadline timer waits when evictions alone are pending.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evictions {
    /// A browser page: as for any deadline; a timer holds no page open.
    Held,
    /// Deno and Node: unref'd, since a pending timer keeps the process alive.
    Unheld,
    /// A script host that refused to unref a timer: none, and the next call
    /// runs the evictions that are due, as of their time.
    Untimed,
}

/// An armed deadline timer; dropping it clears it.
// Its timers are held only to be dropped.
#[allow(dead_code)]
pub enum Deadline {
    Held(Timeout),
    Unheld(Unheld),
}

/// A timer from `imports::unheld_timeout`, with the callback it calls (gloo's
/// `Timeout` keeps its timer's id to itself, so it cannot be unref'd).
pub struct Unheld {
    handle: JsValue,
    _fire: Closure<dyn FnMut()>,
}

impl Drop for Unheld {
    fn drop(&mut self) {
        imports::clear_unheld(&self.handle);
    }
}

impl Timers {
    pub fn new(script_host: bool) -> Timers {
        Timers {
            poll: None,
            deadline: None,
            evictions: if script_host {
                Evictions::Unheld
            } else {
                Evictions::Held
            },
        }
    }

    /// The deadline timer the engine's work needs: `Some(true)` one that
    /// may keep the process alive (live work, or a browser), `Some(false)`
    /// one that must not, `None` none.
    pub fn wanted(&self, live_work: bool, needs_timer: bool) -> Option<bool> {
        match self.evictions {
            _ if live_work => Some(true),
            _ if !needs_timer => None,
            Evictions::Held => Some(true),
            Evictions::Unheld => Some(false),
            Evictions::Untimed => None,
        }
    }

    /// Whether the polling interval runs.
    pub fn polling(&self) -> bool {
        self.poll.is_some()
    }

    /// Starts polling every `ms` unless it already runs.
    pub fn poll_every(&mut self, ms: u64, tick: impl FnMut() + 'static) {
        if self.poll.is_none() {
            self.poll = Some(Interval::new(ms as u32, tick));
        }
    }

    /// Stops polling; the interval is returned, to be dropped (which clears
    /// it) once the state is released.
    pub fn stop_polling(&mut self) -> Option<Interval> {
        self.poll.take()
    }

    /// Disarms the deadline timer; returned to be dropped as `stop_polling`.
    pub fn disarm(&mut self) -> Option<Deadline> {
        self.deadline.take().map(|(_, t)| t)
    }

    /// When the deadline timer is armed for, and whether it may keep the
    /// process alive.
    pub fn armed(&self) -> Option<(u64, bool)> {
        self.deadline
            .as_ref()
            .map(|(at, t)| (*at, matches!(t, Deadline::Held(_))))
    }

    /// When the deadline timer is armed for.
    pub fn armed_for(&self) -> Option<u64> {
        self.armed().map(|(at, _)| at)
    }

    /// Arms the deadline timer for `at`, held or not (`wanted`), replacing
    /// the one armed before, which is returned to be dropped (cleared) once
    /// the state is released. A deadline past the longest delay a JS timer
    /// takes fires early, finds nothing due, and re-arms for the rest.
    pub fn arm(
        &mut self,
        at: u64,
        now: u64,
        held: bool,
        fire: impl FnOnce() + 'static,
    ) -> Option<Deadline> {
        let delay = (at.saturating_sub(now) as f64).min(MAX_TIMER_MS) as u32;
        let timer = if held {
            Deadline::Held(Timeout::new(delay, fire))
        } else {
            let fire = Closure::once(fire);
            match imports::unheld_timeout(&fire, delay) {
                Ok(handle) => Deadline::Unheld(Unheld {
                    handle,
                    _fire: fire,
                }),
                // A held timer would keep the process alive for a whole
                // TTL: evictions wait for the next call instead.
                Err(_) => {
                    self.evictions = Evictions::Untimed;
                    return self.disarm();
                }
            }
        };
        self.deadline.replace((at, timer)).map(|(_, t)| t)
    }

    /// The deadline timer fired: forget it, so that the next `arm` arms a
    /// new one even for the same time (one that fired early). Returned to
    /// be dropped by the caller once its state is released.
    pub fn fired(&mut self) -> Option<Deadline> {
        self.deadline.take().map(|(_, t)| t)
    }

    /// Stops both timers (`cleanup()`).
    pub fn stop(&mut self) -> (Option<Interval>, Option<Deadline>) {
        (self.poll.take(), self.deadline.take().map(|(_, t)| t))
    }
}

/// The durable build's timer: a one-off that is cleared when dropped, the
/// store's retry after a failed write.
#[cfg(feature = "durable")]
pub mod durable {
    use gloo_timers::callback::Timeout;

    use crate::bindgen::args::MAX_TIMER_MS;

    pub struct Later(#[allow(dead_code)] Timeout);

    pub fn later(ms: u64, fire: impl FnOnce() + 'static) -> Later {
        Later(Timeout::new((ms as f64).min(MAX_TIMER_MS) as u32, fire))
    }
}
