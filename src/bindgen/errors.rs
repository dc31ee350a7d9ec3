//! Every rejection is a real `Error` (a `TypeError` or `RangeError` for bad
//! arguments) with a string `code` (SPEC §4).
use wasm_bindgen::JsValue;

use super::imports;
use super::protocol::ErrorClass;
use crate::engine::{EngineError, ErrorKind};

fn make(class: ErrorClass, message: &str, code: &str) -> JsValue {
    imports::make_error(class as u8, message, code)
}

/// A wrong type: `TypeError` "<message>, got <what it was>".
pub fn bad_type(message: &str, got: &str) -> JsValue {
    make(
        ErrorClass::TypeError,
        &format!("{message}, got {got}"),
        ErrorKind::InvalidArgument.code(),
    )
}

/// A wrong value of the right type: `RangeError` "<message>, got <value>".
pub fn bad_value(message: &str, got: &str) -> JsValue {
    make(
        ErrorClass::RangeError,
        &format!("{message}, got {got}"),
        ErrorKind::InvalidArgument.code(),
    )
}

/// A wrong value whose message needs no "got".
pub fn range_error(message: &str) -> JsValue {
    make(
        ErrorClass::RangeError,
        message,
        ErrorKind::InvalidArgument.code(),
    )
}

/// A value that cannot be read: `TypeError` with `message` as is.
pub fn type_error(message: &str) -> JsValue {
    make(
        ErrorClass::TypeError,
        message,
        ErrorKind::InvalidArgument.code(),
    )
}

pub fn engine(error: EngineError) -> JsValue {
    let kind = match error.kind {
        // The engine only rejects values (empty strings); types are checked
        // by the skin.
        ErrorKind::InvalidArgument => ErrorClass::RangeError,
        _ => ErrorClass::Error,
    };
    make(kind, &error.message, error.code())
}

/// The state was borrowed when a call came in: a bug in this crate, reported
/// as an error instead of a panic that would poison the instance.
pub fn reentered() -> JsValue {
    engine(EngineError::internal(
        "BackgroundManager was re-entered while updating its state",
    ))
}

pub fn disposed() -> JsValue {
    engine(EngineError::new(
        ErrorKind::Disposed,
        "BackgroundManager was disposed (free() or [Symbol.dispose]()); make a new one",
    ))
}

/// A foreground `callAgent` still running when `cleanup()` ran.
pub fn disposed_call() -> JsValue {
    engine(EngineError::new(
        ErrorKind::Disposed,
        "BackgroundManager was cleaned up while this callAgent was running",
    ))
}
