//! The engine's answers as WIT records. A progress report is kept by the
//! engine's store as a payload (see `progress_payload`).
use alloc::format;
use alloc::string::{String, ToString};

use super::bindings::api::{
    BackgroundTask, BackgroundTaskStatus, ErrorCode, GetBackgroundOutputResult, ManagerError,
    TaskProgress,
};
use super::host::{Wasi, WasiEngine};
use crate::engine::memstore::store::MemTask;
use crate::engine::{Ending, EngineError, ErrorKind, Status, Store, TaskRef};

pub fn status(s: Status) -> BackgroundTaskStatus {
    match s {
        Status::Queued => BackgroundTaskStatus::Queued,
        Status::Running => BackgroundTaskStatus::Running,
        Status::InputRequired => BackgroundTaskStatus::InputRequired,
        Status::Completed => BackgroundTaskStatus::Completed,
        Status::Error => BackgroundTaskStatus::Error,
        Status::Cancelled => BackgroundTaskStatus::Cancelled,
        Status::Interrupted => BackgroundTaskStatus::Interrupted,
    }
}

pub fn status_of(s: BackgroundTaskStatus) -> Status {
    match s {
        BackgroundTaskStatus::Queued => Status::Queued,
        BackgroundTaskStatus::Running => Status::Running,
        BackgroundTaskStatus::InputRequired => Status::InputRequired,
        BackgroundTaskStatus::Completed => Status::Completed,
        BackgroundTaskStatus::Error => Status::Error,
        BackgroundTaskStatus::Cancelled => Status::Cancelled,
        BackgroundTaskStatus::Interrupted => Status::Interrupted,
    }
}

pub fn error(e: EngineError) -> ManagerError {
    let code = match e.kind {
        ErrorKind::TaskNotFound => ErrorCode::TaskNotFound,
        ErrorKind::InvalidTransition => ErrorCode::InvalidTransition,
        ErrorKind::DuplicateId => ErrorCode::DuplicateId,
        ErrorKind::NotInitialized => ErrorCode::NotInitialized,
        ErrorKind::InvalidArgument => ErrorCode::InvalidArgument,
        ErrorKind::Disposed => ErrorCode::Disposed,
        ErrorKind::RandomUnavailable => ErrorCode::RandomUnavailable,
        ErrorKind::StoreFailed => ErrorCode::StoreFailed,
        ErrorKind::Internal => ErrorCode::Internal,
    };
    ManagerError {
        code,
        message: e.message,
    }
}

/// A task as the store showed it.
pub fn task(t: MemTask<Option<String>>) -> BackgroundTask {
    BackgroundTask {
        id: t.id,
        status: status(t.status),
        created_at: t.created_at as f64,
        updated_at: t.updated_at as f64,
        options: t.options.unwrap_or_else(|| "null".to_string()),
        session_id: Some(t.session_id).filter(|s| !s.is_empty()),
        result: t.result.flatten(),
        error: t.error,
        output: Some(t.output).filter(|o| !o.is_empty()),
        agent: t.agent,
        prompt: t.prompt,
        attempt: None,
        progress: t.progress.as_ref().and_then(progress_of),
        parent_id: t.parent_id,
        children: None,
        stalled_since: t.stalled_since.map(|at| at as f64),
        question: t.question.flatten(),
    }
}

/// Task `seq` now, if it is in the table.
pub fn snapshot(engine: &WasiEngine, seq: u64) -> Option<BackgroundTask> {
    task_of(engine, engine.task(seq)?)
}

/// A task the engine just found, as the store shows it.
pub fn task_of(engine: &WasiEngine, t: TaskRef<'_>) -> Option<BackgroundTask> {
    let attempt = Some(t.attempt()).filter(|&n| n > 1);
    let store = engine.store();
    let children = engine.family(t.seq()).1;
    let children: alloc::vec::Vec<String> = children.iter().filter_map(|&c| store.id(c)).collect();
    let children = Some(children).filter(|c| !c.is_empty());
    store.snapshot(t.seq(), t.task()).map(|s| BackgroundTask {
        attempt,
        children,
        ..task(s)
    })
}

/// `get-output`'s result.
pub fn output(
    id: String,
    st: Status,
    output: String,
    cursor: u64,
    ending: Ending<Wasi>,
    timed_out: bool,
) -> GetBackgroundOutputResult {
    let (result, error) = match ending {
        Ending::None => (None, None),
        Ending::Result(r) => (r, None),
        Ending::Error(e) => (None, Some(e)),
    };
    GetBackgroundOutputResult {
        task_id: id,
        status: status(st),
        output,
        cursor: cursor as f64,
        result,
        error,
        timed_out: timed_out.then_some(true),
    }
}

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
