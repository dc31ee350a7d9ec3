//! The integer protocol between Rust and the JS files, in one place: status
//! numbers, the keys of every options object and how each is read, the cut
//! notice, the error codes and classes, the numbers of a task's row as the
//! facade reads them from wasm memory, the kinds of log entry, the values of
//! `onConflict`, what is wrong with an id and how a question is answered.
//! `send` hands it to `calls.js` at start, as names with their numbers, so
//! the JS side has no copy of its own to drift and reads names, never bare
//! numbers (`tests/deno/protocol.test.ts` checks that it does).
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::imports;
use crate::engine::{ErrorKind, OnConflict, Status, TaskRef, CUT_NOTICE};

/// The numbers of a task that the facade reads from wasm memory instead of
/// asking for each (`read`, and a changing call's answer), in this order.
pub const ROW: [&str; 5] = ["status", "createdAt", "updatedAt", "session", "cursor"];

/// Task `t`'s row, its numbers in `ROW`'s order.
pub fn row(t: &TaskRef<'_>) -> [f64; ROW.len()] {
    [
        t.status.index() as f64,
        t.created_at as f64,
        t.updated_at as f64,
        f64::from(t.session),
        t.cursor() as f64,
    ]
}

/// A row of `list`, which writes many: the task's seq, then its `ROW`.
pub const LIST_ROW: [&str; ROW.len() + 1] = ["seq", ROW[0], ROW[1], ROW[2], ROW[3], ROW[4]];

/// An enum whose numbers cross to JS, and the list of names JS reads them
/// by (its `ERROR`, `LOG`, ...), made from one list so that each name is at
/// its variant's number.
macro_rules! named {
    ($(#[$doc:meta])* enum $name:ident, $names:ident { $($(#[$vdoc:meta])* $variant:ident = $js:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        pub const $names: &[&str] = &[$($js),*];
    };
}

named! {
    /// The class of error `calls.js`'s `makeError` makes, by the name of
    /// its JS constructor.
    enum ErrorClass, ERROR_CLASSES {
        Error = "Error",
        TypeError = "TypeError",
        RangeError = "RangeError",
    }
}

named! {
    /// The kinds of log entry the engine hands `log.js`'s `logEntry`, by
    /// number (`LogEntry as u32`); a status entry's number is `Status`'s
    /// plus the status number, so `Status` comes last.
    enum LogEntry, LOG_ENTRIES {
        Output = "output",
        Progress = "progress",
        Heartbeat = "heartbeat",
        Stalled = "stalled",
        Resumed = "resumed",
        Retry = "retry",
        Asked = "asked",
        Status = "status",
    }
}

/// `launch`'s `onConflict`, which the facade checks and passes as its
/// index here.
pub const ON_CONFLICT: [(&str, OnConflict); 4] = [
    ("reject", OnConflict::Reject),
    ("join", OnConflict::Join),
    ("enqueue", OnConflict::Enqueue),
    ("replace", OnConflict::Replace),
];

named! {
    /// What `calls.js`'s `idProblem` finds wrong with an id: nothing (a
    /// usable id), not a string, empty, a lone surrogate (not well-formed
    /// Unicode, so it could not survive a trip through UTF-8).
    enum IdProblem, ID_PROBLEMS {
        None = "none",
        NotString = "notString",
        Empty = "empty",
        LoneSurrogate = "loneSurrogate",
    }
}

impl IdProblem {
    /// `idProblem`'s answer; anything else is taken as the last kind.
    pub fn of(n: u8) -> IdProblem {
        [IdProblem::None, IdProblem::NotString, IdProblem::Empty]
            .into_iter()
            .find(|&p| p as u8 == n)
            .unwrap_or(IdProblem::LoneSurrogate)
    }
}

named! {
    /// How `calls.js`'s `replyRun` settles a runner's question: with the
    /// answer, timed out, or the task stopped running.
    enum Reply, REPLIES {
        Answer = "answer",
        TimedOut = "timedOut",
        Aborted = "aborted",
    }
}

named! {
    /// How `shared.js` settles a call it forwarded to the owner once the
    /// answer comes (`ForwardRules::answered`, in the durable build): not at
    /// all (it was settled already), with the answer, or by looking the
    /// task up. Its names are sent in either build; only the durable one
    /// makes the numbers.
    #[allow(dead_code)]
    enum Settled, SETTLED {
        Already = "already",
        Answer = "answer",
        LookUp = "lookUp",
    }
}

named! {
    /// How `calls.js`'s `bag` reads a key.
    enum Kind, KINDS {
        /// A primitive, or `{ got }` describing what else it was.
        Scalar = "scalar",
        /// Kept as given (ids, payloads, functions), never inspected.
        Value = "value",
        /// An object of names to scalars, as `[name, scalar]` pairs.
        Entries = "entries",
        /// `Scalar` and `Entries` of a nested object: the key is
        /// `outer.inner`.
        InnerScalar = "innerScalar",
        InnerEntries = "innerEntries",
    }
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

/// `names` as a JS array of strings.
fn strings(names: &[&str]) -> Array {
    names.iter().map(|&n| JsValue::from_str(n)).collect()
}

/// Sends the protocol to the JS side, as `[name, value]` pairs: the lists of
/// names are indexed by the numbers that cross.
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
    let codes: Array = ErrorKind::ALL
        .iter()
        .map(|k| JsValue::from_str(k.code()))
        .collect();
    let conflicts: Vec<&str> = ON_CONFLICT.iter().map(|&(name, _)| name).collect();
    let pairs: [(&str, JsValue); 15] = [
        ("status", status.into()),
        ("completed", JsValue::from(Status::Completed.index() as u32)),
        ("error", JsValue::from(Status::Error.index() as u32)),
        ("shapes", shapes.into()),
        ("notice", strings(&[CUT_NOTICE.0, CUT_NOTICE.1]).into()),
        ("codes", codes.into()),
        ("ROW", strings(&ROW).into()),
        ("LIST_ROW", strings(&LIST_ROW).into()),
        ("ERROR", strings(ERROR_CLASSES).into()),
        ("LOG", strings(LOG_ENTRIES).into()),
        ("CONFLICT", strings(&conflicts).into()),
        ("ID", strings(ID_PROBLEMS).into()),
        ("REPLY", strings(REPLIES).into()),
        ("SETTLED", strings(SETTLED).into()),
        ("KIND", strings(KINDS).into()),
    ];
    let pairs: Array = pairs
        .iter()
        .map(|(name, value)| JsValue::from(Array::of2(&JsValue::from_str(name), value)))
        .collect();
    imports::protocol(&pairs);
}
