//! Splitting review text into sentences and tokens, the same way for every language.

/// A sentence, its lowercase tokens, the clause each token is in (clauses are numbered from 0
/// and end at a comma, colon, dash or bracket), and which tokens were written in capitals.
pub struct Sentence<'a> {
    pub text: &'a str,
    pub tokens: Vec<String>,
    pub clauses: Vec<u16>,
    pub shouted: Vec<bool>,
}

/// Decodes the few HTML entities real exports carry (`&lt;&lt;`, `&amp;`, `&#39;`).
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // An entity ends within its first 10 bytes. Searched as bytes: 10 bytes may end inside a
        // character ("& ich weiß"), and ';' is ASCII, so where it is found is a char boundary.
        let end = rest.as_bytes()[..rest.len().min(10)]
            .iter()
            .position(|&b| b == b';');
        let ent = end.map(|e| &rest[1..e]);
        let rep = match ent {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") | Some("#39") => Some('\''),
            Some("nbsp") => Some(' '),
            Some(e) if e.starts_with('#') => e[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match (rep, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x1F300..=0x1FAFF | 0x2B50)
}

/// Lowercase word tokens; apostrophes inside words stay (`don't`); each emoji is a token.
pub fn tokens(s: &str) -> Vec<String> {
    split(s).tokens
}

/// Whether `c` ends a clause. A hyphen does only between spaces ("gut - aber"), not in "Wi-Fi".
fn ends_clause(c: char, prev: Option<char>, next: Option<char>) -> bool {
    match c {
        ',' | ':' | '(' | ')' | '"' | '“' | '”' | '„' | '«' | '»' | '–' | '—' | '…' => {
            true
        }
        '-' => prev.is_some_and(char::is_whitespace) && next.is_some_and(char::is_whitespace),
        _ => false,
    }
}

/// `tokens`, with each token's clause number and whether it was written in capitals.
pub struct Split {
    pub tokens: Vec<String>,
    pub clauses: Vec<u16>,
    /// A word of two or more letters in capitals, in a text that is not all capitals ("I LOVE
    /// it"): VADER's emphasis.
    pub shouted: Vec<bool>,
}

/// One pass over a sentence: its tokens, their clauses and their capitals.
pub fn split(s: &str) -> Split {
    let mut out = Split {
        tokens: Vec::new(),
        clauses: Vec::new(),
        shouted: Vec::new(),
    };
    let mut clause: u16 = 0;
    let mut cur = String::new();
    // Letters of the current word, and whether any was lowercase; and whether any in the text was.
    let (mut letters, mut lower, mut any_lower) = (0usize, false, false);
    let mut prev = None;
    let mut chars = s.chars().peekable();
    let push = |out: &mut Split, t: String, clause: u16, caps: bool| {
        out.tokens.push(t);
        out.clauses.push(clause);
        out.shouted.push(caps);
    };
    while let Some(c) = chars.next() {
        let c = if c == '’' { '\'' } else { c };
        if c.is_alphanumeric() {
            letters += usize::from(c.is_alphabetic());
            lower |= c.is_lowercase();
            if c.is_ascii() {
                cur.push(c.to_ascii_lowercase()); // what `to_lowercase` gives, without its table
            } else {
                cur.extend(c.to_lowercase());
            }
        } else if c == '\'' && !cur.is_empty() && chars.peek().is_some_and(|n| n.is_alphabetic()) {
            cur.push('\'');
        } else {
            if !cur.is_empty() {
                push(
                    &mut out,
                    std::mem::take(&mut cur),
                    clause,
                    letters > 1 && !lower,
                );
            }
            any_lower |= lower;
            (letters, lower) = (0, false);
            if is_emoji(c) {
                push(&mut out, c.to_string(), clause, false);
            } else if ends_clause(c, prev, chars.peek().copied()) {
                clause = clause.saturating_add(1);
            }
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        push(&mut out, cur, clause, letters > 1 && !lower);
    }
    if !(any_lower || lower) {
        out.shouted.iter_mut().for_each(|x| *x = false);
    }
    out
}

/// Sentences split at . ! ? ; and line breaks (not inside numbers like 2.5).
pub fn sentences(s: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let split = match c {
            '!' | '?' | ';' | '\n' | '¡' | '¿' => true,
            '.' => {
                let prev_digit = i > 0 && b[i - 1].is_ascii_digit();
                let next_digit = b.get(i + 1).is_some_and(|n| n.is_ascii_digit());
                !(prev_digit && next_digit)
            }
            _ => false,
        };
        if split {
            push_sentence(&mut out, &s[start..i]);
            start = i + c.len_utf8();
        }
    }
    push_sentence(&mut out, &s[start..]);
    out
}

/// For each of `sentences` (of `part`), whether it is a yes-or-no question that the next
/// sentence answers no ("Does it leak? Not a drop.", "¿Gotea? Para nada."): it then reports
/// nothing. A question that opens with a question word ("Why does it leak?") asks about a problem
/// the reviewer has, whatever follows.
pub fn denied_questions(part: &str, sentences: &[Sentence<'_>]) -> Vec<bool> {
    (0..sentences.len())
        .map(|i| asked(part, &sentences[i]) && sentences.get(i + 1).is_some_and(answers_no))
        .collect()
}

/// Whether a title that ends in a yes-or-no question ("Leaks?") is answered no by the body: its
/// first sentence denies ("Not a drop.") or asks the same and denies ("It leaks? Nope.").
/// `body_denied` is `denied_questions` of the body.
pub fn title_denied(
    title: &str,
    sentences: &[Sentence<'_>],
    body: &[Sentence<'_>],
    body_denied: &[bool],
) -> bool {
    sentences.last().is_some_and(|s| asked(title, s))
        && body
            .first()
            .is_some_and(|b| answers_no(b) || body_denied.first().copied().unwrap_or(false))
}

const ASKING: [&str; 30] = [
    "why", "how", "what", "who", "which", "warum", "wieso", "weshalb", "wie", "was", "pourquoi",
    "comment", "quoi", "qui", "perché", "perche", "come", "cosa", "chi", "por", "porque", "porqué",
    "cómo", "como", "qué", "que", "quién", "quien", "wer", "where",
];
const NO: [&str; 27] = [
    "no", "nope", "not", "never", "none", "nothing", "zero", "nein", "nö", "nee", "kein", "keine",
    "keinen", "nichts", "nie", "non", "pas", "jamais", "aucun", "aucune", "rien", "nada", "nunca",
    "ninguno", "niente", "nulla", "affatto",
];
const NO_PAIRS: [[&str; 2]; 8] = [
    ["para", "nada"],
    ["en", "absoluto"],
    ["per", "niente"],
    ["per", "nulla"],
    ["gar", "nicht"],
    ["überhaupt", "nicht"],
    ["absolut", "nicht"],
    ["du", "tout"],
];
// Idioms that open with a negator but agree or judge: no answer ("Broke in a day? No
// surprise.", "Not acceptable.").
const NOT_ANSWERS: [[&str; 2]; 16] = [
    ["no", "way"],
    ["no", "surprise"],
    ["no", "wonder"],
    ["no", "kidding"],
    ["no", "joke"],
    ["no", "doubt"],
    ["not", "acceptable"],
    ["not", "ok"],
    ["not", "okay"],
    ["not", "surprised"],
    ["not", "surprising"],
    ["not", "happy"],
    ["kein", "wunder"],
    ["nicht", "akzeptabel"],
    ["pas", "étonnant"],
    ["non", "accettabile"],
];

/// Whether sentence `s` of `part` is a yes-or-no question: it ends at a question mark (one with
/// an exclamation mark, "?!", is outrage) and opens with no question word.
fn asked(part: &str, s: &Sentence<'_>) -> bool {
    let base = part.as_ptr() as usize;
    let end = (s.text.as_ptr() as usize).saturating_sub(base) + s.text.len();
    let closes = part.get(end..).is_some_and(|rest| {
        let after = rest.trim_start().strip_prefix('?');
        after.is_some_and(|a| !a.trim_start_matches('?').starts_with('!'))
    });
    closes && !ASKING.contains(&s.tokens[0].as_str())
}

/// Whether a sentence opens with a bare no ("No.", "Not a drop.", "Para nada.").
fn answers_no(s: &Sentence<'_>) -> bool {
    let t = &s.tokens;
    let pair = |[a, b]: &[&str; 2]| t.len() > 1 && t[0] == *a && t[1] == *b;
    (NO.contains(&t[0].as_str()) || NO_PAIRS.iter().any(pair)) && !NOT_ANSWERS.iter().any(pair)
}

fn push_sentence<'a>(out: &mut Vec<Sentence<'a>>, text: &'a str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let Split {
        tokens,
        clauses,
        shouted,
    } = split(text);
    if !tokens.is_empty() {
        out.push(Sentence {
            text,
            tokens,
            clauses,
            shouted,
        });
    }
}

/// The review without a reviewer programme's disclosure ("Ich habe dieses Produkt über das Amazon
/// Vine-Programm erhalten … informiere ich den Verkäufer"): boilerplate that names sellers, faults
/// and quality without reporting any. A paragraph after the first that opens with the disclosure
/// goes whole (the template's later sentences do not name the programme); elsewhere only the
/// sentences that name it go, so a complaint beside them stays. Borrows text without one.
pub fn without_disclosure(s: &str) -> std::borrow::Cow<'_, str> {
    if !names_vine(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut first = true;
    for line in s.split('\n') {
        if line.trim().is_empty() {
            continue;
        }
        let opens = line
            .split_inclusive(['.', '!', '?'])
            .find(|p| !p.trim().is_empty())
            .is_some_and(is_disclosure);
        if first || !opens {
            for piece in line.split_inclusive(['.', '!', '?']) {
                if !is_disclosure(piece) {
                    out.push_str(piece);
                }
            }
            out.push('\n');
        }
        first = false;
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `s` has the word "Vine" (also in "Vine-Programm"), in any case.
fn names_vine(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).any(|i| {
        b[i..i + 4].eq_ignore_ascii_case(b"vine")
            && (i == 0 || !b[i - 1].is_ascii_alphabetic())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_alphabetic())
    })
}

/// A sentence that names Vine and a programme, Amazon or a free product: a disclosure, not a
/// vine the product grows.
fn is_disclosure(sentence: &str) -> bool {
    const MARKS: [&str; 12] = [
        "amazon",
        "program",
        "voice",
        "kostenlos",
        "gratuit",
        "gratis",
        "free",
        "tester",
        "erhalten",
        "reçu",
        "ricevuto",
        "recibido",
    ];
    names_vine(sentence) && {
        let lower = sentence.to_lowercase();
        MARKS.iter().any(|m| lower.contains(m))
    }
}

/// Texting abbreviations of Spanish and Italian reviews spelled out for the issue patterns ("q" is
/// "que", "xq" "porque", "nn" "non", "x" "per"): "nn funziona" reports what "non funziona" does.
/// Only whole words of a lowercased sentence change; text without any is borrowed.
pub fn abbreviations<'a>(lower: &'a str, lang: Option<&str>) -> std::borrow::Cow<'a, str> {
    const ES: [(&str, &str); 5] = [
        ("q", "que"),
        ("xq", "porque"),
        ("pq", "porque"),
        ("tb", "también"),
        ("tmb", "también"),
    ];
    const IT: [(&str, &str); 6] = [
        ("nn", "non"),
        ("x", "per"),
        ("xche", "perché"),
        ("xchè", "perché"),
        ("cmq", "comunque"),
        ("ke", "che"),
    ];
    let table: &[(&str, &str)] = match lang {
        Some("es") => &ES,
        Some("it") => &IT,
        _ => return std::borrow::Cow::Borrowed(lower),
    };
    let full = |w: &str| table.iter().find(|(a, _)| *a == w).map(|(_, f)| *f);
    let words = || {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    if !words().any(|w| full(w).is_some()) {
        return std::borrow::Cow::Borrowed(lower);
    }
    let mut out = String::with_capacity(lower.len() + 8);
    let mut word_start = None;
    for (i, c) in lower
        .char_indices()
        .chain(std::iter::once((lower.len(), ' ')))
    {
        if c.is_alphanumeric() && i < lower.len() {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(st) = word_start.take() {
            let w = &lower[st..i];
            out.push_str(full(w).unwrap_or(w));
        }
        if i < lower.len() {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `w` without French, Italian and Spanish accents ("déçu" → "decu", "qualità" → "qualita"), for
/// text typed without them. German umlauts stay: they tell words apart ("größe", "große"; "schön",
/// "schon"); so does "ñ". Borrows ASCII text.
pub fn unaccent(w: &str) -> std::borrow::Cow<'_, str> {
    if w.is_ascii() {
        return std::borrow::Cow::Borrowed(w);
    }
    w.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' => 'o',
            'ù' | 'ú' | 'û' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect::<String>()
        .into()
}

/// Contractions as the issue patterns spell them: a curly apostrophe straightened, and a missing
/// one restored ("doesnt work", "cant figure out"). Borrows the text when there is nothing to do.
pub fn contractions(lower: &str) -> std::borrow::Cow<'_, str> {
    const BARE: [(&str, &str); 12] = [
        ("cant", "can't"),
        ("dont", "don't"),
        ("doesnt", "doesn't"),
        ("didnt", "didn't"),
        ("wont", "won't"),
        ("isnt", "isn't"),
        ("wasnt", "wasn't"),
        ("couldnt", "couldn't"),
        ("wouldnt", "wouldn't"),
        ("havent", "haven't"),
        ("arent", "aren't"),
        ("aint", "ain't"),
    ];
    let core = |w: &str| w.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    // Every bare form ends in "nt": most words are turned away by that before the list is scanned.
    let bare = |w: &str| {
        let c = &w[..core(w)];
        c.ends_with("nt")
            .then(|| BARE.iter().find(|(b, _)| *b == c))
            .flatten()
    };
    debug_assert!(BARE.iter().all(|(b, _)| b.ends_with("nt")));
    if !lower.contains('’') && !lower.contains("  ") && !lower.split(' ').any(|w| bare(w).is_some())
    {
        return std::borrow::Cow::Borrowed(lower);
    }
    // Runs of spaces become one ("doesn't always  work").
    let straight = lower.replace('’', "'");
    let mut out = String::with_capacity(straight.len() + 4);
    for (i, word) in straight.split(' ').filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match bare(word) {
            Some((_, full)) => {
                out.push_str(full);
                out.push_str(&word[core(word)..]);
            }
            None => out.push_str(word),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {

    #[test]
    fn capitals_among_lowercase_are_shouting() {
        assert_eq!(
            split("I LOVE this, it's GREAT").shouted,
            [false, true, false, false, true]
        );
        // All capitals is a caps-lock habit, not emphasis.
        assert_eq!(split("I LOVE THIS").shouted, [false, false, false]);
    }

    #[test]
    fn clauses_end_at_commas_dashes_and_brackets_not_hyphens() {
        let Split {
            tokens: toks,
            clauses,
            ..
        } = split("Gefällt mir nicht - nur Wi-Fi, (leider) gut");
        assert_eq!(
            toks,
            ["gefällt", "mir", "nicht", "nur", "wi", "fi", "leider", "gut"]
        );
        assert_eq!(clauses, [0, 0, 0, 1, 1, 1, 3, 4]);
    }
    use super::*;

    #[test]
    fn tokenizes_apostrophes_and_emoji() {
        assert_eq!(tokens("Don’t BUY!! 👎👎"), vec!["don't", "buy", "👎", "👎"]);
        assert_eq!(tokens("Größe passt"), vec!["größe", "passt"]);
    }

    #[test]
    fn splits_sentences_not_numbers() {
        let s = sentences("Costs 2.5 euros. Broke fast!\nSad");
        let t: Vec<&str> = s.iter().map(|s| s.text).collect();
        assert_eq!(t, vec!["Costs 2.5 euros", "Broke fast", "Sad"]);
    }

    #[test]
    fn contractions_are_spelled_one_way() {
        assert_eq!(
            contractions("i cant figure out why it doesn’t  work, dont ask."),
            "i can't figure out why it doesn't work, don't ask."
        );
        assert!(matches!(
            contractions("content with it"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a &lt;&lt; b &amp; c &#39;d&#39; &bogus"),
            "a << b & c 'd' &bogus"
        );
    }

    /// Regression (issue 21, item 18): an `&` whose next 10 bytes end inside a character panicked
    /// ("byte index 10 is not a char boundary") and took the whole analyze run down.
    #[test]
    fn a_reviewer_programme_disclosure_is_not_review_text() {
        let review = "Die Schaufel ist unbrauchbar.\n\nHinweis: Ich habe dieses Produkt über das \
            Amazon Vine-Programm erhalten. Sollten mir Fehler auffallen, informiere ich den \
            Verkäufer.";
        let kept = without_disclosure(review);
        assert!(kept.contains("unbrauchbar"), "{kept}");
        assert!(!kept.contains("Verkäufer"), "{kept}");
        // One paragraph: only the sentence that names the programme goes.
        let inline = "I got this free through Amazon Vine. It cracked after a day.";
        assert_eq!(without_disclosure(inline).trim(), "It cracked after a day.");
        // A vine the product grows is no disclosure; text without one is borrowed.
        let garden = "The vine grew well.\nThe trellis broke.";
        assert!(matches!(
            without_disclosure(garden),
            std::borrow::Cow::Owned(ref t) if t.contains("vine grew") && t.contains("broke")
        ));
        assert!(matches!(
            without_disclosure("Divine taste, no vinegar smell"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn texting_abbreviations_are_spelled_out_in_their_language() {
        assert_eq!(
            abbreviations("nn funziona x niente, cmq", Some("it")),
            "non funziona per niente, comunque"
        );
        assert_eq!(
            abbreviations("más pequeño q en la foto", Some("es")),
            "más pequeño que en la foto"
        );
        // Other languages, and words that merely contain one, are left alone.
        assert_eq!(abbreviations("2 x 3 cm, nn", Some("en")), "2 x 3 cm, nn");
        assert_eq!(abbreviations("quinto xq", Some("it")), "quinto xq");
        assert!(matches!(
            abbreviations("sin problemas", Some("es")),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn an_ampersand_before_a_multibyte_character_is_kept() {
        let s = "& ich weiß jetzt, wie es geht.";
        assert_eq!(decode_entities(s), s);
        assert_eq!(decode_entities("&日本語"), "&日本語");
        assert_eq!(decode_entities("&😀😀😀"), "&😀😀😀");
        assert_eq!(decode_entities("&amp;ü &#252;ber &é;"), "&ü über &é;");
        assert_eq!(decode_entities("&#1114111;&#55296;"), "\u{10FFFF}&#55296;");
        assert_eq!(decode_entities("&&amp;"), "&&");
    }

    mod props {
        use super::super::{
            abbreviations, decode_entities, denied_questions, names_vine, sentences,
            without_disclosure,
        };
        use proptest::prelude::*;

        /// The decoder, written over characters instead of byte slices: an entity is the text
        /// between `&` and a `;` that lies within the 10 bytes starting at the `&`.
        fn reference(s: &str) -> String {
            let mut out = String::new();
            let mut i = 0;
            while i < s.len() {
                let c = s[i..].chars().next().unwrap();
                if c == '&' {
                    let semi = s[i..]
                        .char_indices()
                        .take_while(|(j, _)| *j < 10)
                        .find(|(_, c)| *c == ';')
                        .map(|(j, _)| j);
                    if let Some(j) = semi {
                        let name = &s[i + 1..i + j];
                        let rep = match name {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" | "#39" => Some('\''),
                            "nbsp" => Some(' '),
                            n if n.starts_with('#') => {
                                n[1..].parse::<u32>().ok().and_then(char::from_u32)
                            }
                            _ => None,
                        };
                        if let Some(r) = rep {
                            out.push(r);
                            i += j + 1;
                            continue;
                        }
                    }
                }
                out.push(c);
                i += c.len_utf8();
            }
            out
        }

        /// Characters from every script and width: ASCII, Latin with diacritics, combining marks,
        /// Greek, Cyrillic, Hebrew and Arabic (right to left) with direction marks, Devanagari,
        /// Thai, CJK, Hangul, emoji with joiners and variation selectors, 4-byte planes, and any
        /// char at all.
        fn any_script() -> impl Strategy<Value = char> {
            prop_oneof![
                proptest::char::range(' ', '~'),
                proptest::char::range('\u{a0}', '\u{24f}'),
                proptest::char::range('\u{300}', '\u{36f}'),
                proptest::char::range('\u{370}', '\u{4ff}'),
                proptest::char::range('\u{590}', '\u{6ff}'),
                Just('\u{200e}'),
                Just('\u{200f}'),
                Just('\u{202e}'),
                proptest::char::range('\u{900}', '\u{97f}'),
                proptest::char::range('\u{e00}', '\u{e7f}'),
                proptest::char::range('\u{4e00}', '\u{9fff}'),
                proptest::char::range('\u{ac00}', '\u{d7a3}'),
                proptest::char::range('\u{1f300}', '\u{1faff}'),
                Just('\u{200d}'),
                Just('\u{fe0f}'),
                proptest::char::range('\u{10000}', '\u{10ffff}'),
                any::<char>(),
            ]
        }

        #[rustfmt::skip]
        const ENTITY_PIECES: &[&str] = &[
            "&", "&#", "&amp;", "&amp", "&am", "&#39;", "&#3", "&lt;", "&gt", "&quot;",
            "&apos;", "&nbsp;", "&#x27;", "&#128512;", "&#1114112;", "&&", ";", "&;",
            "&#;", "& ", "&\u{301}",
        ];

        #[rustfmt::skip]
        const QUESTION_PIECES: &[&str] = &[
            "?", "?!", "??", "¿", "¡", "!", ".", ";", "\n", " ", "Does it leak", "Not a drop",
            "no", "No way", "nada", "para nada", "gar nicht", "du tout", "Why", "por", "&amp;",
            "&#63;", "\u{301}", "\u{200f}", "\u{5e9}", "😀", "2.5", "'", "’",
        ];

        /// Questions and answers among runs of any script, so a question mark often stands
        /// next to a combining mark, a right-to-left letter or an emoji.
        fn questionish() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                prop::sample::select(QUESTION_PIECES).prop_map(String::from),
                proptest::collection::vec(any_script(), 0..4)
                    .prop_map(|cs| cs.into_iter().collect::<String>()),
            ];
            proptest::collection::vec(piece, 0..20).prop_map(|ps| ps.concat())
        }

        /// Text built of pieces that look like entities (or their beginnings) and runs of
        /// characters from any script, so `&` often stands a few bytes before a wide character.
        fn entityish() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                prop::sample::select(ENTITY_PIECES).prop_map(String::from),
                proptest::collection::vec(any_script(), 0..6)
                    .prop_map(|cs| cs.into_iter().collect::<String>()),
                (any::<u32>()).prop_map(|n| format!("&#{};", n % 0x11_0000)),
            ];
            proptest::collection::vec(piece, 0..16).prop_map(|ps| ps.concat())
        }

        fn escape(s: &str) -> String {
            let mut out = String::new();
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    '\'' => out.push_str("&#39;"),
                    c if !c.is_ascii() && (c as u32).is_multiple_of(3) => {
                        out.push_str(&format!("&#{};", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn decodes_like_the_char_by_char_reference(s in entityish()) {
                let got = decode_entities(&s);
                let want = reference(&s);
                prop_assert_eq!(got.as_ref(), want.as_str());
            }

            #[test]
            fn never_panics_on_any_string(s in any::<String>()) {
                let got = decode_entities(&s);
                let want = reference(&s);
                prop_assert_eq!(got.as_ref(), want.as_str());
            }

            #[test]
            fn undoes_html_escaping(cs in proptest::collection::vec(any_script(), 0..40)) {
                let s: String = cs.into_iter().collect();
                let escaped = escape(&s);
                let got = decode_entities(&escaped);
                prop_assert_eq!(got.as_ref(), s.as_str());
            }

            #[test]
            fn disclosure_removal_never_panics_and_keeps_text_without_vine(
                cs in proptest::collection::vec(any_script(), 0..60),
                vine in any::<bool>(),
            ) {
                let mut s: String = cs.into_iter().collect();
                if vine {
                    s.push_str("\nAmazon Vine ß&");
                }
                let kept = without_disclosure(&s);
                if !names_vine(&s) {
                    prop_assert_eq!(kept.as_ref(), s.as_str());
                }
                prop_assert!(kept.len() <= s.len() + s.matches('\n').count() + 1);
            }

            #[test]
            fn abbreviations_keep_everything_but_whole_abbreviated_words(
                cs in proptest::collection::vec(any_script(), 0..40),
                lang in proptest::sample::select(vec!["es", "it", "en"]),
            ) {
                let mut s: String = cs.into_iter().collect();
                s.push_str(" nn x q ß&");
                let out = abbreviations(&s, Some(lang));
                // Separators are kept in place: the same non-word characters in the same order.
                let seps = |t: &str| t.chars().filter(|c| !c.is_alphanumeric()).collect::<String>();
                prop_assert_eq!(seps(&out), seps(&s));
            }

            /// Answered questions over any text: one flag per sentence, set only on a sentence
            /// that a question mark closes and that another follows.
            #[test]
            fn denied_questions_are_questions_with_an_answer(s in questionish()) {
                let sentences = sentences(&s);
                let denied = denied_questions(&s, &sentences);
                prop_assert_eq!(denied.len(), sentences.len());
                prop_assert!(!denied.last().copied().unwrap_or(false), "{:?}", s);
                for (sentence, denied) in sentences.iter().zip(&denied) {
                    if *denied {
                        let at = sentence.text.as_ptr() as usize - s.as_ptr() as usize;
                        let rest = &s[at + sentence.text.len()..];
                        prop_assert!(rest.trim_start().starts_with('?'), "{:?}", s);
                    }
                }
            }

            #[test]
            fn text_without_a_semicolon_is_unchanged(s in entityish()) {
                let s = s.replace(';', ",");
                let got = decode_entities(&s);
                prop_assert_eq!(got.as_ref(), s.as_str());
            }
        }
    }
}
