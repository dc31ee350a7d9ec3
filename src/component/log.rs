//! The log and progress reports as WIT records. A progress report is kept
//! by the engine's store as a payload, which in the component is JSON text.
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::bindings::api::{
    LogEntryKind, OutputEntry, ReadLogResult, StatusEntry, TaskLogEntry, TaskProgress,
};
use super::records::status;
use crate::engine::mem_log::{MemEntry, MemEntryKind};
use crate::engine::{EngineError, ErrorKind};

/// A report checked as `progress()` in JS checks it (finite numbers >= 0),
/// as the payload the store keeps: its numbers' bits in hex and its message,
/// which reads back exactly and needs no float formatting or parsing.
pub fn progress_payload(p: TaskProgress) -> Result<String, EngineError> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(p.done) || !p.total.is_none_or(ok) {
        return Err(EngineError::new(
            ErrorKind::InvalidArgument,
            "progress: done and total must be finite numbers >= 0",
        ));
    }
    let total = p
        .total
        .map_or(String::new(), |t| format!("{:x}", t.to_bits()));
    let message = p.message.map_or(String::new(), |m| format!("+{m}"));
    Ok(format!("{:x}:{total}:{message}", p.done.to_bits()))
}

/// The report a payload holds (the store only ever keeps what
/// `progress_payload` made).
pub fn progress_of(payload: &Option<String>) -> Option<TaskProgress> {
    let mut parts = payload.as_deref()?.splitn(3, ':');
    let bits = |s: &str| u64::from_str_radix(s, 16).ok().map(f64::from_bits);
    let done = bits(parts.next()?)?;
    let total = parts.next()?;
    let total = if total.is_empty() {
        None
    } else {
        Some(bits(total)?)
    };
    let message = parts.next()?.strip_prefix('+').map(String::from);
    Some(TaskProgress {
        done,
        total,
        message,
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
