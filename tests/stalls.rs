//! Stalls in the engine: a running task with no write, progress or
//! heartbeat for its `stallAfter` is stalled (an event, a log entry,
//! `stalledSince`), activity resumes it, `failAfterStall` fails it; all on
//! the wall clock each call passes in. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::memstore::log_entries::MemEntryKind as K;
use background_manager::engine::{Config, Queueing, StallRule, Status};
use common::{launched, seq, Ev, Out, E, T0};

fn put(e: &mut E, id: &str, stall: StallRule, at: u64) {
    let q = Queueing {
        stall,
        ..Default::default()
    };
    e.launch(Some(id.to_string()), None, "a", q, launched("a", "p"), at)
        .expect("launch");
}

fn rule(after: u64, fail_after: Option<u64>) -> StallRule {
    StallRule { after, fail_after }
}

/// The stall events among the effects queued so far.
fn stalls(e: &mut E) -> Vec<Ev> {
    common::drain(e)
        .into_iter()
        .filter_map(|o| match o {
            Out::Event(ev @ Ev::Stalled(..)) => Some(ev),
            _ => None,
        })
        .collect()
}

fn since(e: &E, id: &str) -> Option<u64> {
    e.stalled_since(seq(e, id))
}

fn listening(config: Config) -> E {
    let mut e = common::with(config);
    e.set_events(true);
    e
}

#[test]
fn no_activity_for_stall_after_stalls_it_and_activity_resumes_it() {
    let mut e = listening(Config::default());
    put(&mut e, "t", rule(100, None), T0);
    e.advance(T0 + 99);
    assert_eq!((since(&e, "t"), stalls(&mut e)), (None, vec![]));
    e.advance(T0 + 100);
    assert_eq!(since(&e, "t"), Some(T0 + 100));
    assert_eq!(
        stalls(&mut e),
        vec![Ev::Stalled("t".into(), Some(T0 + 100))]
    );
    assert!(common::write(&mut e, "t", "alive", T0 + 150));
    assert_eq!(since(&e, "t"), None);
    assert_eq!(stalls(&mut e), vec![Ev::Stalled("t".into(), None)]);
    // Quiet again: stalled again, counted from the write.
    e.advance(T0 + 250);
    assert_eq!(since(&e, "t"), Some(T0 + 250));
    let s = seq(&e, "t");
    let kinds: Vec<_> = e
        .store()
        .read_log(s, 0, 100)
        .unwrap()
        .into_iter()
        .map(|x| x.kind)
        .collect();
    let stalled: Vec<_> = kinds
        .iter()
        .filter(|k| matches!(k, K::Stalled(_)))
        .collect();
    assert_eq!(
        stalled,
        vec![&K::Stalled(true), &K::Stalled(false), &K::Stalled(true)]
    );
    assert_eq!(
        e.task(s).unwrap().status,
        Status::Running,
        "a stall alone does not end it"
    );
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn progress_and_heartbeats_keep_a_task_from_stalling() {
    let mut e = listening(Config::default());
    put(&mut e, "t", rule(100, Some(0)), T0);
    let s = seq(&e, "t");
    for i in 1..=20 {
        let at = T0 + i * 60;
        if i % 2 == 0 {
            assert!(e.run_report(s, None, at), "heartbeat");
        } else {
            assert!(e.run_report(s, Some((&"p", 0)), at), "progress");
        }
        assert_eq!(since(&e, "t"), None, "at {at}");
    }
    assert!(stalls(&mut e).is_empty());
    assert_eq!(e.task(s).unwrap().status, Status::Running);
}

#[test]
fn a_late_look_stalls_as_of_the_wall_clock_not_the_timer() {
    let mut e = listening(Config::default());
    put(&mut e, "t", rule(100, None), T0);
    assert!(common::write(&mut e, "t", "x", T0 + 90));
    // Nothing ran between T0 + 90 and T0 + 1000 (a throttled tab): the
    // stall is as of T0 + 190, the first moment it was quiet for 100 ms.
    e.advance(T0 + 1_000);
    assert_eq!(since(&e, "t"), Some(T0 + 190));
    assert_eq!(
        stalls(&mut e),
        vec![Ev::Stalled("t".into(), Some(T0 + 190))]
    );
}

#[test]
fn fail_after_stall_fails_it_that_long_after_the_stall() {
    let mut e = common::with(Config::default());
    put(&mut e, "now", rule(100, Some(0)), T0);
    put(&mut e, "later", rule(100, Some(50)), T0);
    e.advance(T0 + 100);
    assert_eq!(e.get(&"now".to_string()).unwrap().status, Status::Error);
    assert_eq!(e.get(&"later".to_string()).unwrap().status, Status::Running);
    e.advance(T0 + 149);
    assert_eq!(e.get(&"later".to_string()).unwrap().status, Status::Running);
    e.advance(T0 + 150);
    let later = e.get(&"later".to_string()).unwrap();
    assert_eq!((later.status, later.updated_at), (Status::Error, T0 + 150));
    let snap = common::get(&mut e, "later", T0 + 151).unwrap();
    assert!(
        snap.error.as_deref().is_some_and(|m| m.contains("stalled")),
        "{:?}",
        snap.error
    );
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn the_managers_rule_applies_to_launches_without_one_and_only_while_running() {
    let mut e = common::with(Config {
        stall: rule(100, None),
        max_concurrent: Some(1),
        ..Config::default()
    });
    put(&mut e, "first", StallRule::default(), T0);
    put(&mut e, "queued", StallRule::default(), T0);
    put(&mut e, "own", rule(1_000, None), T0);
    common::create(&mut e, "driven", T0);
    e.advance(T0 + 500);
    assert_eq!(since(&e, "first"), Some(T0 + 100));
    assert_eq!(
        since(&e, "queued"),
        None,
        "a queued task has no runner to stall"
    );
    assert_eq!(since(&e, "driven"), None, "a createTask task has no runner");
    // The queued task starts when the slot frees; its clock starts then.
    e.run_settled(seq(&e, "first"), Ok("r"), T0 + 500);
    e.advance(T0 + 599);
    assert_eq!(since(&e, "queued"), None);
    e.advance(T0 + 600);
    assert_eq!(since(&e, "queued"), Some(T0 + 600));
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}
