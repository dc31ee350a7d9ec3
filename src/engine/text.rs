//! Message building without `format!`: Rust's formatting machinery is
//! several KB of wasm that nothing else here needs.
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use core::{fmt, ops::Deref};

/// A shared, immutable string behind one thin pointer: 4 bytes on wasm32,
/// where `Rc<str>` takes 8. A task keeps its session id and error message
/// this way, and a task's size decides most of its memory (see `Task`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SharedStr(Rc<Box<str>>);

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr(Rc::new(text.into()))
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr(Rc::new(text.into_boxed_str()))
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The parts, end to end.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal. Most significant digit first, by division: no buffer to
/// index, so no panic path.
pub fn decimal(n: u64) -> String {
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    let mut out = String::new();
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            return out;
        }
        unit /= 10;
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    #[test]
    fn decimal_matches_display() {
        for n in [0, 7, 10, 99, 1_800_000, u64::MAX] {
            assert_eq!(super::decimal(n), n.to_string());
        }
        assert_eq!(super::cat(&["a", "", "bc"]), "abc");
    }
}
