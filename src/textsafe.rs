//! Text from the outside world (file names, CSV headers, field values, provider replies) reaches
//! error messages, the terminal and the database's logs. A control character there is an attack
//! or a mess: ESC sequences recolour or clear the terminal, rewrite its title or hide text; a NUL,
//! a carriage return or a bidirectional override makes a log line say something other than it
//! holds. `escape_control` shows them as escapes instead, and borrows when there is none.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is shown escaped: Unicode's control characters (C0, DEL, C1: `\u{9b}` is a CSI
/// on some terminals), the bidirectional marks, overrides and isolates, and the line and paragraph
/// separators.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every character that `needs_escape` written as an escape: `\n`, `\r`, `\t`, `\xNN`
/// for the other ASCII ones, `\u{NNNN}` for the rest. Everything else, backslashes included, is
/// kept as it is, so a message stays readable.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `s`, escaped, with how long it was when cut: for quoting a value
/// in a message without repeating all of a hostile one.
pub fn quote_short(s: &str, max: usize) -> String {
    let mut end = s.len();
    if let Some((i, _)) = s.char_indices().nth(max) {
        end = i;
    }
    if end == s.len() {
        format!("\"{}\"", escape_control(s))
    } else {
        format!(
            "\"{}\"… ({} characters)",
            escape_control(&s[..end]),
            s.chars().count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> bool {
        !s.chars().any(needs_escape)
    }

    #[test]
    fn examples() {
        assert!(matches!(escape_control("plain Ü ✓"), Cow::Borrowed(_)));
        assert_eq!(
            escape_control("a\x1b[31mb\0c\n\t\r\x7f"),
            "a\\x1b[31mb\\x00c\\n\\t\\r\\x7f"
        );
        assert_eq!(escape_control("x\u{9b}2J\u{202e}y"), "x\\u{9b}2J\\u{202e}y");
        assert_eq!(escape_control("C:\\path"), "C:\\path");
        assert_eq!(quote_short("B0X", 10), "\"B0X\"");
        assert_eq!(quote_short(&"é".repeat(50), 3), "\"ééé\"… (50 characters)");
        assert_eq!(quote_short("a\0b", 40), "\"a\\x00b\"");
    }

    #[test]
    fn every_character_alone_and_between_others_comes_out_clean() {
        for u in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(u) else { continue };
            let s = format!("a{c}b{c}");
            let e = escape_control(&s);
            assert!(clean(&e), "U+{u:04X} -> {e:?}");
            assert!(!e.chars().any(char::is_control), "U+{u:04X}");
            // Only what needs it changes.
            if !needs_escape(c) {
                assert_eq!(e, s);
            }
        }
    }

    /// Property-style: random strings over all of Unicode, weighted towards the interesting
    /// ranges; no panic, nothing to escape left, unchanged when clean, and what is not escaped
    /// is kept in order.
    #[test]
    fn random_unicode_strings_come_out_clean() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let mut s = String::new();
            for _ in 0..len {
                let r = next();
                let u = match r % 4 {
                    0 => (r >> 8) as u32 % 0x80,
                    1 => 0x80 + (r >> 8) as u32 % 0x80,
                    2 => 0x2000 + (r >> 8) as u32 % 0x100,
                    _ => (r >> 8) as u32 % 0x11_0000,
                };
                if let Some(c) = char::from_u32(u) {
                    s.push(c);
                }
            }
            let e = escape_control(&s);
            assert!(clean(&e), "{s:?} -> {e:?}");
            let kept: String = s.chars().filter(|&c| !needs_escape(c)).collect();
            let mut rest = e.chars();
            assert!(kept.chars().all(|k| rest.any(|c| c == k)), "{s:?} -> {e:?}");
            if clean(&s) {
                assert_eq!(e, s);
            }
            let q = quote_short(&s, 5);
            assert!(clean(&q), "{q:?}");
        }
    }
}
