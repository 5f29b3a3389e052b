//! Secrets out of every message: a provider (or a proxy in front of it) may echo the request's
//! `Authorization` header in its error text, and that text is printed, stored and wrapped into errors.

/// What a secret is replaced with: the first of these that does not contain the key (no key can
/// be in both of the last two).
const MARKS: [&str; 3] = ["[redacted]", "***", "#"];

/// `text` without the API key, any `Bearer <token>`, and any `sk-…` token (OpenAI's key shape).
/// The exact key goes whatever surrounds it; the patterns catch keys other than ours too (a proxy's,
/// or the key of another environment).
pub fn redact_secrets(text: &str, key: Option<&str>) -> String {
    let key = key.filter(|k| !k.is_empty());
    let mark = MARKS
        .iter()
        .find(|m| key.is_none_or(|k| !m.contains(k)))
        .unwrap_or(&MARKS[2]);
    let mut out = text.to_string();
    // A pass can make a new match from what was around the old one ("Bea" + key + "rer x"):
    // passes until nothing changes (in practice one or two).
    for _ in 0..4 {
        let mut next = redact_sk(&redact_bearer(&out, mark), mark);
        if let Some(k) = key {
            next = next.replace(k, mark);
            // An occurrence made across a mark's edge goes too; each pass shortens the text.
            while next.contains(k) {
                next = next.replace(k, "");
            }
        }
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// Characters a token in a header or a JSON string is made of: anything but space, quotes and the
/// punctuation that ends a token in prose or JSON.
fn is_token_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '"' | '\'' | '`' | ',' | ';' | '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}' | '\\'
        )
}

/// `Bearer <token>` (any case) → `Bearer <mark>`.
fn redact_bearer(text: &str, mark: &str) -> String {
    const WORD: &[u8] = b"bearer";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0; // always on a character boundary
    let mut copied = 0;
    while i + WORD.len() < bytes.len() {
        if bytes[i..i + WORD.len()].eq_ignore_ascii_case(WORD) {
            // ASCII matched, so i + 6 is a boundary; then any whitespace, then the token.
            let rest = &text[i + WORD.len()..];
            let gap: usize = rest
                .chars()
                .take_while(|c| c.is_whitespace())
                .map(char::len_utf8)
                .sum();
            let token: usize = rest[gap..]
                .chars()
                .take_while(|&c| is_token_char(c))
                .map(char::len_utf8)
                .sum();
            if gap > 0 && token > 0 {
                let end = i + WORD.len() + gap;
                out.push_str(&text[copied..end]);
                out.push_str(mark);
                copied = end + token;
                i = copied;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    out.push_str(&text[copied..]);
    out
}

/// `sk-` (or `sk_`) at the start of a word, followed by 8 or more key characters → the mark.
fn redact_sk(text: &str, mark: &str) -> String {
    let is_key = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let starts_word = !prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '-');
        if starts_word
            && (rest.starts_with("sk-") || rest.starts_with("sk_"))
            && rest[3..].chars().take_while(|&c| is_key(c)).count() >= 8
        {
            let len: usize = 3 + rest[3..].chars().take_while(|&c| is_key(c)).count();
            out.push_str(mark);
            prev = rest[..len].chars().last();
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_bearer_tokens_and_sk_tokens_go() {
        let key = "sk-proj-AbC123xyz789";
        let msg = format!("Incorrect API key provided: Bearer {key}. Header was 'authorization: bearer tok.en/1=='");
        let r = redact_secrets(&msg, Some(key));
        assert!(!r.contains(key), "{r}");
        assert!(!r.contains("tok.en"), "{r}");
        assert!(
            r.contains("Incorrect API key provided: Bearer [redacted]"),
            "{r}"
        );
        // Another key of OpenAI's shape, not ours: gone too.
        let r = redact_secrets("echo: sk-otherKEY_1234567890 end", Some(key));
        assert_eq!(r, "echo: [redacted] end");
        // The exact key, whatever its shape and whatever surrounds it.
        let r = redact_secrets("x=é_my-local-key_é", Some("my-local-key"));
        assert_eq!(r, "x=é_[redacted]_é");
        // Ordinary words stay.
        for plain in [
            "task-force on risk-taking",
            "the LLM server refused the API key (401)",
            "Bearer",
            "ask-me",
            "sk-short",
        ] {
            assert_eq!(redact_secrets(plain, Some("sk-zzzzzzzzzz")), plain);
        }
        assert_eq!(redact_secrets("", None), "");
        // A key that the mark itself contains, or that reappears once removed.
        assert!(!redact_secrets("a redacted thing", Some("redact")).contains("redact"));
        assert!(!redact_secrets("kkeyey", Some("key")).contains("key"));
        assert!(!redact_secrets("****", Some("*")).contains('*'));
    }

    /// A small deterministic generator: no dependency, the same cases on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn char(&mut self) -> char {
            let pools: [&[char]; 5] = [
                &[
                    's', 'k', '-', '_', 'B', 'e', 'a', 'r', 'E', 'R', ' ', '\t', '"', 'x', '1',
                ],
                &[
                    'é', 'ß', '中', '🙂', '\u{0301}', '\u{200b}', '\u{3000}', 'İ', 'ﬁ',
                ],
                &['[', ']', 'r', 'e', 'd', 'a', 'c', 't', 'e', 'd'],
                &['\n', '\\', '\'', ',', ':', '=', '/', '.'],
                &[],
            ];
            let p = pools[(self.next() % 5) as usize];
            if p.is_empty() {
                char::from_u32((self.next() % 0x11_0000) as u32).unwrap_or('?')
            } else {
                p[(self.next() % p.len() as u64) as usize]
            }
        }
        fn string(&mut self, max: u64) -> String {
            let n = self.next() % (max + 1);
            (0..n).map(|_| self.char()).collect()
        }
    }

    #[test]
    fn property_the_key_never_survives_any_text_around_it() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for case in 0..20_000 {
            let key = match case % 3 {
                0 => format!("sk-{}", rng.string(12)),
                1 => rng.string(6),
                _ => "sk-proj-AbC123xyz789".to_string(),
            };
            let (a, b, c) = (rng.string(20), rng.string(20), rng.string(5));
            let texts = [
                format!("{a}{key}{b}"),
                format!("{a}Bearer {key}{b}{key}{c}"),
                format!("{a}{key}{key}{c}{b}"),
                // The key split by what is around it: the halves must not rejoin into the key.
                {
                    let cut = key
                        .char_indices()
                        .nth(key.chars().count() / 2)
                        .map_or(0, |x| x.0);
                    format!("{a}{}{key}{}{b}", &key[..cut], &key[cut..])
                },
                rng.string(40),
            ];
            for t in &texts {
                let r = redact_secrets(t, Some(&key));
                if !key.is_empty() {
                    assert!(
                        !r.contains(&key),
                        "key {key:?} survives in {r:?} (from {t:?})"
                    );
                }
                // Idempotent on its own output; no panic without a key either.
                assert_eq!(redact_secrets(&r, Some(&key)), r, "{t:?}");
                let _ = redact_secrets(t, None);
            }
        }
    }
}
