//! Issue detection: per code, phrases that report the problem outright ("stopped working",
//! "funktioniert nicht"), and topic words that count only in a negative sentence ("battery", "Akku").
//! Patterns cover English, German, French, Italian and Spanish; they run on lowercased sentences.

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::text::unaccent;
use crate::model::IssueHit;
use crate::topics::{phrase_pattern, Kind, Topics};

/// The patterns: per code, cues, topic words, and the contexts that cancel them (the file's header
/// says how it is read).
const PATTERNS: &str = include_str!("issue-patterns.tsv");

/// How far before and after a match its cancelling contexts are looked for, in characters.
const BEFORE_WINDOW: usize = 100;
const AFTER_WINDOW: usize = 40;

struct Rule {
    code: &'static str,
    /// The language whose texts a custom topic's phrases are matched in; None for built-in codes,
    /// whose patterns mix languages.
    lang: Option<&'static str>,
    cue: Vec<Regex>,
    topic: Vec<Regex>,
    /// Structures that report a problem in a complaint ("nicht für das iPhone 12 geeignet"): they
    /// count where `Counts::complaints` says so.
    complaint: Vec<Regex>,
    /// Spans in which a match is no issue: the code's own and those of every code.
    veto: Vec<Regex>,
    negator: Vec<Regex>,
    before: Vec<Regex>,
    after: Vec<Regex>,
    /// Words anywhere in the clause before or after a match that cancel it.
    clause: Vec<Regex>,
    clause_after: Vec<Regex>,
    /// What, after a match in its sentence, says a fear came true ("and it did"): the hypothetical
    /// context before the match then cancels nothing.
    came_true: Vec<Regex>,
    /// Words in the clause before a match that confirm what others reported ("as other reviewers
    /// said"): the clause's other-people context then cancels nothing.
    confirm: Vec<Regex>,
    /// Structures read only in a one- or two-star review in which nothing else was found
    /// ("Bought for my Pixel 8"): kept out of the set, which every sentence pays for.
    last: Vec<Regex>,
}

pub struct IssueRules {
    rules: Vec<Rule>,
    /// Every rule's cues, topic words and complaint structures in one set, in rule order: one pass
    /// over a sentence says which can match at all, so the rest are not searched (most sentences
    /// match none). None if the set does not build: then every pattern is searched.
    set: Option<RegexSet>,
}

/// Whether a sentence's topic words and complaint structures count; the analyzer decides from
/// the sentence's valence and the review's stars.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub topics: bool,
    pub complaints: bool,
}

/// The lines of `PATTERNS` for one code (or `*`) and kind, as one alternation (none if there are
/// no lines, or the alternation does not compile: the patterns are data covered by tests).
fn patterns(src: &str, code: &str, kind: &str) -> Vec<Regex> {
    let alts: Vec<&str> = src
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let (c, k, p) = (f.next()?, f.next()?, f.next()?);
            (c == code && k == kind && !p.is_empty()).then_some(p)
        })
        .collect();
    if alts.is_empty() {
        return Vec::new();
    }
    compile(&alts.join("|")).into_iter().collect()
}

/// Patterns and text meet unaccented (reviews are often typed without accents) and in ASCII
/// (`ascii`): on ASCII the regex engine's fast automaton handles word boundaries, and an ASCII
/// automaton stays small. With Unicode classes these alternations made analysis five times slower.
fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&ascii(&unaccent(pattern)))
        .unicode(false)
        .build()
        .ok()
}

/// The text in ASCII with every byte where it was: German and Spanish letters as two ASCII letters
/// ("ü" is "ue", "ñ" "ny"; each takes two bytes in UTF-8), any other non-ASCII byte a space. Match
/// offsets in it are offsets in the text. Polish and Swedish letters are two letters too ("ł" is
/// "lq"): as spaces they split words into pieces that read as other words ("głośno" had a negator
/// "no" in it).
fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let two = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'ñ' => "ny",
            'ã' => "an",
            'õ' => "on",
            'ą' => "aq",
            'ę' => "eq",
            'ł' => "lq",
            'ś' => "sq",
            'ć' => "cq",
            'ż' => "zq",
            'ź' => "zv",
            'ń' => "nq",
            'å' => "aq",
            _ => "",
        };
        if c.is_ascii() {
            out.push(c);
        } else if !two.is_empty() {
            out.push_str(two);
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    out
}

impl IssueRules {
    pub fn new() -> IssueRules {
        IssueRules::with_topics(&Topics::default())
    }

    /// The built-in rules, then one per custom topic and language, whose phrases are cues (or
    /// topic words) cancelled by the contexts every code shares (`*`): negators, resolved,
    /// hypothetical, other products.
    pub fn with_topics(topics: &Topics) -> IssueRules {
        let src = PATTERNS;
        // Every code's contexts (`*`), compiled once and shared (a compiled regex clones cheaply).
        let shared: Vec<(&str, Vec<Regex>)> = CONTEXTS
            .iter()
            .map(|k| (*k, patterns(src, "*", k)))
            .collect();
        let mut rules: Vec<Rule> = crate::taxonomy::ISSUES
            .iter()
            .filter_map(|(code, _)| {
                let cue = patterns(src, code, "cue");
                let topic = patterns(src, code, "topic");
                let complaint = patterns(src, code, "complaint");
                if cue.is_empty() && topic.is_empty() && complaint.is_empty() {
                    return None;
                }
                Some(Rule::new(
                    code,
                    None,
                    [cue, topic, complaint],
                    |kind| patterns(src, code, kind),
                    &shared,
                ))
            })
            .collect();
        for t in &topics.topics {
            let code = intern(&t.code);
            for (lang, phrases) in &t.phrases {
                let Some(lang) = crate::model::OFFLINE_LANGUAGES
                    .iter()
                    .find(|l| **l == lang.as_str())
                else {
                    continue;
                };
                let alts: Vec<String> = phrases.iter().map(|p| phrase_pattern(p)).collect();
                let Some(re) = compile(&alts.join("|")).filter(|_| !alts.is_empty()) else {
                    continue;
                };
                let (cue, topic) = match t.kind {
                    Kind::Cue => (vec![re], Vec::new()),
                    Kind::Topic => (Vec::new(), vec![re]),
                };
                rules.push(Rule::new(
                    code,
                    Some(lang),
                    [cue, topic, Vec::new()],
                    |_| Vec::new(),
                    &shared,
                ));
            }
        }
        let set = match_set(&rules);
        IssueRules { rules, set }
    }

    /// Codes found in one lowercased sentence, whatever its language.
    #[cfg(test)]
    pub fn find(&self, lower: &str, negative: bool, out: &mut Vec<&'static str>) {
        let counts = Counts {
            topics: negative,
            complaints: negative,
        };
        self.find_in(lower, counts, None, out)
    }

    /// Codes found in one lowercased sentence; `counts` says whether its topic words and complaint
    /// structures count. A custom topic's phrases count in texts of their language, and in texts
    /// of no known one.
    pub fn find_in(
        &self,
        lower: &str,
        counts: Counts,
        lang: Option<&str>,
        out: &mut Vec<&'static str>,
    ) {
        // "didn`t" is "didn't".
        let ticked;
        let lower = if lower.contains('`') {
            ticked = lower.replace('`', "'");
            ticked.as_str()
        } else {
            lower
        };
        let plain = ascii(&unaccent(lower));
        let lower = plain.as_str();
        let bytes = lower.as_bytes();
        let possible = self.set.as_ref().map(|s| s.matches(bytes));
        // Whether the set's pattern `i` matches somewhere (without a set: may match).
        let may = |i: usize| possible.as_ref().is_none_or(|m| m.matched(i));
        let mut at = 0;
        for r in &self.rules {
            let (cue_at, topic_at) = (at, at + r.cue.len());
            let complaint_at = topic_at + r.topic.len();
            at = complaint_at + r.complaint.len();
            if r.lang.is_some() && lang.is_some() && r.lang != lang {
                continue;
            }
            let cue = r.cue.iter().enumerate().any(|(i, c)| {
                may(cue_at + i)
                    && c.find_iter(bytes).any(|m| {
                        let lack = r.code == "missing_parts" && lacks_a_quality(lower, m.end());
                        !lack
                            && !verb_negated(c, lower, m.start(), m.end())
                            && !cancelled(r, lower, m.start(), m.end())
                    })
            });
            let hit = cue
                || (counts.topics && topic_hit(r, (&r.topic, topic_at), lower, &may))
                || (counts.complaints && topic_hit(r, (&r.complaint, complaint_at), lower, &may));
            if hit && !out.contains(&r.code) {
                out.push(r.code);
            }
        }
        // Damage on arrival is its own code, not wear.
        if out.contains(&"damaged_on_arrival") {
            out.retain(|c| *c != "durability");
        }
        // Not working *with* something ("won't work with my TV") is compatibility, not a defect.
        if out.contains(&"compatibility") {
            out.retain(|c| *c != "defective");
        }
    }
}

impl IssueRules {
    /// Codes whose last-resort structures match one lowercased sentence outside every context
    /// that cancels a match.
    pub fn find_last(&self, lower: &str, out: &mut Vec<&'static str>) {
        let plain = ascii(&unaccent(lower));
        for r in self.rules.iter().filter(|r| !r.last.is_empty()) {
            let hit = r.last.iter().any(|re| {
                re.find_iter(plain.as_bytes())
                    .any(|m| !cancelled(r, &plain, m.start(), m.end()))
            });
            if hit && !out.contains(&r.code) {
                out.push(r.code);
            }
        }
    }
}

/// Whether one of `patterns` matches `lower` outside a cancelling context.
/// `at` is the first pattern's index in the rules' set; `may` says whether the set found it.
fn topic_hit(
    r: &Rule,
    (patterns, at): (&[Regex], usize),
    lower: &str,
    may: &dyn Fn(usize) -> bool,
) -> bool {
    patterns.iter().enumerate().any(|(i, t)| {
        may(at + i)
            && t.find_iter(lower.as_bytes()).any(|m| {
                let value = r.code == "price_value" && for_the_price(lower, m.start());
                // A topic word is neutral ("lädt"): negated, it is the complaint ("lädt nicht").
                let verb = !std::ptr::eq(patterns, r.topic.as_slice())
                    && verb_negated(t, lower, m.start(), m.end());
                !value && !verb && !cancelled(r, lower, m.start(), m.end())
            })
    })
}

/// The rules' cues, topic words and complaint structures as one set, rule by rule in that order
/// (`find_in` counts the same offsets), compiled as each pattern was. Its lazy DFA gets 8 MiB
/// per thread: with the default 2 MiB it kept clearing its cache and analysis got slower than
/// without the set.
fn match_set(rules: &[Rule]) -> Option<RegexSet> {
    let all = rules
        .iter()
        .flat_map(|r| r.cue.iter().chain(&r.topic).chain(&r.complaint))
        .map(|re| re.as_str());
    RegexSetBuilder::new(all)
        .unicode(false)
        .dfa_size_limit(8 << 20)
        .build()
        .ok()
}

/// Which code wins when one review reports several that name one problem twice. A part that
/// arrived broken is damage on arrival, not wear, wherever the review says it broke; a device that
/// will not work with the customer's own is a compatibility problem, not a defect.
pub fn arbitrate(found: &mut Vec<IssueHit>) {
    let has = |found: &[IssueHit], code: &str| found.iter().any(|h| h.code == code);
    if has(found, "damaged_on_arrival") {
        found.retain(|h| h.code != "durability");
    }
    if has(found, "compatibility") {
        found.retain(|h| h.code != "defective");
    }
}

/// The kinds of context that cancel a match.
const CONTEXTS: [&str; 8] = [
    "veto",
    "negator",
    "before",
    "after",
    "clause",
    "clause_after",
    "confirm",
    "came_true",
];

impl Rule {
    /// A rule with the contexts that cancel its matches: the code's own (`own`, by kind) and every
    /// code's (`shared`).
    fn new(
        code: &'static str,
        lang: Option<&'static str>,
        [cue, topic, complaint]: [Vec<Regex>; 3],
        own: impl Fn(&str) -> Vec<Regex>,
        shared: &[(&str, Vec<Regex>)],
    ) -> Rule {
        let with = |kind: &str| {
            let mut v = own(kind);
            if let Some((_, s)) = shared.iter().find(|(k, _)| *k == kind) {
                v.extend(s.iter().cloned());
            }
            v
        };
        Rule {
            code,
            lang,
            cue,
            topic,
            complaint,
            veto: with("veto"),
            negator: with("negator"),
            before: with("before"),
            after: with("after"),
            clause: with("clause"),
            clause_after: with("clause_after"),
            confirm: with("confirm"),
            came_true: with("came_true"),
            last: own("last"),
        }
    }
}

/// A custom code as the `&'static str` results carry. Each distinct code is stored once per
/// process, however many analyzers are built.
fn intern(code: &str) -> &'static str {
    static CODES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = codes.iter().find(|c| **c == code) {
        return c;
    }
    let c: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.push(c);
    c
}

/// Whether the match `start..end` is no issue: inside a veto span ("fits perfectly", "no more
/// rattle"), after a negator or a resolving or hypothetical context ("no smell", "keine Probleme
/// mehr mit", "in case it breaks"), or before a resolving one ("the rattle is gone").
fn cancelled(r: &Rule, lower: &str, start: usize, end: usize) -> bool {
    // Praise that is itself negated is no praise: "not the high quality I expected".
    let vetoed = r.veto.iter().any(|v| {
        v.find_iter(lower.as_bytes())
            .any(|m| m.start() < end && start < m.end() && !negated(r, lower, m.start(), m.end()))
    });
    if vetoed {
        return true;
    }
    let to = lower[end..]
        .char_indices()
        .nth(AFTER_WINDOW)
        .map_or(lower.len(), |(i, _)| end + i);
    let (before, after) = (window_before(lower, start), &lower[end..to]);
    // The clause around the match: back to, and up to, the nearest . ! ? or ;.
    let stop = |c: char| matches!(c, '.' | '!' | '?' | ';');
    let clause_before = before.rfind(stop).map_or(before, |i| &before[i + 1..]);
    let clause_before = after_contrast(clause_before);
    let clause_after = after.find(stop).map_or(after, |i| &after[..i]);
    let confirmed = || {
        r.confirm
            .iter()
            .any(|c| c.is_match(clause_before.as_bytes()))
    };
    // A hypothetical or resolving context says nothing across a contrast: "I thought it was
    // good but broke", "ich hatte keine Angst, aber es ist zu klein".
    let near = after_contrast(before);
    negated(r, lower, start, end)
        || (r.before.iter().any(|b| b.is_match(near.as_bytes()))
            && !came_true(r, lower, near, start, end))
        || r.after.iter().any(|a| a.is_match(after.as_bytes()))
        || (r
            .clause
            .iter()
            .any(|c| c.is_match(clause_before.as_bytes()))
            && !confirmed())
        || r.clause_after
            .iter()
            .any(|c| c.is_match(clause_after.as_bytes()))
}

/// Whether the words before the match (`near`) or the clause from the match on say a fear came
/// true ("as I feared, the hinge broke", "I feared it would break and it did"): the match itself
/// may carry the confirmation.
fn came_true(r: &Rule, lower: &str, near: &str, start: usize, end: usize) -> bool {
    let to = lower[end..]
        .char_indices()
        .nth(AFTER_WINDOW)
        .map_or(lower.len(), |(i, _)| end + i);
    let rest = &lower[start..to];
    let rest = rest.find(['.', '!', '?', ';']).map_or(rest, |i| &rest[..i]);
    r.came_true
        .iter()
        .any(|c| c.is_match(rest.as_bytes()) || c.is_match(near.as_bytes()))
}

/// The part of a clause after its last contrast ("replaces my old case, but this one cracked"):
/// what comes before "but" says nothing of the match after it.
fn after_contrast(clause: &str) -> &str {
    const CONTRASTS: [&str; 11] = [
        " but ",
        " however",
        " aber ",
        " jedoch ",
        " doch ",
        " mais ",
        " pourtant ",
        ", ma ",
        " pero ",
        " sin embargo",
        " maar ",
    ];
    CONTRASTS
        .iter()
        .filter_map(|c| clause.rfind(c).map(|i| i + c.len()))
        .max()
        .map_or(clause, |i| &clause[i..])
}

/// Up to `BEFORE_WINDOW` characters before `start`.
fn window_before(lower: &str, start: usize) -> &str {
    let from = lower[..start]
        .char_indices()
        .rev()
        .nth(BEFORE_WINDOW - 1)
        .map_or(0, |(i, _)| i);
    &lower[from..start]
}

/// Whether a negator just before the match cancels it. A match that carries its own negator
/// ("sans notice", "no funciona") is not negated again by the one before it ("pas montable sans
/// notice").
fn negated(r: &Rule, lower: &str, start: usize, end: usize) -> bool {
    let before = window_before(lower, start);
    !starts_negated(&lower[start..end]) && r.negator.iter().any(|n| n.is_match(before.as_bytes()))
}

/// Whether a match begins with a negator of its own.
fn starts_negated(matched: &str) -> bool {
    const NEGATORS: [&str; 27] = [
        "no", "not", "non", "ne", "n'", "pas", "sans", "sin", "senza", "kein", "keine", "keinen",
        "ohne", "nicht", "never", "nie", "jamais", "nunca", "without", "niet", "geen", "ni",
        "nessun", "aucun", "inte", "nooit", "ingen",
    ];
    let first = matched
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .find(|w| !w.is_empty())
        .unwrap_or("");
    NEGATORS.contains(&first) || matched.starts_with("n'")
}

/// "Leider fehlt dem Film der Bezug", "es fehlt an Tiefe": German "fehlen" followed by a dative or
/// "an" says what something lacks, not which part is missing ("es fehlt ein Teil").
fn lacks_a_quality(lower: &str, end: usize) -> bool {
    let after = &lower[end..];
    [
        " dem ", " es an ", " an ", " mir an ", " ihm an ", " ihr an ",
    ]
    .iter()
    .any(|p| after.starts_with(p))
}

/// German, Dutch and Swedish negate a finite verb after it: "tropft nicht", "quietscht überhaupt
/// nicht", "lekt niet", "läcker inte", where a negator before the match is looked for. A match is
/// negated when a negator follows its first word (maybe after "überhaupt", "gar", "helemaal":
/// inside the match, where a gap of the pattern took it, or right after it), or stands in one of
/// the match's gaps ("ist nach Monaten nicht gelb", "Akku ist nie leer"), and the pattern reports
/// the problem without that word: "funktioniert nicht", "passt nicht richtig" and "fungerar inte"
/// need theirs and stay complaints, as does "riecht nicht gut". A German or Dutch clause that ends
/// in "nicht" negates its verb too ("verblasst auch nach vielen Wäschen nicht").
fn verb_negated(re: &Regex, lower: &str, start: usize, end: usize) -> bool {
    const NOT: [&str; 11] = [
        "nicht",
        "nie",
        "niemals",
        "nichts",
        "niet",
        "nooit",
        "niets",
        "inte",
        "aldrig",
        "inget",
        "ingenting",
    ];
    const STILL_BAD: [&str; 6] = ["gut", "besonders", "angenehm", "schoen", "toll", "nur"];
    const SO: [&str; 5] = ["ueberhaupt", "gar", "helemaal", "absolut", "wirklich"];
    let Some(first) = lower[start..].find(' ').map(|i| start + i) else {
        return false;
    };
    let words = words_at(lower, first + 1);
    // The negator, if any, right after the first word or after one word that strengthens it.
    let at = usize::from(words.first().is_some_and(|(_, w)| SO.contains(w)));
    if let Some(&(i, word)) = words.get(at).filter(|(_, w)| NOT.contains(w)) {
        if words
            .get(at + 1)
            .is_some_and(|(_, n)| STILL_BAD.contains(n))
        {
            return false;
        }
        if first >= end {
            return true;
        }
        let cut = i + word.len();
        let without = format!("{}{}", &lower[start..first], &lower[cut.min(end)..end]);
        return re.is_match(without.as_bytes());
    }
    // A negator in one of the match's gaps: the pattern matches without it ("materiale non
    // scadente").
    let inside = |w: &str| NOT.contains(&w) || w == "non";
    let gap = words
        .iter()
        .filter(|(i, w)| *i < end && inside(w))
        .any(|&(i, w)| {
            let without = format!(
                "{}{}",
                &lower[start..i],
                &lower[(i + w.len() + 1).min(end)..end]
            );
            re.is_match(without.as_bytes())
        });
    gap || (first >= end && clause_ends_negated(&words))
}

/// Words from `from` to the end of the clause (. ! ? ; or a comma), with their offsets.
fn words_at(lower: &str, from: usize) -> Vec<(usize, &str)> {
    let rest = &lower[from..];
    let stop = rest.find(['.', '!', '?', ';', ',']).unwrap_or(rest.len());
    let mut out = Vec::new();
    let mut at = from;
    for w in rest[..stop].split(' ') {
        if !w.is_empty() {
            out.push((at, w));
        }
        at += w.len() + 1;
    }
    out
}

/// Whether a short German or Dutch clause ends in its negator with no conjunction before it:
/// "verblasst auch nach vielen Wäschen nicht", but not "und das gefällt mir nicht".
fn clause_ends_negated(words: &[(usize, &str)]) -> bool {
    const JOIN: [&str; 12] = [
        "und", "aber", "oder", "weil", "dass", "denn", "wenn", "en", "maar", "of", "omdat", "als",
    ];
    let n = words.len();
    (1..=6).contains(&n)
        && matches!(words[n - 1].1, "nicht" | "niet")
        && !words.iter().any(|(_, w)| JOIN.contains(w))
}

/// "Decent for the price", "pour le prix", "per il prezzo": a price named as the measure of
/// value is no complaint about it, even in a sentence that complains of something else.
fn for_the_price(lower: &str, start: usize) -> bool {
    const FRAMES: [&str; 24] = [
        "for the ",
        "for this ",
        "for that ",
        "for such a ",
        "at this ",
        "at that ",
        "at the ",
        "pour le ",
        "pour ce ",
        "à ce ",
        "a ce ",
        "per il ",
        "per questo ",
        "a questo ",
        "por el ",
        "por ese ",
        "por este ",
        "para el ",
        "a ese ",
        "für den ",
        "für diesen ",
        "bei dem ",
        "beim ",
        "bei diesem ",
    ];
    FRAMES.iter().any(|f| lower[..start].ends_with(f))
}

impl Default for IssueRules {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str, negative: bool) -> Vec<&'static str> {
        // Compiled once: the patterns are large, and slow to compile in a debug build.
        static RULES: std::sync::OnceLock<IssueRules> = std::sync::OnceLock::new();
        static UNFILTERED: std::sync::OnceLock<IssueRules> = std::sync::OnceLock::new();
        let r = RULES.get_or_init(IssueRules::new);
        let mut out = Vec::new();
        r.find(&s.to_lowercase(), negative, &mut out);
        // Every sentence of these tests checks that the set skips only patterns that cannot match.
        let all = UNFILTERED.get_or_init(|| IssueRules {
            set: None,
            ..IssueRules::new()
        });
        let mut every = Vec::new();
        all.find(&s.to_lowercase(), negative, &mut every);
        assert_eq!(out, every, "with and without the set: {s}");
        out
    }

    #[test]
    fn one_set_holds_every_rules_patterns() {
        let toml = "[[topic]]\ncode = \"strap\"\nlabel = \"Strap\"\nphrases.en = [\"zork blinks\"]\nphrases.de = [\"zork blinkt\"]\n";
        let topics = Topics::parse(toml, false).expect("topics");
        for rules in [IssueRules::new(), IssueRules::with_topics(&topics)] {
            let n: usize = rules
                .rules
                .iter()
                .map(|r| r.cue.len() + r.topic.len() + r.complaint.len())
                .sum();
            let set = rules.set.as_ref().expect("the patterns fit in one set");
            assert_eq!(set.len(), n);
        }
        // The custom topic's phrase is found through the set, in its language only.
        let mut out = Vec::new();
        let rules = IssueRules::with_topics(&topics);
        rules.find_in("the zork blinks.", Counts::default(), Some("en"), &mut out);
        assert_eq!(out, ["strap"]);
        out.clear();
        rules.find_in("the zork blinks.", Counts::default(), Some("de"), &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn every_pattern_compiles() {
        let mut kinds = 0;
        for line in PATTERNS
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 3, "{line}");
            assert!(f[0] == "*" || crate::taxonomy::is_code(f[0]), "{line}");
            assert!(
                [
                    "cue",
                    "topic",
                    "complaint",
                    "last",
                    "veto",
                    "negator",
                    "before",
                    "after",
                    "clause",
                    "clause_after",
                    "confirm",
                    "came_true"
                ]
                .contains(&f[1]),
                "{line}"
            );
            assert!(compile(f[2]).is_some(), "{line}");
            kinds += 1;
        }
        assert!(kinds > 0);
        // Every code of the taxonomy has rules.
        assert_eq!(IssueRules::new().rules.len(), crate::taxonomy::ISSUES.len());
    }

    #[test]
    fn finds_issues_in_each_language() {
        assert_eq!(
            codes("It stopped working after two weeks", true),
            vec!["defective"]
        );
        for stopped in [
            "el auricular dejó de funcionar",
            "ya no va la parte derecha",
            "a cessé de fonctionner",
            "non va più",
            "it no longer turns on",
            "a month later the headphone jack went out",
            "there was sound but no picture!",
            "there was neither picture nor sound",
            "never could get it to work",
            // Typed without accents.
            "a cesse de fonctionner",
            "le produit est defectueux",
            "non va piu",
        ] {
            assert_eq!(codes(stopped, true), vec!["defective"], "{stopped}");
        }
        assert_eq!(
            codes("auch danach funktionierte er noch immer nicht", true),
            vec!["defective"]
        );
        assert_eq!(codes("Schlechte Bildqualität", true), vec!["quality"]);
        for text in [
            "peccato che non sia compatibile con nespresso",
            "no son compatibles con mi cafetera",
        ] {
            assert_eq!(codes(text, false), vec!["compatibility"], "{text}");
        }
        assert_eq!(
            codes("No son las canicas de la imagen", true),
            vec!["not_as_described"]
        );
        assert_eq!(
            codes("It won't work with my tv", true),
            vec!["compatibility"]
        );
        assert_eq!(codes("the sound is terrible", true), vec!["quality"]);
        // Going out is a part failing, not an evening out.
        assert!(codes("we went out to dinner", true).is_empty());
        assert!(codes("no picture problems at all", true).is_empty());
        assert_eq!(codes("Son enormes", true), vec!["size_fit"]);
        assert_eq!(codes("tres veces estropeada", true), vec!["defective"]);
        assert_eq!(codes("no hay manera de montarlas", true), vec!["usability"]);
        assert_eq!(codes("es un juguete muy cutre", true), vec!["quality"]);
        assert!(codes("Son enormes", false).is_empty());
        assert_eq!(codes("Der Deckel ist undicht", true), vec!["leaks"]);
        assert_eq!(codes("Le couvercle fuit", true), vec!["leaks"]);
        assert_eq!(codes("Il coperchio si è rotto", true), vec!["durability"]);
        assert_eq!(codes("No he recibido el pedido", true), vec!["delivery"]);
        assert_eq!(
            codes("me ha llegado una bola rota", true),
            vec!["damaged_on_arrival"]
        );
    }

    #[test]
    fn common_phrasings_of_each_code_in_several_languages() {
        let cases: &[(&str, &str)] = &[
            ("it doesn't always work", "defective"),
            ("reset it three times to no avail", "defective"),
            ("the sound is mediocre", "quality"),
            ("le prix est trop élevé", "price_value"),
            ("the price is way too high", "price_value"),
            ("il prezzo è un po' alto", "price_value"),
            (
                "worked great for 3 weeks then the video output failed",
                "durability",
            ),
            ("the cover seemed to come undone very easily", "durability"),
            ("sometimes it goes a little haywire", "defective"),
            ("then it stopped connecting to the wifi", "defective"),
            ("se están pelando las asas", "durability"),
            ("el pegamento es malísimo", "quality"),
            ("i can't get it to connect", "defective"),
            ("es muy difícil de programar", "usability"),
            ("las cremalleras son muy dificiles de cerrar", "usability"),
            ("no tengo ni idea cómo va", "usability"),
            ("the remote went haywire after a week", "defective"),
            ("keeps losing the wifi connection", "defective"),
            ("el lector no lo reconoce", "defective"),
            ("die Kamera hängt sich ständig auf", "defective"),
            ("the speaker is tinny", "quality"),
            ("volume is too low", "quality"),
            ("es de poca calidad", "quality"),
            ("wirkt sehr billig", "quality"),
            ("un produit bas de gamme", "quality"),
            ("runs a bit small", "size_fit"),
            ("me queda un poco grande", "size_fit"),
            ("der Ring ist etwas zu eng", "size_fit"),
            ("la veste est un peu serrée", "size_fit"),
            ("la maglia è un po' stretta", "size_fit"),
            ("me han enviado otro modelo", "not_as_described"),
            ("no se parece en nada a la foto", "not_as_described"),
            ("the description was inaccurate", "not_as_described"),
            ("die Artikelbeschreibung ist falsch", "not_as_described"),
            ("la description est trompeuse", "not_as_described"),
            ("descrizione errata", "not_as_described"),
            ("llegó con la tapa rota", "damaged_on_arrival"),
            ("la caja destrozada", "damaged_on_arrival"),
            ("it came with a cracked lid", "damaged_on_arrival"),
            ("der Topf war verbeult", "damaged_on_arrival"),
            ("le colis abîmé", "damaged_on_arrival"),
            ("I can't figure out how to pair it", "usability"),
            ("we had a hard time getting it set up", "usability"),
            ("das Gerät ist schwer zu bedienen", "usability"),
            ("no he conseguido configurar la app", "usability"),
            ("des finitions bâclées", "quality"),
            ("plastica scadente", "quality"),
            ("reçu cassé", "damaged_on_arrival"),
            ("ricevuto rotto", "damaged_on_arrival"),
            ("vraiment pas pratique", "usability"),
            ("la taglia veste piccola", "size_fit"),
            ("todavía no lo he recibido", "delivery"),
            ("tardó bastante en llegar", "delivery"),
            ("it took forever to arrive", "delivery"),
            ("toujours pas reçu", "delivery"),
            ("ist noch immer nicht angekommen", "delivery"),
            ("aún no me han devuelto el dinero", "customer_service"),
            ("still waiting for my refund", "customer_service"),
            ("jamais remboursé", "customer_service"),
            ("al abrirlo estaba oxidado", "damaged_on_arrival"),
            ("se rompió con muy poco uso", "durability"),
            ("me duró dos semanas", "durability"),
            ("viene sin manual", "instructions"),
            ("las instrucciones solo en inglés", "instructions"),
            (
                "en lugar de la funda me han enviado otra cosa",
                "not_as_described",
            ),
            (
                "instead of the blue one they sent a red one",
                "not_as_described",
            ),
            ("el cargador no es el original", "not_as_described"),
            ("non conforme à la photo", "not_as_described"),
            ("die App stürzt ständig ab", "defective"),
            ("das Gerät lässt sich nicht einschalten", "defective"),
            ("le plastique fait très bon marché", "quality"),
            ("arrivato con la scatola rotta", "damaged_on_arrival"),
            ("la batterie se décharge en une heure", "battery"),
            ("la batteria si scarica subito", "battery"),
            ("la batería se descarga enseguida", "battery"),
            ("der Akku hält nur zwei Stunden", "battery"),
            ("pas compatible avec mon iphone", "compatibility"),
            ("le service client ne répond jamais", "customer_service"),
            ("il servizio clienti non risponde mai", "customer_service"),
            ("der Kundenservice hat nie geantwortet", "customer_service"),
            ("le chargeur a surchauffé", "safety"),
            ("die Lieferung hat drei Wochen gedauert", "delivery"),
            ("nada que ver con la foto", "not_as_described"),
            ("lo schermo si graffia facilmente", "durability"),
            ("scratches very easily", "durability"),
            ("ne tient pas la charge", "battery"),
        ];
        for (text, code) in cases {
            assert!(
                codes(text, false).contains(code),
                "{text}: {:?}",
                codes(text, false)
            );
        }
    }

    #[test]
    fn negated_and_positive_mentions_are_not_issues() {
        assert!(codes("No smell at all", false).is_empty());
        assert!(codes("The battery life is great", false).is_empty());
        assert!(codes("Kein Geruch", false).is_empty());
        assert_eq!(codes("The battery dies fast", true), vec!["battery"]);
        // Lasting and arriving in time are no complaints.
        assert!(codes("Me ha durado años", false).is_empty());
        assert!(codes("No tardó nada en llegar", false).is_empty());
        // The price as the measure of value, in a sentence that complains of the lid.
        assert!(!codes("Decent for the price but the lid is loose", true).contains(&"price_value"));
        assert_eq!(codes("The price is a joke", true), vec!["price_value"]);
        // Only the price is framed so: "for the battery" still names the battery.
        assert_eq!(
            codes("I bought it for the battery, which is awful", true),
            vec!["battery"]
        );
        // What a film lacks is no missing part; a missing screw is.
        assert!(codes("Leider fehlt dem Film der Bezug zum Buch", true).is_empty());
        assert!(codes("Es fehlt an Spannung", true).is_empty());
        assert_eq!(
            codes("Es fehlten zwei Schrauben", true),
            vec!["missing_parts"]
        );
    }

    #[test]
    fn resolved_hypothetical_and_praised_problems_are_no_issue() {
        for text in [
            "no more rattle",
            "no more rattling on the motorway",
            "keine probleme mehr mit klappern",
            "plus de fuite depuis",
            "ya no hace ruido",
            "fits perfectly",
            "perfekte passform",
            "calza perfettamente",
            "encaja perfectamente en el hueco",
            "saves buying expensive lithium batteries",
            "it prevents overheating",
            "schützt zuverlässig vor kratzern",
            "in case it breaks i have a spare",
            "falls es kaputt geht, gibt es garantie",
            "my old case cracked after a month",
            "some reviews said it leaks, mine is fine",
            "leak-proof lid",
            "good value for the price",
            "great sound quality",
        ] {
            assert!(
                codes(text, true).is_empty(),
                "{text}: {:?}",
                codes(text, true)
            );
        }
        // Praise that is itself negated is no praise.
        assert_eq!(
            codes("the speakers are not the high quality i expected", true),
            vec!["quality"]
        );
        // A cue that carries its own negator is not cancelled by the one before it.
        assert!(codes("pas montable sans notice", true).contains(&"instructions"));
        // Going without is not a resolution: "no longer works" is a defect.
        assert_eq!(codes("it no longer works", true), vec!["defective"]);
        assert_eq!(codes("ya no funciona", true), vec!["defective"]);
    }

    #[test]
    fn kinds_of_complaint_in_five_languages() {
        let cases: &[(&str, &str)] = &[
            ("the corners cracked after two weeks", "durability"),
            ("die hülle ist nach kurzer zeit gerissen", "durability"),
            (
                "die schutzfolie löst sich schon nach einem tag ab",
                "durability",
            ),
            ("la coque s'est fissurée", "durability"),
            ("la cover si è crepata", "durability"),
            ("la funda se ha agrietado", "durability"),
            ("the case turned yellow", "durability"),
            ("die hülle wird klebrig", "durability"),
            ("la coque a jauni", "durability"),
            ("la funda tiene fugas", "leaks"),
            ("wasser dringt ein", "leaks"),
            ("no realiza su función", "defective"),
            ("not effective at all", "defective"),
            ("bringt überhaupt nichts", "defective"),
            ("non serve a niente", "defective"),
            ("doesn't fit my iphone 14", "compatibility"),
            ("passt nicht auf mein samsung galaxy s21", "compatibility"),
            ("ne va pas sur mon iphone", "compatibility"),
            ("not big enough for my head", "size_fit"),
            ("pas assez grand pour les grandes pointures", "size_fit"),
            ("they are way too thin", "quality"),
            ("poorly assembled", "quality"),
            ("the magnets are too weak", "quality"),
            ("smells strongly of old cigarettes", "smell"),
            (
                "i ordered gold but received a black one",
                "not_as_described",
            ),
            (
                "la couleur ne semble pas correspondre à la photo",
                "not_as_described",
            ),
            ("i received only one lock", "missing_parts"),
            ("can't return it", "customer_service"),
            ("a bit pricey", "price_value"),
            ("the cutouts are very sharp", "safety"),
            ("no se logra limpiar", "usability"),
            ("when i opened the box it was cracked", "damaged_on_arrival"),
        ];
        for (text, code) in cases {
            assert!(
                codes(text, false).contains(code),
                "{text}: {:?}",
                codes(text, false)
            );
        }
    }

    /// Each code in each language, phrased as customers do (inflections, word order, synonyms):
    /// written for 1.9 from the kinds of miss, not from the labelled reviews.
    #[test]
    fn everyday_complaints_of_each_code_in_five_languages() {
        let cases: &[(&str, &str)] = &[
            ("The case cracked at the corner after a month.", "durability"),
            ("After two weeks the strap snapped.", "durability"),
            ("The hinge broke off within days.", "durability"),
            ("The clear case turned yellow after a few weeks.", "durability"),
            ("It yellowed very quickly.", "durability"),
            ("The coating started peeling off.", "durability"),
            ("The stitching came apart after a week.", "durability"),
            ("Die Hülle ist nach zwei Wochen gebrochen.", "durability"),
            ("Die Hülle hat nach kurzer Zeit Risse bekommen.", "durability"),
            ("Nach drei Wochen ist die Hülle vergilbt.", "durability"),
            ("Der Griff ist nach einer Woche abgebrochen.", "durability"),
            ("Die Naht ist aufgegangen.", "durability"),
            ("Das Leder löst sich schon ab.", "durability"),
            ("La coque s'est cassée au bout d'un mois.", "durability"),
            ("La coque est devenue jaune en quelques semaines.", "durability"),
            ("Le fermoir a lâché au bout de deux semaines.", "durability"),
            ("La cover si è rotta dopo un mese.", "durability"),
            ("La custodia è diventata gialla dopo poco tempo.", "durability"),
            ("Dopo due settimane si è staccato il gancio.", "durability"),
            ("La funda se rompió al mes.", "durability"),
            ("La funda se ha vuelto amarilla en pocas semanas.", "durability"),
            ("Se ha roto la cremallera a la semana.", "durability"),
            ("Het hoesje is na een week gescheurd.", "durability"),
            ("The collar is way too small for my dog.", "size_fit"),
            ("The harness was too big even on the smallest setting.", "size_fit"),
            ("The lid does not fit the jar properly.", "size_fit"),
            ("Das Halsband ist viel zu klein.", "size_fit"),
            ("Die Größe stimmt nicht, viel zu groß.", "size_fit"),
            ("Le harnais est beaucoup trop grand.", "size_fit"),
            ("Il collare è troppo piccolo.", "size_fit"),
            ("El arnés es demasiado grande.", "size_fit"),
            ("Me queda muy pequeño.", "size_fit"),
            ("It doesn't fit my Galaxy S21 at all.", "compatibility"),
            ("Does not fit the iPhone 13 Pro, the camera hole is in the wrong place.", "compatibility"),
            ("Passt nicht auf das iPhone 12.", "compatibility"),
            ("Die Hülle passt nicht für das Samsung A52.", "compatibility"),
            ("Ne convient pas pour l'iPhone 12 mini.", "compatibility"),
            ("Non è adatta al Samsung S20.", "compatibility"),
            ("No es compatible con el Galaxy A52.", "compatibility"),
            ("No vale para el iPhone 12.", "compatibility"),
            ("Past niet op mijn telefoon.", "compatibility"),
            ("The material feels very cheap.", "quality"),
            ("Cheap plastic that feels like it will break.", "quality"),
            ("The print quality is poor and blurry.", "quality"),
            ("The colors are faded and washed out.", "quality"),
            ("Das Material ist sehr dünn und billig.", "quality"),
            ("Die Verarbeitung ist mangelhaft.", "quality"),
            ("Qualität ist leider sehr schlecht.", "quality"),
            ("Le matériau fait très cheap.", "quality"),
            ("La qualité est vraiment médiocre.", "quality"),
            ("Il materiale è molto economico.", "quality"),
            ("Qualità pessima.", "quality"),
            ("El material es muy malo.", "quality"),
            ("La calidad deja mucho que desear.", "quality"),
            ("Slechte kwaliteit.", "quality"),
            ("It doesn't work at all.", "defective"),
            ("Stopped working after a week.", "defective"),
            ("The light won't turn on.", "defective"),
            ("The zipper does not close.", "defective"),
            ("Funktioniert überhaupt nicht.", "defective"),
            ("Das Licht geht nicht mehr an.", "defective"),
            ("Ne fonctionne pas du tout.", "defective"),
            ("Non funziona per niente.", "defective"),
            ("No funciona nada.", "defective"),
            ("Werkt niet.", "defective"),
            ("The bottle leaks everywhere.", "leaks"),
            ("Water leaks out of the lid.", "leaks"),
            ("Die Flasche ist nicht dicht.", "leaks"),
            ("Die Flasche leckt.", "leaks"),
            ("La bouteille fuit.", "leaks"),
            ("La botella pierde agua.", "leaks"),
            ("La botella gotea.", "leaks"),
            ("It has a strong chemical smell.", "smell"),
            ("Es riecht extrem nach Chemie.", "smell"),
            ("Ça sent très mauvais le plastique.", "smell"),
            ("Ha un odore fortissimo di plastica.", "smell"),
            ("Tiene un olor muy fuerte a plástico.", "smell"),
            ("Very difficult to put the case on.", "usability"),
            ("The case is hard to take off.", "usability"),
            ("Sehr schwer anzubringen.", "usability"),
            ("Die Hülle lässt sich kaum abnehmen.", "usability"),
            ("Très difficile à mettre.", "usability"),
            ("Difficile da montare.", "usability"),
            ("Muy difícil de poner.", "usability"),
            ("Es difícil de abrir.", "usability"),
            ("One of the screws was missing.", "missing_parts"),
            ("Es fehlte eine Schraube.", "missing_parts"),
            ("Il manquait une pièce.", "missing_parts"),
            ("Mancava un pezzo.", "missing_parts"),
            ("Faltaba una pieza.", "missing_parts"),
            ("It arrived broken.", "damaged_on_arrival"),
            ("The glass was shattered when it arrived.", "damaged_on_arrival"),
            ("Kam kaputt an.", "damaged_on_arrival"),
            ("Arrivé cassé.", "damaged_on_arrival"),
            ("È arrivato rotto.", "damaged_on_arrival"),
            ("Llegó roto.", "damaged_on_arrival"),
            ("The colour is completely different from the picture.", "not_as_described"),
            ("Looks nothing like the photo.", "not_as_described"),
            ("Die Farbe ist ganz anders als auf dem Foto.", "not_as_described"),
            ("La couleur n'a rien à voir avec la photo.", "not_as_described"),
            ("Il colore è diverso dalla foto.", "not_as_described"),
            ("El color no es el de la foto.", "not_as_described"),
            ("El color es diferente al de la foto.", "not_as_described"),
            ("The size is not as stated in the description.", "not_as_described"),
            ("It makes a loud rattling noise.", "noise"),
            ("Es klappert.", "noise"),
            ("Ça fait du bruit.", "noise"),
            ("Fa rumore.", "noise"),
            ("Hace ruido.", "noise"),
            ("The battery dies after an hour.", "battery"),
            ("Der Akku ist nach einer Stunde leer.", "battery"),
            ("La batterie ne dure pas.", "battery"),
            ("La batteria dura pochissimo.", "battery"),
            ("La batería dura muy poco.", "battery"),
            ("I returned it and never got a refund.", "customer_service"),
            ("The seller never answered my emails.", "customer_service"),
            ("Der Verkäufer antwortet nicht.", "customer_service"),
            ("Le vendeur ne répond pas.", "customer_service"),
            ("Il venditore non risponde.", "customer_service"),
            ("El vendedor no contesta.", "customer_service"),
            ("It took three weeks to arrive.", "delivery"),
            ("Lieferung hat ewig gedauert.", "delivery"),
            ("La livraison a pris trois semaines.", "delivery"),
            ("La consegna è stata lentissima.", "delivery"),
            ("El envío tardó un mes.", "delivery"),
            ("Way too expensive for what it is.", "price_value"),
            ("Viel zu teuer für das, was es ist.", "price_value"),
            ("Beaucoup trop cher pour ce que c'est.", "price_value"),
            ("Troppo caro per quello che è.", "price_value"),
            ("Demasiado caro para lo que es.", "price_value"),
            ("The edges are sharp and cut my finger.", "safety"),
            ("It got very hot and almost caught fire.", "safety"),
            ("Die Kanten sind scharf.", "safety"),
            ("Les bords sont coupants.", "safety"),
            ("I bordi sono taglienti.", "safety"),
            ("Los bordes cortan.", "safety"),
            ("No instructions included.", "instructions"),
            ("Die Anleitung ist unverständlich.", "instructions"),
            ("La notice est incompréhensible.", "instructions"),
            ("Le istruzioni non sono chiare.", "instructions"),
            ("Las instrucciones no son claras.", "instructions"),
            ("Not good quality at all.", "quality"),
            ("The quality is not good.", "quality"),
            ("The material is thin and cheap.", "quality"),
            ("Much thinner than I expected.", "quality"),
            ("It feels like a dollar store item.", "quality"),
            ("Very cheaply made.", "quality"),
            ("Cheaply constructed and badly finished.", "quality"),
            ("The quality just isn't there.", "quality"),
            ("Total junk.", "quality"),
            ("This is garbage.", "quality"),
            ("The stitching is sloppy.", "quality"),
            ("Die Qualität ist nicht gut.", "quality"),
            ("Nicht die beste Qualität.", "quality"),
            ("Die Qualität lässt zu wünschen übrig.", "quality"),
            ("Qualitativ leider enttäuschend.", "quality"),
            ("Billige Qualität.", "quality"),
            ("Das Material fühlt sich billig an.", "quality"),
            ("Sehr dünnes Material.", "quality"),
            ("Die Qualität hat mich nicht überzeugt.", "quality"),
            ("La qualité n'est pas au rendez-vous.", "quality"),
            ("Qualité très moyenne.", "quality"),
            ("Matière de mauvaise qualité.", "quality"),
            ("Le plastique fait cheap.", "quality"),
            ("La qualità non è delle migliori.", "quality"),
            ("Qualità scarsa.", "quality"),
            ("Materiale di bassa qualità.", "quality"),
            ("Sembra di plastica economica.", "quality"),
            ("La calidad no es buena.", "quality"),
            ("No es de buena calidad.", "quality"),
            ("El material no es bueno.", "quality"),
            ("Calidad muy justa.", "quality"),
            ("Parece de juguete.", "quality"),
            ("Es de plástico barato.", "quality"),
            ("The paint chipped off after a week.", "durability"),
            ("The color rubs off on my hands.", "durability"),
            ("Faded after a few washes.", "durability"),
            ("The velcro stopped sticking.", "durability"),
            ("It fell apart after two uses.", "durability"),
            ("Already falling apart.", "durability"),
            ("The handle came off.", "durability"),
            ("Die Farbe blättert ab.", "durability"),
            ("Die Farbe ist nach dem ersten Waschen verblasst.", "durability"),
            ("Nach einer Woche schon kaputt.", "durability"),
            ("Ist nach kurzer Zeit auseinandergefallen.", "durability"),
            ("Der Kleber hält nicht mehr.", "durability"),
            ("Hat nicht lange gehalten.", "durability"),
            ("Hält nicht lange.", "durability"),
            ("La peinture s'écaille.", "durability"),
            ("N'a pas tenu longtemps.", "durability"),
            ("Ne tient pas dans le temps.", "durability"),
            ("S'est abîmé très vite.", "durability"),
            ("Déjà usé après un mois.", "durability"),
            ("Si è rovinata subito.", "durability"),
            ("Non è durata neanche un mese.", "durability"),
            ("Dopo una settimana era già rotto.", "durability"),
            ("Si è scolorito dopo il primo lavaggio.", "durability"),
            ("Se despinta con facilidad.", "durability"),
            ("No ha durado ni un mes.", "durability"),
            ("A los dos días ya estaba roto.", "durability"),
            ("Se ha desgastado muy rápido.", "durability"),
            ("Se descolorió al lavarlo.", "durability"),
            ("It does not do what it says.", "defective"),
            ("Did not work for me.", "defective"),
            ("It never worked.", "defective"),
            ("Completely useless, does nothing.", "defective"),
            ("The product simply doesn't work.", "defective"),
            ("Funktioniert leider gar nicht.", "defective"),
            ("Hat bei mir nicht funktioniert.", "defective"),
            ("Erfüllt seinen Zweck nicht.", "defective"),
            ("N'a jamais fonctionné.", "defective"),
            ("Ne marche pas.", "defective"),
            ("Ça ne sert à rien.", "defective"),
            ("Non ha mai funzionato.", "defective"),
            ("Non funziona bene.", "defective"),
            ("No funciona bien.", "defective"),
            ("Nunca ha funcionado.", "defective"),
            ("No sirve para nada.", "defective"),
            ("The color is not the same as in the picture.", "not_as_described"),
            ("Much smaller than it looks in the pictures.", "not_as_described"),
            ("It's not the same as the picture.", "not_as_described"),
            ("Colour is darker than shown.", "not_as_described"),
            ("Die Farbe entspricht nicht dem Bild.", "not_as_described"),
            ("Die Farbe ist dunkler als auf dem Bild.", "not_as_described"),
            ("Nicht wie auf dem Foto.", "not_as_described"),
            ("Ne ressemble pas à la photo.", "not_as_described"),
            ("La couleur est plus foncée que sur la photo.", "not_as_described"),
            ("Non corrisponde alla foto.", "not_as_described"),
            ("Il colore non è quello della foto.", "not_as_described"),
            ("No se parece a la foto.", "not_as_described"),
            ("El color es más oscuro que en la foto.", "not_as_described"),
            ("Awkward to use.", "usability"),
            ("Not easy to use.", "usability"),
            ("Very fiddly.", "usability"),
            ("Sehr fummelig.", "usability"),
            ("Unpraktisch.", "usability"),
            ("Nicht praktisch.", "usability"),
            ("Pas pratique du tout.", "usability"),
            ("Compliqué à installer.", "usability"),
            ("Poco pratico.", "usability"),
            ("Scomodo da usare.", "usability"),
            ("Poco práctico.", "usability"),
            ("Nada práctico.", "usability"),
            ("Complicado de montar.", "usability"),
            ("Not worth the money.", "price_value"),
            ("Overpriced for what you get.", "price_value"),
            ("Das Geld nicht wert.", "price_value"),
            ("Viel zu teuer.", "price_value"),
            ("Ne vaut pas son prix.", "price_value"),
            ("Non vale i soldi spesi.", "price_value"),
            ("No vale lo que cuesta.", "price_value"),
            ("Dinero tirado a la basura.", "price_value"),
            ("They are too short.", "size_fit"),
            ("Smaller than expected.", "size_fit"),
            ("Kleiner als erwartet.", "size_fit"),
            ("Plus petit que prévu.", "size_fit"),
            ("Più piccolo del previsto.", "size_fit"),
            ("Más pequeño de lo esperado.", "size_fit"),
            ("The camera cutout doesn't line up.", "compatibility"),
            ("Die Kameraöffnung passt nicht.", "compatibility"),
            ("Les boutons ne sont pas alignés.", "compatibility"),
            ("I really wanted to like this case. It looked great at first, but after two weeks the corners started to crack.", "durability"),
            ("Like other reviewers mentioned, the clear case turns yellow within weeks.", "durability"),
            ("As others have said, the strap broke after a few days.", "durability"),
            ("As other reviews say, the quality is terrible.", "quality"),
            ("Wie andere schon geschrieben haben, vergilbt die Hülle sehr schnell.", "durability"),
            ("Comme d'autres l'ont dit, la coque jaunit vite.", "durability"),
            ("Come scritto da altri, la cover ingiallisce subito.", "durability"),
            ("Como dicen otras opiniones, la funda amarillea enseguida.", "durability"),
            ("I thought it would be sturdier, but the plastic snapped the first time I dropped it.", "durability"),
            ("I expected better quality for the price.", "quality"),
            ("Ich hatte eine bessere Qualität erwartet.", "quality"),
            ("Je m'attendais à une meilleure qualité.", "quality"),
            ("Mi aspettavo una qualità migliore.", "quality"),
            ("Esperaba mejor calidad.", "quality"),
            ("I bought this to replace my old case, but this one cracked within a month.", "durability"),
            ("Looks nice but the material feels really cheap.", "quality"),
            ("Sieht schön aus, aber nach einem Monat ist die Hülle an den Ecken gerissen.", "durability"),
            ("Bonne protection mais elle s'est fendue au bout de trois semaines.", "durability"),
            ("Bella ma la qualità è scarsa.", "quality"),
            ("Bonita, pero la calidad es bastante mala.", "quality"),
            ("Nice design, however it's too small for my dog.", "size_fit"),
            ("The product arrived on time but it does not work.", "defective"),
            ("Nach zwei Monaten löst sich die Beschichtung.", "durability"),
            ("Au bout d'un mois, le revêtement se décolle.", "durability"),
            ("Dopo un mese il rivestimento si stacca.", "durability"),
            ("Al mes se despegó el revestimiento.", "durability"),
            ("I ordered the black one but got a blue one.", "not_as_described"),
            ("Ich habe schwarz bestellt und blau bekommen.", "not_as_described"),
            ("It doesn't keep the coffee hot.", "defective"),
            ("Doesn't stay cold for more than ten minutes.", "defective"),
            ("It does not stay in place.", "defective"),
            ("Hält nicht an der Wand.", "defective"),
            ("Ne reste pas en place.", "defective"),
            ("Non sta al suo posto.", "defective"),
            ("No se queda en su sitio.", "defective"),
            ("The seeds never germinated.", "defective"),
            ("Nothing grew.", "defective"),
            ("It does not cut at all.", "defective"),
            ("Schneidet überhaupt nicht.", "defective"),
            ("Ne coupe pas.", "defective"),
            ("Non taglia.", "defective"),
            ("No corta nada.", "defective"),
            ("It doesn't clean well.", "defective"),
            ("It didn't keep the flies away.", "defective"),
            ("Hält die Mücken nicht fern.", "defective"),
            ("Der Reißverschluss klemmt.", "defective"),
            ("La fermeture éclair ne ferme pas.", "defective"),
            ("La cerniera non chiude.", "defective"),
            ("La cremallera no cierra.", "defective"),
            ("The knife is dull.", "quality"),
            ("The blades are blunt.", "quality"),
            ("Das Messer ist stumpf.", "quality"),
            ("Les lames ne coupent pas bien, elles sont émoussées.", "quality"),
            ("The dog chewed through it in five minutes.", "durability"),
            ("My dog destroyed it within a day.", "durability"),
            ("Mein Hund hat es in zwei Minuten zerlegt.", "durability"),
            ("Mon chien l'a détruit en une journée.", "durability"),
            ("Il mio cane l'ha distrutto in un giorno.", "durability"),
            ("Mi perro lo destrozó en un día.", "durability"),
            ("The lenses scratch very easily.", "durability"),
            ("Die Gläser verkratzen sehr schnell.", "durability"),
            ("Les verres se rayent facilement.", "durability"),
            ("Le lenti si graffiano facilmente.", "durability"),
            ("Los cristales se rayan con facilidad.", "durability"),
            ("The lenses distort everything.", "quality"),
            ("Die Gläser sind verzerrt.", "quality"),
            ("The straps are too short to go around.", "size_fit"),
            ("The cover is too tight to zip.", "size_fit"),
            ("The lid is very hard to unscrew.", "usability"),
            ("Der Deckel lässt sich schwer aufschrauben.", "usability"),
            ("Le couvercle est difficile à dévisser.", "usability"),
            ("Il tappo è difficile da svitare.", "usability"),
            ("La tapa es difícil de desenroscar.", "usability"),
            ("Cleaning it is a nightmare.", "usability"),
            ("Die Reinigung ist mühsam.", "usability"),
            ("Le nettoyage est une galère.", "usability"),
            ("La pulizia è un incubo.", "usability"),
            ("Limpiarlo es una pesadilla.", "usability"),
            ("Materiale scadente, sembra plastica da due soldi.", "quality"),
            ("Qualità bassissima.", "quality"),
            ("Fatto molto male.", "quality"),
            ("La qualità non è buona.", "quality"),
            ("Prodotto di scarsa qualità.", "quality"),
            ("Plastica sottile e fragile.", "quality"),
            ("Si è rotto dopo due giorni.", "durability"),
            ("Dopo una settimana si è già rotto.", "durability"),
            ("Si è staccata la colla.", "durability"),
            ("La cover si è ingiallita in poco tempo.", "durability"),
            ("Si è spezzato al primo utilizzo.", "durability"),
            ("Si è bucato subito.", "durability"),
            ("Si sono staccati i bottoni.", "durability"),
            ("Non funziona più dopo una settimana.", "defective"),
            ("Non ha mai funzionato bene.", "defective"),
            ("Non fa il suo lavoro.", "defective"),
            ("È troppo stretto.", "size_fit"),
            ("Taglia piccola, prendete una taglia in più.", "size_fit"),
            ("Non copre bene il telefono.", "size_fit"),
            ("Il colore è diverso da quello in foto.", "not_as_described"),
            ("Non è come nelle foto.", "not_as_described"),
            ("Difficile da pulire.", "usability"),
            ("Scomodo da indossare.", "usability"),
            ("Troppo costoso per quello che offre.", "price_value"),
            ("Prezzo eccessivo.", "price_value"),
            ("Die Qualität ist miserabel.", "quality"),
            ("Sehr minderwertige Verarbeitung.", "quality"),
            ("Billig verarbeitet und wackelig.", "quality"),
            ("Das Plastik wirkt billig.", "quality"),
            ("Fühlt sich sehr billig an.", "quality"),
            ("Das Material ist sehr dünn.", "quality"),
            ("Nach zwei Wochen gerissen.", "durability"),
            ("Ist schon nach einer Woche kaputt gegangen.", "durability"),
            ("Die Hülle ist an den Ecken gebrochen.", "durability"),
            ("Hat sich nach kurzer Zeit verfärbt.", "durability"),
            ("Die Farbe geht ab.", "durability"),
            ("Löst sich nach ein paar Tagen.", "durability"),
            ("Der Klettverschluss hält nicht mehr.", "durability"),
            ("Nach einem Monat ausgeleiert.", "durability"),
            ("Funktioniert nach einer Woche nicht mehr.", "defective"),
            ("Hat seinen Zweck nicht erfüllt.", "defective"),
            ("Tut nicht, was es soll.", "defective"),
            ("Fällt sehr klein aus.", "size_fit"),
            ("Viel zu groß für meinen Hund.", "size_fit"),
            ("Deckt das Display nicht vollständig ab.", "size_fit"),
            ("Entspricht nicht der Beschreibung.", "not_as_described"),
            ("Die Farbe ist anders als auf dem Bild.", "not_as_described"),
            ("Die Bedienung ist umständlich.", "usability"),
            ("Schwer zu reinigen.", "usability"),
            ("Für den Preis eine Frechheit.", "price_value"),
            ("Preis-Leistung stimmt nicht.", "price_value"),
        ];
        let missed: Vec<_> = cases
            .iter()
            .filter(|(text, code)| !codes(text, true).contains(code))
            .collect();
        assert!(missed.is_empty(), "{missed:?}");
    }

    /// The same words negated ("hasn't yellowed"), praised or about another product: no cue fires.
    #[test]
    fn everyday_praise_and_negated_problems_are_no_issue() {
        for text in [
            // The other product named more than 60 characters before the match.
            "Sono passata da un cassetto in legno a questo in quanto quello che avevo da anni si è rotto.",
            "Sono passata da un cassetto di legno a questo perché il vecchio si è rotto.",
            "I switched from a cheaper brand that cracked within a month.",
            "Die Originale waren doppelt so teuer.",
            "Fits perfectly and has not turned yellow after six months.",
            "Still hasn't yellowed, very happy.",
            "Nach einem Jahr noch nicht vergilbt.",
            "Ist auch nach Monaten nicht gelb geworden.",
            "N'a pas jauni après 6 mois.",
            "Non è diventata gialla dopo mesi.",
            "No se ha puesto amarilla.",
            "Not hard to put on at all.",
            "Easy to put on and take off.",
            "Leicht anzubringen und abzunehmen.",
            "Lässt sich leicht anbringen.",
            "The bottle does not leak at all.",
            "Die Flasche ist absolut dicht.",
            "Völlig dicht, nichts läuft aus.",
            "La bouteille est parfaitement étanche.",
            "No smell at all, unlike other cases.",
            "Kein unangenehmer Geruch.",
            "Aucune mauvaise odeur.",
            "Nessun odore sgradevole.",
            "No tiene ningún olor fuerte.",
            "Arrived quickly and well packaged.",
            "The colours are vibrant and not faded.",
            "Shipping took only two days.",
            "The edges are smooth, not sharp at all.",
            "Great case, fits my Galaxy S21 perfectly.",
            "Passt perfekt auf mein iPhone 12.",
            "Le queda perfecto a mi perro.",
            "The instructions are clear and easy to follow.",
            "Die Anleitung ist klar und verständlich.",
            "Great value for the money.",
            "Sehr gute Qualität, kann ich empfehlen.",
            "Qualità ottima, consigliato.",
            "Excelente calidad, muy contenta.",
            "Ça ne fait pas de bruit.",
            "Non fa rumore.",
            "The battery lasts all day.",
            "The zipper does not snag and closes smoothly.",
            "My old case turned yellow, this one has not.",
            "Hält bombenfest und ist absolut wasserdicht.",
            "The clip doesn't open by accident, which I love.",
            "Keeps my drinks cold all day long.",
            "Stays in place perfectly.",
            "Schneidet super und liegt gut in der Hand.",
            "Hält die Mücken zuverlässig fern.",
            "Keeps the flies away, great product.",
            "The dog hasn't destroyed it yet after months of use.",
            "Not hard to unscrew at all.",
            "Easy to clean and not a hassle to wash.",
            "Hard to beat at this price.",
            "Lässt sich leicht reinigen.",
            "Il tappo non è difficile da svitare.",
            "No corta la circulación, muy cómodo.",
            "The seeds germinated within a week and grew fast.",
            "Il est difficile de trouver mieux.",
        ] {
            assert!(
                codes(text, false).is_empty(),
                "{text}: {:?}",
                codes(text, false)
            );
        }
    }
}
