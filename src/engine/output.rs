use alloc::collections::VecDeque;
use alloc::{boxed::Box, string::String, vec::Vec};

/// Bytes kept for the notice that marks a cut.
const NOTICE_RESERVE: usize = 64;

/// A task's output, bounded: once more than `cap` bytes have been written it
/// keeps the first half and the most recent half and marks the cut between
/// them. Cursors are byte offsets into everything ever written, so readers
/// can follow a task without re-reading it, even across a cut.
#[derive(Clone, Debug)]
pub struct Output {
    head: String,
    head_cap: usize,
    /// The most recent bytes after the head; may start inside a character,
    /// which reads skip.
    tail: VecDeque<u8>,
    tail_cap: usize,
    /// Bytes dropped between head and tail.
    dropped: u64,
    written: u64,
}

impl Output {
    pub fn new(cap: usize) -> Self {
        let room = cap.saturating_sub(NOTICE_RESERVE).max(2);
        Output {
            head: String::new(),
            head_cap: room / 2,
            tail: VecDeque::new(),
            tail_cap: room - room / 2,
            dropped: 0,
            written: 0,
        }
    }

    /// Everything ever written, in bytes: the cursor after the last write.
    pub fn cursor(&self) -> u64 {
        self.written
    }

    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    pub fn is_cut(&self) -> bool {
        self.dropped > 0
    }

    /// Bytes held, the cut notice aside; never more than the cap.
    pub fn held(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    pub fn push(&mut self, chunk: &str) {
        self.written += chunk.len() as u64;
        let mut rest = chunk;
        if self.tail.is_empty() && self.dropped == 0 {
            let room = self.head_cap - self.head.len();
            let take = floor_char_boundary(rest, room.min(rest.len()));
            // `get` rather than indexing: no panic path (and none of the
            // formatting code a slicing panic drags into the wasm).
            self.head.push_str(rest.get(..take).unwrap_or_default());
            rest = rest.get(take..).unwrap_or_default();
            if !rest.is_empty() {
                // The head is full (up to a character): it never grows again.
                self.head_cap = self.head.len();
            }
        }
        let bytes = rest.as_bytes();
        if bytes.len() >= self.tail_cap {
            let keep = bytes.len() - self.tail_cap;
            self.dropped += (self.tail.len() + keep) as u64;
            self.tail.clear();
            self.tail.extend(bytes.iter().skip(keep));
            return;
        }
        let over = (self.tail.len() + bytes.len()).saturating_sub(self.tail_cap);
        // Popped one by one rather than `drain(..over)`, whose range check
        // is a panic path; each byte is popped once, so it stays linear.
        for _ in 0..over {
            self.tail.pop_front();
        }
        self.dropped += over as u64;
        self.tail.extend(bytes);
    }

    /// All the output: the whole of it, or head, cut notice and tail.
    pub fn text(&self) -> String {
        self.since(0)
    }

    /// What was written after `cursor`; text lost to a cut shows as the
    /// notice. A cursor inside a character starts at the next one.
    pub fn since(&self, cursor: u64) -> String {
        let head_end = self.head.len() as u64;
        let tail_start = head_end + self.dropped;
        let mut out = String::new();
        if cursor < head_end {
            let from = ceil_char_boundary(&self.head, cursor as usize);
            out.push_str(self.head.get(from..).unwrap_or_default());
        }
        if self.dropped > 0 && cursor < tail_start {
            out.push_str(&cut_notice(self.dropped));
        }
        let skip = cursor
            .saturating_sub(tail_start)
            .min(self.tail.len() as u64) as usize;
        if skip < self.tail.len() {
            let (front, back) = self.tail.as_slices();
            let mut bytes = Vec::with_capacity(self.tail.len() - skip);
            if skip < front.len() {
                bytes.extend_from_slice(&front[skip..]);
                bytes.extend_from_slice(back);
            } else {
                bytes.extend_from_slice(&back[skip - front.len()..]);
            }
            // Skip a partial character at the front (a cut or a cursor
            // inside one); the rest is whole characters, as written.
            let start = bytes
                .iter()
                .position(|&b| b & 0xc0 != 0x80)
                .unwrap_or(bytes.len());
            out.push_str(core::str::from_utf8(&bytes[start..]).unwrap_or_default());
        }
        out
    }
}

fn cut_notice(dropped: u64) -> String {
    let mut s = String::from("\n[... ");
    s.push_str(&super::text::decimal(dropped));
    s.push_str(" bytes of output cut ...]\n");
    s
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A task's output, allocated on the first write: most tasks never write
/// any, and an empty buffer inline would cost every task 56 bytes.
#[derive(Clone, Debug, Default)]
pub struct TaskOutput(Option<Box<Output>>);

impl TaskOutput {
    /// Appends `chunk`, making a buffer of `cap` bytes on the first write.
    pub fn push(&mut self, chunk: &str, cap: usize) {
        self.0
            .get_or_insert_with(|| Box::new(Output::new(cap)))
            .push(chunk);
    }

    pub fn cursor(&self) -> u64 {
        self.0.as_ref().map_or(0, |o| o.cursor())
    }

    pub fn is_empty(&self) -> bool {
        self.cursor() == 0
    }

    pub fn text(&self) -> String {
        self.since(0)
    }

    pub fn since(&self, cursor: u64) -> String {
        self.0.as_ref().map(|o| o.since(cursor)).unwrap_or_default()
    }
}
