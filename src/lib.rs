//! background-manager: the background tasks of AI agents, for browser agent
//! UIs and Deno scripts. `engine` is the pure state machine; `bindgen` is
//! the wasm-bindgen skin that converts values, owns timers and calls the JS
//! facade (`src/facade/`); `component` is the wit-bindgen skin of the
//! WebAssembly component, built for wasm32-wasip2 without std, so that the
//! component imports nothing but the wall clock and the random source.
#![cfg_attr(target_os = "wasi", no_std)]

extern crate alloc;

pub mod engine;

#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js"))]
mod bindgen;

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod component;

/// What the module's start function does (hand `manager.js` the factory of
/// its cores), for the `wasm-bindgen-test` suite (`tests/web/`): its test
/// runner runs no start function. Not part of the API; `init()` runs it.
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js"))]
#[doc(hidden)]
pub fn start_for_tests() {
    bindgen::start();
}

#[cfg(all(
    target_arch = "wasm32",
    target_os = "unknown",
    feature = "js",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
