//! Loading a durable store: the tasks and notifications it kept become the
//! engine's again, as of their stored times. Deadlines that passed while no
//! page or process ran the manager (TTL expiries, evictions) are handled as
//! of their own times; then each launched task that was live, whose runner
//! died with its page or process, is queued again (`resume`, when there is
//! a runner) or becomes `interrupted`, with its one notification.
use crate::engine::durable::sorted;
use crate::engine::prelude::*;
use crate::engine::seam::{InboxHooks, JournalHooks};

use crate::engine::{
    Ending, Engine, Host, Log, NewTask, Outcome, Output, Run, Status, Store, Stream, Task,
};

/// A task as a store kept it.
pub struct Restored<H: Host> {
    pub id: H::Id,
    pub status: Status,
    pub created_at: u64,
    pub updated_at: u64,
    /// Its session id, as Rust text and host text.
    pub session: (String, H::Text),
    /// Options, and agent text and prompt of a launched task; `resume`.
    pub values: NewTask<H>,
    /// The agent's name of a launched task, its concurrency key and its
    /// priority.
    pub agent: Option<String>,
    pub key: Option<String>,
    pub priority: i32,
    pub ending: Ending<H>,
    pub output: Option<StoredOutput<H>>,
    /// The kept log, when the store has one.
    pub log: Option<StoredLog<H>>,
    /// Which run this was (1 for the first).
    pub attempt: u32,
    /// Its runner started the moment it was created (see `Task::restart`).
    pub started: bool,
}

/// Kept output: head text and units, tail text and units, units dropped
/// between.
pub type StoredOutput<H> = (<H as Host>::Text, usize, <H as Host>::Text, usize, u64);

/// A kept log: the host's entries as it stored them (handed back to its
/// `Store::restore_log`), the weights of the entries kept at the beginning
/// and at the end (see `ENTRY_COST`), the seq of the newest entry, and the
/// seqs reserved ahead of it.
pub struct StoredLog<H: Host> {
    pub entries: H::Payload,
    pub head: Vec<u32>,
    pub tail: Vec<u32>,
    pub last: u64,
    /// The seqs reserved ahead of the entries (`LOG_RESERVE`; 0: none).
    pub reserved: u64,
}

/// A notification as a store kept it, not yet delivered.
pub struct RestoredNotice<H: Host> {
    pub id: H::Id,
    pub task: H::Id,
    pub session: (String, H::Text),
    pub status: Status,
    pub timestamp: u64,
}

impl<H: Host> Engine<H> {
    /// Loads what a store kept into an engine with a session (call it right
    /// after `initialize`). `tasks` in creation order, `notices` in the
    /// order they were made; `can_run`: the host has a runner, so resumable
    /// tasks are queued again. A task whose id is taken already is skipped.
    /// Returns how many tasks were loaded.
    pub fn restore(
        &mut self,
        tasks: Vec<Restored<H>>,
        notices: Vec<RestoredNotice<H>>,
        can_run: bool,
        wall: u64,
    ) -> usize {
        let now = self.advance(wall);
        self.durable.restoring = true;
        let mut loaded = 0;
        let mut finals = Vec::new();
        let mut live = Vec::new();
        let ttl = self.config.task_ttl;
        for r in tasks {
            let seq = self.table.next_seq();
            let oldest = self.table.oldest();
            let resume = r.values.resume;
            if self.store.insert(seq, oldest, r.id, r.values).is_err() {
                continue;
            }
            let (index, new) = self.session.acquire(&r.session.0);
            if new {
                self.store.set_session(index, Some(r.session.1));
            }
            let agent = match &r.agent {
                Some(name) => {
                    let limit = self.config.agent_limit(name);
                    self.queue.enter(name, limit, r.key.as_deref(), r.priority)
                }
                None => 0,
            };
            let launched = agent != 0;
            let run = match (launched, r.status.is_final()) {
                (false, _) => Run::External,
                (true, false) => Run::Waiting,
                (true, true) => Run::Ended,
            };
            let outcome = Outcome::of(&r.ending);
            if r.status.is_final() {
                self.store.finish(seq, r.ending);
                finals.push((r.updated_at, seq));
            } else if launched {
                live.push(seq);
            }
            let cap = self.config.output_cap;
            let log = r.log.filter(|l| l.last > 0);
            let mut stream = None;
            if r.output.is_some() || log.is_some() {
                let mut s = Stream::new(cap);
                if let Some((head, hn, tail, tn, dropped)) = r.output {
                    self.store.restore_output(seq, head, tail, dropped);
                    s.output = Output::restored(cap, hn, tn, dropped);
                }
                stream = Some(s);
            }
            // Without a kept log the task's stream, if it has one, starts
            // its log again from the task's times.
            let relog = stream.is_some() && log.is_none();
            if let (Some(l), Some(s)) = (log, stream.as_mut()) {
                self.store.restore_log(seq, l.entries);
                s.log = Log::restored(cap, &l.head, &l.tail, l.last);
                s.log.skip_to(l.reserved);
            }
            let started = if r.started {
                crate::engine::tasks::task::STARTED
            } else {
                0
            };
            let restart = self.store_restart(launched, resume, r.attempt, seq) | started;
            self.table.insert(Task {
                created_at: r.created_at,
                updated_at: r.updated_at.max(r.created_at),
                more: stream.map(|stream| {
                    Box::new(crate::engine::tasks::task::More {
                        stream: Some(stream),
                        ..Default::default()
                    })
                }),
                session: index,
                agent,
                // No question outlives the runner that asked it.
                status: match r.status {
                    Status::InputRequired => Status::Running,
                    status => status,
                },
                run,
                outcome,
                restart,
            });
            if relog {
                if let Some(times) = self
                    .table
                    .get(seq)
                    .map(|t| crate::engine::logs::entries::Times::of(&t))
                {
                    self.log_from_times(seq, times);
                }
            }
            if !r.status.is_final() {
                self.time.due_at(r.created_at.saturating_add(ttl));
            }
            loaded += 1;
        }
        // Evictions come due in the order tasks became final.
        for (updated, seq) in sorted(finals) {
            self.time.push_eviction(seq, updated.saturating_add(ttl));
        }
        for n in notices {
            let session = (n.session.0.as_str(), n.session.1);
            self.inbox_restore(n.id, n.task, session, n.status, n.timestamp, now);
        }
        // What expired or was due for eviction while nothing ran, as of
        // its own time (nothing starts while restoring).
        self.time.due_at(0);
        self.advance(now);
        // The evictions go back in the order they come due: a task that
        // expired while nothing ran may be due before tasks that were final
        // already.
        let table = &self.table;
        let keyed = self
            .time
            .evictions()
            .map(|seq| (table.get(seq).map_or(0, |t| t.updated_at), seq))
            .collect();
        let order = sorted(keyed).into_iter().map(|(_, seq)| seq).collect();
        self.time.set_evictions(order);
        self.time.due_at(0);
        self.advance(now);
        for seq in live {
            let Some(task) = self.table.get(seq) else {
                continue;
            };
            if task.is_final() {
                continue;
            }
            if task.resumes() && can_run {
                if let Some(task) = self.table.set_status(seq, Status::Queued) {
                    task.count_attempt();
                    task.updated_at = task.updated_at.max(now);
                    let attempt = task.attempt();
                    self.store.set_attempt(seq, attempt);
                }
                self.enqueue(seq);
                self.journal_task(seq);
            } else {
                self.finish(seq, Status::Interrupted, Ending::None, false, now);
            }
        }
        self.durable.restoring = false;
        self.schedule(now);
        // Stored notifications for the current session go now.
        self.pump_all(now);
        loaded
    }

    /// The restart byte of a restored task: the resume bit as its launch
    /// asked, and the runs it had.
    fn store_restart(&mut self, launched: bool, resume: bool, attempt: u32, seq: u64) -> u8 {
        if !launched {
            return 0;
        }
        if attempt > 1 {
            self.store.set_attempt(seq, attempt);
        }
        let runs = attempt
            .saturating_sub(1)
            .min(u32::from(crate::engine::tasks::task::RUNS)) as u8;
        if resume {
            runs | crate::engine::tasks::task::RESUME
        } else {
            runs
        }
    }
}

impl<H: Host> crate::engine::seam::LoadHooks for Engine<H> {
    /// Whether a store is being loaded (nothing is scheduled meanwhile).
    fn is_restoring(&self) -> bool {
        self.durable.restoring
    }
}
