//! Every rejection is a real `Error` (or `TypeError`/`RangeError` for bad
//! arguments) with a string `code` (SPEC §4).

use wasm_bindgen::JsValue;

use super::glue;
use crate::engine::{EngineError, ErrorKind};

const ERROR: u8 = 0;
const TYPE_ERROR: u8 = 1;
const RANGE_ERROR: u8 = 2;

/// A wrong type: `TypeError` with code `INVALID_ARGUMENT`.
pub fn type_error(message: &str) -> JsValue {
    glue::make_error(TYPE_ERROR, message, ErrorKind::InvalidArgument.code())
}

/// A wrong value of the right type: `RangeError` with code `INVALID_ARGUMENT`.
pub fn range_error(message: &str) -> JsValue {
    glue::make_error(RANGE_ERROR, message, ErrorKind::InvalidArgument.code())
}

/// A wrong type: `TypeError` "<message>, got <what value is>".
pub fn bad_type(message: &str, value: &JsValue) -> JsValue {
    glue::make_arg_error(TYPE_ERROR, message, value)
}

/// A wrong value: `RangeError` "<message>, got <what value is>".
pub fn bad_value(message: &str, value: &JsValue) -> JsValue {
    glue::make_arg_error(RANGE_ERROR, message, value)
}

pub fn engine_error(error: EngineError) -> JsValue {
    let kind = match error.kind {
        // The engine only rejects values (empty strings); types are checked here.
        ErrorKind::InvalidArgument => RANGE_ERROR,
        _ => ERROR,
    };
    glue::make_error(kind, &error.message, error.code())
}

/// The state was borrowed when a call came in: a bug in this crate, reported
/// as an error instead of a panic that would poison the instance.
pub fn reentered() -> JsValue {
    glue::make_error(
        ERROR,
        "BackgroundManager was re-entered while updating its state",
        ErrorKind::Internal.code(),
    )
}
