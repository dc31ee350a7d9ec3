//! The launch options' rules as the engine takes them: the skins convert
//! a JS or WIT value into one of these, the engine applies it.
use crate::engine::prelude::*;

/// `launch({ stallAfter, failAfterStall })`: ms without activity before a
/// stall (0: never), and ms after a stall before the task fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StallRule {
    pub after: u64,
    pub fail_after: Option<u64>,
}

/// `retry: { attempts, backoff: { initial, max, factor, jitter } }` and
/// `fallback`.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryRule {
    /// Runs in all, the first included (at most 64).
    pub attempts: u32,
    /// ms before the second attempt; each later one waits `factor` times
    /// longer, up to `max`.
    pub initial: u64,
    pub max: u64,
    pub factor: f64,
    /// 0..=1: each delay is drawn from its last `jitter` part (0: exact).
    pub jitter: f64,
    /// The agents of the attempts after the first, in order; the last one
    /// stays for the attempts after them.
    pub fallback: Vec<String>,
}

impl Default for RetryRule {
    fn default() -> Self {
        RetryRule {
            attempts: 1,
            initial: 1_000,
            max: 30_000,
            factor: 2.0,
            jitter: 0.2,
            fallback: Vec::new(),
        }
    }
}

/// What the failed runner's error says about retrying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryHint {
    /// `retryable: false`: final at once.
    pub retryable: bool,
    /// `retryAfter`: wait this many ms, not the backoff's delay.
    pub after: Option<u64>,
}

impl Default for RetryHint {
    fn default() -> Self {
        RetryHint {
            retryable: true,
            after: None,
        }
    }
}
