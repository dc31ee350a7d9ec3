//! The wasm-bindgen skin over the engine. The engine decides; this skin
//! converts values, owns the timers, keeps JS values in the view and
//! carries out the engine's effects. Each package of the design card enters
//! through one file: gloo-timers `timers.rs`, wasm-bindgen-futures
//! `promises.rs`, serde-wasm-bindgen `records.rs` (and the durable store's
//! `durable/records.rs`), getrandom `store.rs`. What only the durable build
//! has is in `durable/`, or in a `durable` submodule of the file whose
//! package it uses (`timers.rs`, `promises.rs`, `imports.rs`).
//!
//! The JS files it imports are the facade, in `src/facade/`: `manager.js`
//! (the public class, a facade over `Core`), `view.js` (the store of JS
//! values), `calls.js` (every call into user code, guarded), `sim.js` (the
//! simulated agent), and the durable build's `durable.js`, `shared.js` and
//! `kv_link.js`. `imports.rs` is the one file that names them.

mod args;
#[cfg(feature = "check")]
mod check;
mod core;
mod declarations;
mod deliver;
mod driver;
#[cfg(feature = "durable")]
mod durable;
mod errors;
mod held;
mod imports;
mod promises;
mod protocol;
mod records;
mod store;
mod timers;

pub(crate) use self::core::start;
