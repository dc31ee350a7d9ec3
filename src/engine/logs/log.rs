//! A task's numbered log as counts and weights: the engine numbers every
//! entry (its output chunks, status changes, progress reports, heartbeats)
//! and decides which are kept; the host keeps the entries themselves (see
//! `Store::log`). Bounded like the output, by the same cap: the first half
//! holds the entries written first, the second half the latest, and what
//! falls between is dropped (a reader sees one `gap` in its place).
use alloc::vec::Vec;

use crate::engine::{Cut, Output, Status};

/// What an entry costs against the cap besides its text: a status or a
/// heartbeat weighs this much, an output chunk or a progress message its
/// length plus this.
pub const ENTRY_COST: usize = 32;

/// How many seqs a durable store holds in reserve ahead of a live task's
/// newest entry (`Log::reserve_ahead`). Entries are saved at most every
/// `outputSaveEvery` ms, but readers see them at once; a process that dies
/// between the two must not number anything again that a reader saw, so a
/// restarted log numbers on past the reservation (`Log::skip_to`), and the
/// reservation is renewed, written at once, while half of it is still left.
pub const LOG_RESERVE: u64 = 1024;

/// What an entry is, with the host values the store needs to make it.
pub enum LogKind<'a, P, T> {
    Status(Status),
    /// A chunk, the output's cursor after it, and how the output keeps it
    /// (see `Cut`): a chunk is written to the output and logged in one
    /// store call.
    Output(&'a T, u64, Cut),
    /// The runner's report, as the host made it.
    Progress(&'a P),
    Heartbeat,
    /// The task stalled (`true`) or, stalled, showed it is alive again.
    Stalled(bool),
    /// Attempt `attempt` failed with `error`; the next starts at `at` or
    /// later (`retry` at launch).
    Retry {
        attempt: u32,
        error: &'a T,
        at: u64,
    },
    /// The runner asked this question: the status is `InputRequired`.
    Asked(&'a P),
}

/// How one entry is kept: at the kept beginning (`head`) or the kept end,
/// and then `drop` entries leave the front of the kept end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LogCut {
    pub head: bool,
    pub drop: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The seq of the newest entry; entries count from 1.
    last: u64,
    /// Entries kept at the beginning: seqs `1..=head_n`.
    head_n: u64,
    head_weight: usize,
    head_cap: usize,
    /// The weights of the entries kept at the end, oldest first, from
    /// `skip` on (dropped ones go once they are as many as those kept);
    /// their seqs run up to `last`. Never empty once an entry went there,
    /// so the beginning stays one unbroken run.
    tail: Vec<u32>,
    skip: usize,
    tail_weight: usize,
    tail_cap: usize,
    /// The seqs up to which a durable store was promised this log's entries
    /// (see `LOG_RESERVE`); 0 without a durable store.
    reserved: u64,
}

impl Log {
    pub fn new(cap: usize) -> Self {
        Log {
            last: 0,
            head_n: 0,
            head_weight: 0,
            head_cap: cap / 2,
            tail: Vec::new(),
            skip: 0,
            tail_weight: 0,
            tail_cap: cap - cap / 2,
            reserved: 0,
        }
    }

    /// Records an entry of `weight` (see `ENTRY_COST`): its seq, and how
    /// it is kept. The newest entry is always kept, however heavy.
    pub fn push(&mut self, weight: usize) -> (u64, LogCut) {
        self.last += 1;
        if self.tail.is_empty() && self.head_weight + weight <= self.head_cap {
            self.head_n += 1;
            self.head_weight += weight;
            return (
                self.last,
                LogCut {
                    head: true,
                    drop: 0,
                },
            );
        }
        let weight = weight.min(u32::MAX as usize);
        self.tail.push(weight as u32);
        self.tail_weight += weight;
        let start = self.skip;
        while self.tail_weight > self.tail_cap && self.tail.len() - self.skip > 1 {
            self.tail_weight -= self.tail[self.skip] as usize;
            self.skip += 1;
        }
        let drop = self.skip - start;
        if self.skip >= self.tail.len() - self.skip {
            self.tail.drain(..self.skip);
            self.skip = 0;
        }
        (self.last, LogCut { head: false, drop })
    }

    /// A log loaded from a store: `head` and `tail` the weights of the
    /// entries kept at the beginning and the end, `last` the newest seq.
    /// Kept as it was, even under a smaller cap than it was kept with (the
    /// store holds these very entries): then this task's halves stay as
    /// large as what they hold.
    pub fn restored(cap: usize, head: &[u32], tail: &[u32], last: u64) -> Self {
        let mut log = Log::new(cap);
        log.head_n = head.len() as u64;
        log.head_weight = head.iter().map(|&w| w as usize).sum();
        log.head_cap = log.head_cap.max(log.head_weight);
        log.tail = tail.to_vec();
        log.tail_weight = tail.iter().map(|&w| w as usize).sum();
        log.tail_cap = log.tail_cap.max(log.tail_weight);
        log.last = last.max(log.head_n + log.tail_len());
        // Numbers skipped after the beginning (a restart's, see `skip_to`)
        // close it: it stays one unbroken run from 1.
        if log.tail.is_empty() && log.last > log.head_n {
            log.head_cap = log.head_weight;
        }
        log
    }

    /// The seq of the newest entry (0: none yet).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// The seqs reserved in a durable store (see `LOG_RESERVE`).
    pub fn reserved(&self) -> u64 {
        self.reserved
    }

    /// Entry `n` was just numbered: true when the reservation had less
    /// than half of itself left and was renewed, so the store must write it
    /// now rather than with the next output save.
    pub fn reserve_ahead(&mut self, n: u64) -> bool {
        if n.saturating_add(LOG_RESERVE / 2) <= self.reserved {
            return false;
        }
        self.reserved = n.saturating_add(LOG_RESERVE);
        true
    }

    /// The last write before a clean stop: the reservation shrinks to the
    /// entries there are, so a reload numbers on with no hole. True if it
    /// changed (the record must be written).
    pub fn release(&mut self) -> bool {
        if self.reserved <= self.last {
            return false;
        }
        self.reserved = self.last;
        true
    }

    /// A log loaded from a store that had reserved seqs up to `reserved`:
    /// its next entry is numbered past them, since a reader may have seen
    /// entries the store never got. The seqs skipped count as dropped, and
    /// new entries go to the kept end (the beginning stays one unbroken
    /// run from 1), where a reader past what survived gets a gap.
    pub fn skip_to(&mut self, reserved: u64) {
        self.reserved = self.reserved.max(reserved);
        if reserved > self.last {
            self.last = reserved;
            self.head_cap = self.head_weight;
        }
    }

    /// Entries kept at the beginning and at the end.
    pub fn kept(&self) -> (u64, u64) {
        (self.head_n, self.tail_len())
    }

    fn tail_len(&self) -> u64 {
        (self.tail.len() - self.skip) as u64
    }

    /// Entries dropped between the two.
    pub fn dropped(&self) -> u64 {
        self.last - self.head_n - self.tail_len()
    }

    /// Whether what is kept fits the cap (the newest entry aside).
    pub fn within(&self) -> bool {
        self.head_weight <= self.head_cap
            && (self.tail_weight <= self.tail_cap || self.tail.len() == 1)
    }
}

/// What a task writes, made on its first log entry beyond the ones every
/// task has (see `Engine::open_log`): its output's lengths and its log's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub output: Output,
    pub log: Log,
}

impl Stream {
    pub fn new(cap: usize) -> Self {
        Stream {
            output: Output::new(cap),
            log: Log::new(cap),
        }
    }
}
