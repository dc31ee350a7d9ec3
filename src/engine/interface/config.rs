use crate::engine::prelude::*;
/// Times are milliseconds, sizes UTF-16 code units; the defaults are the
/// seed's where it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub poll_interval: u64,
    pub task_ttl: u64,
    /// Launched tasks running at once; `None` for no limit.
    pub max_concurrent: Option<usize>,
    /// Per-agent limits on launched tasks running at once.
    pub agent_limits: Vec<(String, usize)>,
    /// `limits.keys`: launched tasks running at once per concurrency key
    /// (0: no limit); a key counts against each key it is under.
    pub key_limits: Vec<(String, usize)>,
    /// How deep `launch({ parentId })` may nest: a task at the top is at
    /// depth 0, its children at 1.
    pub max_depth: u8,
    /// The manager's stall rule for running tasks launched without one
    /// (`stallAfter`, `failAfterStall`; `after` 0: none).
    pub stall: crate::engine::interface::rules::StallRule,
    /// How long a cancelled runner has to stop before its task is marked
    /// cancelled anyway.
    pub cancel_grace: u64,
    /// Output kept per task.
    pub output_cap: usize,
    /// Whether evictions of final tasks are worth a timer of their own when
    /// nothing else is timed (see `Engine::needs_timer`): yes where such a
    /// timer holds nothing open (a browser page; in Deno and Node the JS
    /// skin's is unref'd), no where it would keep a process alive for a
    /// whole TTL after its work is done.
    pub timed_evictions: bool,
    /// What the durable build adds: a store's journal and the inbox.
    pub durable: DurableConfig,
}

/// The durable build's part of the config (read only by `durable/`; a
/// build without the `durable` feature has no store and ignores it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurableConfig {
    /// Whether a durable store keeps the tasks: then the engine journals
    /// every change for the host to write (`durable/journal.rs`).
    pub store: bool,
    /// How long output written to a live task may wait before it is saved:
    /// a stream is written at most this often per task, not per chunk.
    pub output_save_every: u64,
    /// Notifications kept until delivered, retried and maybe batched
    /// (`durable/inbox.rs`); `None`: each is sent once, as it happens
    /// (SPEC §5).
    pub inbox: Option<InboxConfig>,
}

impl Default for DurableConfig {
    fn default() -> Self {
        DurableConfig {
            store: false,
            output_save_every: 250,
            inbox: None,
        }
    }
}

/// How the inbox delivers: `notifyRetry` and `notify` of the options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxConfig {
    /// Sends of one notification before it is parked (kept, listed, sent
    /// again after a restart).
    pub attempts: u32,
    /// The delay before the first retry; it doubles up to `max_delay`, and
    /// each delay is drawn from its upper half (jitter).
    pub initial_delay: u64,
    pub max_delay: u64,
    /// A send that has not settled by then counts as failed.
    pub send_timeout: u64,
    /// `None`: each notification on its own; `Some`: batched.
    pub batch: Option<Batch>,
}

/// `notify: { debounce, maxDelay }`: a batch goes once no notification has
/// come for `debounce` ms, and no later than `max_delay` after its first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    pub debounce: u64,
    pub max_delay: u64,
}

impl Default for InboxConfig {
    fn default() -> Self {
        InboxConfig {
            attempts: 5,
            initial_delay: 1_000,
            max_delay: 30_000,
            send_timeout: 30_000,
            batch: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            poll_interval: 2_000,
            task_ttl: 1_800_000,
            max_concurrent: None,
            agent_limits: Vec::new(),
            key_limits: Vec::new(),
            max_depth: 3,
            stall: Default::default(),
            cancel_grace: 2_000,
            output_cap: 1 << 20,
            timed_evictions: true,
            durable: Default::default(),
        }
    }
}

impl Config {
    pub fn agent_limit(&self, agent: &str) -> Option<usize> {
        self.agent_limits
            .iter()
            .find(|(name, _)| name == agent)
            .map(|&(_, n)| n)
    }
}
