//! See README.md beside this file.
pub(in crate::engine) mod config;
pub(in crate::engine) mod effects;
pub(in crate::engine) mod error;
pub(in crate::engine) mod host;
pub(in crate::engine) mod rules;
