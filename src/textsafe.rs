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

/// `escape_control`, keeping newlines and tabs when `keep_layout` is set: a table cell may span
/// lines, but nothing in it may drive the terminal.
pub fn escape_control_with(s: &str, keep_layout: bool) -> Cow<'_, str> {
    if !keep_layout || !s.contains(['\n', '\t']) {
        return escape_control(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, part) in line.split('\t').enumerate() {
            if j > 0 {
                out.push('\t');
            }
            out.push_str(&escape_control(part));
        }
    }
    Cow::Owned(out)
}

/// A CSV cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return
/// first) gets a leading `'`, as OWASP recommends for CSV injection. Plain numbers ("-2.5", "+12",
/// "-3%") stay as they are so columns of changes remain numbers.
pub fn neutralize_csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        Some(b'+' | b'-') if !is_plain_number(&cell[1..]) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Digits, at most one decimal point with digits on both sides, and an optional trailing `%`.
fn is_plain_number(s: &str) -> bool {
    let s = s.strip_suffix('%').unwrap_or(s);
    let mut parts = s.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_none() && digits(int) && frac.is_none_or(digits)
}

/// JSON text with DEL and C1 controls written as `\u00XX` escapes: serde_json escapes only C0, and
/// these reach a terminal raw otherwise. The value is unchanged (they can only occur inside strings).
pub fn escape_json_c1(json: String) -> String {
    if !json.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
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

    #[test]
    fn escapes_what_a_terminal_acts_on() {
        assert_eq!(escape_control("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_control("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(escape_control("nul\0"), "nul\\x00");
        assert_eq!(escape_control("csi\u{9b}31m"), "csi\\u{9b}31m");
        assert_eq!(escape_control("del\x7f"), "del\\x7f");
        assert_eq!(escape_control("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(escape_control("line\nbreak"), "line\\nbreak");
        assert_eq!(
            escape_control_with("line\nbreak\t.", true),
            "line\nbreak\t."
        );
        assert!(matches!(
            escape_control("Grüße & 日本語 🎉"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn neutralizes_formulas_but_not_numbers() {
        for bad in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "+",
            "-inf",
            "-1.",
        ] {
            assert_eq!(neutralize_csv_cell(bad), format!("'{bad}"), "{bad:?}");
        }
        for ok in [
            "-2.5",
            "+12",
            "-3%",
            "12",
            "",
            "abc",
            "B0BTTL9LTC",
            "5 stars",
        ] {
            assert_eq!(neutralize_csv_cell(ok), ok, "{ok:?}");
        }
    }

    #[test]
    fn json_c1_escapes_keep_the_value() {
        let v = serde_json::json!({"t": "a\u{9b}2Jb\u{7f}"});
        let text = escape_json_c1(v.to_string());
        assert!(!text.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    /// Arbitrary Unicode, not just ASCII: every scalar value class, with escapes and formula starts.
    #[test]
    fn arbitrary_unicode_never_panics_and_leaves_no_controls() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pool = [
            '\x1b', '\0', '\u{9b}', '\u{7f}', '=', '+', '-', '@', '&', 'ß', '\u{301}', '\u{202e}',
            '日', '🎉', '\r', '\n', '\t', 'a', '9', '.', '%',
        ];
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let s: String = (0..len)
                .map(|_| {
                    if next() % 2 == 0 {
                        pool[(next() % pool.len() as u64) as usize]
                    } else {
                        // Any scalar value: surrogates are skipped by from_u32.
                        char::from_u32((next() % 0x11_0000) as u32).unwrap_or('\u{fffd}')
                    }
                })
                .collect();
            let e = escape_control(&s);
            assert!(!e.chars().any(needs_escape), "{s:?} -> {e:?}");
            let n = neutralize_csv_cell(&s);
            assert!(
                !matches!(n.as_bytes().first(), Some(b'=' | b'@' | b'\t' | b'\r'))
                    && (n.starts_with('\'')
                        || !n.starts_with(['+', '-'])
                        || is_plain_number(&n[1..])),
                "{s:?} -> {n:?}"
            );
            let j = escape_json_c1(serde_json::Value::String(s.clone()).to_string());
            assert_eq!(serde_json::from_str::<String>(&j).unwrap(), s);
        }
    }
}
