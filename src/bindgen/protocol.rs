//! The integer protocol between Rust and the JS files, in one place: status
//! numbers, the keys of every options object and how each is read, the cut
//! notice and the error codes. `send` hands it to `calls.js` at start, so the
//! JS side has no copy of its own to drift.
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::imports;
use crate::engine::{ErrorKind, Status, CUT_NOTICE};

/// How `calls.js`'s `bag` reads a key.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A primitive, or `{ got }` describing what else it was.
    Scalar = 0,
    /// Kept as given (ids, payloads, functions), never inspected.
    Value = 1,
    /// An object of names to scalars, as `[name, scalar]` pairs.
    Entries = 2,
    /// `Scalar` and `Entries` of a nested object: the key is `outer.inner`.
    InnerScalar = 3,
    InnerEntries = 4,
}

/// An options object: what it is called in messages and its keys.
pub struct Shape {
    pub what: &'static str,
    pub keys: &'static [(&'static str, Kind)],
}

use Kind::{Entries, InnerEntries, InnerScalar, Scalar, Value};

pub const OPTIONS: usize = 0;
pub const SESSION: usize = 1;
pub const CREATE: usize = 2;
pub const LAUNCH: usize = 3;
pub const CANCEL: usize = 4;
pub const OUTPUT: usize = 5;
pub const CALL: usize = 6;

/// Indexed by the constants above; each shape's keys are the fields of its
/// record in `records.rs`.
pub const SHAPES: [Shape; 7] = [
    Shape {
        what: "options",
        keys: &[
            ("pollInterval", Scalar),
            ("taskTTL", Scalar),
            ("runner", Value),
            ("maxConcurrent", Scalar),
            ("agentLimits", Entries),
            ("limits.global", InnerScalar),
            ("limits.keys", InnerEntries),
            ("cancelGracePeriod", Scalar),
            ("outputCap", Scalar),
            ("simulatedDelay", Scalar),
            ("maxDepth", Scalar),
            ("stallAfter", Scalar),
            ("failAfterStall", Scalar),
            #[cfg(feature = "durable")]
            ("store", Value),
            #[cfg(feature = "durable")]
            ("notifyRetry", Entries),
            #[cfg(feature = "durable")]
            ("notify", Entries),
            #[cfg(feature = "durable")]
            ("shared", Value),
            #[cfg(feature = "durable")]
            ("sharedLease", Scalar),
            #[cfg(feature = "durable")]
            ("storeTimeout", Scalar),
        ],
    },
    Shape {
        what: "session",
        keys: &[("id", Value), ("getStatus", Value), ("sendMessage", Value)],
    },
    Shape {
        what: "createTask options",
        keys: &[("id", Value), ("sessionId", Value), ("options", Value)],
    },
    Shape {
        what: "launch options",
        keys: &[
            ("agent", Value),
            ("prompt", Value),
            ("id", Value),
            ("sessionId", Value),
            ("options", Value),
            ("resume", Scalar),
        ],
    },
    Shape {
        what: "cancel options",
        keys: &[("force", Scalar)],
    },
    Shape {
        what: "getOutput options",
        keys: &[
            ("wait", Scalar),
            ("timeout", Scalar),
            ("since", Scalar),
            ("children", Scalar),
        ],
    },
    Shape {
        what: "callAgent options",
        keys: &[("background", Scalar)],
    },
];

/// Whether each shape's keys are its record's fields, in order (records.rs
/// reads `bag`'s arrays by position); in the `check` build, which the tests
/// run, `send` refuses to start otherwise.
#[cfg(feature = "check")]
fn records_match() -> bool {
    use super::records::*;
    let flat = |s: &str| s.replace(['_', '.'], "").to_lowercase();
    let fields: [&[&str]; 7] = [
        ManagerOptions::FIELDS,
        AgentSession::FIELDS,
        CreateOptions::FIELDS,
        LaunchOptions::FIELDS,
        CancelOptions::FIELDS,
        OutputOptions::FIELDS,
        CallOptions::FIELDS,
    ];
    SHAPES.iter().zip(fields).all(|(shape, fields)| {
        shape.keys.len() == fields.len()
            && shape
                .keys
                .iter()
                .zip(fields)
                .all(|((key, _), f)| flat(key) == flat(f))
    })
}

/// Sends the protocol to the JS side.
pub fn send() {
    #[cfg(feature = "check")]
    assert!(
        records_match(),
        "a record's fields differ from its shape's keys"
    );
    let status: Array = Status::ALL
        .iter()
        .map(|s| JsValue::from_str(s.as_str()))
        .collect();
    let shapes: Array = SHAPES
        .iter()
        .map(|shape| {
            let keys: Array = shape
                .keys
                .iter()
                .map(|&(key, kind)| {
                    JsValue::from(Array::of2(
                        &JsValue::from_str(key),
                        &JsValue::from(kind as u8),
                    ))
                })
                .collect::<Array>();
            JsValue::from(Array::of2(&JsValue::from_str(shape.what), &keys))
        })
        .collect();
    let notice = Array::of2(
        &JsValue::from_str(CUT_NOTICE.0),
        &JsValue::from_str(CUT_NOTICE.1),
    );
    let codes: Array = ErrorKind::ALL
        .iter()
        .map(|k| JsValue::from_str(k.code()))
        .collect();
    imports::protocol(
        &status,
        Status::Completed.index() as u8,
        Status::Error.index() as u8,
        &shapes,
        &notice,
        &codes,
    );
}
