//! The wasm-bindgen skin over the engine. The engine decides; this skin
//! converts values, owns the timers, keeps JS values in the view and
//! carries out the engine's effects. Each package of the design card enters
//! through one file: gloo-timers `timers.rs`, wasm-bindgen-futures
//! `promises.rs`, serde-wasm-bindgen `records.rs`, getrandom `store.rs`.
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
mod errors;
#[cfg(feature = "durable")]
mod forward;
mod held;
mod imports;
#[cfg(feature = "durable")]
mod lease;
#[cfg(feature = "durable")]
mod persist;
mod promises;
mod protocol;
mod records;
mod store;
mod timers;
#[cfg(feature = "durable")]
mod writes;

pub(crate) use self::core::start;
