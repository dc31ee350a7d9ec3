//! The host's side of the WIT contract, in Rust: a virtual wall clock the
//! tests move, the effects carried out after every call, one timer for
//! `advance`, and polling while the component asks for it.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{HostWallClock, WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "background-manager",
});

pub use exports::agents::background_manager::manager as api;

pub struct Runtime {
    pub engine: Engine,
    pub component: Component,
    linker: Linker<Wasi>,
}

impl Runtime {
    pub fn load(path: &str) -> Result<Runtime> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, path)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("loading {path}"))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok(Runtime {
            engine,
            component,
            linker,
        })
    }
}

/// The store's data: WASI with a virtual wall clock.
pub struct Wasi {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Wasi {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// A wall clock that moves only when the test says: ms since the epoch.
#[derive(Clone)]
pub struct VirtualClock(Arc<AtomicU64>);

impl VirtualClock {
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl HostWallClock for VirtualClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// What the host was asked to do, for the test to look at.
#[derive(Default)]
pub struct Carried {
    pub notifications: Vec<api::TaskNotification>,
    /// Runs started, by run number: the start, and whether it was aborted.
    pub runs: HashMap<u64, (api::RunStart, bool)>,
    pub wakes: HashMap<u64, api::Answer>,
    pub disposals: HashMap<u64, api::ManagerError>,
    /// How each run's latest question ended (`reply` effects).
    pub replies: HashMap<u64, api::AskEnd>,
}

/// One manager in its own store, driven as a host drives it.
pub struct Host {
    pub store: Store<Wasi>,
    bindings: BackgroundManager,
    pub manager: ResourceAny,
    pub clock: VirtualClock,
    poll_interval: u64,
    /// When `advance` is due next, and the next polling tick.
    deadline: Option<u64>,
    next_poll: Option<u64>,
    /// What `get-status` answers ("$fail": asking fails).
    pub status: String,
    /// Polls made since a scenario last counted them.
    pub polls: u64,
    pub carried: Carried,
}

impl Host {
    /// `open(options)`; the inner error is the component's refusal.
    pub fn open(
        rt: &Runtime,
        options: Option<api::BackgroundManagerOptions>,
    ) -> Result<Result<Host, api::ManagerError>> {
        let clock = VirtualClock(Arc::new(AtomicU64::new(1_767_225_600_000)));
        let ctx = WasiCtx::builder().wall_clock(clock.clone()).build();
        let mut store = Store::new(
            &rt.engine,
            Wasi {
                ctx,
                table: ResourceTable::new(),
            },
        );
        let bindings = BackgroundManager::instantiate(&mut store, &rt.component, &rt.linker)?;
        let poll_interval = options
            .as_ref()
            .and_then(|o| o.poll_interval)
            .map_or(2000, |ms| ms as u64);
        let opened = bindings
            .agents_background_manager_manager()
            .background_manager()
            .call_open(&mut store, options.as_ref())?;
        Ok(opened.map(|manager| Host {
            store,
            bindings,
            manager,
            clock,
            poll_interval,
            deadline: None,
            next_poll: None,
            status: "running".into(),
            polls: 0,
            carried: Carried::default(),
        }))
    }

    /// Runs `f` with the API, the store and the manager; then carries out
    /// the effects it caused.
    pub fn call<T>(
        &mut self,
        f: impl FnOnce(
            &api::GuestBackgroundManager,
            &mut Store<Wasi>,
            ResourceAny,
        ) -> wasmtime::Result<T>,
    ) -> Result<T> {
        let bindings = self
            .bindings
            .agents_background_manager_manager()
            .background_manager();
        let out = f(&bindings, &mut self.store, self.manager)?;
        self.pump()?;
        Ok(out)
    }

    /// Takes the effects and carries them out until there are none, then
    /// keeps the schedule `advance` gives.
    pub fn pump(&mut self) -> Result<()> {
        loop {
            let api = self
                .bindings
                .agents_background_manager_manager()
                .background_manager();
            let schedule = api.call_advance(&mut self.store, self.manager)?;
            let effects = api.call_take_effects(&mut self.store, self.manager)?;
            if effects.is_empty() {
                self.deadline = schedule.deadline.map(|t| t as u64);
                self.next_poll = match (schedule.polling, self.next_poll) {
                    (true, None) => Some(self.clock.now() + self.poll_interval),
                    (true, next) => next,
                    (false, _) => None,
                };
                return Ok(());
            }
            for effect in effects {
                self.carry(effect);
            }
        }
    }

    fn carry(&mut self, effect: api::Effect) {
        let c = &mut self.carried;
        match effect {
            api::Effect::Notify(n) => c.notifications.push(n.message),
            api::Effect::Start(start) => {
                c.runs.insert(start.run, (start, false));
            }
            api::Effect::Abort(run) => {
                if let Some(r) = c.runs.get_mut(&run) {
                    r.1 = true;
                }
            }
            // The scenarios do not subscribe, and a closed run's number is
            // still how a step names it.
            api::Effect::Close(_) | api::Effect::Event(_) => {}
            api::Effect::Wake(w) => {
                c.wakes.insert(w.waiter, w.answer);
            }
            api::Effect::Dispose(d) => {
                c.disposals.insert(d.waiter, d.error);
            }
            api::Effect::Reply(r) => {
                c.replies.insert(r.run, r.end);
            }
        }
    }

    /// Moves the clock `ms` on, firing the timer and the polling ticks due
    /// on the way, each at its own time.
    pub fn sleep(&mut self, ms: u64) -> Result<()> {
        let end = self.clock.now() + ms;
        loop {
            let next = [self.deadline, self.next_poll]
                .into_iter()
                .flatten()
                .filter(|&t| t <= end)
                .min();
            let Some(at) = next else { break };
            self.clock.set(self.clock.now().max(at));
            if self.next_poll == Some(at) {
                self.next_poll = None;
                self.tick()?;
            } else {
                self.deadline = None;
                self.pump()?;
            }
        }
        self.clock.set(end);
        self.pump()
    }

    /// A polling tick: ask the session, as a host would, and answer.
    fn tick(&mut self) -> Result<()> {
        let poll = self.call(|api, store, m| api.call_begin_poll(store, m))?;
        if let Some(poll) = poll {
            self.polls += 1;
            // "$fail": asking failed (a getStatus that threw or rejected).
            let status = (self.status != "$fail").then(|| self.status.clone());
            self.call(|api, store, m| {
                api.call_finish_poll(store, m, poll.token, status.as_deref())
            })?;
        }
        Ok(())
    }
}

/// `n` rounds of create → complete → get, carrying out the notifications,
/// as a Rust host would: µs per round.
pub fn bench(rt: &Runtime, n: usize) -> Result<()> {
    let mut host = Host::open(rt, None)?.map_err(|e| anyhow::anyhow!(e.message))?;
    host.call(|api, store, m| {
        api.call_initialize(store, m, &api::AgentSession { id: "s".into() })
    })?
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let mut best = f64::MAX;
    for round in 0..5 {
        let started = Instant::now();
        for i in 0..n {
            let id = format!("r{round}-{i}");
            let options = api::CreateBackgroundTaskOptions {
                id: Some(id.clone()),
                session_id: None,
                options: "{\"i\":1}".into(),
            };
            host.call(|api, store, m| api.call_create_task(store, m, &options))?
                .map_err(|e| anyhow::anyhow!(e.message))?;
            host.call(|api, store, m| {
                api.call_complete_task(store, m, &id, Some(&"true".to_string()))
            })?
            .map_err(|e| anyhow::anyhow!(e.message))?;
            let got = host
                .call(|api, store, m| api.call_get_task(store, m, &id))?
                .map_err(|e| anyhow::anyhow!(e.message))?;
            anyhow::ensure!(got.is_some_and(|t| t.status == api::BackgroundTaskStatus::Completed));
        }
        let us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
        best = best.min(us);
        host.carried.notifications.clear();
        host.call(|api, store, m| api.call_cleanup(store, m))?;
        host.call(|api, store, m| {
            api.call_initialize(store, m, &api::AgentSession { id: "s".into() })
        })?
        .map_err(|e| anyhow::anyhow!(e.message))?;
    }
    println!("wasmtime: {n} × create → complete → get: {best:.2} µs per round (best of 5)");
    Ok(())
}
