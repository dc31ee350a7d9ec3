//! Launched tasks in the engine: queue and limits, runner outcomes, output,
//! cancellation with a grace period, events. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

use background_manager::engine::{
    Cancel, Config, Effect, Engine, ErrorKind, Event, Host, Run, Status,
};

struct Test;
impl Host for Test {
    type Payload = String;
    type Waiter = u32;
    type Session = &'static str;
}

const T0: u64 = 1_700_000_000_000;

fn engine(config: Config) -> Engine<Test> {
    let mut e = Engine::new(config);
    e.initialize("s", "session".into(), T0);
    e
}

fn limited(max: Option<usize>, agents: &[(&str, usize)]) -> Engine<Test> {
    engine(Config {
        max_concurrent: max,
        agent_limits: agents.iter().map(|&(a, n)| (a.to_string(), n)).collect(),
        ..Config::default()
    })
}

#[derive(Debug, PartialEq)]
enum Out {
    Notify(String, Status),
    Wake(u32, Status),
    Dispose(u32),
    Start(String),
    Abort(String),
    Close(String),
    Event(Event),
}

fn drain(e: &mut Engine<Test>) -> Vec<Out> {
    let mut out = Vec::new();
    while let Some(effect) = e.pop_effect() {
        let id = |seq: u64| {
            e.by_seq(seq)
                .map_or(format!("#{seq}"), |t| t.id.to_string())
        };
        out.push(match effect {
            Effect::Notify {
                task_id, status, ..
            } => Out::Notify(task_id.to_string(), status),
            Effect::Wake { waiter, task, .. } => Out::Wake(waiter, task.status),
            Effect::Dispose { waiter, .. } => Out::Dispose(waiter),
            Effect::Start { task_id, .. } => Out::Start(task_id.to_string()),
            Effect::Abort { seq } => Out::Abort(id(seq)),
            Effect::Close { seq } => Out::Close(id(seq)),
            Effect::Event { event, .. } => Out::Event(event),
        });
    }
    assert!(e.is_consistent(), "state out of step");
    out
}

fn launch(e: &mut Engine<Test>, id: &str, agent: &str, at: u64) -> Status {
    e.launch(Some(id), None, agent, "prompt", format!("opts-{id}"), at)
        .unwrap()
        .status
}

fn seq(e: &mut Engine<Test>, id: &str) -> u64 {
    let wanted = e.get(id, 0).unwrap().id.clone();
    (0..10_000)
        .find(|&s| e.by_seq(s).is_some_and(|t| t.id == wanted))
        .unwrap()
}

fn status(e: &mut Engine<Test>, id: &str, at: u64) -> Status {
    e.get(id, at).unwrap().status
}

#[test]
fn a_launched_task_starts_at_once_and_its_runner_completes_it() {
    let mut e = engine(Config::default());
    let t = e
        .launch(None, None, "default", "Write", "o".into(), T0)
        .unwrap();
    assert_eq!((t.status, t.run), (Status::Running, Run::Live));
    assert_eq!((t.agent(), t.prompt()), (Some("default"), Some("Write")));
    let id = t.id.to_string();
    match e.pop_effect() {
        Some(Effect::Start {
            task_id,
            agent,
            prompt,
            session_id,
            options,
            ..
        }) => {
            assert_eq!(task_id.to_string(), id);
            assert_eq!((&*agent, &*prompt), ("default", "Write"));
            assert_eq!(&*session_id, "session");
            assert_eq!(options, "o");
        }
        _ => panic!("expected a Start"),
    }
    let s = seq(&mut e, &id);
    e.run_settled(s, Ok("the result".into()), T0 + 5);
    let t = e.get(&id, T0 + 5).unwrap();
    assert_eq!(
        (t.status, t.result().map(String::as_str), t.updated_at),
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
    let s = seq(&mut e, "t");
    e.run_settled(s, Err("runner blew up".into()), T0 + 1);
    let t = e.get("t", T0 + 1).unwrap();
    assert_eq!(
        (t.status, t.error()),
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
    let s1 = seq(&mut e, "t1");
    e.run_settled(s1, Ok("r".into()), T0 + 1);
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
    let s = seq(&mut e, "s1");
    e.run_settled(s, Ok("r".into()), T0 + 1);
    assert_eq!(status(&mut e, "s2", T0 + 1), Status::Running);
}

#[test]
fn a_cancelled_queued_task_never_runs() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "busy", "a", T0);
    launch(&mut e, "waiting", "a", T0);
    drain(&mut e);
    let t = e.cancel("waiting", false, T0 + 1).unwrap().done().unwrap();
    assert_eq!(t.status, Status::Cancelled);
    let s = seq(&mut e, "busy");
    e.run_settled(s, Ok("r".into()), T0 + 2);
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
    assert!(matches!(
        e.cancel("t", false, T0 + 10).unwrap(),
        Cancel::Stopping(_)
    ));
    assert_eq!(drain(&mut e), vec![Out::Abort("t".into())]);
    assert_eq!(status(&mut e, "t", T0 + 11), Status::Running);
    let refused = e.complete("t", "late".into(), T0 + 12).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidTransition);
    assert!(refused.message.contains("being cancelled"));
    assert!(
        matches!(e.cancel("t", false, T0 + 13).unwrap(), Cancel::Stopping(_)),
        "a second cancel joins"
    );
    e.wait_for("t", true, None, 9, T0 + 14).unwrap();
    // The runner stops (here by resolving anyway): the task ends cancelled.
    let s = seq(&mut e, "t");
    e.run_settled(s, Ok("ignored".into()), T0 + 20);
    let t = e.get("t", T0 + 20).unwrap();
    assert_eq!((t.status, t.result().cloned()), (Status::Cancelled, None));
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
        e.cancel("stubborn", false, T0).unwrap(),
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
    let t = e.get("stubborn", T0 + 2_000).unwrap();
    assert_eq!((t.status, t.updated_at), (Status::Cancelled, T0 + 2_000));
    assert_eq!(status(&mut e, "next", T0 + 2_000), Status::Running);
    drain(&mut e);
    // It resolves long after: nothing changes, nobody is told again.
    let s = seq(&mut e, "stubborn");
    e.run_settled(s, Ok("too late".into()), T0 + 9_000);
    assert_eq!(status(&mut e, "stubborn", T0 + 9_000), Status::Cancelled);
    assert!(drain(&mut e).is_empty());
}

#[test]
fn force_cancels_at_once_and_frees_the_slot() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "a", "x", T0);
    launch(&mut e, "b", "x", T0);
    drain(&mut e);
    let t = e.cancel("a", true, T0 + 1).unwrap().done().unwrap();
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
    let s = seq(&mut e, "a");
    e.run_settled(s, Err("aborted".into()), T0 + 2);
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
    let hog = e.get("hog", T0 + 1_500).unwrap();
    assert!(hog.error().unwrap().contains("timed out"));
    let waiting = e.get("waiting", T0 + 1_500).unwrap();
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
    let s = seq(&mut e, "t");
    e.run_write(s, "hello ", T0 + 1);
    e.run_write(s, "world", T0 + 2);
    let t = e.get("t", T0 + 2).unwrap();
    assert_eq!(
        (t.output.text(), t.updated_at),
        ("hello world".to_string(), T0 + 2)
    );
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Event(Event::Output {
                task_id: "t".into(),
                chunk: "hello ".into(),
                cursor: 6
            }),
            Out::Event(Event::Output {
                task_id: "t".into(),
                chunk: "world".into(),
                cursor: 11
            }),
        ]
    );
    e.run_settled(s, Ok("r".into()), T0 + 3);
    e.run_write(s, " after the end", T0 + 4);
    assert_eq!(e.get("t", T0 + 4).unwrap().output.text(), "hello world");
}

#[test]
fn append_output_serves_tasks_driven_from_outside() {
    let mut e = engine(Config {
        output_cap: 164,
        ..Config::default()
    });
    e.create(Some("ext"), None, String::new(), T0).unwrap();
    for i in 0..100 {
        e.append_output("ext", &format!("{i:03}\n"), T0 + 1)
            .unwrap();
    }
    let text = e.get("ext", T0 + 1).unwrap().output.text();
    assert!(
        text.starts_with("000\n001\n") && text.ends_with("098\n099\n"),
        "{text}"
    );
    assert!(text.contains("bytes of output cut"));
    assert_eq!(
        e.append_output("nope", "x", T0).unwrap_err().kind,
        ErrorKind::TaskNotFound
    );
    e.complete("ext", String::new(), T0 + 2).unwrap();
    let err = e.append_output("ext", "x", T0 + 3).unwrap_err();
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
    let sa = seq(&mut e, "a");
    e.run_write(sa, "out", T0 + 1);
    e.run_settled(sa, Ok("r".into()), T0 + 2);
    let events: Vec<Event> = drain(&mut e)
        .into_iter()
        .filter_map(|o| match o {
            Out::Event(ev) => Some(ev),
            _ => None,
        })
        .collect();
    let status = |id: &str, status, previous| Event::Status {
        task_id: id.into(),
        status,
        previous,
    };
    assert_eq!(
        events,
        vec![
            Event::Created {
                task_id: "a".into(),
                status: Status::Queued,
            },
            status("a", Status::Running, Status::Queued),
            Event::Created {
                task_id: "b".into(),
                status: Status::Queued,
            },
            Event::Output {
                task_id: "a".into(),
                chunk: "out".into(),
                cursor: 3
            },
            status("a", Status::Completed, Status::Running),
            status("b", Status::Running, Status::Queued),
        ]
    );
    e.advance(T0 + 102);
    let removed: Vec<Out> = drain(&mut e)
        .into_iter()
        .filter(|o| matches!(o, Out::Event(Event::Removed { .. })))
        .collect();
    assert_eq!(
        removed,
        vec![Out::Event(Event::Removed {
            task_id: "a".into()
        })]
    );
}

#[test]
fn cancel_all_cancels_queued_and_external_tasks_at_once_and_stops_runners() {
    let mut e = limited(Some(1), &[]);
    launch(&mut e, "live", "a", T0);
    e.create(Some("ext"), None, String::new(), T0).unwrap();
    launch(&mut e, "queued", "a", T0);
    drain(&mut e);
    let seqs = e.cancel_all(false, T0 + 1);
    let listed: Vec<(String, Status)> = seqs
        .iter()
        .map(|&s| e.by_seq(s).map(|t| (t.id.to_string(), t.status)).unwrap())
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
    let s = seq(&mut e, "live");
    e.run_settled(s, Err("aborted".into()), T0 + 2);
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
        let s = seq(&mut e, &id);
        e.run_settled(s, Ok(id), now);
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
    e.wait_for("queued", true, None, 1, T0).unwrap();
    drain(&mut e);
    e.dispose();
    assert_eq!(
        drain(&mut e),
        vec![
            Out::Abort("#0".into()),
            Out::Close("#0".into()),
            Out::Event(Event::Removed {
                task_id: "live".into()
            }),
            Out::Dispose(1),
            Out::Event(Event::Removed {
                task_id: "queued".into()
            }),
        ]
    );
    assert_eq!(e.active(), 0);
}
