//! Generated task ids: UUID v4, 122 random bits from the host's secure
//! source, drawn sixteen ids at a time so that creating a task rarely asks
//! the host for randomness.
use crate::engine::prelude::*;

const IDS_PER_FILL: usize = 16;

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
    /// The bytes of the next id; `fill` refills the buffer with random
    /// bytes and says whether it could.
    pub fn next(&mut self, fill: impl FnOnce(&mut [u8]) -> bool) -> Option<[u8; 16]> {
        if self.used == IDS_PER_FILL {
            if !fill(&mut self.buf) {
                return None;
            }
            self.used = 0;
        }
        let start = self.used * 16;
        self.used += 1;
        let chunk = &mut self.buf[start..start + 16];
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(chunk);
        // Never hand out the same bytes twice.
        chunk.fill(0);
        Some(uuid_v4_bytes(bytes))
    }
}

/// Sets the version (4) and variant (RFC 9562) bits of 16 random bytes.
pub fn uuid_v4_bytes(mut b: [u8; 16]) -> [u8; 16] {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

/// The canonical text of a UUID: lowercase hex, `8-4-4-4-12`.
pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Formats 16 random bytes as an RFC 9562 version-4 UUID.
pub fn uuid_v4(b: [u8; 16]) -> String {
    format_uuid(&uuid_v4_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_v4_and_never_repeat_bytes() {
        let mut gen = IdGen::default();
        let mut n = 0u8;
        let fill = |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                *b = n;
                n = n.wrapping_add(37);
            }
            true
        };
        let a = gen.next(fill).unwrap();
        let text = format_uuid(&a);
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(gen.next(|_| unreachable!()).unwrap(), a);
        assert_eq!(
            IdGen::default().next(|_| false),
            None,
            "no randomness, no id"
        );
    }
}
