//! See README.md beside this file.
pub(in crate::engine) mod asks;
pub(in crate::engine) mod idempotency;
pub(in crate::engine) mod lanes;
pub(in crate::engine) mod queueing;
pub(in crate::engine) mod retries;
pub(in crate::engine) mod runs;
pub(in crate::engine) mod stalls;

use crate::engine::prelude::*;
use crate::engine::tasks::names::Names;
use lanes::Lanes;

/// The queue's state: where launched tasks wait, the slots they hold, the
/// pause, and the idempotency keys. Other concerns reach it through the
/// methods below; the operations that change it are in this folder.
pub(in crate::engine) struct Queue {
    /// The lanes launched tasks wait in (by the task's `agent`, a lane's
    /// number plus one), with the agent names and concurrency keys they
    /// hold and the running counts of each.
    lanes: Lanes,
    /// Launched tasks holding a slot.
    active: usize,
    /// `pause()`: nothing queued starts until `resume()`.
    paused: bool,
    /// Idempotency keys held by tasks in the table, and the newest live
    /// task holding each (by the key's index).
    idempotency: Names,
    newest_by_key: Vec<Option<u64>>,
}

impl Queue {
    pub(in crate::engine) fn new(key_limits: &[(String, usize)]) -> Self {
        Queue {
            lanes: Lanes::new(key_limits),
            active: 0,
            paused: false,
            idempotency: Names::default(),
            newest_by_key: Vec::new(),
        }
    }

    /// The lane of a new launched task (agent `name` under `limit`, its
    /// concurrency key and priority), holding those names.
    pub(in crate::engine) fn enter(
        &mut self,
        name: &str,
        limit: Option<usize>,
        key: Option<&str>,
        priority: i32,
    ) -> u32 {
        self.lanes.acquire(name, limit, key, priority)
    }

    /// Queued task `seq` leaves lane `lane` without starting.
    pub(in crate::engine) fn leave(&mut self, lane: u32, seq: u64) {
        self.lanes.remove(lane, seq);
    }

    /// A task of lane `lane` left the table: the lane's names are released.
    pub(in crate::engine) fn forget(&mut self, lane: u32) {
        self.lanes.release(lane);
    }

    pub(in crate::engine) fn agent_name(&self, lane: u32) -> Option<&str> {
        self.lanes.agent_name(lane)
    }

    pub(in crate::engine) fn key_name(&self, lane: u32) -> Option<&str> {
        self.lanes.key_name(lane)
    }

    pub(in crate::engine) fn priority(&self, lane: u32) -> i32 {
        self.lanes.priority(lane)
    }

    pub(in crate::engine) fn is_paused(&self) -> bool {
        self.paused
    }

    /// Launched tasks holding a slot.
    pub(in crate::engine) fn active(&self) -> usize {
        self.active
    }

    /// Agent names held.
    pub(in crate::engine) fn agents_held(&self) -> usize {
        self.lanes.agents.len()
    }

    /// Tasks holding idempotency key `index`.
    pub(in crate::engine) fn key_refs(&self, index: u32) -> usize {
        self.idempotency.refs(index)
    }

    /// The newest live task holding each idempotency key, by key index.
    pub(in crate::engine) fn newest_by_key(&self) -> &[Option<u64>] {
        &self.newest_by_key
    }

    /// The lanes' invariants against `tasks` (see `Lanes::inconsistency`).
    pub(in crate::engine) fn inconsistency(
        &self,
        tasks: impl Iterator<Item = (u64, u32, bool, bool)>,
        config: &crate::engine::Config,
    ) -> Option<&'static str> {
        self.lanes.inconsistency(tasks, config)
    }

    /// Forgets every lane, slot and key (cleanup); a pause is lifted.
    pub(in crate::engine) fn clear(&mut self) {
        self.lanes.clear();
        self.active = 0;
        self.paused = false;
        self.idempotency.clear();
        self.newest_by_key.clear();
    }
}
