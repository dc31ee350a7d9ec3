//! A forwarded call's life in a tab or process that does not own a shared
//! manager, decided here and carried out by the host (the messages, the
//! one timer, the promises). A call goes to the owner this side knows, and
//! again to each new owner that did not have it yet. Once an owner takes it
//! (its ack), it waits for the answer however long (a wait may be long) or
//! for the next owner. If no owner takes it within `timeout` of its last
//! send, it is refused `NO_OWNER`. A creation whose id was made on this side
//! and that went to a second owner may find the task the first one stored:
//! its `DUPLICATE_ID` is then answered with that task (`Settle::LookUp`),
//! so a handover never makes a task twice, nor refuses one that was made.
use crate::engine::maps::HashMap;
use crate::engine::prelude::*;
use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

/// How a call's answer is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// With the answer as it came.
    Answer,
    /// With the task of the id this side made, looked up by a new call.
    LookUp,
}

#[derive(Clone, Debug)]
struct Call {
    /// The owner it was sent to last.
    sent_to: Option<String>,
    /// Whether it went to more than one owner (or was run here after it
    /// had been sent): its change may have been made already.
    resent: bool,
    /// Whether this side made its task's id.
    made: bool,
    /// When it is refused unless an owner takes it; None once taken.
    due: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Forwarder {
    timeout: u64,
    owner: Option<String>,
    calls: HashMap<u64, Call>,
    /// (due, call) of the calls not taken yet, soonest first. An entry that
    /// no longer applies (its call settled, taken or sent again) is dropped
    /// when it reaches the front.
    dues: BinaryHeap<Reverse<(u64, u64)>>,
    next: u64,
}

impl Forwarder {
    pub fn new(timeout: u64) -> Self {
        Forwarder {
            timeout,
            owner: None,
            calls: HashMap::default(),
            dues: BinaryHeap::new(),
            next: 0,
        }
    }

    /// The owner known, if any.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// Calls not settled yet.
    pub fn pending(&self) -> usize {
        self.calls.len()
    }

    /// A new call at `now` (`made`: its task's id was made here). Returns
    /// its number and the owner to send it to now, if one is known.
    pub fn call(&mut self, now: u64, made: bool) -> (u64, Option<String>) {
        let id = self.next;
        self.next += 1;
        self.calls.insert(
            id,
            Call {
                sent_to: None,
                resent: false,
                made,
                due: None,
            },
        );
        self.set_due(id, Some(now + self.timeout));
        let to = self.send(id, now);
        (id, to)
    }

    /// The lookup that settles a creation answered `Settle::LookUp`: a new
    /// call, taken from the start. Its creation was taken, and made, by an
    /// owner, so it waits for an owner however long instead of being refused
    /// `NO_OWNER` for a task that exists.
    pub fn look_up(&mut self, now: u64) -> (u64, Option<String>) {
        let (id, to) = self.call(now, false);
        self.set_due(id, None);
        (id, to)
    }

    // Sets call `id`'s due time, in the call and in the queue.
    fn set_due(&mut self, id: u64, due: Option<u64>) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.due = due;
        if let Some(due) = due {
            self.dues.push(Reverse((due, id)));
        }
    }

    // Whether queue entry (due, id) still applies.
    fn live(&self, due: u64, id: u64) -> bool {
        self.calls.get(&id).is_some_and(|c| c.due == Some(due))
    }

    // The numbers of the calls that `keep`, in the order they were made.
    fn ids(&self, keep: impl Fn(&Call) -> bool) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .calls
            .iter()
            .filter(|(_, c)| keep(c))
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        ids
    }

    // Marks call `id` sent to the owner known (if any) at `now`. A call
    // not taken yet is due a timeout from now; a taken one stays taken.
    fn send(&mut self, id: u64, now: u64) -> Option<String> {
        let owner = self.owner.clone()?;
        let call = self.calls.get_mut(&id)?;
        call.resent |= call.sent_to.is_some();
        call.sent_to = Some(owner.clone());
        if call.due.is_some() {
            self.set_due(id, Some(now + self.timeout));
        }
        Some(owner)
    }

    /// Owner `owner` was heard of at `now`: the calls to send to it, which
    /// it does not have yet (in the order they were made).
    pub fn owner_is(&mut self, now: u64, owner: &str) -> Vec<u64> {
        self.owner = Some(owner.to_string());
        let again = self.ids(|c| c.sent_to.as_deref() != Some(owner));
        for &id in &again {
            self.send(id, now);
        }
        again
    }

    /// No owner is known any more (this side lost or left it).
    pub fn owner_gone(&mut self) {
        self.owner = None;
    }

    /// Owner `by` took call `id`: from now on it waits for the answer.
    pub fn acked(&mut self, id: u64, by: &str) {
        if self
            .calls
            .get(&id)
            .is_some_and(|c| c.sent_to.as_deref() == Some(by))
        {
            self.set_due(id, None);
        }
    }

    /// This side became the owner: every call not settled is run here now
    /// (the numbers, in order); their answers come back through `answered`.
    pub fn take_all(&mut self) -> Vec<u64> {
        for call in self.calls.values_mut() {
            call.resent |= call.sent_to.is_some();
            call.due = None;
        }
        self.dues.clear();
        self.ids(|_| true)
    }

    /// Call `id` was answered; `duplicate`: with `DUPLICATE_ID`. None if it
    /// was settled already (an answer from an owner it was re-sent away from).
    pub fn answered(&mut self, id: u64, duplicate: bool) -> Option<Settle> {
        let call = self.calls.remove(&id)?;
        Some(if duplicate && call.made && call.resent {
            Settle::LookUp
        } else {
            Settle::Answer
        })
    }

    /// The calls refused at `now`: no owner took them in time.
    pub fn due(&mut self, now: u64) -> Vec<u64> {
        let mut late = Vec::new();
        while let Some(&Reverse((due, id))) = self.dues.peek() {
            if due > now {
                break;
            }
            self.dues.pop();
            if self.live(due, id) {
                self.calls.remove(&id);
                late.push(id);
            }
        }
        late.sort_unstable();
        late
    }

    /// When the next call is refused unless taken first (the entries that
    /// no longer apply at the front are dropped here).
    pub fn next_due(&mut self) -> Option<u64> {
        while let Some(&Reverse((due, id))) = self.dues.peek() {
            if self.live(due, id) {
                return Some(due);
            }
            self.dues.pop();
        }
        None
    }

    /// Call `id` is given up here (its signal aborted); false if settled.
    pub fn abort(&mut self, id: u64) -> bool {
        self.calls.remove(&id).is_some()
    }

    /// This side leaves: every call not settled (they reject `DISPOSED`).
    pub fn clear(&mut self) -> Vec<u64> {
        self.owner = None;
        let all = self.ids(|_| true);
        self.calls.clear();
        self.dues.clear();
        all
    }
}
