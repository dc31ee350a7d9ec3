//! The queue of launched tasks in the engine: concurrency keys and the keys
//! they are under, priority, pause and resume, and a full key that never
//! holds back a task with room. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::{Config, ErrorKind, Queueing, Status};
use common::{launched, seq, E, T0};

fn engine(keys: &[(&str, usize)], max: Option<usize>) -> E {
    common::with(Config {
        max_concurrent: max,
        key_limits: keys.iter().map(|&(k, n)| (k.to_string(), n)).collect(),
        ..Config::default()
    })
}

/// Launches `id` with `key` and `priority`; returns its status.
fn put(e: &mut E, id: &str, key: Option<&str>, priority: i32, at: u64) -> Status {
    let s = e
        .launch(
            Some(id.to_string()),
            None,
            "a",
            Queueing {
                key,
                priority,
                ..Default::default()
            },
            launched("a", "p"),
            at,
        )
        .expect("launch");
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    e.task(s).expect("held").status
}

fn status(e: &E, id: &str) -> Status {
    e.task(seq(e, id)).expect("held").status
}

fn done(e: &mut E, id: &str, at: u64) {
    let s = seq(e, id);
    e.run_settled(s, Ok("r"), at);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn a_key_counts_against_itself_and_every_key_it_is_under() {
    let mut e = engine(&[("openai", 2), ("openai/gpt-5", 1)], None);
    assert_eq!(
        put(&mut e, "g1", Some("openai/gpt-5"), 0, T0),
        Status::Running
    );
    assert_eq!(
        put(&mut e, "g2", Some("openai/gpt-5"), 0, T0),
        Status::Queued
    );
    assert_eq!(put(&mut e, "o1", Some("openai"), 0, T0), Status::Running);
    // `openai` is full (g1 and o1), though `openai/mini` has no limit.
    assert_eq!(
        put(&mut e, "m1", Some("openai/mini"), 0, T0),
        Status::Queued
    );
    // Other keys, and no key, have room.
    assert_eq!(put(&mut e, "x1", Some("anthropic"), 0, T0), Status::Running);
    assert_eq!(put(&mut e, "n1", None, 0, T0), Status::Running);
    // A key that only starts like a limited one is not under it.
    assert_eq!(put(&mut e, "z1", Some("openai2"), 0, T0), Status::Running);
    done(&mut e, "g1", T0 + 1);
    // g2 is older than m1 and its keys now have room.
    assert_eq!(
        (status(&e, "g2"), status(&e, "m1")),
        (Status::Running, Status::Queued)
    );
    done(&mut e, "o1", T0 + 2);
    assert_eq!(status(&e, "m1"), Status::Running);
}

#[test]
fn a_full_key_never_holds_back_a_later_task_whose_keys_have_room() {
    let mut e = engine(&[("busy", 1)], Some(3));
    put(&mut e, "b0", Some("busy"), 0, T0);
    for i in 1..=1_000 {
        assert_eq!(
            put(&mut e, &format!("b{i}"), Some("busy"), 0, T0),
            Status::Queued
        );
    }
    assert_eq!(put(&mut e, "free", Some("other"), 0, T0), Status::Running);
    assert_eq!(put(&mut e, "plain", None, 0, T0), Status::Running);
    // The global limit still holds: three running.
    assert_eq!(put(&mut e, "over", None, 0, T0), Status::Queued);
    // Within the key, creation order: b1, then b2.
    done(&mut e, "b0", T0 + 1);
    assert_eq!(status(&e, "b1"), Status::Running);
    assert_eq!(status(&e, "b2"), Status::Queued);
    assert_eq!(status(&e, "over"), Status::Queued, "b1 was older");
    done(&mut e, "free", T0 + 2);
    assert_eq!(
        status(&e, "over"),
        Status::Running,
        "busy is full: over passes b2"
    );
    assert_eq!(status(&e, "b2"), Status::Queued);
}

#[test]
fn higher_priority_starts_first_and_creation_order_holds_within_a_priority() {
    let mut e = engine(&[], Some(1));
    put(&mut e, "first", None, 0, T0);
    put(&mut e, "low", None, 0, T0);
    put(&mut e, "high1", None, 5, T0);
    put(&mut e, "high2", None, 5, T0);
    put(&mut e, "negative", None, -1, T0);
    let mut order = Vec::new();
    for (i, id) in ["first", "high1", "high2", "low", "negative"]
        .iter()
        .enumerate()
    {
        assert_eq!(status(&e, id), Status::Running, "{id} runs after {order:?}");
        order.push(*id);
        done(&mut e, id, T0 + 1 + i as u64);
    }
}

#[test]
fn pause_holds_the_queue_and_resume_starts_what_has_room() {
    let mut e = engine(&[], Some(1));
    put(&mut e, "a", None, 0, T0);
    put(&mut e, "b", None, 0, T0);
    e.set_paused(true, T0 + 1);
    assert!(e.is_paused());
    assert_eq!(status(&e, "a"), Status::Running, "running tasks go on");
    done(&mut e, "a", T0 + 2);
    assert_eq!(status(&e, "b"), Status::Queued);
    assert_eq!(
        put(&mut e, "c", None, 0, T0 + 3),
        Status::Queued,
        "nothing starts while paused"
    );
    e.set_paused(false, T0 + 4);
    assert_eq!(
        (status(&e, "b"), status(&e, "c")),
        (Status::Running, Status::Queued)
    );
    // cleanup() leaves a fresh queue: not paused.
    e.set_paused(true, T0 + 5);
    e.dispose();
    e.initialize("s1", "session-1", "session-1".into(), T0 + 6);
    assert!(!e.is_paused());
}

#[test]
fn a_key_limit_of_zero_is_no_limit_and_bad_keys_are_refused() {
    let mut e = engine(&[("k", 0)], None);
    for i in 0..5 {
        assert_eq!(
            put(&mut e, &format!("k{i}"), Some("k"), 0, T0),
            Status::Running
        );
    }
    for bad in ["", "/a", "a/", "a//b"] {
        let err = e
            .launch(
                None,
                None,
                "a",
                Queueing {
                    key: Some(bad),
                    ..Default::default()
                },
                launched("a", "p"),
                T0,
            )
            .expect_err(bad);
        assert_eq!(err.code(), ErrorKind::InvalidArgument.code(), "{bad:?}");
    }
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn cancelling_and_expiring_queued_tasks_leaves_their_lanes() {
    let mut e = engine(&[("k", 1)], None);
    put(&mut e, "run", Some("k"), 0, T0);
    put(&mut e, "wait1", Some("k"), 3, T0);
    put(&mut e, "wait2", Some("k"), 0, T0);
    e.cancel(&"wait1".to_string(), false, T0 + 1)
        .expect("cancel");
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    done(&mut e, "run", T0 + 2);
    assert_eq!(status(&e, "wait2"), Status::Running);
    // Past the TTL every task is gone, and with them their lanes.
    let ttl = e.config().task_ttl;
    e.advance(T0 + 3 * ttl);
    assert!(e.is_empty());
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
    assert_eq!(e.names_held().1, 0, "no agent name held");
}
