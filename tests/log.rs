//! The numbered log per task: entries numbered from 1 and never reused,
//! made lazily from a task's times, bounded like the output with one gap
//! where a reader's place was cut. Natively, with a fake clock.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::memstore::log_entries::{MemEntry, MemEntryKind as K};
use background_manager::engine::{Config, Status, ENTRY_COST};
use common::{Ev, Out, E, T0};

fn read(e: &mut E, id: &str, after: u64, limit: usize) -> Vec<MemEntry<&'static str>> {
    let seq = common::seq(e, id);
    e.open_log(seq);
    e.store()
        .read_log(seq, after, limit)
        .expect("the task is kept")
}

fn kinds(entries: &[MemEntry<&'static str>]) -> Vec<(u64, K<&'static str>)> {
    entries.iter().map(|x| (x.seq, x.kind.clone())).collect()
}

#[test]
fn a_created_task_has_its_status_entries_without_a_stream_until_read() {
    let mut e = common::engine();
    common::create(&mut e, "t", T0);
    common::complete(&mut e, "t", "ok", T0 + 5).unwrap();
    let seq = common::seq(&e, "t");
    assert!(
        e.task(seq).unwrap().stream().is_none(),
        "nothing but statuses: no stream"
    );
    assert_eq!(e.task(seq).unwrap().log_last(), 2);
    let entries = read(&mut e, "t", 0, usize::MAX);
    assert_eq!(
        kinds(&entries),
        vec![
            (1, K::Status(Status::Running, None)),
            (2, K::Status(Status::Completed, None))
        ]
    );
    assert_eq!((entries[0].at, entries[1].at), (T0, T0 + 5));
    // Opening it again changes nothing.
    assert_eq!(read(&mut e, "t", 0, usize::MAX), entries);
    common::drain(&mut e);
}

#[test]
fn a_failed_task_ends_its_log_with_the_message() {
    let mut e = common::engine();
    common::create(&mut e, "t", T0);
    common::append(&mut e, "t", "partial", T0 + 1).unwrap();
    common::fail(&mut e, "t", "boom", T0 + 2).unwrap();
    assert_eq!(
        kinds(&read(&mut e, "t", 0, usize::MAX)),
        vec![
            (1, K::Status(Status::Running, None)),
            (2, K::Output("partial".into(), 7)),
            (3, K::Status(Status::Error, Some("boom".into()))),
        ]
    );
    common::drain(&mut e);
}

#[test]
fn a_launched_run_logs_every_status_write_progress_and_heartbeat_in_order() {
    let mut e = common::engine();
    common::launch(&mut e, "t", "agent", T0);
    let seq = common::seq(&e, "t");
    common::drain(&mut e);
    e.set_events(true);
    assert!(common::write(&mut e, "t", "a", T0 + 1));
    assert!(e.run_progress(seq, &"1 of 2", 6, T0 + 2));
    assert!(e.run_heartbeat(seq, T0 + 3));
    assert!(common::write(&mut e, "t", "bc", T0 + 4));
    e.run_settled(seq, Ok("done"), T0 + 5);
    let entries = read(&mut e, "t", 0, usize::MAX);
    assert_eq!(
        kinds(&entries),
        vec![
            (1, K::Status(Status::Queued, None)),
            (2, K::Status(Status::Running, None)),
            (3, K::Output("a".into(), 1)),
            (4, K::Progress("1 of 2")),
            (5, K::Heartbeat),
            (6, K::Output("bc".into(), 3)),
            (7, K::Status(Status::Completed, None)),
        ]
    );
    let at: Vec<u64> = entries.iter().map(|x| x.at).collect();
    assert_eq!(at, vec![T0, T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5]);
    let snap = common::snapshot_of(&e, seq).unwrap();
    assert_eq!(
        snap.progress,
        Some("1 of 2"),
        "the latest progress is on the snapshot"
    );
    // Progress moves updatedAt, a heartbeat does not.
    let events = common::drain(&mut e);
    assert!(events.contains(&Out::Event(Ev::Progress("t".into(), "1 of 2"))));
    // Once final, nothing more is logged.
    assert!(!e.run_progress(seq, &"late", 4, T0 + 6));
    assert!(!e.run_heartbeat(seq, T0 + 7));
    assert_eq!(e.task(seq).unwrap().log_last(), 7);
}

#[test]
fn a_heartbeat_leaves_updated_at_and_progress_moves_it() {
    let mut e = common::engine();
    common::launch(&mut e, "t", "agent", T0);
    let seq = common::seq(&e, "t");
    assert!(e.run_heartbeat(seq, T0 + 10));
    assert_eq!(e.task(seq).unwrap().updated_at, T0);
    assert!(e.run_progress(seq, &"p", 1, T0 + 20));
    assert_eq!(e.task(seq).unwrap().updated_at, T0 + 20);
    common::drain(&mut e);
}

#[test]
fn a_queued_task_cancelled_before_it_ran_reads_queued_then_cancelled() {
    let mut e = common::with(Config {
        max_concurrent: Some(1),
        ..Config::default()
    });
    common::launch(&mut e, "a", "agent", T0);
    common::launch(&mut e, "b", "agent", T0);
    common::cancel(&mut e, "b", true, T0 + 3).unwrap();
    assert_eq!(
        kinds(&read(&mut e, "b", 0, usize::MAX)),
        vec![
            (1, K::Status(Status::Queued, None)),
            (2, K::Status(Status::Cancelled, None))
        ]
    );
    common::drain(&mut e);
}

#[test]
fn the_cap_keeps_the_first_and_latest_entries_and_readers_get_one_gap() {
    // 10 entries of ENTRY_COST + 8 fit each half.
    let cap = 2 * 10 * (ENTRY_COST + 8);
    let mut e = common::with(Config {
        output_cap: cap,
        ..Config::default()
    });
    common::create(&mut e, "t", T0);
    for i in 0..100u64 {
        common::append(&mut e, "t", &format!("{i:08}"), T0 + i).unwrap();
    }
    let seq = common::seq(&e, "t");
    let log = e.task(seq).unwrap().stream().unwrap().log.clone();
    assert_eq!(log.last(), 101);
    let (head, tail) = log.kept();
    assert_eq!(log.dropped(), 101 - head - tail);
    assert!(head >= 9 && tail == 10, "kept {head} + {tail}");
    let all = read(&mut e, "t", 0, usize::MAX);
    assert_eq!(all.len() as u64, head + 1 + tail, "head, one gap, tail");
    let gap = &all[head as usize];
    assert_eq!(gap.kind, K::Gap(101 - head - tail));
    assert_eq!(
        gap.seq,
        101 - tail,
        "the gap's seq is the last entry dropped"
    );
    // Seqs strictly increase through the gap.
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    // A reader whose place was cut away gets the gap first, then the tail.
    let late = read(&mut e, "t", 50, usize::MAX);
    assert_eq!(late[0].kind, K::Gap(101 - tail - 50));
    assert_eq!(late.len() as u64, 1 + tail);
    // Reading on after the gap continues with no duplicate and no hole.
    let after_gap = read(&mut e, "t", late[0].seq, usize::MAX);
    assert_eq!(after_gap, late[1..].to_vec());
    // `limit` counts the gap as one entry.
    let two = read(&mut e, "t", 50, 2);
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].seq, 101 - tail + 1);
    // Where the output keeps its bound, the log keeps its own.
    assert!(e.inconsistency().is_none());
    common::drain(&mut e);
}

#[test]
fn an_entry_heavier_than_half_the_cap_is_kept_alone() {
    let mut e = common::with(Config {
        output_cap: 100,
        ..Config::default()
    });
    common::create(&mut e, "t", T0);
    common::append(&mut e, "t", &"x".repeat(500), T0 + 1).unwrap();
    common::append(&mut e, "t", &"y".repeat(500), T0 + 2).unwrap();
    let all = read(&mut e, "t", 0, usize::MAX);
    let last = all.last().unwrap();
    assert_eq!(
        (last.seq, last.kind.clone()),
        (3, K::Output("y".repeat(500), 1000))
    );
    assert!(e.inconsistency().is_none());
    common::drain(&mut e);
}

#[test]
fn a_dropped_wait_is_gone_with_its_timeout_and_the_others_still_wake() {
    let mut e = common::engine();
    common::create(&mut e, "t", T0);
    assert!(common::wait(&mut e, "t", true, Some(1_000), 1, T0)
        .unwrap()
        .is_none());
    assert!(common::wait(&mut e, "t", true, None, 2, T0)
        .unwrap()
        .is_none());
    assert_eq!(e.waiting(), 2);
    let seq = common::seq(&e, "t");
    assert!(e.drop_wait(seq, |&w| w == 1));
    assert!(!e.drop_wait(seq, |&w| w == 1), "gone already");
    assert_eq!(e.waiting(), 1);
    // Its timeout passes without a word.
    e.advance(T0 + 2_000);
    assert!(common::drain(&mut e).is_empty());
    common::complete(&mut e, "t", "ok", T0 + 3_000).unwrap();
    let woken: Vec<Out> = common::drain(&mut e)
        .into_iter()
        .filter(|o| matches!(o, Out::Wake(..)))
        .collect();
    assert_eq!(woken, vec![Out::Wake(2, Status::Completed, false)]);
    assert_eq!(e.waiting(), 0);
}

#[test]
fn a_run_started_at_launch_costs_no_stream_and_one_started_later_logs_its_start() {
    let mut e = common::with(Config {
        max_concurrent: Some(1),
        ..Config::default()
    });
    common::launch(&mut e, "now", "agent", T0);
    common::launch(&mut e, "later", "agent", T0);
    let (now, later) = (common::seq(&e, "now"), common::seq(&e, "later"));
    e.run_settled(now, Ok("done"), T0 + 7);
    assert!(
        e.task(now).unwrap().stream().is_none(),
        "queued, running and completed come from its times"
    );
    assert!(
        e.task(later).unwrap().stream().is_some(),
        "it waited: its start is logged as it happens"
    );
    let entries = read(&mut e, "now", 0, usize::MAX);
    assert_eq!(
        kinds(&entries),
        vec![
            (1, K::Status(Status::Queued, None)),
            (2, K::Status(Status::Running, None)),
            (3, K::Status(Status::Completed, None)),
        ]
    );
    assert_eq!(
        entries.iter().map(|x| x.at).collect::<Vec<_>>(),
        vec![T0, T0, T0 + 7]
    );
    let waited = read(&mut e, "later", 0, usize::MAX);
    assert_eq!(
        kinds(&waited),
        vec![
            (1, K::Status(Status::Queued, None)),
            (2, K::Status(Status::Running, None))
        ]
    );
    assert_eq!(waited[1].at, T0 + 7);
    common::drain(&mut e);
}
