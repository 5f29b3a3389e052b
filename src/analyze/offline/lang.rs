//! Language identification (whatlang's trigram models, limited to the languages real exports have).

use whatlang::{Detector, Lang};

pub struct LangId {
    detector: Detector,
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
        LangId {
            detector: Detector::with_allowlist(ALLOWED.to_vec()),
        }
    }

    /// ISO 639-1 code, or None when the text is too short or mixed to tell.
    pub fn detect(&self, text: &str) -> Option<&'static str> {
        let info = self.detector.detect(text)?;
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 12 && info.confidence() < 0.9 {
            return None;
        }
        Some(match info.lang() {
            Lang::Eng => "en",
            Lang::Deu => "de",
            Lang::Fra => "fr",
            Lang::Ita => "it",
            Lang::Spa => "es",
            Lang::Nld => "nl",
            Lang::Pol => "pl",
            Lang::Swe => "sv",
            _ => return None,
        })
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
}
