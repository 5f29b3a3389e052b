//! Names that are not aspects: makers, brands, product lines and model codes. "The Canon's
//! battery" criticises the battery; "canon" is who made it, whichever product a review is about.

use std::collections::HashSet;

/// Makers and product lines that reviews of consumer products name, lower-case. A reviewer
/// compares with other makes ("better than my ipod"), so any of them may appear in any review.
const MAKERS: &str =
    "acer aiwa akai alcatel amazon apple asus audiovox belkin benq blackberry bosch bose braun \
canon casio cisco coby compaq dell denon dlink d-link emerson epson ericsson fuji fujifilm \
garmin gopro hitachi htc huawei hp ibm iriver jbl jvc kenwood kodak konica lenovo lexar lg linksys \
logitech magnavox maxtor microsoft minolta motorola netgear nikon nintendo nokia norton olympus \
onkyo panasonic pentax philips polaroid ricoh rio roku samsung sandisk sanyo seagate sennheiser \
siemens sony symantec tdk toshiba tomtom vizio xiaomi yamaha zte ipod iphone ipad itunes imac \
macbook ipaq zune walkman discman kindle xbox playstation wii galaxy powershot cybershot \
lumix finepix treo razr zen nomad anker ikea tefal delonghi kitchenaid dyson vitamix \
sodastream bialetti contigo thermos otterbox spigen";

pub struct Names {
    makers: &'static MakerSet,
}

/// Fx, not SipHash: built from `MAKERS` only (a review's words just look up), and it is asked
/// about most words of every review.
type MakerSet = rustc_hash::FxHashSet<&'static str>;

/// `MAKERS` as a set, built once.
fn makers() -> &'static MakerSet {
    static SET: std::sync::OnceLock<MakerSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| MAKERS.split_whitespace().collect())
}

/// Makers' words that name a store or a service, not whose product line follows them ("amazon
/// prime", "itunes store").
const NOT_LINE_MAKERS: &[&str] = &["amazon", "itunes"];

/// How many words after a maker's name a product line may take ("acme zoomster pro").
const LINE_WORDS: usize = 2;

impl Names {
    pub fn new() -> Names {
        Names { makers: makers() }
    }

    /// A lower-case token that names a maker or product line, or is a model code ("ad2600", "g3").
    pub fn is_name(&self, t: &str) -> bool {
        self.makers.contains(t) || is_model_code(t)
    }

    /// Whether an aspect term is a name: every word the product's own brand ("apex", "nikon"), a
    /// maker or a model code, or any word the brand or a maker ("zorblax speaker": its head counts
    /// as an aspect of its own). Any analyzer's terms, the LLM's too.
    pub fn is_name_term(&self, brand: Option<&str>, term: &str) -> bool {
        self.is_product_name_term(brand, &HashSet::new(), term)
    }

    /// `is_name_term`, where words the product's reviews use as names (`named`) count as names
    /// too: "acme remote" names the maker, as "acme" does.
    pub fn is_product_name_term(
        &self,
        brand: Option<&str>,
        named: &HashSet<String>,
        term: &str,
    ) -> bool {
        // Compared in place: the roll-up asks this for every term of every day row, and a
        // lowercased copy of the brand's words each time cost an allocation per word.
        let brand_word = |w: &str| {
            brand
                .unwrap_or("")
                .split(|c: char| !c.is_alphanumeric())
                .filter(|b| !b.is_empty())
                // `str::to_lowercase`, as terms are lowercased: it knows a final sigma.
                .any(|b| match b.is_ascii() {
                    true => b.eq_ignore_ascii_case(w),
                    false => b.to_lowercase() == w,
                })
        };
        let maker = |w: &str| named.contains(w) || brand_word(w) || self.makers.contains(w);
        term.split(' ').any(maker) || term.split(' ').all(is_model_code)
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

/// Words that follow a company's name ("acme labs", "Acme Inc."), not a product's feature.
const COMPANY_SUFFIXES: &[&str] = &[
    "labs",
    "inc",
    "corp",
    "corporation",
    "ltd",
    "llc",
    "gmbh",
    "plc",
];

/// Words after which a maker's name stands for its helpdesk: "acme customer service",
/// "acme tech support". Each is the first word of a two-word phrase, with the second here too.
const HELPDESK: &[(&str, &str)] = &[
    ("customer", "service"),
    ("customer", "support"),
    ("customer", "care"),
    ("tech", "support"),
    ("technical", "support"),
];

/// Words a name is never made of: articles, pronouns and the like that precede a name ("the
/// acme g7", "my acme") and must not be taken for it.
const NOT_NAMES: &str = "a an the my our your his her their its this that these those one new old \
and or of for to from with by on in at as is was are were be it i we you they than then";

/// Names a review gives, in lower case: the words it capitalises mid-sentence
/// (`proper_names`), and words that name a product or maker whatever their case (`named_by_use`).
/// Exports are often lower-cased ("my acme g7 died"), so case alone is not enough.
pub fn names_in(text: &str) -> Vec<String> {
    let mut names = proper_names(text);
    for n in named_by_use(text) {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

/// Words that the way they are used marks as names, in any case: up to two words before a model
/// code ("acme g7", "acme zoomster 4400"), the word before a company suffix ("acme labs"), the
/// word before a helpdesk ("acme customer service"). Product lines after a known maker are
/// `product_lines`.
pub fn named_by_use(text: &str) -> Vec<String> {
    if !has_name_cue(text) {
        return Vec::new();
    }
    let lower = text.to_lowercase();
    let words = lower_words(&lower);
    let mut out: Vec<String> = Vec::new();
    let add = |w: &str, out: &mut Vec<String>| {
        if !not_name(w) && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    };
    for (i, w) in words.iter().enumerate() {
        if i == 0 {
            continue;
        }
        let before = words[i - 1];
        if is_model_name_code(w) {
            add(before, &mut out);
            // "acme zoomster 4400": a line's name before the code, the maker's before that.
            if i >= 2 && !not_name(before) {
                add(words[i - 2], &mut out);
            }
        } else if COMPANY_SUFFIXES.contains(w) {
            add(before, &mut out);
        } else if let Some(next) = words.get(i + 1) {
            if HELPDESK.iter().any(|(a, b)| a == w && b == next) {
                add(before, &mut out);
            }
        }
    }
    out
}

/// The words of a lower-cased text, without the hyphens and apostrophes around them.
fn lower_words(lower: &str) -> Vec<&str> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map(|w| w.trim_matches(['-', '\'']))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The product lines a text names (`line_names`), in lower case. Kept apart from `names_in`: a
/// review's own aspects leave out the names it gives, and a line word may be a part ("the sony
/// quellor remote"); the roll-up decides from all of a product's reviews.
pub fn product_lines(text: &str) -> Vec<String> {
    if !has_name_cue(text) {
        return Vec::new();
    }
    let lower = text.to_lowercase();
    line_names(&lower_words(&lower))
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The words of a product line: up to `LINE_WORDS` words right after a known maker ("nikon
/// coolpix", "zen xtra", "sony vaio pro"), that the text never writes without a maker
/// before them. "The nikon battery … the battery" is a part: the text uses it on its own.
fn line_names<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let mut after_maker = vec![false; words.len()];
    for (i, w) in words.iter().enumerate() {
        if !makers().contains(w) || NOT_LINE_MAKERS.contains(w) {
            continue;
        }
        let line = (words[i + 1..].iter().take(LINE_WORDS))
            .take_while(|n| line_word(n))
            .count();
        after_maker[i + 1..i + 1 + line].fill(true);
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let alone = |(j, o): (usize, &&str)| o == w && !after_maker[j];
        if after_maker[i] && !out.contains(w) && !words.iter().enumerate().any(alone) {
            out.push(w);
        }
    }
    out
}

/// A word that may continue a product line after a maker: no function word, maker or code, and
/// no possessive, plural, third person, past or adverb ("nikon's quality", "nikon takes", "sony
/// died", "nikon optics").
fn line_word(w: &str) -> bool {
    w.len() >= 2
        && !not_name(w)
        && !makers().contains(w)
        && (!w.ends_with('s') || w.ends_with("ss"))
        && !w.ends_with("ly")
        && !w.ends_with("ed")
}

/// Whether a word cannot be a name: a function word, a word not starting with a letter, a code.
fn not_name(w: &str) -> bool {
    NOT_NAMES.split_whitespace().any(|n| n == w)
        || !w.chars().next().is_some_and(char::is_alphabetic)
        || is_model_code(w)
}

/// Whether a text may name a product by use: it has a digit, a company or helpdesk cue, or a
/// known maker. Most reviews have none, and the check allocates nothing for words of up to 24
/// letters.
fn has_name_cue(text: &str) -> bool {
    let cue = |w: &str| {
        (["support", "service", "care"]
            .iter()
            .chain(COMPANY_SUFFIXES))
        .any(|c| c.eq_ignore_ascii_case(w))
    };
    let mut buf = [0u8; 24];
    text.split(|c: char| !c.is_alphanumeric()).any(|w| {
        if w.bytes().any(|b| b.is_ascii_digit()) || cue(w) {
            return true;
        }
        let Some(lower) = buf.get_mut(..w.len()) else {
            return false;
        };
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        std::str::from_utf8(lower).is_ok_and(|l| makers().contains(l))
    })
}

/// A code that names a model ("g7", "sd500", "ad-2600", "4400"), as opposed to a quantity or a
/// unit ("8mb", "2x", "3rd") or a year ("1998"): letters then digits, or a number of three or more
/// digits that is no year.
pub fn is_model_name_code(t: &str) -> bool {
    let t = t.strip_suffix("'s").unwrap_or(t);
    let t = t.strip_suffix('s').unwrap_or(t);
    let Some(first_digit) = t.find(|c: char| c.is_ascii_digit()) else {
        return false;
    };
    let (head, tail) = t.split_at(first_digit);
    // The tail is the number, perhaps with a letter or two of the model after it ("a95c").
    let digits = tail.chars().take_while(char::is_ascii_digit).count();
    let rest = &tail[digits..];
    if rest.len() > 2 || !rest.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let head = head.trim_end_matches('-');
    if head.is_empty() {
        let year = digits == 4 && (tail.starts_with("19") || tail.starts_with("20"));
        return rest.is_empty() && digits >= 3 && !year;
    }
    // "mp3", "id3", "ps2" are formats and kinds as often as models: two letters and one digit
    // are not enough.
    (head.len() == 1 || (head.len() <= 3 && digits >= 2))
        && head.chars().all(|c| c.is_ascii_alphabetic())
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
            "canon", "nokia", "sony", "ipod", "zune", "sd500", "g3", "6610",
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

    #[test]
    fn model_codes_name_their_maker_in_lower_case() {
        // Invented makers and models: the rules, not a list, find them.
        let text = "my zorblax zx-700 died after a week. the quellor 5120 is better. \
                    the battery lasts 2x longer than in 1998 and holds 128mb.";
        let names = named_by_use(text);
        assert_eq!(names, vec!["zorblax", "quellor"], "{names:?}");
        // A product line between maker and code: both are names.
        let names = named_by_use("I returned the vantrix glimmer 4400 to the store.");
        assert_eq!(names, vec!["glimmer", "vantrix"]);
    }

    #[test]
    fn a_line_after_a_known_maker_is_a_name_when_never_written_alone() {
        // Invented lines after real makers: "quellor" and "zorblax max" never stand alone.
        let names =
            product_lines("my sony quellor died. the nikon zorblax max beats the sony quellor.");
        assert_eq!(names, vec!["quellor", "zorblax", "max"], "{names:?}");
        // A part after a maker that the text also names on its own is a part.
        assert!(product_lines("the nikon battery died, and the battery was new").is_empty());
        // No possessive, third person or plural continues a line; a store starts none.
        assert!(product_lines("nikon's quality, nikon makes cameras, nikon lenses").is_empty());
        assert!(product_lines("amazon prime shipping was fast").is_empty());
        // Lines are not among the names a review's own aspects leave out.
        assert!(names_in("my sony quellor died").is_empty());
    }

    #[test]
    fn company_suffixes_and_helpdesks_name_the_maker() {
        let names = named_by_use("frobco labs never answered. frobco customer service is a joke.");
        assert_eq!(names, vec!["frobco"]);
        let names = named_by_use("Called Brindle Inc. twice; the customer service was rude.");
        assert_eq!(names, vec!["brindle"]);
        // Without a cue nothing is a name.
        assert!(named_by_use("the screen cracked and the strap broke").is_empty());
    }

    #[test]
    fn codes_for_quantities_formats_and_years_name_nothing() {
        for t in [
            "g3", "sd500", "ad-2600", "4400", "zx-700", "a95c", "g3's", "4400s",
        ] {
            assert!(is_model_name_code(t), "{t}");
        }
        for t in [
            "mp3", "id3", "8mb", "128mb", "2x", "3rd", "1998", "2004", "12", "2600mah", "usb",
        ] {
            assert!(!is_model_name_code(t), "{t}");
        }
        // "play mp3 files", "the battery 2x": no name.
        assert!(named_by_use("it will play mp3 files and the 2nd battery lasts 2x").is_empty());
    }

    #[test]
    fn names_in_joins_capitals_and_use() {
        let names = names_in("I love the Plinkett. Sadly the plonk t200 broke.");
        assert_eq!(names, vec!["plinkett", "plonk"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn proper_names_never_panic(s in "\\PC{0,200}") {
            for n in proper_names(&s) {
                proptest::prop_assert!(!n.is_empty());
            }
            let _ = is_model_code(&s);
            let _ = is_model_name_code(&s);
            for n in named_by_use(&s) {
                proptest::prop_assert!(!n.is_empty());
            }
        }

        /// The product-line and name-term rules added in 1.13 read any text and any brand
        /// (names with `&`, `ß`, combining marks, RTL marks, emoji) without panicking.
        #[test]
        fn product_lines_and_name_terms_never_panic(
            s in "(\\PC|[&ßẞİı\u{301}\u{308}\u{200f}\u{200d}😀 ]|sony |acme |apple ){0,60}",
            brand in "\\PC{0,30}",
        ) {
            for l in product_lines(&s) {
                proptest::prop_assert!(!l.is_empty());
            }
            for n in names_in(&s) {
                proptest::prop_assert!(!n.is_empty());
            }
            let names = Names::new();
            let named: HashSet<String> = names_in(&s).into_iter().collect();
            let _ = names.is_name_term(Some(&brand), &s);
            let _ = names.is_product_name_term(Some(&brand), &named, &s);
            let _ = names.is_name(&s.to_lowercase());
        }

        /// Every word of any brand, lowercased as terms are, is a name term: also Greek final
        /// sigmas, Turkish dotted capitals and German ẞ.
        #[test]
        fn every_word_of_any_brand_is_a_name_term(
            brand in "(\\PC|[ΣΑΟẞİ]){1,30}",
        ) {
            let names = Names::new();
            for w in brand.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                let term = w.to_lowercase();
                proptest::prop_assert!(
                    names.is_name_term(Some(&brand), &term),
                    "{} in {}", term, brand
                );
            }
        }
    }
}
