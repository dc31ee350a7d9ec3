//! Retries: `launch({ retry, fallback })`. A runner that throws or rejects
//! is run again after a backoff, up to `attempts` runs in all, each attempt
//! in the log; an error's `retryAfter` sets the delay, `retryable: false`
//! makes it final at once; `fallback` names the agent of each later
//! attempt. The task stays one task: queued between attempts (its slot
//! free), `attempt` counting up, its error the last attempt's, its
//! notification sent once, at the end.
use crate::engine::interface::rules::{RetryHint, RetryRule};
use crate::engine::prelude::*;
use crate::engine::seam::JournalHooks;
use crate::engine::time::deadlines::Deadline;
use crate::engine::{Effect, Ending, Engine, Host, LogKind, Run, Status, Store, ENTRY_COST};

impl<H: Host> Engine<H> {
    /// Task `seq`, just launched, runs again by `rule` when its runner
    /// fails (`run_failed`); a rule of one attempt changes nothing.
    pub fn set_retry(&mut self, seq: u64, rule: RetryRule) {
        if rule.attempts > 1 {
            if let Some(x) = self.table.make_extra(seq) {
                x.retry = Some(Box::new(rule));
            }
        }
    }

    /// The runner of task `seq` failed with `message`: run it again if its
    /// rule and `hint` allow, else fail the task. Once the task is final
    /// this changes nothing.
    pub fn run_failed(&mut self, seq: u64, message: H::Text, hint: RetryHint, wall: u64) {
        let now = self.advance(wall);
        if !self.table.get(seq).is_some_and(|t| t.run.holds_slot()) {
            return;
        }
        self.failed(seq, message, hint, now);
        self.schedule(now);
    }

    pub(in crate::engine) fn failed(
        &mut self,
        seq: u64,
        message: H::Text,
        hint: RetryHint,
        now: u64,
    ) {
        if !self.retry(seq, &message, hint, now) {
            self.finish(seq, Status::Error, Ending::Error(message), false, now);
        }
    }

    /// Queues task `seq` for its next attempt, if it has one; false if not.
    fn retry(&mut self, seq: u64, message: &H::Text, hint: RetryHint, now: u64) -> bool {
        let Some(task) = self.table.get(seq) else {
            return false;
        };
        let (attempt, lane) = (task.attempt(), task.agent);
        // What the rule says for this attempt, read before anything changes.
        let (delay, agent) = match self.table.extra(seq).and_then(|x| x.retry.as_deref()) {
            Some(rule)
                if task.run == Run::Live && hint.retryable && attempt < rule.attempts.min(64) =>
            {
                // Past the list the last fallback agent stays.
                let agent = rule.fallback.get(attempt as usize - 1).cloned();
                (
                    hint.after
                        .ok_or((rule.initial, rule.max, rule.factor, rule.jitter)),
                    agent,
                )
            }
            _ => return false,
        };
        let delay = delay.unwrap_or_else(|backoff| self.retry_delay(backoff, attempt));
        let at = now.saturating_add(delay);
        // The slot goes; the run's writes no longer count, and a question
        // it still asked is not answered.
        self.end_ask(seq, crate::engine::Reply::Aborted, false, now);
        self.release_slot(lane);
        self.outbox.push_back(Effect::Close { seq });
        let previous = self.move_status(seq, Status::Queued, now);
        if let Some(task) = self.table.get_mut(seq) {
            task.run = Run::Waiting;
            task.count_attempt();
        }
        // A fallback agent for the next attempt: its own lane.
        if let Some(agent) = agent {
            let text = self.store.text(&agent);
            self.store.set_agent(seq, text);
            if let Some(task) = self.table.get_mut(seq) {
                let limit = self.config.agent_limit(&agent);
                task.agent = self.queue.lanes.switch_agent(lane, &agent, limit);
            }
        }
        self.store.set_attempt(seq, attempt + 1);
        if let Some(x) = self.table.extra_mut(seq) {
            x.retry_at = Some(at);
            x.stalled_since = None;
        }
        self.time.schedule(at, Deadline::Retry(seq));
        self.open_log(seq);
        let error = LogKind::Retry {
            attempt,
            error: message,
            at,
        };
        self.log_entry(seq, error, ENTRY_COST, now);
        self.journal_task(seq);
        if let Some(previous) = previous {
            self.announce(seq, Status::Queued, previous);
        }
        true
    }

    /// The delay before attempt `attempt + 1` by the backoff `(initial, max,
    /// factor, jitter)`: `initial × factor^(attempt - 1)` up to `max`, less
    /// up to `jitter` of it at random.
    fn retry_delay(
        &mut self,
        (initial, max, factor, jitter): (u64, u64, f64, f64),
        attempt: u32,
    ) -> u64 {
        let mut delay = initial as f64;
        for _ in 1..attempt {
            delay = (delay * factor).min(max as f64);
        }
        let delay = delay.min(max as f64);
        let mut byte = [0u8; 1];
        let r = if self.store.random(&mut byte) {
            f64::from(byte[0]) / 256.0
        } else {
            0.0
        };
        (delay * (1.0 - jitter * r)) as u64
    }

    /// Task `seq`'s backoff ended: it may start when its limits allow.
    pub(in crate::engine) fn retry_due(&mut self, seq: u64) {
        if let Some(x) = self.table.extra_mut(seq) {
            x.retry_at = None;
        }
        self.enqueue(seq);
    }
}
