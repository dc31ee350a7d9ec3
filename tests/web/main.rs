//! The wasm-bindgen skin in headless Chromium, under `wasm-pack test
//! --headless --chrome` (see docs/testing.md). What only the skin does, driven
//! through the public class from Rust: gloo-timers firing a deadline and a
//! poll (`timers`), `JsFuture` on user promises that resolve, reject and
//! never settle (`promises`), the records serde-wasm-bindgen makes and reads
//! (`records`), callbacks that call back into the `Rc<RefCell>` state
//! (`reentry`), and thrown JS values that must not unwind through Rust
//! (`throws`). Compiles to nothing off wasm32-unknown-unknown or without
//! the skin.
#![cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js"))]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod promises;
mod records;
mod reentry;
mod support;
mod throws;
mod timers;
