//! Time windows (`--since/--until/--compare previous`, `from/to/compare`): every windowed figure
//! is recomputed from the raw reviews (`report reviews -f jsonl`: each review's date, stars,
//! overall label and issues) and compared with what the CLI (JSON, CSV, table) and the API show.
//! Undated reviews count on the day of the analysis run in which they first appeared.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{p, Env, Server};
use serde_json::{json, Value};

const TEXT: [&str; 5] = [
    "It leaks everywhere, water leaking out of the lid. Awful.",
    "Poor, it stopped working after a week.",
    "It is okay.",
    "Good product.",
    "Great product, works perfectly.",
];

/// An export: three products of two brands with reviews on every day from 2024-01-01 for 120 days
/// (stars and texts cycling at different rates, so each day and window differs), and one undated
/// product.
fn export() -> String {
    let mut out = String::new();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let products = [
        ("B0WIN00001", "Acme", 3),
        ("B0WIN00002", "Acme", 5),
        ("B0WIN00003", "Zeta", 7),
    ];
    for day in 0..120u64 {
        let date = start + chrono::Days::new(day);
        for (k, (asin, brand, step)) in products.iter().enumerate() {
            for j in 0..(1 + (day as usize + k) % 3) {
                let i = (day as usize * step + j * 2 + k) % 5;
                let mut r = json!({
                    "REVIEW_ID": format!("R{asin}{day:03}{j}"),
                    "CHILD_ASIN": asin,
                    "PRODUCT_BRAND": brand,
                    "CUSTOMER_REVIEW_TITLE": "Review",
                    "CUSTOMER_REVIEW_DESCRIPTION": TEXT[i],
                    "REVIEW_DATE": date.format("%Y-%m-%d").to_string(),
                });
                if !(day + j as u64).is_multiple_of(11) {
                    r["CUSTOMER_REVIEW_RATING"] = json!(i + 1);
                }
                out.push_str(&r.to_string());
                out.push('\n');
            }
        }
    }
    for n in 0..12 {
        let r = json!({
            "REVIEW_ID": format!("RUNDATED{n:02}"),
            "CHILD_ASIN": "B0UNDATED1",
            "PRODUCT_BRAND": "Zeta",
            "CUSTOMER_REVIEW_DESCRIPTION": TEXT[n % 5],
            "CUSTOMER_REVIEW_RATING": n % 5 + 1,
        });
        out.push_str(&r.to_string());
        out.push('\n');
    }
    out
}

fn half_away(a: i128, b: i128) -> i128 {
    let q = (2 * a.abs() + b) / (2 * b);
    if a < 0 {
        -q
    } else {
        q
    }
}

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
    fn pct(&self, k: i64) -> Value {
        match self.n {
            0 => Value::Null,
            n => json!(half_away(1000 * k as i128, n as i128) as f64 / 10.0),
        }
    }
    fn avg(&self) -> Value {
        match self.rated {
            0 => Value::Null,
            r => json!(half_away(100 * self.sum as i128, r as i128) as f64 / 100.0),
        }
    }
    /// The figures a window row carries.
    fn figures(&self, products: Option<usize>) -> Value {
        json!({
            "reviews": self.n, "products": products, "rated": self.rated, "avg_rating": self.avg(),
            "pct_positive": self.pct(self.pos), "pct_neutral": self.pct(self.neu),
            "pct_negative": self.pct(self.neg), "negative": self.neg,
        })
    }
}

/// A review as the window sees it: its day (an undated one: today, the day of the run that first
/// analyzed it), product, brand and the review itself.
struct Review {
    day: String,
    asin: String,
    brand: String,
    r: Value,
}

fn reviews(e: &Env) -> Vec<Review> {
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    e.ok(&["report", "reviews", "-f", "jsonl"])
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            Review {
                day: r["review_date"]
                    .as_str()
                    .map_or(today.clone(), |d| d[..10].to_string()),
                asin: r["asin"].as_str().unwrap().to_string(),
                brand: r["brand"].as_str().unwrap().to_string(),
                r,
            }
        })
        .collect()
}

/// What a window over some reviews shows: rows grouped by `key`, and the issues.
fn rows(
    rs: &[&Review],
    key: impl Fn(&Review) -> String,
) -> BTreeMap<String, (Tally, BTreeSet<String>)> {
    let mut out: BTreeMap<String, (Tally, BTreeSet<String>)> = BTreeMap::new();
    for r in rs {
        let e = out.entry(key(r)).or_default();
        e.0.add(&r.r);
        e.1.insert(r.asin.clone());
    }
    out
}

/// Each issue's expected JSON in a scope (all of `rs`), before sorting.
/// Products reporting an issue are counted for one product only (brands and the portfolio sum
/// brand days, which cannot count distinct products).
fn issues(rs: &[&Review], one_product: bool) -> BTreeMap<String, Value> {
    let mut all = Tally::default();
    let mut by: BTreeMap<String, (Tally, BTreeSet<String>)> = BTreeMap::new();
    for r in rs {
        all.add(&r.r);
        for hit in r.r["issues"].as_array().unwrap() {
            let e = by
                .entry(hit["code"].as_str().unwrap().to_string())
                .or_default();
            e.0.add(&r.r);
            e.1.insert(r.asin.clone());
        }
    }
    by.into_iter()
        .map(|(code, (t, products))| {
            let (r, s) = (t.rated as i128, t.sum as i128);
            let (big_r, big_s) = (all.rated as i128, all.sum as i128);
            let shown = t.rated >= 5;
            let avg = |a: i128, b: i128| match shown && b > 0 {
                true => json!(half_away(100 * a, b) as f64 / 100.0),
                false => Value::Null,
            };
            let impact = match shown && big_r > r {
                true => json!(
                    half_away(100 * (big_s * r - s * big_r), big_r * (big_r - r)) as f64 / 100.0
                ),
                false => Value::Null,
            };
            let v = json!({
                "code": code, "reviews": t.n, "negative_neutral": t.neg + t.neu,
                "products": if one_product { json!(products.len()) } else { Value::Null }, "share": all.pct(t.n),
                "avg_with": avg(s, r), "avg_without": avg(big_s - s, big_r - r), "impact": impact,
            });
            (code, v)
        })
        .collect()
}

fn in_window<'a>(all: &'a [Review], from: &str, to: &str) -> Vec<&'a Review> {
    all.iter()
        .filter(|r| r.day.as_str() >= from && r.day.as_str() <= to)
        .collect()
}

/// The fields of `got` that `want` names, so added fields do not break the comparison.
fn pick(got: &Value, want: &Value) -> Value {
    let keys = want.as_object().unwrap().keys();
    Value::Object(keys.map(|k| (k.clone(), got[k].clone())).collect())
}

fn setup() -> (Env, Vec<Review>) {
    let e = Env::new();
    let f = e.file("w.jsonl", export().as_bytes());
    e.ok(&["analyze", p(&f), "-q"]);
    let all = reviews(&e);
    (e, all)
}

const FROM: &str = "2024-02-01";
const TO: &str = "2024-02-29";
/// The window before: the same 29 days, ending the day before FROM.
const PREV_FROM: &str = "2024-01-03";
const PREV_TO: &str = "2024-01-31";

#[test]
fn windowed_figures_are_recomputed_from_the_raw_reviews_in_the_cli_and_the_api() {
    let (e, all) = setup();
    let now = in_window(&all, FROM, TO);
    let before = in_window(&all, PREV_FROM, PREV_TO);
    assert!(now.len() > 100 && before.len() > 100);
    let server = Server::start(&e);
    let w = ["--since", FROM, "--until", TO, "--compare", "previous"];
    let q = format!("from={FROM}&to={TO}&compare=previous");

    // The portfolio (overview) and the issues view: one row with its change, the issues.
    let check_scope = |report: &Value, sort_impact: bool| {
        assert_eq!(report["from"], FROM);
        assert_eq!(report["previous_from"], PREV_FROM);
        assert_eq!(report["previous_to"], PREV_TO);
        let n = rows(&now, |_| "portfolio".into())["portfolio"].clone();
        let b = rows(&before, |_| "portfolio".into())["portfolio"].clone();
        let row = &report["rows"][0];
        assert_eq!(pick(row, &n.0.figures(None)), n.0.figures(None));
        assert_eq!(row["previous"]["reviews"], b.0.n);
        assert_eq!(row["delta_reviews"], n.0.n - b.0.n);
        let num = 1000 * (n.0.neg as i128 * b.0.n as i128 - b.0.neg as i128 * n.0.n as i128);
        let d = half_away(num, n.0.n as i128 * b.0.n as i128) as f64 / 10.0;
        assert_eq!(row["delta_pct_negative"], json!(d));
        let want = issues(&now, false);
        let got = report["issues"].as_array().unwrap();
        assert_eq!(got.len(), want.len());
        for i in got {
            let w = &want[i["code"].as_str().unwrap()];
            assert_eq!(pick(i, w), *w);
        }
        let prev = issues(&before, false);
        let leaks = got
            .iter()
            .find(|i| i["code"] == "leaks")
            .expect("leaks in the window");
        assert_eq!(leaks["previous_reviews"], prev["leaks"]["reviews"]);
        if sort_impact {
            let impacts: Vec<f64> = got.iter().filter_map(|i| i["impact"].as_f64()).collect();
            assert!(
                impacts.len() >= 2 && impacts.windows(2).all(|p| p[0] >= p[1]),
                "{impacts:?}"
            );
        }
    };
    let cli: Value =
        serde_json::from_str(&e.ok(&[&["report", "-f", "json"], &w[..]].concat())).unwrap();
    check_scope(&cli, false);
    check_scope(&server.ok(&format!("/api/v1/overview?{q}"))["data"], false);
    let cli: Value = serde_json::from_str(
        &e.ok(&[
            &["report", "issues", "--sort", "impact", "-f", "json"],
            &w[..],
        ]
        .concat()),
    )
    .unwrap();
    check_scope(&cli, true);
    check_scope(
        &server.ok(&format!("/api/v1/issues?{q}&sort=impact"))["data"],
        true,
    );

    // One product: its figures and its issues; the CSV is the issues table.
    let asin = "B0WIN00002";
    let mine: Vec<&Review> = now.iter().copied().filter(|r| r.asin == asin).collect();
    let t = rows(&mine, |_| asin.into())[asin].clone();
    for report in [
        serde_json::from_str::<Value>(
            &e.ok(&[&["report", "product", "b0win00002", "-f", "json"], &w[..]].concat()),
        )
        .unwrap(),
        server.ok(&format!("/api/v1/products/{asin}?{q}"))["data"].clone(),
    ] {
        assert_eq!(report["view"], "product");
        assert_eq!(
            pick(&report["rows"][0], &t.0.figures(Some(1))),
            t.0.figures(Some(1))
        );
        let want = issues(&mine, true);
        for i in report["issues"].as_array().unwrap() {
            let w = &want[i["code"].as_str().unwrap()];
            assert_eq!(pick(i, w), *w);
        }
    }
    let csv = e.ok(&[&["report", "product", asin, "-f", "csv"], &w[..]].concat());
    let leaks = &issues(&mine, true)["leaks"];
    let line = csv
        .lines()
        .find(|l| l.contains(",leaks,"))
        .expect("leaks in the CSV");
    assert!(line.contains(&format!(",{},", leaks["reviews"])), "{line}");

    // Products and brands: sorted by a figure in the window.
    let by_product = rows(&now, |r| r.asin.clone());
    let cli: Value = serde_json::from_str(
        &e.ok(&[
            &["report", "products", "--sort", "negative", "-f", "json"],
            &w[..4],
        ]
        .concat()),
    )
    .unwrap();
    let api = server.ok(&format!(
        "/api/v1/products?from={FROM}&to={TO}&sort=negative"
    ))["data"]
        .clone();
    for report in [cli, api] {
        let got = report["rows"].as_array().unwrap();
        assert_eq!(got.len(), by_product.len());
        for r in got {
            let (t, _) = &by_product[r["key"].as_str().unwrap()];
            assert_eq!(pick(r, &t.figures(Some(1))), t.figures(Some(1)));
        }
        let shares: Vec<f64> = got
            .iter()
            .map(|r| r["pct_negative"].as_f64().unwrap())
            .collect();
        assert!(shares.windows(2).all(|p| p[0] >= p[1]), "{shares:?}");
    }
    let by_brand = rows(&now, |r| r.brand.clone());
    let by_brand_before = rows(&before, |r| r.brand.clone());
    let cli: Value =
        serde_json::from_str(&e.ok(&[&["report", "brands", "-f", "json"], &w[..]].concat()))
            .unwrap();
    let api = server.ok(&format!("/api/v1/brands?{q}"))["data"].clone();
    for report in [cli, api] {
        for r in report["rows"].as_array().unwrap() {
            let brand = r["key"].as_str().unwrap();
            let (t, _) = &by_brand[brand];
            assert_eq!(pick(r, &t.figures(None)), t.figures(None));
            assert_eq!(r["delta_reviews"], t.n - by_brand_before[brand].0.n);
        }
    }
    // The table shows the same figures with the window in its heading.
    let table = e.ok(&[&["report", "brands"], &w[..]].concat());
    assert!(table.contains(&format!("Window {FROM} … {TO}")), "{table}");
    assert!(
        table.contains(&format!("{}", by_brand["Acme"].0.n)),
        "{table}"
    );
}

#[test]
fn undated_reviews_count_on_the_day_of_the_run_they_first_appeared_in() {
    let (e, all) = setup();
    let today = chrono::Utc::now().date_naive();
    let yesterday = (today - chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let today = today.format("%Y-%m-%d").to_string();
    let undated = all.iter().filter(|r| r.asin == "B0UNDATED1").count();
    assert_eq!(undated, 12);
    let window = |since: &str, until: &str| -> Value {
        let out = e.ok(&[
            "report",
            "product",
            "B0UNDATED1",
            "-f",
            "json",
            "--since",
            since,
            "--until",
            until,
        ]);
        serde_json::from_str(&out).unwrap()
    };
    assert_eq!(window(&today, &today)["rows"][0]["reviews"], 12);
    let before = window("2000-01-01", &yesterday);
    assert_eq!(before["rows"][0]["reviews"], 0);
    assert_eq!(before["message"], "no reviews in window");
    // Dated reviews keep their own dates, whenever they were analyzed.
    let dated = all.iter().filter(|r| r.day == "2024-03-15").count() as i64;
    let out = e.ok(&[
        "report",
        "-f",
        "json",
        "--since",
        "2024-03-15",
        "--until",
        "2024-03-15",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"][0]["reviews"], dated);
}

#[test]
fn an_empty_window_says_so_with_null_figures_not_nan() {
    let (e, _) = setup();
    let server = Server::start(&e);
    let out = e.ok(&[
        "report",
        "-f",
        "json",
        "--since",
        "2030-01-01",
        "--until",
        "2030-01-31",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reviews"], 0);
    assert_eq!(v["message"], "no reviews in window");
    assert_eq!(v["rows"][0]["avg_rating"], Value::Null);
    assert_eq!(v["rows"][0]["pct_negative"], Value::Null);
    assert!(!out.contains("NaN"));
    let table = e.ok(&["report", "issues", "--since", "2030-01-01"]);
    assert!(table.contains("no reviews in window"), "{table}");
    let api = server.ok("/api/v1/brands?from=2030-01-01");
    assert_eq!(api["data"]["message"], "no reviews in window");
    assert_eq!(api["data"]["rows"], json!([]));
}

#[test]
fn bad_dates_and_windows_are_usage_errors_that_name_the_parameter() {
    let (e, _) = setup();
    for args in [
        &["report", "--since", "2024-02-30"][..],
        &["report", "products", "--until", "yesterday"],
        &[
            "report",
            "products",
            "--since",
            "2024-01-01",
            "--issue",
            "leaks",
        ],
        &[
            "report",
            "brands",
            "--since",
            "2024-03-01",
            "--until",
            "2024-02-01",
        ],
        &[
            "report",
            "issues",
            "--until",
            "2024-02-01",
            "--compare",
            "previous",
        ],
        &[
            "report",
            "product",
            "B0WIN00001",
            "--compare",
            "next",
            "--since",
            "2024-01-01",
        ],
    ] {
        let o = e.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--since") || err.contains("--until") || err.contains("--compare"),
            "{err}"
        );
    }
    let o = e.run(&["report", "product", "B0NOSUCH00", "--since", "2024-01-01"]);
    assert_eq!(o.status.code(), Some(1));
    let server = Server::start(&e);
    for (url, param) in [
        ("/api/v1/products?from=2024-02-30", "from"),
        ("/api/v1/brands?from=2024-03-01&to=2024-02-01", "from"),
        ("/api/v1/issues?to=2024-02-01&compare=previous", "compare"),
        ("/api/v1/overview?from=2024-01-01&compare=next", "compare"),
        ("/api/v1/products?from=2024-01-01&q=leak", "q"),
        (
            "/api/v1/products/B0WIN00001?from=2024-01-01&sort=rating",
            "sort",
        ),
    ] {
        let (status, body) = server.get(url);
        assert_eq!(status, 400, "{url}");
        assert_eq!(body["error"]["parameter"], param, "{url}: {body}");
    }
    let (status, _) = server.get("/api/v1/products/B0NOSUCH00?from=2024-01-01");
    assert_eq!(status, 404);
}

const PRAISE: [&str; 5] = [
    "The sound quality is amazing and the battery life is excellent.",
    "Battery life is great and the screen is bright and clear.",
    "Great sound quality, better than my old one. Easy to use.",
    "The headband broke after a week. Useless.",
    "It is okay.",
];

/// Two products of two brands praised for different things on different days (2024-01-01 on,
/// 60 days), so each window ranks liked aspects differently.
fn praise_export() -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut out = String::new();
    for day in 0..60u64 {
        for (k, (asin, brand, step)) in [("B0LIKE0001", "Acme", 2), ("B0LIKE0002", "Zeta", 3)]
            .iter()
            .enumerate()
        {
            // January leans on the screen, February on sound: shares move between windows.
            let i = (day as usize * step + k + usize::from(day >= 31)) % 5;
            let r = json!({
                "REVIEW_ID": format!("L{asin}{day:03}"), "CHILD_ASIN": asin, "PRODUCT_BRAND": brand,
                "CUSTOMER_REVIEW_DESCRIPTION": PRAISE[i], "CUSTOMER_REVIEW_RATING": 5 - i % 3,
                "REVIEW_DATE": (start + chrono::Days::new(day)).format("%Y-%m-%d").to_string(),
            });
            out.push_str(&format!("{r}\n"));
        }
    }
    out
}

/// Reviews dated in [from, to] of `asin` (or all) that the current analysis says praise `term`
/// (None: all of them), straight from the stored per-text results.
fn raw_liked(e: &Env, asin: Option<&str>, from: &str, to: &str, term: Option<&str>) -> i64 {
    let asin = asin.map_or(String::new(), |a| format!(" AND r.asin = '{a}'"));
    let term = term.map_or(String::new(), |t| {
        format!(
            " AND EXISTS (SELECT 1 FROM json_each(t.liked) j
                          WHERE json_extract(j.value, '$.term') = '{}')",
            t.replace('\'', "''")
        )
    });
    e.count(&format!(
        "SELECT count(*) FROM reviews r
         JOIN text_results t ON t.text_hash = r.text_hash
              AND t.analyzer = (SELECT analyzer FROM text_results LIMIT 1)
         WHERE r.retired_run IS NULL AND substr(r.review_date, 1, 10) BETWEEN '{from}' AND '{to}'
         {asin}{term}"
    ))
}

/// The liked terms of reviews dated in [from, to] (of `asin`, or all), counted distinct.
fn raw_liked_terms(e: &Env, asin: Option<&str>, from: &str, to: &str) -> i64 {
    let asin = asin.map_or(String::new(), |a| format!(" AND r.asin = '{a}'"));
    e.count(&format!(
        "SELECT count(DISTINCT json_extract(j.value, '$.term')) FROM reviews r
         JOIN text_results t ON t.text_hash = r.text_hash
              AND t.analyzer = (SELECT analyzer FROM text_results LIMIT 1)
         JOIN json_each(t.liked) j
         WHERE r.retired_run IS NULL AND substr(r.review_date, 1, 10) BETWEEN '{from}' AND '{to}'
         {asin}"
    ))
}

/// Checks a window's liked aspects against the raw results: every praised term listed, ranked,
/// counts, shares and, compared, the previous window's counts and the change in share.
fn check_window_liked(e: &Env, liked: &Value, asin: Option<&str>, compared: bool) {
    let (from, to, pfrom, pto) = ("2024-02-01", "2024-02-29", "2024-01-03", "2024-01-31");
    let liked = liked.as_array().unwrap();
    assert_eq!(
        liked.len() as i64,
        raw_liked_terms(e, asin, from, to),
        "{liked:?}"
    );
    assert!(liked.len() >= 3, "{liked:?}");
    let (n, n0) = (
        raw_liked(e, asin, from, to, None),
        raw_liked(e, asin, pfrom, pto, None),
    );
    let ranked: Vec<(i64, &str)> = liked
        .iter()
        .map(|l| (-l["reviews"].as_i64().unwrap(), l["term"].as_str().unwrap()))
        .collect();
    assert!(ranked.windows(2).all(|w| w[0] < w[1]), "{ranked:?}");
    for l in liked {
        let term = l["term"].as_str().unwrap();
        let k = raw_liked(e, asin, from, to, Some(term));
        assert_eq!(l["reviews"], json!(k), "{asin:?} {term}");
        assert_eq!(
            l["share"],
            json!(half_away(1000 * k as i128, n as i128) as f64 / 10.0)
        );
        check_liked_quote(e, l, asin, from, to);
        if !compared {
            assert!(l.get("previous_reviews").is_none(), "{l}");
            continue;
        }
        let k0 = raw_liked(e, asin, pfrom, pto, Some(term));
        let d = half_away(
            1000 * (k as i128 * n0 as i128 - k0 as i128 * n as i128),
            n as i128 * n0 as i128,
        );
        assert_eq!(l["previous_reviews"], json!(k0), "{asin:?} {term}");
        assert_eq!(l["delta_share"], json!(d as f64 / 10.0), "{asin:?} {term}");
    }
}

/// A windowed liked aspect's quote is the sentence of a review of the scope dated in the window
/// that praises it, with that review's stars and language; one whose stars agree with the praise
/// (4 or 5, or none) when the window has one.
fn check_liked_quote(e: &Env, l: &Value, asin: Option<&str>, from: &str, to: &str) {
    let q = &l["quote"];
    assert!(q.is_object(), "no quote: {l}");
    let sql = |cond: &str| {
        let asin = asin.map_or(String::new(), |a| format!(" AND r.asin = '{a}'"));
        let term = l["term"].as_str().unwrap().replace('\'', "''");
        format!(
            "SELECT count(*) FROM reviews r
             JOIN text_results t ON t.text_hash = r.text_hash
                  AND t.analyzer = (SELECT analyzer FROM text_results LIMIT 1)
             JOIN json_each(t.liked) j
             WHERE r.retired_run IS NULL AND substr(r.review_date, 1, 10) BETWEEN '{from}' AND '{to}'
               AND json_extract(j.value, '$.term') = '{term}'{asin} AND {cond}"
        )
    };
    let text = q["text"].as_str().unwrap().replace('\'', "''");
    let lang = q["language"]
        .as_str()
        .map_or("NULL".into(), |x| format!("'{x}'"));
    let quoted = format!(
        "json_extract(j.value, '$.evidence') = '{text}' AND r.rating IS {} AND t.language IS {lang}",
        q["stars"]
    );
    assert!(e.count(&sql(&quoted)) > 0, "{asin:?}: {l}");
    if q["stars"].as_i64().is_some_and(|s| s < 4) {
        let agreeing = "(r.rating IS NULL OR r.rating >= 4)";
        assert_eq!(e.count(&sql(agreeing)), 0, "a review agreeing with {l}");
    }
}

#[test]
fn liked_aspects_in_a_window_are_recomputed_from_the_raw_results() {
    let e = Env::new();
    let f = e.file("praise.jsonl", praise_export().as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let window = ["--since", "2024-02-01", "--until", "2024-02-29"];
    let cli = |view: &[&str], extra: &[&str]| -> Value {
        let args: Vec<&str> = ["report"]
            .iter()
            .chain(view)
            .chain(&window)
            .chain(extra)
            .copied()
            .collect();
        serde_json::from_str(&e.ok(&[&args[..], &["-f", "json"]].concat())).unwrap()
    };
    let product = cli(&["product", "b0like0001"], &["--compare", "previous"]);
    check_window_liked(&e, &product["liked_aspects"], Some("B0LIKE0001"), true);
    let brands = cli(&["brands"], &["--compare", "previous"]);
    check_window_liked(&e, &brands["liked_aspects"], None, true);
    let overview = cli(&[], &[]);
    check_window_liked(&e, &overview["liked_aspects"], None, false);
    assert_eq!(
        cli(&["products"], &[])["liked_aspects"],
        json!([]),
        "a products list has no liked aspects"
    );
    let s = Server::start(&e);
    let q = "from=2024-02-01&to=2024-02-29&compare=previous";
    let api = s.ok(&format!("/api/v1/products/B0LIKE0002?{q}"));
    check_window_liked(&e, &api["data"]["liked_aspects"], Some("B0LIKE0002"), true);
    let api = s.ok(&format!("/api/v1/overview?{q}"));
    check_window_liked(&e, &api["data"]["liked_aspects"], None, true);
    let top = product["liked_aspects"][0]["term"].as_str().unwrap();
    let table = e.ok(&[&["report", "product", "B0LIKE0001"][..], &window].concat());
    assert!(
        table.contains("What customers like") && table.contains(top),
        "{table}"
    );
    let html = e.ok(&[&["report", "brands", "-f", "html"][..], &window].concat());
    assert!(
        html.contains("What customers like") && html.contains(top),
        "{html}"
    );
    // The quote in the table and the HTML too.
    let quote = product["liked_aspects"][0]["quote"]["text"]
        .as_str()
        .unwrap();
    assert!(table.contains(quote), "{quote} in {table}");
    let html = e.ok(&[
        &["report", "product", "B0LIKE0001", "-f", "html"][..],
        &window,
    ]
    .concat());
    assert!(html.contains(quote), "{quote} in {html}");
}

/// A products list is cut to its limit after sorting on the window's figures: each page of
/// `--limit N` is the first N rows of the whole list, in every sort and order, and the whole list
/// is in that order (ties by ASIN; `asin` descending reverses it).
#[test]
fn a_limited_products_list_is_the_head_of_the_sorted_list() {
    let (e, _) = setup();
    let list = |extra: &[&str]| -> Vec<(String, Value)> {
        let args = [
            &["report", "products", "--since", "2024-01-10", "-f", "json"][..],
            extra,
        ]
        .concat();
        let r: Value = serde_json::from_str(&e.ok(&args)).unwrap();
        let rows = r["rows"].as_array().unwrap().iter();
        rows.map(|x| (x["key"].as_str().unwrap().to_string(), x.clone()))
            .collect()
    };
    let keys = |v: &[(String, Value)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    for (sort, field) in [
        ("reviews", "reviews"),
        ("rating", "avg_rating"),
        ("negative", "pct_negative"),
        ("asin", ""),
    ] {
        for order in ["asc", "desc"] {
            let whole = list(&["--sort", sort, "--order", order, "--limit", "100"]);
            assert_eq!(whole.len(), 4, "three dated products and the undated one");
            let value = |x: &Value| x[field].as_f64().unwrap_or(f64::NAN);
            for w in whole.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let ok = match (field.is_empty(), order) {
                    (true, "asc") => a.0 < b.0,
                    (true, _) => a.0 > b.0,
                    (false, "asc") => {
                        value(&a.1) < value(&b.1) || (value(&a.1) == value(&b.1) && a.0 < b.0)
                    }
                    (false, _) => {
                        value(&a.1) > value(&b.1) || (value(&a.1) == value(&b.1) && a.0 < b.0)
                    }
                };
                assert!(ok, "{sort} {order}: {:?}", keys(&whole));
            }
            for n in 1..4 {
                let page = list(&["--sort", sort, "--order", order, "--limit", &n.to_string()]);
                assert_eq!(keys(&page), keys(&whole[..n]), "{sort} {order} --limit {n}");
            }
        }
    }
}

/// `report reviews --since/--until` lists the reviews counting in the window (an undated one on
/// the day of the run that first analyzed it) in every format, as the API's product reviews with
/// `from`/`to`; `report runs` and `/api/v1/runs` list the runs started in it.
#[test]
fn reviews_and_runs_are_listed_for_a_window() {
    let (e, all) = setup();
    let ids = |rs: &mut dyn Iterator<Item = &Review>| -> BTreeSet<String> {
        rs.map(|r| r.r["review_id"].as_str().unwrap().to_string())
            .collect()
    };
    let want = ids(&mut in_window(&all, FROM, TO).into_iter());
    assert!(want.len() > 100 && want.len() < all.len());
    let w = ["--since", FROM, "--until", TO];
    let jsonl = e.ok(&[&["report", "reviews", "-f", "jsonl"][..], &w].concat());
    let got: BTreeSet<String> = (jsonl.lines())
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["review_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got, want);
    let json: Value =
        serde_json::from_str(&e.ok(&[&["report", "reviews", "-f", "json"][..], &w].concat()))
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), want.len());
    let csv = e.ok(&[&["report", "reviews", "-f", "csv"][..], &w].concat());
    assert_eq!(csv.lines().count(), want.len() + 1, "a header and the rows");
    let open_end = e.ok(&["report", "reviews", "-f", "jsonl", "--since", "2024-04-20"]);
    let late = all.iter().filter(|r| r.day.as_str() >= "2024-04-20");
    assert_eq!(
        open_end.lines().count(),
        late.count(),
        "undated ones (today) included"
    );
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let undated = e.ok(&["report", "reviews", "-f", "jsonl", "--since", &today]);
    assert_eq!(
        undated.lines().count(),
        12,
        "the undated product's, analyzed today"
    );

    let s = Server::start(&e);
    let one = |asin: &str, q: &str| s.ok(&format!("/api/v1/products/{asin}/reviews?{q}"));
    let page = one("B0WIN00002", &format!("from={FROM}&to={TO}&limit=500"));
    let want2 = ids(&mut in_window(&all, FROM, TO)
        .into_iter()
        .filter(|r| r.asin == "B0WIN00002"));
    let got2: BTreeSet<String> = (page["data"].as_array().unwrap().iter())
        .map(|r| r["review_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got2, want2);
    assert_eq!(page["meta"]["total"], json!(want2.len()));
    assert_eq!(
        one("B0UNDATED1", &format!("from={today}"))["meta"]["total"],
        12
    );
    assert_eq!(one("B0UNDATED1", &format!("to={FROM}"))["meta"]["total"], 0);
    let (status, body) = s.get(&format!(
        "/api/v1/products/B0WIN00002/reviews?from={TO}&to={FROM}"
    ));
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("from"))
    );

    // Runs: the one analysis run started today.
    let runs = |extra: &[&str]| -> usize {
        let out = e.ok(&[&["report", "runs", "-f", "json"][..], extra].concat());
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(runs(&[]), 1);
    assert_eq!(runs(&["--since", &today, "--until", &today]), 1);
    assert_eq!(runs(&["--until", "2024-12-31"]), 0);
    assert_eq!(
        s.ok(&format!("/api/v1/runs?from={today}"))["meta"]["count"],
        1
    );
    assert_eq!(s.ok("/api/v1/runs?to=2024-12-31")["meta"]["count"], 0);
    let (status, body) = s.get("/api/v1/runs?from=2024-13-01");
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("from"))
    );
    let bad = e.run(&[
        "report",
        "runs",
        "--since",
        "2024-02-02",
        "--until",
        "2024-02-01",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `report liked --since/--until` (summed, `--by-brand`, `--compare previous`) counts the praise
/// of the reviews dated in the window, recomputed from the raw per-text results.
#[test]
fn report_liked_in_a_window_is_recomputed_from_the_raw_results() {
    let e = Env::new();
    let f = e.file("praise.jsonl", praise_export().as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let w = [
        "report",
        "liked",
        "--since",
        "2024-02-01",
        "--until",
        "2024-02-29",
    ];
    let json = |extra: &[&str]| -> Value {
        serde_json::from_str(&e.ok(&[&w[..], extra, &["-f", "json"]].concat())).unwrap()
    };
    check_window_liked(&e, &json(&[]), None, false);
    check_window_liked(&e, &json(&["--compare", "previous"]), None, true);
    let by_brand = json(&["--by-brand", "--compare", "previous"]);
    for (brand, asin) in [("Acme", "B0LIKE0001"), ("Zeta", "B0LIKE0002")] {
        let rows: Vec<Value> = (by_brand.as_array().unwrap().iter())
            .filter(|r| r["brand"] == brand)
            .cloned()
            .collect();
        check_window_liked(&e, &Value::Array(rows), Some(asin), true);
    }
    let only = json(&["--brand", "zeta"]);
    let zeta: Vec<Value> = (by_brand.as_array().unwrap().iter())
        .filter(|r| r["brand"] == "Zeta")
        .map(|r| json!({"term": r["term"], "reviews": r["reviews"], "share": r["share"], "quote": r["quote"]}))
        .collect();
    assert_eq!(
        only,
        Value::Array(zeta),
        "one brand's sum is its by-brand rows"
    );
    let csv = e.ok(&[&w[..], &["--by-brand", "-f", "csv"]].concat());
    assert_eq!(
        csv.lines().next(),
        Some("brand,liked,reviews,% of reviews,quote,stars,language")
    );
    // Each row's quote in the CSV, as in JSON.
    let first = &by_brand[0]["quote"];
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.ends_with(&format!(
            ",{},{}",
            first["stars"],
            first["language"].as_str().unwrap()
        )),
        "{row}"
    );
    assert_eq!(csv.lines().count(), by_brand.as_array().unwrap().len() + 1);
    let table = e.ok(&[&w[..], &["--compare", "previous"]].concat());
    let top = json(&[])[0]["term"].as_str().unwrap().to_string();
    assert!(
        table.contains("2024-02-01 … 2024-02-29")
            && table.contains("Δ % of reviews")
            && table.contains(&top),
        "{table}"
    );
    let html = e.ok(&[&w[..], &["-f", "html"]].concat());
    assert!(html.contains("<table") && html.contains(&top), "{html}");
}

/// Windowed products and brands page like the unwindowed lists: `limit` and `cursor`, with the
/// same `meta` fields; walking the pages gives the whole list once, in order, in every sort.
#[test]
fn windowed_lists_page_with_cursors_like_the_unwindowed_ones() {
    let (e, _) = setup();
    let s = Server::start(&e);
    let keys = |v: &Value| -> Vec<String> {
        (v["data"]["rows"].as_array().unwrap().iter())
            .map(|r| r["key"].as_str().unwrap().to_string())
            .collect()
    };
    let meta_keys = |v: &Value| -> BTreeSet<String> {
        v["meta"].as_object().unwrap().keys().cloned().collect()
    };
    for (list, sorts) in [
        (
            "products",
            &["reviews", "rating", "negative", "trend", "asin"][..],
        ),
        ("brands", &["reviews", "rating", "negative", "brand"][..]),
    ] {
        let plain = s.ok(&format!("/api/v1/{list}?limit=1"));
        for sort in sorts {
            for order in ["asc", "desc"] {
                let q = format!(
                    "/api/v1/{list}?from=2024-01-10&compare=previous&sort={sort}&order={order}"
                );
                let whole = s.ok(&format!("{q}&limit=100"));
                assert_eq!(whole["meta"]["next_cursor"], Value::Null);
                let all = keys(&whole);
                assert!(all.len() >= 2, "{list}: {all:?}");
                let (mut walked, mut cursor) = (Vec::new(), String::new());
                loop {
                    let page = s.ok(&format!("{q}&limit=1{cursor}"));
                    assert_eq!(meta_keys(&page), meta_keys(&plain), "{list}: {page}");
                    assert_eq!(page["meta"]["total"], json!(all.len()));
                    assert_eq!(page["meta"]["count"], 1);
                    assert_eq!(page["meta"]["sort"], *sort);
                    walked.extend(keys(&page));
                    match page["meta"]["next_cursor"].as_str() {
                        Some(c) => cursor = format!("&cursor={c}"),
                        None => break,
                    }
                    assert!(
                        walked.len() <= all.len(),
                        "{list} {sort} {order}: {walked:?}"
                    );
                }
                assert_eq!(walked, all, "{list} {sort} {order}");
            }
        }
    }
    // A cursor is bound to its sort, as without a window.
    let first = s.ok("/api/v1/products?from=2024-01-10&sort=rating&limit=1");
    let c = first["meta"]["next_cursor"].as_str().unwrap();
    let (status, body) = s.get(&format!(
        "/api/v1/products?from=2024-01-10&sort=negative&cursor={c}"
    ));
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("cursor"))
    );
}

/// The star figures of `(rated, stars)` reviews with something against all `(rated, stars)` of
/// the scope, as JSON: average with, without, and stars gained (from 5 rated reviews with it).
fn star_json(with: (i64, i64), all: (i64, i64)) -> (Value, Value, Value) {
    let ((r, s), (big_r, big_s)) = (
        (with.0 as i128, with.1 as i128),
        (all.0 as i128, all.1 as i128),
    );
    let shown = r >= 5;
    let avg = |a: i128, b: i128| match shown && b > 0 {
        true => json!(half_away(100 * a, b) as f64 / 100.0),
        false => Value::Null,
    };
    let gained = match shown && big_r > r {
        true => json!(half_away(100 * (big_s * r - s * big_r), big_r * (big_r - r)) as f64 / 100.0),
        false => Value::Null,
    };
    (avg(s, r), avg(big_s - s, big_r - r), gained)
}

/// What a product's window says in words, recomputed from its reviews in the window (newest
/// last, as `report reviews` lists them): its complaint aspects with their star figures, and up
/// to three quotes per issue, newest first.
fn expected_evidence(mut mine: Vec<&Review>) -> (Vec<Value>, BTreeMap<String, Vec<Value>>) {
    mine.reverse();
    let mut tally = Tally::default();
    let mut terms: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    let mut quotes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in &mine {
        tally.add(&r.r);
        for a in r.r["aspects"].as_array().unwrap() {
            let c = terms.entry(a.as_str().unwrap().to_string()).or_default();
            c[0] += 1;
            if let Some(x) = r.r["rating"].as_i64() {
                c[1] += 1;
                c[2] += x;
            }
        }
        for hit in r.r["issues"].as_array().unwrap() {
            let q = quotes
                .entry(hit["code"].as_str().unwrap().into())
                .or_default();
            // Distinct texts only: the same review posted twice is one quote.
            if q.len() < 3 && !q.iter().any(|x| x["text"] == hit["evidence"]) {
                q.push(
                    json!({"review_id": r.r["review_id"], "text": hit["evidence"],
                              "rating": r.r["rating"], "language": r.r["language"]}),
                );
            }
        }
    }
    let mut ranked: Vec<(String, [i64; 3])> = terms.into_iter().collect();
    ranked.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(&b.0)));
    ranked.truncate(20);
    let aspects = ranked
        .iter()
        .map(|(t, c)| {
            let (with, without, gained) = star_json((c[1], c[2]), (tally.rated, tally.sum));
            json!({"term": t, "count": c[0], "share": tally.pct(c[0]), "avg_rating_with": with,
                   "avg_rating_without": without, "stars_gained": gained})
        })
        .collect();
    (aspects, quotes)
}

/// The fields of each of `got`'s rows that `want`'s rows name (added fields, such as a
/// comparison's, do not break the comparison).
fn pick_rows(got: &Value, want: &[Value]) -> Value {
    let got = got.as_array().map_or(&[][..], Vec::as_slice);
    if got.len() != want.len() {
        return got.to_vec().into();
    }
    (got.iter().zip(want))
        .map(|(g, w)| pick(g, w))
        .collect::<Vec<_>>()
        .into()
}

/// A product's view over a window lists the complaint aspects and the issue quotes of its
/// reviews dated in the window (newest first), recomputed here from the raw reviews, in JSON, the
/// API, the table and CSV; an undated product's, from the reviews first analyzed in the window.
#[test]
fn a_windowed_product_shows_its_complaint_aspects_and_quotes_from_the_window() {
    let (e, all) = setup();
    let asin = "B0WIN00002";
    let mine: Vec<&Review> = in_window(&all, FROM, TO)
        .into_iter()
        .filter(|r| r.asin == asin)
        .collect();
    let (want_aspects, quotes) = expected_evidence(mine);
    assert!(
        want_aspects.len() >= 2 && quotes.len() >= 2,
        "{want_aspects:?}"
    );
    let check = |v: &Value| {
        assert_eq!(
            pick_rows(&v["complaint_aspects"], &want_aspects),
            json!(want_aspects)
        );
        let issues = v["issues"].as_array().unwrap();
        assert_eq!(issues.len(), quotes.len());
        for i in issues {
            let code = i["code"].as_str().unwrap();
            assert_eq!(i["examples"], json!(quotes[code]), "{code}");
        }
    };
    let w = ["--since", FROM, "--until", TO];
    let cli: Value =
        serde_json::from_str(&e.ok(&[&["report", "product", asin, "-f", "json"][..], &w].concat()))
            .unwrap();
    check(&cli);
    let s = Server::start(&e);
    check(
        &s.ok(&format!(
            "/api/v1/products/{asin}?from={FROM}&to={TO}&compare=previous"
        ))["data"],
    );
    let table = e.ok(&[&["report", "product", asin][..], &w].concat());
    let top = want_aspects[0]["term"].as_str().unwrap();
    assert!(
        table.contains("Complaint aspects") && table.contains(top),
        "{table}"
    );
    let csv = e.ok(&[&["report", "product", asin, "-f", "csv"][..], &w].concat());
    let first_quote = cli["issues"][0]["examples"][0]["text"].as_str().unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("Quote (newest in the window)"),
        "{csv}"
    );
    assert!(csv.contains(first_quote), "{csv}");
    // Undated reviews count on the day of the run that first analyzed them: today.
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let undated: Vec<&Review> = all.iter().filter(|r| r.asin == "B0UNDATED1").collect();
    let (aspects, quotes) = expected_evidence(undated);
    let q = format!("/api/v1/products/B0UNDATED1?from={today}&to={today}");
    let got = &s.ok(&q)["data"];
    assert!(!aspects.is_empty() && !quotes.is_empty());
    assert_eq!(got["complaint_aspects"], json!(aspects));
    for i in got["issues"].as_array().unwrap() {
        assert_eq!(i["examples"], json!(quotes[i["code"].as_str().unwrap()]));
    }
    let before = s.ok("/api/v1/products/B0UNDATED1?to=2024-12-31");
    assert_eq!(before["data"]["complaint_aspects"], json!([]));
}

/// `--compare previous` with a start after today and no end: the previous window is the day
/// before the start, not one that ends before it begins (it was 2033-01-28 … 2029-12-31 for a
/// start of 2030-01-01 on 2026-12-04).
#[test]
fn a_future_start_compares_with_the_day_before_it() {
    let e = Env::new();
    e.ok(&[
        "-q",
        "ingest",
        p(&common::sample().join("export-2-2026-q1.jsonl")),
    ]);
    e.ok(&["-q", "analyze"]);
    let check = |v: &Value| {
        assert_eq!(v["previous_from"], json!("9999-12-30"), "{v}");
        assert_eq!(v["previous_to"], json!("9999-12-30"), "{v}");
    };
    let cli = e.ok(&[
        "report",
        "--since",
        "9999-12-31",
        "--compare",
        "previous",
        "-f",
        "json",
    ]);
    check(&serde_json::from_str(&cli).unwrap());
    let s = Server::start(&e);
    for path in ["overview", "products", "brands", "issues"] {
        let v = s.ok(&format!("/api/v1/{path}?from=9999-12-31&compare=previous"));
        check(&v["data"]);
    }
}

/// `/issues` pages like the products list, with and without a window: `limit` and `cursor`, the
/// sorted list's `meta`; walking the pages gives every issue once, in order, in both sorts. A
/// cursor of another sort or list, or of an issue no longer listed, is a 400 naming `cursor`;
/// `report issues --limit N` is the head of the list.
#[test]
fn the_issues_list_pages_with_cursors_with_and_without_a_window() {
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&common::sample())]);
    e.ok(&["-q", "analyze"]);
    let s = Server::start(&e);
    let codes = |v: &Value, windowed: bool| -> Vec<String> {
        let list = if windowed {
            &v["data"]["issues"]
        } else {
            &v["data"]
        };
        (list.as_array().unwrap().iter())
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    for window in ["", "from=2026-01-01&compare=previous&"] {
        let windowed = !window.is_empty();
        for sort in ["reviews", "impact"] {
            let q = format!("/api/v1/issues?{window}sort={sort}");
            let whole = s.ok(&format!("{q}&limit=500"));
            let all = codes(&whole, windowed);
            assert!(all.len() >= 5, "{window} {sort}: {all:?}");
            assert_eq!(whole["meta"]["next_cursor"], Value::Null);
            assert_eq!(whole["meta"]["total"], json!(all.len()));
            let (mut walked, mut cursor) = (Vec::new(), String::new());
            loop {
                let page = s.ok(&format!("{q}&limit=2{cursor}"));
                let got = codes(&page, windowed);
                assert_eq!(page["meta"]["total"], json!(all.len()));
                assert_eq!(page["meta"]["count"], json!(got.len()));
                assert_eq!(page["meta"]["limit"], 2);
                assert_eq!(page["meta"]["sort"], sort);
                walked.extend(got);
                assert!(walked.len() <= all.len(), "{q}: {walked:?}");
                match page["meta"]["next_cursor"].as_str() {
                    Some(c) => cursor = format!("&cursor={c}"),
                    None => break,
                }
            }
            assert_eq!(walked, all, "{q}");
            // The CLI's --limit: the head of the same list.
            let mut args = vec![
                "report", "issues", "--sort", sort, "--limit", "3", "-f", "json",
            ];
            if windowed {
                args.extend(["--since", "2026-01-01", "--compare", "previous"]);
            }
            let cli: Value = serde_json::from_str(&e.ok(&args)).unwrap();
            let head = if windowed { &cli["issues"] } else { &cli };
            let head: Vec<&str> = (head.as_array().unwrap().iter())
                .map(|r| r["code"].as_str().unwrap())
                .collect();
            assert_eq!(
                head,
                all[..3].iter().map(String::as_str).collect::<Vec<_>>()
            );
        }
    }
    let bad = |q: &str| {
        let (status, body) = s.get(q);
        assert_eq!(
            (status, body["error"]["parameter"].as_str()),
            (400, Some("cursor")),
            "{q}: {body}"
        );
    };
    for window in ["", "from=2026-01-01&"] {
        let first = s.ok(&format!("/api/v1/issues?{window}sort=reviews&limit=1"));
        let c = first["meta"]["next_cursor"].as_str().unwrap();
        bad(&format!("/api/v1/issues?{window}sort=impact&cursor={c}"));
        bad(&format!("/api/v1/products?{window}cursor={c}"));
        let product = s.ok(&format!("/api/v1/products?{window}limit=1"));
        let pc = product["meta"]["next_cursor"].as_str().unwrap();
        bad(&format!("/api/v1/issues?{window}cursor={pc}"));
        // "i|reviews|desc||no_such_code": well formed, but no issue of the list.
        bad(&format!(
            "/api/v1/issues?{window}cursor=aXxyZXZpZXdzfGRlc2N8fG5vX3N1Y2hfY29kZQ"
        ));
    }
}

/// Windows over the portfolio, some brands and the issues list quote each issue and list the
/// complaint aspects of the scope's reviews dated in the window, recomputed here from the raw
/// reviews: quotes from the newest day down, on one day the products by ASIN descending, in one
/// product the newest review first; in JSON, the API, the table, CSV and HTML.
#[test]
fn windowed_brands_portfolio_and_issues_carry_quotes_and_complaint_aspects() {
    let (e, all) = setup();
    let s = Server::start(&e);
    let w = ["--since", FROM, "--until", TO];
    for brand in [None, Some("Acme")] {
        let mut mine: Vec<(usize, &Review)> = (all.iter().enumerate())
            .filter(|(_, r)| r.day.as_str() >= FROM && r.day.as_str() <= TO)
            .filter(|(_, r)| brand.is_none_or(|b| r.brand == b))
            .collect();
        // Oldest first in quote order; `expected_evidence` reverses it.
        mine.sort_by(|a, b| (&a.1.day, &a.1.asin, a.0).cmp(&(&b.1.day, &b.1.asin, b.0)));
        let (aspects, quotes) = expected_evidence(mine.into_iter().map(|(_, r)| r).collect());
        assert!(aspects.len() >= 2 && quotes.len() >= 2, "{aspects:?}");
        let check = |v: &Value, what: &str| {
            let got = pick_rows(&v["complaint_aspects"], &aspects);
            assert_eq!(got, json!(aspects), "{what}");
            let issues = v["issues"].as_array().unwrap();
            assert_eq!(issues.len(), quotes.len(), "{what}");
            for i in issues {
                let code = i["code"].as_str().unwrap();
                assert_eq!(i["examples"], json!(quotes[code]), "{what}: {code}");
            }
        };
        let (flag, param) = match brand {
            Some(b) => (vec!["--brand", b], format!("&brand={b}")),
            None => (vec![], String::new()),
        };
        for view in [&[][..], &["issues"][..], &["brands"][..]] {
            let args = [&["report"][..], view, &w, &flag, &["-f", "json"]].concat();
            let v: Value = serde_json::from_str(&e.ok(&args)).unwrap();
            check(&v, &format!("{args:?}"));
        }
        for path in ["overview", "issues", "brands"] {
            let q = format!("/api/v1/{path}?from={FROM}&to={TO}&compare=previous{param}");
            check(&s.ok(&q)["data"], &q);
        }
    }
    let v: Value =
        serde_json::from_str(&e.ok(&[&["report", "-f", "json"][..], &w].concat())).unwrap();
    let quote = v["issues"][0]["examples"][0]["text"].as_str().unwrap();
    let term = v["complaint_aspects"][0]["term"].as_str().unwrap();
    for view in ["", "issues", "brands"] {
        let mut args = vec!["report"];
        if !view.is_empty() {
            args.push(view);
        }
        args.extend(w);
        let table = e.ok(&args);
        assert!(
            table.contains("Complaint aspects") && table.contains(term) && table.contains(quote),
            "{view}: {table}"
        );
        let html = e.ok(&[&args[..], &["-f", "html"]].concat());
        assert!(html.contains(term) && html.contains(quote), "{view}");
    }
    // The issues list's CSV has the all-time list's columns, its quote's stars and language last.
    for (view, last) in [
        (&[][..], "Quote (newest in the window)"),
        (&["issues"][..], "quote,quote stars,quote language"),
    ] {
        let csv = e.ok(&[&["report"][..], view, &w, &["-f", "csv"]].concat());
        let header = csv.lines().next().unwrap();
        assert!(header.ends_with(last), "{csv}");
        assert!(csv.contains(quote), "{csv}");
    }
}

/// One issue (`/issues/{code}?from=&to=`) over a window: its reviews and products, per brand and
/// per product, recomputed from the raw reviews; `/changes?from=&to=` lists the alerts of the runs
/// that finished on those days, as `report changes --since` does.
#[test]
fn one_issue_and_the_changes_take_a_window() {
    let (e, all) = setup();
    let s = Server::start(&e);
    type Per = BTreeMap<String, (i64, BTreeSet<String>)>;
    let mut want: BTreeMap<String, (Per, Per)> = BTreeMap::new();
    for r in in_window(&all, FROM, TO) {
        for hit in r.r["issues"].as_array().unwrap() {
            let (brands, products) = want
                .entry(hit["code"].as_str().unwrap().into())
                .or_default();
            let b = brands.entry(r.brand.clone()).or_default();
            b.0 += 1;
            b.1.insert(r.asin.clone());
            products.entry(r.asin.clone()).or_default().0 += 1;
        }
    }
    assert!(want.len() >= 2);
    let ranked = |per: &Per| -> Vec<(String, i64, usize)> {
        let mut v: Vec<(String, i64, usize)> = (per.iter())
            .map(|(k, (n, p))| (k.clone(), *n, p.len()))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    for (code, (brands, products)) in &want {
        let v = &s.ok(&format!("/api/v1/issues/{code}?from={FROM}&to={TO}"))["data"];
        let reviews: i64 = products.values().map(|p| p.0).sum();
        assert_eq!(v["reviews"], json!(reviews), "{code}");
        assert_eq!(v["products"], json!(products.len()), "{code}");
        assert_eq!(
            (v["from"].as_str(), v["to"].as_str()),
            (Some(FROM), Some(TO))
        );
        let got: Vec<(String, i64, usize)> = (v["brands"].as_array().unwrap().iter())
            .map(|b| {
                let p = b["products"].as_u64().unwrap() as usize;
                (
                    b["brand"].as_str().unwrap().into(),
                    b["reviews"].as_i64().unwrap(),
                    p,
                )
            })
            .collect();
        assert_eq!(got, ranked(brands), "{code}");
        let got: Vec<(String, i64)> = (v["top_products"].as_array().unwrap().iter())
            .map(|p| {
                (
                    p["asin"].as_str().unwrap().into(),
                    p["reviews"].as_i64().unwrap(),
                )
            })
            .collect();
        let mut top: Vec<(String, i64)> = (ranked(products).into_iter())
            .map(|(a, n, _)| (a, n))
            .collect();
        top.truncate(50);
        assert_eq!(got, top, "{code}");
    }
    let code = want.keys().next().unwrap();
    let (status, body) = s.get(&format!("/api/v1/issues/{code}?to={TO}&compare=previous"));
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("compare"))
    );
    let empty = &s.ok(&format!("/api/v1/issues/{code}?to=2000-01-01"))["data"];
    assert_eq!(
        (
            empty["reviews"].as_i64(),
            empty["brands"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    // The changes of the runs in a window: every run so far, or none before the first.
    let cli: Value =
        serde_json::from_str(&e.ok(&["report", "changes", "--since", "2000-01-01", "-f", "json"]))
            .unwrap();
    assert_eq!(s.ok("/api/v1/changes?from=2000-01-01")["data"], cli);
    let none = &s.ok("/api/v1/changes?from=2000-01-01&to=2000-12-31")["data"];
    assert_eq!(none["alerts"], json!([]), "{none}");
    // `report changes --until` is the API's `to`: alone, no run finished by 2000 (the latest
    // run's alerts without it), and with --since every run.
    for (args, query) in [
        (vec!["--until", "2000-12-31"], "to=2000-12-31"),
        (
            vec!["--since", "2000-01-01", "--until", "9999-12-31"],
            "from=2000-01-01&to=9999-12-31",
        ),
    ] {
        let mut cmd = vec!["report", "changes", "-f", "json"];
        cmd.extend(args);
        let cli: Value = serde_json::from_str(&e.ok(&cmd)).unwrap();
        assert_eq!(
            s.ok(&format!("/api/v1/changes?{query}"))["data"],
            cli,
            "{query}"
        );
    }
    let ran: Value = serde_json::from_str(&e.ok(&["report", "changes", "-f", "json"])).unwrap();
    assert!(!ran["runs"].as_array().unwrap().is_empty());
    let o = e.run(&[
        "report",
        "changes",
        "--since",
        "2026-01-01",
        "--until",
        "2025-12-31",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let (status, body) = s.get("/api/v1/changes?from=2024-02-01&to=2024-01-01");
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("from"))
    );
}

/// A complaint aspect's expected comparison: its reviews in the window before (`then`, of that
/// window's `then_n` reviews), their share and the change in share from `now` (its `count` of
/// `now_n` reviews), in points from the exact shares.
fn aspect_compared(now: &Value, now_n: i64, then: &BTreeMap<String, i64>, then_n: i64) -> Value {
    let k1 = now["count"].as_i64().unwrap() as i128;
    let k0 = then
        .get(now["term"].as_str().unwrap())
        .copied()
        .unwrap_or(0) as i128;
    let (n1, n0) = (now_n as i128, then_n as i128);
    let share = match n0 {
        0 => Value::Null,
        _ => json!(half_away(1000 * k0, n0) as f64 / 10.0),
    };
    let delta = match n0 > 0 && n1 > 0 {
        true => json!(half_away(1000 * (k1 * n0 - k0 * n1), n1 * n0) as f64 / 10.0),
        false => Value::Null,
    };
    let mut v = now.clone();
    v["previous_count"] = json!(k0);
    v["previous_share"] = share;
    v["delta_share"] = delta;
    v
}

/// Reviews naming each complaint aspect among `rs`.
fn aspect_reviews(rs: &[&Review]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for r in rs {
        for a in r.r["aspects"].as_array().unwrap() {
            *out.entry(a.as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    out
}

/// With `--compare previous` / `compare=previous`, each complaint aspect of a product, some
/// brands, the portfolio and the issues list carries its reviews in the window before, their
/// share of that window's reviews and the change in share, recomputed from the raw reviews; in
/// JSON, the API, the table and HTML. Without a comparison it has none of them.
#[test]
fn windowed_complaint_aspects_compare_with_the_window_before() {
    let (e, all) = setup();
    let s = Server::start(&e);
    let w = ["--since", FROM, "--until", TO, "--compare", "previous"];
    let scopes: [(Option<&str>, Option<&str>); 3] = [
        (None, None),
        (None, Some("Acme")),
        (Some("B0WIN00002"), None),
    ];
    let mut moved = 0;
    for (asin, brand) in scopes {
        let mine = |from: &str, to: &str| -> Vec<&Review> {
            (in_window(&all, from, to).into_iter())
                .filter(|r| asin.is_none_or(|a| r.asin == a))
                .filter(|r| brand.is_none_or(|b| r.brand == b))
                .collect()
        };
        let (now, then) = (mine(FROM, TO), mine(PREV_FROM, PREV_TO));
        let then_counts = aspect_reviews(&then);
        let want: Vec<Value> = (expected_evidence(now.clone()).0.iter())
            .map(|a| aspect_compared(a, now.len() as i64, &then_counts, then.len() as i64))
            .collect();
        assert!(want.len() >= 2, "{want:?}");
        moved += (want.iter())
            .filter(|a| a["delta_share"].as_f64().is_some_and(|d| d != 0.0))
            .count();
        let (views, paths, flag, param) = match (asin, brand) {
            (Some(a), _) => (
                vec![vec!["product", a]],
                vec![format!("products/{a}?")],
                vec![],
                String::new(),
            ),
            (None, b) => (
                vec![vec![], vec!["issues"], vec!["brands"]],
                vec!["overview?".into(), "issues?".into(), "brands?".into()],
                b.map_or(vec![], |b| vec!["--brand", b]),
                b.map_or(String::new(), |b| format!("brand={b}&")),
            ),
        };
        for view in views {
            let args = [&["report"][..], &view, &w, &flag, &["-f", "json"]].concat();
            let v: Value = serde_json::from_str(&e.ok(&args)).unwrap();
            assert_eq!(v["complaint_aspects"], json!(want), "{args:?}");
        }
        for path in paths {
            let q = format!("/api/v1/{path}{param}from={FROM}&to={TO}&compare=previous");
            assert_eq!(s.ok(&q)["data"]["complaint_aspects"], json!(want), "{q}");
        }
        // `report aspects` is their one table: JSON the same rows, CSV one line each.
        let mut args = [&["report", "aspects"][..], &w, &flag].concat();
        if let Some(a) = asin {
            args.extend(["--asin", a]);
        }
        let json_rows = e.ok(&[&args[..], &["-f", "json"]].concat());
        assert_eq!(
            serde_json::from_str::<Value>(&json_rows).unwrap(),
            json!(want)
        );
        let csv = e.ok(&[&args[..], &["-f", "csv"]].concat());
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "Complaint aspect,Reviews,% of reviews,Avg ★ with,Avg ★ without,★ gained if fixed,\
             Reviews before,% of reviews before,Δ % of reviews"
        );
        let cell = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(t) => t.clone(),
            x => x.to_string(),
        };
        for (line, a) in lines.zip(&want) {
            let d = a["delta_share"]
                .as_f64()
                .map_or(String::new(), |d| format!("{d:+.1}"));
            let keys = [
                "term",
                "count",
                "share",
                "avg_rating_with",
                "avg_rating_without",
            ];
            let mut cells: Vec<String> = keys.iter().map(|k| cell(&a[*k])).collect();
            cells.extend([cell(&a["stars_gained"]), cell(&a["previous_count"])]);
            cells.extend([cell(&a["previous_share"]), d]);
            assert_eq!(line, cells.join(","), "{args:?}");
        }
        assert_eq!(csv.lines().count(), want.len() + 1, "{csv}");
    }
    assert!(
        moved > 0,
        "no aspect's share moved: the test proves nothing"
    );
    // Without a comparison, no comparison fields.
    let plain: Value =
        serde_json::from_str(&e.ok(&["report", "--since", FROM, "--until", TO, "-f", "json"]))
            .unwrap();
    assert!(plain["complaint_aspects"][0]
        .get("previous_count")
        .is_none());
    // The table and the page show the comparison columns with the first aspect's change.
    let v: Value =
        serde_json::from_str(&e.ok(&[&["report", "-f", "json"][..], &w].concat())).unwrap();
    let first = &v["complaint_aspects"][0];
    let change = format!("{:+.1}", first["delta_share"].as_f64().unwrap());
    let table = e.ok(&[&["report"][..], &w].concat());
    let line = (table.lines())
        .skip_while(|l| !l.starts_with("Complaint aspects"))
        .find(|l| l.contains(first["term"].as_str().unwrap()))
        .unwrap();
    assert!(
        table.contains("% of reviews before") && line.contains(&change),
        "{table}"
    );
    let html = e.ok(&[&["report"][..], &w, &["-f", "html"]].concat());
    assert!(
        html.contains("% of reviews before") && html.contains(&change),
        "{html}"
    );
}

/// `report aspects`: `--compare` needs `--since`, `--brand` and `--asin` exclude each other
/// (usage errors, exit 2), an unknown ASIN is an error naming it (exit 1), and without a window it
/// sums every day.
#[test]
fn report_aspects_refuses_what_it_cannot_answer() {
    let (e, all) = setup();
    for args in [
        vec!["report", "aspects", "--compare", "previous"],
        vec![
            "report",
            "aspects",
            "--brand",
            "Acme",
            "--asin",
            "B0WIN00001",
        ],
    ] {
        let o = e.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
    }
    let o = e.run(&["report", "aspects", "--asin", "B0NOSUCH00"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("B0NOSUCH00"),
        "{o:?}"
    );
    let every: Vec<&Review> = all.iter().collect();
    let want = expected_evidence(every).0;
    let got: Value = serde_json::from_str(&e.ok(&["report", "aspects", "-f", "json"])).unwrap();
    assert_eq!(got, json!(want));
}

/// A share in percent to 0.1 and its change in points, from exact counts, as JSON (null without
/// reviews).
fn share_json(k: i64, n: i64) -> Value {
    match n {
        0 => Value::Null,
        n => json!(half_away(1000 * k as i128, n as i128) as f64 / 10.0),
    }
}

fn delta_json(now: (i64, i64), then: (i64, i64)) -> Value {
    let ((k1, n1), (k0, n0)) = (now, then);
    match n1 > 0 && n0 > 0 {
        true => json!(
            half_away(
                1000 * (k1 as i128 * n0 as i128 - k0 as i128 * n1 as i128),
                n1 as i128 * n0 as i128
            ) as f64
                / 10.0
        ),
        false => Value::Null,
    }
}

/// Per brand or product (`key`), among `rs`: its reviews and those reporting `code`.
fn with_issue(
    rs: &[&Review],
    code: &str,
    key: impl Fn(&Review) -> String,
) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in rs {
        let e = out.entry(key(r)).or_default();
        e.0 += 1;
        let hits = r.r["issues"].as_array().unwrap();
        if hits.iter().any(|h| h["code"] == code) {
            e.1 += 1;
        }
    }
    out
}

/// `/issues/{code}?from=&to=&compare=previous` and `report issue CODE --since --until --compare
/// previous`: the issue's reviews and share of the portfolio's reviews in the window and the
/// window before, and per brand and product their share of its own reviews in each and the change,
/// recomputed from the raw reviews; the CLI's JSON is the API's data, its CSV a row per brand and
/// product, its table and page show the changes.
#[test]
fn one_issue_compares_with_the_window_before_per_brand_and_product() {
    let (e, all) = setup();
    let s = Server::start(&e);
    let (now, then) = (
        in_window(&all, FROM, TO),
        in_window(&all, PREV_FROM, PREV_TO),
    );
    let codes: BTreeSet<String> = (now.iter())
        .flat_map(|r| r.r["issues"].as_array().unwrap().iter())
        .map(|h| h["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.len() >= 2);
    let mut moved = 0;
    for code in &codes {
        let count = |rs: &[&Review]| with_issue(rs, code, |_| String::new())[""];
        let ((n1, k1), (n0, k0)) = (count(&now), count(&then));
        let q = format!("/api/v1/issues/{code}?from={FROM}&to={TO}&compare=previous");
        let v = s.ok(&q)["data"].clone();
        assert_eq!(v["reviews"], json!(k1), "{q}");
        assert_eq!(v["share"], share_json(k1, n1), "{q}");
        assert_eq!(v["previous_reviews"], json!(k0), "{q}");
        assert_eq!(v["previous_share"], share_json(k0, n0), "{q}");
        assert_eq!(v["delta_share"], delta_json((k1, n1), (k0, n0)), "{q}");
        assert_eq!(
            (v["previous_from"].as_str(), v["previous_to"].as_str()),
            (Some(PREV_FROM), Some(PREV_TO))
        );
        let by_brand = |rs: &[&Review]| with_issue(rs, code, |r| r.brand.clone());
        let (b1, b0) = (by_brand(&now), by_brand(&then));
        for b in v["brands"].as_array().unwrap() {
            let name = b["brand"].as_str().unwrap();
            let (n, k) = b1.get(name).copied().unwrap_or((0, 0));
            let (pn, pk) = b0.get(name).copied().unwrap_or((0, 0));
            let want = json!({"reviews": k, "share": share_json(k, n), "previous_reviews": pk,
                              "previous_share": share_json(pk, pn), "delta_share": delta_json((k, n), (pk, pn))});
            assert_eq!(pick(b, &want), want, "{q}: {name}");
            moved += usize::from(b["delta_share"].as_f64().is_some_and(|d| d != 0.0));
        }
        let listed: BTreeSet<&str> = (v["brands"].as_array().unwrap().iter())
            .map(|b| b["brand"].as_str().unwrap())
            .collect();
        let reported: BTreeSet<&str> = (b1.iter().chain(&b0))
            .filter(|(_, c)| c.1 > 0)
            .map(|(b, _)| b.as_str())
            .collect();
        assert_eq!(listed, reported, "{q}: brands reporting it now or before");
        let by_product = |rs: &[&Review]| with_issue(rs, code, |r| r.asin.clone());
        let (p1, p0) = (by_product(&now), by_product(&then));
        for p in v["top_products"].as_array().unwrap() {
            let asin = p["asin"].as_str().unwrap();
            let (n, k) = p1[asin];
            let (pn, pk) = p0.get(asin).copied().unwrap_or((0, 0));
            let want = json!({"reviews": k, "share": share_json(k, n), "previous_reviews": pk,
                              "previous_share": share_json(pk, pn), "delta_share": delta_json((k, n), (pk, pn))});
            assert_eq!(pick(p, &want), want, "{q}: {asin}");
        }
        let cli = |format: &str| {
            e.ok(&[
                "report",
                "issue",
                code,
                "--since",
                FROM,
                "--until",
                TO,
                "--compare",
                "previous",
                "-f",
                format,
            ])
        };
        assert_eq!(
            serde_json::from_str::<Value>(&cli("json")).unwrap(),
            v,
            "{code}"
        );
        let csv = cli("csv");
        let rows =
            v["brands"].as_array().unwrap().len() + v["top_products"].as_array().unwrap().len();
        // The header, the issue's own row, then a row per brand and product.
        assert_eq!(csv.lines().count(), rows + 2, "{csv}");
        assert!(
            (csv.lines().next().unwrap()).contains("Δ % of its reviews,Avg ★ with"),
            "{csv}"
        );
    }
    assert!(moved > 0, "no brand's share moved: the test proves nothing");
    // Without a comparison: shares but no previous fields; the table and page show the change.
    let code = codes.iter().next().unwrap();
    let plain = &s.ok(&format!("/api/v1/issues/{code}?from={FROM}&to={TO}"))["data"];
    assert!(
        plain["share"].is_number() && plain.get("previous_reviews").is_none(),
        "{plain}"
    );
    let v = &s.ok(&format!(
        "/api/v1/issues/{code}?from={FROM}&to={TO}&compare=previous"
    ))["data"];
    let change = format!("{:+.1}", v["brands"][0]["delta_share"].as_f64().unwrap());
    let w = ["--since", FROM, "--until", TO, "--compare", "previous"];
    for fmt in ["table", "html"] {
        let out = e.ok(&[&["report", "issue", code.as_str()][..], &w, &["-f", fmt]].concat());
        assert!(
            out.contains("Δ % of its reviews") && out.contains(&change),
            "{out}"
        );
    }
    // An unknown code is a usage error naming it.
    let o = e.run(&["report", "issue", "no_such_code"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("no_such_code"));
}

/// Quotes of one issue are distinct texts: the same review posted on two marketplaces (two ids,
/// one text) is quoted once, in a product's window and in the portfolio's, where the newest
/// products all holding one text make the window read further products for the others.
#[test]
fn windowed_quotes_of_an_issue_are_distinct_texts() {
    const A: &str = "It leaks everywhere, water leaking out of the lid. Awful.";
    const B: &str = "The lid leaks badly, water leaked all over my bag. Terrible.";
    const C: &str = "Leaking from the bottom after two days, water everywhere. Bad.";
    let rows = [
        ("B0DUP00006", "2024-02-10", "amazon.com", A),
        ("B0DUP00006", "2024-02-10", "amazon.de", A),
        ("B0DUP00006", "2024-02-09", "amazon.com", B),
        ("B0DUP00006", "2024-02-08", "amazon.de", B),
        ("B0DUP00006", "2024-02-07", "amazon.com", C),
        ("B0DUP00001", "2024-03-10", "amazon.com", A),
        ("B0DUP00002", "2024-03-10", "amazon.com", A),
        ("B0DUP00003", "2024-03-10", "amazon.fr", A),
        ("B0DUP00004", "2024-03-05", "amazon.com", B),
        ("B0DUP00005", "2024-03-01", "amazon.com", C),
    ];
    let mut export = String::new();
    for (i, (asin, day, market, text)) in rows.iter().enumerate() {
        let r = json!({"REVIEW_ID": format!("RDUP{i:02}"), "CHILD_ASIN": asin,
                       "PRODUCT_BRAND": "Dupco", "CUSTOMER_REVIEW_DESCRIPTION": text,
                       "CUSTOMER_REVIEW_RATING": 1, "REVIEW_DATE": day, "MARKETPLACE": market});
        export.push_str(&format!("{r}\n"));
    }
    let e = Env::new();
    let f = e.file("dup.jsonl", export.as_bytes());
    e.ok(&["analyze", p(&f), "-q"]);
    let all = reviews(&e);
    let s = Server::start(&e);
    let (from, to) = ("2024-02-01", "2024-03-31");
    let texts = |v: &Value, code: &str| -> Vec<String> {
        let issue = (v["issues"].as_array().unwrap().iter())
            .find(|i| i["code"] == code)
            .unwrap();
        (issue["examples"].as_array().unwrap().iter())
            .map(|q| q["text"].as_str().unwrap().to_string())
            .collect()
    };
    // The code every review reports (the leak), and the quotes the raw reviews give.
    let code = all[0].r["issues"][0]["code"].as_str().unwrap().to_string();
    assert!(all.iter().all(|r| r.r["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["code"] == code.as_str())));
    let mut mine: Vec<(usize, &Review)> = all.iter().enumerate().collect();
    mine.sort_by(|a, b| (&a.1.day, &a.1.asin, a.0).cmp(&(&b.1.day, &b.1.asin, b.0)));
    let (_, want) = expected_evidence(mine.into_iter().map(|(_, r)| r).collect());
    let want: Vec<String> = (want[&code].iter())
        .map(|q| q["text"].as_str().unwrap().into())
        .collect();
    assert_eq!(want.len(), 3, "{want:?}");
    let portfolio = &s.ok(&format!("/api/v1/overview?from={from}&to={to}"))["data"];
    assert_eq!(texts(portfolio, &code), want);
    let cli: Value = serde_json::from_str(&e.ok(&[
        "report", "issues", "--since", from, "--until", to, "-f", "json",
    ]))
    .unwrap();
    assert_eq!(texts(&cli, &code), want);
    // One product: its own reviews, newest first, each text once.
    let product = &s.ok(&format!("/api/v1/products/B0DUP00006?from={from}&to={to}"))["data"];
    let got = texts(product, &code);
    let distinct: BTreeSet<&String> = got.iter().collect();
    assert_eq!((got.len(), distinct.len()), (3, 3), "{got:?}");
}

/// A product's all-time quotes of an issue are distinct texts too: the same review posted on
/// three marketplaces is quoted once, and the other texts fill the places.
#[test]
fn a_products_quotes_of_an_issue_are_distinct_texts() {
    const A: &str = "It leaks everywhere, water leaking out of the lid. Awful.";
    const B: &str = "The lid leaks badly, water leaked all over my bag. Terrible.";
    let rows = [
        ("amazon.com", A),
        ("amazon.de", A),
        (
            "amazon.fr",
            "it leaks  everywhere, water leaking out of the LID. Awful.",
        ),
        ("amazon.com", B),
    ];
    let mut export = String::new();
    for (i, (market, text)) in rows.iter().enumerate() {
        let r = json!({"REVIEW_ID": format!("RQD{i:02}"), "CHILD_ASIN": "B0QUOTE001",
                       "PRODUCT_BRAND": "Dupco", "CUSTOMER_REVIEW_DESCRIPTION": text,
                       "CUSTOMER_REVIEW_RATING": 1, "REVIEW_DATE": "2024-02-10",
                       "MARKETPLACE": market});
        export.push_str(&format!("{r}\n"));
    }
    let e = Env::new();
    let f = e.file("dup.jsonl", export.as_bytes());
    e.ok(&["analyze", p(&f), "-q"]);
    let v: Value =
        serde_json::from_str(&e.ok(&["report", "product", "B0QUOTE001", "-f", "json"])).unwrap();
    let issue = &v["issues"][0];
    assert_eq!(issue["count"], 4, "{issue}");
    let texts: Vec<&str> = (issue["examples"].as_array().unwrap().iter())
        .map(|q| q["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("leaks everywhere")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("leaked all over")),
        "{texts:?}"
    );
}

/// `report issue CODE` reads as a page, not as its CSV: what the issue costs the window's average
/// in stars and its quotes (stars, language), recomputed from the raw reviews and carried by
/// `/issues/{code}` too; the page's title is the issue, its line the window, and its brands and
/// products are tables of their own, with shares and changes, without the CSV's "Row" column.
#[test]
fn one_issue_reads_as_a_page_with_its_stars_and_quotes() {
    let (e, all) = setup();
    let s = Server::start(&e);
    let mut mine: Vec<(usize, &Review)> = (all.iter().enumerate())
        .filter(|(_, r)| r.day.as_str() >= FROM && r.day.as_str() <= TO)
        .collect();
    mine.sort_by(|a, b| (&a.1.day, &a.1.asin, a.0).cmp(&(&b.1.day, &b.1.asin, b.0)));
    let now: Vec<&Review> = mine.iter().map(|(_, r)| *r).collect();
    let want = issues(&now, false);
    let (_, quotes) = expected_evidence(now);
    let mut costed = 0;
    for (code, row) in &want {
        let q = format!("/api/v1/issues/{code}?from={FROM}&to={TO}&compare=previous");
        let v = s.ok(&q)["data"].clone();
        let stars = json!({"avg_with": row["avg_with"], "avg_without": row["avg_without"],
                           "impact": row["impact"], "examples": quotes[code.as_str()]});
        assert_eq!(pick(&v, &stars), stars, "{q}");
        costed += usize::from(row["impact"].is_number());
        let cli = |fmt: &str| {
            let w = [
                "--since",
                FROM,
                "--until",
                TO,
                "--compare",
                "previous",
                "-f",
                fmt,
            ];
            e.ok(&[&["report", "issue", code.as_str()][..], &w].concat())
        };
        let html = cli("html");
        let label = v["label"].as_str().unwrap();
        assert!(html.contains(&format!("<h1>{label}</h1>")), "{html}");
        assert!(
            html.contains(&format!("reviews dated {FROM} … {TO}")),
            "{html}"
        );
        assert!(!html.contains(">Row<"), "the CSV's shape: {html}");
        let gained = row["impact"]
            .as_f64()
            .map_or("–".into(), |x| format!("+{x:.2}"));
        let metric = format!("data-metric=\"issue.stars_gained\">{gained}<");
        assert!(html.contains(&metric), "{metric}: {html}");
        for b in v["brands"].as_array().unwrap() {
            let name = b["brand"].as_str().unwrap();
            assert!(
                html.contains(&format!("<tr><td>{name}</td>")),
                "{name}: {html}"
            );
        }
        let table = cli("table");
        assert!(table.contains("Brands (most reports first)"), "{table}");
        for x in v["examples"].as_array().unwrap() {
            let (text, stars) = (x["text"].as_str().unwrap(), x["rating"].as_i64());
            let lang = x["language"].as_str().unwrap();
            let meta = match stars {
                Some(n) => format!("{n}/5 · {lang}"),
                None => lang.to_string(),
            };
            assert!(
                html.contains(&format!("“{text}”")) && html.contains(&meta),
                "{html}"
            );
            assert!(table.contains(text), "{table}");
        }
    }
    assert!(
        costed > 0,
        "no issue has star figures: the test proves nothing"
    );
}

/// A product's window has its reviews by marketplace and by language, counted from its reviews
/// dated in the window as the roll-up counts all time: SQL's counts, and over every day the
/// product's own all-time breakdowns; in the table, the HTML and the API too.
#[test]
fn a_windowed_product_breaks_its_reviews_down_by_marketplace_and_language() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&common::sample())]);
    let asin = "B08C0F4912";
    let (from, to) = ("2026-07-01", "2026-09-30");
    let json = |args: &[&str]| -> Value {
        let all = [&["report", "product", asin][..], args, &["-f", "json"]].concat();
        serde_json::from_str(&e.ok(&all)).unwrap()
    };
    let win = json(&["--since", from, "--until", to]);
    let b = &win["breakdowns"];
    let filter = format!("AND r.asin = '{asin}'");
    assert!(check_breakdowns(&e, b, (from, to), &filter, &win["reviews"]) > 0);
    // Over every day, the window is the product's all time.
    let every_day = json(&["--since", "2000-01-01"]);
    assert_eq!(every_day["breakdowns"], json(&[])["breakdowns"]);
    let s = Server::start(&e);
    let api = s.ok(&format!("/api/v1/products/{asin}?from={from}&to={to}"));
    assert_eq!(&api["data"]["breakdowns"], b);
    let first = b["by_language"][0]["key"].as_str().unwrap();
    let since = ["--since", from, "--until", to];
    for fmt in ["table", "html"] {
        let out = e.ok(&[&["report", "product", asin][..], &since, &["-f", fmt]].concat());
        assert!(
            out.contains("By marketplace and by language") && out.contains(first),
            "{fmt}"
        );
    }
    // The products list leaves them out.
    let list = s.ok(&format!("/api/v1/products?from={from}&to={to}"));
    assert!(list["data"].get("breakdowns").is_none(), "{list}");
}

/// A brand's and the portfolio's windows break their reviews down by marketplace and by language,
/// summed from per-day counts: SQL's counts over the reviews dated in the window (and each slice's
/// top issues' reports), over every day the all-time breakdowns, the same in the API; shown in the
/// table and the HTML page.
#[test]
fn windowed_brands_and_the_portfolio_break_their_reviews_down() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&common::sample())]);
    let brand = "Rhino USA";
    let json = |args: &[&str]| -> Value {
        serde_json::from_str(&e.ok(&[args, &["-f", "json"]].concat())).unwrap()
    };
    // Whole months, days at either end of whole months, and days within one month.
    let mut issues_checked = 0;
    for (from, to) in [
        ("2026-07-01", "2026-09-30"),
        ("2026-06-14", "2026-10-09"),
        ("2026-07-05", "2026-07-20"),
    ] {
        let since = ["--since", from, "--until", to];
        let portfolio = json(&[&["report"][..], &since].concat());
        let one_brand = json(&[&["report", "brands", "--brand", brand][..], &since].concat());
        let of_brand = format!("AND coalesce(p.brand, r.brand) = '{brand}'");
        for (v, filter) in [(&portfolio, ""), (&one_brand, of_brand.as_str())] {
            let b = &v["breakdowns"];
            issues_checked += check_breakdowns(&e, b, (from, to), filter, &v["reviews"]);
        }
    }
    assert!(issues_checked > 5, "too few top issues checked");
    let (from, to) = ("2026-07-01", "2026-09-30");
    let since = ["--since", from, "--until", to];
    let portfolio = json(&[&["report"][..], &since].concat());
    let one_brand = json(&[&["report", "brands", "--brand", brand][..], &since].concat());
    // Over every day, the windows are all time.
    let every = ["--since", "2000-01-01"];
    assert_eq!(
        json(&[&["report"][..], &every].concat())["breakdowns"],
        json(&["report"])["breakdowns"]
    );
    let all_time = json(&["report", "brands", "--brand", brand]);
    assert_eq!(
        json(&[&["report", "brands", "--brand", brand][..], &every].concat())["breakdowns"],
        all_time[0]["breakdowns"]
    );
    // The API says the same.
    let s = Server::start(&e);
    let w = format!("from={from}&to={to}");
    let api = s.ok(&format!("/api/v1/overview?{w}"));
    assert_eq!(api["data"]["breakdowns"], portfolio["breakdowns"]);
    let api = s.ok(&format!("/api/v1/brands?{w}&brand=Rhino%20USA"));
    assert_eq!(api["data"]["breakdowns"], one_brand["breakdowns"]);
    // The table and the page show them.
    let first = portfolio["breakdowns"]["by_language"][0]["key"]
        .as_str()
        .unwrap();
    for args in [&["report"][..], &["report", "brands", "--brand", brand]] {
        for fmt in ["table", "html"] {
            let out = e.ok(&[args, &since, &["-f", fmt]].concat());
            assert!(
                out.contains("By marketplace and by language") && out.contains(first),
                "{args:?} {fmt}: {out}"
            );
        }
    }
}

/// Checks a scope's windowed breakdowns (`filter`: its SQL condition on the reviews) against
/// SQL's counts over the reviews dated in the window; returns how many top issues it checked.
fn check_breakdowns(
    e: &Env,
    b: &Value,
    (from, to): (&str, &str),
    filter: &str,
    reviews: &Value,
) -> usize {
    let mut checked = 0;
    for (dim, key) in [
        (
            "by_marketplace",
            "coalesce(r.marketplace, p.marketplace, 'unknown')",
        ),
        ("by_language", "coalesce(t.language, 'unknown')"),
    ] {
        let rows = b[dim].as_array().unwrap();
        assert!(rows.len() > 1, "{dim}: {b}");
        let total: i64 = rows.iter().map(|r| r["reviews"].as_i64().unwrap()).sum();
        assert_eq!(
            &json!(total),
            reviews,
            "{dim} adds up to the window's reviews"
        );
        for row in rows {
            let k = row["key"].as_str().unwrap();
            let count = |what: &str, join: &str| {
                e.count(&format!(
                    "SELECT coalesce(sum({what}), 0) FROM reviews r JOIN products p ON p.asin = r.asin
                     JOIN text_results t ON t.text_hash = r.text_hash
                          AND t.analyzer = (SELECT analyzer FROM analysis_runs ORDER BY id DESC LIMIT 1)
                     {join}
                     WHERE r.retired_run IS NULL {filter}
                       AND substr(r.review_date, 1, 10) BETWEEN '{from}' AND '{to}' AND {key} = '{k}'"
                ))
            };
            let negative = "CASE WHEN r.rating IN (1, 2) THEN 1 WHEN r.rating IN (4, 5) THEN 0
                            WHEN t.text_sentiment = 'negative' THEN 1 ELSE 0 END";
            assert_eq!(row["reviews"], json!(count("1", "")), "{dim} {k}");
            assert_eq!(row["negative"], json!(count(negative, "")), "{dim} {k}");
            let (n, s) = (
                count("r.rating IS NOT NULL", ""),
                count("coalesce(r.rating, 0)", ""),
            );
            assert_eq!(row["rated_count"], json!(n), "{dim} {k}");
            let avg = half_away(100 * s as i128, n as i128) as f64 / 100.0;
            assert_eq!(row["avg_rating"], json!(avg), "{dim} {k}");
            for i in row["top_issues"].as_array().unwrap() {
                let code = i["code"].as_str().unwrap();
                let join = format!(
                    "JOIN json_each(t.issues) j ON json_extract(j.value, '$.code') = '{code}'"
                );
                assert_eq!(i["count"], json!(count("1", &join)), "{dim} {k} {code}");
                checked += 1;
            }
        }
    }
    checked
}
