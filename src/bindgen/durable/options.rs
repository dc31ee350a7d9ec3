//! The options only the durable build reads: `store`, `storeTimeout`,
//! `notifyRetry`, `notify`, `shared` and `sharedLease`, checked as `args.rs`
//! checks the others.
use wasm_bindgen::JsValue;

use crate::bindgen::args::{count, finite, number, Arg, MAX_TIMER_MS};
use crate::bindgen::errors::{bad_type, range_error, type_error};
use crate::bindgen::imports;
use crate::bindgen::records::{Entries, Scalar};
use crate::engine::{Batch, Config, InboxConfig};

/// The durable build's options as the core is made from them.
#[derive(Default)]
pub struct Durable {
    /// The durable store (`durable.js`), when one was asked for.
    pub store: Option<JsValue>,
    /// The tabs or processes sharing the manager (`options.shared`).
    pub shared: Shared,
}

/// The durable build's options, as `bag` read them (`ManagerOptions`'s
/// last fields), into `config` and `Durable`.
pub fn read(
    config: &mut Config,
    store: JsValue,
    timeout: &Scalar,
    retry: Entries,
    batch: Entries,
    shared_name: JsValue,
    lease: &Scalar,
) -> Arg<Durable> {
    let store = durable(config, store, timeout, retry, batch)?;
    let shared = shared(shared_name, lease, store.as_ref())?;
    Ok(Durable { store, shared })
}

/// `options.shared` as checked.
#[derive(Default)]
pub struct Shared {
    /// The name (a non-empty string), or undefined.
    pub name: JsValue,
    /// With a KV store, its `Deno.Kv`: the processes meet there (undefined
    /// for IndexedDB, where tabs meet on a Web Lock and a BroadcastChannel).
    pub kv: JsValue,
    /// How long a process's hold on a KV-shared manager lasts unrenewed, ms.
    pub lease: u64,
}

/// `sharedLease`'s default, in ms: a dead process's tasks are taken over
/// within about 1.4 of it.
const SHARED_LEASE: u64 = 3000;

/// A finite number of ms: `> 0` when `positive`, else `>= 0`.
fn ms(s: &Scalar, name: &str, positive: bool) -> Arg<Option<u64>> {
    let ms = finite(number(s, name, positive)?, name)?;
    if ms.is_some_and(|ms| ms > MAX_TIMER_MS) {
        return Err(range_error(&format!(
            "{name} must be a number of ms up to 2147483647"
        )));
    }
    Ok(ms.map(|ms| ms as u64))
}

/// `shared`: a name, with a store (the owner loads the tasks from it),
/// where the web APIs of its kind of store are; `sharedLease`, with a KV
/// store only.
fn shared(name: JsValue, lease: &Scalar, store: Option<&JsValue>) -> Arg<Shared> {
    let term = ms(lease, "options.sharedLease", true)?;
    if name.is_undefined() {
        if term.is_some() {
            return Err(type_error("options.sharedLease needs options.shared"));
        }
        return Ok(Shared::default());
    }
    if name.as_string().is_none_or(|name| name.is_empty()) {
        return Err(bad_type(
            "options.shared must be a non-empty string",
            &imports::describe(&name),
        ));
    }
    let Some(store) = store else {
        return Err(type_error(
            "options.shared needs options.store: the owner loads the tasks from it",
        ));
    };
    let kv = imports::durable::store_kv(store);
    let missing = if kv.is_undefined() {
        imports::durable::missing_tab_apis()
    } else {
        imports::durable::missing_kv_apis(store)
    };
    if !missing.is_empty() {
        return Err(type_error(&format!(
            "options.shared needs {missing}, which this runtime does not have"
        )));
    }
    if kv.is_undefined() && term.is_some() {
        return Err(type_error(
            "options.sharedLease is for processes sharing a KV store: tabs hold a Web Lock",
        ));
    }
    let lease = term.unwrap_or(SHARED_LEASE);
    if lease < 100 {
        return Err(range_error("options.sharedLease must be at least 100 ms"));
    }
    Ok(Shared { name, kv, lease })
}

/// `storeTimeout`'s default, in ms: well above a KV Connect round trip or
/// a page of a load (a loaded server answers within a second), short enough
/// for a caller to learn of an unreachable store while it still matters.
const STORE_TIMEOUT: u64 = 5000;

/// `store`, `storeTimeout`, `notifyRetry` and `notify`: the durable build's
/// options.
fn durable(
    config: &mut Config,
    store: JsValue,
    timeout: &Scalar,
    retry: Entries,
    batch: Entries,
) -> Arg<Option<JsValue>> {
    let timeout = ms(timeout, "options.storeTimeout", true)?;
    let store = if store.is_undefined() {
        if timeout.is_some() {
            return Err(type_error("options.storeTimeout needs options.store"));
        }
        None
    } else {
        let timeout = timeout.unwrap_or(STORE_TIMEOUT);
        let store = imports::durable::open_store(&store, timeout as f64);
        if let Some(problem) = store.as_string() {
            return Err(type_error(&problem));
        }
        config.durable.store = true;
        Some(store)
    };
    let retry = notify_retry(retry)?;
    let batch = notify(batch)?;
    if store.is_some() || retry.is_some() || batch.is_some() {
        let mut inbox = retry.unwrap_or_default();
        inbox.batch = batch;
        config.durable.inbox = Some(inbox);
    }
    Ok(store)
}

/// The pairs of an options object read as entries; `None` when left out.
fn pairs(e: Entries, what: &str, expects: &str) -> Arg<Option<Vec<(String, Scalar)>>> {
    match e {
        Entries::Missing => Ok(None),
        Entries::Pairs(pairs) => Ok(Some(pairs)),
        Entries::Got(got) => Err(bad_type(&format!("{what} must be {expects}"), &got)),
    }
}

/// `options.notifyRetry`, over the defaults.
fn notify_retry(e: Entries) -> Arg<Option<InboxConfig>> {
    let what = "options.notifyRetry";
    let Some(pairs) = pairs(e, what, "an object { attempts, initialDelay, maxDelay }")? else {
        return Ok(None);
    };
    let mut inbox = InboxConfig::default();
    for (key, value) in &pairs {
        let name = format!("{what}.{key}");
        match key.as_str() {
            "attempts" => {
                if let Some(n) = count(value, &name)? {
                    inbox.attempts = n as u32;
                }
            }
            "initialDelay" => {
                if let Some(d) = ms(value, &name, true)? {
                    inbox.initial_delay = d;
                }
            }
            "maxDelay" => {
                if let Some(d) = ms(value, &name, true)? {
                    inbox.max_delay = d;
                }
            }
            _ => {}
        }
    }
    if inbox.max_delay < inbox.initial_delay {
        return Err(range_error(
            "options.notifyRetry.maxDelay must not be below its initialDelay",
        ));
    }
    Ok(Some(inbox))
}

/// `options.notify`: `'each'` (or left out), or `{ debounce, maxDelay }`.
fn notify(e: Entries) -> Arg<Option<Batch>> {
    const EXPECTS: &str = "'each' or { debounce, maxDelay }";
    if let Entries::Got(got) = &e {
        if *got == imports::describe(&JsValue::from_str("each")) {
            return Ok(None);
        }
    }
    let Some(pairs) = pairs(e, "options.notify", EXPECTS)? else {
        return Ok(None);
    };
    let (mut debounce, mut max_delay) = (None, None);
    for (key, value) in &pairs {
        match key.as_str() {
            "debounce" => debounce = ms(value, "options.notify.debounce", false)?,
            "maxDelay" => max_delay = ms(value, "options.notify.maxDelay", true)?,
            _ => {}
        }
    }
    match (debounce, max_delay) {
        (Some(debounce), Some(max_delay)) => Ok(Some(Batch {
            debounce,
            max_delay,
        })),
        _ => Err(type_error(
            "options.notify must have both debounce and maxDelay (ms)",
        )),
    }
}
