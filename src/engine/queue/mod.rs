//! See README.md beside this file.
pub(in crate::engine) mod asks;
pub(in crate::engine) mod idempotency;
pub(in crate::engine) mod lanes;
pub(in crate::engine) mod queueing;
pub(in crate::engine) mod retries;
pub(in crate::engine) mod runs;
pub(in crate::engine) mod stalls;
