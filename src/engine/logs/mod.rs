//! See README.md beside this file.
pub(in crate::engine) mod entries;
pub(in crate::engine) mod log;
pub(in crate::engine) mod output;
