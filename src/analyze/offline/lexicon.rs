//! Sentiment lexicons, one per language, plus shared review phrases. Sources are in lexicon/*.tsv
//! headers and the README: VADER (en, MIT), German Polarity Lexicon (de, Apache-2.0), Pattern (fr,
//! PDDL; it, BSD-3-Clause, by tools/pattern-lexicon.py), hand-written lists (it, es, phrases; MIT);
//! under them AFINN-165 translations (de, fr, it, es; MIT, by tools/afinn-lexicon.py), AFINN-165
//! itself (en, MIT), and under both Bing Liu's opinion lexicon (en; with attribution, by
//! tools/bing-lexicon.py).

// Fx, not SipHash: the tables are built from our own word lists (a review's words only look up,
// so they cannot degrade the table), and hashing tokens was about 4 % of a full analyze.
use rustc_hash::FxHashMap as HashMap;

/// The languages the analyzer has word lists for, in lexicon order.
pub const LANGS: [&str; 8] = crate::model::OFFLINE_LANGUAGES;

/// Per language, in load order: a later file's entry replaces an earlier one's, so the broad
/// machine-translated list goes first and the curated one decides.
const SOURCES: [&[&str]; 8] = [
    &[
        include_str!("lexicon/en-bing.tsv"),
        include_str!("lexicon/en-afinn.tsv"),
        include_str!("lexicon/en.tsv"),
        include_str!("lexicon/en-review.tsv"),
    ],
    &[
        include_str!("lexicon/de-afinn.tsv"),
        include_str!("lexicon/de.tsv"),
        include_str!("lexicon/de-review.tsv"),
    ],
    &[
        include_str!("lexicon/fr-afinn.tsv"),
        include_str!("lexicon/fr.tsv"),
        include_str!("lexicon/fr-review.tsv"),
    ],
    &[
        include_str!("lexicon/it-afinn.tsv"),
        include_str!("lexicon/it-pattern.tsv"),
        include_str!("lexicon/it.tsv"),
        include_str!("lexicon/it-review.tsv"),
    ],
    &[
        include_str!("lexicon/es-afinn.tsv"),
        include_str!("lexicon/es.tsv"),
        include_str!("lexicon/es-review.tsv"),
    ],
    &[
        include_str!("lexicon/nl-afinn.tsv"),
        include_str!("lexicon/nl-review.tsv"),
    ],
    &[
        include_str!("lexicon/pl-afinn.tsv"),
        include_str!("lexicon/pl-review.tsv"),
    ],
    &[
        include_str!("lexicon/sv-afinn.tsv"),
        include_str!("lexicon/sv-review.tsv"),
    ],
];
const EMOJI: &str = include_str!("lexicon/emoji.tsv");
const EXTRA: &str = include_str!("lexicon/extra.tsv");
const LUKEWARM: &str = include_str!("lexicon/lukewarm.tsv");

/// German adjective endings.
const DE_ENDINGS: [&str; 5] = ["en", "em", "er", "es", "e"];
/// French verb forms in -er, by the infinitive's ending.
const FR_VERB_ENDINGS: &[(&str, &str)] = &[
    ("ent", "er"),
    ("ez", "er"),
    ("ons", "er"),
    ("ées", "er"),
    ("ée", "er"),
    ("és", "er"),
    ("é", "er"),
];
/// Italian adjective endings; verbs in -are by their plural and participle forms ("adorano",
/// "adorato" → "adorare").
const IT_ENDINGS: &[(&str, &str)] = &[
    ("a", "o"),
    ("i", "o"),
    ("e", "o"),
    ("he", "o"),
    ("i", "e"),
    ("ano", "are"),
    ("ato", "are"),
    ("ata", "are"),
    ("ati", "are"),
    ("ate", "are"),
];
/// Spanish adjective endings; verbs in -ar ("adoran", "decepcionado" → "adorar", "decepcionar").
const ES_ENDINGS: &[(&str, &str)] = &[
    ("a", "o"),
    ("as", "o"),
    ("os", "o"),
    ("es", ""),
    ("es", "e"),
    ("an", "ar"),
    ("ado", "ar"),
    ("ada", "ar"),
    ("ados", "ar"),
    ("adas", "ar"),
];

#[derive(Default)]
pub struct Lexicon {
    words: HashMap<String, f64>,
    /// `word*` entries: any token starting with the prefix (at least 4 characters long).
    prefixes: HashMap<String, f64>,
    /// The longest prefix, in bytes: `word` tries no longer one (trying every length of a word of
    /// thousands of letters cost quadratic time, minutes for one hostile review).
    longest_prefix: usize,
    /// Multi-token phrases, by first token: (remaining tokens, score), longest first.
    phrases: HashMap<String, Vec<(Vec<String>, f64)>>,
    /// Accented words by their unaccented spelling ("decu" → "déçu"); `None` where two words share
    /// one ("pêche", "péché"). Filled for French, Italian and Spanish.
    unaccented: HashMap<String, Option<f64>>,
}

impl Lexicon {
    fn add_tsv(&mut self, tsv: &str) {
        for line in tsv.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((w, v)) = line.split_once('\t') else {
                continue;
            };
            // A third column is a comment (emoji.tsv names each emoji).
            let Ok(v) = v.split('\t').next().unwrap_or("").trim().parse::<f64>() else {
                continue;
            };
            let toks = super::text::tokens(w);
            if toks.len() > 1 {
                let first = toks[0].clone();
                let list = self.phrases.entry(first).or_default();
                list.push((toks[1..].to_vec(), v));
                list.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
            } else if let Some(p) = w.strip_suffix('*') {
                let p = p.to_lowercase();
                self.longest_prefix = self.longest_prefix.max(p.len());
                self.prefixes.insert(p, v);
            } else {
                self.words.insert(w.to_lowercase(), v);
            }
        }
    }

    pub fn word(&self, t: &str) -> Option<f64> {
        if let Some(v) = self.words.get(t) {
            return Some(*v);
        }
        if self.prefixes.is_empty() {
            return None;
        }
        let mut end = t.len().min(self.longest_prefix);
        while end >= 4 {
            if t.is_char_boundary(end) {
                if let Some(v) = self.prefixes.get(&t[..end]) {
                    return Some(*v);
                }
            }
            end -= 1;
        }
        None
    }

    /// A word, else its base form: lexicons list lemmas, and German, French, Italian and Spanish
    /// adjectives inflect ("langweiligen" → "langweilig", "déçue" → "déçu", "pessima" → "pessimo",
    /// "malas" → "malo"). `lang` is the index in `LANGS`.
    pub fn word_inflected(&self, t: &str, lang: usize) -> Option<f64> {
        if let Some(v) = self.word(t) {
            return Some(v);
        }
        let inflected = match LANGS.get(lang) {
            Some(&"de") => self.de_base(t),
            Some(&"fr") => self.fr_base(t),
            Some(&"it") => self.swapped(t, IT_ENDINGS),
            Some(&"es") => self.swapped(t, ES_ENDINGS),
            _ => None,
        };
        inflected.or_else(|| self.unaccented_word(t))
    }

    /// `t` without `suffix`, if at least `min` characters are left and that is a word.
    #[inline]
    fn stripped(&self, t: &str, suffix: &str, min: usize) -> Option<f64> {
        t.strip_suffix(suffix)
            .filter(|base| base.chars().count() >= min)
            .and_then(|base| self.words.get(base).copied())
    }

    /// The first of `endings` (ending, replacement) whose swap makes `t` a word: final vowel(s)
    /// replaced by the masculine singular's, or a verb's form by its infinitive's ending.
    fn swapped(&self, t: &str, endings: &[(&str, &str)]) -> Option<f64> {
        endings.iter().find_map(|(suffix, with)| {
            let base = t.strip_suffix(suffix)?;
            if base.chars().count() < 3 {
                return None;
            }
            let mut w = String::with_capacity(base.len() + with.len());
            w.push_str(base);
            w.push_str(with);
            self.words.get(&w).copied()
        })
    }

    /// German: endings, also of superlatives ("schlechtesten" → "schlecht", "schönste" →
    /// "schön") and of short adjectives ("guter" → "gut"); adjectives in -el and -er drop that e
    /// when inflected ("miserablen" → "miserabel", "teure" → "teuer"); comparatives with an
    /// umlaut; and the head of a compound.
    fn de_base(&self, t: &str) -> Option<f64> {
        [
            "esten", "ester", "estes", "estem", "este", "sten", "ster", "stes", "stem", "ste",
        ]
        .iter()
        .find_map(|s| self.stripped(t, s, 4))
        .or_else(|| DE_ENDINGS.iter().find_map(|s| self.stripped(t, s, 3)))
        .or_else(|| ["n", "s"].iter().find_map(|s| self.stripped(t, s, 4)))
        .or_else(|| self.de_dropped_e(t))
        .or_else(|| self.de_umlaut(t))
        .or_else(|| self.compound_head(t))
    }

    /// Adjectives in -el and -er that dropped their e ("miserablen" → "miserabel").
    fn de_dropped_e(&self, t: &str) -> Option<f64> {
        DE_ENDINGS.iter().find_map(|suffix| {
            let base = t.strip_suffix(suffix)?;
            let last = base.chars().last().filter(|c| matches!(c, 'l' | 'r'))?;
            let stem = &base[..base.len() - 1];
            if stem.chars().count() < 3 || stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
                return None;
            }
            self.words.get(&format!("{stem}e{last}")).copied()
        })
    }

    /// Comparatives and superlatives take an umlaut ("schwächste" → "schwach").
    fn de_umlaut(&self, t: &str) -> Option<f64> {
        ["esten", "este", "sten", "ste", "eren", "erer", "ere", "er"]
            .iter()
            .find_map(|suffix| {
                let base = t.strip_suffix(suffix)?;
                let (i, c) = base
                    .char_indices()
                    .rev()
                    .find(|(_, c)| "äöü".contains(*c))?;
                let plain = match c {
                    'ä' => 'a',
                    'ö' => 'o',
                    _ => 'u',
                };
                let mut w = String::with_capacity(base.len());
                w.push_str(&base[..i]);
                w.push(plain);
                w.push_str(&base[i + c.len_utf8()..]);
                (w.chars().count() >= 3).then(|| self.words.get(&w).copied())?
            })
    }

    /// French: adjective endings; and verbs in -er by their present and past participle forms
    /// ("adorent", "adorez", "adoré" → "adorer").
    fn fr_base(&self, t: &str) -> Option<f64> {
        ["es", "e", "s", "x"]
            .iter()
            .find_map(|s| self.stripped(t, s, 4))
            .or_else(|| self.swapped(t, FR_VERB_ENDINGS))
    }

    /// Indexes the accented words by their unaccented spelling, for reviews typed without accents.
    fn index_unaccented(&mut self) {
        for (w, v) in &self.words {
            let plain = super::text::unaccent(w).into_owned();
            if plain != *w {
                self.unaccented
                    .entry(plain)
                    .and_modify(|e| {
                        if *e != Some(*v) {
                            *e = None;
                        }
                    })
                    .or_insert(Some(*v));
            }
        }
    }

    /// A word typed without its accents, or with only some ("tres decu", "deçu", "qualita").
    fn unaccented_word(&self, t: &str) -> Option<f64> {
        if self.unaccented.is_empty() {
            return None;
        }
        self.unaccented
            .get(super::text::unaccent(t).as_ref())
            .copied()
            .flatten()
    }

    /// A German compound takes its meaning from its last part ("Zeitverschwendung" →
    /// "verschwendung"): the longest known ending of at least six letters ("-weise" in "seitenweise"
    /// is a suffix, not a word), in a word of nine or more.
    fn compound_head(&self, t: &str) -> Option<f64> {
        // Each ending is counted and hashed: a "word" of thousands of letters (hostile or broken
        // text) cost quadratic time, minutes for one review. Real compounds stay far below this.
        if t.len() > MAX_COMPOUND_BYTES || t.chars().count() < 9 {
            return None;
        }
        t.char_indices()
            .skip(3)
            .map(|(i, _)| &t[i..])
            .take_while(|head| head.chars().count() >= 6)
            .find_map(|head| {
                self.words.get(head).copied().or_else(|| {
                    ["en", "e", "n", "s"]
                        .iter()
                        .filter_map(|s| head.strip_suffix(s))
                        .filter(|b| b.chars().count() >= 6)
                        .find_map(|b| self.words.get(b).copied())
                })
            })
    }

    /// Whether any word or phrase of this lexicon occurs in `toks`.
    /// Whether any entry but the words in `except` occurs in `toks`.
    pub fn occurs_in(&self, toks: &[String], except: &[&str]) -> bool {
        (0..toks.len()).any(|i| {
            (self.words.contains_key(&toks[i]) && !except.contains(&toks[i].as_str()))
                || self.phrase(&toks[i..]).is_some()
        })
    }

    /// A phrase starting at `toks[0]`: (tokens it spans, score).
    pub fn phrase(&self, toks: &[String]) -> Option<(usize, f64)> {
        let list = self.phrases.get(&toks[0])?;
        list.iter()
            .find(|(rest, _)| toks.len() > rest.len() && toks[1..=rest.len()] == rest[..])
            .map(|(rest, v)| (rest.len() + 1, *v))
    }
}

/// The longest word `compound_head` splits: 80 letters of up to 4 bytes (the longest German
/// compounds in use have about 60).
const MAX_COMPOUND_BYTES: usize = 320;

/// All lexicons: per language, and the shared phrases that take precedence.
pub struct Lexicons {
    pub by_lang: Vec<Lexicon>,
    pub extra: Lexicon,
    /// Lukewarm verdicts, any language: their presence marks a middling review.
    pub lukewarm: Lexicon,
}

impl Lexicons {
    pub fn load() -> Lexicons {
        let by_lang = SOURCES
            .iter()
            .zip(LANGS)
            .map(|(files, lang)| {
                let mut l = Lexicon::default();
                for tsv in *files {
                    l.add_tsv(tsv);
                }
                if matches!(lang, "fr" | "it" | "es") {
                    l.index_unaccented();
                }
                l
            })
            .collect();
        let mut extra = Lexicon::default();
        extra.add_tsv(EMOJI);
        extra.add_tsv(EXTRA);
        let mut lukewarm = Lexicon::default();
        lukewarm.add_tsv(LUKEWARM);
        Lexicons {
            by_lang,
            extra,
            lukewarm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_find_their_lemma() {
        let lex = Lexicons::load();
        let de = &lex.by_lang[1];
        assert!(de.word("langweiligen").is_none());
        assert_eq!(de.word_inflected("langweiligen", 1), de.word("langweilig"));
        let es = &lex.by_lang[4];
        assert!(es.word_inflected("malas", 4).is_some_and(|v| v < 0.0));
        for (form, lemma) in [
            ("schlechtesten", "schlecht"),
            ("miserablen", "miserabel"),
            ("guter", "gut"),
        ] {
            assert!(
                de.word(form).is_none() && de.word(lemma).is_some(),
                "{lemma}"
            );
            assert_eq!(de.word_inflected(form, 1), de.word(lemma), "{form}");
        }
        // Italian adjectives beyond the hand-written list, from Pattern's.
        let it = &lex.by_lang[3];
        assert!(it.word("accattivante").is_some_and(|v| v > 0.0));
        assert!(it.word_inflected("deludenti", 3).is_some_and(|v| v < 0.0));
        // Too short a base is not guessed at.
        assert_eq!(de.word_inflected("en", 1), None);
    }

    #[test]
    fn words_typed_without_accents() {
        let lex = Lexicons::load();
        let fr = &lex.by_lang[2];
        assert_eq!(fr.word_inflected("decu", 2), fr.word("déçu"));
        assert_eq!(fr.word_inflected("deçu", 2), fr.word("déçu"));
        assert!(fr.word_inflected("decu", 2).is_some_and(|v| v < 0.0));
        let it = &lex.by_lang[3];
        assert!(it.word("qualità").is_some());
        assert_eq!(it.word_inflected("qualita", 3), it.word("qualità"));
        // German umlauts are letters of their own: "schon" (already) is not "schön".
        let de = &lex.by_lang[1];
        assert!(de.word("schön").is_some_and(|v| v > 0.0));
        assert_eq!(de.word_inflected("schon", 1), de.word("schon"));
    }
}
