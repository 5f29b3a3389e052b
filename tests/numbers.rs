//! Every number, recomputed from the raw rows: an export with awkward ratios (301 of 763, 4 of 31
//! → 7 of 39, products over 1,000 reviews, unrated reviews, ties in impact) is analyzed twice; each
//! review's stars and overall label are read back (`report reviews -f jsonl`) and every product,
//! brand, portfolio and monthly figure is recomputed from them with the README's definitions, then
//! compared with what the CLI (JSON, CSV, table, HTML) and the API show.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{p, Env, Server};
use serde_json::{json, Value};

/// Reviews of one product in one export: (asin, brand, month or undated, reviews per star 1-5,
/// reviews without stars).
type Spec = (
    &'static str,
    &'static str,
    Option<&'static str>,
    [u32; 5],
    u32,
);

const TEXT: [&str; 5] = [
    "Broke after two days, awful and useless.",
    "Poor, it stopped working.",
    "It is okay.",
    "Good product.",
    "Great product, works perfectly.",
];

#[rustfmt::skip]
const FIRST: &[Spec] = &[
    // One month, two products: 158 of 400 and 143 of 363 negative, 301 of 763 together (39.449 %).
    ("B0MONTH001", "Mensa", Some("2024-01"), [158, 0, 0, 0, 242], 0),
    ("B0MONTH002", "Mensa", Some("2024-01"), [0, 143, 0, 220, 0], 0),
    // Over 1,000 reviews, where a share to 0.1 point no longer names one count.
    ("B0SOLO0001", "Solo", Some("2024-03"), [2, 1, 95, 101, 1309], 0),
    ("B0SOLO0002", "Solo", Some("2024-03"), [3, 0, 7, 90, 1900], 2),
    // The same negatives on different counts: impact ties, broken by ASIN.
    ("B0TIE0000C", "Tie", None, [4, 0, 0, 0, 25], 0),
    ("B0TIE0000A", "Tie", None, [4, 0, 0, 0, 26], 0),
    ("B0TIE0000B", "Tie", None, [4, 0, 0, 0, 27], 0),
    // Undated, 4 of 31 negative, then 7 of 39; unrated reviews count in shares, not averages.
    ("B0NODATE01", "Nodate", None, [1, 1, 2, 5, 19], 3),
    // Under --min-reviews now, over it after the second export.
    ("B0GROW0001", "Grow", Some("2024-02"), [3, 0, 0, 0, 5], 0),
];

#[rustfmt::skip]
const SECOND: &[Spec] = &[
    ("B0NODATE01", "Nodate", None, [2, 1, 0, 2, 3], 0),
    ("B0GROW0001", "Grow", Some("2024-04"), [1, 0, 1, 0, 2], 0),
    ("B0MONTH001", "Mensa", Some("2024-02"), [10, 0, 3, 0, 4], 1),
];

fn export(specs: &[Spec], tag: &str) -> String {
    let mut out = String::new();
    for (asin, brand, month, stars, unrated) in specs {
        let mut n = 0;
        let mut line = |rating: Option<usize>, text: &str| {
            n += 1;
            let mut r = json!({
                "REVIEW_ID": format!("R{tag}{asin}{n:05}"),
                "CHILD_ASIN": asin,
                "PRODUCT_BRAND": brand,
                "CUSTOMER_REVIEW_TITLE": format!("Review {n}"),
                "CUSTOMER_REVIEW_DESCRIPTION": text,
            });
            if let Some(x) = rating {
                r["CUSTOMER_REVIEW_RATING"] = json!(x);
            }
            if let Some(m) = month {
                r["REVIEW_DATE"] = json!(format!("{m}-{:02}", 1 + n % 28));
            }
            out.push_str(&r.to_string());
            out.push('\n');
        };
        for (i, k) in stars.iter().enumerate() {
            for _ in 0..*k {
                line(Some(i + 1), TEXT[i]);
            }
        }
        for j in 0..*unrated {
            line(None, TEXT[if j % 2 == 0 { 0 } else { 4 }]);
        }
    }
    out
}

/// Integer counts of a set of reviews.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    n: i64,
    rated: i64,
    sum: i64,
    pos: i64,
    neu: i64,
    neg: i64,
}

impl Tally {
    fn add(&mut self, r: &Value) {
        self.n += 1;
        if let Some(x) = r["rating"].as_i64() {
            self.rated += 1;
            self.sum += x;
        }
        match r["sentiment"].as_str() {
            Some("positive") => self.pos += 1,
            Some("negative") => self.neg += 1,
            _ => self.neu += 1,
        }
    }
    /// Average stars over rated reviews, to 0.01.
    fn avg(&self) -> Value {
        match self.rated {
            0 => Value::Null,
            r => json!(half_away(100 * self.sum as i128, r as i128) as f64 / 100.0),
        }
    }
    /// `k` of all reviews in percent, to 0.1.
    fn pct(&self, k: i64) -> f64 {
        half_away(1000 * k as i128, self.n as i128) as f64 / 10.0
    }
}

/// `a / b` rounded half away from zero.
fn half_away(a: i128, b: i128) -> i128 {
    let q = (2 * a.abs() + b) / (2 * b);
    if a < 0 {
        -q
    } else {
        q
    }
}

/// The change in % negative from `before` to `now`, in points to 0.1, from the exact shares.
fn delta(now: Tally, before: Option<Tally>) -> Value {
    let Some(b) = before else {
        return Value::Null;
    };
    let num = 1000 * (now.neg as i128 * b.n as i128 - b.neg as i128 * now.n as i128);
    json!(half_away(num, now.n as i128 * b.n as i128) as f64 / 10.0)
}

/// Everything recomputed from one read of the reviews.
struct Truth {
    products: BTreeMap<String, Tally>,
    brands: BTreeMap<String, (Tally, BTreeSet<String>)>,
    months: BTreeMap<String, Tally>,
    product_months: BTreeMap<(String, String), Tally>,
    all: Tally,
    /// Per (asin, issue code): reviews reporting it, by overall label.
    issues: BTreeMap<(String, String), Tally>,
    /// Per (asin, month, issue code): reviews reporting it.
    month_issues: BTreeMap<(String, String, String), i64>,
    /// Per (scope, language): "p:ASIN", "b:brand" or "all", and the review's language or
    /// "unknown".
    languages: BTreeMap<(String, String), Tally>,
}

fn truth(e: &Env) -> Truth {
    let mut t = Truth {
        products: BTreeMap::new(),
        brands: BTreeMap::new(),
        months: BTreeMap::new(),
        product_months: BTreeMap::new(),
        all: Tally::default(),
        issues: BTreeMap::new(),
        month_issues: BTreeMap::new(),
        languages: BTreeMap::new(),
    };
    for line in e.ok(&["report", "reviews", "-f", "jsonl"]).lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let asin = r["asin"].as_str().unwrap().to_string();
        let brand = r["brand"].as_str().unwrap().to_string();
        t.products.entry(asin.clone()).or_default().add(&r);
        let b = t.brands.entry(brand).or_default();
        b.0.add(&r);
        b.1.insert(asin.clone());
        t.all.add(&r);
        let lang = r["language"].as_str().unwrap_or("unknown");
        for scope in [
            format!("p:{asin}"),
            format!("b:{}", r["brand"].as_str().unwrap()),
            "all".into(),
        ] {
            t.languages
                .entry((scope, lang.to_string()))
                .or_default()
                .add(&r);
        }
        for hit in r["issues"].as_array().unwrap() {
            let code = hit["code"].as_str().unwrap().to_string();
            t.issues
                .entry((asin.clone(), code.clone()))
                .or_default()
                .add(&r);
            if let Some(d) = r["review_date"].as_str() {
                *t.month_issues
                    .entry((asin.clone(), d[..7].to_string(), code))
                    .or_default() += 1;
            }
        }
        if let Some(d) = r["review_date"].as_str() {
            t.months.entry(d[..7].to_string()).or_default().add(&r);
            t.product_months
                .entry((asin, d[..7].to_string()))
                .or_default()
                .add(&r);
        }
    }
    t
}

/// The exact impact (negative reviews × (1 + rise / 10), rise ≥ 0) as a fraction.
fn impact(now: Tally, before: Option<Tally>) -> (i128, i128) {
    let neg = now.neg as i128;
    match before {
        None => (neg, 1),
        Some(b) => {
            let den = now.n as i128 * b.n as i128;
            let rise = (neg * b.n as i128 - b.neg as i128 * now.n as i128).max(0);
            (neg * (den + 10 * rise), den)
        }
    }
}

fn rounded_impact((num, den): (i128, i128)) -> f64 {
    half_away(10 * num, den) as f64 / 10.0
}

/// Rows of a `report … ` table (box drawing) as cells, headers first.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// Cells equal as text, or as numbers: a table pads a column's numbers to the same decimals
/// (2.00 beside 1.91), which is the same value.
fn assert_same_cells(got: &[Vec<String>], want: &[Vec<String>], what: &str) {
    let same = |a: &String, b: &String| {
        a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
    };
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        let equal = g.len() == w.len() && g.iter().zip(w).all(|(a, b)| same(a, b));
        assert!(equal, "{what}: {g:?} != {w:?}");
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The figures a list row shows, as the table and CSV print them.
fn cells(v: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .map(|f| match &v[*f] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            x if f.ends_with("delta") => format!("{:+.1}", x.as_f64().unwrap()),
            x if x.is_f64() => format!("{:?}", x.as_f64().unwrap()),
            x => x.to_string(),
        })
        .collect()
}

fn setup() -> (Env, Truth, Truth) {
    let e = Env::new();
    let first = e.file("first.jsonl", export(FIRST, "a").as_bytes());
    e.ok(&["analyze", p(&first), "-q"]);
    let before = truth(&e);
    let second = e.file("second.jsonl", export(SECOND, "b").as_bytes());
    e.ok(&["analyze", p(&second), "-q"]);
    let now = truth(&e);
    (e, before, now)
}

#[test]
fn every_number_is_recomputed_from_the_raw_reviews_in_every_format() {
    let (e, before, now) = setup();
    // The export is what it says: the awkward ratios are there.
    assert_eq!(now.months["2024-01"].neg, 301);
    assert_eq!(now.months["2024-01"].n, 763);
    let nd = |t: &Truth| (t.products["B0NODATE01"].neg, t.products["B0NODATE01"].n);
    assert_eq!((nd(&before), nd(&now)), ((4, 31), (7, 39)));

    let server = Server::start(&e);
    check_products(&e, &server, &before, &now);
    check_brands(&e, &server, &before, &now);
    check_portfolio(&e, &server, &before, &now);
    check_product_details(&e, &server, &before, &now);
    check_issues(&e, &server, &now);
    check_breakdowns(&e, &server, &now);
}

/// Breakdowns by language (and by marketplace: this export names none, so "unknown" is the
/// whole) of each product, brand and the portfolio, in the CLI's JSON and the API.
fn check_breakdowns(e: &Env, server: &Server, now: &Truth) {
    let check = |scope: &str, b: &Value, whole: &Tally| {
        let rows = b["by_language"].as_array().unwrap();
        let want: Vec<(&String, &Tally)> = (now.languages.iter())
            .filter(|((s, _), _)| s == scope)
            .map(|((_, l), t)| (l, t))
            .collect();
        assert_eq!(rows.len(), want.len(), "{scope}: {b}");
        for (lang, t) in want {
            let r = rows.iter().find(|r| r["key"] == **lang).unwrap();
            assert_eq!(r["reviews"], json!(t.n), "{scope} {lang}");
            assert_eq!(r["negative"], json!(t.neg), "{scope} {lang}");
            assert_eq!(r["pct_negative"], json!(t.pct(t.neg)), "{scope} {lang}");
            assert_eq!(r["rated_count"], json!(t.rated), "{scope} {lang}");
            assert_eq!(r["avg_rating"], t.avg(), "{scope} {lang}");
        }
        let m = &b["by_marketplace"][0];
        assert_eq!(
            (&m["key"], &m["reviews"]),
            (&json!("unknown"), &json!(whole.n))
        );
        assert_eq!(m["pct_negative"], json!(whole.pct(whole.neg)), "{scope}");
    };
    for (asin, t) in &now.products {
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "product", asin, "-f", "json"])).unwrap();
        check(&format!("p:{asin}"), &cli["breakdowns"], t);
        let api = server.ok(&format!("/api/v1/products/{asin}"));
        assert_eq!(api["data"]["breakdowns"], cli["breakdowns"], "{asin}");
    }
    let brands: Value = serde_json::from_str(&e.ok(&["report", "brands", "-f", "json"])).unwrap();
    for b in brands.as_array().unwrap() {
        let name = b["brand"].as_str().unwrap();
        check(&format!("b:{name}"), &b["breakdowns"], &now.brands[name].0);
    }
    let overview: Value = serde_json::from_str(&e.ok(&["report", "-f", "json"])).unwrap();
    check("all", &overview["breakdowns"], &now.all);
    let api = server.ok("/api/v1/overview");
    assert_eq!(api["data"]["breakdowns"], overview["breakdowns"]);
}

/// Issue counts and shares: each product's (and its months'), each brand's, the portfolio's.
fn check_issues(e: &Env, server: &Server, now: &Truth) {
    assert!(now.issues.len() >= 4, "the export reports issues");
    let nn = |t: &Tally| t.neg + t.neu;
    for (asin, p) in &now.products {
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "product", asin, "-f", "json"])).unwrap();
        let mut listed = BTreeMap::new();
        for list in ["issues", "mentioned_in_praise"] {
            for i in cli[list].as_array().unwrap() {
                let code = i["code"].as_str().unwrap().to_string();
                let t = now.issues[&(asin.clone(), code.clone())];
                assert_eq!(i["count"], json!(t.n), "{asin} {code}");
                assert_eq!(i["share"], json!(p.pct(t.n)), "{asin} {code}");
                assert_eq!(i["count_negative_neutral"], json!(nn(&t)), "{asin} {code}");
                let of_negative = half_away(1000 * t.neg as i128, p.neg.max(1) as i128);
                let of_negative = if p.neg == 0 {
                    0.0
                } else {
                    of_negative as f64 / 10.0
                };
                assert_eq!(i["share_of_negative"], json!(of_negative), "{asin} {code}");
                assert_eq!(list == "issues", nn(&t) > 0, "{asin} {code} in {list}");
                listed.insert(code, nn(&t));
            }
        }
        let want: BTreeMap<String, i64> = (now.issues.iter())
            .filter(|((a, _), _)| a == asin)
            .map(|((_, c), t)| (c.clone(), nn(t)))
            .collect();
        assert_eq!(listed, want, "{asin}: every issue, once");
        let ranked: Vec<i64> = (cli["issues"].as_array().unwrap().iter())
            .map(|i| i["count_negative_neutral"].as_i64().unwrap())
            .collect();
        assert!(
            ranked.windows(2).all(|w| w[0] >= w[1]),
            "{asin}: {ranked:?}"
        );
        for m in cli["trend"].as_array().unwrap() {
            let month = m["month"].as_str().unwrap().to_string();
            for (code, n) in m["issues"].as_object().unwrap() {
                let key = (asin.clone(), month.clone(), code.clone());
                assert_eq!(n, &json!(now.month_issues[&key]), "{key:?}");
            }
        }
    }
    // The portfolio: reviews, products and negative or neutral reviews per issue.
    let cli: Value = serde_json::from_str(&e.ok(&["report", "issues", "-f", "json"])).unwrap();
    assert_eq!(
        cli,
        server.ok("/api/v1/issues")["data"],
        "issues: CLI = API"
    );
    let mut want: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for ((_, code), t) in &now.issues {
        let w = want.entry(code.clone()).or_default();
        *w = (w.0 + t.n, w.1 + 1, w.2 + nn(t));
    }
    let got: BTreeMap<String, (i64, i64, i64)> = (cli.as_array().unwrap().iter())
        .map(|i| {
            let n = |k: &str| i[k].as_i64().unwrap();
            let key = i["code"].as_str().unwrap().to_string();
            (
                key,
                (n("reviews"), n("products"), n("reviews_negative_neutral")),
            )
        })
        .collect();
    assert_eq!(got, want, "portfolio issues");
    // Each brand's issues: reviews reporting each, over its products.
    let brands: Value = serde_json::from_str(&e.ok(&["report", "brands", "-f", "json"])).unwrap();
    for b in brands.as_array().unwrap() {
        let asins = &now.brands[b["brand"].as_str().unwrap()].1;
        for i in b["issues"].as_array().unwrap() {
            let code = i["code"].as_str().unwrap();
            let total: i64 = (asins.iter())
                .filter_map(|a| now.issues.get(&(a.clone(), code.to_string())))
                .map(|t| t.n)
                .sum();
            assert_eq!(i["count"], json!(total), "{} {code}", b["brand"]);
        }
    }
}

fn check_products(e: &Env, server: &Server, before: &Truth, now: &Truth) {
    let cli: Value = serde_json::from_str(&e.ok(&[
        "report", "products", "--sort", "asin", "--order", "asc", "--limit", "500", "-f", "json",
    ]))
    .unwrap();
    let api = server.ok("/api/v1/products?sort=asin&order=asc&limit=500")["data"].clone();
    assert_eq!(cli, api, "report products -f json = the API's data");
    let rows = cli.as_array().unwrap();
    assert_eq!(rows.len(), now.products.len());
    for row in rows {
        let asin = row["asin"].as_str().unwrap();
        let t = now.products[asin];
        let expected = json!({
            "review_count": t.n, "rated_count": t.rated, "avg_rating": t.avg(),
            "pct_positive": t.pct(t.pos), "pct_neutral": t.pct(t.neu), "pct_negative": t.pct(t.neg),
            "neg_delta": delta(t, before.products.get(asin).copied()),
        });
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&row[k], v, "{asin} {k}");
        }
    }
    let fields = [
        "asin",
        "review_count",
        "avg_rating",
        "pct_positive",
        "pct_negative",
        "neg_delta",
    ];
    let want: Vec<Vec<String>> = rows.iter().map(|r| cells(r, &fields)).collect();
    for format in ["csv", "table"] {
        let text = e.ok(&[
            "report", "products", "--sort", "asin", "--order", "asc", "--limit", "500", "-f",
            format,
        ]);
        let got = if format == "csv" {
            csv_rows(&text)
        } else {
            table_rows(&text)
        };
        let got: Vec<Vec<String>> = got[1..]
            .iter()
            .map(|r| r[..1].iter().chain(&r[2..7]).cloned().collect())
            .collect();
        assert_same_cells(&got, &want, &format!("report products -f {format}"));
    }
}

fn check_brands(e: &Env, server: &Server, before: &Truth, now: &Truth) {
    let cli: Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--sort", "brand", "-f", "json"]))
            .unwrap();
    let api = server.ok("/api/v1/brands?sort=brand")["data"].clone();
    assert_eq!(cli, api, "report brands -f json = the API's data");
    let rows = cli.as_array().unwrap();
    assert_eq!(rows.len(), now.brands.len());
    for row in rows {
        let brand = row["brand"].as_str().unwrap();
        let (t, asins) = &now.brands[brand];
        let prev = before.brands.get(brand).map(|b| b.0);
        let expected = json!({
            "products": asins.len(), "review_count": t.n, "rated_count": t.rated,
            "avg_rating": t.avg(), "pct_positive": t.pct(t.pos), "pct_neutral": t.pct(t.neu),
            "pct_negative": t.pct(t.neg), "neg_delta": delta(*t, prev),
            "previous_review_count": prev.map(|b| b.n),
            "previous_pct_negative": prev.map(|b| b.pct(b.neg)),
        });
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&row[k], v, "brand {brand} {k}");
        }
    }
    let fields = [
        "brand",
        "products",
        "review_count",
        "avg_rating",
        "pct_positive",
        "pct_negative",
        "neg_delta",
    ];
    let want: Vec<Vec<String>> = rows.iter().map(|r| cells(r, &fields)).collect();
    for format in ["csv", "table"] {
        let text = e.ok(&["report", "brands", "--sort", "brand", "-f", format]);
        let got = if format == "csv" {
            csv_rows(&text)
        } else {
            table_rows(&text)
        };
        let got: Vec<Vec<String>> = got[1..].iter().map(|r| r[..7].to_vec()).collect();
        assert_same_cells(&got, &want, &format!("report brands -f {format}"));
    }
}

fn check_portfolio(e: &Env, server: &Server, before: &Truth, now: &Truth) {
    let cli: Value =
        serde_json::from_str(&e.ok(&["report", "--limit", "100", "-f", "json"])).unwrap();
    let api = server.ok("/api/v1/overview?limit=100")["data"].clone();
    assert_eq!(cli["attention"], api["attention"], "attention: CLI = API");
    assert_eq!(cli["brands"], api["brands"], "overview brands: CLI = API");
    // Impact on the exact counts, ranked on the exact value, ties by ASIN; --min-reviews (10)
    // on the current count.
    let mut want: Vec<(&String, (i128, i128))> = now
        .products
        .iter()
        .filter(|(_, t)| t.n >= 10)
        .map(|(a, t)| (a, impact(*t, before.products.get(a).copied())))
        .collect();
    want.sort_by(|a, b| (b.1 .0 * a.1 .1).cmp(&(a.1 .0 * b.1 .1)).then(a.0.cmp(b.0)));
    let got: Vec<(String, f64)> = cli["attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["asin"].as_str().unwrap().to_string(),
                r["impact"].as_f64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, f64)> = want
        .iter()
        .map(|(a, i)| (a.to_string(), rounded_impact(*i)))
        .collect();
    assert_eq!(got, want, "attention: impact and order");
    let table = table_rows(&e.ok(&["report", "--limit", "100"]));
    let impacts: Vec<(String, f64)> = table[1..want.len() + 1]
        .iter()
        .map(|r| (r[0].clone(), r[5].parse().unwrap()))
        .collect();
    assert_eq!(impacts, want, "attention table");
    // The headline numbers.
    let s = &api["summary"];
    assert_eq!(s["reviews"], json!(now.all.n));
    assert_eq!(s["pct_negative"], json!(now.all.pct(now.all.neg)));
    assert_eq!(s["neg_delta"], delta(now.all, Some(before.all)));
    // The portfolio's % negative by month, as the HTML page's chart labels it.
    let html = e.ok(&["report", "-f", "html"]);
    for (month, t) in &now.months {
        let label = format!("<title>{month}: {}%</title>", t.pct(t.neg));
        assert!(html.contains(&label), "{label} in the portfolio page");
    }
}

fn check_product_details(e: &Env, server: &Server, before: &Truth, now: &Truth) {
    for (asin, t) in &now.products {
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "product", asin, "-f", "json"])).unwrap();
        let api = server.ok(&format!("/api/v1/products/{asin}"))["data"].clone();
        assert_eq!(cli, api, "{asin}: CLI = API");
        assert_eq!(cli["avg_rating"], t.avg(), "{asin}");
        assert_eq!(cli["pct_negative"], json!(t.pct(t.neg)), "{asin}");
        for m in cli["trend"].as_array().unwrap() {
            let month = m["month"].as_str().unwrap().to_string();
            let tm = now.product_months[&(asin.clone(), month.clone())];
            assert_eq!(m["reviews"], json!(tm.n), "{asin} {month}");
            assert_eq!(m["avg_rating"], tm.avg(), "{asin} {month}");
            assert_eq!(m["pct_negative"], json!(tm.pct(tm.neg)), "{asin} {month}");
        }
        let history = cli["history"].as_array().unwrap();
        let points: Vec<(i64, f64)> = history
            .iter()
            .map(|h| {
                (
                    h["review_count"].as_i64().unwrap(),
                    h["pct_negative"].as_f64().unwrap(),
                )
            })
            .collect();
        // Every run snapshots every product it rolls up.
        let mut want: Vec<(i64, f64)> = before
            .products
            .get(asin)
            .map(|b| (b.n, b.pct(b.neg)))
            .into_iter()
            .collect();
        want.push((t.n, t.pct(t.neg)));
        assert_eq!(points, want, "{asin}: one point per run");
    }
}
