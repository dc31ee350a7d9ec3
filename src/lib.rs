//! background-manager: the background tasks of AI agents, for browser agent
//! UIs and Deno scripts. `engine` is the pure state machine; `bindings` is the
//! thin `#[wasm_bindgen]` skin that converts values, owns timers and calls JS.
//!
//! On wasm32 the crate is `no_std` (with `alloc`): std's panic handler would
//! bring its formatting machinery into the .wasm, where a panic can only trap.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod engine;

#[cfg(target_arch = "wasm32")]
mod bindings;

#[cfg(target_arch = "wasm32")]
pub use bindings::BackgroundManager;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic is a bug; in the browser all it can do is stop this module.
#[cfg(all(target_arch = "wasm32", feature = "panic-handler"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
