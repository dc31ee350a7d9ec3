//! See README.md beside this file.
pub(in crate::engine) mod agent_session;
pub(in crate::engine) mod poll;
