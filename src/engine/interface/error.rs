use crate::engine::prelude::*;
use core::fmt;

use crate::engine::Status;

/// The error codes of SPEC §4, as the engine can raise them. Type errors on
/// host values are the skin's business; the engine only sees Rust types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    TaskNotFound,
    InvalidTransition,
    DuplicateId,
    NotInitialized,
    InvalidArgument,
    Disposed,
    /// No secure random source (in a browser: no `crypto.getRandomValues`).
    RandomUnavailable,
    /// A durable store could not load or write (blocked, over quota,
    /// unreachable, or changed by another owner).
    StoreFailed,
    /// A bug in this crate, reported instead of a panic.
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::TaskNotFound,
        ErrorKind::InvalidTransition,
        ErrorKind::DuplicateId,
        ErrorKind::NotInitialized,
        ErrorKind::InvalidArgument,
        ErrorKind::Disposed,
        ErrorKind::RandomUnavailable,
        ErrorKind::StoreFailed,
        ErrorKind::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::TaskNotFound => "TASK_NOT_FOUND",
            ErrorKind::InvalidTransition => "INVALID_TRANSITION",
            ErrorKind::DuplicateId => "DUPLICATE_ID",
            ErrorKind::NotInitialized => "NOT_INITIALIZED",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Disposed => "DISPOSED",
            ErrorKind::RandomUnavailable => "RANDOM_UNAVAILABLE",
            ErrorKind::StoreFailed => "STORE_FAILED",
            ErrorKind::Internal => "INTERNAL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub kind: ErrorKind,
    pub message: String,
}

impl EngineError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        EngineError {
            kind,
            message: message.into(),
        }
    }

    pub fn not_found(id: &str) -> Self {
        Self::new(ErrorKind::TaskNotFound, format!("Task \"{id}\" not found"))
    }

    pub fn invalid_transition(verb: &str, id: &str, status: Status) -> Self {
        Self::new(
            ErrorKind::InvalidTransition,
            format!(
                "Cannot {verb} task \"{id}\": it is already {}",
                status.as_str()
            ),
        )
    }

    pub fn being_cancelled(verb: &str, id: &str) -> Self {
        Self::new(
            ErrorKind::InvalidTransition,
            format!("Cannot {verb} task \"{id}\": it is being cancelled"),
        )
    }

    pub fn duplicate(id: &str) -> Self {
        Self::new(
            ErrorKind::DuplicateId,
            format!("A task with id \"{id}\" already exists"),
        )
    }

    /// `launch({ idempotencyKey })` while task `holder` holds the key.
    pub fn duplicate_key(key: &str, holder: &str) -> Self {
        Self::new(
            ErrorKind::DuplicateId,
            format!("Task \"{holder}\" holds idempotencyKey \"{key}\" and is not final"),
        )
    }

    pub fn not_initialized() -> Self {
        Self::new(
            ErrorKind::NotInitialized,
            "BackgroundManager is not initialized: call initialize(session) first",
        )
    }

    pub fn disposed(id: &str) -> Self {
        Self::new(
            ErrorKind::Disposed,
            format!("BackgroundManager was cleaned up while waiting for task \"{id}\""),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn random_unavailable() -> Self {
        Self::new(
            ErrorKind::RandomUnavailable,
            "No secure random source for task ids (crypto.getRandomValues)",
        )
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code())
    }
}

impl core::error::Error for EngineError {}
