use alloc::string::String;
use core::fmt;

use super::text::cat;
use super::Status;

/// The error codes of SPEC §4, as the engine can raise them. Type errors on
/// JS values are the binding's business; the engine only sees Rust types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    TaskNotFound,
    InvalidTransition,
    DuplicateId,
    NotInitialized,
    InvalidArgument,
    Disposed,
    /// No secure random source: the host has no `crypto.getRandomValues`.
    RandomUnavailable,
    /// A bug in this crate, reported instead of a panic.
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::TaskNotFound,
        ErrorKind::InvalidTransition,
        ErrorKind::DuplicateId,
        ErrorKind::NotInitialized,
        ErrorKind::InvalidArgument,
        ErrorKind::Disposed,
        ErrorKind::RandomUnavailable,
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
        Self::new(
            ErrorKind::TaskNotFound,
            cat(&["Task \"", id, "\" not found"]),
        )
    }

    pub fn invalid_transition(verb: &str, id: &str, status: Status) -> Self {
        Self::new(
            ErrorKind::InvalidTransition,
            cat(&[
                "Cannot ",
                verb,
                " task \"",
                id,
                "\": it is already ",
                status.as_str(),
            ]),
        )
    }

    pub fn being_cancelled(verb: &str, id: &str) -> Self {
        Self::new(
            ErrorKind::InvalidTransition,
            cat(&["Cannot ", verb, " task \"", id, "\": it is being cancelled"]),
        )
    }

    pub fn duplicate(id: &str) -> Self {
        Self::new(
            ErrorKind::DuplicateId,
            cat(&["A task with id \"", id, "\" already exists"]),
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
            cat(&[
                "BackgroundManager was cleaned up while waiting for task \"",
                id,
                "\"",
            ]),
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
