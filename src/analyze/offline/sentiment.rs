//! Lexicon sentiment with the rules that make VADER work: negation flips and damps a word, boosters
//! strengthen it, and after a contrast word ("but", "aber", "mais", "ma", "pero") the clause counts more.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::lexicon::{Lexicons, LANGS};

/// A word list asked about every token, as a set: scanning the negators and function verbs (about
/// 90 and 100 words) for each token was about 3 % of a full analyze.
type WordSet = LazyLock<FxHashSet<&'static str>>;
static NEGATOR_SET: WordSet = LazyLock::new(|| NEGATORS.iter().copied().collect());
static FUNCTION_VERB_SET: WordSet = LazyLock::new(|| FUNCTION_VERBS.iter().copied().collect());
static BOOSTER_SET: WordSet = LazyLock::new(|| BOOSTERS.iter().copied().collect());

/// VADER's scale: word valences are on -4..4, and a sum `x` maps to `x / sqrt(x² + ALPHA)`.
pub const SCALE: f64 = 4.0;
const ALPHA: f64 = 15.0;
const NEGATION: f64 = -0.74;
const BOOST: f64 = 1.3;
/// What capitals add to a word's valence (VADER's `C_INCR`).
const CAPS_EMPHASIS: f64 = 0.733;
/// Negative words count 1.5×: people praise with more words than they blame, even in complaints,
/// so plain sums lean positive (the "negative weighting" of SO-CAL, Taboada et al. 2011).
const NEGATIVE_WEIGHT: f64 = 1.5;

/// Words that flip the words after them, "zero" and "null" included ("zero problems", "null
/// Spannung").
const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "nor", "neither", "without", "hardly", "cannot", "none",
    "nobody", "nowhere", "nope", "kein", "keine", "keinen", "keinem", "keiner", "nicht", "nie",
    "niemals", "ohne", "nichts", "pas", "jamais", "rien", "sans", "aucun", "aucune", "non", "mai",
    "senza", "nessun", "nessuna", "alcun", "alcuna", "niente", "nulla", "nunca", "sin", "nada",
    "tampoco", "ningún", "ninguna", "nix", "zero", "null", "cero", "zéro",
    // Dutch, Polish, Swedish.
    "niet", "geen", "nooit", "niets", "nigdy", "żaden", "żadna", "żadne", "żadnych", "bez", "inte",
    "ej", "aldrig", "ingen", "inget", "inga", "utan",
    // "Neither … nor": "weder … noch", "ni … ni", "né … né".
    "weder", "ni", "né",
    // "Barely works", "kaum zu gebrauchen", "funziona a malapena" (not Spanish "apenas", as often
    // "only": "se rompió con apenas un mes").
    "barely", "scarcely", "kaum", "malapena",
    // Contractions typed without the apostrophe, as VADER lists them.
    "cant", "dont", "doesnt", "didnt", "wont", "isnt", "wasnt", "arent", "werent", "couldnt",
    "wouldnt", "shouldnt", "aint", "havent", "hasnt", "hadnt",
];

/// Verbs of a product doing its job: negated, they report a malfunction ("doesn't charge", "lädt
/// nicht", "ne tient pas", "non carica", "no enciende") even without a sentiment word.
const FUNCTION_VERBS: &[&str] = &[
    "work",
    "works",
    "worked",
    "working",
    "install",
    "installs",
    "installed",
    "find",
    "finds",
    "detect",
    "detects",
    "read",
    "reads",
    "open",
    "opens",
    "close",
    "closes",
    "pair",
    "pairs",
    "sync",
    "syncs",
    "print",
    "prints",
    "heat",
    "heats",
    "chauffe",
    "calienta",
    "scalda",
    "heizt",
    "wärmt",
    "lock",
    "locks",
    "erkennt",
    "schließt",
    "öffnet",
    "detecta",
    "reconoce",
    "cierra",
    "abre",
    "reconnaît",
    "détecte",
    "ferme",
    "riconosce",
    "rileva",
    "chiude",
    "apre",
    "charge",
    "charges",
    "charging",
    "fit",
    "fits",
    "hold",
    "holds",
    "connect",
    "connects",
    "stay",
    "stays",
    "last",
    "lasts",
    "lasted",
    "turn",
    "turns",
    "respond",
    "responds",
    "recognize",
    "recognizes",
    "answer",
    "answers",
    "load",
    "loads",
    "play",
    "plays",
    "seal",
    "seals",
    "stick",
    "sticks",
    "funktioniert",
    "funktionieren",
    "passt",
    "hält",
    "lädt",
    "hält",
    "klebt",
    "fonctionne",
    "marche",
    "tient",
    "charge",
    "colle",
    "s'allume",
    "funziona",
    "tiene",
    "carica",
    "attacca",
    "si accende",
    "funciona",
    "sirve",
    "carga",
    "enciende",
    "encaja",
    "pega",
    "aguanta",
    "werkt",
    "działa",
    "działają",
    "fungerar",
    "funkar",
];
/// German verbs of liking and recommending, which "nicht" follows ("gefällt mir nicht", "taugt
/// nichts"), and their Dutch and Swedish kin ("werkt niet", "fungerar inte").
const POST_NEGATED: &[&str] = &[
    "bringt",
    "gefällt",
    "gefiel",
    "gefallen",
    "mag",
    "mochte",
    "lohnt",
    "überzeugt",
    "überzeugte",
    "empfehle",
    "empfehlen",
    "begeistert",
    "taugt",
    "hilft",
    "half",
    "hält",
    "funktioniert",
    "werkt",
    "bevalt",
    "fungerar",
    "funkar",
];

/// Verbs of lacking: a quality named after them is missing.
const LACK_VERBS: &[&str] = &[
    "lack",
    "lacks",
    "lacked",
    "lacking",
    "fehlt",
    "fehlen",
    "fehlte",
    "fehlten",
    "mangelt",
    "manque",
    "manquent",
    "manquait",
    "manca",
    "mancano",
    "mancava",
    "falta",
    "faltan",
    "faltaba",
    "carece",
    "vermissen",
    "vermisst",
    "vermisse",
];

/// Modal and conditional verbs: what follows them is wished, expected or supposed, not found.
pub(super) const IRREALIS: &[&str] = &[
    "would", "could", "should", "might", "hätte", "hätten", "wäre", "wären", "sollte", "sollten",
    "könnte", "könnten", "würde", "würden", "habría", "hubiera", "hubiese", "debería", "podría",
    "aurait", "auraient", "devrait", "pourrait", "avrebbe", "sarebbe", "dovrebbe", "potrebbe",
    "avrei", "sarei", "aurais", "serait", "sería",
];
/// Verbs of saying after a modal ("I should say", "I would add", "ich würde sagen", "je pourrais
/// dire"): the opinion that follows is the reviewer's own, not a wish.
const SAYING: &[&str] = &[
    "say",
    "admit",
    "add",
    "mention",
    "note",
    "confess",
    "sagen",
    "dire",
    "ajouter",
    "decir",
    "admitir",
    "reconocer",
];
/// Verbs of recommending and buying, which modals soften but do not block.
const RECOMMENDING: &[&str] = &[
    "recommend",
    "empfehl",
    "recomend",
    "recommand",
    "consigli",
    "buy",
];
/// Adverbs of regret that comment on a whole sentence.
const SENTENCE_ADVERBS: &[&str] = &[
    "unfortunately",
    "sadly",
    "leider",
    "malheureusement",
    "purtroppo",
    "lamentablemente",
    "desafortunadamente",
    "desgraciadamente",
];

/// German conjunctions that start a new clause: a "nicht" after them negates that clause's verb.
const CLAUSE_BREAKS: &[&str] = &[
    "und", "aber", "doch", "sondern", "weil", "dass", "denn", "obwohl", "oder", "wenn", "als",
];

/// Valence of "should have bought it sooner": the regret of the time without it, as strong as
/// "would buy again".
const WAITED: f64 = 0.6;
/// Valence of a negated function verb, on the -1..1 scale of the lexicons.
const MALFUNCTION: f64 = -0.5;

/// "poco útil", "peu pratique", "wenig stabil": not very. After an article ("un poco caro", "un
/// peu cher", "ein wenig laut") they mean "a little": see `is_dampened`.
const DIMINISHERS: &[&str] = &["poco", "poca", "pocos", "pocas", "peu", "wenig"];
const ARTICLES: &[&str] = &["un", "una", "ein", "eine", "a"];
const DIMINISH: f64 = -0.5;

const BOOSTERS: &[&str] = &[
    "pretty",
    "very",
    "really",
    "extremely",
    "so",
    "too",
    "super",
    "totally",
    "absolutely",
    "incredibly",
    "sehr",
    "wirklich",
    "total",
    "extrem",
    "echt",
    "absolut",
    "richtig",
    "recht",
    "ziemlich",
    "einfach",
    "wahnsinnig",
    "unheimlich",
    "très",
    "vraiment",
    "trop",
    "tellement",
    "molto",
    "davvero",
    "troppo",
    "veramente",
    "proprio",
    "muy",
    "realmente",
    "demasiado",
    "bastante",
    "zeer",
    "erg",
    "bardzo",
    "mycket",
];

/// English words that reviews in other languages use as they are.
const LOANWORDS: &[&str] = &[
    "super",
    "top",
    "ok",
    "okay",
    "cool",
    "nice",
    "perfect",
    "fake",
    "fail",
    "flop",
    "crap",
    "shit",
    "wow",
    "love",
    "happy",
    "sorry",
    "great",
    "best",
    "good",
    "easy",
    "awesome",
    "amazing",
    "excellent",
    "fantastic",
    "worst",
    "lol",
    "meh",
    "hype",
    "thanks",
    "like",
    "fun",
    "wtf",
];

pub(super) const CONTRAST: &[&str] = &[
    "but",
    "however",
    "aber",
    "jedoch",
    "allerdings",
    "mais",
    "cependant",
    "ma",
    "però",
    "pero",
    "maar",
    "ale",
    "peccato",
    "dommage",
    "lástima",
];

pub(super) fn is_negator(t: &str) -> bool {
    NEGATOR_SET.contains(t) || t.ends_with("n't")
}

/// "A bit", "etwas", "ein wenig", "un peu", "un poco", "un po'", "un pochino", "leicht": the word counts half
/// ("etwas lang" is a small complaint, "un poco caro" a mild one).
const DAMPENERS: &[&str] = &[
    "slightly",
    "somewhat",
    "etwas",
    "bisschen",
    "leicht",
    "légèrement",
    "leggermente",
    "ligeramente",
];
const DAMPEN: f64 = 0.5;

fn is_dampened(toks: &[String], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).map(|j| toks[j].as_str());
    DAMPENERS.contains(&before(1).unwrap_or(""))
        || (matches!(before(1), Some("bit" | "little")) && before(2) == Some("a"))
        || (matches!(before(1), Some("peu" | "poco" | "po" | "pochino" | "wenig"))
            && matches!(before(2), Some("un" | "una" | "ein")))
}

/// A diminisher one or two tokens before `i`, not itself after an article.
fn is_diminished(toks: &[String], i: usize) -> bool {
    (i.saturating_sub(2)..i).any(|d| {
        DIMINISHERS.contains(&toks[d].as_str())
            && (d == 0 || !ARTICLES.contains(&toks[d - 1].as_str()))
    })
}

/// What the rules make of one sentence.
pub struct SentenceValence {
    /// Valence sum of the sentence's tokens (VADER scale).
    pub sum: f64,
    /// Praise the rules found wished for or lacking ("could have been great", "lacks charm"): a
    /// bag-of-words model would read it as praise.
    pub praise_withheld: bool,
}

/// The valence of one sentence's tokens, looking words up in `langs` in order.
pub fn sentence_valence(
    lex: &Lexicons,
    langs: &[usize],
    toks: &[String],
    clauses: &[u16],
    shouted: &[bool],
) -> SentenceValence {
    let s = Sentence::new(lex, langs, toks, clauses, shouted);
    let mut praise_withheld = false;
    let mut vals: Vec<(usize, f64)> = Vec::new();
    // Where the words that may negate the current one start: a negator inside a phrase ("rien à
    // redire", "no complaints") belongs to that phrase, not to the words after it.
    let mut scope_start = 0;
    let mut i = 0;
    while i < toks.len() {
        let at = At {
            i,
            scope_start,
            clause_start: clause_start(clauses, i),
        };
        if let Some((len, v)) = s.phrase(i) {
            vals.push((i, s.phrase_valence(at, len, v)));
            i += len;
            scope_start = i;
            continue;
        }
        if !s.negates[i] {
            let (v, withheld) = s.word(at);
            praise_withheld |= withheld;
            if let Some(v) = v {
                vals.push((i, v));
            }
        }
        i += 1;
    }
    SentenceValence {
        sum: weighted_sum(&vals, contrast(toks)),
        praise_withheld,
    }
}

/// One sentence and what the rules read of it as a whole.
struct Sentence<'a> {
    lex: &'a Lexicons,
    langs: &'a [usize],
    toks: &'a [String],
    clauses: &'a [u16],
    shouted: &'a [bool],
    /// Per token: whether it negates the words after it.
    negates: Vec<bool>,
    /// French and Italian elide onto the next word.
    romance: bool,
    /// German, Dutch and Swedish put the negator after the verb.
    post_negating: bool,
    /// Another language's text borrows a few English words; the rest of the English list would
    /// read false friends ("die", "war", "kind", "ha") as sentiment.
    foreign: bool,
}

/// Where a token sits: its index, and where the words that may negate it start (after the last
/// phrase, within its clause).
#[derive(Clone, Copy)]
struct At {
    i: usize,
    scope_start: usize,
    clause_start: usize,
}

impl At {
    /// The first token of the `n` before this one that a rule may look at.
    #[inline]
    fn back(self, n: usize) -> usize {
        self.i
            .saturating_sub(n)
            .max(self.scope_start)
            .max(self.clause_start)
    }
}

/// A negator's reach ends with its clause ("gefällt mir nicht - nur belanglose Infos").
/// (Six words back is as far as any rule looks.)
#[inline]
fn clause_start(clauses: &[u16], i: usize) -> usize {
    (i.saturating_sub(6)..i)
        .rev()
        .take_while(|&j| clauses.get(j) == clauses.get(i))
        .last()
        .unwrap_or(i)
}

/// "Anything but easy" negates like "not easy"; that "but" is no contrast.
#[inline]
fn anything_but(toks: &[String], j: usize) -> bool {
    toks[j] == "but" && j > 0 && toks[j - 1] == "anything"
}

/// "Nothing but hassle", "nichts als Ärger": all hassle; that "nothing" negates nothing and that
/// "but" is no contrast.
#[inline]
fn nothing_but(toks: &[String], j: usize) -> bool {
    matches!(
        (toks[j].as_str(), toks.get(j + 1).map(String::as_str)),
        ("nothing", Some("but")) | ("nichts", Some("als"))
    )
}

#[inline]
fn but_after_nothing(toks: &[String], j: usize) -> bool {
    j > 0 && nothing_but(toks, j - 1)
}

/// Per token, whether it negates the words after it.
fn negators(toks: &[String], french: bool) -> Vec<bool> {
    (0..toks.len())
        .map(|j| {
            (is_negator(&toks[j]) && !nothing_but(toks, j))
                || (french && toks[j] == "ne")
                || anything_but(toks, j)
        })
        .collect()
}

/// French and Italian elide onto the next word ("l'adore", "n'aime", "dell'ottimo"): the word to
/// look up, and whether an elided "ne" negates it.
#[inline]
fn elide(raw: &str, romance: bool) -> (&str, bool) {
    match raw.find('\'') {
        Some(p) if romance && p <= 4 && p + 1 < raw.len() => (&raw[p + 1..], raw.starts_with("n'")),
        _ => (raw, false),
    }
}

/// A function verb needs the product as its subject: "I didn't read the manual", "we don't play
/// games on it" are about the owner ("I can't open it" still reports a fault).
#[inline]
fn owner_did(toks: &[String], i: usize) -> bool {
    (i.saturating_sub(3)..i).any(|j| {
        matches!(
            toks[j].as_str(),
            "don't" | "didn't" | "dont" | "didnt" | "never"
        ) && j > 0
            && matches!(toks[j - 1].as_str(), "i" | "we" | "you")
    })
}

/// The last contrast word, after which the clause counts more.
fn contrast(toks: &[String]) -> Option<usize> {
    (0..toks.len()).rev().find(|&j| {
        CONTRAST.contains(&toks[j].as_str())
            && !anything_but(toks, j)
            && !but_after_nothing(toks, j)
    })
}

/// The sentence's sum: negative words weigh more, and a clause after a contrast word outweighs
/// the one before it.
fn weighted_sum(vals: &[(usize, f64)], contrast: Option<usize>) -> f64 {
    vals.iter()
        .map(|&(pos, s)| (pos, if s < 0.0 { s * NEGATIVE_WEIGHT } else { s }))
        .map(|(pos, s)| match contrast {
            Some(c) if pos < c => s * 0.5,
            Some(_) => s * 1.5,
            None => s,
        })
        .sum()
}

impl<'a> Sentence<'a> {
    fn new(
        lex: &'a Lexicons,
        langs: &'a [usize],
        toks: &'a [String],
        clauses: &'a [u16],
        shouted: &'a [bool],
    ) -> Self {
        let first = langs.first().and_then(|&l| LANGS.get(l)).copied();
        let french = first == Some("fr");
        Sentence {
            lex,
            langs,
            toks,
            clauses,
            shouted,
            negates: negators(toks, french),
            romance: french || first == Some("it"),
            post_negating: matches!(first, Some("de" | "nl" | "sv")),
            foreign: first.is_some_and(|f| f != "en"),
        }
    }

    /// A negator among the `n` tokens before `at`, within its scope and clause.
    #[inline]
    fn negated_within(&self, at: At, n: usize) -> bool {
        self.negates[at.back(n).min(at.i)..at.i].contains(&true)
    }

    /// A phrase starting at `i`: its length in tokens and its valence.
    #[inline]
    fn phrase(&self, i: usize) -> Option<(usize, f64)> {
        std::iter::once(&self.lex.extra)
            .chain(self.langs.iter().filter_map(|&l| self.lex.by_lang.get(l)))
            .find_map(|l| l.phrase(&self.toks[i..]))
    }

    /// What a phrase of `len` tokens and valence `v` at `at` adds.
    fn phrase_valence(&self, at: At, len: usize, v: f64) -> f64 {
        let toks = self.toks;
        // "Should have bought it sooner": the regret is for the time without it, which is praise.
        let waited = matches!(toks[at.i].as_str(), "should" | "should've")
            && toks[at.i + len..]
                .iter()
                .any(|t| matches!(t.as_str(), "sooner" | "earlier" | "ago"));
        let v = if waited { WAITED } else { v };
        // "no vale la pena", "not worth the money": a phrase is negated like a word. One that
        // carries its own negator keeps it: "non ha nulla da invidiare", "no tiene nada que
        // envidiar" and "n'a rien à envier" negate once (negative concord).
        let negated = !self.negates[at.i] && self.negated_within(at, 3);
        v * SCALE * if negated { NEGATION } else { 1.0 }
    }

    /// What a token that is no negator adds: its valence, if any, and whether it is praise the
    /// rules found withheld.
    fn word(&self, at: At) -> (Option<f64>, bool) {
        let (t, elided_ne) = elide(self.toks[at.i].as_str(), self.romance);
        let negated_after = self.negated_after(t, at.i);
        // "Leider nichts Neues und leider …": a sentence adverb comments on the sentence and is
        // never negated.
        let negated = !SENTENCE_ADVERBS.contains(&t)
            && (elided_ne || negated_after || self.negated_within(at, 3));
        // A function verb needs its negator close: "doesn't install", not "don't need to install".
        let malfunction = FUNCTION_VERB_SET.contains(t)
            && !owner_did(self.toks, at.i)
            && (elided_ne || negated_after || self.negated_within(at, 2));
        if malfunction {
            return (Some(MALFUNCTION * SCALE), false);
        }
        match self.lookup(t).filter(|v| *v != 0.0) {
            Some(v) => self.judged(at, t, self.emphasised(v, at.i), negated),
            None => (None, false),
        }
    }

    /// German negates a verb after it: "gefällt mir nicht", "lohnt sich nicht". The "nicht" ends
    /// the clause, after objects and particles ("überzeugt mich leider überhaupt nicht"), so look
    /// up to five words on, but not past a conjunction. Dutch and Swedish do the same: "werkt
    /// niet", "fungerar inte".
    #[inline]
    fn negated_after(&self, t: &str, i: usize) -> bool {
        self.post_negating
            && POST_NEGATED.contains(&t)
            && self.toks[i + 1..(i + 6).min(self.toks.len())]
                .iter()
                .take_while(|n| !CLAUSE_BREAKS.contains(&n.as_str()))
                .any(|n| {
                    matches!(
                        n.as_str(),
                        "nicht"
                            | "nichts"
                            | "nix"
                            | "kein"
                            | "keine"
                            | "nie"
                            | "niemals"
                            | "niet"
                            | "nooit"
                            | "inte"
                            | "aldrig"
                    )
                })
    }

    /// A word's lexicon valence: the shared list first, then the sentence's languages in order.
    #[inline]
    fn lookup(&self, t: &str) -> Option<f64> {
        self.lex.extra.word(t).or_else(|| {
            self.langs
                .iter()
                .filter(|&&l| l != 0 || !self.foreign || LOANWORDS.contains(&t))
                .filter_map(|&l| self.lex.by_lang.get(l).map(|lx| (l, lx)))
                .find_map(|(l, lx)| lx.word_inflected(t, l))
        })
    }

    /// A word's valence on VADER's scale, with capitals and a booster before it.
    #[inline]
    fn emphasised(&self, v: f64, i: usize) -> f64 {
        let mut s = v * SCALE;
        // "I LOVE it": a word in capitals among lowercase ones is emphasised (VADER).
        if self.shouted.get(i).copied().unwrap_or(false) {
            s += CAPS_EMPHASIS.copysign(s);
        }
        if i > 0 && BOOSTER_SET.contains(self.toks[i - 1].as_str()) {
            s *= BOOST;
        }
        s
    }

    /// A lack verb near a praising word ("Fehlt dem Film einfach das Zauberhafte", "lacks the
    /// charm"): what is missing is no praise. German puts the verb last and predicates after
    /// ("lässt den Tiefgang vermissen", "the charm is lacking"), so look a few words either way.
    #[inline]
    fn lack_verb(&self, at: At) -> Option<usize> {
        (at.back(6)..(at.i + 3).min(self.toks.len())).find(|&j| {
            self.clauses.get(j) == self.clauses.get(at.i)
                && LACK_VERBS.contains(&self.toks[j].as_str())
        })
    }

    /// A lack verb with a negator just before it or "nothing" after it ("doesn't lack", "rien n'y
    /// manque", "il ne manque rien", "es fehlt an nichts").
    fn lack_negated(&self, j: usize) -> bool {
        (j.saturating_sub(2)..j).any(|k| self.negates[k])
            || self.toks[j + 1..(j + 3).min(self.toks.len())]
                .iter()
                .any(|t| {
                    matches!(
                        t.as_str(),
                        "rien" | "nichts" | "nothing" | "nulla" | "niente" | "nada"
                    )
                })
    }

    /// A modal before `at` ("could have been great", "hätte ein guter Film werden können"), other
    /// than one of saying ("I should say", "I must admit"), which is no wish.
    #[inline]
    fn under_modal(&self, at: At) -> bool {
        (at.back(6)..at.i).any(|j| {
            IRREALIS.contains(&self.toks[j].as_str())
                && !self
                    .toks
                    .get(j + 1)
                    .is_some_and(|v| SAYING.contains(&v.as_str()))
        })
    }

    /// What a sentiment word `t` with valence `s` adds once lack, modals, negation and diminishers
    /// are applied, and whether it is praise withheld.
    fn judged(&self, at: At, t: &str, mut s: f64, negated: bool) -> (Option<f64>, bool) {
        let lack = (s > 0.0).then(|| self.lack_verb(at)).flatten();
        // A negated lack ("doesn't lack charm", "rien n'y manque, c'est parfait") is the praise
        // itself: the negator belongs to the lack verb.
        let (lacked, negated) = match lack {
            Some(j) if self.lack_negated(j) => (false, false),
            Some(_) => (true, negated),
            None => (false, negated),
        };
        // Praise under a modal is irrealis, not said of the product (SO-CAL's irrealis blocking).
        // Recommending stays praise ("I would recommend it").
        if s > 0.0
            && !negated
            && !RECOMMENDING.iter().any(|r| t.starts_with(r))
            && self.under_modal(at)
        {
            return (None, true);
        }
        if negated != lacked {
            s *= NEGATION;
        } else if !negated && is_diminished(self.toks, at.i) {
            s *= DIMINISH;
        } else if !negated && is_dampened(self.toks, at.i) {
            s *= DAMPEN;
        }
        (Some(s), lacked && !negated)
    }
}

/// Maps a valence sum to -1..1.
pub fn normalize(sum: f64) -> f64 {
    if sum == 0.0 {
        return 0.0;
    }
    (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::offline::text;

    /// The rules alone, for English text.
    fn rules(text: &str) -> SentenceValence {
        let lex = Lexicons::load();
        let s = text::split(text);
        sentence_valence(&lex, &[0], &s.tokens, &s.clauses, &s.shouted)
    }

    #[test]
    fn a_function_verb_needs_its_own_negator() {
        assert!(rules("It doesn't install.").sum < 0.0);
        assert_eq!(rules("You don't need to install anything.").sum, 0.0);
        assert_eq!(rules("I didn't read the manual.").sum, 0.0);
    }

    #[test]
    fn praise_under_a_modal_or_lacking_is_withheld() {
        for text in ["It could have been a great player.", "It lacks the charm."] {
            let v = rules(text);
            assert!(v.praise_withheld && v.sum <= 0.0, "{text}");
        }
        assert!(!rules("It is a great player.").praise_withheld);
        let v = rules("It doesn't lack charm.");
        assert!(!v.praise_withheld && v.sum > 0.0);
    }
}
