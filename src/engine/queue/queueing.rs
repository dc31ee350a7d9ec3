//! What `launch` is asked for besides the task's values: where it waits,
//! what it belongs to, how it is watched. One file so that creating a task
//! (`lifecycle.rs`) and launching one (`runs.rs`) share it without needing
//! each other.

/// Where a launched task waits and what it belongs to: its concurrency key
/// (counted against the key, each key it is under, and the global limit),
/// its priority (higher first; creation order within a priority), its
/// parent (a task's seq) and its idempotency key.
#[derive(Clone, Copy, Debug, Default)]
pub struct Queueing<'a> {
    pub key: Option<&'a str>,
    pub priority: i32,
    pub parent: Option<u64>,
    pub idempotency: Option<(&'a str, crate::engine::OnConflict)>,
    /// Its own stall rule (`after` 0: the manager's).
    pub stall: crate::engine::StallRule,
    /// How its failed runs are retried (`None`: one attempt). Applied only
    /// to a new task: a launch that joins a live one leaves its rule.
    pub retry: Option<&'a crate::engine::RetryRule>,
}
