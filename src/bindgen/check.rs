//! The differential check of the JS view against the engine: every task the
//! engine holds is filed in the view under its id, with exactly the output
//! the engine's lengths say, and the view holds nothing else. With the
//! engine's own invariants, this is what the JS fuzzer asserts after every
//! step.
use js_sys::Array;
use wasm_bindgen::JsCast;

use super::store::Js;
use crate::engine::{Engine, Store};

pub fn check(engine: &Engine<Js>) -> String {
    if let Some(what) = engine.inconsistency() {
        return format!("engine: {what}");
    }
    let view = &engine.store().view;
    if view.size() as usize != engine.len() {
        return format!(
            "view: {} ids filed, the engine holds {} tasks",
            view.size(),
            engine.len()
        );
    }
    for task in engine.list(None) {
        let seq = task.seq();
        let Ok(held) = view.describe_seq(seq as f64).dyn_into::<Array>() else {
            return format!("view: task #{seq} missing");
        };
        let id = held.get(0);
        if engine.store().find(&id) != Some(seq) {
            return format!("view: task #{seq}'s id is not filed under it");
        }
        let number = |i: u32| held.get(i).as_f64().unwrap_or(-1.0);
        let (head, tail) = task.output().map_or((0, 0), |o| o.kept());
        let (h, t, d) = (number(1), number(2), number(3));
        if (h, t, d) != (head as f64, tail as f64, task.dropped() as f64) {
            return format!(
                "view: task #{seq} keeps output ({h}, {t}, dropped {d}), the engine says ({head}, {tail}, dropped {})",
                task.dropped()
            );
        }
        // The log: entries kept at each end and the newest seq, once made.
        let log = task.stream().map(|s| {
            let (h, t) = s.log.kept();
            (h as f64, t as f64, s.log.last() as f64)
        });
        let held_log = (number(4) >= 0.0).then(|| (number(4), number(5), number(6)));
        if log != held_log {
            return format!("view: task #{seq} keeps log {held_log:?}, the engine says {log:?}");
        }
        // Its family: the parent's seq and the children still held.
        let (parent, children) = engine.family(seq);
        let family = (parent.map_or(-1.0, |p| p as f64), children.len() as f64);
        let held_family = (number(7), number(8));
        if parent.is_some() && family != held_family
            || parent.is_none() && family.1 != held_family.1
        {
            return format!(
                "view: task #{seq} has family {held_family:?}, the engine says {family:?}"
            );
        }
    }
    String::new()
}
