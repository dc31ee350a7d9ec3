//! The engine's invariants, checked from scratch: for tests, the fuzzer and
//! the skins' differential checks. Linear in everything.
use super::prelude::*;
use alloc::collections::{BTreeMap, BTreeSet};

use super::deadlines::Deadline;
use super::{Engine, Host, Run, Status};

impl<H: Host> Engine<H> {
    /// True when the indexes agree with the table, every task's deadline and
    /// every timed waiter's timeout is queued, waiters only wait on live
    /// tasks, statuses agree with runs, names are counted right, and the
    /// slots are counted right and used whenever a queued task could start.
    pub fn is_consistent(&self) -> bool {
        self.inconsistency().is_none()
    }

    /// The first invariant that does not hold, described.
    pub fn inconsistency(&self) -> Option<&'static str> {
        let queued: BTreeSet<(u64, Deadline)> = self.deadlines.timed().collect();
        let evicting: BTreeSet<u64> = self.deadlines.evictions().collect();
        let grace: BTreeSet<u64> = queued
            .iter()
            .filter_map(|(_, due)| match due {
                Deadline::Grace(seq) => Some(*seq),
                _ => None,
            })
            .collect();
        let waiters_ok = self.waiters.iter().all(|(seq, w)| {
            self.table.get(seq).is_some_and(|t| !t.is_final())
                && w.deadline
                    .is_none_or(|at| queued.contains(&(at, Deadline::WaitTimeout(seq, w.id))))
        });
        // Evictions queue in the order they come due.
        let ttl = self.config.task_ttl;
        let due = |seq| self.table.get(seq).map(|t| t.deadline(ttl));
        let evictions: Vec<Option<u64>> = self.deadlines.evictions().map(due).collect();
        let fifo_ok = evictions.len() == evicting.len()
            && evictions.windows(2).all(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            });
        let created: Vec<u64> = self.table.iter().map(|t| t.created_at).collect();
        let created_ok = created.windows(2).all(|w| w[0] <= w[1]);
        let tasks_ok = self.table.iter().all(|t| {
            let deadline_ok = !t.is_final() || evicting.contains(&t.seq());
            let grace_ok = t.run != Run::Cancelling || grace.contains(&t.seq());
            let run_ok = match t.status {
                Status::Queued => t.run == Run::Waiting,
                Status::Running => matches!(t.run, Run::External | Run::Live | Run::Cancelling),
                _ => matches!(t.run, Run::External | Run::Ended),
            };
            let launched_ok = t.is_launched() == (t.run != Run::External);
            let output_ok = t.stream.as_ref().is_none_or(|s| {
                let (o, log) = (&s.output, &s.log);
                let (head, tail) = o.kept();
                head + tail <= self.config.output_cap
                    && o.cursor() == (head + tail) as u64 + o.dropped()
                    && log.within()
                    && log.last() > u64::from(t.is_final())
            });
            t.updated_at >= t.created_at
                && deadline_ok
                && grace_ok
                && run_ok
                && launched_ok
                && output_ok
        });
        let mut sessions: BTreeMap<u32, usize> = BTreeMap::new();
        let mut holding = 0;
        for t in self.table.iter() {
            *sessions.entry(t.session).or_default() += 1;
            if t.run.holds_slot() {
                holding += 1;
            }
        }
        if let Some(index) = self.session_index() {
            *sessions.entry(index).or_default() += 1;
        }
        // Each notification in the inbox holds its session's id.
        #[cfg(feature = "durable")]
        for n in self.inbox.iter() {
            *sessions.entry(n.session).or_default() += 1;
        }
        let names_ok = sessions.len() == self.sessions.len()
            && sessions.iter().all(|(&i, &n)| self.sessions.refs(i) == n);
        let slots_ok = holding == self.active;
        let limits_ok = self
            .config
            .max_concurrent
            .is_none_or(|max| self.active <= max);
        let limits = super::lanes::Limits {
            agent_limits: &self.config.agent_limits,
        };
        let launched = self.table.iter().filter(|t| t.is_launched()).map(|t| {
            (
                t.seq(),
                t.agent,
                t.run.holds_slot(),
                self.may_start(t.seq()),
            )
        });
        let lanes = self.lanes.inconsistency(launched, &limits);
        // Whatever the keys' order, a task whose limits have room starts.
        let no_idle_slot = self.next_to_start().is_none();
        [
            (self.table.is_consistent(), "the table's status index"),
            (fifo_ok, "the eviction queue's order"),
            (created_ok, "creation times in creation order"),
            (
                waiters_ok,
                "waiters on live tasks with their timeouts queued",
            ),
            (tasks_ok, "a task's status, run, deadline or output"),
            (names_ok, "session and agent name counts"),
            (slots_ok, "the slot counts"),
            (limits_ok, "the concurrency limits"),
            (no_idle_slot, "a queued task that could start"),
        ]
        .into_iter()
        .find(|(ok, _)| !ok)
        .map(|(_, what)| what)
        .or(lanes)
    }
}
