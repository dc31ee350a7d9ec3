//! `MemStore`'s log: the entries themselves, kept as the engine's cuts say,
//! and the one way to read them (`read`), which every store's reader
//! follows: entries after a seq, one `Gap` where the reader's place was
//! cut away.
use crate::engine::prelude::*;
use alloc::collections::VecDeque;

use crate::engine::{LogCut, Status};

/// One log entry as `MemStore` keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemEntry<P> {
    pub seq: u64,
    pub at: u64,
    pub kind: MemEntryKind<P>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MemEntryKind<P> {
    /// With the message when it is `error`.
    Status(Status, Option<String>),
    /// A chunk and the output's cursor after it.
    Output(String, u64),
    Progress(P),
    Heartbeat,
    /// The task stalled (`true`) or resumed.
    Stalled(bool),
    /// Attempt `.0` failed with `.1`; the next may start at `.2`.
    Retry(u32, String, u64),
    /// The runner asked this; the status became `InputRequired`.
    Asked(P),
    /// Only in what `read` returns: `dropped` entries were cut here; the
    /// gap's `seq` is the last of them, so reading on after it continues.
    Gap(u64),
}

/// A task's kept entries: the beginning, and the end.
#[derive(Clone, Debug)]
pub struct MemLog<P> {
    head: Vec<MemEntry<P>>,
    tail: VecDeque<MemEntry<P>>,
}

impl<P> Default for MemLog<P> {
    fn default() -> Self {
        MemLog {
            head: Vec::new(),
            tail: VecDeque::new(),
        }
    }
}

impl<P: Clone> MemLog<P> {
    pub fn keep(&mut self, entry: MemEntry<P>, cut: LogCut) {
        if cut.head {
            self.head.push(entry);
        } else {
            self.tail.push_back(entry);
            self.tail.drain(..cut.drop.min(self.tail.len()));
        }
    }

    /// The seq of the newest entry kept.
    pub fn last(&self) -> u64 {
        self.tail.back().or(self.head.last()).map_or(0, |e| e.seq)
    }

    /// At most `limit` entries after seq `after`: what is kept from
    /// `after + 1` on, led by one `Gap` when that entry was cut (a reader
    /// starting at 0 has no place to lose, and starts at what is kept).
    pub fn read(&self, after: u64, limit: usize) -> Vec<MemEntry<P>> {
        let mut out = Vec::new();
        let mut from = after + 1;
        let head_end = self.head.len() as u64;
        if from <= head_end {
            let start = (from - 1) as usize;
            out.extend(self.head[start..].iter().take(limit).cloned());
            from = head_end + 1;
        }
        let Some(first) = self.tail.front().map(|e| e.seq) else {
            return out;
        };
        if from < first && out.len() < limit {
            if after > 0 || !out.is_empty() || head_end > 0 {
                out.push(MemEntry {
                    seq: first - 1,
                    at: self.tail[0].at,
                    kind: MemEntryKind::Gap(first - from),
                });
            }
            from = first;
        }
        let skip = from.saturating_sub(first) as usize;
        let room = limit.saturating_sub(out.len());
        out.extend(self.tail.iter().skip(skip).take(room).cloned());
        out
    }
}
