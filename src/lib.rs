//! background-manager: the background tasks of AI agents, for browser agent
//! UIs and Deno scripts. `engine` is the pure state machine; `bindings` is the
//! thin `#[wasm_bindgen]` skin that converts values, owns timers and calls JS.

pub mod engine;

#[cfg(target_arch = "wasm32")]
mod bindings;

#[cfg(target_arch = "wasm32")]
pub use bindings::BackgroundManager;
