//! The engine's invariants, checked from scratch: for tests, the fuzzer and
//! the skins' differential checks. Linear in everything.
use crate::engine::prelude::*;
use crate::engine::seam::InboxHooks;
use alloc::collections::{BTreeMap, BTreeSet};

use crate::engine::time::deadlines::Deadline;
use crate::engine::{Engine, Host, Run, Status};

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
        let queued: BTreeSet<(u64, Deadline)> = self.time.deadlines().timed().collect();
        let evicting: BTreeSet<u64> = self.time.evictions().collect();
        let grace: BTreeSet<u64> = queued
            .iter()
            .filter_map(|(_, due)| match due {
                Deadline::Grace(seq) => Some(*seq),
                _ => None,
            })
            .collect();
        let waiters_ok = self.waiters.iter().all(|(seq, w)| {
            let tree = matches!(w.want, crate::engine::Want::Output { tree: true, .. });
            self.table
                .get(seq)
                .is_some_and(|t| !t.is_final() || (tree && !self.tree_final(seq)))
                && w.deadline
                    .is_none_or(|at| queued.contains(&(at, Deadline::WaitTimeout(seq, w.id))))
        });
        // Evictions queue in the order they come due.
        let ttl = self.config.task_ttl;
        let due = |seq| self.table.get(seq).map(|t| t.deadline(ttl));
        let evictions: Vec<Option<u64>> = self.time.evictions().map(due).collect();
        let fifo_ok = evictions.len() == evicting.len()
            && evictions.windows(2).all(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            });
        let created: Vec<u64> = self.table.iter().map(|t| t.created_at).collect();
        let created_ok = created.windows(2).all(|w| w[0] <= w[1]);
        let tasks_ok = self.table.iter().all(|t| {
            let lingers = self.table.extra(t.seq()).is_some_and(|x| x.linger);
            let deadline_ok = !t.is_final() || evicting.contains(&t.seq()) || lingers;
            let grace_ok = t.run != Run::Cancelling || grace.contains(&t.seq());
            let run_ok = match t.status {
                Status::Queued => t.run == Run::Waiting,
                Status::Running => matches!(t.run, Run::External | Run::Live | Run::Cancelling),
                // Asking, its runner is live; a cancel ends the question.
                Status::InputRequired => t.run == Run::Live,
                _ => matches!(t.run, Run::External | Run::Ended),
            };
            let launched_ok = t.is_launched() == (t.run != Run::External);
            let output_ok = t.stream().is_none_or(|s| {
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
        self.count_inbox_sessions(&mut |session| *sessions.entry(session).or_default() += 1);
        let names_ok = sessions.len() == self.session.names_held()
            && sessions.iter().all(|(&i, &n)| self.session.refs(i) == n);
        let slots_ok = holding == self.queue.active();
        let limits_ok = self
            .config
            .max_concurrent
            .is_none_or(|max| self.queue.active() <= max);
        let launched = self.table.iter().filter(|t| t.is_launched()).map(|t| {
            (
                t.seq(),
                t.agent,
                t.run.holds_slot(),
                self.may_start(t.seq()),
            )
        });
        let lanes = self
            .queue
            .inconsistency(launched, &self.config)
            .or_else(|| self.extras_inconsistency());
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

    /// Parents, children, live descendant counts, held launches and
    /// idempotency keys, checked from scratch; the first that fails.
    fn extras_inconsistency(&self) -> Option<&'static str> {
        let live = |seq: u64| self.table.get(seq).is_some_and(|t| !t.is_final());
        for t in self.table.iter() {
            let (seq, Some(x)) = (t.seq(), t.task().extra()) else {
                continue;
            };
            if x.parent.is_some_and(|p| {
                self.table
                    .extra(p)
                    .is_none_or(|px| !px.children.contains(&seq))
            }) {
                return Some("a child its parent does not list");
            }
            if x.children
                .iter()
                .any(|&c| self.table.extra(c).is_none_or(|cx| cx.parent != Some(seq)))
            {
                return Some("a child that names another parent");
            }
            // Live descendants, counted from scratch.
            let mut count = 0u32;
            let mut stack: Vec<u64> = x.children.clone();
            while let Some(c) = stack.pop() {
                count += u32::from(live(c));
                if let Some(cx) = self.table.extra(c) {
                    stack.extend(cx.children.iter().copied());
                }
            }
            if count != x.live_descendants {
                return Some("a live descendant count");
            }
            // A cancelled task's live descendants are all being cancelled.
            let cancelled = self
                .table
                .get(seq)
                .is_some_and(|t| t.status == Status::Cancelled);
            if cancelled
                && x.children.iter().any(|&c| {
                    self.table
                        .get(c)
                        .is_some_and(|t| !t.is_final() && t.run != Run::Cancelling)
                })
            {
                return Some("a descendant that outlives its ancestor's cancel");
            }
            if let Some(before) = x.after {
                let held_ok = self
                    .table
                    .get(seq)
                    .is_some_and(|t| t.status == Status::Queued)
                    && live(before)
                    && self
                        .table
                        .extra(before)
                        .is_some_and(|b| b.next == Some(seq));
                if !held_ok {
                    return Some("a held launch and the task it waits for");
                }
            }
            if let Some(i) = x.key.checked_sub(1) {
                if self.queue.key_refs(i) == 0 {
                    return Some("an idempotency key no one holds");
                }
            }
        }
        let keys_ok = self
            .queue
            .newest_by_key()
            .iter()
            .enumerate()
            .all(|(i, newest)| {
                newest.is_none_or(|seq| {
                    live(seq) && self.table.extra(seq).is_some_and(|x| x.key == i as u32 + 1)
                })
            });
        (!keys_ok).then_some("the newest live task of an idempotency key")
    }
}
