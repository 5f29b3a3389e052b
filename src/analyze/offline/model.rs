//! The English sentence model: linear weights of word unigrams and bigrams, learned from sentences
//! that people rated (tools/train-sentiment.py writes lexicon/en-model.tsv; the README says from
//! what). It adds what no single lexicon word carries: how words lean in context, learned from
//! people's ratings rather than listed by hand.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

const WEIGHTS: &str = include_str!("lexicon/en-model.tsv");
const START: &str = "<s>";
const END: &str = "</s>";
/// A word within this many tokens after a negator is its own feature: "no problems" is not "problems".
const NEGATION_SCOPE: u32 = 3;
/// Marks a negated word (`!problems` in the weights file); no token contains it.
const NEGATED: &str = "!";
/// Exactly tools/train-sentiment.py's list (the features were learned with it): not the lexicon's.
const NEGATORS: [&str; 8] = [
    "not", "no", "never", "nothing", "none", "nobody", "without", "cannot",
];

fn is_negator(t: &str) -> bool {
    NEGATORS.contains(&t) || t.ends_with("n't")
}

pub struct SentenceModel {
    bias: f64,
    /// Keyed by the hash of the feature's one or two tokens, so scoring allocates nothing.
    weights: FxHashMap<u64, f32>,
}

fn key(a: &str, b: Option<&str>) -> u64 {
    let mut h = FxHasher::default();
    a.hash(&mut h);
    if let Some(b) = b {
        b.hash(&mut h);
    }
    h.finish()
}

impl SentenceModel {
    pub fn load() -> SentenceModel {
        let mut m = SentenceModel {
            bias: 0.0,
            weights: FxHashMap::default(),
        };
        for line in WEIGHTS.lines().filter(|l| !l.starts_with('#')) {
            let Some((feature, w)) = line.split_once('\t') else {
                continue;
            };
            let Ok(w) = w.trim().parse::<f32>() else {
                continue;
            };
            if feature == "<bias>" {
                m.bias = w as f64;
                continue;
            }
            let k = match (feature.split_once(' '), feature.strip_prefix(NEGATED)) {
                (Some((a, b)), _) => key(a, Some(b)),
                (None, Some(word)) if !word.is_empty() => key(NEGATED, Some(word)),
                _ => key(feature, None),
            };
            m.weights.insert(k, w);
        }
        m
    }

    /// The sentence's predicted rating on -1..1 (roughly: the weights were fit to ratings / 4).
    /// Each feature counts once, as in training.
    pub fn score(&self, tokens: &[String]) -> f64 {
        let mut keys: Vec<u64> = Vec::with_capacity(tokens.len() * 2 + 1);
        let mut prev = START;
        let mut scope = 0;
        for t in tokens {
            keys.push(if scope > 0 {
                key(NEGATED, Some(t))
            } else {
                key(t, None)
            });
            keys.push(key(prev, Some(t)));
            prev = t;
            scope = if is_negator(t) {
                NEGATION_SCOPE
            } else {
                scope.saturating_sub(1)
            };
        }
        keys.push(key(prev, Some(END)));
        keys.sort_unstable();
        keys.dedup();
        let sum: f64 = keys
            .iter()
            .filter_map(|k| self.weights.get(k))
            .map(|w| *w as f64)
            .sum();
        (self.bias + sum).clamp(-1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::offline::text::tokens;

    #[test]
    fn loads_and_orders_plain_sentences() {
        let m = SentenceModel::load();
        assert!(m.weights.len() > 10_000);
        let good = m.score(&tokens("A wonderful little player, it works beautifully."));
        let bad = m.score(&tokens("A dull, lifeless mess that was a waste of time."));
        let flat = m.score(&tokens("It comes in a box."));
        assert!(good > flat && flat > bad, "{good} {flat} {bad}");
        assert!(good > 0.2 && bad < -0.2, "{good} {bad}");
    }

    #[test]
    fn empty_and_unknown_text_score_the_bias() {
        let m = SentenceModel::load();
        assert_eq!(m.score(&[]), m.score(&tokens("")));
        assert!(m.score(&tokens("qqqq zzzz")).abs() < 0.1);
    }
}
