//! Text from outside (a request path, a file's content) on its way to a terminal or a log.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL and C1: Unicode's `Cc`) written as an escape, so
/// that nothing in it can move the cursor, recolor or retitle a terminal, or start a forged log
/// line: ESC as `\x1b`, a newline as `\x0a`, DEL as `\x7f`, U+009B (the one-character CSI) as
/// `\u{9b}`. Everything else is left as it is, so it borrows when there is nothing to escape.
/// Meant for display only: a backslash is not escaped, so the result does not map back.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(char::is_control) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !c.is_control() {
            out.push(c);
        } else if c.is_ascii() {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_control(c: char) -> bool {
        // C0, DEL, C1, spelled out rather than trusting `char::is_control` twice.
        matches!(c as u32, 0..=0x1f | 0x7f..=0x9f)
    }

    #[test]
    fn escapes_c0_del_and_c1() {
        assert_eq!(escape_control("\x1b[31mred\x1b[0m"), r"\x1b[31mred\x1b[0m");
        assert_eq!(escape_control("a\nb\r\tc\0"), r"a\x0ab\x0d\x09c\x00");
        assert_eq!(escape_control("del\x7f"), r"del\x7f");
        assert_eq!(
            escape_control("csi\u{9b}31m \u{80}\u{9f}"),
            r"csi\u{9b}31m \u{80}\u{9f}"
        );
    }

    #[test]
    fn leaves_other_text_alone_and_borrowed() {
        for s in [
            "",
            "/api/v1/products?q=caf%C3%A9",
            "café – 日本語 🙂 \\x1b",
            "\u{a0}\u{200b}\u{202e}",
        ] {
            assert!(
                matches!(escape_control(s), Cow::Borrowed(b) if b == s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn every_character_alone() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = c.to_string();
            let e = escape_control(&s);
            assert!(!e.chars().any(is_control), "{c:?} -> {e:?}");
            assert_eq!(e == s, !is_control(c), "{c:?} -> {e:?}");
        }
    }

    /// Property-style: random strings of any Unicode, weighted towards control characters and
    /// the bytes around them. The output has no control character, keeps every other character
    /// in order, and is the input when there was nothing to escape.
    #[test]
    fn random_strings() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            // xorshift64*
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let s: String = (0..len)
                .filter_map(|_| {
                    let r = next();
                    let cp = match r % 4 {
                        0 => (r >> 8) % 0xa0,
                        1 => (r >> 8) % 0x800,
                        2 => (r >> 8) % 0x1_0000,
                        _ => (r >> 8) % 0x11_0000,
                    };
                    char::from_u32(cp as u32)
                })
                .collect();
            let e = escape_control(&s);
            assert!(!e.chars().any(is_control), "{s:?} -> {e:?}");
            let kept: String = s.chars().filter(|&c| !is_control(c)).collect();
            // Every other character survives, in order (a subsequence of the output).
            let mut rest = e.chars();
            assert!(kept.chars().all(|k| rest.any(|c| c == k)), "{s:?} -> {e:?}");
            if !s.chars().any(is_control) {
                assert_eq!(e, s);
            }
        }
    }
}
