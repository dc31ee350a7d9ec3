//! The inbox: notifications kept until the session's `sendMessage`
//! resolves, retried with backoff and jitter, in transition order per
//! session, maybe batched. On when the options ask for retries or a durable
//! store keeps the tasks (`Config::inbox`); otherwise each notification is
//! an `Effect::Notify`, sent once (SPEC §5).
//!
//! Per session one send is in flight: a later notification waits for the
//! earlier one, so the parent hears them in order. A notification that
//! fails `attempts` times is parked: kept and listed, no longer retried in
//! this run (so it cannot hold up the ones after it), and sent again after a
//! restart, since the store still has it.
use crate::engine::prelude::*;
use alloc::collections::VecDeque;

use crate::engine::interface::config::InboxConfig;
use crate::engine::time::deadlines::Deadline;
use crate::engine::{Effect, Engine, Host, Sent, Status, Store};

/// Where a notification is on its way to the parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeState {
    /// Waiting for the store to hold it, so that a send is never of a
    /// notification a crash could forget.
    Unsaved,
    /// May be sent.
    Ready,
    /// In a send, which counts as failed if it has not settled by `until`.
    Sending { send: u64, until: u64 },
    /// Failed; sent again at `until`.
    Waiting { until: u64 },
    /// Failed every attempt: kept, listed, sent again after a restart.
    Parked,
}

/// One notification, as the inbox keeps it.
pub struct Notice<H: Host> {
    /// Its place in the order of transitions.
    pub number: u64,
    /// Its `notificationId`: stable across retries and restarts.
    pub id: H::Id,
    pub task: H::Id,
    /// The interned id of the session it goes to.
    pub session: u32,
    pub status: Status,
    pub timestamp: u64,
    /// Sends that failed in this run.
    pub attempts: u32,
    pub state: NoticeState,
    /// When it became ready to send (for batching).
    ready_at: u64,
}

struct Queue<H: Host> {
    session: u32,
    /// The session object to send to: the one current when its first
    /// notification was made, or the latest `initialize` with its id. None
    /// for notifications loaded from a store until then.
    handle: Option<H::Session>,
    notices: VecDeque<Notice<H>>,
}

pub(in crate::engine) struct Inbox<H: Host> {
    queues: Vec<Queue<H>>,
    parked: Vec<Notice<H>>,
    next_number: u64,
    next_send: u64,
}

impl<H: Host> Default for Inbox<H> {
    fn default() -> Self {
        Inbox {
            queues: Vec::new(),
            parked: Vec::new(),
            next_number: 0,
            next_send: 0,
        }
    }
}

impl<H: Host> Inbox<H> {
    fn queue(&mut self, session: u32) -> usize {
        match self.queues.iter().position(|q| q.session == session) {
            Some(i) => i,
            None => {
                self.queues.push(Queue {
                    session,
                    handle: None,
                    notices: VecDeque::new(),
                });
                self.queues.len() - 1
            }
        }
    }

    pub fn len(&self) -> usize {
        self.parked.len() + self.queues.iter().map(|q| q.notices.len()).sum::<usize>()
    }

    /// Where notification `number` waits: its queue and place. A queue
    /// keeps its notifications in number order (they are pushed in it and
    /// leave from the front, or parked), so this is a binary search each.
    fn locate(&self, number: u64) -> Option<(usize, usize)> {
        self.queues.iter().enumerate().find_map(|(q, queue)| {
            queue
                .notices
                .binary_search_by_key(&number, |n| n.number)
                .ok()
                .map(|i| (q, i))
        })
    }

    pub fn find(&self, number: u64) -> Option<&Notice<H>> {
        match self.locate(number) {
            Some((q, i)) => self.queues[q].notices.get(i),
            None => self.parked.iter().find(|n| n.number == number),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Notice<H>> {
        self.queues
            .iter()
            .flat_map(|q| q.notices.iter())
            .chain(self.parked.iter())
    }
}

impl<H: Host> Engine<H> {
    fn inbox_config(&self) -> InboxConfig {
        self.config.durable.inbox.clone().unwrap_or_default()
    }

    /// Whether notifications go through the inbox.
    pub fn has_inbox(&self) -> bool {
        self.config.durable.inbox.is_some()
    }

    /// The notifications not delivered yet, in the order they were made.
    pub fn pending_notices(&self) -> Vec<&Notice<H>> {
        let all: Vec<&Notice<H>> = self.durable.inbox.iter().collect();
        let order = all.iter().enumerate().map(|(i, n)| (n.number, i)).collect();
        crate::engine::durable::sorted(order)
            .into_iter()
            .map(|(_, i)| all[i])
            .collect()
    }

    /// How many notifications are not delivered yet.
    pub fn pending_count(&self) -> usize {
        self.durable.inbox.len()
    }

    /// A notification by its number (for the host's store records).
    pub fn notice(&self, number: u64) -> Option<&Notice<H>> {
        self.durable.inbox.find(number)
    }

    /// A fresh notification id: a UUID from the host's randomness, or (with
    /// none to be had) one made from its number, unique in this run.
    fn notice_id(&mut self, number: u64) -> H::Id {
        let store = &mut self.store;
        let bytes = self.ids.next(|buf| store.random(buf)).unwrap_or_else(|| {
            let mut b = [0u8; 16];
            b[8..].copy_from_slice(&number.to_be_bytes());
            b[6] = 0x40;
            b[8] |= 0x80;
            b
        });
        self.store.uuid(&bytes)
    }

    /// Files the notification of a transition of task `task` to `status`
    /// at `timestamp`, for the current session.
    pub(in crate::engine) fn inbox_push(
        &mut self,
        task: H::Id,
        status: Status,
        timestamp: u64,
        now: u64,
    ) {
        let Some((session, handle)) = self.session.current().map(|s| (s.index, s.handle.clone()))
        else {
            return;
        };
        self.session.retain(session);
        let number = self.durable.inbox.next_number;
        self.durable.inbox.next_number += 1;
        let id = self.notice_id(number);
        let state = if self.config.durable.store {
            NoticeState::Unsaved
        } else {
            NoticeState::Ready
        };
        let q = self.durable.inbox.queue(session);
        let queue = &mut self.durable.inbox.queues[q];
        if queue.handle.is_none() {
            queue.handle = Some(handle);
        }
        queue.notices.push_back(Notice {
            number,
            id,
            task,
            session,
            status,
            timestamp,
            attempts: 0,
            state,
            ready_at: now,
        });
        self.journal_notice(number);
        self.pump(q, now);
    }

    /// A notification loaded from the store, for the session whose id is
    /// `session`: ready to send once that session is current.
    pub(in crate::engine) fn inbox_restore(
        &mut self,
        id: H::Id,
        task: H::Id,
        session: (&str, H::Text),
        status: Status,
        timestamp: u64,
        now: u64,
    ) {
        let (index, new) = self.session.acquire(session.0);
        if new {
            self.store.set_session(index, Some(session.1));
        }
        let number = self.durable.inbox.next_number;
        self.durable.inbox.next_number += 1;
        let q = self.durable.inbox.queue(index);
        if let Some(current) = self.session.current().filter(|s| s.index == index) {
            self.durable.inbox.queues[q].handle = Some(current.handle.clone());
        }
        self.durable.inbox.queues[q].notices.push_back(Notice {
            number,
            id,
            task,
            session: index,
            status,
            timestamp,
            attempts: 0,
            state: NoticeState::Ready,
            ready_at: now,
        });
    }

    /// The store holds these notifications: they may be sent.
    pub(in crate::engine) fn notices_stored(&mut self, numbers: &[u64], now: u64) {
        if numbers.is_empty() {
            return;
        }
        let mut touched = Vec::new();
        for &number in numbers {
            let Some((q, i)) = self.durable.inbox.locate(number) else {
                continue;
            };
            if let Some(n) = self.durable.inbox.queues[q].notices.get_mut(i) {
                if n.state == NoticeState::Unsaved {
                    n.state = NoticeState::Ready;
                    n.ready_at = n.ready_at.max(now);
                    if !touched.contains(&q) {
                        touched.push(q);
                    }
                }
            }
        }
        for q in touched {
            self.pump(q, now);
        }
    }

    /// Sends what queue `q` may send now, in order.
    fn pump(&mut self, q: usize, now: u64) {
        let config = self.inbox_config();
        loop {
            let queue = &mut self.durable.inbox.queues[q];
            let Some(front) = queue.notices.front_mut() else {
                return;
            };
            match front.state {
                NoticeState::Unsaved => return,
                NoticeState::Sending { send, until } => {
                    if until > now {
                        return;
                    }
                    // Never settled: it failed.
                    self.send_failed(q, send, until, &config);
                    continue;
                }
                NoticeState::Waiting { until } => {
                    if until > now {
                        return;
                    }
                    front.state = NoticeState::Ready;
                }
                NoticeState::Ready | NoticeState::Parked => {}
            }
            let Some(handle) = queue.handle.clone() else {
                return;
            };
            // The notifications this send carries: the front one, or with
            // batching every ready one up to the first that is not.
            let mut take = 1;
            if let Some(batch) = config.batch {
                let mut first = u64::MAX;
                let mut last = 0;
                take = 0;
                for n in queue.notices.iter() {
                    if n.state != NoticeState::Ready || take == MAX_BATCH {
                        break;
                    }
                    first = first.min(n.ready_at);
                    last = last.max(n.ready_at);
                    take += 1;
                }
                let at = last
                    .saturating_add(batch.debounce)
                    .min(first.saturating_add(batch.max_delay));
                if at > now && take < MAX_BATCH {
                    self.time.schedule(at, Deadline::Inbox);
                    return;
                }
            }
            let send = self.durable.inbox.next_send;
            self.durable.inbox.next_send += 1;
            let until = now.saturating_add(config.send_timeout);
            let queue = &mut self.durable.inbox.queues[q];
            let mut sent = Vec::with_capacity(take);
            for n in queue.notices.iter_mut().take(take) {
                n.state = NoticeState::Sending { send, until };
                sent.push(Sent {
                    id: n.id.clone(),
                    task: n.task.clone(),
                    status: n.status,
                    timestamp: n.timestamp,
                });
            }
            self.time.schedule(until, Deadline::Inbox);
            self.outbox.push_back(Effect::Deliver {
                session: handle,
                send,
                batch: config.batch.is_some(),
                notices: sent,
            });
            return;
        }
    }

    /// Send `send` settled: delivered (`ok`) or failed. A send that timed
    /// out already, or of notifications since forgotten, changes nothing.
    pub fn notice_settled(&mut self, send: u64, ok: bool, wall: u64) {
        let now = self.advance(wall);
        let config = self.inbox_config();
        let Some(q) = self.durable.inbox.queues.iter().position(|q| {
            q.notices.front().is_some_and(
                |n| matches!(n.state, NoticeState::Sending { send: s, .. } if s == send),
            )
        }) else {
            return;
        };
        if ok {
            while let Some(n) = self.durable.inbox.queues[q].notices.front() {
                if !matches!(n.state, NoticeState::Sending { send: s, .. } if s == send) {
                    break;
                }
                let Some(n) = self.durable.inbox.queues[q].notices.pop_front() else {
                    break;
                };
                self.notice_gone(n);
            }
        } else {
            self.send_failed(q, send, now, &config);
        }
        self.pump(q, now);
    }

    /// A delivered notification leaves the inbox and the store.
    fn notice_gone(&mut self, n: Notice<H>) {
        if self.session.release(n.session) {
            self.store.set_session(n.session, None);
        }
        self.journal_delivered(n.id);
    }

    /// The notifications of send `send` at the front of queue `q` failed at
    /// `now`: each waits its backoff, or is parked after its last attempt.
    fn send_failed(&mut self, q: usize, send: u64, now: u64, config: &InboxConfig) {
        let mut retry = None;
        let mut parked = Vec::new();
        let mut i = 0;
        while let Some(n) = self.durable.inbox.queues[q].notices.get(i) {
            if !matches!(n.state, NoticeState::Sending { send: s, .. } if s == send) {
                break;
            }
            let attempts = n.attempts + 1;
            if attempts >= config.attempts {
                if let Some(mut n) = self.durable.inbox.queues[q].notices.remove(i) {
                    n.attempts = attempts;
                    n.state = NoticeState::Parked;
                    parked.push(n);
                }
                continue;
            }
            let at = match retry {
                Some(at) => at,
                None => {
                    let at = now.saturating_add(self.backoff(attempts, config));
                    retry = Some(at);
                    at
                }
            };
            if let Some(n) = self.durable.inbox.queues[q].notices.get_mut(i) {
                n.attempts = attempts;
                n.state = NoticeState::Waiting { until: at };
            }
            i += 1;
        }
        self.durable.inbox.parked.extend(parked);
        if let Some(at) = retry {
            self.time.schedule(at, Deadline::Inbox);
        }
    }

    /// The delay before retry `attempts`: doubling from `initial_delay` up
    /// to `max_delay`, drawn from the upper half of that (equal jitter), so
    /// that many parents failing at once do not retry in step.
    fn backoff(&mut self, attempts: u32, config: &InboxConfig) -> u64 {
        let doubled = config
            .initial_delay
            .saturating_mul(1u64 << (attempts - 1).min(40));
        let delay = doubled.min(config.max_delay).max(1);
        let mut bytes = [0u8; 4];
        let spread = if self.store.random(&mut bytes) {
            u64::from(u32::from_le_bytes(bytes)) % (delay / 2 + 1)
        } else {
            0
        };
        delay - delay / 2 + spread
    }
}

/// Notifications in one batch at most: a send stays a size a parent can
/// take in one message.
const MAX_BATCH: usize = 100;

impl<H: Host> crate::engine::seam::InboxHooks<H> for Engine<H> {
    /// Files the notification of a transition of task `task` in the inbox,
    /// if the config asks for one; false: the caller sends it as an
    /// `Effect::Notify`.
    fn notify_via_inbox(&mut self, task: &H::Id, status: Status, timestamp: u64, now: u64) -> bool {
        if self.config.durable.inbox.is_none() {
            return false;
        }
        self.inbox_push(task.clone(), status, timestamp, now);
        true
    }

    /// The session with interned id `index` is current (`initialize`): the
    /// notifications kept for it go to it from now on.
    fn inbox_attach(&mut self, index: u32, handle: H::Session, now: u64) {
        if self.config.durable.inbox.is_none() {
            return;
        }
        if let Some(q) = self
            .durable
            .inbox
            .queues
            .iter()
            .position(|q| q.session == index)
        {
            self.durable.inbox.queues[q].handle = Some(handle);
            self.pump(q, now);
        }
    }

    /// The `Inbox` deadline: retries and batches that came due.
    fn pump_all(&mut self, now: u64) {
        for q in 0..self.durable.inbox.queues.len() {
            self.pump(q, now);
        }
    }

    /// Whether the inbox needs the deadline timer: a send in flight, a
    /// retry or a batch waiting.
    fn inbox_timed(&self) -> bool {
        self.durable.inbox.queues.iter().any(|q| {
            q.handle.is_some()
                && q.notices
                    .front()
                    .is_some_and(|n| n.state != NoticeState::Unsaved)
        })
    }

    /// Forgets every notification (cleanup; a durable store still has them).
    fn inbox_clear(&mut self) {
        self.durable.inbox.queues.clear();
        self.durable.inbox.parked.clear();
    }

    fn count_inbox_sessions(&self, count: &mut dyn FnMut(u32)) {
        for n in self.durable.inbox.iter() {
            count(n.session);
        }
    }
}
