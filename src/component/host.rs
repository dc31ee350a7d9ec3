//! The engine's host types in the component: plain Rust values in a
//! `MemStore`, time from the WASI wall clock, ids from the WASI random
//! source.
use alloc::string::String;

use super::bindings::wasi::clocks::wall_clock;
use super::bindings::wasi::random::random;
use crate::engine::memstore::store::{MemStore, MemTask};
use crate::engine::{Engine, Host};

pub struct Wasi;

impl Host for Wasi {
    type Id = String;
    /// JSON text; `None` where JS would have `undefined` (a launch without
    /// options, a completion without a result).
    type Payload = Option<String>;
    type Text = String;
    /// The number a waiter is known by to the host, and its task's id.
    type Waiter = (u64, String);
    /// The number `initialize` gave the session.
    type Session = u32;
    type Snapshot = Option<MemTask<Option<String>>>;
    type Store = MemStore<Wasi>;
}

pub type WasiEngine = Engine<Wasi>;

/// ms since the epoch, by the host's wall clock.
pub fn now() -> u64 {
    let t = wall_clock::now();
    t.seconds
        .saturating_mul(1000)
        .saturating_add(u64::from(t.nanoseconds / 1_000_000))
}

/// Fills `bytes` from `wasi:random/random`; false when the host gave fewer.
pub fn fill_random(bytes: &mut [u8]) -> bool {
    let got = random::get_random_bytes(bytes.len() as u64);
    if got.len() != bytes.len() {
        return false;
    }
    bytes.copy_from_slice(&got);
    true
}

pub fn store() -> MemStore<Wasi> {
    MemStore::with_random(fill_random)
}
