//! Carrying out the engine's effects, one at a time and with the state
//! released: this is where user code is called (sessions, runners,
//! listeners, waiters), through `calls.js`, which never lets what it throws
//! reach Rust.
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::driver::{self, Shared};
#[cfg(feature = "durable")]
use super::durable::records::{BatchMessage, NotificationMessage};
use super::protocol::Reply as How;
use super::records::{self, BackgroundReply, OutputResult, TaskEvent};
use super::store::Js;
use super::{errors, imports, promises};
use crate::engine::{Answer, Effect, Ending, EngineError, Event, Reply, Run, Status, Store};

/// Task `seq`'s run, if it is still going; the borrow ends before the
/// caller calls into it.
fn live_run(shared: &Shared, seq: u64) -> Option<JsValue> {
    driver::with_state(shared, |st| st.view.run(seq as f64)).flatten()
}

pub fn deliver(shared: &Shared, effect: Effect<Js>) {
    match effect {
        Effect::Notify {
            session,
            id,
            status,
            timestamp,
        } => {
            let held = imports::notify(&session, &id, status.index() as u8, timestamp as f64);
            if let Some(held) = held {
                promises::watch_send(shared, held);
            }
        }
        Effect::Wake { waiter, answer } => {
            let value = answer_value(&waiter.id, answer);
            imports::settle(&waiter.deferred, true, &value);
        }
        Effect::Dispose { waiter, id } => {
            let text = id.as_string().unwrap_or_default();
            let error = errors::engine(EngineError::disposed(&text));
            imports::settle(&waiter.deferred, false, &error);
        }
        Effect::Start { seq } => start_run(shared, seq),
        Effect::Reply { seq, reply } => {
            if let Some(run) = live_run(shared, seq) {
                let (how, answer) = match reply {
                    Reply::Answer(answer) => (How::Answer, answer),
                    Reply::TimedOut => (How::TimedOut, JsValue::UNDEFINED),
                    Reply::Aborted => (How::Aborted, JsValue::UNDEFINED),
                };
                imports::reply_run(&run, how as u8, &answer);
            }
        }
        Effect::Abort { seq } => {
            if let Some(run) = live_run(shared, seq) {
                imports::abort_run(&run);
            }
        }
        Effect::Close { seq } => {
            if let Some(run) =
                driver::with_state(shared, |st| st.view.take_run(seq as f64)).flatten()
            {
                imports::close_run(&run);
            }
        }
        Effect::Event { seq, event } => deliver_event(shared, seq, event),
        #[cfg(feature = "durable")]
        Effect::Deliver {
            session,
            send,
            batch,
            notices,
        } => {
            let each = notices.into_iter().map(|n| NotificationMessage {
                kind: "task_completion",
                task_id: n.task,
                status: n.status.as_str(),
                timestamp: n.timestamp as f64,
                notification_id: n.id,
            });
            let message = if batch {
                records::to_js(&BatchMessage {
                    kind: "task_completions",
                    notifications: each.collect(),
                })
            } else {
                each.map(|m| records::to_js(&m)).next().unwrap_or_default()
            };
            let held = imports::durable::deliver(&session, &message);
            promises::durable::watch_delivery(shared, send, held);
        }
    }
}

/// A waiter's answer as the JS value it resolves with; `id` is the task's id
/// as the caller gave it.
pub fn answer_value(id: &JsValue, answer: Answer<Js>) -> JsValue {
    match answer {
        Answer::Output {
            status,
            output,
            cursor,
            ending,
            timed_out,
        } => {
            let (result, error) = match ending {
                Ending::Result(r) => (Some(r), None),
                Ending::Error(e) => (None, Some(e)),
                // Completed by its session: `result` is present, undefined.
                Ending::None if status == Status::Completed => (Some(JsValue::UNDEFINED), None),
                Ending::None => (None, None),
            };
            records::to_js(&OutputResult {
                task_id: id.clone(),
                status: status.as_str(),
                output,
                cursor: cursor as f64,
                result,
                error,
                timed_out,
            })
        }
        Answer::Task(snapshot) => snapshot,
    }
}

/// `callAgent(..., { background: true })`'s answer.
pub fn background_reply(status: Status, id: JsValue) -> JsValue {
    records::to_js(&BackgroundReply {
        status: status.as_str(),
        task_id: id,
    })
}

/// Calls the runner of task `seq`, unless the task ended (or began to be
/// cancelled) since it was scheduled: a callback delivered before this
/// effect may have cancelled it.
fn start_run(shared: &Shared, seq: u64) {
    /// What the runner is called with.
    struct Call {
        runner: JsValue,
        view: JsValue,
        id: JsValue,
        agent: JsValue,
        prompt: JsValue,
        session_id: JsValue,
        options: JsValue,
    }
    enum Next {
        Call(Call),
        Stopped,
        Skip,
    }
    let next = driver::with_state(shared, |st| {
        let Some(task) = st.engine.task(seq) else {
            return Next::Skip;
        };
        match task.run {
            Run::Live => {}
            // Asked to stop before it started: it stops at once.
            Run::Cancelling => return Next::Stopped,
            _ => return Next::Skip,
        }
        let v = &st.view;
        let s = seq as f64;
        Next::Call(Call {
            runner: st.runner.clone(),
            view: v.clone().into(),
            id: v.id(s).unwrap_or_default(),
            agent: v.agent(s),
            prompt: v.prompt(s),
            session_id: v.session_id(task.session),
            options: v.options(s),
        })
    });
    let call = match next {
        Some(Next::Call(call)) => call,
        Some(Next::Stopped) => {
            let _ = driver::run(shared, |st, now| {
                st.engine.run_settled(
                    seq,
                    Err(JsValue::from_str("Cancelled before it started")),
                    now,
                )
            });
            return;
        }
        _ => return,
    };
    // The runner is called here, with nothing borrowed: it may call back.
    let run = imports::start_run(
        &call.runner,
        &call.view,
        seq as f64,
        &call.id,
        &call.agent,
        &call.prompt,
        &call.session_id,
        &call.options,
    );
    let open = driver::with_state(shared, |st| {
        let open = st.engine.run_is_open(seq);
        if open {
            st.view.set_run(seq as f64, &run);
        }
        open
    });
    if open != Some(true) {
        // The task ended while its runner was being called (the runner
        // ended it, or cleanup ran) and its close found no run yet: stop it
        // here.
        imports::abort_run(&run);
        imports::close_run(&run);
        return;
    }
    promises::watch_run(Rc::downgrade(shared), seq, imports::run_done(&run));
}

fn deliver_event(shared: &Shared, seq: u64, event: Event<Js>) {
    let Some(Some((listeners, value))) = driver::with_state(shared, |st| {
        if st.listeners.is_empty() {
            return None;
        }
        let listeners: Vec<Function> = st.listeners.iter().map(|(_, f)| f.clone()).collect();
        let task = || {
            st.engine
                .task(seq)
                .map_or(JsValue::UNDEFINED, |t| st.engine.store().snapshot(seq, &t))
        };
        let record = match event {
            Event::Created { id, status } => TaskEvent {
                status: Some(status.as_str()),
                task: task(),
                ..TaskEvent::of("created", id)
            },
            Event::Status {
                id,
                status,
                previous,
            } => TaskEvent {
                status: Some(status.as_str()),
                previous: Some(previous.as_str()),
                task: task(),
                ..TaskEvent::of("status", id)
            },
            Event::Output { id, chunk, cursor } => TaskEvent {
                chunk,
                cursor: Some(cursor as f64),
                ..TaskEvent::of("output", id)
            },
            Event::Removed { id } => TaskEvent::of("removed", id),
            Event::Progress { id, progress } => TaskEvent {
                progress,
                ..TaskEvent::of("progress", id)
            },
            Event::Stalled {
                id,
                since: Some(since),
            } => TaskEvent {
                since: Some(since as f64),
                ..TaskEvent::of("stalled", id)
            },
            Event::Stalled { id, since: None } => TaskEvent::of("resumed", id),
        };
        Some((listeners, records::to_js(&record)))
    }) else {
        return;
    };
    for listener in &listeners {
        imports::call_listener(listener, &value);
    }
}
