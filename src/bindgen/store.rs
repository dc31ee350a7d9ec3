//! The engine's host on the JS side: its types (`Js`) and its `Store`,
//! `view.js` (imported in `imports.rs`), which keeps every JS value of every
//! task by seq and which the facade reads to answer reads without entering
//! wasm. Every call here is the engine writing or reading its own store:
//! none reaches user code, so the engine may make them while its state is
//! borrowed.
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::imports::{log_entry, restore_log, uuid_text, View};
use super::protocol::LogEntry as Entry;
use crate::engine::{Cut, Ending, Host, LogCut, LogKind, NewTask, Outcome, Store, Task};

/// The engine's host types on the JS side: every value is a `JsValue` the
/// engine passes on without reading, kept in the view.
pub struct Js;

impl Host for Js {
    type Id = JsValue;
    type Payload = JsValue;
    type Text = JsValue;
    type Waiter = Waiter;
    /// Shared, so that each notification's copy costs no boundary call.
    type Session = Rc<JsValue>;
    type Snapshot = JsValue;
    type Store = JsStore;
}

/// A pending promise (`calls.js`'s `deferred`), and the task's id as the JS
/// string its answer carries.
pub struct Waiter {
    pub deferred: JsValue,
    pub id: JsValue,
}

/// The store the JS skin gives the engine.
pub struct JsStore {
    pub view: View,
}

impl Store<Js> for JsStore {
    fn find(&self, id: &JsValue) -> Option<u64> {
        let seq = self.view.find(id);
        (seq >= 0.0).then_some(seq as u64)
    }

    fn random(&mut self, bytes: &mut [u8]) -> bool {
        getrandom::fill(bytes).is_ok()
    }

    fn uuid(&mut self, bytes: &[u8; 16]) -> JsValue {
        let word =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        uuid_text(word(0), word(4), word(8), word(12))
    }

    fn text(&mut self, message: &str) -> JsValue {
        JsValue::from_str(message)
    }

    fn describe(&self, id: &JsValue) -> String {
        id.as_string().unwrap_or_default()
    }

    fn insert(
        &mut self,
        seq: u64,
        oldest: u64,
        id: JsValue,
        task: NewTask<Js>,
    ) -> Result<(), (JsValue, NewTask<Js>)> {
        let (agent, prompt) = match &task.launch {
            Some((agent, prompt)) => (agent, prompt),
            None => (&JsValue::UNDEFINED, &JsValue::UNDEFINED),
        };
        let filed = self
            .view
            .insert(seq as f64, oldest as f64, &id, &task.options, agent, prompt);
        if filed {
            Ok(())
        } else {
            Err((id, task))
        }
    }

    fn set_session(&mut self, index: u32, id: Option<JsValue>) {
        self.view
            .set_session(index, &id.unwrap_or(JsValue::UNDEFINED));
    }

    fn finish(&mut self, seq: u64, ending: Ending<Js>) -> JsValue {
        let value = match ending {
            Ending::None => JsValue::UNDEFINED,
            Ending::Result(value) | Ending::Error(value) => value,
        };
        self.view.finish(seq as f64, &value)
    }

    fn log(
        &mut self,
        seq: u64,
        entry: u64,
        at: u64,
        kind: LogKind<'_, JsValue, JsValue>,
        cut: LogCut,
    ) {
        let undefined = &JsValue::UNDEFINED;
        let none = Cut::default();
        // A status entry's kind is `Entry::Status` plus the status number.
        let status = match &kind {
            LogKind::Status(status) => status.index() as u32,
            _ => 0,
        };
        let (kind, value, cursor, out) = match kind {
            LogKind::Output(chunk, cursor, out) => (Entry::Output, chunk, cursor as f64, out),
            LogKind::Progress(report) => (Entry::Progress, report, 0.0, none),
            LogKind::Heartbeat => (Entry::Heartbeat, undefined, 0.0, none),
            LogKind::Stalled(true) => (Entry::Stalled, undefined, 0.0, none),
            LogKind::Stalled(false) => (Entry::Resumed, undefined, 0.0, none),
            // The attempt rides in the output cut's place, which a retry
            // entry has no use for.
            LogKind::Retry { attempt, error, at } => (
                Entry::Retry,
                error,
                at as f64,
                Cut {
                    head: attempt as usize,
                    drop: 0,
                },
            ),
            LogKind::Asked(question) => (Entry::Asked, question, 0.0, none),
            LogKind::Status(_) => (Entry::Status, undefined, 0.0, none),
        };
        log_entry(
            &self.view,
            seq as f64,
            entry as f64,
            at as f64,
            kind as u32 + status,
            value,
            cursor,
            cut.head,
            cut.drop as f64,
            out.head as f64,
            out.drop as f64,
        );
    }

    fn restore_log(&mut self, seq: u64, entries: JsValue) {
        restore_log(&self.view, seq as f64, &entries);
    }

    fn restore_output(&mut self, seq: u64, head: JsValue, tail: JsValue, dropped: u64) {
        self.view
            .restore_output(seq as f64, &head, &tail, dropped as f64);
    }

    fn set_attempt(&mut self, seq: u64, attempt: u32) {
        self.view.set_attempt(seq as f64, attempt);
    }

    fn adopt(&mut self, parent: u64, child: u64) {
        self.view.adopt(parent as f64, child as f64);
    }

    fn set_question(&mut self, seq: u64, question: Option<&JsValue>) {
        self.view
            .set_question(seq as f64, question.unwrap_or(&JsValue::UNDEFINED));
    }

    fn set_agent(&mut self, seq: u64, agent: JsValue) {
        self.view.set_agent(seq as f64, &agent);
    }

    fn remove(&mut self, seq: u64) {
        self.view.remove(seq as f64);
    }

    fn clear(&mut self) {
        self.view.clear();
    }

    fn id(&self, seq: u64) -> Option<JsValue> {
        self.view.id(seq as f64)
    }

    fn options(&self, seq: u64) -> Option<JsValue> {
        // `undefined` options are options too; the seq is known to be live.
        Some(self.view.options(seq as f64))
    }

    fn ending(&self, seq: u64, outcome: Outcome) -> Ending<Js> {
        match outcome {
            Outcome::Result => Ending::Result(self.view.value(seq as f64)),
            Outcome::Error => Ending::Error(self.view.value(seq as f64)),
            Outcome::None => Ending::None,
        }
    }

    fn output(&self, seq: u64, cursor: u64) -> JsValue {
        self.view.output(seq as f64, cursor as f64)
    }

    fn snapshot(&self, seq: u64, task: &Task) -> JsValue {
        self.view.snapshot(
            seq as f64,
            task.status.index() as u8,
            task.created_at as f64,
            task.updated_at as f64,
            task.session,
        )
    }
}
