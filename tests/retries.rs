//! Retries in the engine: a failed attempt runs again after its backoff
//! (or the error's retryAfter), each attempt in the log, a fallback agent
//! per later attempt, `retryable: false` final at once, one notification at
//! the end. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::memstore::log_entries::MemEntryKind as K;
use background_manager::engine::{Config, OnConflict, Queueing, RetryHint, RetryRule, Status};
use common::{launched, Out, E, T0};

fn rule(attempts: u32, fallback: &[&str]) -> RetryRule {
    RetryRule {
        attempts,
        initial: 100,
        max: 1_000,
        factor: 2.0,
        jitter: 0.0,
        fallback: fallback.iter().map(|a| a.to_string()).collect(),
    }
}

fn put(e: &mut E, id: &str, r: RetryRule, at: u64) -> u64 {
    let queueing = Queueing {
        retry: Some(&r),
        ..Default::default()
    };
    e.launch(Some(id.into()), None, "a", queueing, launched("a", "p"), at)
        .expect("launch")
}

fn fail(e: &mut E, s: u64, message: &str, hint: RetryHint, at: u64) {
    e.run_failed(s, message.to_string(), hint, at);
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

fn status(e: &E, s: u64) -> Status {
    e.task(s).unwrap().status
}

fn notices(out: &[Out]) -> usize {
    out.iter().filter(|o| matches!(o, Out::Notify(..))).count()
}

#[test]
fn a_failed_attempt_runs_again_after_its_backoff_until_the_attempts_are_spent() {
    let mut e = common::with(Config::default());
    let s = put(&mut e, "t", rule(3, &[]), T0);
    common::drain(&mut e);
    fail(&mut e, s, "first", RetryHint::default(), T0 + 10);
    assert_eq!(status(&e, s), Status::Queued, "waiting out its backoff");
    assert_eq!(e.task(s).unwrap().attempt(), 2);
    e.advance(T0 + 109);
    assert_eq!(status(&e, s), Status::Queued);
    e.advance(T0 + 110);
    assert_eq!(status(&e, s), Status::Running, "100 ms later");
    let out = common::drain(&mut e);
    assert!(
        out.iter().any(|o| matches!(o, Out::Start(..))),
        "its runner is called again"
    );
    assert_eq!(notices(&out), 0, "no notification between attempts");
    // The second delay is twice the first.
    fail(&mut e, s, "second", RetryHint::default(), T0 + 120);
    e.advance(T0 + 319);
    assert_eq!(status(&e, s), Status::Queued);
    e.advance(T0 + 320);
    assert_eq!(status(&e, s), Status::Running);
    fail(&mut e, s, "third", RetryHint::default(), T0 + 330);
    assert_eq!(status(&e, s), Status::Error, "three attempts spent");
    let snap = common::get(&mut e, "t", T0 + 331).unwrap();
    assert_eq!(
        snap.error.as_deref(),
        Some("third"),
        "the last attempt's error"
    );
    assert_eq!(
        notices(&common::drain(&mut e)),
        1,
        "one notification, at the end"
    );
    let kinds: Vec<_> = e
        .store()
        .read_log(s, 0, 100)
        .unwrap()
        .into_iter()
        .map(|x| x.kind)
        .collect();
    let retries: Vec<_> = kinds
        .iter()
        .filter_map(|k| match k {
            K::Retry(attempt, error, at) => Some((*attempt, error.clone(), *at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        vec![
            (1, "first".into(), T0 + 110),
            (2, "second".into(), T0 + 320)
        ]
    );
}

#[test]
fn retry_after_sets_the_delay_and_a_non_retryable_error_is_final() {
    let mut e = common::with(Config::default());
    let s = put(&mut e, "t", rule(5, &[]), T0);
    let hint = RetryHint {
        retryable: true,
        after: Some(5_000),
    };
    fail(&mut e, s, "busy", hint, T0);
    e.advance(T0 + 4_999);
    assert_eq!(status(&e, s), Status::Queued);
    e.advance(T0 + 5_000);
    assert_eq!(status(&e, s), Status::Running);
    let never = RetryHint {
        retryable: false,
        after: None,
    };
    fail(&mut e, s, "bad request", never, T0 + 5_001);
    assert_eq!(status(&e, s), Status::Error);
}

#[test]
fn fallback_agents_run_the_later_attempts_under_their_own_limits() {
    let mut e = common::with(Config {
        agent_limits: vec![("b".into(), 1)],
        ..Config::default()
    });
    let busy = e
        .launch(
            Some("busy-b".into()),
            None,
            "b",
            Default::default(),
            launched("b", "p"),
            T0,
        )
        .unwrap();
    let s = put(&mut e, "t", rule(3, &["b", "c"]), T0);
    fail(&mut e, s, "a failed", RetryHint::default(), T0);
    e.advance(T0 + 100);
    assert_eq!(e.agent_name(&e.task(s).unwrap()), Some("b"));
    assert_eq!(status(&e, s), Status::Queued, "b is at its limit");
    e.run_settled(busy, Ok("done"), T0 + 150);
    assert_eq!(status(&e, s), Status::Running, "b has room again");
    let snap = common::get(&mut e, "t", T0 + 151).unwrap();
    assert_eq!(
        (snap.agent.as_deref(), e.task(s).unwrap().attempt()),
        (Some("b"), 2)
    );
    fail(&mut e, s, "b failed", RetryHint::default(), T0 + 160);
    e.advance(T0 + 360);
    assert_eq!(e.agent_name(&e.task(s).unwrap()), Some("c"));
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn a_cancel_during_the_backoff_ends_it_and_a_success_ends_the_retries() {
    let mut e = common::with(Config::default());
    let s = put(&mut e, "gone", rule(3, &[]), T0);
    fail(&mut e, s, "x", RetryHint::default(), T0);
    e.cancel(&"gone".to_string(), false, T0 + 10).unwrap();
    assert_eq!(status(&e, s), Status::Cancelled);
    e.advance(T0 + 1_000);
    assert_eq!(
        status(&e, s),
        Status::Cancelled,
        "its backoff's end changes nothing"
    );
    let t = put(&mut e, "ok", rule(3, &[]), T0 + 1_000);
    fail(&mut e, t, "x", RetryHint::default(), T0 + 1_000);
    e.advance(T0 + 1_100);
    common::drain(&mut e);
    e.run_settled(t, Ok("fine"), T0 + 1_200);
    assert_eq!(status(&e, t), Status::Completed);
    assert_eq!(notices(&common::drain(&mut e)), 1);
    // A task launched without a rule fails on its first error.
    let once = e
        .launch(
            Some("once".into()),
            None,
            "a",
            Default::default(),
            launched("a", "p"),
            T0 + 1_300,
        )
        .unwrap();
    fail(&mut e, once, "x", RetryHint::default(), T0 + 1_300);
    assert_eq!(status(&e, once), Status::Error);
}

#[test]
fn a_launch_that_joins_a_live_task_leaves_its_rule() {
    let mut e = common::with(Config::default());
    let key = Some(("k", OnConflict::Join));
    let once = rule(1, &[]);
    let first = Queueing {
        idempotency: key,
        retry: Some(&once),
        ..Default::default()
    };
    let s = e
        .launch(Some("t".into()), None, "a", first, launched("a", "p"), T0)
        .expect("launch");
    let three = rule(3, &[]);
    let again = Queueing {
        idempotency: key,
        retry: Some(&three),
        ..Default::default()
    };
    let joined = e
        .launch(None, None, "a", again, launched("a", "p"), T0 + 1)
        .expect("join");
    assert_eq!(joined, s, "the same task");
    common::drain(&mut e);
    fail(&mut e, s, "down", RetryHint::default(), T0 + 10);
    assert_eq!(status(&e, s), Status::Error, "its own rule: one attempt");
}
