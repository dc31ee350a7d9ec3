//! The bounded output buffer: the beginning and the end are kept, the cut is
//! marked, and cursors let several readers follow one task.
#![cfg(not(target_arch = "wasm32"))]

use background_manager::engine::Output;

#[test]
fn small_output_is_kept_whole() {
    let mut out = Output::new(1024);
    assert!(out.is_empty());
    out.push("hello ");
    out.push("world");
    assert_eq!(out.text(), "hello world");
    assert_eq!(out.cursor(), 11);
    assert!(!out.is_cut());
}

#[test]
fn output_past_the_cap_keeps_beginning_and_end_and_marks_the_cut() {
    let mut out = Output::new(1064); // 1000 bytes of room, 500 each side
    for i in 0..1000 {
        out.push(&format!("{i:04}\n"));
    }
    assert_eq!(out.cursor(), 5000);
    assert!(out.is_cut());
    assert!(out.held() <= 1000);
    let text = out.text();
    assert!(text.starts_with("0000\n0001\n"), "{}", &text[..20]);
    assert!(text.ends_with("0998\n0999\n"));
    assert!(
        text.contains("[... 4000 bytes of output cut ...]"),
        "{text}"
    );
    assert!(text.len() <= 1064);
}

#[test]
fn one_huge_write_stays_within_the_cap() {
    let mut out = Output::new(1 << 20);
    let chunk = "x".repeat(1 << 20);
    for _ in 0..100 {
        out.push(&chunk);
    }
    assert_eq!(out.cursor(), 100 << 20);
    assert!(out.held() <= 1 << 20);
    assert!(out.text().len() <= 1 << 20);
}

#[test]
fn cuts_never_split_a_character() {
    let mut out = Output::new(64 + 20);
    for _ in 0..50 {
        out.push("é✓🚀");
    }
    let text = out.text();
    assert!(text.starts_with("é✓🚀"));
    assert!(!text.contains('\u{fffd}'), "{text}");
    assert!(text.ends_with("🚀"));
}

#[test]
fn two_readers_follow_one_task_with_cursors() {
    let mut out = Output::new(1 << 20);
    let (mut a, mut b) = (0, 0);
    let (mut seen_a, mut seen_b) = (String::new(), String::new());
    for i in 0..10 {
        out.push(&format!("line {i}\n"));
        seen_a.push_str(&out.since(a));
        a = out.cursor();
        if i % 3 == 0 {
            seen_b.push_str(&out.since(b));
            b = out.cursor();
        }
    }
    seen_b.push_str(&out.since(b));
    assert_eq!(seen_a, out.text());
    assert_eq!(seen_b, out.text());
    assert_eq!(out.since(out.cursor()), "");
    assert_eq!(out.since(u64::MAX), "");
}

#[test]
fn a_reader_left_behind_by_a_cut_sees_the_notice_then_the_end() {
    let mut out = Output::new(64 + 100); // 50 + 50
    out.push(&"a".repeat(40));
    let cursor = out.cursor();
    out.push(&"b".repeat(500));
    let rest = out.since(cursor);
    assert!(
        rest.starts_with("bbbbbbbbbb"),
        "head remainder first: {rest}"
    );
    assert!(rest.contains("bytes of output cut"));
    assert!(rest.ends_with(&"b".repeat(50)));
    let late = out.since(300);
    assert!(late.starts_with("\n[... "), "{late}");
    assert_eq!(out.since(out.cursor() - 10), "b".repeat(10));
}
