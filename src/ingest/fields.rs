//! From a source record (any of the known field names, any letter case) to a validated `ReviewRecord`.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::ingest::dates::date;
use crate::ingest::formats::json_type;
use crate::model::ReviewRecord;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    Asin,
    Brand,
    Rating,
    Title,
    Body,
    ReviewId,
    Date,
    Marketplace,
    ProductTitle,
}

/// Known names, compared after lowercasing and dropping `_`, `-`, `.` and spaces. Called for every
/// field of every record, so the key is built on the stack: every known name is short ASCII.
fn field_of(name: &str) -> Option<Field> {
    let mut buf = [0u8; 32];
    let mut n = 0;
    for &b in name.as_bytes() {
        if matches!(b, b'_' | b'-' | b' ' | b'.') {
            continue;
        }
        if !b.is_ascii() || n == buf.len() {
            return None; // no known name is this long or non-ASCII
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    Some(match &buf[..n] {
        b"childasin" | b"asin" | b"productasin" => Field::Asin,
        b"productbrand" | b"brand" | b"brandname" => Field::Brand,
        b"customerreviewrating"
        | b"rating"
        | b"stars"
        | b"starrating"
        | b"reviewrating"
        | b"overall" => Field::Rating,
        b"customerreviewtitle" | b"title" | b"reviewtitle" | b"summary" | b"headline" => {
            Field::Title
        }
        b"customerreviewdescription"
        | b"text"
        | b"body"
        | b"description"
        | b"reviewtext"
        | b"reviewbody"
        | b"content"
        | b"review"
        | b"comment" => Field::Body,
        b"reviewid" | b"id" | b"customerreviewid" => Field::ReviewId,
        // The last two are the McAuley Amazon review datasets' (2014 and 2023) epoch fields.
        b"reviewdate" | b"date" | b"reviewedat" | b"reviewtime" | b"createdat"
        | b"submissiondate" | b"unixreviewtime" | b"timestamp" => Field::Date,
        b"marketplace" | b"market" => Field::Marketplace,
        b"producttitle" | b"productname" | b"itemname" => Field::ProductTitle,
        _ => return None,
    })
}

/// A source record's fields in source order: known ones by meaning (with the source's spelling of
/// the name, for messages), the others by name. Parsed straight from JSON, without building a map
/// or allocating the known names: this is most of ingest's per-record work on the parser thread.
pub type Fields = Vec<(Key, Value)>;

#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    Known(Field, Name),
    Other(String),
}

impl Key {
    pub fn new(name: &str) -> Key {
        match field_of(name) {
            Some(f) => Key::Known(f, Name::new(name)),
            None => Key::Other(name.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Key::Known(_, n) => n.as_str(),
            Key::Other(s) => s,
        }
    }
}

/// A known field's name as the source spelled it, inline (known names are short; a longer one is
/// cut at a character boundary, which only shortens messages).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    len: u8,
    buf: [u8; 47],
}

impl Name {
    fn new(s: &str) -> Name {
        let mut end = s.len().min(47);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut buf = [0u8; 47];
        buf[..end].copy_from_slice(&s.as_bytes()[..end]);
        Name {
            len: end as u8,
            buf,
        }
    }

    pub fn as_str(&self) -> &str {
        // Copied from a &str at a char boundary, so always valid UTF-8.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The keys of the previous record, by position: exports repeat the same names in the same order,
/// so most keys are one string comparison instead of a normalise-and-match.
#[derive(Default)]
pub struct KeyCache(Vec<(Box<str>, Key)>);

const KEY_CACHE_LEN: usize = 64;

impl KeyCache {
    fn key(&mut self, at: usize, name: &str) -> Key {
        if let Some((n, k)) = self.0.get(at) {
            if **n == *name {
                return k.clone();
            }
        }
        let k = Key::new(name);
        if at < self.0.len() {
            self.0[at] = (name.into(), k.clone());
        } else if at == self.0.len() && at < KEY_CACHE_LEN {
            self.0.push((name.into(), k.clone()));
        }
        k
    }
}

/// Deserializes one JSON object into `Fields`; anything else is an error (the caller explains it).
pub struct RecordSeed<'a>(pub &'a mut KeyCache);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Fields;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Fields, D::Error> {
        d.deserialize_map(RecordVisitor(self.0))
    }
}

struct RecordVisitor<'a>(&'a mut KeyCache);

impl<'de> Visitor<'de> for RecordVisitor<'_> {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Fields, A::Error> {
        let mut out = Vec::with_capacity(m.size_hint().unwrap_or(10));
        while let Some(k) = m.next_key_seed(KeySeed(self.0, out.len()))? {
            out.push((k, m.next_value()?));
        }
        Ok(out)
    }
}

struct KeySeed<'a>(&'a mut KeyCache, usize);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(self.0.key(self.1, s))
    }
}

/// A CSV header must name the product and at least one review field.
pub fn check_columns(headers: &[String]) -> Result<(), String> {
    let fields: Vec<Field> = headers.iter().filter_map(|h| field_of(h)).collect();
    if !fields.contains(&Field::Asin) {
        return Err(format!(
            "no product column: expected CHILD_ASIN (or ASIN) among the header's columns ({})",
            headers.join(", ")
        ));
    }
    if ![Field::Rating, Field::Title, Field::Body]
        .iter()
        .any(|f| fields.contains(f))
    {
        return Err(
            "no review columns: expected CUSTOMER_REVIEW_RATING, CUSTOMER_REVIEW_TITLE or CUSTOMER_REVIEW_DESCRIPTION"
                .into(),
        );
    }
    Ok(())
}

/// Maps one source record; `Err` is the reason it is rejected.
pub fn to_review(fields: Fields) -> Result<ReviewRecord, String> {
    let mut rec = ReviewRecord {
        source_review_id: None,
        asin: String::new(),
        brand: None,
        rating: None,
        title: None,
        body: None,
        review_date: None,
        marketplace: None,
        product_title: None,
        extra: None,
    };
    let mut extra = Map::new();
    let mut seen: Vec<(Field, Name)> = Vec::with_capacity(8);
    for (key, value) in fields {
        let (field, key_name) = match key {
            Key::Known(f, n) => (f, n),
            Key::Other(name) => {
                extra.insert(name, value);
                continue;
            }
        };
        let name = key_name.as_str();
        if value.is_null() {
            continue;
        }
        if let Some((_, first)) = seen.iter().find(|(f, _)| *f == field) {
            if *first == key_name {
                check_repeat(&rec, field, name, value)?;
                continue;
            }
            // A second source field for the same meaning is kept as it was, not merged.
            extra.insert(name.to_string(), value);
            continue;
        }
        seen.push((field, key_name));
        match field {
            Field::Asin => rec.asin = asin(name, value)?,
            Field::Rating => rec.rating = rating(name, &value)?,
            Field::Date => rec.review_date = date(name, value)?,
            Field::ReviewId => rec.source_review_id = text(name, value, true)?,
            Field::Brand => rec.brand = text(name, value, true)?,
            Field::Marketplace => rec.marketplace = text(name, value, true)?,
            Field::ProductTitle => rec.product_title = text(name, value, true)?,
            Field::Title => rec.title = text(name, value, false)?,
            Field::Body => rec.body = text(name, value, false)?,
        }
    }
    if rec.asin.is_empty() {
        if seen.is_empty() {
            return Err(no_review_fields(&extra));
        }
        return Err("missing or empty CHILD_ASIN (the product's ASIN)".into());
    }
    if !extra.is_empty() {
        rec.extra = Some(Value::Object(extra).to_string());
    }
    Ok(rec)
}

/// The same name twice in one record (JSON allows it; most readers keep the last, serde the
/// first): a repeat that means the same is harmless, another value makes the record ambiguous.
fn check_repeat(rec: &ReviewRecord, field: Field, name: &str, v: Value) -> Result<(), String> {
    // A string's text, not its JSON (whose quotes the quoting doubled: `""B1""`).
    let shown = match &v {
        Value::String(s) => crate::textsafe::quote_short(s, 40),
        other => crate::textsafe::quote_short(&other.to_string(), 40),
    };
    let same = match field {
        Field::Asin => asin(name, v).is_ok_and(|a| a == rec.asin),
        Field::Rating => rating(name, &v).is_ok_and(|r| r == rec.rating),
        Field::Date => date(name, v).is_ok_and(|d| d == rec.review_date),
        Field::ReviewId => text(name, v, true).is_ok_and(|t| t == rec.source_review_id),
        Field::Brand => text(name, v, true).is_ok_and(|t| t == rec.brand),
        Field::Marketplace => text(name, v, true).is_ok_and(|t| t == rec.marketplace),
        Field::ProductTitle => text(name, v, true).is_ok_and(|t| t == rec.product_title),
        Field::Title => text(name, v, false).is_ok_and(|t| t == rec.title),
        Field::Body => text(name, v, false).is_ok_and(|t| t == rec.body),
    };
    if same {
        return Ok(());
    }
    Err(format!(
        "{} appears twice with different values (the second is {shown}): which one is meant is unclear",
        crate::textsafe::escape_control(name)
    ))
}

/// A record with none of the known fields is most likely not from a review export at all.
fn no_review_fields(extra: &Map<String, Value>) -> String {
    let mut names: Vec<String> = extra
        .keys()
        .take(6)
        .map(|k| crate::textsafe::quote_short(k, 30))
        .collect();
    if extra.len() > names.len() {
        names.push(format!("… {} in all", extra.len()));
    }
    let found = if names.is_empty() {
        "it has no fields".to_string()
    } else {
        format!("its fields are {}", names.join(", "))
    };
    format!(
        "no review fields (CHILD_ASIN, CUSTOMER_REVIEW_RATING, CUSTOMER_REVIEW_DESCRIPTION, …): {found}"
    )
}

/// The value as text, taken (not copied) when it is a string; blank is none.
fn text(name: &str, v: Value, trim: bool) -> Result<Option<String>, String> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => return Err(format!("{name} must be text, found {}", json_type(&other))),
    };
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Ok(Some(if trim && t.len() != s.len() {
        t.to_string()
    } else {
        s
    }))
}

/// The longest product id accepted. Amazon's ASINs are 10 letters and digits (a book's is its
/// ISBN-10); exports of other shops and of test data use SKU-like ids ("HL-APEX-AD2600",
/// "ECHO-CHARCOAL-FABRIC", up to 21 characters in the labelled sets). Past this it is no id but a
/// mistake (a column shifted into the text) or an attack.
pub const ASIN_MAX: usize = 40;

/// A byte a product id may hold after its first: letters, digits and the separators of SKU-like
/// ids. Its first byte is a letter or digit.
fn asin_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

fn asin(name: &str, v: Value) -> Result<String, String> {
    let s = match v {
        // Book ASINs are ISBN-10s; a numeric export may have lost their leading zeros.
        Value::Number(n) => match n.as_u64() {
            Some(x) => return Ok(format!("{x:010}")),
            None => return Err(format!("{name} {n} is not an ASIN: not a whole number")),
        },
        Value::String(_) | Value::Null => text(name, v, true)?.unwrap_or_default(),
        other => {
            return Err(format!(
                "{name} is not an ASIN: found {}, expected text",
                json_type(&other)
            ))
        }
    };
    check_asin(name, &s)?;
    Ok(s)
}

/// The product a record names, if it names one well: only used to say which product's snapshot
/// a rejected record leaves incomplete.
pub fn asin_hint(fields: &Fields) -> Option<String> {
    fields.iter().find_map(|(k, v)| match k {
        Key::Known(Field::Asin, name) if !v.is_null() => asin(name.as_str(), v.clone())
            .ok()
            .filter(|a| !a.is_empty()),
        _ => None,
    })
}

/// An ASIN is ASCII letters and digits (and `-`, `_`, `.` after the first), at most `ASIN_MAX`,
/// kept in the letter case the export gives (stored reviews are keyed on it). Empty is checked by
/// the caller (missing).
fn check_asin(name: &str, s: &str) -> Result<(), String> {
    let first_ok = s.bytes().next().is_none_or(|b| b.is_ascii_alphanumeric());
    if s.len() <= ASIN_MAX && first_ok && s.bytes().all(asin_byte) {
        return Ok(());
    }
    let n = s.chars().count();
    let why = match s
        .chars()
        .enumerate()
        .find(|&(i, c)| !(c.is_ascii() && asin_byte(c as u8)) || (i == 0 && !first_ok))
    {
        _ if n > ASIN_MAX => {
            format!("{n} characters (an ASIN has 10; at most {ASIN_MAX} are accepted)")
        }
        Some((i, c)) => {
            let mut tmp = [0u8; 4];
            format!(
                "character {} is '{}' (an ASIN is ASCII letters and digits, and - _ . after the first)",
                i + 1,
                crate::textsafe::escape_control(c.encode_utf8(&mut tmp))
            )
        }
        None => "not an ASIN".into(),
    };
    Err(format!(
        "{name} {} is not an ASIN: {why}",
        crate::textsafe::quote_short(s, 24)
    ))
}

/// An object's fields as `Fields` (the slow path's parse, and tests).
pub fn fields_of_map(m: Map<String, Value>) -> Fields {
    m.into_iter().map(|(k, v)| (Key::new(&k), v)).collect()
}

fn rating(name: &str, v: &Value) -> Result<Option<u8>, String> {
    let bad = || format!("{name} {v} is not a whole number from 1 to 5");
    let x = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64().ok_or_else(bad)?,
        Value::String(s) => {
            let wide = halfwidth(s);
            let t = wide.as_deref().unwrap_or(s).trim();
            if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("null") {
                return Ok(None);
            }
            stated_rating(t).ok_or_else(bad)?
        }
        _ => return Err(bad()),
    };
    if x.fract() == 0.0 && (1.0..=5.0).contains(&x) {
        Ok(Some(x as u8))
    } else {
        Err(bad())
    }
}

/// A rating written as text: a number with a decimal point or comma ("4.0", "4,0"), or the way
/// Amazon's pages print one in each marketplace, which scraped exports copy ("5.0 out of 5 stars",
/// "4,0 von 5 Sternen", "4,0 sur 5 étoiles", "5つ星のうち4.0", "4/5"). A scale other than 5 is
/// not a rating ("8 out of 10"): the caller's range check then rejects nothing it should keep.
fn stated_rating(t: &str) -> Option<f64> {
    static STATED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if let Some(x) = whole_number(t) {
        return Some(x);
    }
    let re = STATED.get_or_init(|| {
        // A constant pattern: it compiles or the tests fail.
        regex::Regex::new(
            r"(?ix)^(?:
                5\s*つ星のうち\s*(?P<ja>\d(?:[.,]\d+)?)
              | (?P<n>\d(?:[.,]\d+)?)\s*
                (?:(?:out\s+of|of|von|sur|su|de|van|na|/)\s*(?P<scale>\d+(?:[.,]0+)?)\s*)?
                (?:stars?|sterne|sternen|étoiles?|etoiles?|stelle|stella|estrellas?|sterren|ster
                  |gwiazdk[ia]|gwiazdek|★)?\.?
            )$",
        )
        .expect("constant regex")
    });
    let c = re.captures(t.trim())?;
    if let Some(scale) = c.name("scale") {
        if whole_number(scale.as_str())? != 5.0 {
            return None;
        }
    }
    whole_number(c.name("ja").or_else(|| c.name("n"))?.as_str())
}

/// A whole number written as decimal text, exactly: "4", "4.0", "4,000". A fraction that is not
/// zero is none, even one a float parse rounds away ("4.9999999999999999999" was stored as 5).
fn whole_number(n: &str) -> Option<f64> {
    let (int, frac) = match n.find(['.', ',']) {
        Some(i) => (&n[..i], &n[i + 1..]),
        None => (n, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || frac.bytes().any(|b| b != b'0') {
        return None;
    }
    int.parse::<f64>().ok()
}

/// The text with fullwidth forms (U+FF01-FF5E: "５", "．", "Ｍａｒｃｈ") and the ideographic space
/// as their ASCII forms, as Unicode's compatibility mapping (NFKC) reads them; None when it has
/// none. Japanese exports write ratings and dates so.
pub(crate) fn halfwidth(s: &str) -> Option<String> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if s.is_ascii() || !s.chars().any(wide) {
        return None;
    }
    Some(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                c if wide(c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Fields {
        match v {
            Value::Object(m) => fields_of_map(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn seed_fields_any_case_and_aliases() {
        let r = to_review(map(json!({
            "product_brand": "Rhino USA", "Customer_Review_Rating": "4.0",
            "CUSTOMER_REVIEW_TITLE": "Good", "text": "Solid straps", "ASIN": " B0BTTL9LTC ",
            "review_id": "R1", "date": "2025-03-04T10:00:00+02:00", "color": "red"
        })))
        .unwrap();
        assert_eq!(r.asin, "B0BTTL9LTC");
        assert_eq!(r.brand.as_deref(), Some("Rhino USA"));
        assert_eq!(r.rating, Some(4));
        assert_eq!(r.body.as_deref(), Some("Solid straps"));
        assert_eq!(r.source_review_id.as_deref(), Some("R1"));
        assert_eq!(r.review_date.as_deref(), Some("2025-03-04T08:00:00Z"));
        assert_eq!(r.extra.as_deref(), Some(r#"{"color":"red"}"#));
    }

    #[test]
    fn ratings() {
        for (v, want) in [
            (json!(5), Some(5)),
            (json!(5.0), Some(5)),
            (json!("4.0"), Some(4)),
            (json!(" 3 "), Some(3)),
            (json!(null), None),
            (json!("NaN"), None),
            (json!("4,0"), Some(4)),
            (json!("5.0 out of 5 stars"), Some(5)),
            (json!("1.0 out of 5 stars"), Some(1)),
            (json!("4,0 von 5 Sternen"), Some(4)),
            (json!("3,0 sur 5 étoiles"), Some(3)),
            (json!("2,0 su 5 stelle"), Some(2)),
            (json!("5,0 de 5 estrellas"), Some(5)),
            (json!("4,0 van 5 sterren"), Some(4)),
            (json!("5つ星のうち4.0"), Some(4)),
            (json!("4/5"), Some(4)),
            (json!("3 stars"), Some(3)),
            (json!("1 Star"), Some(1)),
        ] {
            assert_eq!(rating("r", &v).unwrap(), want, "{v}");
        }
        for v in [
            json!(0),
            json!(6),
            json!(4.5),
            json!("five"),
            json!([5]),
            json!(true),
            json!("4.5 out of 5 stars"),
            json!("8 out of 10 stars"),
            json!("4 out of 10"),
            json!("5 stars and a smile"),
            json!("4,5"),
            json!("stars: 5"),
        ] {
            assert!(rating("r", &v).is_err(), "{v}");
        }
    }

    #[test]
    fn missing_asin_and_wrong_types_are_rejected() {
        assert!(to_review(map(json!({"CHILD_ASIN": "", "CUSTOMER_REVIEW_RATING": 5}))).is_err());
        assert!(to_review(map(json!({"CUSTOMER_REVIEW_RATING": 5}))).is_err());
        let e = to_review(map(
            json!({"CHILD_ASIN": "B1", "CUSTOMER_REVIEW_TITLE": {"a": 1}}),
        ))
        .unwrap_err();
        assert!(
            e.contains("CUSTOMER_REVIEW_TITLE") && e.contains("object"),
            "{e}"
        );
    }

    #[test]
    fn asins_are_letters_and_digits() {
        for ok in [
            "B0BTTL9LTC",
            "b0lower",
            "B1",
            "0123456789",
            "HL-APEX-AD2600",
            "ECHO_CHARCOAL.FABRIC",
            &"A".repeat(ASIN_MAX),
        ] {
            let r = to_review(map(json!({"asin": ok, "rating": 5}))).unwrap();
            assert_eq!(r.asin, ok);
        }
        for (bad, why) in [
            ("B0\u{0}X", "character 3 is '\\x00'"),
            ("B0 12", "character 3 is ' '"),
            ("-B012", "character 1 is '-'"),
            ("B0/12", "character 3 is '/'"),
            ("B0\u{1b}[2J", "'\\x1b'"),
            ("BÖ", "character 2 is 'Ö'"),
            (&"B".repeat(ASIN_MAX + 1), "41 characters"),
        ] {
            let e = to_review(map(json!({"CHILD_ASIN": bad, "rating": 5}))).unwrap_err();
            assert!(
                e.starts_with("CHILD_ASIN \"") && e.contains("is not an ASIN"),
                "{e}"
            );
            assert!(e.contains(why), "{bad:?}: {e}");
            assert!(!e.contains('\0') && !e.contains('\u{1b}'), "{e:?}");
        }
        let e = to_review(map(json!({"asin": "x".repeat(100_000)}))).unwrap_err();
        assert!(e.len() < 200 && e.contains("100000 characters"), "{e}");
        for v in [json!(true), json!([1]), json!({"a": 1})] {
            let e = to_review(map(json!({"asin": v}))).unwrap_err();
            assert!(e.contains("is not an ASIN"), "{e}");
        }
        let e = to_review(map(json!({"reviews": "none", "count": 3}))).unwrap_err();
        assert!(
            e.contains("no review fields") && e.contains("\"reviews\""),
            "{e}"
        );
    }

    #[test]
    fn numeric_asins_keep_isbn_zeros() {
        let r = to_review(map(json!({"CHILD_ASIN": 123456789, "rating": 5}))).unwrap();
        assert_eq!(r.asin, "0123456789");
    }
}

/// cargo-fuzz style: the rating and date parsers over arbitrary Unicode and numbers.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// The fullwidth form of ASCII text ("4.0" → "４．０").
    fn widen(s: &str) -> String {
        let wide = |c: char| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c);
        s.chars()
            .map(|c| if c.is_ascii_graphic() { wide(c) } else { c })
            .collect()
    }

    fn check_date(d: &str) -> Result<(), TestCaseError> {
        let day = d.get(..10).unwrap_or("");
        let parsed = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d");
        prop_assert!(parsed.is_ok() && day >= "1995-01-01", "{}", d);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any text is a rating of 1-5 that the text writes (ASCII or fullwidth), or refused.
        #[test]
        fn any_text_is_a_written_rating_or_refused(
            t in "(\\PC|[0-9.,/ ]|５|．|つ星のうち|out of|stars)*",
        ) {
            if let Ok(Some(n)) = rating("r", &Value::String(t.clone())) {
                prop_assert!((1..=5).contains(&n));
                let (ascii, wide) = (char::from(b'0' + n), widen(&n.to_string()));
                prop_assert!(t.contains(ascii) || t.contains(wide.as_str()), "{} → {}", t, n);
            }
        }

        /// Decimal text is exact: a whole number with zeros after the point, or refused.
        #[test]
        fn decimal_ratings_are_exact(
            int in 0u32..9,
            sep in "[.,]",
            // Fractions a float parse rounds to a whole number, and any others.
            frac in "9{15,30}|0{15,30}[1-9]|[0-9]{0,30}",
        ) {
            let t = format!("{int}{sep}{frac}");
            let whole = (1..=5).contains(&int) && frac.bytes().all(|b| b == b'0');
            let got = rating("r", &Value::String(t.clone())).ok().flatten();
            prop_assert_eq!(got, whole.then_some(int as u8), "{}", t);
        }

        /// Fullwidth text reads as its ASCII form, ratings and dates alike.
        #[test]
        fn fullwidth_reads_as_ascii(
            t in "[0-9]{1,4}([-./年月日 ]|out of 5|つ星のうち)?[0-9]{0,4}([-./年月日]|stars)?[0-9]{0,2}",
        ) {
            let (a, w) = (Value::String(t.clone()), Value::String(widen(&t)));
            prop_assert_eq!(rating("r", &a).ok(), rating("r", &w).ok(), "{}", t);
            let dates = (super::super::dates::date("d", a), super::super::dates::date("d", w));
            prop_assert_eq!(dates.0.ok(), dates.1.ok(), "{}", t);
        }

        /// Any text or number is a plausible canonical date, or refused; never a panic.
        #[test]
        fn any_text_is_a_plausible_date_or_refused(
            t in "(\\PC|[0-9０-９年月日.,/:TZ+-]| (March|März|de|vom|on|of) )*",
        ) {
            if let Ok(Some(d)) = super::super::dates::date("d", Value::String(t)) {
                check_date(&d)?;
            }
        }

        #[test]
        fn any_number_is_a_rating_or_date_or_refused(x in proptest::num::f64::ANY, i in any::<i64>()) {
            for v in [json_number(x), Value::from(i)] {
                if let Ok(Some(n)) = rating("r", &v) {
                    prop_assert!((1..=5).contains(&n) && v.as_f64() == Some(f64::from(n)), "{}", v);
                }
                if let Ok(Some(d)) = super::super::dates::date("d", v) {
                    check_date(&d)?;
                }
            }
        }
    }

    fn json_number(x: f64) -> Value {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}
