use super::{EngineError, ErrorKind};
use alloc::string::String;

const IDS_PER_FILL: usize = 16;

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
    pub fn next_id(&mut self) -> Result<String, EngineError> {
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
        Ok(uuid_v4(bytes))
    }
}

/// Formats 16 random bytes as an RFC 9562 version-4 UUID.
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0xf) as usize] as char);
    }
    out
}
