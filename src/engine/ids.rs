use core::fmt;
use core::hash::Hasher;

use super::fxhash::FxHasher;
use super::{EngineError, ErrorKind};
use alloc::borrow::Cow;
use alloc::rc::Rc;
use alloc::string::String;

const IDS_PER_FILL: usize = 16;

/// A task's id. Ids in the canonical UUID form (lowercase hex, `8-4-4-4-12`),
/// which is every id the engine draws, are kept as their 16 bytes: 20 bytes
/// in the task instead of a pointer plus a 36-byte string of their own.
/// Every other id is kept as given. Each string has exactly one form, so
/// two ids are equal exactly when their strings are.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TaskId {
    Uuid([u8; 16]),
    Text(Rc<str>),
}

/// A string as an id is looked up: the same split as `TaskId`, borrowed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IdKey<'a> {
    Uuid([u8; 16]),
    Text(&'a str),
}

impl<'a> IdKey<'a> {
    pub fn new(id: &'a str) -> Self {
        parse_uuid(id).map_or(IdKey::Text(id), IdKey::Uuid)
    }

    /// What the id index files it under.
    pub fn hash(self) -> u64 {
        let mut h = FxHasher::default();
        match self {
            IdKey::Uuid(bytes) => h.write(&bytes),
            IdKey::Text(text) => {
                h.write_u8(0xff);
                h.write(text.as_bytes());
            }
        }
        h.finish()
    }
}

impl TaskId {
    pub fn new(id: &str) -> Self {
        IdKey::new(id).into()
    }

    pub fn key(&self) -> IdKey<'_> {
        match self {
            TaskId::Uuid(bytes) => IdKey::Uuid(*bytes),
            TaskId::Text(text) => IdKey::Text(text),
        }
    }

    /// The id as a string (spelled out for a UUID).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            TaskId::Text(text) => Cow::Borrowed(text),
            // Hex digits and hyphens are ASCII, so each byte is a char.
            TaskId::Uuid(bytes) => {
                Cow::Owned(format_uuid(bytes).iter().map(|&c| char::from(c)).collect())
            }
        }
    }
}

impl From<IdKey<'_>> for TaskId {
    fn from(key: IdKey<'_>) -> Self {
        match key {
            IdKey::Uuid(bytes) => TaskId::Uuid(bytes),
            IdKey::Text(text) => TaskId::Text(Rc::from(text)),
        }
    }
}

impl From<&str> for TaskId {
    fn from(id: &str) -> Self {
        TaskId::new(id)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Whether the UUID form has a hyphen before byte `i` of the 16.
fn hyphen_before(i: usize) -> bool {
    matches!(i, 4 | 6 | 8 | 10)
}

/// The canonical text of a UUID, in ASCII.
pub fn format_uuid(bytes: &[u8; 16]) -> [u8; 36] {
    let mut out = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        at += usize::from(hyphen_before(i));
        for nibble in [byte >> 4, byte & 0xf] {
            if let Some(c) = out.get_mut(at) {
                *c = if nibble < 10 {
                    b'0' + nibble
                } else {
                    b'a' - 10 + nibble
                };
            }
            at += 1;
        }
    }
    out
}

/// The 16 bytes of a canonical lowercase UUID string, if `id` is one.
fn parse_uuid(id: &str) -> Option<[u8; 16]> {
    let text = id.as_bytes();
    if text.len() != 36 {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut at = 0;
    for (i, byte) in bytes.iter_mut().enumerate() {
        if hyphen_before(i) {
            if text.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let hi = hex_value(*text.get(at)?)?;
        let lo = hex_value(*text.get(at + 1)?)?;
        *byte = hi << 4 | lo;
        at += 2;
    }
    Some(bytes)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// UUID v4 task ids (122 random bits) from the platform's secure source:
/// `crypto.getRandomValues` on wasm, the OS elsewhere. Random bytes are drawn
/// sixteen ids at a time, so creating a task rarely crosses into JS for them.
pub struct IdGen {
    buf: [u8; 16 * IDS_PER_FILL],
    used: usize,
}

impl Default for IdGen {
    fn default() -> Self {
        IdGen {
            buf: [0; 16 * IDS_PER_FILL],
            used: IDS_PER_FILL,
        }
    }
}

impl IdGen {
    pub fn next_id(&mut self) -> Result<TaskId, EngineError> {
        if self.used == IDS_PER_FILL {
            getrandom::fill(&mut self.buf).map_err(|_| {
                EngineError::new(
                    ErrorKind::RandomUnavailable,
                    "No secure random source for task ids (crypto.getRandomValues)",
                )
            })?;
            self.used = 0;
        }
        let start = self.used * 16;
        self.used += 1;
        // `get_mut` and `try_into`, not indexing: no panic path, and none of
        // the formatting code a slicing panic drags into the wasm.
        let chunk = self.buf.get_mut(start..start + 16).unwrap_or_default();
        let bytes: [u8; 16] = (&*chunk).try_into().unwrap_or_default();
        // Never hand out the same bytes twice.
        chunk.fill(0);
        Ok(TaskId::Uuid(uuid_v4_bytes(bytes)))
    }
}

/// Sets the version (4) and variant (RFC 9562) bits of 16 random bytes.
fn uuid_v4_bytes(mut b: [u8; 16]) -> [u8; 16] {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

/// Formats 16 random bytes as an RFC 9562 version-4 UUID.
pub fn uuid_v4(b: [u8; 16]) -> String {
    TaskId::Uuid(uuid_v4_bytes(b)).text().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn uuid_form_round_trips_and_nothing_else_is_taken_for_it() {
        let id = "0123abcd-4567-89ef-0a1b-2c3d4e5f6789";
        assert!(matches!(TaskId::new(id), TaskId::Uuid(_)));
        assert_eq!(TaskId::new(id).to_string(), id);
        assert!(TaskId::new(id).key() == IdKey::new(id));
        for other in [
            "0123ABCD-4567-89ef-0a1b-2c3d4e5f6789",
            "0123abcd-4567-89ef-0a1b-2c3d4e5f678",
            "0123abcd-4567-89ef-0a1b-2c3d4e5f67890",
            "0123abcd+4567-89ef-0a1b-2c3d4e5f6789",
            "0123abcd-4567-89ef-0a1b2-c3d4e5f6789",
            "0123abcg-4567-89ef-0a1b-2c3d4e5f6789",
            "é123abcd-4567-89ef-0a1b-2c3d4e5f678",
            "task-1",
        ] {
            assert!(matches!(TaskId::new(other), TaskId::Text(_)), "{other}");
            assert_eq!(TaskId::new(other).to_string(), other);
            assert!(TaskId::new(other) != TaskId::new(id));
            assert!(TaskId::new(other).key() == IdKey::new(other));
        }
    }

    #[test]
    fn equal_strings_hash_alike() {
        for id in ["0123abcd-4567-89ef-0a1b-2c3d4e5f6789", "x", ""] {
            assert_eq!(TaskId::new(id).key().hash(), IdKey::new(id).hash());
        }
    }
}
