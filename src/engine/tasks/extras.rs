//! What a few tasks have beyond the 32 bytes every task has: a parent and
//! children, an idempotency key, a task they wait for. Kept in the task's
//! `More` box, made only for tasks that have any of it (or a stream), and
//! dropped with the task.
use crate::engine::prelude::*;

#[derive(Default, Debug)]
pub struct Extra {
    /// The task it was launched under (`launch({ parentId })`).
    pub parent: Option<u64>,
    /// Tasks launched under it, in creation order (those still in the table).
    pub children: Vec<u64>,
    /// Its descendants that are not final yet.
    pub live_descendants: u32,
    /// Its distance from the task at the top of its tree (0 there).
    pub depth: u8,
    /// Its idempotency key's index in `Engine::idempotency`, plus one; 0
    /// for none.
    pub key: u32,
    /// Held back, queued, until this task is final (`onConflict:
    /// 'enqueue'` or `'replace'`).
    pub after: Option<u64>,
    /// The task held back until this one is final.
    pub next: Option<u64>,
    /// Final and past its TTL, but kept until every descendant is final
    /// (then it leaves at once).
    pub linger: bool,
    /// Its stall rule while it runs (`stalls.rs`), when it last showed it
    /// is alive, and since when it is stalled.
    pub stall: crate::engine::interface::rules::StallRule,
    pub active_at: u64,
    pub stalled_since: Option<u64>,
    /// How a failed attempt is run again (`retries.rs`), and when the next
    /// may start while it waits.
    pub retry: Option<Box<crate::engine::interface::rules::RetryRule>>,
    pub retry_at: Option<u64>,
    /// While it asks (`asks.rs`) with a timeout: when the timeout ends.
    pub ask_until: Option<u64>,
}
