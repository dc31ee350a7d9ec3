//! `launch({ idempotencyKey, onConflict })`: while a live task holds a key,
//! a launch with the same key is refused, joins it, waits for it, or
//! replaces it, so the same request made twice never runs twice by
//! accident.
use crate::engine::{Engine, EngineError, Host};

/// What a launch does when a live task has its idempotency key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// `DUPLICATE_ID` (the default).
    #[default]
    Reject,
    /// Answers with the live task; nothing new is made.
    Join,
    /// A new task, held back until the live one is final.
    Enqueue,
    /// Cancels the live one (its runner gets the grace period), then runs.
    Replace,
}

/// What the launch goes on to do.
pub(in crate::engine) enum Claim {
    /// No live task holds the key: a new task, free to start.
    Free,
    /// Answer with this task.
    Join(u64),
    /// A new task held back until this one is final (and, for `Replace`,
    /// this one is cancelled).
    After(u64, bool),
}

impl<H: Host> Engine<H> {
    /// Looks `key` up before a launch.
    pub(in crate::engine) fn claim(&self, key: &str, on: OnConflict) -> Result<Claim, EngineError> {
        let live = self
            .queue
            .idempotency
            .find(key)
            .and_then(|i| self.queue.newest_by_key.get(i as usize).copied().flatten());
        Ok(match (live, on) {
            (None, _) => Claim::Free,
            (Some(seq), OnConflict::Reject) => {
                return Err(EngineError::duplicate_key(key, &self.describe(seq)))
            }
            (Some(seq), OnConflict::Join) => Claim::Join(seq),
            (Some(seq), OnConflict::Enqueue) => Claim::After(seq, false),
            (Some(seq), OnConflict::Replace) => Claim::After(seq, true),
        })
    }

    /// New task `seq` holds `key`, after `after` if the claim said so.
    pub(in crate::engine) fn hold_key(&mut self, seq: u64, key: &str, after: Option<u64>) {
        let index = self.queue.idempotency.acquire(key).0;
        let i = index as usize;
        if self.queue.newest_by_key.len() <= i {
            self.queue.newest_by_key.resize(i + 1, None);
        }
        self.queue.newest_by_key[i] = Some(seq);
        if let Some(x) = self.table.make_extra(seq) {
            x.key = index + 1;
            x.after = after;
        }
        if let Some(b) = after.and_then(|before| self.table.make_extra(before)) {
            b.next = Some(seq);
        }
    }

    /// Task `seq` is final. The key's newest live holder is the one it
    /// waited for, if any (else none: every earlier holder is final). The
    /// task held back behind it now waits for that one instead, or, with
    /// none left, may start.
    pub(in crate::engine) fn release_key(&mut self, seq: u64) {
        let Some(x) = self.table.extra(seq) else {
            return;
        };
        let (key, next, after) = (x.key, x.next, x.after);
        if let Some(i) = key.checked_sub(1) {
            if let Some(slot) = self.queue.newest_by_key.get_mut(i as usize) {
                if *slot == Some(seq) {
                    *slot = after;
                }
            }
        }
        if let Some(b) = after.and_then(|before| self.table.extra_mut(before)) {
            b.next = next;
        }
        if let Some(n) = next {
            if let Some(held) = self.table.extra_mut(n) {
                held.after = after;
            }
            if after.is_none() {
                self.enqueue(n);
            }
        }
        if let Some(x) = self.table.extra_mut(seq) {
            x.after = None;
            x.next = None;
        }
    }

    /// Cancels every live holder of the key that task `newest` holds, the
    /// newest first (`onConflict: 'replace'`).
    pub(in crate::engine) fn replace_holders(&mut self, newest: u64, now: u64) {
        let mut at = Some(newest);
        while let Some(seq) = at {
            // Read before cancelling: a holder that ends at once passes
            // its wait on.
            let before = self.table.extra(seq).and_then(|x| x.after);
            if self.table.get(seq).is_some_and(|t| !t.is_final()) {
                self.cancel_tree(seq, false, now);
            }
            at = before;
        }
    }

    /// Task `seq`, leaving the table, drops its reference to key `key` (an
    /// index plus one).
    pub(in crate::engine) fn forget_key(&mut self, _seq: u64, key: u32) {
        if let Some(i) = key.checked_sub(1) {
            self.queue.idempotency.release(i);
        }
    }
}
