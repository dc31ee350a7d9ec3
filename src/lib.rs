//! background-manager: the background tasks of AI agents, for browser agent
//! UIs and Deno scripts. `engine` is the pure state machine; `js` is the
//! wasm-bindgen skin that converts values, owns timers and calls JS.

pub mod engine;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod js;

#[cfg(all(
    target_arch = "wasm32",
    feature = "js",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
