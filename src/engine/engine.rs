//! The engine: the state of each concern side by side, and the small
//! pieces every operation shares (events, status moves, reads). The
//! operations are in the concern folders beside this file (README.md
//! there lists them); `check.rs` holds the invariants, for tests.
use crate::engine::prelude::*;
use alloc::collections::VecDeque;

use crate::engine::tasks::ids::IdGen;
use crate::engine::tasks::table::Table;
use crate::engine::{Config, Effect, EngineError, Event, Host, Status, Store, TaskRef};

/// The whole task manager as a state machine: no JS, no timers, no I/O.
/// Every operation takes the wall-clock time from the caller, first runs
/// the deadlines that are due at that time, records host values in the
/// store, and queues the effects the host must carry out once it has
/// released its borrow.
pub struct Engine<H: Host> {
    pub(in crate::engine) config: Config,
    pub(in crate::engine) time: crate::engine::time::Time,
    /// The agent session, its polling and the session ids tasks hold
    /// (`session/`).
    pub(in crate::engine) session: crate::engine::session::Sessions<H::Session>,
    pub(in crate::engine) table: Table,
    pub(in crate::engine) store: H::Store,
    pub(in crate::engine) waiters: crate::engine::time::waiters::Waiters<H::Waiter>,
    pub(in crate::engine) outbox: VecDeque<Effect<H>>,
    pub(in crate::engine) ids: IdGen,
    /// Lanes, slots, the pause and idempotency keys (`queue/`).
    pub(in crate::engine) queue: crate::engine::queue::Queue,
    /// Whether anyone listens: events are only queued then.
    pub(in crate::engine) events: bool,
    /// The durable build's journal, inbox and load (`durable/`), reached
    /// by the operations only through the hooks of `seam.rs`.
    #[cfg(feature = "durable")]
    pub(in crate::engine) durable: crate::engine::durable::Durable<H>,
}

impl<H: Host> Engine<H> {
    pub fn new(config: Config, store: H::Store) -> Self {
        Engine {
            time: Default::default(),
            session: Default::default(),
            table: Table::default(),
            store,
            waiters: Default::default(),
            outbox: VecDeque::new(),
            ids: IdGen::default(),
            queue: crate::engine::queue::Queue::new(&config.key_limits),
            events: false,
            #[cfg(feature = "durable")]
            durable: crate::engine::durable::Durable::new(&config),
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The host's values, for reading; only the engine writes them.
    pub fn store(&self) -> &H::Store {
        &self.store
    }

    /// Turns event effects on or off (on while the host has listeners).
    pub fn set_events(&mut self, on: bool) {
        self.events = on;
    }

    /// Whether event effects are on.
    pub fn events(&self) -> bool {
        self.events
    }

    /// The next effect to carry out, in the order they arose.
    pub fn pop_effect(&mut self) -> Option<Effect<H>> {
        self.outbox.pop_front()
    }

    /// Queues an event about task `seq`, if anyone listens; `make` gets the
    /// task's id.
    pub(in crate::engine) fn event(&mut self, seq: u64, make: impl FnOnce(H::Id) -> Event<H>) {
        if self.events {
            if let Some(id) = self.store.id(seq) {
                self.outbox.push_back(Effect::Event {
                    seq,
                    event: make(id),
                });
            }
        }
    }

    /// The one way a task that stays live changes status: moves it to
    /// `status` (its `updatedAt` to `now`) and returns the status it had,
    /// for `announce`. A question ended without an answer leaves the task
    /// `input-required` until its next status, so the status it had is read
    /// here, never assumed by the caller. Final statuses go through
    /// `finish`, which reads it the same way.
    pub(in crate::engine) fn move_status(
        &mut self,
        seq: u64,
        status: Status,
        now: u64,
    ) -> Option<Status> {
        let previous = self.table.get(seq)?.status;
        let task = self.table.set_status(seq, status)?;
        task.updated_at = task.updated_at.max(now);
        Some(previous)
    }

    /// Tells the listeners that task `seq` moved from `previous` (as
    /// `move_status` returned it) to `status`: every status event's
    /// `previous` is what the event before it announced.
    pub(in crate::engine) fn announce(&mut self, seq: u64, status: Status, previous: Status) {
        self.event(seq, |id| Event::Status {
            id,
            status,
            previous,
        });
    }

    /// The session id that `index` stands for.
    pub fn session_name(&self, index: u32) -> Option<&str> {
        self.session.name(index)
    }

    /// The agent of a launched task.
    pub fn agent_name(&self, task: &crate::engine::Task) -> Option<&str> {
        self.queue.agent_name(task.agent)
    }

    /// The concurrency key of a launched task.
    pub fn key_name(&self, task: &crate::engine::Task) -> Option<&str> {
        self.queue.key_name(task.agent)
    }

    /// The priority of a launched task (0 for others).
    pub fn priority(&self, task: &crate::engine::Task) -> i32 {
        self.queue.priority(task.agent)
    }

    /// Whether the queue is paused.
    pub fn is_paused(&self) -> bool {
        self.queue.is_paused()
    }

    // ---- reads ---------------------------------------------------------

    /// The task filed under `id`, as the state is now (no clock moved).
    pub fn get(&self, id: &H::Id) -> Option<TaskRef<'_>> {
        self.store.find(id).and_then(|seq| self.table.get(seq))
    }

    /// A task by its creation number.
    pub fn task(&self, seq: u64) -> Option<TaskRef<'_>> {
        self.table.get(seq)
    }

    /// Every task, in creation order.
    pub fn all(&self) -> impl Iterator<Item = TaskRef<'_>> {
        self.table.iter()
    }

    /// The tasks in `status`, in creation order.
    pub fn in_status(&self, status: Status) -> impl Iterator<Item = TaskRef<'_>> {
        self.table.iter_status(status)
    }

    /// Every task, or those in `status`, in creation order.
    pub fn list(&self, status: Option<Status>) -> Box<dyn Iterator<Item = TaskRef<'_>> + '_> {
        match status {
            None => Box::new(self.table.iter()),
            Some(st) => Box::new(self.table.iter_status(st)),
        }
    }

    pub fn count(&self, status: Status) -> usize {
        self.table.count(status)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    pub fn waiting(&self) -> usize {
        self.waiters.len()
    }

    /// Slots the task slab holds, empty or not.
    pub fn slab_span(&self) -> usize {
        self.table.span()
    }

    pub fn queued_deadlines(&self) -> usize {
        self.time.queued()
    }

    /// Launched tasks holding a slot.
    pub fn active(&self) -> usize {
        self.queue.active()
    }

    /// Session ids and agent names held (bounded by the live tasks).
    pub fn names_held(&self) -> (usize, usize) {
        (self.session.names_held(), self.queue.agents_held())
    }

    // ---- shared by the operations ---------------------------------------

    /// A task by seq, for a seq just looked up or inserted; the error arm is
    /// there so that a broken invariant is an error, never a panic.
    pub(in crate::engine) fn task_at(&self, seq: u64) -> Result<TaskRef<'_>, EngineError> {
        self.table
            .get(seq)
            .ok_or_else(|| EngineError::internal(format!("Task #{seq} vanished")))
    }

    /// The id of task `seq` as text, for messages.
    pub(in crate::engine) fn describe(&self, seq: u64) -> String {
        self.store
            .id(seq)
            .map_or_else(|| format!("#{seq}"), |id| self.store.describe(&id))
    }

    /// Moves the clock to `wall`; task `seq`, whose id is `id`, must still
    /// be in the table (`TASK_NOT_FOUND`: deadlines run first may have
    /// evicted it) and not be final (`INVALID_TRANSITION`, naming `verb`).
    /// Returns the time.
    pub(in crate::engine) fn live_at(
        &mut self,
        seq: u64,
        id: &H::Id,
        verb: &str,
        wall: u64,
    ) -> Result<u64, EngineError> {
        let now = self.advance(wall);
        let Some(task) = self.table.get(seq) else {
            return Err(EngineError::not_found(&self.store.describe(id)));
        };
        if task.status.is_final() {
            let status = task.status;
            return Err(EngineError::invalid_transition(
                verb,
                &self.store.describe(id),
                status,
            ));
        }
        Ok(now)
    }

    /// The seq of task `id`, or `TASK_NOT_FOUND`.
    pub fn seq_of(&self, id: &H::Id) -> Result<u64, EngineError> {
        self.store
            .find(id)
            .filter(|&seq| self.table.get(seq).is_some())
            .ok_or_else(|| EngineError::not_found(&self.store.describe(id)))
    }
}
