//! A store in plain Rust: ids and text as Rust strings, payloads as any
//! clonable value. Native tests, the fuzzer and the property tests run the
//! engine on it; it is also the model of what every store must do.
use crate::engine::maps::HashMap;
use crate::engine::prelude::*;
use alloc::collections::BTreeMap;

use crate::engine::memstore::log_entries::{MemEntry, MemEntryKind, MemLog};
use crate::engine::{
    format_uuid, Ending, Host, LogCut, LogKind, NewTask, Outcome, Status, Store, Task, CUT_NOTICE,
};

/// What `MemStore` keeps of one task.
#[derive(Clone, Debug)]
struct Kept<P> {
    id: String,
    options: P,
    launch: Option<(String, String)>,
    ending: Option<Ending2<P>>,
    /// Output in UTF-16 code units: the kept beginning and the kept end.
    head: Vec<u16>,
    tail: Vec<u16>,
    dropped: u64,
    log: MemLog<P>,
    /// The runner's latest progress report.
    progress: Option<P>,
    /// The id of the task it was launched under (kept after that one goes).
    parent_id: Option<String>,
    /// When its latest `stalled` entry was logged, until a `resumed` one.
    stalled_since: Option<u64>,
    /// The question its runner asks, while it asks.
    question: Option<P>,
}

#[derive(Clone, Debug)]
enum Ending2<P> {
    Result(P),
    Error(String),
}

/// A task as `MemStore` shows it: the engine's numbers and the store's
/// values together.
#[derive(Clone, Debug, PartialEq)]
pub struct MemTask<P> {
    pub id: String,
    pub status: Status,
    pub created_at: u64,
    pub updated_at: u64,
    pub options: P,
    pub session_id: String,
    pub result: Option<P>,
    pub error: Option<String>,
    pub output: String,
    pub agent: Option<String>,
    pub prompt: Option<String>,
    pub progress: Option<P>,
    pub parent_id: Option<String>,
    pub stalled_since: Option<u64>,
    /// While `InputRequired`: what the runner asks.
    pub question: Option<P>,
}

/// The plain-Rust store. `random` is a small deterministic generator (native
/// runs need distinct ids, not secret ones) unless the store was made
/// `with_random` (the component, which asks the host's WASI random source).
pub struct MemStore<H: Host> {
    ids: HashMap<String, u64>,
    tasks: BTreeMap<u64, Kept<H::Payload>>,
    sessions: HashMap<u32, String>,
    state: u64,
    source: Option<fn(&mut [u8]) -> bool>,
}

impl<H: Host> Default for MemStore<H> {
    fn default() -> Self {
        MemStore::seeded(0x9e37_79b9_7f4a_7c15)
    }
}

impl<H: Host> MemStore<H> {
    pub fn seeded(seed: u64) -> Self {
        MemStore {
            ids: HashMap::default(),
            tasks: BTreeMap::new(),
            sessions: HashMap::default(),
            state: seed,
            source: None,
        }
    }

    /// A store whose `random` is `source`: it fills the bytes, or says
    /// there is no randomness to be had.
    pub fn with_random(source: fn(&mut [u8]) -> bool) -> Self {
        MemStore {
            source: Some(source),
            ..MemStore::default()
        }
    }

    /// Tasks kept (equal to the engine's live tasks when all is well).
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// The seq of every task kept, with its id (for the differential check).
    pub fn filed(&self) -> impl Iterator<Item = (u64, &str)> {
        self.tasks.iter().map(|(&seq, k)| (seq, k.id.as_str()))
    }

    /// Units of output kept at the beginning and end of task `seq`, and
    /// dropped between (for the differential check).
    pub fn output_lengths(&self, seq: u64) -> Option<(usize, usize, u64)> {
        self.tasks
            .get(&seq)
            .map(|k| (k.head.len(), k.tail.len(), k.dropped))
    }

    /// At most `limit` of task `seq`'s log entries after seq `after`
    /// (see `MemLog::read`); `None` for no such task. The engine's
    /// `open_log` must have made the task's log first.
    pub fn read_log(
        &self,
        seq: u64,
        after: u64,
        limit: usize,
    ) -> Option<Vec<MemEntry<H::Payload>>> {
        self.tasks.get(&seq).map(|k| k.log.read(after, limit))
    }

    pub fn session_text(&self, index: u32) -> Option<&str> {
        self.sessions.get(&index).map(String::as_str)
    }
}

/// UTF-16 code units in `text`: the length an output chunk is written with.
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `head`, the cut notice for `dropped` units and `tail`, from `cursor` on:
/// the rendering every store gives. Next to the notice a surrogate pair cut
/// in two loses its lone half.
pub fn render(head: &[u16], dropped: u64, tail: &[u16], cursor: u64) -> Vec<u16> {
    let head_end = head.len() as u64;
    let tail_start = head_end + dropped;
    let mut out = Vec::new();
    if cursor < head_end {
        let mut part = &head[cursor as usize..];
        if dropped > 0 && part.last().is_some_and(|&u| (0xd800..0xdc00).contains(&u)) {
            part = &part[..part.len() - 1];
        }
        out.extend_from_slice(part);
    }
    if dropped > 0 && cursor < tail_start {
        out.extend(CUT_NOTICE.0.encode_utf16());
        out.extend(dropped.to_string().encode_utf16());
        out.extend(CUT_NOTICE.1.encode_utf16());
    }
    let from = cursor.saturating_sub(tail_start).min(tail.len() as u64) as usize;
    let mut part = &tail[from..];
    if dropped > 0
        && cursor < tail_start
        && part.first().is_some_and(|&u| (0xdc00..0xe000).contains(&u))
    {
        part = &part[1..];
    }
    out.extend_from_slice(part);
    out
}

impl<H> Store<H> for MemStore<H>
where
    H: Host<Id = String, Text = String, Snapshot = Option<MemTask<<H as Host>::Payload>>>,
{
    fn find(&self, id: &String) -> Option<u64> {
        self.ids.get(id).copied()
    }

    fn random(&mut self, bytes: &mut [u8]) -> bool {
        if let Some(source) = self.source {
            return source(bytes);
        }
        // splitmix64: distinct, well spread, repeatable.
        for chunk in bytes.chunks_mut(8) {
            self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        true
    }

    fn uuid(&mut self, bytes: &[u8; 16]) -> String {
        format_uuid(bytes)
    }

    fn text(&mut self, message: &str) -> String {
        message.to_string()
    }

    fn describe(&self, id: &String) -> String {
        id.clone()
    }

    fn insert(
        &mut self,
        seq: u64,
        _oldest: u64,
        id: String,
        task: NewTask<H>,
    ) -> Result<(), (String, NewTask<H>)> {
        if self.ids.contains_key(&id) {
            return Err((id, task));
        }
        self.ids.insert(id.clone(), seq);
        self.tasks.insert(
            seq,
            Kept {
                id,
                options: task.options,
                launch: task.launch,
                ending: None,
                head: Vec::new(),
                tail: Vec::new(),
                dropped: 0,
                log: MemLog::default(),
                progress: None,
                parent_id: None,
                stalled_since: None,
                question: None,
            },
        );
        Ok(())
    }

    fn set_session(&mut self, index: u32, id: Option<String>) {
        match id {
            Some(id) => self.sessions.insert(index, id),
            None => self.sessions.remove(&index),
        };
    }

    fn finish(&mut self, seq: u64, ending: Ending<H>) -> String {
        let Some(k) = self.tasks.get_mut(&seq) else {
            return String::new();
        };
        k.ending = match ending {
            Ending::None => None,
            Ending::Result(r) => Some(Ending2::Result(r)),
            Ending::Error(e) => Some(Ending2::Error(e)),
        };
        k.id.clone()
    }

    fn log(
        &mut self,
        seq: u64,
        entry: u64,
        at: u64,
        kind: LogKind<'_, H::Payload, String>,
        cut: LogCut,
    ) {
        let Some(k) = self.tasks.get_mut(&seq) else {
            return;
        };
        let kind = match kind {
            LogKind::Status(status) => {
                let error = match (&k.ending, status) {
                    (Some(Ending2::Error(e)), Status::Error) => Some(e.clone()),
                    _ => None,
                };
                MemEntryKind::Status(status, error)
            }
            LogKind::Output(text, cursor, cut) => {
                let units: Vec<u16> = text.encode_utf16().collect();
                let head = cut.head.min(units.len());
                k.head.extend_from_slice(&units[..head]);
                k.tail.extend_from_slice(&units[head..]);
                k.tail.drain(..cut.drop.min(k.tail.len()));
                k.dropped += cut.drop as u64;
                MemEntryKind::Output(text.clone(), cursor)
            }
            LogKind::Progress(p) => {
                k.progress = Some(p.clone());
                MemEntryKind::Progress(p.clone())
            }
            LogKind::Heartbeat => MemEntryKind::Heartbeat,
            LogKind::Stalled(on) => {
                k.stalled_since = on.then_some(at);
                MemEntryKind::Stalled(on)
            }
            LogKind::Retry { attempt, error, at } => {
                k.stalled_since = None;
                MemEntryKind::Retry(attempt, error.clone(), at)
            }
            LogKind::Asked(question) => MemEntryKind::Asked(question.clone()),
        };
        k.log.keep(
            MemEntry {
                seq: entry,
                at,
                kind,
            },
            cut,
        );
    }

    fn restore_output(&mut self, seq: u64, head: String, tail: String, dropped: u64) {
        if let Some(k) = self.tasks.get_mut(&seq) {
            k.head = head.encode_utf16().collect();
            k.tail = tail.encode_utf16().collect();
            k.dropped = dropped;
        }
    }

    fn set_agent(&mut self, seq: u64, agent: String) {
        if let Some((name, _)) = self.tasks.get_mut(&seq).and_then(|k| k.launch.as_mut()) {
            *name = agent;
        }
    }

    fn set_question(&mut self, seq: u64, question: Option<&H::Payload>) {
        if let Some(k) = self.tasks.get_mut(&seq) {
            k.question = question.cloned();
        }
    }

    fn adopt(&mut self, parent: u64, child: u64) {
        let id = self.tasks.get(&parent).map(|k| k.id.clone());
        if let Some(k) = self.tasks.get_mut(&child) {
            k.parent_id = id;
        }
    }

    fn remove(&mut self, seq: u64) {
        if let Some(k) = self.tasks.remove(&seq) {
            self.ids.remove(&k.id);
        }
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.tasks.clear();
        self.sessions.clear();
    }

    fn id(&self, seq: u64) -> Option<String> {
        self.tasks.get(&seq).map(|k| k.id.clone())
    }

    fn options(&self, seq: u64) -> Option<H::Payload> {
        self.tasks.get(&seq).map(|k| k.options.clone())
    }

    fn ending(&self, seq: u64, _outcome: Outcome) -> Ending<H> {
        match self.tasks.get(&seq).and_then(|k| k.ending.clone()) {
            Some(Ending2::Result(r)) => Ending::Result(r),
            Some(Ending2::Error(e)) => Ending::Error(e),
            None => Ending::None,
        }
    }

    fn output(&self, seq: u64, cursor: u64) -> String {
        self.tasks.get(&seq).map_or_else(String::new, |k| {
            String::from_utf16_lossy(&render(&k.head, k.dropped, &k.tail, cursor))
        })
    }

    fn snapshot(&self, seq: u64, task: &Task) -> Option<MemTask<H::Payload>> {
        let k = self.tasks.get(&seq)?;
        let ending = k.ending.clone();
        Some(MemTask {
            id: k.id.clone(),
            status: task.status,
            created_at: task.created_at,
            updated_at: task.updated_at,
            options: k.options.clone(),
            session_id: self
                .sessions
                .get(&task.session)
                .cloned()
                .unwrap_or_default(),
            result: match &ending {
                Some(Ending2::Result(r)) => Some(r.clone()),
                _ => None,
            },
            error: match ending {
                Some(Ending2::Error(e)) => Some(e),
                _ => None,
            },
            output: String::from_utf16_lossy(&render(&k.head, k.dropped, &k.tail, 0)),
            agent: k.launch.as_ref().map(|l| l.0.clone()),
            prompt: k.launch.as_ref().map(|l| l.1.clone()),
            progress: k.progress.clone(),
            parent_id: k.parent_id.clone(),
            stalled_since: k.stalled_since.filter(|_| task.status == Status::Running),
            question: k.question.clone(),
        })
    }
}
