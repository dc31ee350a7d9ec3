//! See README.md beside this file.
pub(in crate::engine) mod clock;
pub(in crate::engine) mod deadlines;
pub(in crate::engine) mod wait_for_final;
pub(in crate::engine) mod waiters;
