//! A task's output as lengths: the engine decides what is kept and where the
//! cursors are; the host keeps the text (see `Store::write`). Lengths count
//! UTF-16 code units, what a JS string's `length` counts, so a cursor is an
//! index into everything written.

/// The notice shown where output was cut: `CUT_NOTICE.0`, the number of
/// units dropped, `CUT_NOTICE.1`. Every store renders it this way.
pub const CUT_NOTICE: (&str, &str) = ("\n[... ", " characters of output cut ...]\n");

/// How one write is kept: the first `head` units of the chunk go to the
/// kept beginning, the rest to the kept end, and then `drop` units leave the
/// front of the kept end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Cut {
    pub head: usize,
    pub drop: usize,
}

/// A task's output, bounded by `cap` units: the first half of the cap is
/// kept as written first, the second half holds the most recent units, and
/// what falls between is dropped (the host shows a notice in its place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    head: usize,
    head_cap: usize,
    tail: usize,
    tail_cap: usize,
    dropped: u64,
    written: u64,
}

impl Output {
    pub fn new(cap: usize) -> Self {
        Output {
            head: 0,
            head_cap: cap / 2,
            tail: 0,
            tail_cap: cap - cap / 2,
            dropped: 0,
            written: 0,
        }
    }

    /// Output loaded from a store: `head` and `tail` units kept, `dropped`
    /// between (clamped to this cap).
    pub fn restored(cap: usize, head: usize, tail: usize, dropped: u64) -> Self {
        let mut o = Output::new(cap);
        o.head = head.min(o.head_cap);
        o.tail = tail.min(o.tail_cap);
        o.dropped = dropped;
        o.written = (o.head + o.tail) as u64 + dropped;
        o
    }

    /// Everything ever written: the cursor after the last write.
    pub fn cursor(&self) -> u64 {
        self.written
    }

    /// Units dropped between the kept beginning and the kept end.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Units kept at the beginning and at the end; never more than the cap
    /// together.
    pub fn kept(&self) -> (usize, usize) {
        (self.head, self.tail)
    }

    /// Records a write of `len` units and says how to keep it.
    pub fn push(&mut self, len: usize) -> Cut {
        self.written += len as u64;
        let head = len.min(self.head_cap - self.head);
        self.head += head;
        self.tail += len - head;
        let drop = self.tail.saturating_sub(self.tail_cap);
        self.tail -= drop;
        self.dropped += drop as u64;
        Cut { head, drop }
    }
}
