//! The `#[wasm_bindgen]` skin over the engine: converts values, owns the
//! timers, and calls JS only with the state released.

mod args;
mod convert;
mod errors;
mod glue;
mod manager;
mod state;
mod timers;
mod types;

pub use manager::BackgroundManager;
