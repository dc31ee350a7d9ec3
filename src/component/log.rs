//! The log and progress reports as WIT records. A progress report is kept
//! by the engine's store as a payload, which in the component is JSON text.
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::bindings::api::{
    LogEntryKind, OutputEntry, ReadLogResult, StatusEntry, TaskLogEntry, TaskProgress,
};
use super::records::status;
use crate::engine::mem_log::{MemEntry, MemEntryKind};
use crate::engine::{EngineError, ErrorKind};

#[derive(Serialize, Deserialize)]
struct Progress {
    done: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// A report checked as `progress()` in JS checks it (finite numbers >= 0),
/// as the JSON payload the store keeps.
pub fn progress_json(p: TaskProgress) -> Result<String, EngineError> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(p.done) || !p.total.is_none_or(ok) {
        return Err(EngineError::new(
            ErrorKind::InvalidArgument,
            "progress: done and total must be finite numbers >= 0",
        ));
    }
    let record = Progress {
        done: p.done,
        total: p.total,
        message: p.message,
    };
    serde_json::to_string(&record)
        .map_err(|_| EngineError::internal("a progress report did not serialize"))
}

/// The report a payload holds (the store only ever keeps what
/// `progress_json` made).
pub fn progress_of(json: &Option<String>) -> Option<TaskProgress> {
    let p: Progress = serde_json::from_str(json.as_deref()?).ok()?;
    Some(TaskProgress {
        done: p.done,
        total: p.total,
        message: p.message,
    })
}

fn entry(e: MemEntry<Option<String>>) -> TaskLogEntry {
    let kind = match e.kind {
        MemEntryKind::Status(s, error) => LogEntryKind::Status(StatusEntry {
            status: status(s),
            error,
        }),
        MemEntryKind::Output(text, cursor) => LogEntryKind::Output(OutputEntry {
            text,
            cursor: cursor as f64,
        }),
        MemEntryKind::Progress(p) => match progress_of(&p) {
            Some(p) => LogEntryKind::Progress(p),
            None => LogEntryKind::Heartbeat,
        },
        MemEntryKind::Heartbeat => LogEntryKind::Heartbeat,
        MemEntryKind::Gap(dropped) => LogEntryKind::Gap(dropped),
    };
    TaskLogEntry {
        seq: e.seq,
        at: e.at as f64,
        kind,
    }
}

/// `read-log`'s result: `entries` read after `after`; `last` is the seq of
/// the task's newest entry and `is_final` whether the task is final.
pub fn result(
    entries: Vec<MemEntry<Option<String>>>,
    after: u64,
    last: u64,
    is_final: bool,
) -> ReadLogResult {
    let next = entries.last().map_or(after, |e| e.seq);
    ReadLogResult {
        entries: entries.into_iter().map(entry).collect(),
        next,
        final_: is_final && next >= last,
    }
}
