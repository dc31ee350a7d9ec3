//! The manager's two timers, from gloo-timers: one `Interval` polls the
//! session, one `Timeout` fires at the engine's next deadline and is re-armed
//! by replacing it. Dropping either clears its JS timer, so the number of
//! live JS timers never grows with the number of tasks. Both run only while
//! there is work (see `driver::arm_timers`), so a script whose work is done
//! ends on its own.
use gloo_timers::callback::{Interval, Timeout};

use super::args::MAX_TIMER_MS;

#[derive(Default)]
pub struct Timers {
    poll: Option<Interval>,
    /// The deadline timer and the time it was armed for.
    deadline: Option<(u64, Timeout)>,
}

impl Timers {
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
    pub fn disarm(&mut self) -> Option<Timeout> {
        self.deadline.take().map(|(_, t)| t)
    }

    /// When the deadline timer is armed for.
    pub fn armed_for(&self) -> Option<u64> {
        self.deadline.as_ref().map(|(at, _)| *at)
    }

    /// Arms the deadline timer for `at`, replacing the one armed before,
    /// which is returned to be dropped (cleared) once the state is released.
    /// A deadline past the longest delay a JS timer takes fires early, finds
    /// nothing due, and re-arms for the rest.
    pub fn arm(&mut self, at: u64, now: u64, fire: impl FnOnce() + 'static) -> Option<Timeout> {
        let delay = (at.saturating_sub(now) as f64).min(MAX_TIMER_MS) as u32;
        self.deadline
            .replace((at, Timeout::new(delay, fire)))
            .map(|(_, t)| t)
    }

    /// The deadline timer fired: forget it, so that the next `arm` arms a
    /// new one even for the same time (one that fired early). Returned to
    /// be dropped by the caller once its state is released.
    pub fn fired(&mut self) -> Option<Timeout> {
        self.deadline.take().map(|(_, t)| t)
    }

    /// Stops both timers (`cleanup()`).
    pub fn stop(&mut self) -> (Option<Interval>, Option<Timeout>) {
        (self.poll.take(), self.deadline.take().map(|(_, t)| t))
    }
}

#[cfg(feature = "durable")]
/// A one-off timer that is cleared when dropped: the durable store's retry
/// after a failed write.
pub struct Later(#[allow(dead_code)] Timeout);

#[cfg(feature = "durable")]
pub fn later(ms: u64, fire: impl FnOnce() + 'static) -> Later {
    Later(Timeout::new((ms as f64).min(MAX_TIMER_MS) as u32, fire))
}
