//! Random operation sequences against the engine (proptest), each one also
//! applied to a small brute-force model of the rules (`Model`): after every
//! step the engine and the model must agree on which tasks exist and in what
//! status, and what must always hold must hold: the indexes, deadlines and slots agree
//! with the table; a task becomes final at most once and is notified exactly
//! once for it; a final status never changes; every waiter is answered
//! exactly once, at the final transition or after its timeout; nothing
//! outlives its TTL plus eviction; nothing panics. Runners that ask, return,
//! throw and are retried are interleaved with cancels, expiries, polls and
//! cleanup: every question gets exactly one reply, and each task's status
//! events form one chain (each `previous` is what the event before it
//! announced, and the last is the task's status).
//! PROPTEST_CASES sets the number of sequences (default 100000).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use background_manager::engine::memstore::store::{MemStore, MemTask};
use background_manager::engine::{
    Answer, Config, Effect, Engine, Event, Host, NewTask, OnConflict, Queueing, RetryHint,
    RetryRule, Status, Store, Wait, Want,
};
use proptest::prelude::*;

struct Test;
impl Host for Test {
    type Id = String;
    type Payload = u32;
    type Text = String;
    type Waiter = u32;
    type Session = u8;
    type Snapshot = Option<MemTask<u32>>;
    type Store = MemStore<Test>;
}

const TTL: u64 = 1_000;
const GRACE: u64 = 100;

#[derive(Debug, Clone)]
enum Op {
    Create(Option<u8>),
    /// Agent, concurrency key (an index into `KEYS`), priority.
    Launch(u8, u8, i32),
    /// Under the `n`-th task created (`pick`), if any.
    LaunchChild(u8),
    /// With idempotency key `k` and `onConflict` (an index into `CONFLICTS`).
    LaunchKeyed(u8, u8),
    /// With a retry rule: this many runs in all, this many ms apart.
    LaunchRetry(u8, u16),
    /// getOutput({ wait: true, children: true }) of the `n`-th task.
    WaitTree(u8),
    /// The runner of the `n`-th task asks, with a timeout.
    Ask(u8, Option<u16>),
    /// respond(taskId, answer) to the `n`-th task.
    Respond(u8),
    Pause(bool),
    Complete(u8),
    Fail(u8),
    Cancel(u8, bool),
    CancelAll(bool),
    /// The runner of the `n`-th task returns (0), throws (1), or throws an
    /// error marked `retryable: false` (2).
    Settle(u8, u8),
    Write(u8),
    Wait(u8, Option<u16>),
    Advance(u16),
    Get(u8),
    GetAll(Option<u8>),
    Poll(u8),
    Reinitialize,
    Dispose,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => proptest::option::of(0u8..6).prop_map(Op::Create),
        4 => (0u8..3, 0u8..5, 0i32..2).prop_map(|(a, k, p)| Op::Launch(a, k, p)),
        1 => any::<bool>().prop_map(Op::Pause),
        2 => any::<u8>().prop_map(Op::LaunchChild),
        2 => (0u8..2, 0u8..4).prop_map(|(k, c)| Op::LaunchKeyed(k, c)),
        3 => (2u8..4, 1u16..600).prop_map(|(n, d)| Op::LaunchRetry(n, d)),
        1 => any::<u8>().prop_map(Op::WaitTree),
        // A timeout of at least 1 ms: the model runs deadlines only when it advances.
        2 => (any::<u8>(), proptest::option::of(1u16..900)).prop_map(|(i, t)| Op::Ask(i, t)),
        2 => any::<u8>().prop_map(Op::Respond),
        2 => any::<u8>().prop_map(Op::Complete),
        1 => any::<u8>().prop_map(Op::Fail),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(i, f)| Op::Cancel(i, f)),
        1 => any::<bool>().prop_map(Op::CancelAll),
        4 => (any::<u8>(), 0u8..3).prop_map(|(i, how)| Op::Settle(i, how)),
        1 => any::<u8>().prop_map(Op::Write),
        2 => (any::<u8>(), proptest::option::of(0u16..1500)).prop_map(|(i, t)| Op::Wait(i, t)),
        4 => (0u16..800).prop_map(Op::Advance),
        1 => any::<u8>().prop_map(Op::Get),
        1 => proptest::option::of(0u8..5).prop_map(Op::GetAll),
        1 => (0u8..6).prop_map(Op::Poll),
        1 => Just(Op::Reinitialize),
        1 => Just(Op::Dispose),
    ]
}

/// The small, obviously correct model: a list of tasks in creation order,
/// every rule applied by brute force (scan for the next event, recount the
/// slots), no indexes, no queue, no cleverness.
#[derive(Clone, Copy, Debug, PartialEq)]
enum MRun {
    External,
    Waiting,
    Live,
    Cancelling(u64),
    Ended,
}

#[derive(Debug)]
struct MTask {
    id: String,
    created: u64,
    status: Status,
    final_at: u64,
    agent: Option<String>,
    key: Option<&'static str>,
    priority: i32,
    run: MRun,
    /// The id of the task it was launched under.
    parent: Option<String>,
    /// Past its TTL, kept while its tree runs; `gone`: leaves at the end
    /// of the step.
    lingers: bool,
    gone: bool,
    /// Its idempotency key.
    idem: Option<u8>,
    /// While it asks: until when (none: no timeout).
    ask: Option<Option<u64>>,
    /// Its retry rule: runs left after this one, and the delay between them.
    retries: Option<(u8, u64)>,
    /// Queued between attempts: when it may start again.
    retry_at: Option<u64>,
}

impl MTask {
    /// A task just launched at `created`: queued, nothing else set.
    fn launched(id: &str, created: u64, agent: &str) -> MTask {
        MTask {
            id: id.to_string(),
            created,
            status: Status::Queued,
            final_at: 0,
            agent: Some(agent.to_string()),
            key: None,
            priority: 0,
            run: MRun::Waiting,
            parent: None,
            idem: None,
            lingers: false,
            gone: false,
            ask: None,
            retries: None,
            retry_at: None,
        }
    }
}

const CONFLICTS: [OnConflict; 4] = [
    OnConflict::Reject,
    OnConflict::Join,
    OnConflict::Enqueue,
    OnConflict::Replace,
];

/// The concurrency keys launches draw from, and the limits configured.
const KEYS: [Option<&str>; 5] = [None, Some("k"), Some("k/x"), Some("k/y"), Some("j")];
const KEY_LIMITS: [(&str, usize); 2] = [("k", 2), ("k/x", 1)];

/// Whether `key` is `at` or under it.
fn under(key: &str, at: &str) -> bool {
    key == at || key.starts_with(&format!("{at}/"))
}

#[derive(Default)]
struct Model {
    tasks: Vec<MTask>,
    paused: bool,
    /// When the last poll began, and how many failed in a row.
    polled: Option<u64>,
    poll_failures: u32,
}

impl Model {
    fn find(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.id == id)
    }

    fn running_for(&self, agent: Option<&str>) -> (usize, usize) {
        let live = |t: &&MTask| matches!(t.run, MRun::Live | MRun::Cancelling(_));
        let all = self.tasks.iter().filter(live).count();
        let mine = self
            .tasks
            .iter()
            .filter(live)
            .filter(|t| t.agent.as_deref() == agent)
            .count();
        (all, mine)
    }

    /// Live tasks whose key is `at` or under it.
    fn running_under(&self, at: &str) -> usize {
        self.tasks
            .iter()
            .filter(|t| matches!(t.run, MRun::Live | MRun::Cancelling(_)))
            .filter(|t| t.key.is_some_and(|k| under(k, at)))
            .count()
    }

    /// Starts, while the limits allow and the queue is not paused, the
    /// waiting task with room of the highest priority, the oldest first.
    /// Whether task `i` waits for an earlier live task with its idempotency
    /// key.
    fn held(&self, i: usize) -> bool {
        let t = &self.tasks[i];
        t.idem.is_some()
            && self.tasks[..i]
                .iter()
                .any(|e| e.idem == t.idem && !e.status.is_final())
    }

    /// The depth of task `i` below the top of its tree.
    fn depth(&self, i: usize) -> u8 {
        match self.tasks[i].parent.as_deref().and_then(|p| self.find(p)) {
            Some(p) => self.depth(p) + 1,
            None => 0,
        }
    }

    /// Cancels task `i` and its live descendants, the deepest first.
    fn cancel_tree(&mut self, i: usize, force: bool, now: u64) {
        let id = self.tasks[i].id.clone();
        for c in 0..self.tasks.len() {
            if self.tasks[c].parent.as_deref() == Some(&id) && !self.tasks[c].status.is_final() {
                self.cancel_tree(c, force, now);
            }
        }
        if !self.tasks[i].status.is_final() {
            self.cancel_one(i, force, now);
        }
    }

    /// Whether task `i` and every descendant are final.
    fn tree_final(&self, i: usize) -> bool {
        let id = &self.tasks[i].id;
        self.tasks[i].status.is_final()
            && (0..self.tasks.len())
                .filter(|&c| self.tasks[c].parent.as_deref() == Some(id))
                .all(|c| self.tree_final(c))
    }

    /// Drops the tasks that left.
    fn collect(&mut self) {
        self.tasks.retain(|t| !t.gone);
    }

    fn schedule(&mut self) {
        while !self.paused {
            let room = |t: &MTask| {
                let (all, mine) = self.running_for(t.agent.as_deref());
                let keys_ok = KEY_LIMITS.iter().all(|&(at, max)| {
                    !t.key.is_some_and(|k| under(k, at)) || self.running_under(at) < max
                });
                all < 3 && (t.agent.as_deref() != Some("a0") || mine < 1) && keys_ok
            };
            let mut next: Option<usize> = None;
            for (i, t) in self.tasks.iter().enumerate() {
                if t.run == MRun::Waiting
                    && t.retry_at.is_none()
                    && !self.held(i)
                    && room(t)
                    && next.is_none_or(|j| t.priority > self.tasks[j].priority)
                {
                    next = Some(i);
                }
            }
            let Some(i) = next else { return };
            self.tasks[i].status = Status::Running;
            self.tasks[i].run = MRun::Live;
        }
    }

    fn finish(&mut self, i: usize, status: Status, at: u64) {
        let t = &mut self.tasks[i];
        // An open question ends unanswered.
        t.ask = None;
        t.retry_at = None;
        t.status = if matches!(t.run, MRun::Cancelling(_)) {
            Status::Cancelled
        } else {
            status
        };
        t.final_at = at;
        t.run = if t.run == MRun::External {
            MRun::External
        } else {
            MRun::Ended
        };
        // A lingering ancestor whose tree is now final leaves.
        let mut up = self.tasks[i].parent.clone();
        while let Some(a) = up.and_then(|a| self.find(&a)) {
            if self.tasks[a].lingers && self.tree_final(a) {
                self.tasks[a].gone = true;
            }
            up = self.tasks[a].parent.clone();
        }
        // A task that ends cancelled, however, takes its live children with it.
        if self.tasks[i].status == Status::Cancelled {
            let id = self.tasks[i].id.clone();
            for c in 0..self.tasks.len() {
                if self.tasks[c].parent.as_deref() == Some(&id) && !self.tasks[c].status.is_final()
                {
                    self.cancel_tree(c, false, at);
                }
            }
        }
    }

    /// A transition asked for by a call; `false` when the engine must refuse it.
    fn transition(&mut self, id: &str, status: Status, now: u64) -> bool {
        let Some(i) = self.find(id) else { return false };
        if self.tasks[i].status.is_final() || matches!(self.tasks[i].run, MRun::Cancelling(_)) {
            return false;
        }
        self.finish(i, status, now);
        self.schedule();
        true
    }

    fn cancel_one(&mut self, i: usize, force: bool, now: u64) {
        match self.tasks[i].run {
            MRun::Live if !force => {
                // The question ends; the grace period runs `running`.
                let t = &mut self.tasks[i];
                if t.ask.take().is_some() {
                    t.status = Status::Running;
                }
                t.run = MRun::Cancelling(now + GRACE);
            }
            MRun::Cancelling(_) if !force => {}
            _ => self.finish(i, Status::Cancelled, now),
        }
    }

    fn cancel(&mut self, id: &str, force: bool, now: u64) {
        if let Some(i) = self.find(id).filter(|&i| !self.tasks[i].status.is_final()) {
            self.cancel_tree(i, force, now);
            self.schedule();
        }
    }

    fn cancel_all(&mut self, force: bool, now: u64) {
        for i in 0..self.tasks.len() {
            if self.tasks[i].run == MRun::Waiting {
                self.finish(i, Status::Cancelled, now);
            }
        }
        for i in 0..self.tasks.len() {
            if !self.tasks[i].status.is_final() {
                self.cancel_one(i, force, now);
            }
        }
        self.schedule();
    }

    /// The runner returns (`how` 0) or throws (1; 2 with `retryable: false`).
    fn settle(&mut self, id: &str, how: u8, now: u64) {
        if let Some(i) = self.find(id) {
            match self.tasks[i].run {
                MRun::Live if how == 1 && self.tasks[i].retries.is_some_and(|(n, _)| n > 0) => {
                    // Queued for its next run; its question ends unanswered.
                    let t = &mut self.tasks[i];
                    let (left, delay) = t.retries.expect("a rule");
                    t.retries = Some((left - 1, delay));
                    t.retry_at = Some(now + delay);
                    t.ask = None;
                    t.status = Status::Queued;
                    t.run = MRun::Waiting;
                }
                MRun::Live => self.finish(
                    i,
                    if how == 0 {
                        Status::Completed
                    } else {
                        Status::Error
                    },
                    now,
                ),
                MRun::Cancelling(_) => self.finish(i, Status::Cancelled, now),
                _ => return,
            }
            self.schedule();
        }
    }

    fn poll(&mut self, answer: &str, now: u64) {
        let status = match answer {
            "completed" => Status::Completed,
            "error" => Status::Error,
            "cancelled" => Status::Cancelled,
            _ => return,
        };
        for i in 0..self.tasks.len() {
            if matches!(
                self.tasks[i].status,
                Status::Running | Status::InputRequired
            ) {
                self.finish(i, status, now);
            }
        }
        self.schedule();
    }

    /// Every deadline up to `now`, earliest instant first; at one instant
    /// expiries, then grace ends, then evictions, each in creation order;
    /// then the freed slots.
    fn advance(&mut self, now: u64) {
        loop {
            let at = self
                .tasks
                .iter()
                .flat_map(|t| {
                    let expire = (!t.status.is_final()).then_some(t.created + TTL);
                    let grace = match t.run {
                        MRun::Cancelling(until) => Some(until),
                        _ => None,
                    };
                    // A task whose tree still runs is not due to leave.
                    let evict = (t.status.is_final() && !t.lingers).then_some(t.final_at + TTL);
                    [expire, grace, evict, t.ask.flatten(), t.retry_at]
                })
                .flatten()
                .min();
            let Some(at) = at.filter(|&at| at <= now) else {
                return;
            };
            for i in 0..self.tasks.len() {
                if !self.tasks[i].status.is_final() && self.tasks[i].created + TTL == at {
                    self.finish(i, Status::Error, at);
                }
            }
            for i in 0..self.tasks.len() {
                if self.tasks[i].run == MRun::Cancelling(at) {
                    self.finish(i, Status::Cancelled, at);
                }
            }
            // A backoff's end: it may start again.
            for t in &mut self.tasks {
                if t.retry_at == Some(at) {
                    t.retry_at = None;
                }
            }
            // A question's timeout: it runs on.
            for t in &mut self.tasks {
                if t.ask == Some(Some(at)) {
                    t.ask = None;
                    t.status = Status::Running;
                }
            }
            for i in 0..self.tasks.len() {
                let t = &self.tasks[i];
                if t.status.is_final() && t.final_at + TTL == at {
                    if self.tree_final(i) {
                        self.tasks[i].gone = true;
                    } else {
                        self.tasks[i].lingers = true;
                    }
                }
            }
            self.collect();
            self.schedule();
        }
    }
}

/// What the test has seen of one task.
#[derive(Default)]
struct Seen {
    final_status: Option<Status>,
    notified: u32,
    /// The status the task's last event announced.
    announced: Option<Status>,
}

struct World {
    e: Engine<Test>,
    now: u64,
    /// Every task ever created, by id, with what was seen of it.
    tasks: HashMap<String, Seen>,
    /// Ids in creation order (indices for ops), of the current generation.
    order: Vec<(String, u64)>,
    /// Waiter id -> (task id, deadline); removed when answered.
    waiters: HashMap<u32, (String, Option<u64>)>,
    /// The waiters that wait for a whole tree.
    tree_waiters: std::collections::HashSet<u32>,
    next_waiter: u32,
    generation: u32,
    model: Model,
    /// Questions asked and not replied to yet: task seq to generation#id.
    asks: HashMap<u64, String>,
}

impl World {
    fn new() -> Self {
        let mut e = Engine::new(
            Config {
                task_ttl: TTL,
                poll_interval: 200,
                cancel_grace: GRACE,
                max_concurrent: Some(3),
                agent_limits: vec![("a0".into(), 1)],
                key_limits: KEY_LIMITS
                    .iter()
                    .map(|&(k, n)| (k.to_string(), n))
                    .collect(),
                output_cap: 256,
                // Only the host's timer choice depends on it.
                timed_evictions: true,
                ..Config::default()
            },
            MemStore::default(),
        );
        e.initialize(0, "s", "s".into(), 0);
        e.set_events(true);
        World {
            e,
            now: 0,
            tasks: HashMap::new(),
            order: Vec::new(),
            waiters: HashMap::new(),
            tree_waiters: Default::default(),
            next_waiter: 0,
            generation: 0,
            model: Model::default(),
            asks: HashMap::new(),
        }
    }

    fn pick(&self, i: u8) -> Option<(String, u64)> {
        (!self.order.is_empty()).then(|| self.order[i as usize % self.order.len()].clone())
    }

    fn key(&self, id: &str) -> String {
        format!("{}#{id}", self.generation)
    }

    fn step(&mut self, op: &Op) {
        let now = self.now;
        match op {
            Op::Create(custom) => {
                let id = custom.map(|c| format!("c{c}"));
                let taken = id.as_ref().is_some_and(|id| self.e.get(id).is_some());
                match self.e.create(id, None, 1, now) {
                    Ok(seq) => {
                        let id = self.e.store().id(seq).expect("kept");
                        assert!(!taken, "{id} created over a live task");
                        assert!(self.model.find(&id).is_none(), "the model has {id}");
                        self.model.tasks.push(MTask {
                            id: id.clone(),
                            created: now,
                            status: Status::Running,
                            final_at: 0,
                            agent: None,
                            key: None,
                            priority: 0,
                            run: MRun::External,
                            parent: None,
                            idem: None,
                            lingers: false,
                            gone: false,
                            ask: None,
                            retries: None,
                            retry_at: None,
                        });
                        // An id is free again once its task has left the table.
                        if let Some(old) = self.tasks.insert(self.key(&id), Seen::default()) {
                            assert_eq!(old.notified, 1, "{id} reused before its task was final");
                        }
                        self.order.retain(|(other, _)| *other != id);
                        self.order.push((id, seq));
                    }
                    Err(e) => assert!(taken && e.code() == "DUPLICATE_ID", "{e}"),
                }
            }
            Op::Pause(on) => {
                self.e.set_paused(*on, now);
                self.model.paused = *on;
                self.model.schedule();
            }
            Op::Launch(agent, key, priority) => {
                let agent = format!("a{agent}");
                let key = KEYS[*key as usize];
                let seq = self
                    .e
                    .launch(
                        None,
                        None,
                        &agent,
                        Queueing {
                            key,
                            priority: *priority,
                            ..Default::default()
                        },
                        NewTask {
                            resume: false,
                            options: 2,
                            launch: Some((agent.clone(), "p".into())),
                        },
                        now,
                    )
                    .expect("launch");
                let id = self.e.store().id(seq).expect("kept");
                self.model.tasks.push(MTask {
                    key,
                    priority: *priority,
                    ..MTask::launched(&id, now, &agent)
                });
                self.model.schedule();
                self.tasks.insert(self.key(&id), Seen::default());
                self.order.push((id, seq));
            }
            Op::Complete(i) => {
                if let Some((id, _)) = self.pick(*i) {
                    let done = self.e.complete(&id, 7, now).is_ok();
                    assert_eq!(
                        done,
                        self.model.transition(&id, Status::Completed, now),
                        "complete {id}"
                    );
                }
            }
            Op::Fail(i) => {
                if let Some((id, _)) = self.pick(*i) {
                    let done = self.e.fail(&id, "x".into(), now).is_ok();
                    assert_eq!(
                        done,
                        self.model.transition(&id, Status::Error, now),
                        "fail {id}"
                    );
                }
            }
            Op::Cancel(i, force) => {
                if let Some((id, _)) = self.pick(*i) {
                    let _ = self.e.cancel(&id, *force, now);
                    self.model.cancel(&id, *force, now);
                }
            }
            Op::CancelAll(force) => {
                self.model.cancel_all(*force, now);
                let seqs = self.e.cancel_all(*force, now);
                assert!(seqs.windows(2).all(|w| w[0] < w[1]), "creation order");
            }
            Op::Settle(i, how) => {
                if let Some((id, seq)) = self.pick(*i) {
                    match how {
                        0 => self.e.run_settled(seq, Ok(3), now),
                        1 => self.e.run_settled(seq, Err("failed".into()), now),
                        _ => {
                            let hint = RetryHint {
                                retryable: false,
                                after: None,
                            };
                            self.e.run_failed(seq, "bad request".into(), hint, now)
                        }
                    }
                    self.model.settle(&id, *how, now);
                }
            }
            Op::Write(i) => {
                if let Some((_, seq)) = self.pick(*i) {
                    self.e.run_write(seq, &"output line\n".to_string(), 12, now);
                }
            }
            Op::Wait(i, timeout) => {
                if let Some((id, _)) = self.pick(*i) {
                    let w = self.next_waiter;
                    self.next_waiter += 1;
                    let timeout = timeout.map(u64::from);
                    let want = Want::Output {
                        since: None,
                        tree: false,
                    };
                    match self.e.wait_for(&id, want, true, timeout, || w, now) {
                        Ok(Wait::Pending) => {
                            let key = self.key(&id);
                            self.waiters.insert(w, (key, timeout.map(|t| now + t)));
                        }
                        Ok(Wait::Ready(Answer::Output {
                            status, timed_out, ..
                        })) => {
                            assert!(status.is_final() || (timed_out && timeout == Some(0)));
                        }
                        Ok(Wait::Ready(Answer::Task(_))) => panic!("an output wait answers output"),
                        Err(_) => {}
                    }
                }
            }
            Op::LaunchChild(i) => {
                let Some((parent_id, parent)) = self.pick(*i) else {
                    self.drain();
                    self.check();
                    return;
                };
                let result = self.e.launch(
                    None,
                    None,
                    "a1",
                    Queueing {
                        parent: Some(parent),
                        ..Default::default()
                    },
                    NewTask {
                        resume: false,
                        options: 3,
                        launch: Some(("a1".into(), "p".into())),
                    },
                    now,
                );
                let p = self.model.find(&parent_id);
                let allowed = p.is_some_and(|p| {
                    !self.model.tasks[p].status.is_final() && self.model.depth(p) < 3
                });
                assert_eq!(
                    result.is_ok(),
                    allowed,
                    "a child of {parent_id}: {result:?}"
                );
                if let Ok(seq) = result {
                    let id = self.e.store().id(seq).expect("kept");
                    self.model.tasks.push(MTask {
                        parent: Some(parent_id),
                        ..MTask::launched(&id, now, "a1")
                    });
                    // A child of a task being cancelled is cancelled with it.
                    let child = self.model.tasks.len() - 1;
                    let mut up = self.model.tasks[child].parent.clone();
                    while let Some(a) = up.and_then(|a| self.model.find(&a)) {
                        if matches!(self.model.tasks[a].run, MRun::Cancelling(_)) {
                            self.model.cancel_tree(child, false, now);
                            break;
                        }
                        up = self.model.tasks[a].parent.clone();
                    }
                    self.model.schedule();
                    self.tasks.insert(self.key(&id), Seen::default());
                    self.order.push((id, seq));
                }
            }
            Op::LaunchKeyed(k, c) => {
                let key = ["i0", "i1"][*k as usize];
                let on = CONFLICTS[*c as usize];
                let result = self.e.launch(
                    None,
                    None,
                    "a2",
                    Queueing {
                        idempotency: Some((key, on)),
                        ..Default::default()
                    },
                    NewTask {
                        resume: false,
                        options: 4,
                        launch: Some(("a2".into(), "p".into())),
                    },
                    now,
                );
                let live = (0..self.model.tasks.len()).rev().find(|&i| {
                    self.model.tasks[i].idem == Some(*k) && !self.model.tasks[i].status.is_final()
                });
                match (live, on, result) {
                    (Some(_), OnConflict::Reject, Err(e)) => assert_eq!(e.code(), "DUPLICATE_ID"),
                    (Some(l), OnConflict::Join, Ok(seq)) => {
                        assert_eq!(self.e.store().id(seq), Some(self.model.tasks[l].id.clone()))
                    }
                    (l, on, Ok(seq))
                        if l.is_none()
                            || matches!(on, OnConflict::Enqueue | OnConflict::Replace) =>
                    {
                        let id = self.e.store().id(seq).expect("kept");
                        self.model.tasks.push(MTask {
                            idem: Some(*k),
                            ..MTask::launched(&id, now, "a2")
                        });
                        if on == OnConflict::Replace {
                            let n = self.model.tasks.len() - 1;
                            for i in (0..n).rev() {
                                let t = &self.model.tasks[i];
                                if t.idem == Some(*k) && !t.status.is_final() {
                                    self.model.cancel_tree(i, false, now);
                                }
                            }
                        }
                        self.model.schedule();
                        self.tasks.insert(self.key(&id), Seen::default());
                        self.order.push((id, seq));
                    }
                    (l, on, r) => panic!("key {key} held by {l:?}, {on:?}: {r:?}"),
                }
            }
            Op::LaunchRetry(runs, delay) => {
                let delay = u64::from(*delay);
                let rule = RetryRule {
                    attempts: u32::from(*runs),
                    initial: delay,
                    max: delay,
                    factor: 1.0,
                    jitter: 0.0,
                    fallback: Vec::new(),
                };
                let seq = self
                    .e
                    .launch(
                        None,
                        None,
                        "a1",
                        Queueing {
                            retry: Some(&rule),
                            ..Default::default()
                        },
                        NewTask {
                            resume: false,
                            options: 5,
                            launch: Some(("a1".into(), "p".into())),
                        },
                        now,
                    )
                    .expect("launch");
                let id = self.e.store().id(seq).expect("kept");
                self.model.tasks.push(MTask {
                    retries: Some((*runs - 1, delay)),
                    ..MTask::launched(&id, now, "a1")
                });
                self.model.schedule();
                self.tasks.insert(self.key(&id), Seen::default());
                self.order.push((id, seq));
            }
            Op::WaitTree(i) => {
                if let Some((id, _)) = self.pick(*i) {
                    let w = self.next_waiter;
                    self.next_waiter += 1;
                    let want = Want::Output {
                        since: None,
                        tree: true,
                    };
                    match self.e.wait_for(&id, want, true, None, || w, now) {
                        Ok(Wait::Pending) => {
                            let key = self.key(&id);
                            self.waiters.insert(w, (key, None));
                            self.tree_waiters.insert(w);
                        }
                        Ok(Wait::Ready(_)) => {
                            let i = self.model.find(&id).expect("in the model");
                            assert!(self.model.tree_final(i), "{id}'s tree is final");
                        }
                        Err(_) => {}
                    }
                }
            }
            Op::Advance(dt) => {
                self.now += u64::from(*dt);
                self.e.advance(self.now);
                self.model.advance(self.now);
            }
            Op::Get(i) => {
                if let Some((id, _)) = self.pick(*i) {
                    self.e.advance(now);
                    if let Some(t) = self.e.get(&id) {
                        assert_eq!(self.e.store().id(t.seq()), Some(id));
                    }
                }
            }
            Op::GetAll(status) => {
                let filter = status.map(|s| Status::ALL[s as usize]);
                self.e.advance(now);
                let listed: Vec<u64> = self.e.list(filter).map(|t| t.seq()).collect();
                assert!(listed.windows(2).all(|w| w[0] < w[1]), "creation order");
                if let Some(st) = filter {
                    assert_eq!(listed.len(), self.e.count(st));
                }
            }
            Op::Poll(answer) => {
                let running = self
                    .model
                    .tasks
                    .iter()
                    .any(|t| matches!(t.status, Status::Running | Status::InputRequired));
                // The gap rule of `Poll`: 200 ms doubled per failure, up to
                // 60 s, less half an interval of slack.
                let gap = (200u64 << self.model.poll_failures.min(20)).min(60_000);
                let due = self.model.polled.is_none_or(|last| now + 100 >= last + gap);
                let started = self.e.begin_poll(now);
                assert_eq!(
                    started.is_some(),
                    running && due,
                    "a poll only while something runs, and not while backing off"
                );
                if let Some((token, _)) = started {
                    self.model.polled = Some(now);
                    let answer =
                        ["running", "completed", "error", "cancelled", "??", ""][*answer as usize];
                    // "" stands for a poll that failed (threw, rejected).
                    let answer = (!answer.is_empty()).then_some(answer);
                    self.e.finish_poll(token, answer, now);
                    match answer {
                        Some(answer) => {
                            self.model.poll_failures = 0;
                            self.model.poll(answer, now);
                        }
                        None => self.model.poll_failures += 1,
                    }
                }
            }
            Op::Ask(i, timeout) => {
                if let Some((id, seq)) = self.pick(*i) {
                    let timeout = timeout.map(u64::from);
                    let asked = self.e.ask(seq, 5, timeout, now);
                    // A task that left is not in the model: it cannot ask.
                    let Some(m) = self.model.find(&id) else {
                        assert!(asked.is_err(), "{id} asked after it left");
                        self.drain();
                        self.check();
                        return;
                    };
                    let t = &mut self.model.tasks[m];
                    let may = t.status == Status::Running && t.run == MRun::Live;
                    assert_eq!(asked.is_ok(), may, "ask for {id}: {asked:?}");
                    if may {
                        t.status = Status::InputRequired;
                        t.ask = Some(timeout.map(|ms| now + ms));
                        let key = self.key(&id);
                        assert!(
                            self.asks.insert(seq, key).is_none(),
                            "one question at a time"
                        );
                    }
                }
            }
            Op::Respond(i) => {
                if let Some((id, _)) = self.pick(*i) {
                    let answered = self.e.respond(&id, 6, now);
                    let Some(m) = self.model.find(&id) else {
                        assert!(answered.is_err(), "{id} answered after it left");
                        self.drain();
                        self.check();
                        return;
                    };
                    let t = &mut self.model.tasks[m];
                    let may = t.status == Status::InputRequired;
                    assert_eq!(answered.is_ok(), may, "respond to {id}: {answered:?}");
                    if may {
                        t.status = Status::Running;
                        t.ask = None;
                    }
                }
            }
            Op::Reinitialize => {
                // A new session polls without the old one's failures.
                self.e.initialize(0, "s", "s".into(), now);
                self.model.polled = None;
                self.model.poll_failures = 0;
            }
            Op::Dispose => {
                self.e.dispose();
                self.drain();
                assert!(self.waiters.is_empty(), "cleanup answers every waiter");
                assert!(self.asks.is_empty(), "cleanup replies to every question");
                self.e.initialize(0, "s", "s".into(), now);
                self.order.clear();
                self.generation += 1;
                self.model = Model::default();
            }
        }
        self.model.collect();
        self.drain();
        self.check();
    }

    fn drain(&mut self) {
        let generation = self.generation;
        while let Some(effect) = self.e.pop_effect() {
            match effect {
                // Each question gets exactly one reply.
                // (by seq: the task may have left since, with cleanup).
                Effect::Reply { seq, .. } => {
                    let asked = self.asks.remove(&seq);
                    assert!(
                        asked.is_some_and(|k| k.starts_with(&format!("{generation}#"))),
                        "one reply to task #{seq}'s one question"
                    );
                }
                Effect::Notify {
                    id,
                    status,
                    timestamp,
                    ..
                } => {
                    assert!(status.is_final());
                    assert!(timestamp <= self.now);
                    let seen = self
                        .tasks
                        .get_mut(&format!("{generation}#{id}"))
                        .expect("known task");
                    seen.notified += 1;
                    assert_eq!(seen.notified, 1, "one notification per task");
                    seen.final_status = Some(status);
                }
                Effect::Wake { waiter, answer } => {
                    let (key, deadline) = self.waiters.remove(&waiter).expect("answered once");
                    if self.tree_waiters.remove(&waiter) {
                        let (_, id) = key.split_once('#').expect("a key");
                        if let Some(i) = self.model.find(id) {
                            assert!(self.model.tree_final(i), "woken with {id}'s tree final");
                        }
                    }
                    let Answer::Output {
                        status, timed_out, ..
                    } = answer
                    else {
                        panic!("an output wait answers output");
                    };
                    let (_, id) = key.split_once('#').expect("a key");
                    let task = self.e.get(&id.to_string());
                    assert!(key.starts_with(&format!("{generation}#")));
                    if timed_out {
                        assert!(!status.is_final());
                        assert!(
                            deadline.is_some_and(|d| d <= self.now),
                            "not before its timeout"
                        );
                    } else {
                        assert!(status.is_final());
                        if let Some(task) = task {
                            assert!(
                                deadline.is_none_or(|d| task.updated_at <= d),
                                "after its timeout"
                            );
                        }
                    }
                }
                Effect::Dispose { waiter, .. } => {
                    self.waiters.remove(&waiter).expect("answered once");
                    self.tree_waiters.remove(&waiter);
                }
                // Each task's status events form one chain.
                Effect::Event { event, .. } => match event {
                    Event::Created { id, status } => {
                        let seen = self
                            .tasks
                            .get_mut(&format!("{generation}#{id}"))
                            .expect("known task");
                        assert!(seen.announced.is_none(), "{id} created twice");
                        seen.announced = Some(status);
                    }
                    Event::Status {
                        id,
                        status,
                        previous,
                    } => {
                        let seen = self
                            .tasks
                            .get_mut(&format!("{generation}#{id}"))
                            .expect("known task");
                        assert_eq!(
                            seen.announced,
                            Some(previous),
                            "{id}: an event {previous:?} -> {status:?} after one that announced {:?}",
                            seen.announced
                        );
                        assert_ne!(status, previous, "{id}: an event that changes nothing");
                        seen.announced = Some(status);
                    }
                    _ => {}
                },
                Effect::Start { .. }
                | Effect::Abort { .. }
                | Effect::Close { .. }
                | Effect::Deliver { .. } => {}
            }
        }
    }

    fn check(&mut self) {
        if let Some(what) = self.e.inconsistency() {
            panic!("engine state out of step: {what}");
        }
        // The store keeps exactly the engine's tasks, filed under their ids,
        // with the output the engine's lengths say.
        assert_eq!(self.e.store().len(), self.e.len(), "store vs engine");
        for (seq, id) in self.e.store().filed() {
            assert_eq!(self.e.store().find(&id.to_string()), Some(seq));
            let t = self.e.task(seq).expect("a kept task is held");
            let (head, tail) = t.output().map_or((0, 0), |o| o.kept());
            assert_eq!(
                self.e.store().output_lengths(seq),
                Some((head, tail, t.dropped()))
            );
        }
        // The engine and the model agree on which tasks exist and their status.
        assert_eq!(
            self.e.len(),
            self.model.tasks.len(),
            "task count vs the model"
        );
        for m in &self.model.tasks {
            let t = self
                .e
                .get(&m.id)
                .unwrap_or_else(|| panic!("{} is in the model only", m.id));
            assert_eq!(t.status, m.status, "{} vs the model", m.id);
            // The last status event announced the status it is in.
            assert_eq!(
                self.tasks[&self.key(&m.id)].announced,
                Some(m.status),
                "{}'s last event",
                m.id
            );
            // A question is open exactly while the task is input-required.
            let key = self.key(&m.id);
            let open = self.asks.values().filter(|k| **k == key).count();
            assert_eq!(
                open,
                usize::from(m.status == Status::InputRequired),
                "{}'s open questions",
                m.id
            );
        }
        let now = self.now;
        for (id, _) in &self.order {
            let key = format!("{}#{id}", self.generation);
            let seen = &self.tasks[&key];
            match self.e.get(id) {
                Some(t) => {
                    // Final exactly when notified, and never changed after.
                    assert_eq!(t.is_final(), seen.notified == 1, "{id}");
                    if let Some(status) = seen.final_status {
                        assert_eq!(t.status, status, "{id} changed after it was final");
                    }
                    assert!(t.updated_at >= t.created_at);
                    // Nothing outlives TTL plus eviction (plus a grace period),
                    // but a task whose descendants still run.
                    let lingers = self
                        .model
                        .find(id)
                        .is_some_and(|i| self.model.tasks[i].lingers);
                    assert!(
                        now <= t.created_at + 2 * TTL + GRACE || lingers,
                        "{id} outlived its TTL"
                    );
                }
                None => assert_eq!(seen.notified, 1, "{id} left without being final"),
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn random_operation_sequences_keep_every_invariant(ops in proptest::collection::vec(op(), 1..40)) {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
        }
        // Long after everything: every task gone, every waiter answered.
        world.now += 3 * TTL;
        world.e.advance(world.now);
        world.model.advance(world.now);
        world.drain();
        world.check();
        prop_assert!(world.e.is_empty(), "tasks outlived TTL plus eviction");
        prop_assert!(world.waiters.is_empty(), "a waiter was never answered");
        prop_assert_eq!(world.e.active(), 0);
    }
}
