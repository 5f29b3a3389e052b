//! Review dates: the forms exports write them in, canonical (`YYYY-MM-DD`, or RFC 3339 in UTC when
//! the export gives a time), and plausible.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// A review date, canonical, and plausible: reviews began in 1995, and none is written after
/// tomorrow (in any time zone). A year 0 or a negative one, an epoch 0 for "missing", 9999-12-31
/// for "unknown" are broken fields: stored, they opened every trend with a month such as
/// "-0001-0" and became the latest review date.
pub(crate) fn date(name: &str, v: Value) -> Result<Option<String>, String> {
    static LATEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let Some(d) = date_value(name, v)? else {
        return Ok(None);
    };
    let latest = LATEST.get_or_init(|| {
        (Utc::now() + chrono::Duration::days(2))
            .format("%Y-%m-%d")
            .to_string()
    });
    // Canonical dates compare as text; a sign ('-', '+' for years past 9999) sorts before digits.
    let day = d.get(..10).unwrap_or("");
    if day < "1995-01-01" || day > latest.as_str() {
        return Err(format!(
            "{name} {d:?} is not a plausible review date (before 1995 or in the future)"
        ));
    }
    Ok(Some(d))
}

fn date_value(name: &str, v: Value) -> Result<Option<String>, String> {
    let bad = |shown: &Value| {
        format!("{name} {shown} is not a date this tool recognises (use YYYY-MM-DD or RFC 3339)")
    };
    match v {
        Value::Null => Ok(None),
        Value::Number(ref n) => n.as_f64().and_then(epoch).map(Some).ok_or_else(|| bad(&v)),
        Value::String(s) => {
            // Japanese exports may write digits fullwidth ("２０２４年３月５日"): read as ASCII.
            let s = super::fields::halfwidth(&s).unwrap_or(s);
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("nan") {
                return Ok(None);
            }
            if t.len() == s.len() && is_iso_date(t) {
                return Ok(Some(s)); // already canonical: keep the string
            }
            // A CSV cell is text: epoch seconds or milliseconds (McAuley's `unixReviewTime`) arrive
            // as digits. Nine or more, so no digits-only calendar form is read as one.
            if t.len() >= 9 && t.bytes().all(|b| b.is_ascii_digit()) {
                let x = t.parse::<f64>().ok().and_then(epoch);
                return x.map(Some).ok_or_else(|| bad(&Value::String(s)));
            }
            match parse_date_text(t) {
                Some(d) => Ok(Some(d)),
                None => Err(bad(&Value::String(s))),
            }
        }
        other => Err(bad(&other)),
    }
}

/// Unix time in seconds or, as pandas writes it, milliseconds.
fn epoch(x: f64) -> Option<String> {
    let secs = if x.abs() >= 1e11 { x / 1000.0 } else { x };
    let dt = Utc.timestamp_opt(secs.trunc() as i64, 0).single()?;
    Some(fmt_dt(dt))
}

/// `YYYY-MM-DD` naming a real calendar day.
fn is_iso_date(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) {
        return false;
    }
    if !digits(8..10) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d).is_some(),
        _ => false,
    }
}

fn fmt_dt(dt: DateTime<Utc>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn parse_date_text(t: &str) -> Option<String> {
    // The common case, already canonical: checked without chrono's format machinery.
    if is_iso_date(t) {
        return Some(t.to_string());
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(fmt_dt(dt.with_timezone(&Utc)));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Some(fmt_dt(dt.and_utc()));
        }
    }
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%z") {
        return Some(fmt_dt(dt.with_timezone(&Utc)));
    }
    for f in [
        "%Y/%m/%d",
        "%d.%m.%Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        // The McAuley Amazon datasets' `reviewTime` ("02 9, 2014"): month first, as the comma says.
        "%m %d, %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    marketplace_date(t)
}

/// Amazon's pages print a review's date in the marketplace's language, and scraped exports copy
/// the whole line: "Reviewed in the United States on March 5, 2024", "Rezension aus Deutschland vom
/// 5. März 2024", "Commenté en France le 5 mars 2024", "Revisado en España el 5 de marzo de
/// 2024", "2024年3月5日に日本でレビュー済み". Without this every review of such an export was rejected.
fn marketplace_date(t: &str) -> Option<String> {
    static FORMS: std::sync::OnceLock<[regex::Regex; 3]> = std::sync::OnceLock::new();
    let [ja, day_first, month_first] = FORMS.get_or_init(|| {
        // Constant patterns: they compile or the tests fail.
        let re = |p: &str| regex::Regex::new(p).expect("constant regex");
        [
            // The year is every digit before 年: "12024年" is no 2024.
            re(r"(?:^|\D)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
            re(r"(?i)\b(\d{1,2})\.?\s+(?:de\s+)?(\p{L}+)\.?,?\s+(?:de\s+)?(\d{4})\b"),
            re(r"(?i)\b(\p{L}+)\.?\s+(\d{1,2}),?\s+(\d{4})\b"),
        ]
    });
    let num = |m: Option<regex::Match>| m?.as_str().parse::<u32>().ok();
    let ymd = |y: Option<u32>, m: Option<u32>, d: Option<u32>| {
        let d = NaiveDate::from_ymd_opt(i32::try_from(y?).ok()?, m?, d?)?;
        Some(d.format("%Y-%m-%d").to_string())
    };
    // Every date the line holds: one that names no real day, or two that differ ("March 5, 2024
    // … 2024年4月1日"), is no date (the first form found used to win).
    let mut found: Vec<Option<String>> = Vec::new();
    for c in ja.captures_iter(t) {
        found.push(ymd(num(c.get(1)), num(c.get(2)), num(c.get(3))));
    }
    for c in day_first.captures_iter(t) {
        if let Some(m) = c.get(2).and_then(|m| month(m.as_str())) {
            found.push(ymd(num(c.get(3)), Some(m), num(c.get(1))));
        }
    }
    for c in month_first.captures_iter(t) {
        if let Some(m) = c.get(1).and_then(|m| month(m.as_str())) {
            found.push(ymd(num(c.get(3)), Some(m), num(c.get(2))));
        }
    }
    let first = found.first()?.clone()?;
    found
        .iter()
        .all(|d| d.as_ref() == Some(&first))
        .then_some(first)
}

/// A month's name (or English abbreviation) in the languages of Amazon's European marketplaces.
fn month(name: &str) -> Option<u32> {
    const NAMES: [&[&str]; 12] = [
        &[
            "january", "jan", "januar", "jänner", "janvier", "gennaio", "enero", "januari",
            "janeiro", "stycznia",
        ],
        &[
            "february",
            "feb",
            "februar",
            "février",
            "fevrier",
            "febbraio",
            "febrero",
            "februari",
            "fevereiro",
            "lutego",
        ],
        &[
            "march", "mar", "märz", "maerz", "mars", "marzo", "maart", "março", "marca",
        ],
        &["april", "apr", "avril", "aprile", "abril", "kwietnia"],
        &["may", "mai", "maggio", "mayo", "mei", "maj", "maio", "maja"],
        &[
            "june", "jun", "juni", "juin", "giugno", "junio", "junho", "czerwca",
        ],
        &[
            "july", "jul", "juli", "juillet", "luglio", "julio", "julho", "lipca",
        ],
        &[
            "august", "aug", "août", "aout", "agosto", "augustus", "augusti", "sierpnia",
        ],
        &[
            "september",
            "sep",
            "sept",
            "septembre",
            "settembre",
            "septiembre",
            "setiembre",
            "setembro",
            "września",
        ],
        &[
            "october",
            "oct",
            "oktober",
            "octobre",
            "ottobre",
            "octubre",
            "outubro",
            "października",
        ],
        &[
            "november",
            "nov",
            "novembre",
            "noviembre",
            "novembro",
            "listopada",
        ],
        &[
            "december",
            "dec",
            "dezember",
            "décembre",
            "decembre",
            "dicembre",
            "diciembre",
            "dezembro",
            "grudnia",
        ],
    ];
    let name = name.to_lowercase();
    NAMES
        .iter()
        .position(|names| names.contains(&name.as_str()))
        .and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates() {
        assert_eq!(parse_date_text("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(
            parse_date_text("March 5, 2024").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(parse_date_text("05.03.2024").as_deref(), Some("2024-03-05"));
        assert_eq!(parse_date_text("2024-13-01"), None);
        assert_eq!(parse_date_text("2023-02-29"), None);
        assert_eq!(parse_date_text("2023-1-05").as_deref(), Some("2023-01-05"));
        for (line, want) in [
            (
                "Reviewed in the United States on March 5, 2024",
                "2024-03-05",
            ),
            (
                "Reviewed in the United Kingdom on 5 March 2024",
                "2024-03-05",
            ),
            ("Rezension aus Deutschland vom 5. März 2024", "2024-03-05"),
            ("Commenté en France le 5 février 2024", "2024-02-05"),
            ("Recensito in Italia il 12 dicembre 2023", "2023-12-12"),
            ("Revisado en España el 5 de marzo de 2024", "2024-03-05"),
            ("Beoordeeld in Nederland op 31 augustus 2024", "2024-08-31"),
            ("Zrecenzowano w Polsce dnia 3 września 2024", "2024-09-03"),
            ("2024年3月5日に日本でレビュー済み", "2024-03-05"),
            ("02 9, 2014", "2014-02-09"),
        ] {
            assert_eq!(parse_date_text(line).as_deref(), Some(want), "{line}");
        }
        for line in [
            "Reviewed in the United States on Marchtember 5, 2024",
            "Rezension aus Deutschland vom 31. Februar 2024",
            "vom 5. Sonntag 2024",
            "5 items 2024",
            "2024年13月5日",
        ] {
            assert_eq!(parse_date_text(line), None, "{line}");
        }
        assert_eq!(
            date("d", json!(1_700_000_000_000i64)).unwrap().as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
    }

    proptest::proptest! {
        /// Any text, in any script, with digits, month names and the CJK date marks mixed in,
        /// parses to a real calendar date or to nothing, never a panic.
        #[test]
        fn any_text_is_a_real_date_or_none(
            t in "(\\PC|[0-9年月日.,ßé]| (März|mars|de|vom|on) )*",
        ) {
            if let Some(d) = parse_date_text(&t) {
                let day = d.get(..10).unwrap_or("");
                proptest::prop_assert!(NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(), "{}", d);
            }
        }
    }
}
