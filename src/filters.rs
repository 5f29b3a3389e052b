//! What a list may be filtered, sorted and paged by: one set of checks for `report`'s flags and
//! `serve`'s query parameters, so the CLI and the API accept and refuse the same values with the
//! same words. (Commands never import each other; both reach this module and `store`.) A check
//! returns a [`BadParam`] that names the parameter and, where there is a list, the allowed values.

use std::sync::LazyLock;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use regex::Regex;

use crate::model::Sentiment;
use crate::store::pages::{BrandKey, BrandSort, Key, ProductSort};
use crate::store::views::IssueSort;
use crate::store::windows::Window;
use crate::taxonomy;
use chrono::NaiveDate;

/// The API's page size when none is given, and its largest.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
/// The longest text value (brand, search text, marketplace), in characters. Cursors are exempt:
/// they only carry back a key the server wrote, whatever its length.
pub const MAX_VALUE_LEN: usize = 200;
/// The most brands one list may name.
pub const MAX_BRANDS: usize = 100;
/// `sentiment=` of the product list: a kind and an optional bound in percent (0-100). The OpenAPI
/// document carries this same pattern, so the two cannot disagree.
pub const SENTIMENT_BOUND_PATTERN: &str =
    r"^(negative|positive)(:(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?))?$";
/// A cursor is base64url without padding.
pub const CURSOR_PATTERN: &str = r"^[A-Za-z0-9_-]+$";

static SENTIMENT_BOUND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(SENTIMENT_BOUND_PATTERN).expect("a valid pattern"));

/// A value the user got wrong: which parameter (API name; the CLI flag is `--` and the name with
/// `-` for `_`), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadParam {
    pub param: String,
    pub message: String,
}

pub fn bad(param: &str, message: impl Into<String>) -> BadParam {
    BadParam {
        param: param.to_string(),
        message: message.into(),
    }
}

/// A text filter: not empty or only whitespace (leave it out instead; "brand= " matched no
/// product where "brand=" was refused), at most [`MAX_VALUE_LEN`] characters.
pub fn text(param: &str, v: &str) -> Result<String, BadParam> {
    if v.is_empty() {
        return Err(bad(param, "empty; leave it out instead"));
    }
    if v.chars().all(is_blank) {
        return Err(bad(param, "only whitespace; leave it out instead"));
    }
    if v.chars().count() > MAX_VALUE_LEN {
        return Err(bad(
            param,
            format!("longer than {MAX_VALUE_LEN} characters"),
        ));
    }
    Ok(v.to_string())
}

/// The characters ECMAScript's `\s` matches, and NUL (SQLite's LIKE ends a pattern there, so
/// `q=%00` matched every product): what `TEXT_PATTERN` (the OpenAPI document's, which the fuzzer
/// and clients read) calls blank, so the two agree.
pub fn is_blank(c: char) -> bool {
    matches!(
        c,
        '\0' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// A text value holds a character that is not whitespace (`is_blank`).
pub const TEXT_PATTERN: &str = "[^\\u0000\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/// Brands to filter by (each a text value; matched ignoring case by the store).
pub fn brands(param: &str, given: &[String]) -> Result<Vec<String>, BadParam> {
    if given.len() > MAX_BRANDS {
        return Err(bad(param, format!("at most {MAX_BRANDS} brands")));
    }
    given.iter().map(|b| text(param, b)).collect()
}

/// An issue code: one of the taxonomy's, or shaped as a custom topic's (`analyze --topics`), which
/// the store knows (a code no run defined matches nothing).
pub fn issue(param: &str, code: &str) -> Result<String, BadParam> {
    if taxonomy::is_code(code) || crate::topics::is_code_shape(code) {
        return Ok(code.to_string());
    }
    Err(bad(
        param,
        format!(
            "unknown issue code {code:?}; one of: {}, or a code of your topics file",
            taxonomy::codes().join(", ")
        ),
    ))
}

/// An issue code the current insights know: built-in, or one of their custom topics'.
pub fn known_issue(
    param: &str,
    code: &str,
    labels: &crate::topics::Labels,
) -> Result<String, BadParam> {
    if labels.is_code(code) {
        return Ok(code.to_string());
    }
    let mut known = taxonomy::codes().join(", ");
    for c in labels.custom_codes() {
        known.push_str(", ");
        known.push_str(&c);
    }
    Err(bad(
        param,
        format!("unknown issue code {code:?}; one of: {known}"),
    ))
}

pub fn product_sort(param: &str, s: &str) -> Result<ProductSort, BadParam> {
    ProductSort::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ProductSort::ALL.iter().map(|k| k.name()).collect();
        bad(
            param,
            format!("unknown sort {s:?}; one of: {}", names.join(", ")),
        )
    })
}

pub fn brand_sort(param: &str, s: &str) -> Result<BrandSort, BadParam> {
    BrandSort::parse(s).ok_or_else(|| {
        let names: Vec<&str> = BrandSort::ALL.iter().map(|k| k.name()).collect();
        bad(
            param,
            format!("unknown sort {s:?}; one of: {}", names.join(", ")),
        )
    })
}

/// The issue list's `sort` (`report issues --sort` offers the same names).
pub fn issue_sort(param: &str, s: &str) -> Result<IssueSort, BadParam> {
    IssueSort::parse(s).ok_or_else(|| {
        let names: Vec<&str> = IssueSort::ALL.iter().map(|k| k.name()).collect();
        bad(
            param,
            format!("unknown sort {s:?}; one of: {}", names.join(", ")),
        )
    })
}

/// `asc` or `desc`: whether the order is descending.
pub fn descending(param: &str, s: &str) -> Result<bool, BadParam> {
    match s {
        "asc" => Ok(false),
        "desc" => Ok(true),
        o => Err(bad(param, format!("{o:?} is not one of: asc, desc"))),
    }
}

/// A page size: at least 1, and at most `max` where there is one (the API's pages).
pub fn limit(param: &str, n: i64, max: Option<usize>) -> Result<usize, BadParam> {
    match max {
        Some(max) if !(1..=max as i64).contains(&n) => {
            Err(bad(param, format!("must be between 1 and {max}")))
        }
        None if n < 1 => Err(bad(param, "must be at least 1")),
        _ => Ok(n as usize),
    }
}

/// `negative:20` (at least 20 % negative), `positive:80`; a bare kind means at least 50 %.
/// Returns (min % negative, min % positive).
pub fn sentiment_bound(param: &str, s: &str) -> Result<(Option<f64>, Option<f64>), BadParam> {
    let parsed = SENTIMENT_BOUND.is_match(s).then(|| {
        let (kind, bound) = s.split_once(':').unwrap_or((s, "50"));
        (kind, bound.parse::<f64>().ok())
    });
    match parsed {
        Some(("negative", Some(x))) => Ok((Some(x), None)),
        Some(("positive", Some(x))) => Ok((None, Some(x))),
        _ => Err(bad(
            param,
            format!("{s:?}: use negative[:PCT] or positive[:PCT] with PCT from 0 to 100, e.g. negative:20"),
        )),
    }
}

/// A review's overall sentiment.
pub fn review_sentiment(param: &str, s: &str) -> Result<Sentiment, BadParam> {
    Sentiment::parse(s).ok_or_else(|| {
        bad(
            param,
            format!("{s:?} is not one of: positive, neutral, negative"),
        )
    })
}

/// A date or time to compare analysis runs with: `YYYY-MM-DD` (its start) or RFC 3339. Returned in
/// the form run timestamps are stored in (UTC, RFC 3339), so text order is time order.
pub fn since(param: &str, s: &str) -> Result<String, BadParam> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if s.len() == 10 {
            return Ok(d.format("%Y-%m-%d").to_string());
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    }
    Err(bad(
        param,
        format!("{s:?} is not a date: use YYYY-MM-DD (e.g. 2026-11-01) or RFC 3339 (e.g. 2026-11-01T08:00:00Z)"),
    ))
}

/// A day of a time window: `YYYY-MM-DD`, or an RFC 3339 time (its UTC day).
pub fn day(param: &str, s: &str) -> Result<NaiveDate, BadParam> {
    if s.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(d);
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc).date_naive());
    }
    Err(bad(
        param,
        format!("{s:?} is not a date: use YYYY-MM-DD (e.g. 2026-11-01) or RFC 3339"),
    ))
}

/// The runs `report changes` and `/changes` list: finished since `since` (a checked `since`: a day
/// or an instant, kept as given) and on or before the day `to`, whose day may not be before
/// `since`'s (`names`: the two parameters). Returns them as the store takes them.
pub fn runs_finished(
    names: [&str; 2],
    since: Option<String>,
    to: Option<NaiveDate>,
) -> Result<(Option<String>, Option<String>), BadParam> {
    let since_day = since.as_deref().map(|s| day(names[0], s)).transpose()?;
    let days = window([names[0], names[1], ""], since_day, to, None)?;
    Ok((since, days.to.map(|d| d.format("%Y-%m-%d").to_string())))
}

/// `compare=`: the only comparison is with the window of the same length just before.
pub const COMPARE_VALUES: [&str; 1] = ["previous"];

/// A time window from its checked days (`names` = the start's, the end's and the comparison's
/// parameter names): the start may not be after the end, and a comparison needs a start.
pub fn window(
    names: [&str; 3],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    compare: Option<&str>,
) -> Result<Window, BadParam> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(bad(
                names[0],
                format!("{f} is after the end of the window ({t})"),
            ));
        }
    }
    let compare_previous = match compare {
        None => false,
        Some("previous") => true,
        Some(c) => {
            return Err(bad(
                names[2],
                format!(
                    "unknown comparison {c:?}; one of: {}",
                    COMPARE_VALUES.join(", ")
                ),
            ))
        }
    };
    if compare_previous && from.is_none() {
        return Err(bad(
            names[2],
            format!(
                "comparing with the previous window needs its start ({})",
                names[0]
            ),
        ));
    }
    // No day is before year 0's first (`day` reads four digits): such a window has none before
    // it, and a comparison dropped silently would read as "nothing changed".
    if compare_previous && from.is_some() && from == NaiveDate::from_ymd_opt(0, 1, 1) {
        return Err(bad(
            names[2],
            format!(
                "no window comes before one starting on the first day ({} 0000-01-01)",
                names[0]
            ),
        ));
    }
    Ok(Window {
        from,
        to,
        compare_previous,
    })
}

fn order_name(descending: bool) -> &'static str {
    if descending {
        "desc"
    } else {
        "asc"
    }
}

/// A cursor is opaque to clients: base64url of `kind|sort|order|value|key`. It is only valid with
/// the list, sort and order that produced it.
fn encode_cursor(
    kind: &str,
    sort: &str,
    descending: bool,
    value: Option<f64>,
    key: &str,
) -> String {
    let value = value.map(|v| v.to_string()).unwrap_or_default();
    let raw = format!("{kind}|{sort}|{}|{value}|{key}", order_name(descending));
    URL_SAFE_NO_PAD.encode(raw)
}

fn malformed() -> BadParam {
    bad(
        "cursor",
        "malformed; pass the `next_cursor` of the previous page as is",
    )
}

/// A cursor's (value, key) if it is one of `kind` for this sort and order.
fn decode_cursor(
    c: &str,
    kind: &str,
    sort: &str,
    descending: bool,
) -> Result<(Option<f64>, String), BadParam> {
    let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| malformed())?;
    let raw = String::from_utf8(raw).map_err(|_| malformed())?;
    let parts: Vec<&str> = raw.splitn(5, '|').collect();
    let [k, s, o, value, key] = parts[..] else {
        return Err(malformed());
    };
    if k != kind || key.is_empty() {
        return Err(malformed());
    }
    let order = order_name(descending);
    if s != sort || o != order {
        return Err(bad(
            "cursor",
            format!("it belongs to sort={s}&order={o}, not sort={sort}&order={order}"),
        ));
    }
    let value = match value {
        "" => None,
        v => Some(
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(malformed)?,
        ),
    };
    Ok((value, key.to_string()))
}

pub fn encode_product_cursor(k: &Key, sort: ProductSort, descending: bool) -> String {
    encode_cursor("p", sort.name(), descending, k.value, &k.asin)
}

pub fn decode_product_cursor(
    c: &str,
    sort: ProductSort,
    descending: bool,
) -> Result<Key, BadParam> {
    let (value, asin) = decode_cursor(c, "p", sort.name(), descending)?;
    Ok(Key { value, asin })
}

pub fn encode_brand_cursor(k: &BrandKey, sort: BrandSort, descending: bool) -> String {
    encode_cursor("b", sort.name(), descending, k.value, &k.brand)
}

pub fn decode_brand_cursor(
    c: &str,
    sort: BrandSort,
    descending: bool,
) -> Result<BrandKey, BadParam> {
    let (value, brand) = decode_cursor(c, "b", sort.name(), descending)?;
    Ok(BrandKey { value, brand })
}

/// An issue list's cursor: the code of the page's last issue, for this sort (issues are ranked
/// descending; there is no `order`).
pub fn encode_issue_cursor(code: &str, sort: IssueSort) -> String {
    encode_cursor("i", sort.name(), true, None, code)
}

pub fn decode_issue_cursor(c: &str, sort: IssueSort) -> Result<String, BadParam> {
    decode_cursor(c, "i", sort.name(), true).map(|(_, code)| code)
}

pub fn encode_review_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("r|{id}"))
}

pub fn decode_review_cursor(c: &str) -> Result<i64, BadParam> {
    let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| malformed())?;
    String::from_utf8(raw)
        .ok()
        .as_deref()
        .and_then(|r| r.strip_prefix("r|"))
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .ok_or_else(malformed)
}

/// The OpenAPI schemas of the values checked above, built from the same constants, so the
/// document (`serve::openapi`) says what these functions accept. Each is a type that parameter and
/// response types name with `value_type = …, inline`.
pub mod schema {
    use serde_json::json;
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::RefOr;

    use super::*;

    fn string() -> ObjectBuilder {
        ObjectBuilder::new().schema_type(Type::String)
    }

    /// A type that is only a schema: `$name`'s is what `$build` returns.
    macro_rules! schema_type {
        ($(#[$doc:meta])* $name:ident => $build:expr) => {
            $(#[$doc])*
            pub struct $name;
            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    $build.into()
                }
            }
            impl utoipa::ToSchema for $name {}
        };
    }

    /// The `Breakdowns` schema of the API document, by reference: a window's product carries
    /// the same breakdowns as the product does for all time.
    pub fn breakdowns_ref() -> RefOr<Schema> {
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Breakdowns"))
    }

    schema_type!(
        /// A text filter: not empty, not only whitespace, at most `MAX_VALUE_LEN` characters (as
        /// `text` checks).
        Text => Text::schema_object()
    );
    schema_type!(
        /// `brand=`, repeatable (as `brands` checks).
        Brands => ArrayBuilder::new()
            .items(Text::schema_object())
            .max_items(Some(MAX_BRANDS))
            .build()
    );
    schema_type!(
        /// An issue code: one of the taxonomy's (defective, durability, size_fit, quality,
        /// missing_parts, damaged_on_arrival, leaks, smell, usability, instructions,
        /// not_as_described, battery, noise, compatibility, customer_service, delivery,
        /// price_value, safety) or a custom topic's from `analyze --topics`.
        IssueCode => string().pattern(Some(crate::topics::CODE_PATTERN)).build()
    );
    schema_type!(
        /// `sentiment=` of the product list.
        SentimentBound => string().pattern(Some(SENTIMENT_BOUND_PATTERN)).build()
    );
    schema_type!(
        /// `from=`, `to=`: a day of a time window (as `day` checks).
        Day => string()
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date
            )))
            .build()
    );
    schema_type!(
        /// `compare=`: what a time window is compared with (as `window` checks).
        Compare => string().enum_values(Some(COMPARE_VALUES)).build()
    );
    schema_type!(
        /// `asc` or `desc` (as `descending` checks).
        Order => string().enum_values(Some(["asc", "desc"])).build()
    );
    schema_type!(
        /// `limit=`: a page size.
        Limit => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .default(Some(json!(DEFAULT_LIMIT)))
            .build()
    );
    schema_type!(
        /// The page size a list's `meta` reports.
        PageSize => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .build()
    );
    schema_type!(
        /// `cursor=`: base64url (as `decode_*_cursor` read it).
        Cursor => string().min_length(Some(1)).pattern(Some(CURSOR_PATTERN)).build()
    );
    schema_type!(
        /// `meta.next_cursor`: a cursor, null on the last page.
        NextCursor => ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(CURSOR_PATTERN))
            .description(Some("pass as `cursor` for the next page; null on the last page"))
            .build()
    );
    schema_type!(
        /// The product list's sorts: `ProductSort`'s names.
        ProductSortName => string()
            .enum_values(Some(ProductSort::ALL.map(ProductSort::name)))
            .default(Some(json!(ProductSort::DEFAULT.name())))
            .build()
    );
    schema_type!(
        /// The issue list's sorts: `IssueSort`'s names.
        IssueSortName => string()
            .enum_values(Some(IssueSort::ALL.map(IssueSort::name)))
            .default(Some(json!(IssueSort::default().name())))
            .build()
    );
    schema_type!(
        /// The brand list's sorts: `BrandSort`'s names.
        BrandSortName => string()
            .enum_values(Some(BrandSort::ALL.map(BrandSort::name)))
            .default(Some(json!(BrandSort::default().name())))
            .build()
    );

    impl Text {
        fn schema_object() -> utoipa::openapi::Object {
            string()
                .min_length(Some(1))
                .max_length(Some(MAX_VALUE_LEN))
                .pattern(Some(TEXT_PATTERN))
                .build()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_exactly_what_the_documented_pattern_refuses() {
        let pattern = Regex::new(TEXT_PATTERN).unwrap();
        let chars = (0u32..0x3100).chain([0xfeff, 0xfffe, 0x1f600]);
        for c in chars.filter_map(char::from_u32) {
            let one = c.to_string();
            assert_eq!(pattern.is_match(&one), !is_blank(c), "{:?}", c);
            assert_eq!(text("brand", &one).is_ok(), !is_blank(c), "{:?}", c);
        }
        assert!(text("q", " \u{a0}\t").is_err() && text("q", " a ").is_ok());
    }

    #[test]
    fn sentiment_bounds_are_exactly_the_documented_pattern() {
        for (s, want) in [
            ("negative", (Some(50.0), None)),
            ("negative:20", (Some(20.0), None)),
            ("positive:80.5", (None, Some(80.5))),
            ("positive:100", (None, Some(100.0))),
            ("negative:0", (Some(0.0), None)),
        ] {
            assert_eq!(sentiment_bound("sentiment", s), Ok(want), "{s}");
        }
        for s in [
            "negative:",
            "negative:200",
            "negative:1e1",
            "negative:.5",
            "negative:5.",
            "Negative",
            "negative:-1",
            "happy",
            "",
            "negative:100.5",
            "negative:020",
        ] {
            assert!(sentiment_bound("sentiment", s).is_err(), "{s}");
        }
    }

    #[test]
    fn since_takes_dates_and_rfc3339_only() {
        assert_eq!(since("since", "2026-11-01").unwrap(), "2026-11-01");
        assert_eq!(
            since("since", "2026-11-01T02:00:00+02:00").unwrap(),
            "2026-11-01T00:00:00.000Z"
        );
        for s in [
            "garbage",
            "2026-13-45",
            "2026-02-30",
            "2026-1-5",
            "",
            "20261101",
        ] {
            let e = since("since", s).unwrap_err();
            assert!(e.message.contains("YYYY-MM-DD"), "{s}: {e:?}");
        }
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let e = issue("issue", "Leak!").unwrap_err();
        assert!(e.message.contains("leaks") && e.message.contains("defective"));
        let custom = crate::topics::Topics::parse(
            "[[topic]]\ncode = \"pet_refuses\"\nlabel = \"P\"\nphrases.en = [\"p\"]\n",
            false,
        )
        .unwrap()
        .labels();
        let e = known_issue("issue", "leak", &custom).unwrap_err();
        assert!(e.message.contains("leaks") && e.message.contains("pet_refuses"));
        assert!(known_issue("issue", "pet_refuses", &custom).is_ok());
        assert!(known_issue("issue", "pet_refuses", &Default::default()).is_err());
        assert!(product_sort("sort", "price")
            .unwrap_err()
            .message
            .contains("reviews, rating"));
        assert!(brand_sort("sort", "asin")
            .unwrap_err()
            .message
            .contains("products"));
        assert!(limit("limit", 0, None).is_err());
        assert!(limit("limit", 501, Some(MAX_LIMIT)).is_err());
        assert_eq!(limit("limit", 501, None), Ok(501));
        assert!(brands("brand", &["".into()]).is_err());
        assert!(text("q", &"x".repeat(201)).is_err());
    }

    /// Every cursor the server emits is one it accepts, whatever the length of its key.
    #[test]
    fn cursors_round_trip_for_any_key_length() {
        let pattern = Regex::new(CURSOR_PATTERN).unwrap();
        for len in [1, 10, 150, 1000, 10_000] {
            let key = "B|é".repeat(len);
            for sort in ProductSort::ALL {
                for desc in [false, true] {
                    for value in [Some(12.5), Some(-3.0), None] {
                        let k = Key {
                            value,
                            asin: key.clone(),
                        };
                        let c = encode_product_cursor(&k, sort, desc);
                        assert!(pattern.is_match(&c));
                        assert_eq!(decode_product_cursor(&c, sort, desc), Ok(k));
                        assert!(decode_product_cursor(&c, sort, !desc).is_err());
                    }
                }
            }
            for sort in BrandSort::ALL {
                let k = BrandKey {
                    value: Some(4.25),
                    brand: key.clone(),
                };
                let c = encode_brand_cursor(&k, sort, true);
                assert_eq!(decode_brand_cursor(&c, sort, true), Ok(k));
                // A product cursor is not a brand cursor.
                let p = encode_product_cursor(
                    &Key {
                        value: None,
                        asin: key.clone(),
                    },
                    ProductSort::Asin,
                    true,
                );
                assert!(decode_brand_cursor(&p, sort, true).is_err());
            }
        }
        assert_eq!(decode_review_cursor(&encode_review_cursor(42)), Ok(42));
        assert!(decode_review_cursor("cnwtMQ").is_err()); // "r|-1"
    }
}
