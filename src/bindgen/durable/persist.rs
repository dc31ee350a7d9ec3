//! The durable store's side of the skin: loading the store into the engine
//! at `initialize`, and writing the engine's journal after each operation,
//! one write at a time, as serde records (`records.rs`) that share the
//! view's values. The engine never waits for a write; a call that changed
//! state resolves once the write that holds its change is done, and rejects
//! `STORE_FAILED` if it failed (the change stands in memory and goes with
//! the next write, tried again after a backoff).
use std::borrow::Cow;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::records::{from_js, Loaded, NoticeRecord, StoreBatch, TaskRecord};
use crate::bindgen::driver::{self, Shared, State};
use crate::bindgen::imports::{self, View};
use crate::bindgen::records::to_js;
use crate::bindgen::store::Js;
use crate::bindgen::{errors, promises, timers};
use crate::engine::{
    Changes, Ending, Engine, EngineError, ErrorKind, NewTask, Outcome, Restored, RestoredNotice,
    Status, Store, StoredLog, ENTRY_COST,
};

/// A pending promise and what settles it (`calls.js`'s `deferred`).
fn deferred() -> (JsValue, Promise) {
    let deferred = imports::deferred();
    let promise = imports::deferred_promise(&deferred);
    (deferred, promise)
}

/// A promise of the write that will hold every change made so far, for a
/// call that changed state; `None` when there is no store or nothing to
/// write. Starts that write unless one is in flight, even while a retry
/// waits: the caller is told now how the store is doing.
pub fn written(shared: &Shared) -> Option<Promise> {
    let promise = driver::with_state(shared, |st| {
        let pending = st.engine.has_changes();
        let p = st.persist.as_mut()?;
        if !pending && !p.writing {
            return None;
        }
        let (deferred, promise) = deferred();
        if pending {
            p.next.push(deferred);
        } else {
            p.current.push(deferred);
        }
        Some(promise)
    })
    .flatten()?;
    flush(shared, true);
    Some(promise)
}

/// Writes what the engine journaled, unless a write is in flight (its end
/// flushes again) or, when not `eager`, writes are failing: then only the
/// retry after the backoff and the calls that need a write (`written`) write.
pub fn flush(shared: &Shared, eager: bool) {
    let job = driver::with_state(shared, |st| {
        let p = st.persist.as_ref()?;
        if p.writing || !p.loaded || (p.failures > 0 && !eager) {
            return None;
        }
        let changes = st.engine.take_changes(false)?;
        let batch = batch_of(&st.engine, &st.view, &changes);
        let p = st.persist.as_mut()?;
        let waiters = std::mem::take(&mut p.next);
        Some((batch, changes, waiters))
    })
    .flatten();
    if let Some((batch, changes, waiters)) = job {
        start(shared, batch, changes, waiters);
    }
}

/// What `initialize` waits for, taking the session back in `Err` when it
/// need not wait (the store is loaded). The first `initialize` loads the
/// store, then sets the session and restores what was stored, in one
/// operation; one called while that load is in flight waits for it and
/// then starts over (`again`: core.rs's `start_session`), so a store is never
/// loaded twice; a cleanup meanwhile makes the load initialize nothing.
#[allow(clippy::type_complexity)]
pub fn load_first(
    shared: &Shared,
    session: Rc<JsValue>,
    text: String,
    session_id: JsValue,
    again: fn(&Shared, Rc<JsValue>, String, JsValue) -> Result<JsValue, JsValue>,
) -> Result<Promise, (Rc<JsValue>, String, JsValue)> {
    let state = driver::with_state(shared, |st| {
        let p = st.persist.as_mut().filter(|p| !p.loaded)?;
        let loading = p.loading.clone();
        if loading.is_none() {
            p.loading = Some(imports::durable::load_store(&p.store));
        }
        Some((loading, p.loading.clone(), p.generation))
    })
    .flatten();
    let Some((waiting, Some(load), generation)) = state else {
        return Err((session, text, session_id));
    };
    if let Some(first) = waiting {
        return Ok(promises::durable::promise_then(
            shared,
            first,
            move |shared, _| again(shared, session, text, session_id),
        ));
    }
    Ok(promises::durable::promise_then(
        shared,
        load,
        move |shared, outcome| {
            let current = driver::with_state(shared, |st| {
                let p = st.persist.as_mut()?;
                let current = p.generation == generation;
                if current {
                    p.loading = None;
                }
                Some(current)
            })
            .flatten();
            if current != Some(true) {
                return Err(errors::engine(EngineError::new(
                    ErrorKind::Disposed,
                    "BackgroundManager was cleaned up while initialize() was loading its store",
                )));
            }
            let (tasks, notices) = restored(outcome?);
            let previous = driver::run(shared, |st, now| {
                let previous = driver::set_session(st, session, &text, session_id, now);
                st.engine.restore(tasks, notices, true, now);
                if let Some(p) = st.persist.as_mut() {
                    p.loaded = true;
                }
                previous
            })?;
            promises::release_all(previous);
            Ok(JsValue::UNDEFINED)
        },
    ))
}

/// The last write before the engine forgets everything (`cleanup()`):
/// everything journaled, output that was still waiting too. A promise of
/// it, or `None` with nothing to write. Call with the state borrowed, before
/// the engine is disposed.
/// A load still in flight then initializes nothing.
pub fn last_write(st: &mut State) -> Option<(JsValue, Changes<Js>, Vec<JsValue>, Promise)> {
    let p = st.persist.as_mut()?;
    p.generation = p.generation.wrapping_add(1);
    p.loading = None;
    if !p.loaded {
        return None;
    }
    // The next `initialize` loads the store again, also when there is
    // nothing left to write now.
    p.loaded = false;
    let changes = st.engine.take_changes(true)?;
    let batch = batch_of(&st.engine, &st.view, &changes);
    let p = st.persist.as_mut()?;
    let mut waiters = std::mem::take(&mut p.next);
    let (deferred, promise) = deferred();
    waiters.push(deferred);
    Some((batch, changes, waiters, promise))
}

/// A promise of the end of the writes in flight or queued (`cleanup()` with
/// nothing new to write must still not resolve before them: whoever closes
/// the store next would cut them short); `None` when none is.
pub fn settled(shared: &Shared) -> Option<Promise> {
    driver::with_state(shared, |st| {
        let p = st.persist.as_mut()?;
        if !p.writing {
            return None;
        }
        let (deferred, promise) = deferred();
        match p.queued.back_mut() {
            Some((_, _, waiters)) => waiters.push(deferred),
            None => p.current.push(deferred),
        }
        Some(promise)
    })
    .flatten()
}

/// Starts a write (or queues it behind the one in flight).
pub fn start(shared: &Shared, batch: JsValue, changes: Changes<Js>, waiters: Vec<JsValue>) {
    let store = driver::with_state(shared, |st| {
        let p = st.persist.as_mut()?;
        if p.writing {
            p.queued.push_back((batch.clone(), changes, waiters));
            return None;
        }
        p.writing = true;
        p.current = waiters;
        p.retry = None;
        Some((p.store.clone(), changes))
    })
    .flatten();
    let Some((store, changes)) = store else {
        return;
    };
    let promise = imports::durable::commit_store(&store, &batch);
    promises::durable::await_then(shared, promise, move |shared, outcome| {
        done(shared, changes, outcome)
    });
}

/// A write ended: the engine learns how (a failed one is merged back into
/// the journal), the calls waiting for it settle, and what waits goes next.
fn done(shared: &Shared, changes: Changes<Js>, outcome: Result<JsValue, JsValue>) {
    let ok = outcome.is_ok();
    let after = driver::with_state(shared, |st| {
        let p = st.persist.as_mut()?;
        p.writing = false;
        let waiters = std::mem::take(&mut p.current);
        let delay = if ok {
            p.failures = 0;
            None
        } else {
            p.failures += 1;
            Some((250u64 << p.failures.min(7)).min(30_000))
        };
        let calls = !p.next.is_empty();
        Some((waiters, delay, p.queued.pop_front(), calls))
    })
    .flatten();
    // Tells the engine and delivers what that released (notifications).
    let _ = driver::run(shared, |st, now| {
        st.engine.changes_written(changes, ok, now)
    });
    let Some((waiters, delay, queued, calls)) = after else {
        return;
    };
    let answer = match &outcome {
        Ok(_) => JsValue::UNDEFINED,
        Err(error) => error.clone(),
    };
    for w in waiters {
        imports::settle(&w, ok, &answer);
    }
    if let Some((batch, changes, waiters)) = queued {
        start(shared, batch, changes, waiters);
    } else if let Some(delay) = delay {
        if let Err(error) = &outcome {
            imports::report("the task store", error);
        }
        // Calls made while this write was in flight wait for the write that
        // holds their changes: it goes now, not after the backoff, so that
        // each learns how the store is doing within its deadline.
        if calls {
            flush(shared, true);
        }
        let writing = driver::with_state(shared, |st| st.persist.as_ref().map(|p| p.writing));
        if writing.flatten() != Some(false) {
            return;
        }
        let weak = Rc::downgrade(shared);
        let timer = timers::durable::later(delay, move || {
            if let Some(shared) = weak.upgrade() {
                driver::with_state(&shared, |st| {
                    if let Some(p) = st.persist.as_mut() {
                        p.retry = None;
                    }
                });
                flush(&shared, true);
            }
        });
        driver::with_state(shared, |st| {
            if let Some(p) = st.persist.as_mut() {
                p.retry = Some(timer);
            }
        });
    } else {
        flush(shared, false);
    }
}

/// The records of one write, made from the engine and the view as they are
/// now (a task changed twice since the last write is written once, as it is).
fn batch_of(engine: &Engine<Js>, view: &View, changes: &Changes<Js>) -> JsValue {
    let store = engine.store();
    let mut tasks = Vec::with_capacity(changes.tasks.len());
    for &seq in &changes.tasks {
        let Some(t) = engine.task(seq) else { continue };
        let Some(id) = store.id(seq) else { continue };
        let f = seq as f64;
        let (result, error) = match t.outcome {
            Outcome::Result => (view.value(f), JsValue::UNDEFINED),
            Outcome::Error => (JsValue::UNDEFINED, view.value(f)),
            Outcome::None => (JsValue::UNDEFINED, JsValue::UNDEFINED),
        };
        let output = t.output().is_some();
        tasks.push(TaskRecord {
            id,
            order: f,
            status: Cow::Borrowed(t.status.as_str()),
            created_at: t.created_at as f64,
            updated_at: t.updated_at as f64,
            session_id: view.session_id(t.session),
            options: view.options(f),
            outcome: match t.outcome {
                Outcome::None => 0,
                Outcome::Result => 1,
                Outcome::Error => 2,
            },
            result,
            error,
            agent: view.agent(f),
            prompt: view.prompt(f),
            head: if output {
                view.head(f)
            } else {
                JsValue::UNDEFINED
            },
            tail: if output {
                view.tail(f)
            } else {
                JsValue::UNDEFINED
            },
            dropped: t.dropped() as f64,
            log: if output {
                // A final task numbers nothing more: no reservation.
                let reserved = match t.stream() {
                    Some(s) if !t.is_final() => s.log.reserved() as f64,
                    _ => 0.0,
                };
                imports::saved_log(view, f, reserved)
            } else {
                JsValue::UNDEFINED
            },
            attempt: f64::from(t.attempt()),
            resume: t.resumes(),
            started: t.started_at_creation(),
            concurrency_key: engine.key_name(&t).map(String::from),
            priority: engine.priority(&t),
        });
    }
    let mut notices = Vec::with_capacity(changes.notices.len());
    for &number in &changes.notices {
        // Delivered before it was written: nothing to keep.
        let Some(n) = engine.notice(number) else {
            continue;
        };
        notices.push(NoticeRecord {
            notification_id: n.id.clone(),
            task_id: n.task.clone(),
            session_id: view.session_id(n.session),
            status: Cow::Borrowed(n.status.as_str()),
            timestamp: n.timestamp as f64,
            order: number as f64,
        });
    }
    let list = |ids: &[JsValue]| -> JsValue { ids.iter().collect::<Array>().into() };
    to_js(&StoreBatch {
        tasks,
        removed: list(&changes.removed),
        notices,
        delivered: list(&changes.delivered),
    })
}

/// What `load` gave back, as the engine restores it. Records that are not
/// what this build writes (another version, a hand edit) are skipped.
pub fn restored(loaded: JsValue) -> (Vec<Restored<Js>>, Vec<RestoredNotice<Js>>) {
    let Some(l) = from_js::<Loaded>(loaded) else {
        return (Vec::new(), Vec::new());
    };
    let tasks = l
        .tasks
        .dyn_into::<Array>()
        .map(|a| a.iter().filter_map(task).collect())
        .unwrap_or_default();
    let notices = l
        .notices
        .dyn_into::<Array>()
        .map(|a| a.iter().filter_map(notice).collect())
        .unwrap_or_default();
    (tasks, notices)
}

/// A usable stored id: a non-empty string (what `args::id` admits).
fn stored_id(v: &JsValue) -> Option<String> {
    v.as_string().filter(|s| !s.is_empty())
}

fn task(value: JsValue) -> Option<Restored<Js>> {
    let r: TaskRecord = from_js(value)?;
    stored_id(&r.id)?;
    let status = Status::parse(&r.status)?;
    let session = stored_id(&r.session_id)?;
    let agent = stored_id(&r.agent);
    let launch = agent.as_ref().map(|_| (r.agent.clone(), r.prompt.clone()));
    let ending = match r.outcome {
        1 => Ending::Result(r.result),
        2 => Ending::Error(r.error),
        _ => Ending::None,
    };
    let units = |v: &JsValue| v.dyn_ref::<js_sys::JsString>().map(|s| s.length() as usize);
    let output = match (units(&r.head), units(&r.tail)) {
        (None, None) => None,
        (h, t) => Some((
            r.head.clone(),
            h.unwrap_or(0),
            r.tail.clone(),
            t.unwrap_or(0),
            r.dropped.max(0.0) as u64,
        )),
    };
    Some(Restored {
        id: r.id,
        status,
        created_at: r.created_at.max(0.0) as u64,
        updated_at: r.updated_at.max(0.0) as u64,
        session: (session, r.session_id),
        values: NewTask {
            options: r.options,
            launch,
            resume: r.resume,
        },
        agent,
        key: r.concurrency_key,
        priority: r.priority,
        ending,
        output,
        log: stored_log(r.log),
        attempt: r.attempt.max(1.0) as u32,
        started: r.started,
    })
}

/// A saved log, with the weights the engine needs to go on cutting it.
fn stored_log(saved: JsValue) -> Option<StoredLog<Js>> {
    if saved.is_undefined() {
        return None;
    }
    let (head, tail, last, reserved): (Vec<u32>, Vec<u32>, f64, f64) =
        from_js(imports::log_weights(&saved, ENTRY_COST as u32))?;
    Some(StoredLog {
        entries: saved,
        head,
        tail,
        last: last.max(0.0) as u64,
        reserved: reserved.max(0.0) as u64,
    })
}

fn notice(value: JsValue) -> Option<RestoredNotice<Js>> {
    let n: NoticeRecord = from_js(value)?;
    stored_id(&n.notification_id)?;
    stored_id(&n.task_id)?;
    let session = stored_id(&n.session_id)?;
    Some(RestoredNotice {
        id: n.notification_id,
        task: n.task_id,
        session: (session, n.session_id),
        status: Status::parse(&n.status)?,
        timestamp: n.timestamp.max(0.0) as u64,
    })
}
