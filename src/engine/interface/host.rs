//! What the engine needs from the host it runs in. The engine decides;
//! the host keeps every value the engine passes on but never reads (ids,
//! options, results, messages, output text) in its `Store`, and carries out
//! the effects the engine queues.
use crate::engine::prelude::*;

use crate::engine::{LogCut, LogKind, Outcome, Task};

/// The types a host plugs into the engine: JS values in the wasm-bindgen
/// skin, plain Rust values in native tests and the component.
pub trait Host: Sized + 'static {
    /// A task's id as the host holds it (a JS string in the binding).
    type Id: Clone;
    /// `options` and `result`, kept as given and never inspected.
    type Payload: Clone;
    /// Text the engine passes on: prompts, agent names, error messages,
    /// session ids, output chunks.
    type Text: Clone;
    /// Whatever settles one pending wait.
    type Waiter;
    /// The agent session notifications go to.
    type Session: Clone;
    /// A task as the host shows it, made by the store.
    type Snapshot;
    /// Where the host keeps a task's values, by the task's seq.
    type Store: Store<Self>;
}

/// How a task ended, as far as the store keeps it.
pub enum Ending<H: Host> {
    /// Still live, or finished with nothing to keep (cancelled; completed by
    /// its session).
    None,
    /// Completed with this result (even an undefined one).
    Result(H::Payload),
    /// Failed with this message.
    Error(H::Text),
}

impl<H: Host> Clone for Ending<H> {
    fn clone(&self) -> Self {
        match self {
            Ending::None => Ending::None,
            Ending::Result(r) => Ending::Result(r.clone()),
            Ending::Error(e) => Ending::Error(e.clone()),
        }
    }
}

/// What a new task keeps besides its id and options.
pub struct NewTask<H: Host> {
    pub options: H::Payload,
    /// The agent's name and the prompt of a launched task.
    pub launch: Option<(H::Text, H::Text)>,
    /// A launched task to queue again, not interrupt, when a durable
    /// store is loaded after its page or process ended (`launch({ resume })`).
    pub resume: bool,
}

/// The host's side of the task table. The engine is its only writer: every
/// call below is made by the engine, in the same operation as the change it
/// records, so the store always agrees with the engine when host code runs.
/// A store never calls user code.
pub trait Store<H: Host> {
    /// The seq of the live task filed under `id`.
    fn find(&self, id: &H::Id) -> Option<u64>;
    /// Fills `bytes` from a secure random source; false if there is none.
    fn random(&mut self, bytes: &mut [u8]) -> bool;
    /// A generated UUID as an id (its canonical lowercase text).
    fn uuid(&mut self, bytes: &[u8; 16]) -> H::Id;
    /// A message the engine wrote, as host text.
    fn text(&mut self, message: &str) -> H::Text;
    /// The id as Rust text, for error messages.
    fn describe(&self, id: &H::Id) -> String;
    /// Files a new task under `id` and keeps its values; `oldest` is the seq
    /// of the oldest task still in the table (a store kept by seq needs to
    /// span only `oldest..=seq`). When `id` is taken already nothing
    /// changes and the id and values come back: that is how the engine
    /// learns that a caller's id is a duplicate, in the same lookup that
    /// files it.
    #[allow(clippy::type_complexity)]
    fn insert(
        &mut self,
        seq: u64,
        oldest: u64,
        id: H::Id,
        task: NewTask<H>,
    ) -> Result<(), (H::Id, NewTask<H>)>;
    /// Session `index` now stands for `id` (`None`: the index is free).
    fn set_session(&mut self, index: u32, id: Option<H::Text>);
    /// Task `seq` is final; keeps what it ended with. Returns the task's id
    /// (for the notification), which a store keeps anyway.
    fn finish(&mut self, seq: u64, ending: Ending<H>) -> H::Id;
    /// Keeps entry `entry` of task `seq`'s log, logged at `at`, as `cut`
    /// says: at the kept beginning or the kept end, then `cut.drop`
    /// entries dropped from the front of the kept end. An output entry
    /// first appends its chunk to the task's output as its `Cut` says: the
    /// first `head` units to the kept beginning, the rest to the kept end,
    /// then `drop` units dropped from the front of the kept end. A final status
    /// entry comes after `finish`, so the store has what the task ended
    /// with.
    fn log(
        &mut self,
        seq: u64,
        entry: u64,
        at: u64,
        kind: LogKind<'_, H::Payload, H::Text>,
        cut: LogCut,
    );
    /// Task `seq`, just inserted, had this output when it was stored: `head`
    /// and `tail` text kept, `dropped` units cut between.
    fn restore_output(&mut self, seq: u64, head: H::Text, tail: H::Text, dropped: u64);
    /// Task `seq`, just inserted, had this log when it was stored (the
    /// entries as the store itself kept them; see `StoredLog`).
    fn restore_log(&mut self, _seq: u64, _entries: H::Payload) {}
    /// Task `seq` now runs for the `attempt`-th time (a restart queued it
    /// again); a store that shows it keeps it.
    fn set_attempt(&mut self, _seq: u64, _attempt: u32) {}
    /// Task `seq`'s runner asks `question` (`None`: the ask ended); a
    /// store that shows it keeps it.
    fn set_question(&mut self, _seq: u64, _question: Option<&H::Payload>) {}
    /// Task `seq` runs its next attempt with agent `agent` (`fallback`).
    fn set_agent(&mut self, _seq: u64, _agent: H::Text) {}
    /// Task `child`, just launched, is a child of task `parent`; a store
    /// that shows families keeps it (and forgets the child when it goes).
    fn adopt(&mut self, _parent: u64, _child: u64) {}
    /// Task `seq` left the table.
    fn remove(&mut self, seq: u64);
    /// Every task left the table.
    fn clear(&mut self);
    fn id(&self, seq: u64) -> Option<H::Id>;
    fn options(&self, seq: u64) -> Option<H::Payload>;
    /// What task `seq` ended with; `outcome` is what the engine knows of it.
    fn ending(&self, seq: u64, outcome: Outcome) -> Ending<H>;
    /// Task `seq`'s output written after `cursor`, with the cut notice in
    /// place of text lost to a cut.
    fn output(&self, seq: u64, cursor: u64) -> H::Text;
    /// Task `seq` as the host shows it, `task` being its state now.
    fn snapshot(&self, seq: u64, task: &Task) -> H::Snapshot;
}
