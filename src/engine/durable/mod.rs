//! See README.md beside this file.
pub(in crate::engine) mod inbox;
pub(in crate::engine) mod journal;
pub(in crate::engine) mod restore;
