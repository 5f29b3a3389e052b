//! Names that are not aspects: makers, brands, product lines and model codes. "The Canon's
//! battery" criticises the battery; "canon" is who made it, whichever product a review is about.

use std::collections::HashSet;

/// Makers and product lines that reviews of consumer products name, lower-case. A reviewer
/// compares with other makes ("better than my ipod"), so any of them may appear in any review.
const MAKERS: &str = "acer aiwa akai alcatel amazon apex apple asus audiovox belkin benq blackberry bosch bose braun \
canon casio cisco coby compaq creative dell denon dlink d-link emerson epson ericsson fuji fujifilm \
garmin gopro hitachi htc huawei hp ibm iriver jbl jvc kenwood kodak konica lenovo lexar lg linksys \
logitech magnavox maxtor microsoft minolta motorola netgear nikon nintendo nokia norton olympus \
onkyo panasonic pentax philips polaroid ricoh rio roku samsung sandisk sanyo seagate sennheiser \
siemens sony symantec tdk toshiba tomtom vizio xiaomi yamaha zte ipod iphone ipad itunes imac \
macbook ipaq zune walkman discman kindle xbox playstation wii galaxy coolpix powershot cybershot \
lumix finepix treo razr zen nomad xtra anker ikea tefal delonghi kitchenaid dyson vitamix \
sodastream bialetti contigo thermos otterbox spigen";

pub struct Names {
    makers: HashSet<&'static str>,
}

impl Names {
    pub fn new() -> Names {
        Names {
            makers: MAKERS.split_whitespace().collect(),
        }
    }

    /// A lower-case token that names a maker or product line, or is a model code ("ad2600", "g3").
    pub fn is_name(&self, t: &str) -> bool {
        self.makers.contains(t) || is_model_code(t)
    }

    /// Whether an aspect term is only a name: every word the product's own brand ("apex",
    /// "nikon"), a maker or a model code (any analyzer's terms, the LLM's too).
    pub fn is_name_term(&self, brand: Option<&str>, term: &str) -> bool {
        let brand_words: Vec<String> = brand
            .unwrap_or("")
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        term.split(' ')
            .all(|w| brand_words.iter().any(|b| b == w) || self.is_name(w))
    }
}

impl Default for Names {
    fn default() -> Self {
        Self::new()
    }
}

/// Letters and digits in one word ("sd500", "4300mah" aside, which has no letter first): a model
/// code, not a feature. Plain numbers are not words either.
pub fn is_model_code(t: &str) -> bool {
    let digits = t.chars().any(|c| c.is_ascii_digit());
    let letters = t.chars().any(char::is_alphabetic);
    digits && (letters || t.chars().all(|c| c.is_ascii_digit()))
}

/// The words a text writes capitalised in the middle of a sentence, and never in lower case:
/// proper names ("my Nikon", "unlike the Zen Xtra"), lower-cased. A sentence written in title case
/// or capitals says nothing (every word is capitalised there), nor does a sentence's first word.
pub fn proper_names(text: &str) -> Vec<String> {
    // Most reviews name nothing this way: only words with a capital cost an allocation.
    if !text.chars().skip(1).any(char::is_uppercase) {
        return Vec::new();
    }
    let upper = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let mut capital: Vec<String> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for sentence in text.split(['.', '!', '?', '\n', ':', ';']) {
        words.clear();
        words.extend(
            sentence
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
                .filter(|w| w.chars().next().is_some_and(char::is_alphabetic)),
        );
        let capitals = words.iter().skip(1).filter(|w| upper(w)).count();
        // Mostly lower case after the first word: then a capital marks a name.
        if words.len() < 3 || capitals == 0 || capitals * 2 >= words.len() {
            continue;
        }
        for w in words.iter().skip(1) {
            if upper(w) && w.chars().skip(1).any(char::is_lowercase) {
                capital.push(w.to_lowercase());
            }
        }
    }
    if capital.is_empty() {
        return capital;
    }
    capital.sort();
    capital.dedup();
    // A word the text also writes in lower case is a word.
    let lower: HashSet<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !upper(w) && w.chars().next().is_some_and(char::is_alphabetic))
        .filter(|w| capital.iter().any(|c| c.len() == w.len()))
        .map(str::to_lowercase)
        .collect();
    capital.retain(|w| !lower.contains(w));
    capital
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makers_and_model_codes_are_names() {
        let n = Names::new();
        for t in [
            "canon", "nokia", "apex", "ipod", "creative", "sd500", "g3", "6610",
        ] {
            assert!(n.is_name(t), "{t}");
        }
        for t in ["battery", "screen", "lens", "sound", "remote", "price"] {
            assert!(!n.is_name(t), "{t}");
        }
    }

    #[test]
    fn capitalised_mid_sentence_and_never_lower_is_a_name() {
        let names = proper_names(
            "I bought this Garmova for my trip. The Garmova screen is bright. The battery died.",
        );
        assert_eq!(names, vec!["garmova"]);
        // A word also written in lower case is a word; title case and first words say nothing.
        let text =
            "Great Sound Quality And Battery. Sound is fine, but the Battery and the battery \
                    cover broke.";
        assert!(proper_names(text).is_empty(), "{:?}", proper_names(text));
        // German capitalises every noun: the analyzer asks this of English texts only.
        let de = "Ich finde, dass der Deckel nicht gut schließt und oft klemmt.";
        assert_eq!(proper_names(de), vec!["deckel"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn proper_names_never_panic(s in "\\PC{0,200}") {
            for n in proper_names(&s) {
                proptest::prop_assert!(!n.is_empty());
            }
            let _ = is_model_code(&s);
        }
    }
}
