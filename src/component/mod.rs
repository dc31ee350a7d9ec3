//! The WebAssembly component's skin: wit-bindgen exports of `wit/`, over
//! the same engine as the JS skin. It converts and validates; the engine
//! decides. Nothing here waits: the host drives time (`advance`) and carries
//! out the engine's effects (`take-effects`), so any component host runs it.
//!
//! Built without std: a std component on wasm32-wasip2 imports the whole
//! WASI CLI world (streams, environment, exit, ...) for its runtime, while
//! this one imports only `wasi:clocks/wall-clock` and `wasi:random/random`.

mod args;
mod bindings;
mod effects;
mod host;
mod log;
mod manager;
mod records;
mod runtime;
