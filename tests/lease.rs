//! The ownership rules of a manager shared by processes (`engine::sharing::lease`),
//! run against a simulated store: three processes whose clocks have
//! unrelated offsets and slightly different rates, store operations that
//! take time (and, in some runs, lose their answers), owners paused for
//! longer than their term, killed, and replaced by new processes. After
//! every millisecond of real time at most one process acts as the owner;
//! after an owner dies, another acts within a renewal period and a margin of
//! the end of the dead one's term. The host loop here is the one
//! `src/facade/kv_link.js` carries out.
//! LEASE_CASES sets the number of runs (default 400).
#![cfg(not(target_arch = "wasm32"))]

use background_manager::engine::sharing::lease::{Lease, LeaseStep};
use proptest::prelude::*;

mod sim;
use sim::Rng;

const TERM: u64 = 300;

/// The lease record and the owner record (whose version fences the
/// owner's writes) in the simulated store.
#[derive(Default)]
struct Kv {
    next: u64,
    lease: Option<(u64, usize)>,
    owner: Option<(u64, usize)>,
}

#[derive(Clone, Copy)]
enum Kind {
    Read,
    Take(Option<u64>),
    Renew(u64),
}

#[derive(Clone, Copy)]
struct Op {
    kind: Kind,
    sent: u64,
    lands: u64,
    answers: u64,
    lost: bool,
    /// Filled when it lands: the version read or written, whether it passed,
    /// and the holder read.
    result: Option<(Option<u64>, bool, Option<usize>)>,
}

struct Proc {
    id: usize,
    lease: Lease,
    offset: u64,
    /// Parts per million faster (or slower) than real time.
    drift: i64,
    next_wake: u64,
    op: Option<Op>,
    token: Option<u64>,
    paused_until: u64,
    dead: bool,
}

impl Proc {
    fn new(id: usize, rng: &mut Rng, now: u64) -> Proc {
        let mut p = Proc {
            id,
            lease: Lease::new(TERM),
            offset: rng.below(1 << 40),
            drift: rng.below(2001) as i64 - 1000,
            next_wake: 0,
            op: None,
            token: None,
            paused_until: 0,
            dead: false,
        };
        p.next_wake = p.local(now);
        p
    }
    fn local(&self, real: u64) -> u64 {
        let skew = real as i64 * self.drift / 1_000_000;
        self.offset + (real as i64 + skew) as u64
    }
    fn running(&self, real: u64) -> bool {
        !self.dead && real >= self.paused_until
    }
}

struct Sim {
    rng: Rng,
    kv: Kv,
    procs: Vec<Proc>,
    loss: u64,
    max_latency: u64,
}

impl Sim {
    fn send(&mut self, i: usize, kind: Kind, real: u64) {
        let there = 1 + self.rng.below(self.max_latency);
        let back = 1 + self.rng.below(self.max_latency);
        let lost = self.loss > 0 && self.rng.chance(self.loss);
        let p = &mut self.procs[i];
        p.op = Some(Op {
            kind,
            sent: p.local(real),
            lands: real + there,
            answers: real + there + back,
            lost,
            result: None,
        });
    }

    fn land(&mut self, i: usize) {
        let id = self.procs[i].id;
        let Some(op) = self.procs[i].op.as_mut() else {
            return;
        };
        if op.result.is_some() {
            return;
        }
        let kv = &mut self.kv;
        op.result = Some(match op.kind {
            Kind::Read => (kv.lease.map(|(v, _)| v), true, kv.lease.map(|(_, h)| h)),
            Kind::Take(expected) => {
                if kv.lease.map(|(v, _)| v) == expected {
                    kv.next += 1;
                    kv.lease = Some((kv.next, id));
                    kv.owner = Some((kv.next, id));
                    (Some(kv.next), true, None)
                } else {
                    (None, false, None)
                }
            }
            Kind::Renew(token) => {
                if kv.owner.map(|(v, _)| v) == Some(token) {
                    kv.next += 1;
                    kv.lease = Some((kv.next, id));
                    (Some(kv.next), true, None)
                } else {
                    (None, false, None)
                }
            }
        });
    }

    /// One process at real time `real`: land or answer its operation, or
    /// begin the next one when its wake comes.
    fn step(&mut self, i: usize, real: u64) {
        if let Some(op) = self.procs[i].op {
            if op.result.is_none() && real >= op.lands {
                self.land(i);
            }
        }
        if !self.procs[i].running(real) {
            return;
        }
        let now = self.procs[i].local(real);
        // The host's timer at the end of the term: it stops acting.
        if self.procs[i]
            .lease
            .until()
            .is_some_and(|until| now >= until)
        {
            self.procs[i].lease.drop_held();
            self.procs[i].token = None;
        }
        if let Some(op) = self.procs[i].op {
            if real < op.answers {
                return;
            }
            self.procs[i].op = None;
            let p = &mut self.procs[i];
            // A lost answer: the host's request timed out and reads again.
            let Some((version, ok, holder)) = op.result.filter(|_| !op.lost) else {
                p.next_wake = now;
                return;
            };
            match op.kind {
                Kind::Read => {
                    let mine = holder == Some(p.id);
                    let vs = version.map(|v| v.to_string());
                    match p.lease.read(now, vs.as_deref(), mine) {
                        LeaseStep::Wait(at) => p.next_wake = at,
                        LeaseStep::Take => {
                            self.send(i, Kind::Take(version), real);
                        }
                        LeaseStep::Renew => {
                            let token = p.token.expect("renews only what it holds");
                            self.send(i, Kind::Renew(token), real);
                        }
                    }
                }
                Kind::Take(_) | Kind::Renew(_) => {
                    if matches!(op.kind, Kind::Take(_)) {
                        p.lease.took(op.sent, ok);
                        p.token = if ok { version } else { None };
                    } else {
                        p.lease.renewed(op.sent, ok);
                    }
                    if !p.lease.acting(now) {
                        // Answered too late to count: it lets the lease go.
                        p.lease.drop_held();
                        p.token = None;
                    }
                    p.next_wake = now;
                }
            }
            return;
        }
        if now < self.procs[i].next_wake {
            return;
        }
        let p = &mut self.procs[i];
        if let (Some(token), Some(_)) = (p.token, p.lease.until()) {
            // The owner renews on its own schedule, without reading.
            match p.lease.read(now, Some(&token.to_string()), true) {
                LeaseStep::Wait(at) => p.next_wake = at,
                _ => self.send(i, Kind::Renew(token), real),
            }
        } else {
            self.send(i, Kind::Read, real);
        }
    }

    fn acting(&self, real: u64) -> Vec<usize> {
        (0..self.procs.len())
            .filter(|&i| {
                self.procs[i].running(real) && self.procs[i].lease.acting(self.procs[i].local(real))
            })
            .collect()
    }
}

/// Runs 30 terms of real time; returns a description of the first broken rule.
fn run(seed: u64, loss: u64, pauses: bool) -> Result<(u64, u64), String> {
    let mut rng = Rng(seed | 1);
    let max_latency = 1 + rng.below(8);
    let mut sim = Sim {
        procs: Vec::new(),
        kv: Kv::default(),
        loss,
        max_latency,
        rng: Rng(rng.next() | 1),
    };
    for id in 0..3 {
        let start = rng.below(TERM);
        let mut p = Proc::new(id, &mut rng, 0);
        p.paused_until = start;
        p.next_wake = p.local(start);
        sim.procs.push(p);
    }
    let mut next_id = 3;
    let every = TERM / 3;
    let margin = TERM / 10;
    // An owner's death, and when the rules say another must act by.
    let mut died: Option<(u64, u64)> = None;
    let mut takeovers = 0;
    let mut worst = 0;
    let mut last_owner: Option<usize> = None;
    for real in 0..30 * TERM {
        for i in 0..sim.procs.len() {
            sim.step(i, real);
        }
        let acting = sim.acting(real);
        if acting.len() > 1 {
            let ids: Vec<usize> = acting.iter().map(|&i| sim.procs[i].id).collect();
            return Err(format!(
                "at {real} ms processes {ids:?} both act as the owner"
            ));
        }
        if let Some(&i) = acting.first() {
            if last_owner != Some(sim.procs[i].id) {
                if let Some((at, _)) = died.take() {
                    takeovers += 1;
                    worst = worst.max(real - at);
                }
                last_owner = Some(sim.procs[i].id);
            }
        }
        if let Some((at, by)) = died {
            if loss == 0 && real > by {
                return Err(format!(
                    "the owner died at {at} ms and none acted by {by} ms"
                ));
            }
        }
        // Now and then the owner dies (and a new process starts in its
        // place), or someone is paused for up to two terms.
        if real % 50 == 0 && rng.chance(60_000) {
            if let Some(&i) = acting.first() {
                sim.procs[i].dead = true;
                let p = Proc::new(next_id, &mut rng, real);
                next_id += 1;
                sim.procs.push(p);
                // The dead owner's term ends at the latest `TERM` after its
                // last successful write, sent before now; another reads
                // within a renewal period, waits a margin, and writes.
                let slowest = 4 * max_latency + 4;
                died = Some((
                    real,
                    real + TERM + every + margin + slowest + 2 * (TERM / 500 + 1),
                ));
                // Nor can one paused when the owner dies (its pause may
                // last past the bound): the bound is then not checked, as
                // for a pause that starts after the death.
                if sim.procs.iter().any(|p| !p.dead && p.paused_until > real) {
                    died = None;
                }
            }
        }
        if pauses && real % 50 == 25 && rng.chance(40_000) {
            let i = rng.below(sim.procs.len() as u64) as usize;
            sim.procs[i].paused_until = real + rng.below(2 * TERM);
            // A paused process cannot be counted on to take over.
            if died.is_some() {
                died = None;
            }
        }
    }
    Ok((takeovers, worst))
}

fn cases() -> u32 {
    std::env::var("LEASE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn one_owner_at_a_time_and_takeover_within_a_term(seed in any::<u64>()) {
        if let Err(e) = run(seed, 0, false) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn pauses_longer_than_the_term_never_make_two_owners(seed in any::<u64>()) {
        if let Err(e) = run(seed, 0, true) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn lost_answers_never_make_two_owners(seed in any::<u64>()) {
        if let Err(e) = run(seed, 50_000, true) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn takeovers_happen_and_are_timely() {
    // Over many runs owners die, others take over, and the slowest takeover
    // is within the bound the rules give (checked in `run` each time).
    let mut total = 0;
    let mut worst = 0;
    for seed in 1..200 {
        let (n, w) = run(seed * 7919, 0, false).expect("the rules hold");
        total += n;
        worst = worst.max(w);
    }
    assert!(total > 50, "only {total} takeovers in 200 runs");
    assert!(
        worst <= TERM + TERM / 3 + TERM / 10 + 40,
        "a takeover took {worst} ms"
    );
    assert!(
        worst > TERM / 2,
        "a takeover took only {worst} ms: the term was not waited out"
    );
}

#[test]
fn a_fresh_lease_is_waited_out_and_a_held_one_renewed() {
    let mut a = Lease::new(300);
    let mut b = Lease::new(300);
    assert_eq!(a.read(1_000, None, false), LeaseStep::Take);
    a.took(1_000, true);
    assert!(
        a.acting(1_269) && !a.acting(1_270),
        "acts until a margin before its term ends"
    );
    assert_eq!(a.read(1_050, Some("1"), true), LeaseStep::Wait(1_100));
    assert_eq!(a.read(1_100, Some("1"), true), LeaseStep::Renew);
    // b first sees version 1 at its own time 50 (another clock entirely).
    assert_eq!(b.read(50, Some("1"), false), LeaseStep::Wait(150));
    assert_eq!(b.read(150, Some("1"), false), LeaseStep::Wait(250));
    assert_eq!(b.read(349, Some("1"), false), LeaseStep::Wait(380));
    assert_eq!(b.read(380, Some("1"), false), LeaseStep::Take);
    // A new version starts the count again.
    assert_eq!(b.read(390, Some("2"), false), LeaseStep::Wait(490));
    // A refused write ends ownership at once.
    a.renewed(1_100, false);
    assert!(!a.acting(1_101));
    assert_eq!(a.until(), None);
}
#[test]
fn a_process_paused_when_the_owner_dies_is_not_counted_on() {
    // Two processes were paused when the owner died and the takeover came
    // after the bound running processes are held to: what a paused process
    // does when it wakes may delay it. Only "never two owners" holds then.
    run(15172594245806577956, 0, true).expect("no two owners");
}
