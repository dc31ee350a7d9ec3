//! SPEC §3–6 against the engine, natively, with a fake clock: a 30-minute
//! TTL takes no real time.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use background_manager::engine::{
    uuid_v4, Config, Effect, Engine, ErrorKind, Event, Host, Status, Wait,
};

struct Test;
impl Host for Test {
    type Payload = &'static str;
    type Waiter = u32;
    type Session = &'static str;
}

const T0: u64 = 1_700_000_000_000;
const TTL: u64 = 1_800_000;

fn engine() -> Engine<Test> {
    let mut e = Engine::new(Config::default());
    e.initialize("s1", "session-1".into(), T0);
    e
}

#[derive(Debug, PartialEq)]
enum Out {
    Notify(&'static str, String, Status, u64),
    Wake(u32, String, Status, bool),
    Dispose(u32, String),
    Start(String, String, String),
    Abort(String),
    Close(String),
    Event(Event),
}

fn id_of(e: &Engine<Test>, seq: u64) -> String {
    e.by_seq(seq)
        .map_or_else(|| format!("#{seq}"), |t| t.id.to_string())
}

fn drain(e: &mut Engine<Test>) -> Vec<Out> {
    let mut out = Vec::new();
    while let Some(effect) = e.pop_effect() {
        out.push(match effect {
            Effect::Notify {
                session,
                task_id,
                status,
                timestamp,
                ..
            } => Out::Notify(session, task_id.to_string(), status, timestamp),
            Effect::Wake {
                waiter,
                task,
                timed_out,
            } => Out::Wake(waiter, task.id.to_string(), task.status, timed_out),
            Effect::Dispose { waiter, task_id } => Out::Dispose(waiter, task_id.to_string()),
            Effect::Start {
                task_id,
                agent,
                prompt,
                ..
            } => Out::Start(task_id.to_string(), agent.to_string(), prompt.to_string()),
            Effect::Abort { seq } => Out::Abort(id_of(e, seq)),
            Effect::Close { seq } => Out::Close(id_of(e, seq)),
            Effect::Event { event, .. } => Out::Event(event),
        });
    }
    assert!(
        e.is_consistent(),
        "indexes, deadlines or waiters out of step"
    );
    out
}

fn create(e: &mut Engine<Test>, id: &str, at: u64) -> String {
    e.create(Some(id), None, "opts", at).unwrap().id.to_string()
}

fn notify(id: &str, status: Status, at: u64) -> Out {
    Out::Notify("s1", id.to_string(), status, at)
}

#[test]
fn a_task_is_created_running_with_the_session_id_and_its_options() {
    let mut e = engine();
    let t = e.create(None, None, "opts", T0 + 5).unwrap();
    assert_eq!(t.status, Status::Running);
    assert_eq!((t.created_at, t.updated_at), (T0 + 5, T0 + 5));
    assert_eq!(t.options, "opts");
    assert_eq!(&*t.session_id, "session-1");
    assert_eq!(
        (t.result().copied(), t.error(), t.output.text().as_str()),
        (None, None, "")
    );
    let own = e
        .create(Some("mine"), Some("other-session"), "o", T0 + 6)
        .unwrap();
    assert_eq!(own.id.to_string(), "mine");
    assert_eq!(&*own.session_id, "other-session");
    assert!(drain(&mut e).is_empty(), "creating notifies nothing");
}

#[test]
fn generated_ids_are_uuid_v4_and_distinct() {
    let mut e = engine();
    let mut seen = HashSet::new();
    for _ in 0..20_000 {
        let id = e.create(None, None, "", T0).unwrap().id.to_string();
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
    let mut e: Engine<Test> = Engine::new(Config::default());
    let err = e.create(None, None, "", T0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotInitialized);
    assert_eq!(err.code(), "NOT_INITIALIZED");
    assert!(e.is_empty());
}

#[test]
fn a_duplicate_id_is_rejected_and_the_existing_task_kept() {
    let mut e = engine();
    create(&mut e, "a", T0);
    e.complete("a", "done", T0 + 1).unwrap();
    let err = e.create(Some("a"), None, "new", T0 + 2).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DuplicateId);
    assert!(err.message.contains("\"a\""));
    let kept = e.get("a", T0 + 3).unwrap();
    assert_eq!(
        (kept.status, kept.options, kept.result().copied()),
        (Status::Completed, "opts", Some("done"))
    );
    assert_eq!(e.len(), 1);
}

#[test]
fn empty_ids_are_invalid_arguments() {
    let mut e = engine();
    assert_eq!(
        e.create(Some(""), None, "", T0).unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        e.create(None, Some(""), "", T0).unwrap_err().kind,
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
    let c = e.complete("c", "result", T0 + 10).unwrap();
    assert_eq!(
        (c.status, c.result().copied(), c.updated_at),
        (Status::Completed, Some("result"), T0 + 10)
    );
    let f = e.fail("f", "boom", T0 + 20).unwrap();
    assert_eq!((f.status, f.error()), (Status::Error, Some("boom")));
    let x = e.cancel("x", false, T0 + 30).unwrap().done().unwrap();
    assert_eq!(
        (x.status, x.result().copied(), x.error()),
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
    e.fail("t", "first", T0 + 1).unwrap();
    drain(&mut e);
    for (verb, err) in [
        ("complete", e.complete("t", "late", T0 + 2).unwrap_err()),
        ("fail", e.fail("t", "late", T0 + 2).unwrap_err()),
        ("cancel", e.cancel("t", true, T0 + 2).unwrap_err()),
    ] {
        assert_eq!(err.kind, ErrorKind::InvalidTransition);
        assert_eq!(
            err.message,
            format!("Cannot {verb} task \"t\": it is already error")
        );
    }
    let t = e.get("t", T0 + 3).unwrap();
    assert_eq!(
        (t.status, t.error(), t.updated_at),
        (Status::Error, Some("first"), T0 + 1)
    );
    assert!(drain(&mut e).is_empty(), "no second notification");
}

#[test]
fn unknown_ids_are_not_found() {
    let mut e = engine();
    assert_eq!(
        e.complete("nope", "", T0).unwrap_err().code(),
        "TASK_NOT_FOUND"
    );
    assert_eq!(e.fail("nope", "", T0).unwrap_err().code(), "TASK_NOT_FOUND");
    assert_eq!(
        e.cancel("nope", false, T0).unwrap_err().code(),
        "TASK_NOT_FOUND"
    );
    assert!(
        matches!(e.wait_for("nope", true, None, 1, T0), Err(err) if err.kind == ErrorKind::TaskNotFound)
    );
    assert!(e.get("nope", T0).is_none());
}

#[test]
fn listing_keeps_creation_order_and_filters_by_status() {
    let mut e = engine();
    let ids: Vec<String> = (0..6)
        .map(|i| create(&mut e, &format!("t{i}"), T0 + i))
        .collect();
    e.complete("t1", "", T0 + 10).unwrap();
    e.cancel("t4", false, T0 + 11).unwrap();
    let all: Vec<String> = e.all(None, T0 + 12).map(|t| t.id.to_string()).collect();
    assert_eq!(all, ids);
    let running: Vec<String> = e
        .all(Some(Status::Running), T0 + 12)
        .map(|t| t.id.to_string())
        .collect();
    assert_eq!(running, ["t0", "t2", "t3", "t5"]);
    let done: Vec<String> = e
        .all(Some(Status::Completed), T0 + 12)
        .map(|t| t.id.to_string())
        .collect();
    assert_eq!(done, ["t1"]);
    assert_eq!(e.all(Some(Status::Error), T0 + 12).count(), 0);
    assert_eq!(e.count(Status::Running), 4);
}

#[test]
fn cancel_all_cancels_only_running_tasks_in_creation_order() {
    let mut e = engine();
    for i in 0..5 {
        create(&mut e, &format!("t{i}"), T0);
    }
    e.complete("t2", "kept", T0 + 1).unwrap();
    drain(&mut e);
    let seqs = e.cancel_all(false, T0 + 2);
    let cancelled: Vec<(String, Status)> = seqs
        .into_iter()
        .map(|seq| e.by_seq(seq).unwrap())
        .map(|t| (t.id.to_string(), t.status))
        .collect();
    assert_eq!(
        cancelled,
        ["t0", "t1", "t3", "t4"].map(|id| (id.to_string(), Status::Cancelled))
    );
    assert_eq!(e.get("t2", T0 + 3).unwrap().result().copied(), Some("kept"));
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
    let t = e.complete("t", "", T0 + 50).unwrap();
    assert_eq!((t.created_at, t.updated_at), (T0 + 100, T0 + 100));
    let late = e.create(Some("u"), None, "", T0).unwrap();
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
    assert_eq!(e.get("t", T0 + TTL - 1).unwrap().status, Status::Running);
    assert!(drain(&mut e).is_empty());
    e.advance(T0 + TTL);
    let t = e.get("t", T0 + TTL).unwrap();
    assert_eq!(t.status, Status::Error);
    assert!(t.error().unwrap().contains("timed out"), "{:?}", t.error());
    assert_eq!(t.updated_at, T0 + TTL);
    assert_eq!(drain(&mut e), vec![notify("t", Status::Error, T0 + TTL)]);
    assert_eq!(
        e.complete("t", "", T0 + TTL + 1).unwrap_err().kind,
        ErrorKind::InvalidTransition
    );
}

#[test]
fn any_operation_observes_an_overdue_ttl_even_if_no_timer_fired() {
    let mut e = engine();
    create(&mut e, "t", T0);
    // A throttled background tab: the first thing after the TTL is a call.
    let err = e.complete("t", "too late", T0 + TTL + 5_000).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidTransition);
    assert_eq!(drain(&mut e), vec![notify("t", Status::Error, T0 + TTL)]);
    assert_eq!(e.get("t", T0 + TTL + 5_000).unwrap().updated_at, T0 + TTL);
}

#[test]
fn final_tasks_are_evicted_one_ttl_after_they_became_final() {
    let mut e = engine();
    create(&mut e, "done", T0);
    create(&mut e, "running", T0 + 1_000);
    e.complete("done", "", T0 + 2_000).unwrap();
    assert_eq!(e.next_deadline(), Some(T0 + 1_000 + TTL));
    e.advance(T0 + 2_000 + TTL - 1);
    assert!(e.get("done", T0 + 2_000 + TTL - 1).is_some());
    e.advance(T0 + 2_000 + TTL);
    assert!(e.get("done", T0 + 2_000 + TTL).is_none());
    // "running" timed out at T0+1000+TTL and is evicted one TTL later.
    assert_eq!(
        e.get("running", T0 + 2_000 + TTL).unwrap().status,
        Status::Error
    );
    e.advance(T0 + 1_000 + 2 * TTL);
    assert!(e.is_empty());
    assert_eq!(e.next_deadline(), None);
    assert!(drain(&mut e).len() == 2);
}

#[test]
fn memory_stays_bounded_under_a_long_run_of_short_lived_tasks() {
    let mut e = Engine::<Test>::new(Config {
        poll_interval: 100,
        task_ttl: 1_000,
        ..Config::default()
    });
    e.initialize("s1", "session-1".into(), T0);
    let (mut peak, mut span, mut queued) = (0, 0, 0);
    for i in 0..100_000u64 {
        let now = T0 + i;
        let id = e.create(None, None, "", now).unwrap().id.to_string();
        // Every tenth task is left to time out; the rest complete at once.
        if i % 10 != 0 {
            e.complete(&id, "", now).unwrap();
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
}

#[test]
fn a_waiter_is_answered_at_once_when_not_waiting_or_already_final() {
    let mut e = engine();
    create(&mut e, "t", T0);
    match e.wait_for("t", false, None, 7, T0 + 1).unwrap() {
        Wait::Ready {
            task,
            timed_out,
            waiter,
        } => {
            assert_eq!(
                (task.status, timed_out, waiter),
                (Status::Running, false, 7)
            );
        }
        Wait::Pending => panic!("wait: false must not wait"),
    }
    e.complete("t", "r", T0 + 2).unwrap();
    match e.wait_for("t", true, Some(10), 8, T0 + 3).unwrap() {
        Wait::Ready {
            task, timed_out, ..
        } => {
            assert_eq!(
                (task.status, task.result().copied(), timed_out),
                (Status::Completed, Some("r"), false)
            );
        }
        Wait::Pending => panic!("a final task must answer at once"),
    }
    assert_eq!(e.waiting(), 0);
}

#[test]
fn every_waiter_wakes_at_the_final_transition_in_order() {
    let mut e = engine();
    create(&mut e, "t", T0);
    create(&mut e, "other", T0);
    for w in 1..=3 {
        assert!(matches!(
            e.wait_for("t", true, None, w, T0).unwrap(),
            Wait::Pending
        ));
    }
    assert!(matches!(
        e.wait_for("t", true, Some(60_000), 4, T0).unwrap(),
        Wait::Pending
    ));
    assert!(matches!(
        e.wait_for("other", true, None, 5, T0).unwrap(),
        Wait::Pending
    ));
    assert!(drain(&mut e).is_empty());
    e.complete("t", "r", T0 + 9).unwrap();
    let mut expected = vec![notify("t", Status::Completed, T0 + 9)];
    expected.extend((1..=4).map(|w| Out::Wake(w, "t".into(), Status::Completed, false)));
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
    assert!(matches!(
        e.wait_for("t", true, Some(500), 1, T0).unwrap(),
        Wait::Pending
    ));
    assert_eq!(e.next_deadline(), Some(T0 + 500));
    e.advance(T0 + 499);
    assert!(drain(&mut e).is_empty());
    e.advance(T0 + 500);
    assert_eq!(
        drain(&mut e),
        vec![Out::Wake(1, "t".into(), Status::Running, true)]
    );
    e.complete("t", "", T0 + 600).unwrap();
    assert_eq!(
        drain(&mut e),
        vec![notify("t", Status::Completed, T0 + 600)]
    );
}

#[test]
fn a_zero_timeout_answers_at_once_as_timed_out() {
    let mut e = engine();
    create(&mut e, "t", T0);
    match e.wait_for("t", true, Some(0), 1, T0).unwrap() {
        Wait::Ready {
            task, timed_out, ..
        } => assert!(timed_out && task.status == Status::Running),
        Wait::Pending => panic!("timeout 0 must not wait"),
    }
}

#[test]
fn a_task_that_times_out_wakes_its_waiters_with_the_error() {
    let mut e = engine();
    create(&mut e, "t", T0);
    // The waiter's timeout falls at the same instant as the TTL: the task
    // expires first, so the waiter sees the final state.
    assert!(matches!(
        e.wait_for("t", true, Some(TTL), 1, T0).unwrap(),
        Wait::Pending
    ));
    e.advance(T0 + TTL);
    assert_eq!(
        drain(&mut e),
        vec![
            notify("t", Status::Error, T0 + TTL),
            Out::Wake(1, "t".into(), Status::Error, false)
        ]
    );
}

#[test]
fn dispose_rejects_waiters_clears_everything_and_requires_initialize_again() {
    let mut e = engine();
    create(&mut e, "a", T0);
    create(&mut e, "b", T0);
    e.wait_for("a", true, None, 1, T0).unwrap();
    e.wait_for("b", true, Some(1_000), 2, T0).unwrap();
    e.complete("b", "", T0 + 1).unwrap();
    e.wait_for("a", true, None, 3, T0 + 2).unwrap();
    e.dispose();
    assert_eq!(
        drain(&mut e),
        vec![
            notify("b", Status::Completed, T0 + 1),
            Out::Wake(2, "b".into(), Status::Completed, false),
            Out::Dispose(1, "a".into()),
            Out::Dispose(3, "a".into()),
        ]
    );
    assert!(e.is_empty() && e.next_deadline().is_none() && e.waiting() == 0);
    assert!(!e.is_initialized());
    assert_eq!(
        e.create(None, None, "", T0 + 3).unwrap_err().kind,
        ErrorKind::NotInitialized
    );
    assert!(e.begin_poll(T0 + 10_000).is_none());
    e.initialize("s2", "session-2".into(), T0 + 4);
    let t = e.create(Some("a"), None, "", T0 + 5).unwrap();
    assert_eq!(
        &*t.session_id, "session-2",
        "ids are free again after cleanup"
    );
}

#[test]
fn polling_asks_only_while_something_runs() {
    let mut e: Engine<Test> = Engine::new(Config::default());
    assert!(e.begin_poll(T0).is_none(), "no session");
    e.initialize("s1", "session-1".into(), T0);
    assert!(e.begin_poll(T0).is_none(), "nothing running");
    create(&mut e, "t", T0);
    let (token, session) = e.begin_poll(T0 + 2_000).unwrap();
    assert_eq!(session, "s1");
    e.finish_poll(token, Some("running"), T0 + 2_010);
    assert_eq!(e.get("t", T0 + 2_010).unwrap().status, Status::Running);
    assert!(!e.poll_in_flight());
    e.complete("t", "", T0 + 3_000).unwrap();
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
    let (second, _) = e.begin_poll(T0 + 4_000).unwrap();
    assert_ne!(first, second);
    e.finish_poll(first, Some("completed"), T0 + 4_001);
    assert_eq!(
        e.get("t", T0 + 4_001).unwrap().status,
        Status::Running,
        "late answer ignored"
    );
    assert!(
        e.poll_in_flight(),
        "the abandoned answer does not end the current poll"
    );
    e.finish_poll(second, Some("cancelled"), T0 + 4_002);
    assert_eq!(e.get("t", T0 + 4_002).unwrap().status, Status::Cancelled);
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
        e.create(Some("foreign"), Some("session-2"), "", T0)
            .unwrap();
        create(&mut e, "mine2", T0);
        create(&mut e, "done", T0);
        e.complete("done", "r", T0 + 1).unwrap();
        drain(&mut e);
        let (token, _) = e.begin_poll(T0 + 2_000).unwrap();
        e.finish_poll(token, Some(answer), T0 + 2_100);
        for id in ["mine1", "mine2"] {
            let t = e.get(id, T0 + 2_100).unwrap();
            assert_eq!((t.status, t.error()), (status, error));
        }
        assert_eq!(
            e.get("foreign", T0 + 2_100).unwrap().status,
            Status::Running
        );
        assert_eq!(
            e.get("done", T0 + 2_100).unwrap().result().copied(),
            Some("r")
        );
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
    assert_eq!(e.get("t", T0 + 10_000).unwrap().status, Status::Running);
    assert!(drain(&mut e).is_empty());
}

#[test]
fn initialize_again_replaces_the_session_and_abandons_its_poll() {
    let mut e = engine();
    create(&mut e, "t", T0);
    let (token, _) = e.begin_poll(T0 + 2_000).unwrap();
    e.initialize("s2", "session-1".into(), T0 + 2_001);
    e.finish_poll(token, Some("completed"), T0 + 2_002);
    assert_eq!(e.get("t", T0 + 2_002).unwrap().status, Status::Running);
    let (token, session) = e.begin_poll(T0 + 2_003).unwrap();
    assert_eq!(session, "s2");
    e.finish_poll(token, Some("completed"), T0 + 2_004);
    assert_eq!(
        drain(&mut e),
        vec![Out::Notify("s2", "t".into(), Status::Completed, T0 + 2_004)]
    );
}
