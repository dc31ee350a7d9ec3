//! The log as WIT records: `read-log`'s entries and result.
use alloc::string::String;
use alloc::vec::Vec;

use super::bindings::api::{
    LogEntryKind, OutputEntry, ReadLogResult, RetryEntry, StatusEntry, TaskLogEntry,
};
use super::records::{progress_of, status};
use crate::engine::memstore::log_entries::{MemEntry, MemEntryKind};

fn entry(e: MemEntry<Option<String>>) -> TaskLogEntry {
    let kind = match e.kind {
        MemEntryKind::Status(s, error) => LogEntryKind::Status(StatusEntry {
            status: status(s),
            error,
            question: None,
        }),
        MemEntryKind::Asked(question) => LogEntryKind::Status(StatusEntry {
            status: status(crate::engine::Status::InputRequired),
            error: None,
            question,
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
        MemEntryKind::Stalled(true) => LogEntryKind::Stalled,
        MemEntryKind::Stalled(false) => LogEntryKind::Resumed,
        MemEntryKind::Retry(attempt, error, at) => LogEntryKind::Retry(RetryEntry {
            attempt,
            error,
            retry_at: at as f64,
        }),
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
