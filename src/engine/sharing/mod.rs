//! See README.md beside this file.
pub mod forward;
pub mod lease;
