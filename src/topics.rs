//! A team's own topics (`analyze --topics FILE`): issue codes the built-in taxonomy cannot know
//! ("pet won't eat it", "MagSafe"), each with an English label and plain-text phrases per language.
//! This module reads and checks the file; the analyzers match the phrases, the store keeps the
//! definitions with each run (so labels and results stay reproducible).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::OFFLINE_LANGUAGES;

/// Limits that keep a topics file a list of topics, not a second pattern file.
const MAX_FILE_BYTES: u64 = 256 * 1024;
const MAX_TOPICS: usize = 200;
const MAX_PHRASES: usize = 100;
const MAX_PHRASE_CHARS: usize = 100;
const MAX_LABEL_CHARS: usize = 80;
const MAX_CODE_CHARS: usize = 40;

/// How a phrase counts, as the built-in patterns' kinds do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The phrase reports the problem outright ("colour fades after washing").
    #[default]
    Cue,
    /// The phrase names a subject that is a complaint only in a negative sentence ("MagSafe").
    Topic,
}

/// One topic, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub kind: Kind,
    /// Language code ("en", "de", …) to phrases in it.
    #[serde(default)]
    pub phrases: BTreeMap<String, Vec<String>>,
}

/// The topics of one file, in its order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topics {
    #[serde(default, rename = "topic")]
    pub topics: Vec<Topic>,
}

impl Topics {
    /// Reads and checks a topics file: TOML, or JSON when it ends in `.json` (or starts with `{`).
    pub fn load(path: &Path) -> Result<Topics> {
        let name = path.display().to_string();
        let bad = |message: String| Error::Usage(format!("topics file {name}: {message}"));
        let len = std::fs::metadata(path)
            .map_err(|e| bad(format!("cannot read it: {e}")))?
            .len();
        if len > MAX_FILE_BYTES {
            return Err(bad(format!(
                "{len} bytes, more than the {MAX_FILE_BYTES} a topics file may have"
            )));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let json =
            path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
        Topics::parse(&text, json).map_err(bad)
    }

    /// Parses and checks a topics document; the error says which topic and what is wrong.
    pub fn parse(text: &str, json: bool) -> std::result::Result<Topics, String> {
        let topics: Topics = if json {
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?
        } else {
            toml::from_str(text).map_err(|e| format!("not valid TOML: {}", e.message()))?
        };
        topics.check()?;
        Ok(topics)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.topics.is_empty() {
            return Err(
                "no topics (each is a [[topic]] table with code, label and phrases)".into(),
            );
        }
        if self.topics.len() > MAX_TOPICS {
            return Err(format!(
                "{} topics, more than {MAX_TOPICS}",
                self.topics.len()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for t in &self.topics {
            let at =
                |m: String| format!("topic `{}`: {m}", crate::textsafe::escape_control(&t.code));
            check_code(&t.code).map_err(at)?;
            if !seen.insert(t.code.as_str()) {
                return Err(at("defined twice".into()));
            }
            check_label(&t.label).map_err(at)?;
            check_phrases(&t.phrases).map_err(at)?;
        }
        Ok(())
    }

    /// The definitions as canonical JSON: what is stored with a run and what the version hashes
    /// (so comments, spacing or TOML against JSON change nothing).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads definitions stored by `to_json`.
    pub fn from_json(text: &str) -> Option<Topics> {
        serde_json::from_str(text).ok()
    }

    /// A short hash of the definitions: part of the analyzer key, so unchanged topics reuse
    /// stored results and changed ones are a new taxonomy version.
    pub fn version(&self) -> String {
        let hash = blake3::hash(self.to_json().as_bytes());
        hex::encode(&hash.as_bytes()[..4])
    }

    /// The taxonomy part of an analyzer key: the built-in version, and the topics' if any
    /// ("t1+3fa9c2d0"). Results and runs under another key never mix with these.
    pub fn taxonomy_key(&self) -> String {
        match self.is_empty() {
            true => format!("t{}", crate::taxonomy::TAXONOMY_VERSION),
            false => format!("t{}+{}", crate::taxonomy::TAXONOMY_VERSION, self.version()),
        }
    }

    /// The custom codes' labels, for whatever shows issues.
    pub fn labels(&self) -> Labels {
        Labels(
            self.topics
                .iter()
                .map(|t| (t.code.clone(), t.label.clone()))
                .collect(),
        )
    }

    pub fn is_code(&self, code: &str) -> bool {
        self.topics.iter().any(|t| t.code == code)
    }

    /// What the offline analyzer matches in texts of `lang`: each topic with phrases in it, by
    /// code, with its kind and those phrases. Labels and other languages' phrases do not count.
    fn in_language(&self, lang: &str) -> Vec<(&str, Kind, &[String])> {
        let mut v: Vec<(&str, Kind, &[String])> = (self.topics.iter())
            .filter_map(|t| {
                let p = t.phrases.get(lang).filter(|p| !p.is_empty())?;
                Some((t.code.as_str(), t.kind, p.as_slice()))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// The languages read by the offline analyzer in which `self` and `other` match alike: texts
    /// in them get the same results from both, so a changed file need not analyze them again.
    pub fn unchanged_languages(&self, other: &Topics) -> Vec<&'static str> {
        (OFFLINE_LANGUAGES.iter().copied())
            .filter(|l| self.in_language(l) == other.in_language(l))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    pub fn label(&self, code: &str) -> Option<&str> {
        self.topics
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.label.as_str())
    }

    /// Per topic, the languages the offline analyzer reads in which it has no phrases.
    pub fn missing_languages(&self) -> Vec<(&str, Vec<&'static str>)> {
        self.topics
            .iter()
            .filter_map(|t| {
                let missing: Vec<&'static str> = OFFLINE_LANGUAGES
                    .iter()
                    .copied()
                    .filter(|l| t.phrases.get(*l).is_none_or(|p| p.is_empty()))
                    .collect();
                (!missing.is_empty()).then_some((t.code.as_str(), missing))
            })
            .collect()
    }
}

/// Issue labels: the built-in taxonomy's, and those of the custom topics of the analysis the
/// insights come from (the store reads them from the run).
#[derive(Debug, Clone, Default)]
pub struct Labels(std::collections::HashMap<String, String>);

impl Labels {
    pub fn label(&self, code: &str) -> String {
        match self.0.get(code) {
            Some(l) => l.clone(),
            None => crate::taxonomy::label(code).to_string(),
        }
    }

    /// Whether `code` is a built-in code or one of these topics'.
    pub fn is_code(&self, code: &str) -> bool {
        crate::taxonomy::is_code(code) || self.0.contains_key(code)
    }

    /// The custom codes, sorted.
    pub fn custom_codes(&self) -> Vec<String> {
        let mut c: Vec<String> = self.0.keys().cloned().collect();
        c.sort();
        c
    }
}

/// Which counts of an earlier run compare with the current insights: built-in codes always (a
/// taxonomy change is a release's), a custom code only if that run defined it exactly as the
/// current topics do. Trends never mix two definitions of a code.
pub struct Comparison {
    now: Topics,
    now_json: String,
}

impl Comparison {
    pub fn new(now: Topics) -> Comparison {
        let now_json = now.to_json();
        Comparison { now, now_json }
    }

    /// Whether `code`'s counts at a run whose stored topics are `then` compare with today's.
    pub fn keeps(&self, then: Option<&str>, code: &str) -> bool {
        if crate::taxonomy::is_code(code) {
            return true;
        }
        let Some(now) = self.now.topics.iter().find(|t| t.code == code) else {
            return false;
        };
        match then {
            Some(t) if t == self.now_json => true,
            Some(t) => {
                Topics::from_json(t).is_some_and(|then| then.topics.iter().any(|d| d == now))
            }
            None => false,
        }
    }
}

/// The shape of every issue code, built-in or custom (as `is_code_shape` checks).
pub const CODE_PATTERN: &str = "^[a-z][a-z0-9_]{1,39}$";

/// Whether `code` is shaped as an issue code: 2 to 40 lowercase ASCII letters, digits and `_`,
/// starting with a letter.
pub fn is_code_shape(code: &str) -> bool {
    code.len() >= 2
        && code.len() <= MAX_CODE_CHARS
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A slug (`is_code_shape`) that is no built-in code.
fn check_code(code: &str) -> std::result::Result<(), String> {
    if !is_code_shape(code) {
        return Err(format!(
            "the code must be 2 to {MAX_CODE_CHARS} lowercase letters, digits or _, starting with a letter"
        ));
    }
    if crate::taxonomy::is_code(code) {
        return Err("the code is a built-in issue code; choose another".into());
    }
    Ok(())
}

fn check_label(label: &str) -> std::result::Result<(), String> {
    let n = label.trim().chars().count();
    if n == 0 || n > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(format!(
            "the label must be 1 to {MAX_LABEL_CHARS} characters of plain text"
        ));
    }
    Ok(())
}

fn check_phrases(phrases: &BTreeMap<String, Vec<String>>) -> std::result::Result<(), String> {
    let total: usize = phrases.values().map(Vec::len).sum();
    if total == 0 {
        return Err("no phrases (phrases.en = [\"…\"], one list per language)".into());
    }
    if total > MAX_PHRASES {
        return Err(format!("{total} phrases, more than {MAX_PHRASES}"));
    }
    for (lang, list) in phrases {
        if !OFFLINE_LANGUAGES.contains(&lang.as_str()) {
            return Err(format!(
                "phrases in `{}`: languages are {}",
                crate::textsafe::escape_control(lang),
                OFFLINE_LANGUAGES.join(", ")
            ));
        }
        for p in list {
            let words = p.chars().any(char::is_alphanumeric);
            let n = p.chars().count();
            if !words || n > MAX_PHRASE_CHARS || p.chars().any(char::is_control) {
                return Err(format!(
                    "phrase {:?} ({lang}): a phrase is 1 to {MAX_PHRASE_CHARS} characters of plain text with a word in it",
                    crate::textsafe::escape_control(p)
                ));
            }
        }
    }
    Ok(())
}

/// A phrase as a regular expression over lowercased text: its characters literal, spaces any
/// run of spaces, an apostrophe also a space (curly quotes read as spaces), and `*` the rest of a
/// word ("fade*" is "fades", "faded"). Whole words only.
pub fn phrase_pattern(phrase: &str) -> String {
    let lower = phrase.trim().to_lowercase();
    let mut out = String::new();
    if lower.starts_with(|c: char| c.is_alphanumeric()) {
        out.push_str(r"\b");
    }
    let mut space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push_str(r"\s+");
            space = false;
        }
        match c {
            '*' => out.push_str(r"\w*"),
            '\'' | '’' => out.push_str(r"(?:'|\s+)"),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    if lower.ends_with(|c: char| c.is_alphanumeric()) {
        out.push_str(r"\b");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[topic]]
code = "pet_refuses"
label = "Pet won't eat it"
phrases.en = ["won't eat it", "refuses to eat*"]
phrases.de = ["frisst es nicht"]
"#;

    #[test]
    fn a_good_file_parses_and_json_gives_the_same_version() {
        let t = Topics::parse(GOOD, false).unwrap();
        assert_eq!(t.topics[0].code, "pet_refuses");
        assert_eq!(t.topics[0].kind, Kind::Cue);
        let j = Topics::parse(&t.to_json(), true).unwrap();
        assert_eq!(j.version(), t.version());
        let spaced = GOOD.replace("label =", "# a comment\nlabel   =");
        assert_eq!(
            Topics::parse(&spaced, false).unwrap().version(),
            t.version()
        );
        let changed = GOOD.replace("frisst es nicht", "mag es nicht");
        assert_ne!(
            Topics::parse(&changed, false).unwrap().version(),
            t.version()
        );
    }

    #[test]
    fn bad_files_say_which_topic_and_what() {
        let err = |s: &str| Topics::parse(s, false).unwrap_err();
        assert!(err("[[topic]\n").contains("not valid TOML"));
        assert!(err(&format!("{GOOD}{GOOD}")).contains("`pet_refuses`: defined twice"));
        let e = err(&GOOD.replace("pet_refuses", "battery"));
        assert!(e.contains("`battery`") && e.contains("built-in"), "{e}");
        let e = err(&GOOD.replace("pet_refuses", "Pet Refuses"));
        assert!(e.contains("lowercase"), "{e}");
        let e = err("[[topic]]\ncode = \"x_y\"\nlabel = \"X\"\nphrases.en = []\n");
        assert!(e.contains("`x_y`: no phrases"), "{e}");
        let e = err(&GOOD.replace("phrases.de", "phrases.xx"));
        assert!(e.contains("`xx`"), "{e}");
        let e = err(&GOOD.replace("\"frisst es nicht\"", "\"  \""));
        assert!(e.contains("plain text"), "{e}");
        assert!(err("").contains("no topics"));
        assert!(err(&GOOD.replace("label", "lable")).contains("lable"));
    }

    #[test]
    fn phrases_are_literal_with_a_word_ending_wildcard() {
        let re = |p: &str| regex::Regex::new(&phrase_pattern(p)).unwrap();
        assert!(re("fade*").is_match("the colour faded"));
        assert!(!re("fade*").is_match("a blockfade"));
        assert!(re("won't eat it").is_match("my cat won't  eat it"));
        assert!(re("won't eat it").is_match("my cat won t eat it"));
        assert!(re("a.b (c)").is_match("x a.b (c) y"));
        assert!(!re("a.b").is_match("axb"));
        assert!(re("magsafe").is_match("the magsafe ring"));
        assert!(!re("magsafe").is_match("magsafes"));
    }

    #[test]
    fn trends_compare_a_custom_code_only_under_the_same_definition() {
        let now = Topics::parse(GOOD, false).unwrap();
        let other = GOOD.replace("frisst es nicht", "mag es nicht");
        let then = Topics::parse(&other, false).unwrap().to_json();
        let c = Comparison::new(now.clone());
        assert!(c.keeps(Some(&now.to_json()), "pet_refuses"));
        assert!(!c.keeps(Some(&then), "pet_refuses"));
        assert!(!c.keeps(None, "pet_refuses"));
        assert!(c.keeps(Some(&then), "battery") && c.keeps(None, "battery"));
        // Another topic changed, this one not: still comparable.
        let more =
            format!("{GOOD}\n[[topic]]\ncode = \"x_y\"\nlabel = \"X\"\nphrases.en = [\"x\"]\n");
        let then = Topics::parse(&more, false).unwrap().to_json();
        assert!(c.keeps(Some(&then), "pet_refuses"));
    }

    #[test]
    fn only_languages_whose_phrases_changed_are_affected() {
        let now = Topics::parse(GOOD, false).unwrap();
        let relabelled =
            Topics::parse(&GOOD.replace("Pet won't eat it", "Refused"), false).unwrap();
        assert_eq!(
            now.unchanged_languages(&relabelled).len(),
            OFFLINE_LANGUAGES.len()
        );
        let de = Topics::parse(&GOOD.replace("frisst es nicht", "mag es nicht"), false).unwrap();
        let same = now.unchanged_languages(&de);
        assert!(!same.contains(&"de") && same.contains(&"en") && same.contains(&"fr"));
        let none = Topics::default();
        let same = now.unchanged_languages(&none);
        assert!(!same.contains(&"de") && !same.contains(&"en") && same.contains(&"it"));
    }

    #[test]
    fn missing_languages_are_named() {
        let t = Topics::parse(GOOD, false).unwrap();
        let m = t.missing_languages();
        assert_eq!(m[0].0, "pet_refuses");
        assert!(m[0].1.contains(&"fr") && !m[0].1.contains(&"de"));
    }
}
