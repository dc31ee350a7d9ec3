//! background-manager: the background tasks of AI agents, for browser agent
//! UIs and Deno scripts. `engine` is the pure state machine; `bindings` is the
//! thin `#[wasm_bindgen]` skin that converts values, owns timers and calls JS.

pub mod engine;

#[cfg(target_arch = "wasm32")]
mod bindings;

#[cfg(target_arch = "wasm32")]
pub use bindings::BackgroundManager;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
