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
        Value::Number(ref n) => {
            let x = n.as_f64().ok_or_else(|| bad(&v))?;
            // Unix time in seconds or, as pandas writes it, milliseconds.
            let secs = if x.abs() >= 1e11 { x / 1000.0 } else { x };
            let dt = Utc
                .timestamp_opt(secs.trunc() as i64, 0)
                .single()
                .ok_or_else(|| bad(&v))?;
            Ok(Some(fmt_dt(dt)))
        }
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("nan") {
                return Ok(None);
            }
            if t.len() == s.len() && is_iso_date(t) {
                return Ok(Some(s)); // already canonical: keep the string
            }
            match parse_date_text(t) {
                Some(d) => Ok(Some(d)),
                None => Err(bad(&Value::String(s))),
            }
        }
        other => Err(bad(&other)),
    }
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
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    None
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
        assert_eq!(
            date("d", json!(1_700_000_000_000i64)).unwrap().as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
    }
}
