//! See README.md beside this file.
pub mod log_entries;
pub mod store;
