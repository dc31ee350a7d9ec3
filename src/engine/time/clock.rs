//! The clock and what comes due: TTL expiry, grace ends, evictions and
//! waiter timeouts, each handled as of its own time.
use crate::engine::prelude::*;
use crate::engine::seam::{InboxHooks, JournalHooks};
use crate::engine::time::deadlines::Deadline;
use crate::engine::{Effect, Ending, Engine, Event, Host, Outcome, Run, Status, Store};

impl<H: Host> Engine<H> {
    /// Moves the engine's clock to `wall` (never backwards) and runs every
    /// deadline due by then. Every operation that changes state starts with
    /// this, so what it records is exact however late a timer fires.
    pub fn advance(&mut self, wall: u64) -> u64 {
        self.time.clock = self.time.clock.max(wall);
        let now = self.time.clock;
        if now < self.time.due_from {
            return now;
        }
        // Each deadline is handled as of its own time, so a late timer or a
        // throttled tab changes when it is seen, never what it records.
        let mut next = self.next_due();
        while let Some((at, due)) = next {
            if at > now {
                break;
            }
            match due {
                // Handling it makes the task final, which takes it off the
                // live indexes the expiry was read from.
                Deadline::Expire(_) => {}
                Deadline::Evict(_) => self.time.deadlines.pop_eviction(),
                _ => {
                    self.time.deadlines.pop();
                }
            }
            self.handle(at, due);
            next = self.next_due();
            // Slots freed at `at` go to the queue as of `at`, once every
            // deadline of that instant is handled.
            if next.is_none_or(|(next, _)| next > at) {
                self.schedule(at);
                next = self.next_due();
            }
        }
        self.time.due_from = next.map_or(u64::MAX, |(at, _)| at);
        now
    }

    /// When the host's timer must fire at the latest: no deadline comes due
    /// before it, though none may be due at it either (then the host finds
    /// nothing to do and asks again). `None`: nothing is timed.
    pub fn due_by(&self) -> Option<u64> {
        self.time.due_by()
    }

    /// Whether the host must keep a timer for `due_by`: while there is live
    /// work (`live_work`), and otherwise only if evictions are timed
    /// (`Config::timed_evictions`) and one is pending. An eviction that no
    /// timer runs is run by the next operation, as of its time, and the
    /// host's reads check `due_by`, so callers see the same; only the
    /// `Removed` event comes at that call.
    pub fn needs_timer(&self) -> bool {
        self.live_work() || (self.config.timed_evictions && self.time.due_from != u64::MAX)
    }

    /// Whether live work waits on the host's timer: a queued or running
    /// task (and so any grace period or waiter), output to save, the inbox.
    /// A host whose pending timers keep its process alive keeps it alive for
    /// these only, not for evictions alone.
    pub fn live_work(&self) -> bool {
        self.table.count(Status::Queued) + self.running() > 0
            || self.output_waits()
            || self.inbox_timed()
    }

    /// The engine's clock: the latest time it was given.
    pub fn now(&self) -> u64 {
        self.time.clock
    }

    /// Carries out one deadline that still applies.
    fn handle(&mut self, at: u64, due: Deadline) {
        match due {
            Deadline::Expire(seq) => {
                let message = format!(
                    "Task \"{}\" timed out after {} ms",
                    self.describe(seq),
                    self.config.task_ttl
                );
                let message = self.store.text(&message);
                self.finish(seq, Status::Error, Ending::Error(message), true, at);
            }
            Deadline::Grace(seq) => self.finish(seq, Status::Cancelled, Ending::None, false, at),
            // A task whose tree still runs stays until it is final.
            Deadline::Evict(seq) if !self.tree_final(seq) => {
                if let Some(x) = self.table.extra_mut(seq) {
                    x.linger = true;
                }
            }
            Deadline::Evict(seq) => self.evict(seq),
            Deadline::Stall(seq) => self.check_stall(seq, at),
            Deadline::Retry(seq) => self.retry_due(seq),
            Deadline::Ask(seq) => self.ask_due(seq, at),
            Deadline::SaveOutput => self.save_output_now(),
            Deadline::Inbox => self.pump_all(at),
            Deadline::WaitTimeout(seq, id) => {
                if let Some(w) = self.waiters.timed_out(seq, id, at) {
                    if let Some(answer) = self.answer(seq, w.want, true) {
                        self.outbox.push_back(Effect::Wake {
                            waiter: w.handle,
                            answer,
                        });
                    }
                }
            }
        }
    }

    /// Task `seq`, final and past its TTL, leaves the table.
    pub(in crate::engine) fn evict(&mut self, seq: u64) {
        self.event(seq, |id| Event::Removed { id });
        self.journal_evicted(seq);
        if let Some(task) = self.table.remove(seq) {
            self.forget(&task);
            if let Some(x) = task.extra() {
                self.forget_extra(seq, x);
            }
            self.store.remove(seq);
        }
    }

    /// Releases the names a task that leaves the table held.
    pub(in crate::engine) fn forget(&mut self, task: &crate::engine::Task) {
        if self.session.release(task.session) {
            self.store.set_session(task.session, None);
        }
        self.queue.forget(task.agent);
    }

    /// When the next deadline that still applies comes due, exactly. Drops
    /// entries at the front that no longer apply.
    pub fn next_deadline(&mut self) -> Option<u64> {
        let next = self.next_due().map(|(at, _)| at);
        self.time.due_from = next.unwrap_or(u64::MAX);
        next
    }

    /// The earliest deadline that still applies, and what it is; ties go in
    /// `Deadline` order. Drops the queued entries in front of it that no
    /// longer apply.
    fn next_due(&mut self) -> Option<(u64, Deadline)> {
        while let Some((at, due)) = self.time.deadlines.peek() {
            if self.applies(at, due) {
                break;
            }
            self.time.deadlines.pop();
        }
        while let Some(seq) = self.time.deadlines.next_eviction() {
            if self.table.get(seq).is_some_and(|t| t.is_final()) {
                break;
            }
            self.time.deadlines.pop_eviction();
        }
        let oldest_live = Status::LIVE
            .into_iter()
            .filter_map(|s| self.table.first(s))
            .min();
        let ttl = self.config.task_ttl;
        let expire = oldest_live
            .and_then(|seq| self.table.get(seq))
            .map(|t| (t.deadline(ttl), Deadline::Expire(t.seq())));
        let evict = self
            .time
            .deadlines
            .next_eviction()
            .and_then(|seq| self.table.get(seq))
            .map(|t| (t.deadline(ttl), Deadline::Evict(t.seq())));
        [expire, evict, self.time.deadlines.peek()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether a queued grace end or waiter timeout still applies.
    fn applies(&self, at: u64, due: Deadline) -> bool {
        match due {
            Deadline::Grace(seq) => self
                .table
                .get(seq)
                .is_some_and(|t| t.run == Run::Cancelling),
            Deadline::WaitTimeout(seq, id) => self.waiters.deadline_of(seq, id) == Some(at),
            Deadline::Stall(seq) => self.stall_applies(seq),
            Deadline::Ask(seq) => self.ask_applies(seq, at),
            Deadline::Retry(seq) => self
                .table
                .extra(seq)
                .is_some_and(|x| x.retry_at == Some(at)),
            // Handling them when nothing is due changes nothing.
            Deadline::SaveOutput | Deadline::Inbox => true,
            // Never in the heap.
            Deadline::Expire(_) | Deadline::Evict(_) => false,
        }
    }
}

impl Outcome {
    pub(in crate::engine) fn of<H: Host>(ending: &Ending<H>) -> Outcome {
        match ending {
            Ending::None => Outcome::None,
            Ending::Result(_) => Outcome::Result,
            Ending::Error(_) => Outcome::Error,
        }
    }
}
