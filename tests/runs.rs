//! Launched tasks in the engine: queue and limits, runner outcomes, output,
//! cancellation with a grace period, events. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::NewTask;
use background_manager::engine::{Cancel, Config, ErrorKind, Run, Status, Want};
use common::{Ev, E, T0};

fn engine(config: Config) -> E {
    let mut e = common::new(config);
    e.initialize("s", "session", "session".into(), T0);
    e
}

fn limited(max: Option<usize>, agents: &[(&str, usize)]) -> E {
    engine(Config {
        max_concurrent: max,
        agent_limits: agents.iter().map(|&(a, n)| (a.to_string(), n)).collect(),
        ..Config::default()
    })
}

/// Effects, told more briefly than `common::Out`.
#[derive(Debug, PartialEq)]
enum Out {
    Notify(String, Status),
    Wake(u32, Status),
    Dispose(u32),
    Start(String),
    Abort(String),
    Close(String),
    Event(Ev),
}

fn drain(e: &mut E) -> Vec<Out> {
    common::drain(e)
        .into_iter()
        .map(|o| match o {
            common::Out::Notify(_, id, status, _) => Out::Notify(id, status),
            common::Out::Wake(w, status, _) => Out::Wake(w, status),
            common::Out::Dispose(w, _) => Out::Dispose(w),
            common::Out::Start(id, _, _) => Out::Start(id),
            common::Out::Abort(id) => Out::Abort(id),
            common::Out::Close(id) => Out::Close(id),
            common::Out::Event(ev) => Out::Event(ev),
            common::Out::Deliver(..) => unreachable!("no inbox in these tests"),
            common::Out::Reply(..) => unreachable!("no runner asks in these tests"),
        })
        .collect()
}

use common::{launch, seq};

fn status(e: &mut E, id: &str, at: u64) -> Status {
    common::get(e, id, at).unwrap().status
}

fn settle(e: &mut E, id: &str, outcome: Result<&'static str, &str>, at: u64) {
    let s = seq(e, id);
    e.run_settled(s, outcome.map_err(str::to_string), at);
}

fn get(e: &mut E, id: &str, at: u64) -> common::Snap {
    common::get(e, id, at).unwrap()
}

fn created(id: &str, status: Status) -> Ev {
    Ev::Created(id.into(), status)
}

fn output(id: &str, chunk: &str, cursor: u64) -> Ev {
    Ev::Output(id.into(), chunk.into(), cursor)
}

#[test]
fn a_launched_task_starts_at_once_and_its_runner_completes_it() {
    let mut e = engine(Config::default());
    let s = e
        .launch(
            None,
            None,
            "default",
            Default::default(),
            NewTask {
                resume: false,
                options: "o",
                launch: Some(("default".into(), "Write".into())),
            },
            T0,
        )
        .unwrap();
    let t = e.task(s).unwrap();
    assert_eq!((t.status, t.run), (Status::Running, Run::Live));
    assert_eq!(e.agent_name(&t), Some("default"));
    let snap = common::snapshot_of(&e, s).unwrap();
    assert_eq!(
        (snap.agent.as_deref(), snap.prompt.as_deref()),
        (Some("default"), Some("Write"))
    );
    assert_eq!((snap.session_id.as_str(), snap.options), ("session", "o"));
    let id = snap.id;
    assert!(matches!(
        e.pop_effect(),
        Some(background_manager::engine::Effect::Start { seq }) if seq == s
    ));
    settle(&mut e, &id, Ok("the result"), T0 + 5);
    let t = get(&mut e, &id, T0 + 5);
    assert_eq!(
        (t.status, t.result, t.updated_at),
        (Status::Completed, Some("the result"), T0 + 5)
    );
    assert_eq!(
        drain(&mut e),
        vec![Out::Close(id.clone()), Out::Notify(id, Status::Completed)]
    );
    assert_eq!(e.active(), 0);
}

#[test]
fn a_runner_that_fails_fails_its_task_with_the_message() {
    let mut e = engine(Config::default());
    launch(&mut e, "t", "a", T0);
    drain(&mut e);
    settle(&mut e, "t", Err("runner blew up"), T0 + 1);
    let t = get(&mut e, "t", T0 + 1);
    assert_eq!(
        (t.status, t.error.as_deref()),
        (Status::Error, Some("runner blew up"))
    );
}

#[test]
fn launched_tasks_beyond_the_limit_wait_in_fifo_order() {
    let mut e = limited(Some(2), &[]);
    let statuses: Vec<Status> = (0..5)
        .map(|i| launch(&mut e, &format!("t{i}"), "a", T0))
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Running,
            Status::Running,
            Status::Queued,
            Status::Queued,
            Status::Queued
        ]
    );
    assert_eq!(
        drain(&mut e),
        vec![Out::Start("t0".into()), Out::Start("t1".into())]
    );
    settle(&mut e, "t1", Ok("r"), T0 + 1);
    // The freed slot goes to the oldest queued task in the same call.
    assert_eq!(status(&mut e, "t2", T0 + 1), Status::Running);
    assert_eq!(status(&mut e, "t3", T0 + 1), Status::Queued);
    let out = drain(&mut e);
    assert!(out.contains(&Out::Start("t2".into())), "{out:?}");
    assert_eq!(e.active(), 2);
}

#[test]
fn a_full_agent_lets_other_agents_pass() {
    let mut e = limited(None, &[("slow", 1)]);
    assert_eq!(launch(&mut e, "s1", "slow", T0), Status::Running);
    assert_eq!(launch(&mut e, "s2", "slow", T0), Status::Queued);
    assert_eq!(launch(&mut e, "f1", "fast", T0), Status::Running);
    assert_eq!(launch(&mut e, "f2", "fast", T0), Status::Running);
    drain(&mut e);
    settle(&mut e, "s1", Ok("r"), T0 + 1);
    assert_eq!(status(&mut e, "s2", T0 + 1), Status::Running);
}

#[test]
fn a_cancelled_queued_task_never_runs() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "busy", "a", T0);
    launch(&mut e, "waiting", "a", T0);
    drain(&mut e);
    let t = common::cancel(&mut e, "waiting", false, T0 + 1)
        .unwrap()
        .unwrap();
    assert_eq!(t.status, Status::Cancelled);
    settle(&mut e, "busy", Ok("r"), T0 + 2);
    let out = drain(&mut e);
    assert!(!out.contains(&Out::Start("waiting".into())), "{out:?}");
    assert_eq!(e.active(), 0);
}

#[test]
fn cancel_signals_the_runner_and_waits_for_it_to_stop() {
    let mut e = engine(Config {
        cancel_grace: 500,
        ..Config::default()
    });
    launch(&mut e, "t", "a", T0);
    drain(&mut e);
    let t = "t".to_string();
    assert!(matches!(
        e.cancel(&t, false, T0 + 10).unwrap(),
        Cancel::Stopping(_)
    ));
    assert_eq!(drain(&mut e), vec![Out::Abort("t".into())]);
    assert_eq!(status(&mut e, "t", T0 + 11), Status::Running);
    let refused = common::complete(&mut e, "t", "late", T0 + 12).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidTransition);
    assert!(refused.message.contains("being cancelled"));
    assert!(
        matches!(e.cancel(&t, false, T0 + 13).unwrap(), Cancel::Stopping(_)),
        "a second cancel joins"
    );
    let s = seq(&e, "t");
    e.advance(T0 + 14);
    e.wait_seq(s, Want::Task, true, None, || 9).unwrap();
    // The runner stops (here by resolving anyway): the task ends cancelled.
    settle(&mut e, "t", Ok("ignored"), T0 + 20);
    let t = get(&mut e, "t", T0 + 20);
    assert_eq!((t.status, t.result), (Status::Cancelled, None));
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Close("t".into()),
            Out::Notify("t".into(), Status::Cancelled),
            Out::Wake(9, Status::Cancelled)
        ]
    );
}

#[test]
fn a_runner_that_ignores_the_signal_is_cancelled_when_the_grace_ends() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "stubborn", "a", T0);
    launch(&mut e, "next", "a", T0);
    drain(&mut e);
    assert!(matches!(
        e.cancel(&"stubborn".to_string(), false, T0).unwrap(),
        Cancel::Stopping(_)
    ));
    assert_eq!(e.next_deadline(), Some(T0 + 2_000));
    e.advance(T0 + 1_999);
    assert_eq!(status(&mut e, "stubborn", T0 + 1_999), Status::Running);
    assert_eq!(
        status(&mut e, "next", T0 + 1_999),
        Status::Queued,
        "the slot is held during the grace"
    );
    e.advance(T0 + 2_000);
    let t = get(&mut e, "stubborn", T0 + 2_000);
    assert_eq!((t.status, t.updated_at), (Status::Cancelled, T0 + 2_000));
    assert_eq!(status(&mut e, "next", T0 + 2_000), Status::Running);
    drain(&mut e);
    // It resolves long after: nothing changes, nobody is told again.
    settle(&mut e, "stubborn", Ok("too late"), T0 + 9_000);
    assert_eq!(status(&mut e, "stubborn", T0 + 9_000), Status::Cancelled);
    assert!(drain(&mut e).is_empty());
}

#[test]
fn force_cancels_at_once_and_frees_the_slot() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "a", "x", T0);
    launch(&mut e, "b", "x", T0);
    drain(&mut e);
    let t = common::cancel(&mut e, "a", true, T0 + 1).unwrap().unwrap();
    assert_eq!(t.status, Status::Cancelled);
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Abort("a".into()),
            Out::Close("a".into()),
            Out::Notify("a".into(), Status::Cancelled),
            Out::Start("b".into()),
        ]
    );
    settle(&mut e, "a", Err("aborted"), T0 + 2);
    assert_eq!(status(&mut e, "a", T0 + 2), Status::Cancelled);
    assert!(drain(&mut e).is_empty());
}

#[test]
fn a_queued_tasks_ttl_counts_from_creation() {
    let mut e = engine(Config {
        max_concurrent: Some(1),
        task_ttl: 1_000,
        ..Config::default()
    });
    launch(&mut e, "hog", "a", T0);
    launch(&mut e, "waiting", "a", T0 + 100);
    drain(&mut e);
    // One late catch-up past both deadlines: the hog times out at T0+1000
    // and is aborted, "waiting" gets the slot as of T0+1000, and times out
    // one TTL after it was created, not after it started.
    e.advance(T0 + 1_500);
    let hog = get(&mut e, "hog", T0 + 1_500);
    assert!(hog.error.unwrap().contains("timed out"));
    let waiting = get(&mut e, "waiting", T0 + 1_500);
    assert_eq!(
        (waiting.status, waiting.updated_at),
        (Status::Error, T0 + 1_100)
    );
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Abort("hog".into()),
            Out::Close("hog".into()),
            Out::Notify("hog".into(), Status::Error),
            Out::Start("waiting".into()),
            Out::Abort("waiting".into()),
            Out::Close("waiting".into()),
            Out::Notify("waiting".into(), Status::Error),
        ]
    );
}

#[test]
fn runner_output_grows_while_it_runs_and_stops_when_it_ends() {
    let mut e = engine(Config::default());
    e.set_events(true);
    launch(&mut e, "t", "a", T0);
    drain(&mut e);
    assert!(common::write(&mut e, "t", "hello ", T0 + 1));
    assert!(common::write(&mut e, "t", "world", T0 + 2));
    let t = get(&mut e, "t", T0 + 2);
    assert_eq!((t.output.as_str(), t.updated_at), ("hello world", T0 + 2));
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Event(output("t", "hello ", 6)),
            Out::Event(output("t", "world", 11)),
        ]
    );
    settle(&mut e, "t", Ok("r"), T0 + 3);
    assert!(!common::write(&mut e, "t", " after the end", T0 + 4));
    assert_eq!(get(&mut e, "t", T0 + 4).output, "hello world");
}

#[test]
fn append_output_serves_tasks_driven_from_outside() {
    let mut e = engine(Config {
        output_cap: 100,
        ..Config::default()
    });
    common::create(&mut e, "ext", T0);
    for i in 0..100 {
        common::append(&mut e, "ext", &format!("{i:03}\n"), T0 + 1).unwrap();
    }
    let text = get(&mut e, "ext", T0 + 1).output;
    assert_eq!(
        text,
        [
            (0..12).map(|i| format!("{i:03}\n")).collect::<String>(),
            "01".into(),
            "\n[... 300 characters of output cut ...]\n".into(),
            "7\n".into(),
            (88..100).map(|i| format!("{i:03}\n")).collect::<String>(),
        ]
        .concat(),
        "50 characters from the start, 50 from the end"
    );
    assert_eq!(
        common::append(&mut e, "nope", "x", T0).unwrap_err().kind,
        ErrorKind::TaskNotFound
    );
    common::complete(&mut e, "ext", "", T0 + 2).unwrap();
    let err = common::append(&mut e, "ext", "x", T0 + 3).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidTransition);
}

#[test]
fn events_tell_the_whole_story_in_order() {
    let mut e = engine(Config {
        max_concurrent: Some(1),
        task_ttl: 100,
        ..Config::default()
    });
    e.set_events(true);
    launch(&mut e, "a", "x", T0);
    launch(&mut e, "b", "x", T0);
    common::write(&mut e, "a", "out", T0 + 1);
    settle(&mut e, "a", Ok("r"), T0 + 2);
    let events: Vec<Ev> = drain(&mut e)
        .into_iter()
        .filter_map(|o| match o {
            Out::Event(ev) => Some(ev),
            _ => None,
        })
        .collect();
    let status = |id: &str, status, previous| Ev::Status(id.into(), status, previous);
    assert_eq!(
        events,
        vec![
            created("a", Status::Queued),
            status("a", Status::Running, Status::Queued),
            created("b", Status::Queued),
            output("a", "out", 3),
            status("a", Status::Completed, Status::Running),
            status("b", Status::Running, Status::Queued),
        ]
    );
    e.advance(T0 + 102);
    let removed: Vec<Out> = drain(&mut e)
        .into_iter()
        .filter(|o| matches!(o, Out::Event(Ev::Removed(_))))
        .collect();
    assert_eq!(removed, vec![Out::Event(Ev::Removed("a".into()))]);
}

#[test]
fn cancel_all_cancels_queued_and_external_tasks_at_once_and_stops_runners() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "live", "a", T0);
    common::create(&mut e, "ext", T0);
    launch(&mut e, "queued", "a", T0);
    drain(&mut e);
    let seqs = e.cancel_all(false, T0 + 1);
    let listed: Vec<(String, Status)> = seqs
        .iter()
        .map(|&s| {
            common::snapshot_of(&e, s)
                .map(|t| (t.id, t.status))
                .unwrap()
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("live".into(), Status::Running),
            ("ext".into(), Status::Cancelled),
            ("queued".into(), Status::Cancelled)
        ]
    );
    let out = drain(&mut e);
    assert!(out.contains(&Out::Abort("live".into())));
    assert!(
        !out.iter().any(|o| matches!(o, Out::Start(_))),
        "nothing queued starts: {out:?}"
    );
    settle(&mut e, "live", Err("aborted"), T0 + 2);
    assert_eq!(status(&mut e, "live", T0 + 2), Status::Cancelled);
}

#[test]
fn a_thousand_tasks_through_a_limit_of_four() {
    let mut e = limited(Some(4), &[]);
    for i in 0..1_000 {
        launch(&mut e, &format!("t{i}"), "a", T0);
    }
    let (mut running, mut peak, mut started, mut now) = (Vec::new(), 0, Vec::new(), T0);
    loop {
        for out in drain(&mut e) {
            if let Out::Start(id) = out {
                started.push(id.clone());
                running.push(id);
            }
        }
        peak = peak.max(running.len());
        assert!(e.active() <= 4);
        if running.is_empty() {
            break;
        }
        // Finish the oldest running task.
        let id = running.remove(0);
        now += 1;
        settle(&mut e, &id, Ok("done"), now);
    }
    assert_eq!(peak, 4);
    assert_eq!(
        started,
        (0..1_000).map(|i| format!("t{i}")).collect::<Vec<_>>(),
        "FIFO"
    );
    assert_eq!(e.count(Status::Completed), 1_000);
}

#[test]
fn cleanup_stops_every_runner() {
    let mut e = limited(Some(1), &[]);
    e.set_events(true);
    launch(&mut e, "live", "a", T0);
    launch(&mut e, "queued", "a", T0);
    common::wait(&mut e, "queued", true, None, 1, T0).unwrap();
    drain(&mut e);
    e.dispose();
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Abort("#0".into()),
            Out::Close("#0".into()),
            Out::Event(Ev::Removed("live".into())),
            Out::Dispose(1),
            Out::Event(Ev::Removed("queued".into())),
        ]
    );
    assert_eq!(e.active(), 0);
}
