use crate::engine::maps::HashMap;
use crate::engine::prelude::*;

/// What a waiter is answered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// `getOutput`'s result: the output after `since` (all without).
    /// With `tree`, once the task and all its descendants are final
    /// (`getOutput({ wait, children: true })`).
    Output { since: Option<u64>, tree: bool },
    /// The task itself (`cancelTask` waiting out a grace period).
    Task,
}

/// A pending `getOutput({ wait: true })` or a grace-period `cancelTask`.
pub struct Waiter<W> {
    pub handle: W,
    pub id: u64,
    pub want: Want,
    /// When its timeout ends, if it has one.
    pub deadline: Option<u64>,
}

/// Each running task's waiters, in the order they started waiting. Ids only
/// grow, so a task's list is sorted by id and a timed-out waiter is found by
/// binary search; it leaves a hole that goes when the task wakes the rest.
/// One task's waiters by id; `None` where one timed out.
type TaskWaiters<W> = Vec<(u64, Option<Waiter<W>>)>;

pub struct Waiters<W> {
    by_task: HashMap<u64, TaskWaiters<W>>,
    next_id: u64,
    live: usize,
}

impl<W> Default for Waiters<W> {
    fn default() -> Self {
        Waiters {
            by_task: HashMap::default(),
            next_id: 0,
            live: 0,
        }
    }
}

impl<W> Waiters<W> {
    pub fn add(&mut self, seq: u64, handle: W, want: Want, deadline: Option<u64>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.live += 1;
        let waiter = Waiter {
            handle,
            id,
            want,
            deadline,
        };
        self.by_task
            .entry(seq)
            .or_default()
            .push((id, Some(waiter)));
        id
    }

    fn find(&self, seq: u64, id: u64) -> Option<&Waiter<W>> {
        let list = self.by_task.get(&seq)?;
        let i = list.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        list[i].1.as_ref()
    }

    /// When waiter `id` of task `seq` times out, if it still waits and has a timeout.
    pub fn deadline_of(&self, seq: u64, id: u64) -> Option<u64> {
        self.find(seq, id).and_then(|w| w.deadline)
    }

    /// The waiter whose timeout ends at `at`, if it still waits.
    pub fn timed_out(&mut self, seq: u64, id: u64, at: u64) -> Option<Waiter<W>> {
        if self.deadline_of(seq, id) != Some(at) {
            return None;
        }
        let list = self.by_task.get_mut(&seq)?;
        let i = list.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        self.live -= 1;
        list[i].1.take()
    }

    /// Removes the waiter of task `seq` that `which` picks (one whose
    /// caller gave up on it: an aborted signal); false if none waits.
    pub fn remove_where(&mut self, seq: u64, which: impl Fn(&W) -> bool) -> bool {
        let Some(list) = self.by_task.get_mut(&seq) else {
            return false;
        };
        for slot in list.iter_mut() {
            if slot.1.as_ref().is_some_and(|w| which(&w.handle)) {
                // It leaves a hole, as a timed-out waiter does, which goes
                // when the task wakes the rest.
                slot.1 = None;
                self.live -= 1;
                return true;
            }
        }
        false
    }

    /// Removes and returns the waiters of one task that `which` picks,
    /// oldest first; the rest stay.
    pub fn take_where(&mut self, seq: u64, which: &dyn Fn(&Waiter<W>) -> bool) -> Vec<Waiter<W>> {
        let Some(list) = self.by_task.get_mut(&seq) else {
            return Vec::new();
        };
        let mut woken = Vec::new();
        for slot in list.iter_mut() {
            if slot.1.as_ref().is_some_and(which) {
                woken.extend(slot.1.take());
            }
        }
        if list.iter().all(|(_, w)| w.is_none()) {
            self.by_task.remove(&seq);
        }
        self.live -= woken.len();
        woken
    }

    /// Every waiting (task seq, waiter).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Waiter<W>)> {
        self.by_task.iter().flat_map(|(&seq, list)| {
            list.iter()
                .filter_map(move |(_, w)| w.as_ref().map(|w| (seq, w)))
        })
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.by_task.is_empty()
    }
}
