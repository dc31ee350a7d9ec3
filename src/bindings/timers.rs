//! The two timers the manager owns, as handles that clear their JS timer when
//! dropped. Written here rather than taken from gloo-timers: that crate links
//! std, and with it std's panic machinery, which this `no_std` build keeps
//! out of the .wasm (about 3 KB gzipped).

use wasm_bindgen::prelude::*;

use super::glue;

/// A `setTimeout` or `setInterval` that lives as long as this value.
pub struct Timer {
    id: JsValue,
    /// Kept alive for JS to call; freed with the timer.
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Calls `f` once after `ms`.
    pub fn once(ms: u32, f: impl FnMut() + 'static) -> Timer {
        Timer::start(ms, false, f)
    }

    /// Calls `f` every `ms`.
    pub fn every(ms: u32, f: impl FnMut() + 'static) -> Timer {
        Timer::start(ms, true, f)
    }

    fn start(ms: u32, repeat: bool, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = glue::set_timer(callback.as_ref(), ms, repeat);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        glue::clear_timer(&self.id);
    }
}
