use super::prelude::*;
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
    /// How long a cancelled runner has to stop before its task is marked
    /// cancelled anyway.
    pub cancel_grace: u64,
    /// Output kept per task.
    pub output_cap: usize,
    /// Whether evictions of final tasks are worth a timer of their own when
    /// nothing else is timed (see `Engine::needs_timer`): yes where a timer
    /// holds nothing open (a browser page), no where it would keep a script's
    /// process alive for a whole TTL after its work is done.
    pub timed_evictions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            poll_interval: 2_000,
            task_ttl: 1_800_000,
            max_concurrent: None,
            agent_limits: Vec::new(),
            cancel_grace: 2_000,
            output_cap: 1 << 20,
            timed_evictions: true,
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
