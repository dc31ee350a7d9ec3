//! The bounded output: the engine decides from lengths what is kept (the
//! beginning and the end, exactly the cap between them) and where the
//! cursors are, in UTF-16 code units; the store keeps the text and renders
//! it with the cut marked. Here the store is `MemStore`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use background_manager::engine::memstore::store::units;
use background_manager::engine::{Config, Cut, Output};
use common::{append, create, get, output_since, E, T0};

fn with_cap(cap: usize) -> E {
    let mut e = common::with(Config {
        output_cap: cap,
        ..Config::default()
    });
    create(&mut e, "t", T0);
    e
}

fn text(e: &mut E) -> String {
    get(e, "t", T0).unwrap().output
}

fn kept(text: &str) -> String {
    let notice = text.find("\n[... ").map(|i| {
        let end = text[i..].find(" ...]\n").unwrap() + i + 6;
        (i, end)
    });
    match notice {
        Some((start, end)) => [&text[..start], &text[end..]].concat(),
        None => text.to_string(),
    }
}

#[test]
fn the_cut_decision_fills_the_head_then_keeps_the_latest_units() {
    let mut out = Output::new(10);
    assert_eq!(out.push(3), Cut { head: 3, drop: 0 });
    assert_eq!(
        out.push(4),
        Cut { head: 2, drop: 0 },
        "the head takes 5, the rest goes to the tail"
    );
    assert_eq!(
        out.push(6),
        Cut { head: 0, drop: 3 },
        "the tail keeps its 5 latest"
    );
    assert_eq!(out.kept(), (5, 5));
    assert_eq!((out.cursor(), out.dropped()), (13, 3));
    let mut one = Output::new(1);
    one.push(5);
    assert_eq!(one.kept(), (0, 1), "outputCap 1 keeps exactly 1");
}

#[test]
fn small_output_is_kept_whole() {
    let mut e = with_cap(1024);
    append(&mut e, "t", "hello ", T0).unwrap();
    append(&mut e, "t", "world", T0).unwrap();
    assert_eq!(text(&mut e), "hello world");
    assert_eq!(e.task(0).unwrap().cursor(), 11);
    assert_eq!(e.task(0).unwrap().dropped(), 0);
}

#[test]
fn output_past_the_cap_keeps_exactly_the_cap_from_the_beginning_and_end() {
    let mut e = with_cap(1000);
    for i in 0..1000 {
        append(&mut e, "t", &format!("{i:04}\n"), T0).unwrap();
    }
    let task = e.task(0).unwrap();
    assert_eq!((task.cursor(), task.dropped()), (5000, 4000));
    let text = text(&mut e);
    assert!(text.starts_with("0000\n0001\n"));
    assert!(text.ends_with("0998\n0999\n"));
    assert!(
        text.contains("\n[... 4000 characters of output cut ...]\n"),
        "{text}"
    );
    assert_eq!(units(&kept(&text)), 1000, "exactly the cap is kept");
}

#[test]
fn one_huge_write_keeps_the_cap() {
    let mut e = with_cap(1 << 20);
    let chunk = "x".repeat(1 << 20);
    for _ in 0..20 {
        append(&mut e, "t", &chunk, T0).unwrap();
    }
    assert_eq!(e.task(0).unwrap().cursor(), 20 << 20);
    assert_eq!(units(&kept(&text(&mut e))), 1 << 20);
}

#[test]
fn a_cap_of_one_keeps_one_character() {
    let mut e = with_cap(1);
    append(&mut e, "t", "abc", T0).unwrap();
    append(&mut e, "t", "def", T0).unwrap();
    assert_eq!(text(&mut e), "\n[... 5 characters of output cut ...]\nf");
}

#[test]
fn cursors_count_utf16_code_units_and_a_cut_pair_loses_its_lone_half() {
    let mut e = with_cap(1 << 10);
    append(&mut e, "t", "é✓🚀", T0).unwrap();
    assert_eq!(
        e.task(0).unwrap().cursor(),
        4,
        "é and ✓ are one unit each, 🚀 two"
    );
    let (rest, _) = output_since(&mut e, "t", 2, T0);
    assert_eq!(rest, "🚀");
    // A cap of 7 splits the head inside a pair (3 units) and the tail may
    // start inside one: the rendering shows no half of a pair.
    let mut e = with_cap(7);
    for _ in 0..20 {
        append(&mut e, "t", "é🚀", T0).unwrap();
    }
    let text = text(&mut e);
    assert!(!text.contains('\u{fffd}'), "{text:?}");
    assert!(text.starts_with("é"));
    assert!(text.ends_with("🚀"));
}

#[test]
fn two_readers_follow_one_task_with_cursors() {
    let mut e = with_cap(1 << 20);
    let (mut a, mut b) = (0, 0);
    let (mut seen_a, mut seen_b) = (String::new(), String::new());
    for i in 0..10 {
        append(&mut e, "t", &format!("line {i}\n"), T0).unwrap();
        let (more, cursor) = output_since(&mut e, "t", a, T0);
        seen_a.push_str(&more);
        a = cursor;
        if i % 3 == 0 {
            let (more, cursor) = output_since(&mut e, "t", b, T0);
            seen_b.push_str(&more);
            b = cursor;
        }
    }
    let (more, end) = output_since(&mut e, "t", b, T0);
    seen_b.push_str(&more);
    let all = text(&mut e);
    assert_eq!(seen_a, all);
    assert_eq!(seen_b, all);
    assert_eq!(output_since(&mut e, "t", end, T0).0, "");
    assert_eq!(output_since(&mut e, "t", u64::MAX, T0).0, "");
    // Uncut, `since: c` is everything after index c of the whole output.
    assert_eq!(output_since(&mut e, "t", 7, T0).0, all[7..]);
}

#[test]
fn a_reader_left_behind_by_a_cut_sees_the_notice_then_the_end() {
    let mut e = with_cap(100); // 50 + 50
    append(&mut e, "t", &"a".repeat(40), T0).unwrap();
    let cursor = 40;
    append(&mut e, "t", &"b".repeat(500), T0).unwrap();
    let (rest, end) = output_since(&mut e, "t", cursor, T0);
    assert_eq!(
        rest,
        [
            "b".repeat(10),
            "\n[... 440 characters of output cut ...]\n".into(),
            "b".repeat(50)
        ]
        .concat(),
        "the head's remainder, the notice, the end"
    );
    let (late, _) = output_since(&mut e, "t", 300, T0);
    assert!(late.starts_with("\n[... "), "{late}");
    assert_eq!(output_since(&mut e, "t", end - 10, T0).0, "b".repeat(10));
}
