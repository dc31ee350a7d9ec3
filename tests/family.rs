//! Parents and children, and idempotency keys, in the engine: the depth
//! limit, a cancel that reaches every descendant, a wait for a whole tree,
//! a parent kept while its tree runs; reject, join, enqueue and replace.
//! Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::{
    Answer, Config, ErrorKind, OnConflict, Queueing, Status, Wait, Want,
};
use common::{launched, seq, E, T0};

fn put(e: &mut E, id: &str, q: Queueing<'_>, at: u64) -> Result<u64, String> {
    let r = e
        .launch(Some(id.to_string()), None, "a", q, launched("a", "p"), at)
        .map_err(|err| err.code().to_string());
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    r
}

fn child(e: &mut E, id: &str, parent: &str, at: u64) -> Result<u64, String> {
    let parent = seq(e, parent);
    put(
        e,
        id,
        Queueing {
            parent: Some(parent),
            ..Default::default()
        },
        at,
    )
}

fn keyed(e: &mut E, id: &str, key: &str, on: OnConflict, at: u64) -> Result<u64, String> {
    put(
        e,
        id,
        Queueing {
            idempotency: Some((key, on)),
            ..Default::default()
        },
        at,
    )
}

fn status(e: &E, id: &str) -> Status {
    e.task(seq(e, id)).expect("held").status
}

fn settle(e: &mut E, id: &str, at: u64) {
    let s = seq(e, id);
    e.run_settled(s, Ok("r"), at);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn children_are_listed_and_nest_no_deeper_than_max_depth() {
    let mut e = common::with(Config {
        max_depth: 2,
        ..Config::default()
    });
    put(&mut e, "root", Queueing::default(), T0).unwrap();
    child(&mut e, "c1", "root", T0).unwrap();
    child(&mut e, "c2", "root", T0).unwrap();
    child(&mut e, "g1", "c1", T0).unwrap();
    assert_eq!(
        child(&mut e, "too-deep", "g1", T0),
        Err("INVALID_ARGUMENT".into())
    );
    let (parent, children) = e.family(seq(&e, "root"));
    assert_eq!(parent, None);
    assert_eq!(children, &[seq(&e, "c1"), seq(&e, "c2")]);
    assert_eq!(e.family(seq(&e, "g1")).0, Some(seq(&e, "c1")));
    // A final task has no more children.
    settle(&mut e, "c2", T0 + 1);
    assert_eq!(
        child(&mut e, "late", "c2", T0 + 2),
        Err("INVALID_TRANSITION".into())
    );
    let err = e
        .launch(
            None,
            None,
            "a",
            Queueing {
                parent: Some(999),
                ..Default::default()
            },
            launched("a", "p"),
            T0,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorKind::TaskNotFound.code());
}

#[test]
fn cancelling_a_task_cancels_every_descendant_even_one_launched_meanwhile() {
    let mut e = common::with(Config::default());
    put(&mut e, "root", Queueing::default(), T0).unwrap();
    child(&mut e, "c", "root", T0).unwrap();
    child(&mut e, "g", "c", T0).unwrap();
    child(&mut e, "other", "root", T0).unwrap();
    settle(&mut e, "other", T0 + 1);
    // Runners get the grace period; each is signalled.
    e.cancel(&"root".to_string(), false, T0 + 2).unwrap();
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    // Launched while the cancel is under way: cancelled at once.
    child(&mut e, "new", "c", T0 + 3).unwrap();
    assert_eq!(status(&e, "new"), Status::Cancelled);
    e.advance(T0 + 2 + e.config().cancel_grace);
    for id in ["root", "c", "g"] {
        assert_eq!(status(&e, id), Status::Cancelled, "{id}");
    }
    assert_eq!(
        status(&e, "other"),
        Status::Completed,
        "a final child stays as it ended"
    );
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn a_tree_wait_answers_once_the_task_and_all_its_descendants_are_final() {
    let mut e = common::with(Config::default());
    put(&mut e, "root", Queueing::default(), T0).unwrap();
    child(&mut e, "c", "root", T0).unwrap();
    let want = Want::Output {
        since: None,
        tree: true,
    };
    let w = e
        .wait_for(&"root".to_string(), want, true, None, || 7, T0)
        .unwrap();
    assert!(matches!(w, Wait::Pending));
    settle(&mut e, "root", T0 + 1);
    assert!(
        common::drain(&mut e)
            .iter()
            .all(|o| !matches!(o, common::Out::Wake(..))),
        "c still runs"
    );
    // A grandchild launched under the live child holds the wait too.
    child(&mut e, "g", "c", T0 + 2).unwrap();
    settle(&mut e, "c", T0 + 3);
    assert!(
        common::drain(&mut e)
            .iter()
            .all(|o| !matches!(o, common::Out::Wake(..))),
        "g still runs"
    );
    settle(&mut e, "g", T0 + 4);
    let woken: Vec<_> = common::drain(&mut e)
        .into_iter()
        .filter(|o| matches!(o, common::Out::Wake(7, Status::Completed, _)))
        .collect();
    assert_eq!(woken.len(), 1, "woken once, with the root's final answer");
    // Once the tree is final a tree wait answers at once.
    let w = e
        .wait_for(&"root".to_string(), want, true, None, || 8, T0 + 5)
        .unwrap();
    assert!(matches!(
        w,
        Wait::Ready(Answer::Output {
            status: Status::Completed,
            ..
        })
    ));
}

#[test]
fn a_parent_past_its_ttl_stays_while_its_tree_runs_then_leaves() {
    let mut e = common::with(Config {
        task_ttl: 1_000,
        ..Config::default()
    });
    put(&mut e, "root", Queueing::default(), T0).unwrap();
    child(&mut e, "c", "root", T0).unwrap();
    settle(&mut e, "root", T0 + 10);
    // The child is launched under c late, so it runs past root's eviction.
    child(&mut e, "g", "c", T0 + 900).unwrap();
    e.advance(T0 + 1_200);
    assert_eq!(status(&e, "c"), Status::Error, "c reached its TTL");
    assert!(
        e.get(&"root".to_string()).is_some(),
        "root is past its TTL but g runs"
    );
    settle(&mut e, "g", T0 + 1_300);
    assert!(
        e.get(&"root".to_string()).is_none(),
        "root left once its tree was final"
    );
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn idempotency_keys_reject_join_enqueue_and_replace() {
    let mut e = common::with(Config::default());
    let first = keyed(&mut e, "first", "k", OnConflict::Reject, T0).unwrap();
    assert_eq!(
        keyed(&mut e, "again", "k", OnConflict::Reject, T0),
        Err("DUPLICATE_ID".into())
    );
    assert_eq!(keyed(&mut e, "join", "k", OnConflict::Join, T0), Ok(first));
    assert!(e.get(&"join".to_string()).is_none(), "join makes no task");
    keyed(&mut e, "second", "k", OnConflict::Enqueue, T0).unwrap();
    keyed(&mut e, "third", "k", OnConflict::Enqueue, T0).unwrap();
    assert_eq!(
        status(&e, "second"),
        Status::Queued,
        "held until first is final"
    );
    // A held task that ends passes its wait on: third now waits for first.
    e.cancel(&"second".to_string(), false, T0 + 1).unwrap();
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    assert_eq!(status(&e, "third"), Status::Queued);
    settle(&mut e, "first", T0 + 2);
    assert_eq!(status(&e, "third"), Status::Running);
    // Replace cancels the live holder (its runner gets the grace period),
    // then runs.
    keyed(&mut e, "fourth", "k", OnConflict::Replace, T0 + 3).unwrap();
    assert_eq!(status(&e, "fourth"), Status::Queued);
    e.advance(T0 + 3 + e.config().cancel_grace);
    assert_eq!(status(&e, "third"), Status::Cancelled);
    assert_eq!(status(&e, "fourth"), Status::Running);
    // With every holder final the key is free.
    settle(&mut e, "fourth", T0 + 5_000);
    keyed(&mut e, "fresh", "k", OnConflict::Reject, T0 + 5_001).unwrap();
    assert_eq!(status(&e, "fresh"), Status::Running);
    // Other keys are not affected, and an empty key is refused.
    keyed(&mut e, "other", "j", OnConflict::Reject, T0 + 5_001).unwrap();
    assert_eq!(
        keyed(&mut e, "empty", "", OnConflict::Reject, T0),
        Err("INVALID_ARGUMENT".into())
    );
}
