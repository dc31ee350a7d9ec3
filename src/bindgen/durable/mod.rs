//! The durable build's skin (the `durable` feature): loading a store into
//! the engine and writing its journal (`persist.rs`, `writes.rs`), the
//! store's records (`records.rs`), the options only this build reads
//! (`options.rs`), the core's methods only this build has (`core.rs`), and
//! the rules a manager shared among tabs or processes asks the engine
//! (`lease.rs`, `forward.rs`). Its JS is the facade's `durable.js`,
//! `shared.js` and `kv_link.js`, imported in `imports.rs`.

pub mod core;
pub mod forward;
pub mod lease;
pub mod options;
pub mod persist;
pub mod records;
pub mod writes;
