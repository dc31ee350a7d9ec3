//! Questions in the engine: a runner's `ask` makes its task
//! `InputRequired` (slot kept, TTL counting, no stall, the question on the
//! snapshot and in the log), `respond` answers it, a timeout or the task's
//! end settles it; `respond` to a task not asking is INVALID_TRANSITION.
//! Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::memstore::log_entries::MemEntryKind as K;
use background_manager::engine::{Config, ErrorKind, Queueing, StallRule, Status};
use common::{launched, seq, Ev, Out, E, T0};

fn put(e: &mut E, id: &str, at: u64) -> u64 {
    e.launch(
        Some(id.to_string()),
        None,
        "a",
        Queueing::default(),
        launched("a", "p"),
        at,
    )
    .expect("launch")
}

fn status(e: &E, id: &str) -> Status {
    e.task(seq(e, id)).unwrap().status
}

fn replies(out: &[Out]) -> Vec<(String, Option<Option<String>>)> {
    out.iter()
        .filter_map(|o| match o {
            Out::Reply(id, r) => Some((id.clone(), r.clone())),
            _ => None,
        })
        .collect()
}

fn kinds(e: &E, id: &str) -> Vec<K<&'static str>> {
    e.store()
        .read_log(seq(e, id), 0, 100)
        .unwrap()
        .into_iter()
        .map(|x| x.kind)
        .collect()
}

#[test]
fn an_ask_keeps_the_slot_shows_the_question_and_respond_runs_it_on() {
    let mut e = common::with(Config {
        max_concurrent: Some(1),
        ..Config::default()
    });
    e.set_events(true);
    let s = put(&mut e, "t", T0);
    put(&mut e, "behind", T0);
    common::drain(&mut e);
    e.ask(s, "which?", None, T0 + 10).expect("ask");
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    assert_eq!(status(&e, "t"), Status::InputRequired);
    assert_eq!(status(&e, "behind"), Status::Queued, "the slot is kept");
    let snap = common::snapshot_of(&e, s).unwrap();
    assert_eq!(snap.question, Some("which?"));
    assert_eq!(snap.updated_at, T0 + 10);
    let out = common::drain(&mut e);
    assert!(out.contains(&Out::Event(Ev::Status(
        "t".into(),
        Status::InputRequired,
        Status::Running
    ))));
    assert!(kinds(&e, "t").contains(&K::Asked("which?")));
    // A second question while one is open, and answers it cannot take.
    let again = e.ask(s, "more?", None, T0 + 11).unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidTransition);

    let r = e.respond(&"t".to_string(), "this one", T0 + 20).unwrap();
    assert_eq!(r, s);
    assert_eq!(status(&e, "t"), Status::Running);
    assert_eq!(common::snapshot_of(&e, s).unwrap().question, None);
    let out = common::drain(&mut e);
    assert_eq!(
        replies(&out),
        vec![("t".to_string(), Some(Some("\"this one\"".to_string())))]
    );
    let err = e.respond(&"t".to_string(), "again", T0 + 21).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidTransition);
    assert!(err.message.contains("not asking"), "{}", err.message);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn a_timeout_ends_the_question_and_the_task_runs_on() {
    let mut e = common::with(Config::default());
    let s = put(&mut e, "t", T0);
    common::drain(&mut e);
    e.ask(s, "q", Some(50), T0).unwrap();
    e.advance(T0 + 49);
    assert_eq!(status(&e, "t"), Status::InputRequired);
    e.advance(T0 + 50);
    assert_eq!(status(&e, "t"), Status::Running);
    assert_eq!(
        replies(&common::drain(&mut e)),
        vec![("t".to_string(), None)]
    );
    // An answer after the timeout is too late.
    let late = e.respond(&"t".to_string(), "a", T0 + 60).unwrap_err();
    assert_eq!(late.kind, ErrorKind::InvalidTransition);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn cancelling_or_ending_an_asking_task_aborts_its_question() {
    let mut e = common::with(Config {
        cancel_grace: 100,
        ..Config::default()
    });
    let graceful = put(&mut e, "graceful", T0);
    let forced = put(&mut e, "forced", T0);
    let finished = put(&mut e, "finished", T0);
    common::drain(&mut e);
    for s in [graceful, forced, finished] {
        e.ask(s, "q", None, T0 + 1).unwrap();
    }
    e.cancel(&"graceful".to_string(), false, T0 + 2).unwrap();
    // Its grace period runs out `running`: it no longer asks.
    assert_eq!(status(&e, "graceful"), Status::Running);
    e.cancel(&"forced".to_string(), true, T0 + 2).unwrap();
    e.complete(&"finished".to_string(), "done", T0 + 2).unwrap();
    let out = common::drain(&mut e);
    let aborted: Vec<_> = replies(&out)
        .into_iter()
        .filter(|(_, r)| *r == Some(None))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(aborted, vec!["graceful", "forced", "finished"]);
    assert_eq!(status(&e, "forced"), Status::Cancelled);
    assert_eq!(status(&e, "finished"), Status::Completed);
    let err = e.ask(graceful, "again", None, T0 + 3).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidTransition);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn an_asking_task_never_stalls_and_its_ttl_keeps_counting() {
    let mut e = common::with(Config {
        task_ttl: 1_000,
        stall: StallRule {
            after: 100,
            fail_after: Some(0),
        },
        ..Config::default()
    });
    let s = put(&mut e, "t", T0);
    common::drain(&mut e);
    e.ask(s, "q", None, T0 + 50).unwrap();
    e.advance(T0 + 900);
    assert_eq!(
        status(&e, "t"),
        Status::InputRequired,
        "no stall while asking"
    );
    assert_eq!(e.stalled_since(s), None);
    e.advance(T0 + 1_000);
    assert_eq!(status(&e, "t"), Status::Error, "its TTL ran out");
    assert_eq!(
        replies(&common::drain(&mut e)),
        vec![("t".to_string(), Some(None))]
    );
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn after_an_answer_the_stall_clock_starts_again() {
    let mut e = common::with(Config {
        stall: StallRule {
            after: 100,
            fail_after: None,
        },
        ..Config::default()
    });
    let s = put(&mut e, "t", T0);
    e.ask(s, "q", None, T0 + 10).unwrap();
    e.respond(&"t".to_string(), "a", T0 + 500).unwrap();
    e.advance(T0 + 599);
    assert_eq!(e.stalled_since(s), None, "counted from the answer");
    e.advance(T0 + 600);
    assert_eq!(e.stalled_since(s), Some(T0 + 600));
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn cancel_all_reaches_asking_tasks() {
    let mut e = common::with(Config::default());
    let s = put(&mut e, "t", T0);
    e.ask(s, "q", None, T0).unwrap();
    let all = e.cancel_all(true, T0 + 1);
    assert_eq!(all, vec![s]);
    assert_eq!(status(&e, "t"), Status::Cancelled);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}
