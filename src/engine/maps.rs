//! The engine's hash maps: hashbrown with a small multiply-rotate hasher.
//! Their keys are the engine's own numbers (task seqs) and the names the
//! app itself passes (session ids, agent names), never ids from outside,
//! so a keyed hasher buys nothing against flooding here; foldhash's string
//! hashing and seeding cost 3.7 KB of wasm in a build with a size budget.
use core::hash::{BuildHasherDefault, Hasher};

pub type HashMap<K, V> = hashbrown::HashMap<K, V, BuildHasherDefault<MulHasher>>;
pub type HashSet<K> = hashbrown::HashSet<K, BuildHasherDefault<MulHasher>>;

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folds 8 bytes at a time into the state with a multiply and a rotate;
/// `finish` mixes the high bits down, since hashbrown takes its control
/// byte from the top seven bits and its bucket from the low ones.
#[derive(Default, Clone, Copy)]
pub struct MulHasher(u64);

impl MulHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(29);
    }
}

impl Hasher for MulHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        // The length keeps "a" and "a\0" apart.
        self.add(u64::from_le_bytes(w) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(K);
        h ^ (h >> 32)
    }
}
