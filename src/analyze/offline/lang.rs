//! Language identification (whatlang's trigram models, limited to the languages real exports have).

// Fx: built from our own function-word lists; review words only look up (see lexicon.rs).
use rustc_hash::FxHashMap as HashMap;

use whatlang::{Detector, Lang};

pub struct LangId {
    detector: Detector,
    /// Function word → the languages (bits, in `FUNCTION_WORDS` order) it belongs to.
    function_words: HashMap<&'static str, u8>,
}

/// The marketplaces' languages. A wider list costs more than it finds: short Spanish reviews
/// come out as Portuguese, German ones as Danish.
const ALLOWED: [Lang; 8] = [
    Lang::Eng,
    Lang::Deu,
    Lang::Fra,
    Lang::Ita,
    Lang::Spa,
    Lang::Nld,
    Lang::Pol,
    Lang::Swe,
];

impl LangId {
    pub fn new() -> LangId {
        let mut function_words: HashMap<&'static str, u8> = HashMap::default();
        for (i, (_, list)) in FUNCTION_WORDS.iter().enumerate() {
            for w in list.split_whitespace() {
                *function_words.entry(w).or_default() |= 1 << i;
            }
        }
        LangId {
            detector: Detector::with_allowlist(ALLOWED.to_vec()),
            function_words,
        }
    }

    /// ISO 639-1 code, or None when the text is too short or mixed to tell.
    #[cfg(test)]
    pub fn detect(&self, text: &str) -> Option<&'static str> {
        self.guess(text).map(|(lang, _)| lang)
    }

    /// The language (ISO 639-1), or None when the text is too short or mixed to tell, and
    /// whether the guess is firm. A short text that no function words decide
    /// gets an unsure trigram guess ("Sad joke. Worthless." came out Dutch, "Fairly useless."
    /// French): the caller may know better from which lexicon knows its words.
    pub fn guess(&self, text: &str) -> Option<(&'static str, bool)> {
        // Japanese, Chinese, Russian, … are not analyzed, but named: their stars still count.
        if let Some(lang) = by_script(text) {
            return Some((lang, true));
        }
        // Portuguese is not read, and its trigrams are too close to Spanish to allow it (short
        // Spanish reviews would come out Portuguese): its own words name it instead of a Spanish
        // reading of it.
        if is_portuguese(text) {
            return Some(("pt", true));
        }
        // Short texts fool trigram models ("Cannot pair with echo" came out Spanish); their
        // function words rarely do.
        if let Some(lang) = self.by_function_words(text) {
            return Some((lang, true));
        }
        let info = self.detector.detect(text)?;
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 12 && info.confidence() < 0.9 {
            return None;
        }
        // Short English and German texts often come out Dutch or Swedish ("Works wonderfully.",
        // "Sind viele gute Ideen drin."): for those three, only length makes a guess firm.
        let minor = matches!(info.lang(), Lang::Nld | Lang::Pol | Lang::Swe);
        let firm = letters >= SHORT_LETTERS || (info.confidence() >= FIRM_CONFIDENCE && !minor);
        let lang = match info.lang() {
            Lang::Eng => "en",
            Lang::Deu => "de",
            Lang::Fra => "fr",
            Lang::Ita => "it",
            Lang::Spa => "es",
            Lang::Nld => "nl",
            Lang::Pol => "pl",
            Lang::Swe => "sv",
            _ => return None,
        };
        Some((lang, firm))
    }
}

/// Words of Portuguese that Spanish (and the other languages read) never writes.
const PORTUGUESE: [&str; 30] = [
    "não",
    "nao",
    "você",
    "voce",
    "também",
    "tambem",
    "muito",
    "muita",
    "muitos",
    "então",
    "entao",
    "isso",
    "qualidade",
    "produto",
    "bom",
    "boa",
    "ruim",
    "péssimo",
    "pessimo",
    "ótimo",
    "otimo",
    "obrigado",
    "obrigada",
    "pouca",
    "pouco",
    "comprei",
    "chegou",
    "veio",
    "ficou",
    "é",
];

/// `w` lowercased onto `out`, as `char::to_lowercase` does it: ASCII words (most of them) by
/// bytes, without the per-character Unicode table lookups.
fn push_lowercase(out: &mut String, w: &str) {
    if w.is_ascii() {
        let start = out.len();
        out.push_str(w);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
}

/// Whether at least two different Portuguese-only words make up a tenth or more of the text's
/// words: "Pouca qualidade, não deixa mexer no relógio" is Portuguese; a Spanish review quoting
/// one Brazilian word is not.
fn is_portuguese(text: &str) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    let mut words = 0usize;
    let mut lower = String::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        lower.clear();
        push_lowercase(&mut lower, w);
        if let Some(p) = PORTUGUESE.iter().find(|p| lower == **p) {
            if !seen.contains(p) {
                seen.push(p);
            }
        }
    }
    seen.len() >= 2 && seen.len() * 10 >= words.min(200)
}

/// The language of a text written mostly in a script other than Latin: Japanese by its kana (or
/// kanji among kana), Chinese by ideographs without kana, Korean by Hangul, Ukrainian among
/// Cyrillic texts by its own letters (і, ї, є, ґ), Persian among Arabic ones by its own (پ, چ, ژ,
/// گ). A script takes the text when its letters are at least half as many as the Latin ones: a
/// Japanese sentence needs far fewer letters than a European one, and product names ("iPhone 14")
/// are Latin whatever the language.
fn by_script(text: &str) -> Option<&'static str> {
    // Letters per script: Latin, kana, Han, Hangul, Cyrillic, Greek, Arabic, Hebrew, Devanagari,
    // Thai, Armenian, Georgian, Bengali, Tamil.
    let mut n = [0usize; 14];
    let (mut ukrainian, mut persian) = (false, false);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let i = match c as u32 {
            0x41..=0x24F | 0x1E00..=0x1EFF => 0,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => 2,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => 3,
            0x400..=0x52F => {
                ukrainian |= matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ');
                4
            }
            0x370..=0x3FF | 0x1F00..=0x1FFF => 5,
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
                persian |= matches!(c, 'پ' | 'چ' | 'ژ' | 'گ');
                6
            }
            0x590..=0x5FF => 7,
            0x900..=0x97F => 8,
            0xE00..=0xE7F => 9,
            0x530..=0x58F => 10,
            0x10A0..=0x10FF => 11,
            0x980..=0x9FF => 12,
            0xB80..=0xBFF => 13,
            _ => continue,
        };
        n[i] += 1;
    }
    let (best, &count) = n[1..].iter().enumerate().max_by_key(|(_, &c)| c)?;
    if count == 0 || count * 2 < n[0] {
        return None;
    }
    Some(match best + 1 {
        // Kanji with any kana is Japanese; ideographs alone are Chinese.
        1 => "ja",
        2 if n[1] > 0 => "ja",
        2 => "zh",
        3 => "ko",
        4 if ukrainian => "uk",
        4 => "ru",
        5 => "el",
        6 if persian => "fa",
        6 => "ar",
        7 => "he",
        8 => "hi",
        9 => "th",
        10 => "hy",
        11 => "ka",
        12 => "bn",
        _ => "ta",
    })
}

/// Below this many letters, a trigram guess under `FIRM_CONFIDENCE` is unsure. whatlang's
/// confidence for two- to six-word reviews is mostly under 0.2 whether it is right or wrong.
const SHORT_LETTERS: usize = 45;
const FIRM_CONFIDENCE: f64 = 0.3;

/// The most common function words of each marketplace language, and everyday review words that
/// belong to it alone ("works", "funciona", "leider"): short reviews rarely have enough function
/// words to tell (hand-written, MIT). Words another language also uses often are left out (Dutch
/// "van", "met", "je"; Polish "to", "do"; Swedish "den", "till", "bra").
const FUNCTION_WORDS: [(&str, &str); 8] = [
    (
        "en",
        "the and to is it this with for of that was not but my you on have are very they its it's i i'm don't does doesn't so all \
         a an at we our your from has had been be will would can what when just really well than \
         great good love loves loved works worked working product price easy nice best recommend bought little new",
    ),
    (
        "de",
        "der die das und ist nicht ich es sehr mit für auf ein eine zu den sich auch aber war wird nach was so \
         gut leider schnell gerne wieder alles funktioniert preis qualität empfehlung toll \
         mein meine bin habe wir man kann",
    ),
    (
        "fr",
        "le les et est pas je il ce une des du pour très avec qui mais sur au c'est n'est j'ai \
         bien bon bonne produit qualité prix parfait fonctionne tout rien trop \
         suis mon sont vous nous ils cette ça achat",
    ),
    (
        "it",
        "il lo gli è non che per con molto una sono ma della del ho mi anche questo più \
         bene buono buona prodotto qualità prezzo perfetto funziona tutto ottimo consiglio \
         mio mia questa acquisto stato",
    ),
    (
        "es",
        "el los las es que y muy con para por una pero del lo se mi como está más ni nada solo \
         bien bueno buena calidad precio producto funciona perfecto genial todo recomiendo \
         estoy compra mis",
    ),
    (
        "nl",
        "het een niet ik op voor zijn maar ook bij wel erg zeer goed werkt prijs kwaliteit snel \
         mooi naar geen deze wordt heb hebben",
    ),
    (
        "pl",
        "nie w na się z jest że jak ale tak jestem bardzo dobry dobra produkt polecam cena jakość \
         działa od za już",
    ),
    (
        "sv",
        "och att det är som på med för inte jag av har var så mycket produkt fungerar pris \
         kvalitet nöjd om efter sig",
    ),
];

impl LangId {
    /// A language whose function words clearly dominate the text: at least two of them, and at
    /// least twice as many as any other language's.
    fn by_function_words(&self, text: &str) -> Option<&'static str> {
        let counts = self.function_word_counts(text);
        let mut order: Vec<usize> = (0..FUNCTION_WORDS.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
        let (best, second) = (counts[order[0]], counts[order[1]]);
        (best >= 2 && best >= 2 * second).then(|| FUNCTION_WORDS[order[0]].0)
    }

    /// How many of the text's words are function words of each marketplace language (in
    /// `lexicon::LANGS` order).
    pub fn function_word_counts(&self, text: &str) -> [usize; FUNCTION_WORDS.len()] {
        let mut counts = [0usize; FUNCTION_WORDS.len()];
        let mut word = String::new();
        for raw in text
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
            .filter(|w| !w.is_empty())
        {
            word.clear();
            if raw.is_ascii() {
                // `word` was cleared: lowercase it whole, by bytes.
                word.push_str(raw);
                word.make_ascii_lowercase();
            } else {
                word.extend(raw.chars().flat_map(char::to_lowercase).map(|c| {
                    if c == '’' {
                        '\''
                    } else {
                        c
                    }
                }));
            }
            if let Some(&langs) = self.function_words.get(word.as_str()) {
                for (i, n) in counts.iter_mut().enumerate() {
                    *n += usize::from(langs & (1 << i) != 0);
                }
            }
        }
        counts
    }
}

impl Default for LangId {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_by_their_function_words() {
        let l = LangId::new();
        assert_eq!(
            l.detect("Cannot pair with echo to play simultaneously."),
            Some("en")
        );
        assert_eq!(l.detect("I love it!"), Some("en"));
        assert_eq!(l.detect("No tengo ni idea, nada."), Some("es"));
        assert_eq!(l.detect("Das ist nicht gut."), Some("de"));
        // "so" and "was" are German words too: they no longer make this English.
        assert_eq!(l.detect("So was Gutes in der Hand gehabt."), Some("de"));
    }

    #[test]
    fn detects_the_five_languages() {
        let l = LangId::new();
        assert_eq!(
            l.detect("The lid leaks and the strap broke after a week."),
            Some("en")
        );
        assert_eq!(
            l.detect("Der Deckel ist undicht und der Gurt ist nach einer Woche gerissen."),
            Some("de")
        );
        assert_eq!(
            l.detect("Le couvercle fuit et la sangle s'est cassée après une semaine."),
            Some("fr")
        );
        assert_eq!(
            l.detect("Il coperchio perde e la cinghia si è rotta dopo una settimana."),
            Some("it")
        );
        assert_eq!(
            l.detect("La tapa gotea y la correa se rompió después de una semana."),
            Some("es")
        );
        assert_eq!(l.detect("Ok"), None);
    }

    #[test]
    fn portuguese_is_named_not_read_as_spanish() {
        let l = LangId::new();
        for text in [
            "Pouca qualidade. A película não deixa mexer no relógio perfeitamente.",
            "A capa partiu-se ao fim de uma semana, não vale o dinheiro. Muito ruim.",
            "Produto muito bom, chegou antes do prazo.",
        ] {
            assert_eq!(l.detect(text), Some("pt"), "{text}");
        }
        for (text, lang) in [
            ("La funda no vale nada, muy mala calidad.", "es"),
            ("El producto es bueno, pero la caja llegó rota.", "es"),
            ("Qualità pessima, non lo consiglio.", "it"),
        ] {
            assert_eq!(l.detect(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn other_scripts_are_named() {
        let l = LangId::new();
        for (text, lang) in [
            ("iPhone 14 Proに合いませんでした。すぐに割れました。", "ja"),
            ("とても良い", "ja"),
            ("品質が悪い", "ja"),
            ("质量很差，不推荐", "zh"),
            ("배터리가 금방 닳아요", "ko"),
            ("Чехол треснул через неделю", "ru"),
            ("Чохол тріснув через тиждень, дуже погано і дорого", "uk"),
            ("Πολύ καλό προϊόν", "el"),
            ("منتج سيء جدا", "ar"),
            ("מוצר מעולה", "he"),
        ] {
            assert_eq!(l.detect(text), Some(lang), "{text}");
        }
        // A few foreign letters in a Latin text do not make it foreign.
        assert_eq!(
            l.detect("Great case for my phone, fits well 👍 ありがとう"),
            Some("en")
        );
    }

    /// The ASCII path gives what the character-wise one gives, and other words still take it.
    #[test]
    fn push_lowercase_is_char_lowercase() {
        for w in [
            "Great",
            "WORKS",
            "don't",
            "iPhone14",
            "ÉTÉ",
            "Straße",
            "ΟΔΟΣ",
            "İstanbul",
        ] {
            let mut out = String::from("x");
            super::push_lowercase(&mut out, w);
            let want: String = w.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(out, format!("x{want}"), "{w}");
        }
    }
}
