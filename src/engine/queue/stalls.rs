//! Stalls: a running task with no write, progress or heartbeat for its
//! `stallAfter` ms gets a `stalled` log entry and event and a
//! `stalledSince`; activity clears it (`resumed`); with `failAfterStall` it
//! fails that many ms after it stalled. Measured on the wall clock every
//! call passes in, so a late timer (a throttled tab) neither fires a false
//! stall nor misses a real one: the deadline only says when to look.
use crate::engine::prelude::*;
use crate::engine::time::deadlines::Deadline;
use crate::engine::{Ending, Engine, Event, Host, LogKind, Run, Status, Store, ENTRY_COST};

impl<H: Host> Engine<H> {
    /// Task `seq`'s runner started at `now`: its stall clock starts, by
    /// its own rule or the manager's.
    pub(in crate::engine) fn arm_stall(&mut self, seq: u64, now: u64) {
        let rule = match self.table.extra(seq).map(|x| x.stall) {
            Some(rule) if rule.after > 0 => rule,
            _ => self.config.stall,
        };
        if rule.after == 0 {
            return;
        }
        if let Some(x) = self.table.make_extra(seq) {
            x.stall = rule;
            x.active_at = now;
            x.stalled_since = None;
        }
        self.stall_at(seq, now.saturating_add(rule.after));
    }

    /// Task `seq` runs again after a question: its stall clock restarts.
    pub(in crate::engine) fn rearm_stall(&mut self, seq: u64, now: u64) {
        let Some(x) = self.table.extra_mut(seq).filter(|x| x.stall.after > 0) else {
            return;
        };
        x.active_at = now;
        let after = x.stall.after;
        self.stall_at(seq, now.saturating_add(after));
    }

    fn stall_at(&mut self, seq: u64, at: u64) {
        self.time.schedule(at, Deadline::Stall(seq));
    }

    /// Task `seq` showed it is alive at `now`: a stalled one resumes.
    pub(in crate::engine) fn alive(&mut self, seq: u64, now: u64) {
        let Some(x) = self.table.extra_mut(seq).filter(|x| x.stall.after > 0) else {
            return;
        };
        x.active_at = now;
        if x.stalled_since.take().is_none() {
            return;
        }
        let after = x.stall.after;
        self.open_log(seq);
        self.log_entry(seq, LogKind::Stalled(false), ENTRY_COST, now);
        self.event(seq, |id| Event::Stalled { id, since: None });
        self.stall_at(seq, now.saturating_add(after));
    }

    /// Whether a queued stall check of task `seq` still applies.
    pub(in crate::engine) fn stall_applies(&self, seq: u64) -> bool {
        // Never while it asks: waiting for an answer is not a stall.
        self.table
            .get(seq)
            .is_some_and(|t| t.run == Run::Live && t.status == Status::Running)
            && self.table.extra(seq).is_some_and(|x| x.stall.after > 0)
    }

    /// Task `seq`'s stall check came due at `at`.
    pub(in crate::engine) fn check_stall(&mut self, seq: u64, at: u64) {
        let Some(x) = self.table.extra_mut(seq) else {
            return;
        };
        let rule = x.stall;
        match x.stalled_since {
            None => {
                let due = x.active_at.saturating_add(rule.after);
                if due > at {
                    // Active since the check was queued: look again then.
                    return self.stall_at(seq, due);
                }
                x.stalled_since = Some(due);
                self.open_log(seq);
                self.log_entry(seq, LogKind::Stalled(true), ENTRY_COST, at);
                self.event(seq, |id| Event::Stalled {
                    id,
                    since: Some(due),
                });
                if let Some(fail) = rule.fail_after {
                    self.stall_at(seq, due.saturating_add(fail));
                }
            }
            Some(since) => {
                let Some(fail) = rule.fail_after.filter(|&f| at >= since.saturating_add(f)) else {
                    return;
                };
                let message = format!(
                    "Task \"{}\" stalled: no write, progress or heartbeat for {} ms",
                    self.describe(seq),
                    rule.after.saturating_add(fail)
                );
                let message = self.store.text(&message);
                self.finish(seq, Status::Error, Ending::Error(message), true, at);
            }
        }
    }

    /// When task `seq` stalled, if it is stalled now.
    pub fn stalled_since(&self, seq: u64) -> Option<u64> {
        self.table.extra(seq).and_then(|x| x.stalled_since)
    }
}
