//! SPEC §3–6 against the engine, natively, with a fake clock: a 30-minute
//! TTL takes no real time.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashSet;

use background_manager::engine::{uuid_v4, Config, ErrorKind, Status, BACKOFF_CAP, HIDDEN_FACTOR};
use common::*;

#[test]
fn a_task_is_created_running_with_the_session_id_and_its_options() {
    let mut e = engine();
    let t = create_with(&mut e, None, None, "opts", T0 + 5).unwrap();
    assert_eq!(t.status, Status::Running);
    assert_eq!((t.created_at, t.updated_at), (T0 + 5, T0 + 5));
    assert_eq!(t.options, "opts");
    assert_eq!(t.session_id, "session-1");
    assert_eq!(
        (t.result, t.error.as_deref(), t.output.as_str()),
        (None, None, "")
    );
    let own = create_with(&mut e, Some("mine"), Some("other-session"), "o", T0 + 6).unwrap();
    assert_eq!(own.id, "mine");
    assert_eq!(own.session_id, "other-session");
    assert!(drain(&mut e).is_empty(), "creating notifies nothing");
}

#[test]
fn generated_ids_are_uuid_v4_and_distinct() {
    let mut e = engine();
    let mut seen = HashSet::new();
    for _ in 0..20_000 {
        let id = create_with(&mut e, None, None, "", T0).unwrap().id;
        let bytes = id.as_bytes();
        assert_eq!(id.len(), 36);
        assert_eq!(
            (bytes[8], bytes[13], bytes[18], bytes[23]),
            (b'-', b'-', b'-', b'-')
        );
        assert_eq!(bytes[14], b'4', "version nibble in {id}");
        assert!(
            matches!(bytes[19], b'8' | b'9' | b'a' | b'b'),
            "variant in {id}"
        );
        assert!(seen.insert(id));
    }
    assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
}

#[test]
fn create_before_initialize_is_not_initialized() {
    let mut e = new(Config::default());
    let err = create_with(&mut e, None, None, "", T0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotInitialized);
    assert_eq!(err.code(), "NOT_INITIALIZED");
    assert!(e.is_empty());
}

#[test]
fn a_duplicate_id_is_rejected_and_the_existing_task_kept() {
    let mut e = engine();
    create(&mut e, "a", T0);
    complete(&mut e, "a", "done", T0 + 1).unwrap();
    let err = create_with(&mut e, Some("a"), None, "new", T0 + 2).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DuplicateId);
    assert!(err.message.contains("\"a\""));
    let kept = get(&mut e, "a", T0 + 3).unwrap();
    assert_eq!(
        (kept.status, kept.options, kept.result),
        (Status::Completed, "opts", Some("done"))
    );
    assert_eq!(e.len(), 1);
}

#[test]
fn empty_ids_are_invalid_arguments() {
    let mut e = engine();
    assert_eq!(
        create_with(&mut e, None, Some(""), "", T0)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
    assert!(e.is_empty());
}

#[test]
fn each_final_transition_sets_its_fields_and_notifies_once() {
    let mut e = engine();
    for id in ["c", "f", "x"] {
        create(&mut e, id, T0);
    }
    let c = complete(&mut e, "c", "result", T0 + 10).unwrap();
    assert_eq!(
        (c.status, c.result, c.updated_at),
        (Status::Completed, Some("result"), T0 + 10)
    );
    let f = fail(&mut e, "f", "boom", T0 + 20).unwrap();
    assert_eq!(
        (f.status, f.error.as_deref()),
        (Status::Error, Some("boom"))
    );
    let x = cancel(&mut e, "x", false, T0 + 30).unwrap().unwrap();
    assert_eq!(
        (x.status, x.result, x.error.as_deref()),
        (Status::Cancelled, None, None)
    );
    assert_eq!(
        drain(&mut e),
        vec![
            notify("c", Status::Completed, T0 + 10),
            notify("f", Status::Error, T0 + 20),
            notify("x", Status::Cancelled, T0 + 30),
        ]
    );
}

#[test]
fn final_tasks_refuse_every_transition_and_stay_unchanged() {
    let mut e = engine();
    create(&mut e, "t", T0);
    fail(&mut e, "t", "first", T0 + 1).unwrap();
    drain(&mut e);
    for (verb, err) in [
        (
            "complete",
            complete(&mut e, "t", "late", T0 + 2).unwrap_err(),
        ),
        ("fail", fail(&mut e, "t", "late", T0 + 2).unwrap_err()),
        ("cancel", cancel(&mut e, "t", true, T0 + 2).unwrap_err()),
    ] {
        assert_eq!(err.kind, ErrorKind::InvalidTransition);
        assert_eq!(
            err.message,
            format!("Cannot {verb} task \"t\": it is already error")
        );
    }
    let t = get(&mut e, "t", T0 + 3).unwrap();
    assert_eq!(
        (t.status, t.error.as_deref(), t.updated_at),
        (Status::Error, Some("first"), T0 + 1)
    );
    assert!(drain(&mut e).is_empty(), "no second notification");
}

#[test]
fn unknown_ids_are_not_found() {
    let mut e = engine();
    assert_eq!(
        complete(&mut e, "nope", "", T0).unwrap_err().code(),
        "TASK_NOT_FOUND"
    );
    assert_eq!(
        fail(&mut e, "nope", "", T0).unwrap_err().code(),
        "TASK_NOT_FOUND"
    );
    assert_eq!(
        cancel(&mut e, "nope", false, T0).unwrap_err().code(),
        "TASK_NOT_FOUND"
    );
    assert!(
        matches!(wait(&mut e, "nope", true, None, 1, T0), Err(err) if err.kind == ErrorKind::TaskNotFound)
    );
    assert!(get(&mut e, "nope", T0).is_none());
}

#[test]
fn listing_keeps_creation_order_and_filters_by_status() {
    let mut e = engine();
    let ids: Vec<String> = (0..6)
        .map(|i| create(&mut e, &format!("t{i}"), T0 + i))
        .collect();
    complete(&mut e, "t1", "", T0 + 10).unwrap();
    cancel(&mut e, "t4", false, T0 + 11).unwrap();
    e.advance(T0 + 12);
    let list = |e: &E, status| -> Vec<String> {
        e.list(status)
            .map(|t| snapshot_of(e, t.seq()).unwrap().id)
            .collect()
    };
    assert_eq!(list(&e, None), ids);
    assert_eq!(list(&e, Some(Status::Running)), ["t0", "t2", "t3", "t5"]);
    assert_eq!(list(&e, Some(Status::Completed)), ["t1"]);
    assert_eq!(e.list(Some(Status::Error)).count(), 0);
    assert_eq!(e.count(Status::Running), 4);
}

#[test]
fn cancel_all_cancels_only_running_tasks_in_creation_order() {
    let mut e = engine();
    for i in 0..5 {
        create(&mut e, &format!("t{i}"), T0);
    }
    complete(&mut e, "t2", "kept", T0 + 1).unwrap();
    drain(&mut e);
    let seqs = e.cancel_all(false, T0 + 2);
    let cancelled: Vec<(String, Status)> = seqs
        .into_iter()
        .map(|seq| snapshot_of(&e, seq).unwrap())
        .map(|t| (t.id, t.status))
        .collect();
    assert_eq!(
        cancelled,
        ["t0", "t1", "t3", "t4"].map(|id| (id.to_string(), Status::Cancelled))
    );
    assert_eq!(get(&mut e, "t2", T0 + 3).unwrap().result, Some("kept"));
    let sent = drain(&mut e);
    assert_eq!(
        sent,
        ["t0", "t1", "t3", "t4"].map(|id| notify(id, Status::Cancelled, T0 + 2))
    );
    assert!(e.cancel_all(true, T0 + 4).is_empty());
    assert!(drain(&mut e).is_empty());
}

#[test]
fn updated_at_never_decreases_even_if_the_wall_clock_does() {
    let mut e = engine();
    create(&mut e, "t", T0 + 100);
    let t = complete(&mut e, "t", "", T0 + 50).unwrap();
    assert_eq!((t.created_at, t.updated_at), (T0 + 100, T0 + 100));
    let late = create_with(&mut e, Some("u"), None, "", T0).unwrap();
    assert!(
        late.created_at >= T0 + 100,
        "the clock never runs backwards"
    );
}

#[test]
fn a_running_task_times_out_exactly_at_its_ttl() {
    let mut e = engine();
    create(&mut e, "t", T0);
    assert_eq!(e.next_deadline(), Some(T0 + TTL));
    e.advance(T0 + TTL - 1);
    assert_eq!(
        get(&mut e, "t", T0 + TTL - 1).unwrap().status,
        Status::Running
    );
    assert!(drain(&mut e).is_empty());
    e.advance(T0 + TTL);
    let t = get(&mut e, "t", T0 + TTL).unwrap();
    assert_eq!(t.status, Status::Error);
    assert_eq!(
        t.error.as_deref(),
        Some("Task \"t\" timed out after 1800000 ms")
    );
    assert_eq!(t.updated_at, T0 + TTL);
    assert_eq!(drain(&mut e), vec![notify("t", Status::Error, T0 + TTL)]);
    assert_eq!(
        complete(&mut e, "t", "", T0 + TTL + 1).unwrap_err().kind,
        ErrorKind::InvalidTransition
    );
}

#[test]
fn any_operation_observes_an_overdue_ttl_even_if_no_timer_fired() {
    let mut e = engine();
    create(&mut e, "t", T0);
    // A throttled background tab: the first thing after the TTL is a call.
    let err = complete(&mut e, "t", "too late", T0 + TTL + 5_000).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidTransition);
    assert_eq!(drain(&mut e), vec![notify("t", Status::Error, T0 + TTL)]);
    assert_eq!(
        get(&mut e, "t", T0 + TTL + 5_000).unwrap().updated_at,
        T0 + TTL
    );
}

#[test]
fn final_tasks_are_evicted_one_ttl_after_they_became_final() {
    let mut e = engine();
    create(&mut e, "done", T0);
    create(&mut e, "running", T0 + 1_000);
    complete(&mut e, "done", "", T0 + 2_000).unwrap();
    assert_eq!(e.next_deadline(), Some(T0 + 1_000 + TTL));
    e.advance(T0 + 2_000 + TTL - 1);
    assert!(get(&mut e, "done", T0 + 2_000 + TTL - 1).is_some());
    e.advance(T0 + 2_000 + TTL);
    assert!(get(&mut e, "done", T0 + 2_000 + TTL).is_none());
    // "running" timed out at T0+1000+TTL and is evicted one TTL later.
    assert_eq!(
        get(&mut e, "running", T0 + 2_000 + TTL).unwrap().status,
        Status::Error
    );
    e.advance(T0 + 1_000 + 2 * TTL);
    assert!(e.is_empty());
    assert_eq!(e.next_deadline(), None);
    assert!(drain(&mut e).len() == 2);
}

#[test]
fn memory_stays_bounded_under_a_long_run_of_short_lived_tasks() {
    let mut e = with(Config {
        poll_interval: 100,
        task_ttl: 1_000,
        ..Config::default()
    });
    let (mut peak, mut span, mut queued) = (0, 0, 0);
    for i in 0..100_000u64 {
        let now = T0 + i;
        let id = create_with(&mut e, None, None, "", now).unwrap().id;
        // Every tenth task is left to time out; the rest complete at once.
        if i % 10 != 0 {
            complete(&mut e, &id, "", now).unwrap();
        }
        while e.pop_effect().is_some() {}
        e.next_deadline();
        peak = peak.max(e.len());
        span = span.max(e.slab_span());
        queued = queued.max(e.queued_deadlines());
    }
    // One task a ms, kept one TTL after finishing, which is at most one TTL
    // after creation: at most two TTLs of tasks, slots and queue entries.
    assert!(peak <= 1_101, "peak {peak} tasks kept");
    assert!(span <= 2_001, "the slab spanned {span} slots");
    assert!(queued <= 2 * 2_001, "{queued} deadlines queued");
    e.advance(T0 + 200_000);
    assert!(e.is_empty() && e.is_consistent());
    assert_eq!(e.store().len(), 0, "the store let go of every task");
    assert_eq!(
        e.names_held(),
        (1, 0),
        "only the current session's id is held"
    );
}

#[test]
fn a_waiter_is_answered_at_once_when_not_waiting_or_already_final() {
    let mut e = engine();
    create(&mut e, "t", T0);
    assert_eq!(
        wait(&mut e, "t", false, None, 7, T0 + 1).unwrap(),
        Some((Status::Running, false, String::new())),
        "wait: false must not wait"
    );
    complete(&mut e, "t", "r", T0 + 2).unwrap();
    assert_eq!(
        wait(&mut e, "t", true, Some(10), 8, T0 + 3).unwrap(),
        Some((Status::Completed, false, String::new())),
        "a final task must answer at once"
    );
    assert_eq!(ending(&e, "t").as_deref(), Some("result r"));
    assert_eq!(e.waiting(), 0);
}

#[test]
fn every_waiter_wakes_at_the_final_transition_in_order() {
    let mut e = engine();
    create(&mut e, "t", T0);
    create(&mut e, "other", T0);
    for w in 1..=3 {
        assert_eq!(wait(&mut e, "t", true, None, w, T0).unwrap(), None);
    }
    assert_eq!(wait(&mut e, "t", true, Some(60_000), 4, T0).unwrap(), None);
    assert_eq!(wait(&mut e, "other", true, None, 5, T0).unwrap(), None);
    assert!(drain(&mut e).is_empty());
    complete(&mut e, "t", "r", T0 + 9).unwrap();
    let mut expected = vec![notify("t", Status::Completed, T0 + 9)];
    expected.extend((1..=4).map(|w| Out::Wake(w, Status::Completed, false)));
    assert_eq!(drain(&mut e), expected);
    assert_eq!(e.waiting(), 1, "the other task's waiter is still waiting");
    // The woken waiter's timeout is gone from the queue.
    e.advance(T0 + 70_000);
    assert!(drain(&mut e).is_empty());
}

#[test]
fn a_waiter_times_out_with_the_running_snapshot() {
    let mut e = engine();
    create(&mut e, "t", T0);
    assert_eq!(wait(&mut e, "t", true, Some(500), 1, T0).unwrap(), None);
    assert_eq!(e.next_deadline(), Some(T0 + 500));
    e.advance(T0 + 499);
    assert!(drain(&mut e).is_empty());
    e.advance(T0 + 500);
    assert_eq!(drain(&mut e), vec![Out::Wake(1, Status::Running, true)]);
    complete(&mut e, "t", "", T0 + 600).unwrap();
    assert_eq!(
        drain(&mut e),
        vec![notify("t", Status::Completed, T0 + 600)]
    );
}

#[test]
fn a_zero_timeout_answers_at_once_as_timed_out() {
    let mut e = engine();
    create(&mut e, "t", T0);
    assert_eq!(
        wait(&mut e, "t", true, Some(0), 1, T0).unwrap(),
        Some((Status::Running, true, String::new())),
        "timeout 0 must not wait"
    );
}

#[test]
fn a_task_that_times_out_wakes_its_waiters_with_the_error() {
    let mut e = engine();
    create(&mut e, "t", T0);
    // The waiter's timeout falls at the same instant as the TTL: the task
    // expires first, so the waiter sees the final state.
    assert_eq!(wait(&mut e, "t", true, Some(TTL), 1, T0).unwrap(), None);
    e.advance(T0 + TTL);
    assert_eq!(
        drain(&mut e),
        vec![
            notify("t", Status::Error, T0 + TTL),
            Out::Wake(1, Status::Error, false)
        ]
    );
}

#[test]
fn a_waiter_is_answered_with_what_was_true_when_it_was_due() {
    let mut e = engine();
    create(&mut e, "t", T0);
    append(&mut e, "t", "so far", T0).unwrap();
    assert_eq!(wait(&mut e, "t", true, None, 1, T0).unwrap(), None);
    complete(&mut e, "t", "r", T0 + 1).unwrap();
    // Cleaned up before the wake is delivered: the answer was made already.
    e.dispose();
    let woken: Vec<_> = std::iter::from_fn(|| e.pop_effect()).collect();
    let answer = woken.into_iter().find_map(|effect| match effect {
        background_manager::engine::Effect::Wake { answer, .. } => Some(answer),
        _ => None,
    });
    match answer {
        Some(background_manager::engine::Answer::Output {
            status,
            output,
            cursor,
            ending: background_manager::engine::Ending::Result(r),
            ..
        }) => assert_eq!(
            (status, output.as_str(), cursor, r),
            (Status::Completed, "so far", 6, "r")
        ),
        _ => panic!("the waiter's answer was made when it woke"),
    }
}

#[test]
fn dispose_rejects_waiters_clears_everything_and_requires_initialize_again() {
    let mut e = engine();
    create(&mut e, "a", T0);
    create(&mut e, "b", T0);
    wait(&mut e, "a", true, None, 1, T0).unwrap();
    wait(&mut e, "b", true, Some(1_000), 2, T0).unwrap();
    complete(&mut e, "b", "", T0 + 1).unwrap();
    wait(&mut e, "a", true, None, 3, T0 + 2).unwrap();
    e.dispose();
    assert_eq!(
        drain(&mut e),
        vec![
            notify("b", Status::Completed, T0 + 1),
            Out::Wake(2, Status::Completed, false),
            Out::Dispose(1, "a".into()),
            Out::Dispose(3, "a".into()),
        ]
    );
    assert!(e.is_empty() && e.next_deadline().is_none() && e.waiting() == 0);
    assert!(!e.is_initialized());
    assert_eq!(
        create_with(&mut e, None, None, "", T0 + 3)
            .unwrap_err()
            .kind,
        ErrorKind::NotInitialized
    );
    assert!(e.begin_poll(T0 + 10_000).is_none());
    e.initialize("s2", "session-2", "session-2".into(), T0 + 4);
    let t = create_with(&mut e, Some("a"), None, "", T0 + 5).unwrap();
    assert_eq!(
        t.session_id, "session-2",
        "ids are free again after cleanup"
    );
}

#[test]
fn polling_asks_only_while_something_runs() {
    let mut e = new(Config::default());
    assert!(e.begin_poll(T0).is_none(), "no session");
    e.initialize("s1", "session-1", "session-1".into(), T0);
    assert!(e.begin_poll(T0).is_none(), "nothing running");
    create(&mut e, "t", T0);
    let (token, session) = e.begin_poll(T0 + 2_000).unwrap();
    assert_eq!(session, "s1");
    e.finish_poll(token, Some("running"), T0 + 2_010);
    assert_eq!(
        get(&mut e, "t", T0 + 2_010).unwrap().status,
        Status::Running
    );
    assert!(!e.poll_in_flight());
    complete(&mut e, "t", "", T0 + 3_000).unwrap();
    assert!(
        e.begin_poll(T0 + 4_000).is_none(),
        "nothing running any more"
    );
}

#[test]
fn a_pending_poll_blocks_younger_ticks_and_is_abandoned_after_an_interval() {
    let mut e = engine();
    create(&mut e, "t", T0);
    let (first, _) = e.begin_poll(T0 + 2_000).unwrap();
    assert!(
        e.begin_poll(T0 + 3_999).is_none(),
        "one poll in flight at most"
    );
    // Pending a whole interval: abandoned, and a failure, so the next poll
    // waits two intervals from the first one's start.
    assert!(e.begin_poll(T0 + 4_000).is_none());
    assert!(!e.poll_in_flight() && e.poll_failures() == 1);
    e.finish_poll(first, Some("completed"), T0 + 4_001);
    assert_eq!(
        get(&mut e, "t", T0 + 4_001).unwrap().status,
        Status::Running,
        "late answer ignored"
    );
    let (second, _) = e.begin_poll(T0 + 6_000).unwrap();
    assert_ne!(first, second);
    e.finish_poll(first, Some("completed"), T0 + 6_001);
    assert!(
        e.poll_in_flight(),
        "the abandoned answer does not end the current poll"
    );
    e.finish_poll(second, Some("cancelled"), T0 + 6_002);
    assert_eq!(
        get(&mut e, "t", T0 + 6_002).unwrap().status,
        Status::Cancelled
    );
    assert_eq!(e.poll_failures(), 0);
}

/// Drives ticks every `interval` from `from` to `to`, each poll answered
/// at once with `answer`: the times polls began.
fn polls_between(
    e: &mut E,
    from: u64,
    to: u64,
    interval: u64,
    hidden: bool,
    answer: Option<&str>,
) -> Vec<u64> {
    let mut began = Vec::new();
    let mut now = from;
    while now <= to {
        if let Some((token, _)) = e.begin_poll_while(now, hidden) {
            began.push(now - T0);
            e.finish_poll(token, answer, now);
        }
        now += interval;
    }
    began
}

/// A session polled every second with one running task that outlives the test.
fn polling_every_second() -> E {
    let mut e = with(Config {
        poll_interval: 1_000,
        task_ttl: 10_000_000,
        ..Config::default()
    });
    e.initialize("s1", "session-1", "session-1".into(), T0);
    create(&mut e, "t", T0);
    e
}

#[test]
fn failing_polls_back_off_doubling_up_to_the_cap_and_an_answer_restores_the_interval() {
    let mut e = polling_every_second();
    let failing = polls_between(&mut e, T0 + 1_000, T0 + 300_000, 1_000, false, None);
    // Gaps of 2, 4, ... 32 s, then 60 s (the cap).
    let gaps: Vec<u64> = failing.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        gaps,
        [2, 4, 8, 16, 32, 60, 60, 60].map(|s| s * 1_000).to_vec(),
        "began at {failing:?}"
    );
    assert_eq!(e.poll_failures(), failing.len() as u32);
    // The next poll is 60 s after the last; its answer ends the backing off.
    let last = *failing.last().unwrap();
    let next = polls_between(
        &mut e,
        T0 + 300_000 + 1_000,
        T0 + last + 60_000,
        1_000,
        false,
        Some("running"),
    );
    assert_eq!(next, vec![last + 60_000]);
    assert_eq!(e.poll_failures(), 0);
    let after = polls_between(
        &mut e,
        T0 + last + 61_000,
        T0 + last + 64_000,
        1_000,
        false,
        Some("running"),
    );
    assert_eq!(
        after,
        vec![last + 61_000, last + 62_000, last + 63_000, last + 64_000]
    );
}

#[test]
fn a_hidden_page_polls_four_times_less_often_and_catches_up_when_visible() {
    let mut e = polling_every_second();
    let hidden = polls_between(
        &mut e,
        T0 + 1_000,
        T0 + 12_000,
        1_000,
        true,
        Some("running"),
    );
    assert_eq!(hidden, vec![1_000, 5_000, 9_000]);
    assert_eq!(HIDDEN_FACTOR, 4);
    // Visible at 10.3 s (between ticks): more than half an interval since
    // the last poll, so one begins at once.
    let woke = polls_between(
        &mut e,
        T0 + 10_300,
        T0 + 10_300,
        1_000,
        false,
        Some("running"),
    );
    assert_eq!(woke, vec![10_300]);
    // Visible right after a poll: nothing to catch up.
    assert!(e.begin_poll_while(T0 + 10_400, false).is_none());
    // Failures while hidden double the hidden gap, up to the cap.
    let failing = polls_between(&mut e, T0 + 11_300, T0 + 200_000, 1_000, true, None);
    let gaps: Vec<u64> = failing.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps[..3], [8_000, 16_000, 32_000], "began at {failing:?}");
    assert!(gaps[3..].iter().all(|&g| g == BACKOFF_CAP), "{gaps:?}");
}

#[test]
fn a_new_session_polls_without_the_old_ones_backing_off() {
    let mut e = engine();
    create(&mut e, "t", T0);
    let (token, _) = e.begin_poll(T0 + 2_000).unwrap();
    e.finish_poll(token, None, T0 + 2_001);
    assert!(e.begin_poll(T0 + 4_000).is_none(), "backing off");
    e.initialize("s2", "session-1", "session-1".into(), T0 + 4_001);
    assert_eq!(e.poll_failures(), 0);
    assert!(e.begin_poll(T0 + 4_002).is_some());
}

#[test]
fn the_session_status_applies_to_its_own_running_tasks() {
    for (answer, status, error) in [
        ("completed", Status::Completed, None),
        ("error", Status::Error, Some("Session error")),
        ("cancelled", Status::Cancelled, None),
    ] {
        let mut e = engine();
        create(&mut e, "mine1", T0);
        create_with(&mut e, Some("foreign"), Some("session-2"), "", T0).unwrap();
        create(&mut e, "mine2", T0);
        create(&mut e, "done", T0);
        complete(&mut e, "done", "r", T0 + 1).unwrap();
        drain(&mut e);
        let (token, _) = e.begin_poll(T0 + 2_000).unwrap();
        e.finish_poll(token, Some(answer), T0 + 2_100);
        for id in ["mine1", "mine2"] {
            let t = get(&mut e, id, T0 + 2_100).unwrap();
            assert_eq!((t.status, t.error.as_deref()), (status, error));
        }
        assert_eq!(
            get(&mut e, "foreign", T0 + 2_100).unwrap().status,
            Status::Running
        );
        assert_eq!(get(&mut e, "done", T0 + 2_100).unwrap().result, Some("r"));
        assert_eq!(
            drain(&mut e),
            vec![
                notify("mine1", status, T0 + 2_100),
                notify("mine2", status, T0 + 2_100)
            ]
        );
    }
}

#[test]
fn other_session_answers_change_nothing() {
    let mut e = engine();
    create(&mut e, "t", T0);
    for (i, answer) in [Some("running"), Some("idle"), Some("COMPLETED"), None]
        .into_iter()
        .enumerate()
    {
        let now = T0 + 2_000 * (i as u64 + 1);
        let (token, _) = e.begin_poll(now).unwrap();
        e.finish_poll(token, answer, now + 1);
    }
    assert_eq!(
        get(&mut e, "t", T0 + 10_000).unwrap().status,
        Status::Running
    );
    assert!(drain(&mut e).is_empty());
}

#[test]
fn initialize_again_replaces_the_session_and_abandons_its_poll() {
    let mut e = engine();
    create(&mut e, "t", T0);
    let (token, _) = e.begin_poll(T0 + 2_000).unwrap();
    e.initialize("s2", "session-1", "session-1".into(), T0 + 2_001);
    e.finish_poll(token, Some("completed"), T0 + 2_002);
    assert_eq!(
        get(&mut e, "t", T0 + 2_002).unwrap().status,
        Status::Running
    );
    let (token, session) = e.begin_poll(T0 + 2_003).unwrap();
    assert_eq!(session, "s2");
    e.finish_poll(token, Some("completed"), T0 + 2_004);
    assert_eq!(
        drain(&mut e),
        vec![Out::Notify("s2", "t".into(), Status::Completed, T0 + 2_004)]
    );
}

#[test]
fn session_ids_and_agent_names_are_held_only_while_tasks_use_them() {
    let mut e = with(Config {
        task_ttl: 100,
        ..Config::default()
    });
    for i in 0..1_000u64 {
        let session = format!("session-{i}");
        create_with(&mut e, None, Some(&session), "", T0 + i).unwrap();
        let agent = format!("agent-{i}");
        e.launch(
            None,
            None,
            &agent,
            Default::default(),
            launched(&agent, "p"),
            T0 + i,
        )
        .unwrap();
    }
    drain(&mut e);
    // Every live task holds its own name, the session one more.
    let (sessions, agents) = e.names_held();
    assert_eq!(sessions + agents, e.len() + 1);
    assert!(e.len() <= 402, "{} tasks live within two TTLs", e.len());
    e.advance(T0 + 1_000 + 200);
    drain(&mut e);
    assert!(e.is_empty());
    assert_eq!(
        e.names_held(),
        (1, 0),
        "a stream of distinct names does not grow the table"
    );
    assert_eq!(e.store().session_text(0), Some("session-1"));
}

#[test]
fn timers_are_needed_only_while_there_is_live_work() {
    // Where evictions are not worth a timer (a script's process).
    let untimed = Config {
        timed_evictions: false,
        ..Config::default()
    };
    // Before a session, or with nothing running, polling would only wait.
    let mut e = new(untimed.clone());
    assert!(!e.wants_polling() && !e.needs_timer());
    e.initialize("s1", "session-1", "session-1".into(), T0);
    assert!(!e.wants_polling() && !e.needs_timer());
    assert_eq!(e.due_by(), None);

    // A running task: its TTL is timed and the session is polled.
    let id = create(&mut e, "a", T0 + 1);
    assert!(e.wants_polling() && e.needs_timer());
    assert_eq!(e.due_by(), Some(T0 + 1 + TTL));

    // Final: only its eviction is left, which needs no timer of its own
    // (every call runs it when due) but is still the next deadline.
    complete(&mut e, &id, "r", T0 + 2).unwrap();
    drain(&mut e);
    assert!(!e.wants_polling() && !e.needs_timer());
    assert_eq!(e.next_deadline(), Some(T0 + 2 + TTL));
    e.advance(T0 + 2 + TTL);
    assert!(e.get(&id).is_none(), "evicted by the next call");
    assert_eq!(e.due_by(), None);

    // Where timers hold nothing open, the eviction is timed as well.
    let mut e = engine();
    let id = create(&mut e, "a", T0 + 1);
    complete(&mut e, &id, "r", T0 + 2).unwrap();
    drain(&mut e);
    assert!(!e.wants_polling() && e.needs_timer());
    e.advance(T0 + 2 + TTL);
    assert!(!e.needs_timer(), "nothing left to time");

    // Launched tasks, one running and one queued behind it: live work until
    // both are cancelled.
    let mut e = with(Config {
        max_concurrent: Some(1),
        ..untimed
    });
    assert_eq!(launch(&mut e, "r1", "a", T0), Status::Running);
    assert_eq!(launch(&mut e, "q1", "a", T0), Status::Queued);
    e.cancel(&"r1".to_string(), true, T0 + 1).unwrap();
    drain(&mut e);
    assert!(e.wants_polling() && e.needs_timer(), "q1 took the slot");
    e.cancel(&"q1".to_string(), true, T0 + 2).unwrap();
    drain(&mut e);
    assert!(!e.wants_polling() && !e.needs_timer());
}
