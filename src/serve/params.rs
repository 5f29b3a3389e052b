//! Query strings into checked, typed values. Every parameter is whitelisted per endpoint; a bad
//! one is an error that names it and says why, never a guess.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::model::Sentiment;
use crate::store::pages::{Key, ProductQuery, ProductSort, ReviewQuery};
use crate::taxonomy;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
const MAX_VALUE_LEN: usize = 200;
const MAX_BRANDS: usize = 100;

/// A parameter the client got wrong: which one, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadParam {
    pub param: String,
    pub message: String,
}

fn bad(param: &str, message: impl Into<String>) -> BadParam {
    BadParam {
        param: param.to_string(),
        message: message.into(),
    }
}

/// The decoded pairs of a query string, checked against the names an endpoint accepts.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// `repeatable` names may occur more than once; any other name at most once.
    pub fn parse(query: &str, allowed: &[&str], repeatable: &[&str]) -> Result<Params, BadParam> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
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
            if v.chars().count() > MAX_VALUE_LEN {
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

    fn text(&self, name: &str) -> Result<Option<String>, BadParam> {
        match self.get(name) {
            None => Ok(None),
            Some("") => Err(bad(name, "empty; leave it out instead")),
            Some(v) => Ok(Some(v.to_string())),
        }
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

    pub fn limit(&self) -> Result<usize, BadParam> {
        Ok(self
            .int("limit", 1, MAX_LIMIT as i64)?
            .map_or(DEFAULT_LIMIT, |n| n as usize))
    }

    fn issue(&self) -> Result<Option<String>, BadParam> {
        match self.text("issue")? {
            Some(code) if !taxonomy::is_code(&code) => Err(bad(
                "issue",
                format!(
                    "unknown issue code {code:?}; known: {}",
                    taxonomy::codes().join(", ")
                ),
            )),
            other => Ok(other),
        }
    }

    pub fn brands(&self) -> Result<Vec<String>, BadParam> {
        let brands = self.all("brand");
        if brands.len() > MAX_BRANDS {
            return Err(bad("brand", format!("at most {MAX_BRANDS} brands")));
        }
        if brands.iter().any(String::is_empty) {
            return Err(bad("brand", "empty; leave it out instead"));
        }
        Ok(brands)
    }
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
];

/// `GET /api/v1/products` parameters.
pub fn product_query(query: &str) -> Result<ProductQuery, BadParam> {
    let p = Params::parse(query, PRODUCT_PARAMS, &["brand"])?;
    let sort = match p.get("sort") {
        None => ProductSort::Reviews,
        Some(s) => ProductSort::parse(s).ok_or_else(|| {
            let names: Vec<&str> = ProductSort::ALL.iter().map(|k| k.name()).collect();
            bad(
                "sort",
                format!("unknown sort {s:?}; one of: {}", names.join(", ")),
            )
        })?,
    };
    let descending = match p.get("order") {
        None => sort.default_descending(),
        Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(bad("order", format!("{o:?} is not asc or desc"))),
    };
    let (min_negative, min_positive) = match p.get("sentiment") {
        None => (None, None),
        Some(s) => sentiment_bound(s)?,
    };
    let min_rating = p.number("min_rating", 1.0, 5.0)?;
    let max_rating = p.number("max_rating", 1.0, 5.0)?;
    if let (Some(lo), Some(hi)) = (min_rating, max_rating) {
        if lo > hi {
            return Err(bad("max_rating", "is below min_rating"));
        }
    }
    let after = match p.get("cursor") {
        None => None,
        Some(c) => Some(decode_product_cursor(c, sort, descending)?),
    };
    Ok(ProductQuery {
        brands: p.brands()?,
        q: p.text("q")?,
        min_reviews: p.int("min_reviews", 0, i64::MAX)?,
        min_rating,
        max_rating,
        min_negative,
        min_positive,
        issue: p.issue()?,
        marketplace: p.text("marketplace")?,
        sort,
        descending,
        limit: p.limit()?,
        after,
    })
}

/// `sentiment=negative:20` (at least 20 % negative), `positive:80`; a bare kind means at least 50 %.
fn sentiment_bound(s: &str) -> Result<(Option<f64>, Option<f64>), BadParam> {
    let (kind, bound) = match s.split_once(':') {
        Some((k, b)) => {
            let x: f64 = b
                .parse()
                .ok()
                .filter(|x| (0.0..=100.0).contains(x))
                .ok_or_else(|| {
                    bad(
                        "sentiment",
                        format!("{b:?} is not a percentage between 0 and 100"),
                    )
                })?;
            (k, x)
        }
        None => (s, 50.0),
    };
    match kind {
        "negative" => Ok((Some(bound), None)),
        "positive" => Ok((None, Some(bound))),
        _ => Err(bad(
            "sentiment",
            format!("{s:?}: use negative[:PCT] or positive[:PCT], e.g. negative:20"),
        )),
    }
}

/// A cursor is opaque to clients: base64url of `sort|order|value|asin`. It is only valid with the
/// sort and order that produced it.
pub fn encode_product_cursor(k: &Key, sort: ProductSort, descending: bool) -> String {
    let value = k.value.map(|v| v.to_string()).unwrap_or_default();
    let raw = format!(
        "p|{}|{}|{}|{}",
        sort.name(),
        if descending { "desc" } else { "asc" },
        value,
        k.asin
    );
    URL_SAFE_NO_PAD.encode(raw)
}

fn malformed() -> BadParam {
    bad(
        "cursor",
        "malformed; pass the `next_cursor` of the previous page as is",
    )
}

/// A cursor's text: base64url of UTF-8, or a malformed cursor.
fn cursor_text(c: &str) -> Result<String, BadParam> {
    let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| malformed())?;
    String::from_utf8(raw).map_err(|_| malformed())
}

fn decode_product_cursor(c: &str, sort: ProductSort, descending: bool) -> Result<Key, BadParam> {
    let raw = cursor_text(c)?;
    let parts: Vec<&str> = raw.splitn(5, '|').collect();
    let [kind, s, o, value, asin] = parts[..] else {
        return Err(malformed());
    };
    if kind != "p" || asin.is_empty() {
        return Err(malformed());
    }
    let order = if descending { "desc" } else { "asc" };
    if s != sort.name() || o != order {
        return Err(bad(
            "cursor",
            format!(
                "it belongs to sort={s}&order={o}, not sort={}&order={order}",
                sort.name()
            ),
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
    Ok(Key {
        value,
        asin: asin.to_string(),
    })
}

pub const REVIEW_PARAMS: &[&str] = &["sentiment", "issue", "limit", "cursor"];

/// `GET /api/v1/products/{id}/reviews` parameters.
pub fn review_query(asin: &str, query: &str) -> Result<ReviewQuery, BadParam> {
    let p = Params::parse(query, REVIEW_PARAMS, &[])?;
    let sentiment = match p.get("sentiment") {
        None => None,
        Some(s) => Some(Sentiment::parse(s).ok_or_else(|| {
            bad(
                "sentiment",
                format!("{s:?} is not positive, neutral or negative"),
            )
        })?),
    };
    let after = match p.get("cursor") {
        None => None,
        Some(c) => Some(decode_review_cursor(c)?),
    };
    Ok(ReviewQuery {
        asin: asin.to_string(),
        sentiment,
        issue: p.issue()?,
        limit: p.limit()?,
        after,
    })
}

pub fn encode_review_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("r|{id}"))
}

fn decode_review_cursor(c: &str) -> Result<i64, BadParam> {
    let raw = cursor_text(c)?;
    raw.strip_prefix("r|")
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .ok_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("min_rating=4&max_rating=2", "max_rating"),
            ("sentiment=angry", "sentiment"),
            ("sentiment=negative:200", "sentiment"),
            ("issue=not_a_code", "issue"),
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
