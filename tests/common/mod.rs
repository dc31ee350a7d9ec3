//! What the native engine tests share: a host whose store is the engine's
//! own `MemStore`, helpers that name tasks by id as callers do, and `drain`,
//! which turns the outbox into plain values and checks the invariants.
#![allow(dead_code)]

use background_manager::engine::memstore::store::{units, MemStore, MemTask};
use background_manager::engine::{
    Answer, Config, Effect, Ending, Engine, EngineError, Event, Host, NewTask, Reply, Status,
    Store, Wait, Want,
};

pub struct Test;

impl Host for Test {
    type Id = String;
    type Payload = &'static str;
    type Text = String;
    type Waiter = u32;
    type Session = &'static str;
    type Snapshot = Option<MemTask<&'static str>>;
    type Store = MemStore<Test>;
}

pub type E = Engine<Test>;
pub type Snap = MemTask<&'static str>;

pub const T0: u64 = 1_700_000_000_000;
pub const TTL: u64 = 1_800_000;

pub fn new(config: Config) -> E {
    Engine::new(config, MemStore::default())
}

/// An engine with the default config and session "s1" (id "session-1").
pub fn engine() -> E {
    with(Config::default())
}

pub fn with(config: Config) -> E {
    let mut e = new(config);
    e.initialize("s1", "session-1", "session-1".into(), T0);
    e
}

/// An effect as plain values.
#[derive(Debug, PartialEq)]
pub enum Out {
    Notify(&'static str, String, Status, u64),
    /// A waiter woken: its number, the task's status, timed out.
    Wake(u32, Status, bool),
    Dispose(u32, String),
    Start(String, String, String),
    Abort(String),
    Close(String),
    Event(Ev),
    /// A runner's question settled: the task, and the answer (`None`: it
    /// timed out, `Some(None)`: aborted).
    Reply(String, Option<Option<String>>),
    /// An inbox send: session, send number, batched, (task, status) each.
    Deliver(&'static str, u64, bool, Vec<(String, Status)>),
}

/// An event as plain values.
#[derive(Debug, PartialEq, Clone)]
pub enum Ev {
    Created(String, Status),
    Status(String, Status, Status),
    Output(String, String, u64),
    Removed(String),
    Progress(String, &'static str),
    /// Stalled since, or resumed (`None`).
    Stalled(String, Option<u64>),
}

fn id_of(e: &E, seq: u64) -> String {
    e.store().id(seq).unwrap_or_else(|| format!("#{seq}"))
}

/// Every effect queued, in order; asserts the invariants after.
pub fn drain(e: &mut E) -> Vec<Out> {
    let mut out = Vec::new();
    while let Some(effect) = e.pop_effect() {
        out.push(match effect {
            Effect::Notify {
                session,
                id,
                status,
                timestamp,
            } => Out::Notify(session, id, status, timestamp),
            Effect::Wake { waiter, answer } => match answer {
                Answer::Output {
                    status, timed_out, ..
                } => Out::Wake(waiter, status, timed_out),
                Answer::Task(t) => {
                    Out::Wake(waiter, t.map_or(Status::Cancelled, |t| t.status), false)
                }
            },
            Effect::Dispose { waiter, id } => Out::Dispose(waiter, id),
            // The task may have ended (even left) since: a host then
            // calls no runner.
            Effect::Start { seq } => match snapshot_of(e, seq) {
                Some(snap) => Out::Start(
                    snap.id,
                    snap.agent.unwrap_or_default(),
                    snap.prompt.unwrap_or_default(),
                ),
                None => Out::Start(format!("#{seq}"), String::new(), String::new()),
            },
            Effect::Reply { seq, reply } => Out::Reply(
                id_of(e, seq),
                match reply {
                    Reply::Answer(a) => Some(Some(format!("{a:?}"))),
                    Reply::TimedOut => None,
                    Reply::Aborted => Some(None),
                },
            ),
            Effect::Abort { seq } => Out::Abort(id_of(e, seq)),
            Effect::Close { seq } => Out::Close(id_of(e, seq)),
            Effect::Deliver {
                session,
                send,
                batch,
                notices,
            } => Out::Deliver(
                session,
                send,
                batch,
                notices.into_iter().map(|n| (n.task, n.status)).collect(),
            ),
            Effect::Event { event, .. } => Out::Event(match event {
                Event::Created { id, status } => Ev::Created(id, status),
                Event::Status {
                    id,
                    status,
                    previous,
                } => Ev::Status(id, status, previous),
                Event::Output { id, chunk, cursor } => Ev::Output(id, chunk, cursor),
                Event::Removed { id } => Ev::Removed(id),
                Event::Progress { id, progress } => Ev::Progress(id, progress),
                Event::Stalled { id, since } => Ev::Stalled(id, since),
            }),
        });
    }
    if let Some(what) = e.inconsistency() {
        panic!("the engine is inconsistent: {what}");
    }
    assert_eq!(
        e.store().len(),
        e.len(),
        "the store keeps exactly the tasks held"
    );
    for (seq, id) in e.store().filed() {
        assert_eq!(e.store().find(&id.to_string()), Some(seq), "{id} filed");
        let t = e.task(seq).expect("a kept task is held");
        let (head, tail) = t.output().map_or((0, 0), |o| o.kept());
        assert_eq!(
            e.store().output_lengths(seq),
            Some((head, tail, t.dropped())),
            "{id}'s output is kept as the engine's lengths say"
        );
    }
    out
}

pub fn notify(id: &str, status: Status, at: u64) -> Out {
    Out::Notify("s1", id.to_string(), status, at)
}

pub fn snapshot_of(e: &E, seq: u64) -> Option<Snap> {
    let t = e.task(seq)?;
    e.store().snapshot(seq, &t)
}

/// Task `id` as it is at `at` (the clock moved there first).
pub fn get(e: &mut E, id: &str, at: u64) -> Option<Snap> {
    e.advance(at);
    let seq = e.get(&id.to_string())?.seq();
    snapshot_of(e, seq)
}

/// Creates task `id`; returns its id.
pub fn create(e: &mut E, id: &str, at: u64) -> String {
    let seq = e
        .create(Some(id.to_string()), None, "opts", at)
        .expect("create");
    id_of(e, seq)
}

/// `createTask` with an optional id and session; returns the snapshot.
pub fn create_with(
    e: &mut E,
    id: Option<&str>,
    session: Option<&str>,
    options: &'static str,
    at: u64,
) -> Result<Snap, EngineError> {
    let session = session.map(|s| (s, s.to_string()));
    let seq = e.create(id.map(str::to_string), session, options, at)?;
    Ok(snapshot_of(e, seq).expect("kept"))
}

fn done(e: &E, r: Result<u64, EngineError>) -> Result<Snap, EngineError> {
    r.map(|seq| snapshot_of(e, seq).expect("kept"))
}

pub fn complete(e: &mut E, id: &str, result: &'static str, at: u64) -> Result<Snap, EngineError> {
    let r = e.complete(&id.to_string(), result, at);
    done(e, r)
}

pub fn fail(e: &mut E, id: &str, message: &str, at: u64) -> Result<Snap, EngineError> {
    let r = e.fail(&id.to_string(), message.to_string(), at);
    done(e, r)
}

/// `cancelTask`: the snapshot if cancelled at once, `None` if it is stopping.
pub fn cancel(e: &mut E, id: &str, force: bool, at: u64) -> Result<Option<Snap>, EngineError> {
    use background_manager::engine::Cancel;
    match e.cancel(&id.to_string(), force, at)? {
        Cancel::Done(seq) => Ok(snapshot_of(e, seq)),
        Cancel::Stopping(_) => Ok(None),
    }
}

/// `getOutput({ wait, timeout })` with waiter number `w`: `Some((status,
/// timed_out, output))` when answered at once.
pub fn wait(
    e: &mut E,
    id: &str,
    wait: bool,
    timeout: Option<u64>,
    w: u32,
    at: u64,
) -> Result<Option<(Status, bool, String)>, EngineError> {
    let want = Want::Output {
        since: None,
        tree: false,
    };
    Ok(
        match e.wait_for(&id.to_string(), want, wait, timeout, || w, at)? {
            Wait::Ready(Answer::Output {
                status,
                timed_out,
                output,
                ..
            }) => Some((status, timed_out, output)),
            Wait::Ready(Answer::Task(_)) => unreachable!("an output wait answers output"),
            Wait::Pending => None,
        },
    )
}

/// The output of task `id` after `since`, as `getOutput` answers it now.
pub fn output_since(e: &mut E, id: &str, since: u64, at: u64) -> (String, u64) {
    let want = Want::Output {
        since: Some(since),
        tree: false,
    };
    match e.wait_for(&id.to_string(), want, false, None, || 0, at) {
        Ok(Wait::Ready(Answer::Output { output, cursor, .. })) => (output, cursor),
        _ => panic!("no output for {id}"),
    }
}

/// `launch` of agent `agent`; returns the task's status.
pub fn launch(e: &mut E, id: &str, agent: &str, at: u64) -> Status {
    let seq = e
        .launch(
            Some(id.to_string()),
            None,
            agent,
            Default::default(),
            launched(agent, "prompt"),
            at,
        )
        .expect("launch");
    e.task(seq).expect("held").status
}

/// What a launched task keeps: agent, prompt, options "opts".
pub fn launched(agent: &str, prompt: &str) -> NewTask<Test> {
    NewTask {
        resume: false,
        options: "opts",
        launch: Some((agent.to_string(), prompt.to_string())),
    }
}

pub fn seq(e: &E, id: &str) -> u64 {
    e.get(&id.to_string()).expect("held").seq()
}

/// A runner's write of `chunk`.
pub fn write(e: &mut E, id: &str, chunk: &str, at: u64) -> bool {
    let s = seq(e, id);
    e.run_write(s, &chunk.to_string(), units(chunk), at)
}

/// `appendOutput`.
pub fn append(e: &mut E, id: &str, chunk: &str, at: u64) -> Result<u64, EngineError> {
    e.append_output(&id.to_string(), &chunk.to_string(), units(chunk), at)
}

/// What a task ended with, as the store keeps it.
pub fn ending(e: &E, id: &str) -> Option<String> {
    let s = seq(e, id);
    let outcome = e.task(s).expect("held").outcome;
    match e.store().ending(s, outcome) {
        Ending::None => None,
        Ending::Result(r) => Some(format!("result {r}")),
        Ending::Error(m) => Some(format!("error {m}")),
    }
}
