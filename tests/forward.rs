//! The rules of forwarded calls (`engine::sharing::forward`) in a simulated shared
//! manager: one caller that does not own it, a line of owners that live for
//! a while and die (before taking a call, after taking it, after storing
//! its change but before answering), with gaps between them, some longer
//! than the timeout; messages that take time. The caller makes tasks with
//! ids it made, tasks with ids of its own (some used twice) and lookups, and
//! goes on until a last owner that lives. It checks that every call is
//! settled exactly once; a task whose id the caller made is never made
//! twice and never answered `DUPLICATE_ID`; `NO_OWNER` comes only a whole
//! timeout after the call was last sent, and only for a call no owner
//! carried out; every call is settled once an owner lives.
//! The host side here is the one `src/facade/shared.js` carries out.
//! FORWARD_CASES sets the number of runs (default 300).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use background_manager::engine::sharing::forward::{Forwarder, Settle};
use proptest::prelude::*;

mod sim;
use sim::Rng;

const TIMEOUT: u64 = 500;

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// Makes task `id`; `made`: the caller made the id.
    Create(String, bool),
    Get(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Made,
    Duplicate,
    Found(bool),
    NoOwner,
}

#[derive(Clone, Debug)]
enum Msg {
    /// To an owner: call `n` of the caller.
    Call(u64, Kind),
    /// To the caller.
    Owner(usize),
    Ack(usize, u64),
    Reply(u64, Outcome),
}

struct Owner {
    start: u64,
    end: u64,
}

fn run(seed: u64) -> Result<usize, String> {
    let mut rng = Rng(seed | 1);
    // The owners' lives: [start, end), gaps between, the last one lives.
    let mut owners = Vec::new();
    let mut t = rng.below(300);
    for _ in 0..1 + rng.below(6) {
        let life = 50 + rng.below(1500);
        owners.push(Owner {
            start: t,
            end: t + life,
        });
        let gap = if rng.below(3) == 0 { 2 * TIMEOUT } else { 100 };
        t += life + rng.below(gap);
    }
    owners.push(Owner {
        start: t,
        end: u64::MAX,
    });
    let calls_until = t;
    let alive = |o: usize, at: u64| owners[o].start <= at && at < owners[o].end;
    let name = |o: usize| format!("o{o}");

    let mut f = Forwarder::new(TIMEOUT);
    let mut store: BTreeSet<String> = BTreeSet::new();
    // (delivery time, order) -> message; for an owner, whom it is to.
    let mut wire: BTreeMap<(u64, u64), (Option<usize>, Msg)> = BTreeMap::new();
    let mut order = 0u64;
    let mut post = |wire: &mut BTreeMap<(u64, u64), (Option<usize>, Msg)>,
                    at: u64,
                    to: Option<usize>,
                    m: Msg| {
        order += 1;
        wire.insert((at, order), (to, m));
    };
    // Per caller call: its kind, when it was last sent, the outcomes settled.
    let mut kinds: HashMap<u64, Kind> = HashMap::new();
    let mut last_send: HashMap<u64, u64> = HashMap::new();
    let mut settled: HashMap<u64, Vec<Outcome>> = HashMap::new();
    // A lookup call -> the call it settles.
    let mut lookups: HashMap<u64, u64> = HashMap::new();
    // Work an owner does later: (time, owner, call, kind).
    let mut work: BTreeMap<(u64, u64), (usize, u64, Kind)> = BTreeMap::new();
    let mut carried: BTreeSet<u64> = BTreeSet::new();
    let mut jobs = 0u64;
    let mut history: HashMap<u64, Vec<String>> = HashMap::new();
    let note = |history: &mut HashMap<u64, Vec<String>>, n: u64, at: u64, what: String| {
        history.entry(n).or_default().push(format!("{at}: {what}"));
    };
    let mut next_made = 0;
    let lat = 1 + rng.below(20);

    let settle = |settled: &mut HashMap<u64, Vec<Outcome>>,
                  lookups: &HashMap<u64, u64>,
                  id: u64,
                  o: Outcome| {
        let target = lookups.get(&id).copied().unwrap_or(id);
        settled.entry(target).or_default().push(o);
    };

    let end = calls_until + 20 * TIMEOUT;
    for now in 0..end {
        // Owners start: each says so to the caller.
        for (o, owner) in owners.iter().enumerate() {
            if owner.start == now {
                post(&mut wire, now + lat, None, Msg::Owner(o));
            }
        }
        // Deliveries due now.
        while let Some((&(at, k), _)) = wire.iter().next() {
            if at > now {
                break;
            }
            let (to, m) = wire.remove(&(at, k)).unwrap();
            match (to, m) {
                (Some(o), Msg::Call(n, kind)) => {
                    if !alive(o, now) {
                        continue;
                    }
                    note(&mut history, n, now, format!("o{o} takes it"));
                    post(&mut wire, now + lat, None, Msg::Ack(o, n));
                    let when = now + rng.below(40);
                    jobs += 1;
                    work.insert((when, jobs), (o, n, kind));
                }
                (None, Msg::Owner(o)) => {
                    for n in f.owner_is(now, &name(o)) {
                        note(&mut history, n, now, format!("sent to o{o}"));
                        last_send.insert(n, now);
                        post(
                            &mut wire,
                            now + lat,
                            Some(o),
                            Msg::Call(n, kinds[&n].clone()),
                        );
                    }
                }
                (None, Msg::Ack(o, n)) => {
                    note(&mut history, n, now, format!("acked by o{o}"));
                    f.acked(n, &name(o))
                }
                (None, Msg::Reply(n, outcome)) => {
                    let duplicate = outcome == Outcome::Duplicate;
                    match f.answered(n, duplicate) {
                        None => {}
                        Some(Settle::Answer) => settle(&mut settled, &lookups, n, outcome),
                        Some(Settle::LookUp) => {
                            let Kind::Create(id, _) = kinds[&n].clone() else {
                                return Err(format!("a lookup for call {n}, not a creation"));
                            };
                            let target = lookups.get(&n).copied().unwrap_or(n);
                            let (m, to) = f.look_up(now);
                            kinds.insert(m, Kind::Get(id));
                            lookups.insert(m, target);
                            if let Some(to) = to {
                                last_send.insert(m, now);
                                let o: usize = to[1..].parse().unwrap();
                                post(
                                    &mut wire,
                                    now + lat,
                                    Some(o),
                                    Msg::Call(m, kinds[&m].clone()),
                                );
                            }
                        }
                    }
                }
                _ => unreachable!(),
            }
        }
        // The owners' work: a change stored, then (later) its answer.
        while let Some((&(at, k), _)) = work.iter().next() {
            if at > now {
                break;
            }
            let (o, n, kind) = work.remove(&(at, k)).unwrap();
            if !alive(o, now) {
                continue;
            }
            let outcome = match &kind {
                Kind::Create(id, _) => {
                    note(&mut history, n, now, format!("o{o} runs it"));
                    if store.insert(id.clone()) {
                        carried.insert(n);
                        Outcome::Made
                    } else {
                        Outcome::Duplicate
                    }
                }
                Kind::Get(id) => Outcome::Found(store.contains(id)),
            };
            // It may die between storing and answering.
            let answer_at = now + rng.below(30);
            if alive(o, answer_at) {
                post(&mut wire, answer_at + lat, None, Msg::Reply(n, outcome));
            }
        }
        // Refused: no owner took them in time.
        for n in f.due(now) {
            note(&mut history, n, now, "refused".to_string());
            let sent = last_send.get(&n).copied().unwrap_or(0);
            if lookups.contains_key(&n) {
                return Err(format!(
                    "the lookup {n} of a task that was made refused NO_OWNER"
                ));
            }
            if now < sent + TIMEOUT {
                return Err(format!("call {n} refused at {now}, sent at {sent}"));
            }
            if carried.contains(&n) {
                return Err(format!(
                    "call {n} refused NO_OWNER after an owner made its task"
                ));
            }
            settle(&mut settled, &lookups, n, Outcome::NoOwner);
        }
        // New calls, until the last owner starts.
        if now < calls_until && rng.below(25) == 0 {
            let kind = match rng.below(4) {
                0 | 1 => {
                    next_made += 1;
                    Kind::Create(format!("m{next_made}"), true)
                }
                2 => Kind::Create(format!("u{}", rng.below(8)), false),
                _ => Kind::Get(format!("m{}", rng.below(next_made + 1))),
            };
            let made = matches!(kind, Kind::Create(_, true));
            let (n, to) = f.call(now, made);
            note(&mut history, n, now, format!("made, to {to:?}"));
            kinds.insert(n, kind);
            if let Some(to) = to {
                last_send.insert(n, now);
                let o: usize = to[1..].parse().unwrap();
                post(
                    &mut wire,
                    now + lat,
                    Some(o),
                    Msg::Call(n, kinds[&n].clone()),
                );
            }
        }
    }
    if f.pending() != 0 {
        return Err(format!(
            "{} calls never settled though an owner lives",
            f.pending()
        ));
    }
    for (n, kind) in &kinds {
        if lookups.contains_key(n) {
            continue;
        }
        let outcomes = settled.get(n).cloned().unwrap_or_default();
        if outcomes.len() != 1 {
            return Err(format!("call {n} ({kind:?}) settled {outcomes:?}"));
        }
        if let Kind::Create(id, true) = kind {
            match &outcomes[0] {
                Outcome::Made | Outcome::Found(true) => {
                    if !store.contains(id) {
                        return Err(format!("{id} answered made but not stored"));
                    }
                }
                Outcome::NoOwner => {
                    if store.contains(id) {
                        let lives: Vec<(u64, u64)> =
                            owners.iter().map(|o| (o.start, o.end)).collect();
                        return Err(format!(
                            "{id} refused NO_OWNER but made: {:?}; owners {lives:?}, lat {lat}",
                            history.get(n)
                        ));
                    }
                }
                other => return Err(format!("{id}, an id the caller made, answered {other:?}")),
            }
        }
    }
    Ok(kinds.len())
}

fn cases() -> u32 {
    std::env::var("FORWARD_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_call_settles_once_and_no_made_task_twice_across_owners(seed in any::<u64>()) {
        if let Err(e) = run(seed) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn a_resent_creation_that_finds_its_task_is_answered_with_it() {
    let mut f = Forwarder::new(TIMEOUT);
    f.owner_is(0, "a");
    let (n, to) = f.call(10, true);
    assert_eq!(to.as_deref(), Some("a"));
    f.acked(n, "a");
    assert_eq!(f.next_due(), None, "taken: it waits however long");
    // "a" stored the task and went; "b" has it already.
    assert_eq!(f.owner_is(700, "b"), vec![n]);
    assert_eq!(f.next_due(), None, "sent again, still taken");
    f.acked(n, "b");
    assert_eq!(f.answered(n, true), Some(Settle::LookUp));
    assert_eq!(f.answered(n, false), None, "settled once");
    let (look, to) = f.look_up(750);
    assert_eq!(to.as_deref(), Some("b"));
    assert_eq!(f.next_due(), None, "a lookup waits for an owner");
    assert!(f.due(100_000).is_empty());
    assert_eq!(f.answered(look, false), Some(Settle::Answer));
    // An id of the caller's own, or a call sent once: the answer as it came.
    let (m, _) = f.call(800, false);
    f.owner_is(900, "c");
    assert_eq!(f.answered(m, true), Some(Settle::Answer));
    let (k, _) = f.call(900, true);
    assert_eq!(f.answered(k, true), Some(Settle::Answer));
}

#[test]
fn without_an_owner_a_call_is_refused_a_timeout_after_it_was_last_sent() {
    let mut f = Forwarder::new(TIMEOUT);
    let (n, to) = f.call(0, false);
    assert_eq!(to, None);
    assert!(f.due(499).is_empty());
    f.owner_is(400, "a");
    assert!(f.due(899).is_empty(), "sent at 400: due at 900");
    assert_eq!(f.due(900), vec![n]);
    assert_eq!(f.pending(), 0);
    // Taken by one owner, then the owner gone: it waits for the next.
    let (m, _) = f.call(1_000, false);
    f.acked(m, "a");
    f.owner_gone();
    assert!(f.due(10_000).is_empty());
    assert_eq!(
        f.take_all(),
        vec![m],
        "this side became the owner: run here"
    );
    assert_eq!(f.clear(), vec![m]);
}
