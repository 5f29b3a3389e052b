//! Ratings that reviewers state in words: "Five Stars" (Amazon's own title for a review without
//! one), "4 out of 5 stars", "drei Sterne", "je donne 4 étoiles", "una stella in meno", "★★★★☆".
//! A stated rating is the reviewer's verdict and reads like the star rating it names.

use std::sync::LazyLock;

use regex::Regex;

use super::sentiment::{is_negator, CONTRAST, IRREALIS};

/// A score out of five or ten: "10/10 would recommend", "HANDY AS HELL 10/10 RECOMMEND", "3/5.";
/// `DATE_WORDS` before it make it a date ("ordered on 4/5"), as does a year after it ("4/5/2018").
static SLASHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d/.,])(\d{1,2}(?:[.,]5)?)\s*/\s*(5|10)(?:$|[^\d/.,]|[.,](?:$|\D))")
        .expect("constant regex")
});
/// A score in words that closes a sentence: "10 sur 10", "4 out of 5." An opening "9 out of 10"
/// is a share ("9 out of 10 questions").
static WORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d/.,])(\d{1,2}(?:[.,]5)?)\s*(?:out of|von|sur|su|de|di)\s*(5|10)\W*$")
        .expect("constant regex")
});
/// Words that put a date, not a score, after them: "since 4/10", "arrived 3/5", "am 4/5", "le 4/5".
const DATE_WORDS: &[&str] = &[
    "on",
    "since",
    "by",
    "until",
    "till",
    "from",
    "before",
    "after",
    "ordered",
    "arrived",
    "received",
    "purchased",
    "bought",
    "delivered",
    "shipped",
    "returned",
    "am",
    "vom",
    "seit",
    "bis",
    "ab",
    "le",
    "du",
    "depuis",
    "au",
    "il",
    "dal",
    "del",
    "al",
    "el",
    "desde",
    "hasta",
];

/// Words that count stars, and the language whose number words go with them.
fn star_word(t: &str) -> Option<Lang> {
    Some(match t {
        "star" | "stars" => Lang::En,
        "stern" | "sterne" | "sternen" | "sternchen" => Lang::De,
        "étoile" | "étoiles" | "etoile" | "etoiles" => Lang::Fr,
        "stella" | "stelle" | "stelline" => Lang::It,
        "estrella" | "estrellas" => Lang::Es,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    En,
    De,
    Fr,
    It,
    Es,
}

/// A count of stars written as a digit or as a word of the star word's language.
fn number(t: &str, lang: Lang) -> Option<f64> {
    if let Ok(n) = t.parse::<u8>() {
        return (n <= 10).then_some(n as f64);
    }
    let words: [&[&str]; 6] = match lang {
        Lang::En => [
            &["zero", "no"],
            &["one"],
            &["two"],
            &["three"],
            &["four"],
            &["five"],
        ],
        Lang::De => [
            &["null", "keinen", "keine"],
            &["ein", "einen", "eins"],
            &["zwei"],
            &["drei"],
            &["vier"],
            &["fünf"],
        ],
        Lang::Fr => [
            &["zéro", "aucune"],
            &["une", "un"],
            &["deux"],
            &["trois"],
            &["quatre"],
            &["cinq"],
        ],
        Lang::It => [
            &["zero", "nessuna"],
            &["una", "uno"],
            &["due"],
            &["tre"],
            &["quattro"],
            &["cinque"],
        ],
        Lang::Es => [
            &["cero", "ninguna"],
            &["una", "uno"],
            &["dos"],
            &["tres"],
            &["cuatro"],
            &["cinco"],
        ],
    };
    words.iter().position(|w| w.contains(&t)).map(|n| n as f64)
}

/// After the star word, the count is what was taken off five ("one star off", "einen Stern
/// Abzug", "une étoile en moins", "una stella in meno", "una estrella menos").
const DEDUCTED_AFTER: &[&str] = &["off", "abzug", "weniger", "moins", "meno", "menos"];
/// Before the count, the same in English: "knocked one star", "minus 1 star".
const DEDUCTED_BEFORE: &[&str] = &[
    "minus", "took", "take", "taking", "knocked", "knock", "dropped", "drop", "deducted", "deduct",
    "docked", "dock", "lost", "removed",
];
/// A star word followed by these talks about ratings in general ("5 star reviews").
const ABOUT_RATINGS: &[&str] = &[
    "review",
    "reviews",
    "rating",
    "ratings",
    "bewertung",
    "bewertungen",
    "rezension",
    "rezensionen",
    "avis",
    "recensione",
    "recensioni",
    "opiniones",
    "reseñas",
    "valoraciones",
];
/// Conditions: "would be 5 stars if", "otherwise 5 stars", "wenn", "si". Not Italian "se", which
/// is also the Spanish and French reflexive ("se rompió").
const CONDITIONS: &[&str] = &[
    "if",
    "unless",
    "otherwise",
    "wenn",
    "falls",
    "sonst",
    "si",
    "sinon",
    "altrimenti",
    "sino",
];
/// Words that may stand between the count and "out of five" ("4 out of 5", "4 von 5", "4 sur 5"):
/// the same as `WORDED` reads at a sentence's end.
const OUT_OF: &[&str] = &["of", "von", "sur", "su", "de", "di"];

/// The rating (0 to 5) a sentence (`text`, its `toks`) states: `stated_rating`, or a score out of
/// five or ten ("10/10", "3/5").
pub fn stated_in(text: &str, toks: &[String]) -> Option<f64> {
    stated_rating(toks).or_else(|| {
        // Most sentences have no digit: skip the regex for them.
        if !text.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let text = text.trim();
        let c = SLASHED
            .captures_iter(text)
            .find(|c| {
                let before = c.get(1).map_or("", |n| &text[..n.start()]);
                let word = before
                    .split(|ch: char| !ch.is_alphanumeric())
                    .rfind(|w| !w.is_empty());
                !word.is_some_and(|w| DATE_WORDS.contains(&w.to_lowercase().as_str()))
            })
            .or_else(|| WORDED.captures(text))?;
        let n: f64 = c.get(1)?.as_str().replace(',', ".").parse().ok()?;
        let of: f64 = c.get(2)?.as_str().parse().ok()?;
        (n <= of).then_some(n * 5.0 / of)
    })
}

/// The rating (0 to 5) a sentence states, if it states one as a verdict: not negated ("not
/// five stars"), not a condition ("would be 5 stars if"), not about other reviews. A rating of
/// one star or less is a verdict in any frame ("zero stars if I could").
fn stated_rating(toks: &[String]) -> Option<f64> {
    let mut found = None;
    for (j, t) in toks.iter().enumerate() {
        let rating = if let Some(lang) = star_word(t) {
            if toks
                .get(j + 1)
                .is_some_and(|n| ABOUT_RATINGS.contains(&n.as_str()))
            {
                continue;
            }
            match count_before(toks, j, lang) {
                Some((n, start)) => {
                    if n <= 2.0 && is_deduction(toks, j) {
                        (5.0 - n, start)
                    } else {
                        (n, start)
                    }
                }
                None => continue,
            }
        } else if let Some(lang) = rating_verb(t) {
            // "I only rate it a 3 because", "gave it a 4.", "le doy un 4": a count after a verb of
            // rating, if what follows is no other unit ("gave it 2 weeks").
            match count_after(toks, j, lang) {
                Some(found) => found,
                None => continue,
            }
        } else if t == "★" && (j == 0 || toks[j - 1] != "★") {
            // "★★★★☆": each filled star is one.
            let filled = toks[j..].iter().take_while(|x| *x == "★").count();
            (filled as f64, j)
        } else {
            continue;
        };
        let (n, start) = rating;
        if !(0.0..=5.0).contains(&n) {
            continue;
        }
        if n <= 1.0 || is_verdict(toks, start) {
            found = Some(n);
        }
    }
    found
}

/// Verbs of rating that a bare count may follow. Not "do" or "note" ("I do 2 loads", "Note 5").
fn rating_verb(t: &str) -> Option<Lang> {
    Some(match t {
        "rate" | "rated" | "rating" | "give" | "gave" | "giving" | "gives" => Lang::En,
        "gebe" | "vergebe" | "bewerte" => Lang::De,
        "donne" | "mets" => Lang::Fr,
        "voto" | "metto" => Lang::It,
        "doy" | "pongo" => Lang::Es,
        _ => return None,
    })
}

/// Words between a verb of rating and its count: "rate it a 3", "gebe ihm eine 2", "le doy un 4".
const RATED_FILLERS: &[&str] = &[
    "it",
    "this",
    "them",
    "him",
    "her",
    "a",
    "an",
    "only",
    "just",
    "ihm",
    "ihr",
    "es",
    "nur",
    "eine",
    "le",
    "la",
    "lui",
    "un",
    "une",
    "seulement",
    "gli",
    "solo",
    "lo",
    "les",
    "sólo",
];
/// What may follow a bare count that rates: the sentence's end, a star word, or a reason.
const AFTER_RATED_COUNT: &[&str] = &[
    "because", "for", "since", "as", "but", "and", "instead", "due", "out", "is", "was", "weil",
    "von", "wegen", "aber", "car", "parce", "pour", "sur", "mais", "perché", "per", "su", "ma",
    "porque", "por", "de", "pero",
];

/// The count that follows the verb of rating at `j`, if a rating, and where it starts.
fn count_after(toks: &[String], j: usize, lang: Lang) -> Option<(f64, usize)> {
    let mut k = j + 1;
    while k < toks.len() && k <= j + 3 && RATED_FILLERS.contains(&toks[k].as_str()) {
        k += 1;
    }
    let n = number(toks.get(k)?, lang).filter(|n| *n <= 5.0)?;
    // "3.5": tokens "3" "5".
    let (n, last) = match toks.get(k + 1).map(String::as_str) {
        Some("5") if n < 5.0 => (n + 0.5, k + 1),
        _ => (n, k),
    };
    match toks.get(last + 1) {
        None => Some((n, k)),
        Some(next) if star_word(next).is_some() => None, // the star word's own branch reads it
        Some(next) if AFTER_RATED_COUNT.contains(&next.as_str()) => Some((n, k)),
        Some(_) => None,
    }
}

/// The count that precedes the star word at `j` and where it starts: "5", "4.5" (tokens "4" "5"),
/// "four", "4 out of 5", "8 von 10", and in a deduction "a" ("knocked a star off").
fn count_before(toks: &[String], j: usize, lang: Lang) -> Option<(f64, usize)> {
    let prev = |k: usize| j.checked_sub(k).map(|i| toks[i].as_str());
    if lang == Lang::En && prev(1) == Some("a") && is_deduction(toks, j) {
        return Some((1.0, j - 1));
    }
    let n = number(prev(1)?, lang)?;
    // "gave it 4 instead of 5 stars": the count is the first.
    if prev(2) == Some("of") && prev(3) == Some("instead") {
        let m = number(prev(4)?, lang).filter(|m| *m <= 5.0)?;
        return Some(with_half(toks, m, j - 4));
    }
    // "4 out of 5 stars", "4 von 5 Sternen", "8 sur 10": the count is before "(out) of".
    if let Some(of) = prev(2).filter(|w| OUT_OF.contains(w) && (n == 5.0 || n == 10.0)) {
        let at = if of == "of" && prev(3) == Some("out") {
            4
        } else {
            3
        };
        if let Some(m) = prev(at).and_then(|w| number(w, lang)).filter(|m| *m <= n) {
            return Some(with_half(toks, m, j - at)).map(|(m, start)| (m * 5.0 / n, start));
        }
    }
    if n > 5.0 {
        return None;
    }
    Some(with_half(toks, n, j - 1))
}

/// Whether the stars counted before the star word at `j` were taken off five.
fn is_deduction(toks: &[String], j: usize) -> bool {
    let after = |k: usize| toks.get(j + k).map(String::as_str);
    let off = after(1).is_some_and(|w| DEDUCTED_AFTER.contains(&w))
        || (matches!(after(1), Some("in" | "en"))
            && after(2).is_some_and(|w| DEDUCTED_AFTER.contains(&w)));
    off || toks[j.saturating_sub(3)..j]
        .iter()
        .any(|w| DEDUCTED_BEFORE.contains(&w.as_str()))
}

/// "4.5" is tokenized "4" "5": a 5 after a smaller whole number is its half.
fn with_half(toks: &[String], n: f64, start: usize) -> (f64, usize) {
    match start
        .checked_sub(1)
        .and_then(|i| toks[i].parse::<u8>().ok())
    {
        Some(whole) if n == 5.0 && whole < 5 => (whole as f64 + 0.5, start - 1),
        _ => (n, start),
    }
}

/// A stated count is a verdict unless a negator comes shortly before it ("didn't give 5 stars"),
/// a condition comes before it or right after it ("would be five stars if", "otherwise would have
/// given it 5 stars"; not "leaving 3 stars because it won't play unless plugged in"), or a modal
/// meets a contrast ("I would give 5 stars, but").
fn is_verdict(toks: &[String], start: usize) -> bool {
    let before = &toks[start.saturating_sub(4)..start];
    if before.iter().any(|t| is_negator(t)) {
        return false;
    }
    let near = &toks[..(start + 5).min(toks.len())];
    let conditional = near.iter().any(|t| CONDITIONS.contains(&t.as_str()))
        || near
            .windows(2)
            .any(|w| IRREALIS.contains(&w[0].as_str()) && w[1] == "have");
    let has = |list: &[&str]| toks.iter().any(|t| list.contains(&t.as_str()));
    !(conditional || (has(IRREALIS) && has(CONTRAST)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::offline::text::tokens;

    fn rating(s: &str) -> Option<f64> {
        stated_rating(&tokens(s))
    }

    #[test]
    fn reads_counts_in_five_languages() {
        assert_eq!(rating("Five Stars"), Some(5.0));
        assert_eq!(rating("3 stars for that reason."), Some(3.0));
        assert_eq!(rating("4 out of 5 stars."), Some(4.0));
        assert_eq!(rating("4.5 out of 5 Stars."), Some(4.5));
        assert_eq!(rating("I give it 3.5 stars"), Some(3.5));
        assert_eq!(rating("Drei Sterne, mehr nicht"), Some(3.0));
        assert_eq!(rating("4 von 5 Sternen"), Some(4.0));
        assert_eq!(rating("Je donne deux étoiles"), Some(2.0));
        assert_eq!(rating("Cinque stelle!"), Some(5.0));
        assert_eq!(rating("Le doy tres estrellas"), Some(3.0));
        assert_eq!(rating("★★★★☆"), Some(4.0));
        assert_eq!(rating("8 out of 10 stars"), Some(4.0));
    }

    #[test]
    fn scores_out_of_five_or_ten() {
        let score = |s: &str| stated_in(s, &tokens(s));
        assert_eq!(score("10/10 would recommend"), Some(5.0));
        assert_eq!(score("Seguro 10/10"), Some(5.0));
        assert_eq!(score("6/10"), Some(3.0));
        assert_eq!(score("Je lui mets 10 sur 10."), Some(5.0));
        assert_eq!(score("so 3,5/5"), Some(3.5));
        assert_eq!(score("Ordered on 4/5 and it came on 4/10 at noon"), None);
        assert_eq!(score("HANDY AS HELL 10/10 RECOMMEND"), Some(5.0));
        assert_eq!(score("Sound is 4/5, the app is poor"), Some(4.0));
        assert_eq!(score("It arrived 3/5/2018"), None);
        assert_eq!(score("9 out of 10 questions get an answer"), None);
        assert_eq!(score("Haiku: 5/7/5"), None);
    }

    #[test]
    fn a_bare_count_after_a_verb_of_rating() {
        assert_eq!(
            rating("The reason I only rate it a 3 is the sync"),
            Some(3.0)
        );
        assert_eq!(rating("I gave it a 4 because it has run well"), Some(4.0));
        assert_eq!(rating("I gave it 4 instead of 5 stars"), Some(4.0));
        assert_eq!(rating("Le doy un 2 porque se rompió"), Some(2.0));
        assert_eq!(rating("I gave it 2 weeks"), None);
        assert_eq!(rating("Give it 5 minutes to boot"), None);
        assert_eq!(rating("I didn't rate it a 5 because of the cord"), None);
    }

    #[test]
    fn deductions_count_from_five() {
        assert_eq!(rating("I knocked a star off for the cord."), Some(4.0));
        assert_eq!(
            rating("Took one star off because it arrived late"),
            Some(4.0)
        );
        assert_eq!(rating("Einen Stern Abzug wegen der Lautstärke"), Some(4.0));
        assert_eq!(rating("Una stella in meno per il prezzo"), Some(4.0));
    }

    #[test]
    fn conditions_negations_and_other_reviews_are_no_verdict() {
        assert_eq!(rating("Would be 5 stars if you could turn it off"), None);
        assert_eq!(rating("Otherwise would have given it 5 stars."), None);
        assert_eq!(
            rating("Great product and I would give 5 stars - but no scrolling"),
            None
        );
        assert_eq!(
            rating("The only reason I didn't give 5 stars is the speaker"),
            None
        );
        assert_eq!(rating("Don't trust the 5 star reviews"), None);
        assert_eq!(rating("Keine 5 Sterne wert"), None);
        assert_eq!(rating("Star Wars fans will love it"), None);
        assert_eq!(rating("I would give 5 stars"), Some(5.0));
        assert_eq!(
            rating("I'm leaving 3 stars because it won't play unless it is plugged in"),
            Some(3.0)
        );
    }

    #[test]
    fn one_star_or_less_is_a_verdict_in_any_frame() {
        assert_eq!(rating("I would give it zero stars if I could."), Some(0.0));
        assert_eq!(rating("Not even one star"), Some(1.0));
        assert_eq!(
            rating("Ich würde keine Sterne geben, wenn das ginge"),
            Some(0.0)
        );
    }
}
