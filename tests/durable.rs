//! The engine's side of a durable store: the journal the host writes, the
//! inbox (stored with its transition, sent once stored, retried, batched,
//! parked), and loading a store (interrupted, resumed, expired).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::{
    Batch, Config, DurableConfig, Ending, InboxConfig, NewTask, NoticeState, Restored,
    RestoredNotice, Status,
};
use common::*;

fn durable() -> Config {
    Config {
        durable: DurableConfig {
            store: true,
            inbox: Some(InboxConfig::default()),
            ..DurableConfig::default()
        },
        ..Config::default()
    }
}

fn ids(e: &E, seqs: &[u64]) -> Vec<String> {
    seqs.iter()
        .map(|&s| e.store().id(s).unwrap_or_else(|| format!("#{s}")))
        .collect()
}

use background_manager::engine::Store;

/// The deliveries in `out`: (send, tasks).
fn sends(out: &[Out]) -> Vec<(u64, Vec<String>)> {
    out.iter()
        .filter_map(|o| match o {
            Out::Deliver(_, send, _, n) => {
                Some((*send, n.iter().map(|(t, _)| t.clone()).collect()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_notification_is_sent_only_once_its_transition_is_stored() {
    let mut e = with(durable());
    create(&mut e, "a", T0);
    let c = e.take_changes(false).expect("the new task is journaled");
    assert_eq!(ids(&e, &c.tasks), ["a"]);
    e.changes_written(c, true, T0);
    complete(&mut e, "a", "r", T0 + 1).unwrap();
    assert!(sends(&drain(&mut e)).is_empty(), "not before it is stored");
    let c = e
        .take_changes(false)
        .expect("the transition and its notice");
    assert_eq!(ids(&e, &c.tasks), ["a"]);
    assert_eq!(c.notices.len(), 1);
    let notice = e.notice(c.notices[0]).expect("kept");
    assert_eq!(
        (notice.task.as_str(), notice.status),
        ("a", Status::Completed)
    );
    e.changes_written(c, true, T0 + 2);
    let out = drain(&mut e);
    assert_eq!(sends(&out), [(0, vec!["a".to_string()])]);
    assert_eq!(e.pending_count(), 1, "pending until sendMessage resolves");
    e.notice_settled(0, true, T0 + 3);
    assert_eq!(e.pending_count(), 0);
    let c = e.take_changes(false).expect("the delivered notice goes");
    assert_eq!(c.delivered.len(), 1);
    assert!(c.tasks.is_empty());
}

#[test]
fn a_failed_write_goes_again_with_the_next_and_its_notice_waits_for_it() {
    let mut e = with(durable());
    create(&mut e, "a", T0);
    complete(&mut e, "a", "r", T0).unwrap();
    let c = e.take_changes(false).unwrap();
    e.changes_written(c, false, T0 + 1);
    assert!(
        sends(&drain(&mut e)).is_empty(),
        "not sent while not stored"
    );
    create(&mut e, "b", T0 + 2);
    let c = e
        .take_changes(false)
        .expect("the failed write and the new one");
    assert_eq!(ids(&e, &c.tasks), ["a", "b"]);
    assert_eq!(c.notices.len(), 1, "the notice goes with it");
    e.changes_written(c, true, T0 + 3);
    assert_eq!(sends(&drain(&mut e)).len(), 1, "sent once stored");
}

#[test]
fn every_status_reads_back_from_its_text() {
    for st in Status::ALL {
        assert_eq!(Status::parse(st.as_str()), Some(st));
    }
    assert_eq!(Status::parse("done"), None);
}

#[test]
fn streamed_output_is_saved_at_most_every_output_save_every() {
    let mut e = with(durable());
    launch(&mut e, "a", "agent", T0);
    drain(&mut e);
    let c = e.take_changes(false).unwrap();
    e.changes_written(c, true, T0);
    // The first entry reserves the log's seqs (`LOG_RESERVE`), written at
    // once; the output after it waits.
    assert!(write(&mut e, "a", "chunk ", T0));
    let c = e.take_changes(false).expect("the reservation goes at once");
    e.changes_written(c, true, T0);
    for i in 1..50 {
        assert!(write(&mut e, "a", "chunk ", T0 + i * 4));
        assert!(!e.has_changes(), "write {i} waits");
    }
    assert!(e.needs_timer());
    assert!(e.due_by().is_some_and(|at| at <= T0 + 4 + 250));
    e.advance(T0 + 4 + 250);
    let c = e.take_changes(false).expect("saved once the period passed");
    assert_eq!(ids(&e, &c.tasks), ["a"]);
    e.changes_written(c, true, T0 + 4 + 250);
    assert!(write(&mut e, "a", "more", T0 + 260));
    assert!(
        e.take_changes(true).is_some(),
        "a flush takes waiting output"
    );
}

#[test]
fn evictions_are_journaled_as_removals() {
    let mut e = with(durable());
    create(&mut e, "a", T0);
    complete(&mut e, "a", "r", T0).unwrap();
    drain(&mut e);
    let c = e.take_changes(false).unwrap();
    e.changes_written(c, true, T0);
    e.advance(T0 + TTL);
    let c = e.take_changes(false).unwrap();
    assert_eq!(c.removed, ["a"]);
}

fn retrying(attempts: u32) -> Config {
    Config {
        durable: DurableConfig {
            inbox: Some(InboxConfig {
                attempts,
                initial_delay: 100,
                max_delay: 1_000,
                ..InboxConfig::default()
            }),
            ..DurableConfig::default()
        },
        ..Config::default()
    }
}

#[test]
fn a_failed_send_is_retried_with_backoff_and_later_notices_wait_their_turn() {
    let mut e = with(retrying(5));
    create(&mut e, "a", T0);
    create(&mut e, "b", T0);
    complete(&mut e, "a", "r", T0).unwrap();
    complete(&mut e, "b", "r", T0).unwrap();
    let out = drain(&mut e);
    assert_eq!(sends(&out), [(0, vec!["a".to_string()])], "one in flight");
    let mut now = T0;
    let mut send = 0;
    for attempt in 1..=3u32 {
        e.notice_settled(send, false, now);
        assert!(sends(&drain(&mut e)).is_empty());
        let due = e.due_by().expect("a retry is timed");
        let delay = due - now;
        let full = (100u64 << (attempt - 1)).min(1_000);
        assert!(
            delay >= full - full / 2 && delay <= full,
            "retry {attempt} after {delay} ms"
        );
        now = due;
        e.advance(now);
        let out = sends(&drain(&mut e));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1, ["a"], "the same notice again, b still waits");
        send = out[0].0;
    }
    e.notice_settled(send, true, now);
    let out = sends(&drain(&mut e));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, ["b"], "then the next, in order");
    let ids: Vec<_> = e.pending_notices().iter().map(|n| n.task.clone()).collect();
    assert_eq!(ids, ["b"]);
}

#[test]
fn a_notice_that_fails_every_attempt_is_parked_kept_and_does_not_block() {
    let mut e = with(retrying(3));
    create(&mut e, "a", T0);
    create(&mut e, "b", T0);
    complete(&mut e, "a", "r", T0).unwrap();
    complete(&mut e, "b", "r", T0).unwrap();
    let mut now = T0;
    let mut out = sends(&drain(&mut e));
    let mut tries = 0;
    while out.first().is_some_and(|(_, t)| t == &["a"]) {
        tries += 1;
        e.notice_settled(out[0].0, false, now);
        out = sends(&drain(&mut e));
        if out.is_empty() {
            now = e.due_by().expect("timed");
            e.advance(now);
            out = sends(&drain(&mut e));
        }
        assert!(tries <= 3, "retries are bounded");
    }
    assert_eq!(tries, 3);
    assert_eq!(out[0].1, ["b"], "b goes once a is parked");
    let pending = e.pending_notices();
    let a = pending.iter().find(|n| n.task == "a").expect("a is kept");
    assert_eq!((a.state, a.attempts), (NoticeState::Parked, 3));
}

#[test]
fn a_send_that_never_settles_counts_as_failed() {
    let mut e = with(retrying(5));
    create(&mut e, "a", T0);
    complete(&mut e, "a", "r", T0).unwrap();
    let first = sends(&drain(&mut e));
    assert_eq!(first.len(), 1);
    e.advance(T0 + 30_000);
    let retry_at = e.due_by().expect("a retry");
    e.advance(retry_at);
    let again = sends(&drain(&mut e));
    assert_eq!(again.len(), 1, "sent again after the timeout");
    e.notice_settled(first[0].0, true, retry_at);
    assert_eq!(
        e.pending_count(),
        1,
        "the late answer of the first send counts for nothing"
    );
    e.notice_settled(again[0].0, true, retry_at);
    assert_eq!(e.pending_count(), 0);
}

#[test]
fn batches_wait_for_quiet_but_never_longer_than_max_delay() {
    let mut config = retrying(5);
    if let Some(inbox) = &mut config.durable.inbox {
        inbox.batch = Some(Batch {
            debounce: 100,
            max_delay: 500,
        });
    }
    let mut e = with(config);
    // A notice every 60 ms: never quiet for 100 ms, so maxDelay sends.
    let mut out = Vec::new();
    for i in 0..12u64 {
        let id = format!("t{i}");
        e.create(Some(id.clone()), None, "o", T0 + i * 60).unwrap();
        e.complete(&id, "r", T0 + i * 60).unwrap();
        let now = drain(&mut e);
        if i * 60 < 500 {
            assert!(sends(&now).is_empty(), "held at {}", i * 60);
        }
        out.extend(now);
    }
    let batch = sends(&out);
    assert_eq!(batch.len(), 1);
    assert!(out.iter().any(|o| matches!(o, Out::Deliver(_, _, true, _))));
    // Those ready by 500 ms, when the first had waited maxDelay.
    assert_eq!(
        batch[0].1,
        (0..9).map(|i| format!("t{i}")).collect::<Vec<_>>()
    );
    e.notice_settled(batch[0].0, true, T0 + 660);
    // The rest go once quiet: 100 ms after the last.
    e.advance(T0 + 759);
    assert!(sends(&drain(&mut e)).is_empty());
    e.advance(T0 + 760);
    let rest = sends(&drain(&mut e));
    assert_eq!(rest[0].1, ["t9", "t10", "t11"]);
}

fn stored(id: &str, status: Status, at: u64, agent: Option<&str>, resume: bool) -> Restored<Test> {
    Restored {
        id: id.into(),
        status,
        created_at: at,
        updated_at: at + 5,
        session: ("session-1".into(), "session-1".into()),
        values: NewTask {
            options: "opts",
            launch: agent.map(|a| (a.to_string(), "p".to_string())),
            resume,
        },
        agent: agent.map(str::to_string),
        key: None,
        priority: 0,
        ending: match status {
            Status::Completed => Ending::Result("r"),
            Status::Error => Ending::Error("boom".into()),
            _ => Ending::None,
        },
        output: Some(("head".into(), 4, "tail".into(), 4, 10)),
        log: None,
        attempt: 1,
        started: false,
    }
}

#[test]
fn loading_interrupts_dead_runs_resumes_resumable_ones_and_keeps_external_ones() {
    let mut e = with(durable());
    let now = T0 + 60_000;
    let records = vec![
        stored("done", Status::Completed, T0, None, false),
        stored("ran", Status::Running, T0 + 1, Some("agent"), false),
        stored("waited", Status::Queued, T0 + 2, Some("agent"), false),
        stored("again", Status::Running, T0 + 3, Some("agent"), true),
        stored("outside", Status::Running, T0 + 4, None, false),
    ];
    assert_eq!(e.restore(records, vec![], true, now), 5);
    let out = drain(&mut e);
    let status = |e: &mut E, id| get(e, id, now).unwrap().status;
    assert_eq!(status(&mut e, "done"), Status::Completed);
    assert_eq!(status(&mut e, "ran"), Status::Interrupted);
    assert_eq!(status(&mut e, "waited"), Status::Interrupted);
    assert_eq!(status(&mut e, "outside"), Status::Running);
    assert_eq!(
        status(&mut e, "again"),
        Status::Running,
        "queued again and started"
    );
    assert!(out.contains(&Out::Start("again".into(), "agent".into(), "p".into())));
    let again = e.get(&"again".to_string()).unwrap();
    assert_eq!(again.attempt(), 2);
    let done = get(&mut e, "done", now).unwrap();
    assert_eq!(done.result, Some("r"));
    assert_eq!(
        done.output,
        "head\n[... 10 characters of output cut ...]\ntail"
    );
    assert_eq!(
        output_since(&mut e, "done", 0, now).1,
        18,
        "the cursor is kept"
    );
    // The interruptions are notified (once stored), in order.
    let c = e.take_changes(false).unwrap();
    let tasks: Vec<_> = c
        .notices
        .iter()
        .map(|&n| e.notice(n).unwrap().task.clone())
        .collect();
    assert_eq!(tasks, ["ran", "waited"]);
    e.changes_written(c, true, now);
    assert_eq!(sends(&drain(&mut e))[0].1, ["ran"]);
}

#[test]
fn without_a_runner_a_resumable_task_is_interrupted_too() {
    let mut e = with(durable());
    let records = vec![stored("again", Status::Running, T0, Some("agent"), true)];
    e.restore(records, vec![], false, T0 + 10);
    drain(&mut e);
    assert_eq!(
        get(&mut e, "again", T0 + 10).unwrap().status,
        Status::Interrupted
    );
}

#[test]
fn loading_runs_ttl_and_eviction_as_of_the_stored_times() {
    let mut e = with(durable());
    let now = T0 + TTL + 1_000;
    let records = vec![
        // Final for longer than a TTL: gone on load.
        stored("old", Status::Completed, T0 - TTL, None, false),
        // Running past its TTL: failed as of its deadline.
        stored("late", Status::Running, T0, None, false),
        stored("fresh", Status::Completed, T0 + TTL, None, false),
    ];
    e.restore(records, vec![], true, now);
    drain(&mut e);
    assert!(get(&mut e, "old", now).is_none());
    let late = get(&mut e, "late", now).unwrap();
    assert_eq!((late.status, late.updated_at), (Status::Error, T0 + TTL));
    assert!(late.error.unwrap().contains("timed out"));
    assert_eq!(get(&mut e, "fresh", now).unwrap().status, Status::Completed);
    let c = e.take_changes(false).unwrap();
    assert_eq!(c.removed, ["old"]);
    assert_eq!(ids(&e, &c.tasks), ["late"]);
}

#[test]
fn stored_notices_go_to_the_session_with_their_id_once_it_is_current() {
    let mut e = new(durable());
    e.initialize("other", "session-2", "session-2".into(), T0);
    let notices = vec![RestoredNotice {
        id: "n1".into(),
        task: "gone".into(),
        session: ("session-1".into(), "session-1".into()),
        status: Status::Completed,
        timestamp: T0 - 5,
    }];
    e.restore(vec![], notices, true, T0);
    assert!(sends(&drain(&mut e)).is_empty(), "not to another session");
    assert_eq!(e.pending_count(), 1);
    e.initialize("s1", "session-1", "session-1".into(), T0 + 1);
    let out = drain(&mut e);
    assert!(matches!(&out[..], [Out::Deliver("s1", _, false, n)] if n[0].0 == "gone"));
}

#[test]
fn stored_notices_for_the_current_session_go_as_soon_as_the_store_is_loaded() {
    let mut e = with(durable());
    let notices = vec![RestoredNotice {
        id: "n1".into(),
        task: "gone".into(),
        session: ("session-1".into(), "session-1".into()),
        status: Status::Error,
        timestamp: T0 - 5,
    }];
    e.restore(vec![], notices, true, T0);
    let out = drain(&mut e);
    assert!(
        matches!(&out[..], [Out::Deliver("s1", _, false, n)] if n[0] == ("gone".to_string(), Status::Error))
    );
}

#[test]
fn a_stored_log_goes_on_numbering_where_it_stopped_and_a_record_without_one_starts_again() {
    use background_manager::engine::StoredLog;
    let mut e = with(durable());
    let now = T0 + 60_000;
    let mut kept = stored("kept", Status::Running, T0, None, false);
    kept.log = Some(StoredLog {
        entries: "entries",
        head: vec![32, 36],
        tail: vec![40, 40],
        last: 9,
        reserved: 0,
    });
    let older = stored("older", Status::Running, T0 + 1, None, false);
    assert_eq!(e.restore(vec![kept, older], vec![], true, now), 2);
    drain(&mut e);
    let seq = |e: &E, id: &str| e.store().find(&id.to_string()).unwrap();
    let (k, o) = (seq(&e, "kept"), seq(&e, "older"));
    let log = |e: &E, s: u64| e.task(s).unwrap().stream().unwrap().log.clone();
    assert_eq!(log(&e, k).last(), 9);
    assert_eq!(log(&e, k).kept(), (2, 2));
    assert_eq!(log(&e, k).dropped(), 5);
    // Output stored without a log: its log starts again from the task's times.
    assert_eq!(log(&e, o).last(), 1);
    e.append_output(&"kept".to_string(), &"more".to_string(), 4, now + 1)
        .unwrap();
    assert_eq!(log(&e, k).last(), 10, "numbering goes on: no seq is reused");
    assert!(e.inconsistency().is_none());
    drain(&mut e);
}

#[test]
fn a_task_stored_while_its_runner_asked_is_interrupted_or_run_again_on_load() {
    let mut e = with(durable());
    let now = T0 + 60_000;
    let records = vec![
        stored("asked", Status::InputRequired, T0, Some("agent"), false),
        stored("again", Status::InputRequired, T0 + 1, Some("agent"), true),
    ];
    assert_eq!(e.restore(records, vec![], true, now), 2);
    let out = drain(&mut e);
    // No runner asks any more: nothing to reply to, nothing left waiting.
    assert!(!out.iter().any(|o| matches!(o, Out::Reply(..))));
    assert_eq!(
        get(&mut e, "asked", now).unwrap().status,
        Status::Interrupted
    );
    assert_eq!(get(&mut e, "again", now).unwrap().status, Status::Running);
    assert_eq!(get(&mut e, "again", now).unwrap().question, None);
    assert!(out.contains(&Out::Start("again".into(), "agent".into(), "p".into())));
    assert!(e.is_consistent(), "{:?}", e.inconsistency());
}

#[test]
fn a_log_reserves_seqs_ahead_in_the_store_and_a_restart_numbers_on_past_them() {
    use background_manager::engine::{StoredLog, LOG_RESERVE};
    let mut e = with(durable());
    create(&mut e, "a", T0);
    e.take_changes(false);
    let log = |e: &E| {
        let seq = e.store().find(&"a".to_string()).unwrap();
        e.task(seq).unwrap().stream().unwrap().log.clone()
    };
    // The first entry beyond the task's times reserves seqs, written at once
    // (not with the next output save).
    e.append_output(&"a".to_string(), &"x".to_string(), 1, T0 + 1)
        .unwrap();
    // The log began with the task's first status (seq 1, which a load makes
    // again from the task's times): reserved from the output after it.
    assert_eq!(log(&e).last(), 2);
    assert_eq!(log(&e).reserved(), 2 + LOG_RESERVE);
    let c = e.take_changes(false).expect("the reservation");
    assert_eq!(ids(&e, &c.tasks), ["a"]);
    // Output goes on without writes until half the reservation is used.
    let mut renewed_at = None;
    for i in 0..LOG_RESERVE {
        e.append_output(&"a".to_string(), &"x".to_string(), 1, T0 + 1)
            .unwrap();
        if let Some(c) = e.take_changes(false) {
            assert!(renewed_at.is_none(), "renewed once");
            assert_eq!(ids(&e, &c.tasks), ["a"]);
            renewed_at = Some(i);
        }
    }
    let last = log(&e).last();
    assert_eq!(
        renewed_at.map(|i| 3 + i),
        Some(3 + LOG_RESERVE / 2),
        "renewed by the first entry that left less than half of it"
    );
    assert!(
        log(&e).reserved() >= last + LOG_RESERVE / 2,
        "half of it still left"
    );

    // Loaded from a store whose log got to seq 9 and reserved up to 700:
    // the next entry is 701, and the kept beginning takes no more.
    let mut e = with(durable());
    let now = T0 + 60_000;
    let mut kept = stored("kept", Status::Running, T0, None, false);
    kept.log = Some(StoredLog {
        entries: "entries",
        head: vec![32, 32],
        tail: vec![],
        last: 2,
        reserved: 700,
    });
    e.restore(vec![kept], vec![], true, now);
    drain(&mut e);
    e.append_output(&"kept".to_string(), &"more".to_string(), 4, now + 1)
        .unwrap();
    let seq = e.store().find(&"kept".to_string()).unwrap();
    let l = e.task(seq).unwrap().stream().unwrap().log.clone();
    assert_eq!(l.last(), 701, "past every seq a reader could have seen");
    assert_eq!(l.kept(), (2, 1), "the new entry at the kept end");
    assert!(e.inconsistency().is_none());
    // A clean stop's last write gives back what was not used: the next
    // load numbers on with no hole.
    let c = e.take_changes(true).expect("the released reservation");
    assert_eq!(ids(&e, &c.tasks), ["kept"]);
    let l = e.task(seq).unwrap().stream().unwrap().log.clone();
    assert_eq!(l.reserved(), l.last());
}
