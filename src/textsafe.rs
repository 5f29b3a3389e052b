//! Untrusted text on its way out: to a terminal, a log, or a spreadsheet. Review text, brands and
//! ASINs come from exports, request paths from strangers; neither may steer the reader's tools.

use std::borrow::Cow;

/// A control character a terminal acts on: C0 (ESC, BEL, NUL, CR, …), DEL, and C1 (U+0080-U+009F;
/// U+009B is a one-character CSI on many terminals). Bidi overrides reorder what follows them, so a
/// line can show other text than it holds ("Trojan Source"): they count too.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Shows control characters as escapes (`\x1b`, `\u{9b}`) so text printed to a terminal or a log
/// cannot clear the screen, retitle the window or forge a log line. Tab and newline are kept only
/// when `keep_layout` is set (multi-line table cells); everything else is escaped.
pub fn escape_control_with(s: &str, keep_layout: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_unsafe(c) && !(keep_layout && matches!(c, '\n' | '\t'));
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// `escape_control_with(s, false)`: one line of a log or a message.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    escape_control_with(s, false)
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

    #[test]
    fn escapes_what_a_terminal_acts_on() {
        assert_eq!(escape_control("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_control("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(escape_control("nul\0"), "nul\\x00");
        assert_eq!(escape_control("csi\u{9b}31m"), "csi\\u{9b}31m");
        assert_eq!(escape_control("del\x7f"), "del\\x7f");
        assert_eq!(escape_control("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(escape_control("line\nbreak"), "line\\x0abreak");
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
            assert!(!e.chars().any(is_unsafe), "{s:?} -> {e:?}");
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
