//! Message building without `format!`: Rust's formatting machinery is
//! several KB of wasm that nothing else here needs.
use alloc::string::String;

/// The parts, end to end.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| d as char).collect()
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
