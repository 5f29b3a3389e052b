//! Query strings into checked, typed values. Every parameter is whitelisted per endpoint; a bad
//! one is an error that names it and says why, never a guess. The values themselves are checked by
//! `crate::filters`, the same checks `report`'s flags go through.

use crate::filters::{self, schema, MAX_VALUE_LEN};
use crate::model::Sentiment;
use crate::store::pages::{BrandQuery, ProductQuery, ProductSort, ReviewQuery};
use crate::store::query::Filter;
use crate::store::views::IssueSort;
use crate::store::windows::Window;

pub use crate::filters::{
    encode_brand_cursor, encode_issue_cursor, encode_product_cursor, encode_review_cursor,
    BadParam, DEFAULT_LIMIT, MAX_LIMIT,
};

fn bad(param: &str, message: impl Into<String>) -> BadParam {
    filters::bad(param, message)
}

/// The decoded pairs of a query string, checked against the names an endpoint accepts.
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// The query's pairs, decoded as `application/x-www-form-urlencoded`, but strictly: a value whose
/// bytes are not UTF-8 (`Beaut%E9`, Latin-1) is refused, where a lossy decoding matched nothing
/// and answered an empty 200.
fn decode_pairs(query: &str) -> Result<Vec<(String, String)>, BadParam> {
    let decode = |s: &str| {
        let spaced = s.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(|d| d.into_owned())
    };
    let mut pairs = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        let name = decode(k).map_err(|_| {
            let lossy = String::from_utf8_lossy(
                &percent_encoding::percent_decode_str(k).collect::<Vec<u8>>(),
            )
            .into_owned();
            bad(&lossy, "the name is not UTF-8 once percent-decoded")
        })?;
        let value = decode(v).map_err(|_| {
            bad(
                &name,
                "not UTF-8 once percent-decoded (percent-encode the UTF-8 bytes of the text)",
            )
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

impl Params {
    /// `repeatable` names may occur more than once; any other name at most once.
    pub fn parse(query: &str, allowed: &[&str], repeatable: &[&str]) -> Result<Params, BadParam> {
        let pairs = decode_pairs(query)?;
        for (i, (k, v)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(bad(
                    k,
                    format!(
                        "unknown parameter; this endpoint takes: {}",
                        allowed.join(", ")
                    ),
                ));
            }
            // A cursor carries back a key the server wrote (an ASIN, a brand), however long: the
            // server must accept every cursor it emits.
            if k != "cursor" && v.chars().count() > MAX_VALUE_LEN {
                return Err(bad(k, format!("longer than {MAX_VALUE_LEN} characters")));
            }
            if !repeatable.contains(&k.as_str()) && pairs[..i].iter().any(|(p, _)| p == k) {
                return Err(bad(k, "given more than once"));
            }
        }
        Ok(Params { pairs })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A checked value of `name`, if given.
    fn checked<T>(
        &self,
        name: &str,
        check: impl Fn(&str, &str) -> Result<T, BadParam>,
    ) -> Result<Option<T>, BadParam> {
        self.get(name).map(|v| check(name, v)).transpose()
    }

    fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, BadParam> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let n: i64 = v
            .parse()
            .map_err(|_| bad(name, format!("{v:?} is not an integer")))?;
        if !(min..=max).contains(&n) {
            return Err(bad(name, format!("must be between {min} and {max}")));
        }
        Ok(Some(n))
    }

    fn number(&self, name: &str, min: f64, max: f64) -> Result<Option<f64>, BadParam> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let x: f64 = v
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad(name, format!("{v:?} is not a number")))?;
        if !(min..=max).contains(&x) {
            return Err(bad(name, format!("must be between {min} and {max}")));
        }
        Ok(Some(x))
    }

    /// `from` and `to` as a range of days without a comparison (unset when neither is given).
    pub fn days(&self) -> Result<Window, BadParam> {
        let from = self.checked("from", filters::day)?;
        let to = self.checked("to", filters::day)?;
        filters::window(["from", "to", "compare"], from, to, None)
    }

    pub fn limit(&self) -> Result<usize, BadParam> {
        let n = self.int("limit", i64::MIN, i64::MAX)?;
        n.map_or(Ok(DEFAULT_LIMIT), |n| {
            filters::limit("limit", n, Some(MAX_LIMIT))
        })
    }

    fn issue(&self) -> Result<Option<String>, BadParam> {
        self.checked("issue", filters::issue)
    }

    pub fn brands(&self) -> Result<Vec<String>, BadParam> {
        filters::brands("brand", &self.all("brand"))
    }
}

pub const ISSUE_PARAMS: &[&str] = &["brand", "sort", "limit", "cursor", "from", "to", "compare"];

/// `GET /api/v1/issues`: brands, a sort and a page.
pub struct IssueQuery {
    pub filter: Filter,
    pub sort: IssueSort,
    pub limit: usize,
    /// The code of the previous page's last issue (from `cursor`).
    pub after: Option<String>,
}

/// `GET /api/v1/issues`: brands (repeatable), a sort (`filters::issue_sort`), `limit` and `cursor`.
pub fn issue_query(query: &str) -> Result<IssueQuery, BadParam> {
    let p = Params::parse(query, ISSUE_PARAMS, &["brand"])?;
    let sort = p.checked("sort", filters::issue_sort)?.unwrap_or_default();
    Ok(IssueQuery {
        filter: Filter {
            brands: p.brands()?,
            ..Default::default()
        },
        sort,
        limit: p.limit()?,
        after: p.checked("cursor", |_, c| filters::decode_issue_cursor(c, sort))?,
    })
}

pub const OVERVIEW_PARAMS: &[&str] = &["brand", "min_reviews", "limit", "from", "to", "compare"];
pub const CHANGE_PARAMS: &[&str] = &["brand", "threshold", "min_reviews", "from", "to"];

/// `GET /api/v1/overview`: brands (repeatable), the attention list's minimum reviews (10) and length (15).
pub fn overview_query(query: &str) -> Result<(Vec<String>, i64, usize), BadParam> {
    let p = Params::parse(query, OVERVIEW_PARAMS, &["brand"])?;
    let min_reviews = p.int("min_reviews", 0, i64::from(i32::MAX))?.unwrap_or(10);
    let limit = match p.int("limit", i64::MIN, i64::MAX)? {
        Some(n) => filters::limit("limit", n, Some(MAX_LIMIT))?,
        None => 15,
    };
    Ok((p.brands()?, min_reviews, limit))
}

/// `GET /api/v1/changes`: as `report changes` takes them: the latest run's alerts, or with `from`
/// and/or `to` those of the runs that finished on those days (UTC).
pub fn change_query(query: &str) -> Result<crate::store::changes::ChangeQuery, BadParam> {
    let p = Params::parse(query, CHANGE_PARAMS, &["brand"])?;
    // `from` keeps its time, as `--since` does: "since my last look at 20:30" leaves out a run
    // that finished at 20:29. Its day may not be after `to`.
    let (since, until) = filters::runs_finished(
        ["from", "to"],
        p.checked("from", filters::since)?,
        p.checked("to", filters::day)?,
    )?;
    Ok(crate::store::changes::ChangeQuery {
        since,
        until,
        threshold_points: p.number("threshold", 0.0, 100.0)?.unwrap_or(5.0),
        min_reviews: p.int("min_reviews", 0, i64::from(i32::MAX))?.unwrap_or(10),
        brands: p.brands()?,
    })
}

/// The parameters of `GET /api/v1/products` as the OpenAPI document describes them: the field
/// names are `PRODUCT_PARAMS` (a test checks), the schemas `filters`' checks.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document's derive only
pub struct ProductParams {
    /// Only this brand, in any letter case; repeat for several.
    #[param(value_type = schema::Brands, inline, required = false, style = Form, explode)]
    brand: Vec<String>,
    /// Text in the ASIN, brand or title (case-insensitive for ASCII).
    #[param(value_type = schema::Text, inline, required = false)]
    q: String,
    /// At least this many reviews.
    #[param(minimum = 0, maximum = 9223372036854775807_i64, required = false)]
    min_reviews: i64,
    /// Average rating at least this.
    #[param(minimum = 1, maximum = 5, required = false)]
    min_rating: f64,
    /// Average rating at most this (below min_rating: no product matches).
    #[param(minimum = 1, maximum = 5, required = false)]
    max_rating: f64,
    /// `negative:PCT` (at least PCT % negative, PCT from 0 to 100) or `positive:PCT`; a bare kind means 50.
    #[param(value_type = schema::SentimentBound, inline, required = false)]
    sentiment: String,
    /// Only products with this issue code.
    #[param(value_type = schema::IssueCode, inline, required = false)]
    issue: String,
    /// Only this marketplace (case-insensitive for ASCII).
    #[param(value_type = schema::Text, inline, required = false)]
    marketplace: String,
    /// Sort key; products without a value (no rating, no previous run) come last.
    #[param(value_type = schema::ProductSortName, inline, required = false)]
    sort: String,
    /// Default: the sort key's natural order (desc for reviews, products, negative, trend; asc for rating, asin, brand).
    #[param(value_type = schema::Order, inline, required = false)]
    order: String,
    /// Page size.
    #[param(value_type = schema::Limit, inline, required = false)]
    limit: usize,
    /// The `meta.next_cursor` of the previous page, as is (only with the sort and order that made it).
    #[param(value_type = schema::Cursor, inline, required = false)]
    cursor: String,
    /// Only reviews dated on or after this day (an undated review counts on the day of the analysis
    /// run in which it first appeared); `data` is then the window's report, its `rows` paged by
    /// `limit` and `cursor` with the list's `meta` (`total`, `count`, `next_cursor`, …).
    #[param(value_type = schema::Day, inline, required = false)]
    from: String,
    /// Only reviews dated on or before this day; not before `from`.
    #[param(value_type = schema::Day, inline, required = false)]
    to: String,
    /// `previous`: also the window of the same length just before, with changes (needs `from`).
    #[param(value_type = schema::Compare, inline, required = false)]
    compare: String,
}

pub const PRODUCT_PARAMS: &[&str] = &[
    "brand",
    "q",
    "min_reviews",
    "min_rating",
    "max_rating",
    "sentiment",
    "issue",
    "marketplace",
    "sort",
    "order",
    "limit",
    "cursor",
    "from",
    "to",
    "compare",
];

/// `GET /api/v1/products` parameters.
pub fn product_query(query: &str) -> Result<ProductQuery, BadParam> {
    let p = Params::parse(query, PRODUCT_PARAMS, &["brand"])?;
    let sort = p
        .checked("sort", filters::product_sort)?
        .unwrap_or(ProductSort::DEFAULT);
    let descending = p
        .checked("order", filters::descending)?
        .unwrap_or(sort.default_descending());
    let (min_negative, min_positive) = p
        .checked("sentiment", filters::sentiment_bound)?
        .unwrap_or((None, None));
    // min_rating above max_rating is an empty range, not an error: no schema could say so.
    let min_rating = p.number("min_rating", 1.0, 5.0)?;
    let max_rating = p.number("max_rating", 1.0, 5.0)?;
    let after = p.checked("cursor", |_, c| {
        filters::decode_product_cursor(c, sort, descending)
    })?;
    Ok(ProductQuery {
        brands: p.brands()?,
        q: p.checked("q", filters::text)?,
        min_reviews: p.int("min_reviews", 0, i64::MAX)?,
        min_rating,
        max_rating,
        min_negative,
        min_positive,
        issue: p.issue()?,
        marketplace: p.checked("marketplace", filters::text)?,
        sort,
        descending,
        limit: p.limit()?,
        after,
    })
}

/// `GET /api/v1/brands` parameters as documented; the names are `BRAND_PARAMS`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document's derive only
pub struct BrandParams {
    /// Only this brand, in any letter case; repeat for several.
    #[param(value_type = schema::Brands, inline, required = false, style = Form, explode)]
    brand: Vec<String>,
    /// Sort key; brands without a rating come last.
    #[param(value_type = schema::BrandSortName, inline, required = false)]
    sort: String,
    /// Default: the sort key's natural order (desc for reviews, products, negative, trend; asc for rating, asin, brand).
    #[param(value_type = schema::Order, inline, required = false)]
    order: String,
    /// Page size.
    #[param(value_type = schema::Limit, inline, required = false)]
    limit: usize,
    /// The `meta.next_cursor` of the previous page, as is (only with the sort and order that made it).
    #[param(value_type = schema::Cursor, inline, required = false)]
    cursor: String,
    /// Only reviews dated on or after this day (an undated review counts on the day of the analysis
    /// run in which it first appeared); `data` is then the window's report, its `rows` paged by
    /// `limit` and `cursor` with the list's `meta` (`total`, `count`, `next_cursor`, …).
    #[param(value_type = schema::Day, inline, required = false)]
    from: String,
    /// Only reviews dated on or before this day; not before `from`.
    #[param(value_type = schema::Day, inline, required = false)]
    to: String,
    /// `previous`: also the window of the same length just before, with changes (needs `from`).
    #[param(value_type = schema::Compare, inline, required = false)]
    compare: String,
}

pub const BRAND_PARAMS: &[&str] = &[
    "brand", "sort", "order", "limit", "cursor", "from", "to", "compare",
];

/// `GET /api/v1/brands` parameters: the product list's paging, for brands.
pub fn brand_query(query: &str) -> Result<BrandQuery, BadParam> {
    let p = Params::parse(query, BRAND_PARAMS, &["brand"])?;
    let sort = p.checked("sort", filters::brand_sort)?.unwrap_or_default();
    let descending = p
        .checked("order", filters::descending)?
        .unwrap_or(sort.default_descending());
    let after = p.checked("cursor", |_, c| {
        filters::decode_brand_cursor(c, sort, descending)
    })?;
    Ok(BrandQuery {
        brands: p.brands()?,
        sort,
        descending,
        limit: p.limit()?,
        after,
    })
}

/// `GET /api/v1/products/{id}/reviews` parameters as documented; the names are `REVIEW_PARAMS`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document's derive only
pub struct ReviewParams {
    /// Only reviews with this overall sentiment.
    #[param(inline, required = false)]
    sentiment: Sentiment,
    /// Only reviews with this issue code.
    #[param(value_type = schema::IssueCode, inline, required = false)]
    issue: String,
    /// Page size.
    #[param(value_type = schema::Limit, inline, required = false)]
    limit: usize,
    /// The `meta.next_cursor` of the previous page, as is (only with the sort and order that made it).
    #[param(value_type = schema::Cursor, inline, required = false)]
    cursor: String,
    /// Only reviews dated on or after this day (an undated review counts on the day of the
    /// analysis run in which it first appeared).
    #[param(value_type = schema::Day, inline, required = false)]
    from: String,
    /// Only reviews dated on or before this day; not before `from`.
    #[param(value_type = schema::Day, inline, required = false)]
    to: String,
}

pub const REVIEW_PARAMS: &[&str] = &["sentiment", "issue", "limit", "cursor", "from", "to"];

/// `GET /api/v1/runs` parameters as documented; the names are `RUN_PARAMS`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document's derive only
pub struct RunParams {
    /// Only runs started on or after this day (UTC).
    #[param(value_type = schema::Day, inline, required = false)]
    from: String,
    /// Only runs started on or before this day (UTC); not before `from`.
    #[param(value_type = schema::Day, inline, required = false)]
    to: String,
}

pub const RUN_PARAMS: &[&str] = &["from", "to"];

/// `GET /api/v1/issues/{code}` parameters: a range of days and its comparison.
pub const ONE_ISSUE_PARAMS: &[&str] = &["from", "to", "compare"];

/// `GET /api/v1/issues/{code}` parameters: the days of the reviews counted (unset: all time)
/// and the comparison with the window before.
pub fn one_issue_window(query: &str) -> Result<Window, BadParam> {
    Ok(window(query, ONE_ISSUE_PARAMS, &[])?.unwrap_or_default())
}

/// `GET /api/v1/runs` parameters: the days the runs started in.
pub fn run_window(query: &str) -> Result<Window, BadParam> {
    Params::parse(query, RUN_PARAMS, &[])?.days()
}

/// `GET /api/v1/products/{id}/reviews` parameters.
pub fn review_query(asin: &str, query: &str) -> Result<ReviewQuery, BadParam> {
    let p = Params::parse(query, REVIEW_PARAMS, &[])?;
    Ok(ReviewQuery {
        asin: asin.to_string(),
        sentiment: p.checked("sentiment", filters::review_sentiment)?,
        issue: p.issue()?,
        limit: p.limit()?,
        after: p.checked("cursor", |_, c| filters::decode_review_cursor(c))?,
        window: p.days()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pages::{BrandKey, BrandSort, Key};

    #[test]
    fn defaults() {
        let q = product_query("").unwrap();
        assert_eq!(q.sort, ProductSort::Reviews);
        assert!(q.descending);
        assert_eq!(q.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn filters_and_sorts() {
        let q = product_query(
            "brand=A%20B&brand=C&q=lid&min_reviews=5&sentiment=negative:20&issue=leaks&sort=rating&order=desc&limit=10",
        )
        .unwrap();
        assert_eq!(q.brands, vec!["A B", "C"]);
        assert_eq!(q.min_negative, Some(20.0));
        assert_eq!(q.issue.as_deref(), Some("leaks"));
        assert_eq!(q.sort, ProductSort::Rating);
        assert!(q.descending);
        assert_eq!(q.limit, 10);
    }

    #[test]
    fn bad_parameters_name_themselves() {
        for (query, param) in [
            ("limit=-1", "limit"),
            ("limit=100000", "limit"),
            ("limit=abc", "limit"),
            ("sort=price", "sort"),
            ("order=up", "order"),
            ("min_reviews=1.5", "min_reviews"),
            ("min_rating=9", "min_rating"),
            ("min_rating=NaN", "min_rating"),
            ("sentiment=angry", "sentiment"),
            ("sentiment=negative:200", "sentiment"),
            ("issue=Not-a-code", "issue"),
            ("cursor=%%%", "cursor"),
            ("cursor=bm9wZQ", "cursor"),
            ("limit=1&limit=2", "limit"),
            ("page=2", "page"),
            ("q=", "q"),
        ] {
            let e = product_query(query).unwrap_err();
            assert_eq!(e.param, param, "{query}: {e:?}");
        }
    }

    #[test]
    fn an_empty_rating_range_is_a_query_not_an_error() {
        let q = product_query("min_rating=4&max_rating=2").unwrap();
        assert_eq!((q.min_rating, q.max_rating), (Some(4.0), Some(2.0)));
    }

    #[test]
    fn long_keys_make_cursors_the_server_takes() {
        // Longer than any other value may be: a cursor is exempt.
        let k = Key {
            value: Some(3.0),
            asin: "A".repeat(150),
        };
        let c = encode_product_cursor(&k, ProductSort::Asin, false);
        assert!(c.len() > MAX_VALUE_LEN);
        let q = product_query(&format!("sort=asin&order=asc&cursor={c}")).unwrap();
        assert_eq!(q.after, Some(k));
        let b = BrandKey {
            value: None,
            brand: "Ü".repeat(300),
        };
        let c = encode_brand_cursor(&b, BrandSort::Rating, false);
        assert_eq!(
            brand_query(&format!("sort=rating&cursor={c}"))
                .unwrap()
                .after,
            Some(b)
        );
    }

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_sort() {
        for value in [Some(12.5), None] {
            let k = Key {
                value,
                asin: "B0|X".into(),
            };
            let c = encode_product_cursor(&k, ProductSort::Rating, false);
            let q = product_query(&format!("sort=rating&cursor={c}")).unwrap();
            assert_eq!(q.after, Some(k));
            let e = product_query(&format!("sort=negative&cursor={c}")).unwrap_err();
            assert_eq!(e.param, "cursor");
        }
        let c = encode_review_cursor(42);
        assert_eq!(
            review_query("A", &format!("cursor={c}")).unwrap().after,
            Some(42)
        );
        assert!(review_query("A", "cursor=cnwtMQ").is_err()); // "r|-1"
    }
}

/// The time-window parameters every windowed endpoint takes.
pub const WINDOW_PARAMS: &[&str] = &["from", "to", "compare"];

/// The time window of a query (`from`, `to`, `compare`, checked by `filters` as `report`'s
/// `--since`, `--until`, `--compare`), or None without one. With a window, only the parameters
/// `with` (and the window's) are taken: the others select on all-time figures.
pub fn window(query: &str, all: &[&str], with: &[&str]) -> Result<Option<Window>, BadParam> {
    let p = Params::parse(query, all, &["brand"])?;
    if !WINDOW_PARAMS.iter().any(|n| p.get(n).is_some()) {
        return Ok(None);
    }
    if let Some((k, _)) = (p.pairs.iter())
        .find(|(k, _)| !with.contains(&k.as_str()) && !WINDOW_PARAMS.contains(&k.as_str()))
    {
        return Err(bad(k, format!("not available with a time window (from, to, compare); with one this endpoint takes: {}", [with, WINDOW_PARAMS].concat().join(", "))));
    }
    let from = p.checked("from", filters::day)?;
    let to = p.checked("to", filters::day)?;
    filters::window(["from", "to", "compare"], from, to, p.get("compare")).map(Some)
}

/// `from`, `to` and `compare` of a product's detail, as documented.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document's derive only
pub struct WindowParams {
    /// Only reviews dated on or after this day (an undated review counts on the day of the analysis
    /// run in which it first appeared); `data` is then the window's report.
    #[param(value_type = schema::Day, inline, required = false)]
    from: String,
    /// Only reviews dated on or before this day; not before `from`.
    #[param(value_type = schema::Day, inline, required = false)]
    to: String,
    /// `previous`: also the window of the same length just before, with changes (needs `from`).
    #[param(value_type = schema::Compare, inline, required = false)]
    compare: String,
}
