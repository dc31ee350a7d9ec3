//! Any byte string as a sequence of engine operations: three bytes an
//! operation (what, which task, a number). After each, the engine must be
//! consistent, every effect must make sense, and nothing may panic.
#![no_main]

use std::collections::HashMap;

use background_manager::engine::mem::{MemStore, MemTask};
use background_manager::engine::{
    Config, Effect, Engine, Host, NewTask, Status, Store, Wait, Want,
};
use libfuzzer_sys::fuzz_target;

struct Fuzz;
impl Host for Fuzz {
    type Id = String;
    type Payload = u8;
    type Text = String;
    type Waiter = u32;
    type Session = u8;
    type Snapshot = Option<MemTask<u8>>;
    type Store = MemStore<Fuzz>;
}

fuzz_target!(|data: &[u8]| {
    let config = Config {
        task_ttl: 1_000,
        poll_interval: 100,
        cancel_grace: 50,
        max_concurrent: Some(2),
        agent_limits: vec![("a0".into(), 1)],
        output_cap: 128,
        timed_evictions: true,
    };
    let mut e: Engine<Fuzz> = Engine::new(config, MemStore::default());
    e.initialize(0, "s", "s".into(), 0);
    let mut now = 0u64;
    let mut ids: Vec<(String, u64)> = Vec::new();
    let mut notified: HashMap<String, u32> = HashMap::new();
    let mut waiters: HashMap<u32, ()> = HashMap::new();
    let mut next_waiter = 0u32;
    for op in data.chunks_exact(3) {
        let (what, which, n) = (op[0] % 16, op[1], op[2]);
        let pick = |ids: &Vec<(String, u64)>| {
            (!ids.is_empty()).then(|| ids[which as usize % ids.len()].clone())
        };
        match what {
            0 => {
                let id = (n % 4 == 0).then(|| format!("c{}", n % 8));
                if let Ok(seq) = e.create(id, None, n, now) {
                    let id = e.store().id(seq).expect("kept");
                    // An id is free again once its task left; counting restarts.
                    notified.insert(id.clone(), 0);
                    ids.push((id, seq));
                }
            }
            1 => {
                let agent = format!("a{}", n % 3);
                let values = NewTask {
                    resume: false,
                    options: n,
                    launch: Some((agent.clone(), "p".into())),
                };
                let seq = e.launch(None, None, &agent, values, now).expect("launch");
                ids.push((e.store().id(seq).expect("kept"), seq));
            }
            2 => {
                if let Some((id, _)) = pick(&ids) {
                    let _ = e.complete(&id, n, now);
                }
            }
            3 => {
                if let Some((id, _)) = pick(&ids) {
                    let _ = e.fail(&id, "x".into(), now);
                }
            }
            4 => {
                if let Some((id, _)) = pick(&ids) {
                    let _ = e.cancel(&id, n % 2 == 0, now);
                }
            }
            5 => {
                e.cancel_all(n % 2 == 0, now);
            }
            6 => {
                if let Some((_, seq)) = pick(&ids) {
                    e.run_settled(seq, if n % 2 == 0 { Ok(n) } else { Err("no".into()) }, now);
                }
            }
            7 => {
                if let Some((_, seq)) = pick(&ids) {
                    e.run_write(seq, &"o".repeat(n as usize), n as usize, now);
                }
            }
            8 => {
                if let Some((id, _)) = pick(&ids) {
                    let timeout = (n % 3 != 0).then_some(u64::from(n) * 10);
                    next_waiter += 1;
                    let want = Want::Output {
                        since: Some(u64::from(n)),
                    };
                    if let Ok(Wait::Pending) =
                        e.wait_for(&id, want, true, timeout, || next_waiter, now)
                    {
                        waiters.insert(next_waiter, ());
                    }
                }
            }
            9 | 10 | 11 => {
                now += u64::from(n) * 8;
                e.advance(now);
            }
            12 => {
                if let Some((token, _)) = e.begin_poll(now) {
                    e.finish_poll(
                        token,
                        Some(["running", "completed", "error", "cancelled"][n as usize % 4]),
                        now,
                    );
                }
            }
            13 => {
                if let Some((id, _)) = pick(&ids) {
                    let _ = e.append_output(&id, &"chunk".to_string(), 5, now);
                }
            }
            14 => {
                e.advance(now);
                let _ = e.list(Status::ALL.get(n as usize % Status::ALL.len()).copied()).count();
            }
            _ => {
                e.dispose();
                e.initialize(0, "s", "s".into(), now);
                ids.clear();
                notified.clear();
            }
        }
        while let Some(effect) = e.pop_effect() {
            match effect {
                Effect::Notify { id, status, .. } => {
                    assert!(status.is_final());
                    *notified.entry(id).or_default() += 1;
                }
                Effect::Wake { waiter, .. } | Effect::Dispose { waiter, .. } => {
                    assert!(waiters.remove(&waiter).is_some(), "a waiter answered twice");
                }
                _ => {}
            }
        }
        if let Some(what) = e.inconsistency() {
            panic!("inconsistent: {what}");
        }
        assert_eq!(
            e.store().len(),
            e.len(),
            "the store keeps exactly the engine's tasks"
        );
        // A task still in the table was notified once if final, never if not.
        for (id, seq) in &ids {
            if let Some(t) = e.task(*seq) {
                let n = notified.get(id).copied().unwrap_or(0);
                assert_eq!(n, u32::from(t.is_final()), "{id} notified {n} times");
            }
        }
    }
});
