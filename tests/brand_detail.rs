//! One brand in full: `GET /api/v1/brands/{brand}` and `report brand NAME`. All time it is the
//! brand's `/brands` row with its issues (`/issues?brand=`), quotes from its own reviews and its
//! products; in a window, the windowed `/brands` view of that one brand, its products' windowed
//! rows and its months. The CLI's JSON is the API's `data`.

mod common;

use common::{p, sample, Env, Server};
use serde_json::Value;

/// The sample data plus brands whose names need percent-encoding: a slash, accents, spaces and
/// an ampersand, in mixed case.
fn analyzed() -> Env {
    let e = Env::new();
    let extra = e.file(
        "odd-brands.csv",
        "REVIEW_ID,CHILD_ASIN,PRODUCT_BRAND,CUSTOMER_REVIEW_RATING,CUSTOMER_REVIEW_DESCRIPTION,REVIEW_DATE,MARKETPLACE\n\
         X1,B0ODD00001,Çà/Ünïque Co,1,\"It leaks everywhere, awful.\",2026-02-03,amazon.de\n\
         X2,B0ODD00001,Çà/Ünïque Co,5,\"Great product, works perfectly.\",2026-02-04,amazon.com\n\
         X3,B0ODD00002,Çà/Ünïque Co,2,\"Poor, it stopped working after a week.\",2026-03-01,amazon.fr\n\
         X4,B0ODD00003,Tom & Jerry 50%,4,\"Good product.\",2026-02-10,amazon.com\n"
            .as_bytes(),
    );
    e.ok(&["-q", "analyze", p(&sample()), p(&extra)]);
    e
}

/// Every byte but the unreserved ones as %XX, as a client encodes a path segment.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn brand_names(srv: &Server) -> Vec<String> {
    let v = srv.ok("/api/v1/brands?limit=500");
    let names: Vec<String> = (v["data"].as_array().unwrap().iter())
        .map(|b| b["brand"].as_str().unwrap().to_string())
        .collect();
    assert!(names.iter().any(|b| b == "Çà/Ünïque Co"), "{names:?}");
    names
}

/// Each quote names its stars and language and comes from one of the brand's reviews.
fn check_quotes(e: &Env, brand: &str, issues: &Value) -> usize {
    let mut n = 0;
    for i in issues.as_array().unwrap() {
        for q in i["examples"].as_array().into_iter().flatten() {
            assert!(q["rating"].is_i64() && q["language"].is_string(), "{q}");
            let id = q["review_id"].as_str().unwrap().replace('\'', "''");
            let b = brand.replace('\'', "''");
            let sql = format!(
                "SELECT count(*) FROM reviews r JOIN products p ON p.asin = r.asin
                 WHERE (r.source_review_id = '{id}' OR r.review_key = '{id}') AND p.brand = '{b}'"
            );
            assert!(e.count(&sql) >= 1, "{brand}: quote {q} is not the brand's");
            n += 1;
        }
    }
    n
}

/// A list's `field` values by `key`, sorted: the same entries, whatever their order.
fn by_key(list: &Value, key: &str, field: &str) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = (list.as_array().unwrap().iter())
        .map(|x| (x[key].as_str().unwrap().to_string(), x[field].clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Both issue lists of a detail together.
fn all_issues(d: &Value) -> Value {
    let mut all = d["issues"].as_array().unwrap().clone();
    all.extend(d["mentioned_in_praise"].as_array().unwrap().iter().cloned());
    Value::Array(all)
}

#[test]
fn a_brand_detail_is_its_brand_row_in_full_by_any_spelling() {
    let e = analyzed();
    let srv = Server::start(&e);
    let mut quotes = 0;
    for name in brand_names(&srv) {
        let row = &srv.ok(&format!("/api/v1/brands?brand={}", encode(&name)))["data"][0];
        let d = srv.ok(&format!("/api/v1/brands/{}", encode(&name.to_lowercase())))["data"].clone();
        assert_eq!(d["brand"], name);
        let upper = srv.ok(&format!("/api/v1/brands/{}", encode(&name.to_uppercase())));
        assert_eq!(upper["data"], d, "{name}: any letter case");
        let s = &d["summary"];
        for (mine, theirs) in [
            ("reviews", "review_count"),
            ("rated", "rated_count"),
            ("products", "products"),
            ("avg_rating", "avg_rating"),
            ("pct_positive", "pct_positive"),
            ("pct_neutral", "pct_neutral"),
            ("pct_negative", "pct_negative"),
            ("neg_delta", "neg_delta"),
        ] {
            assert_eq!(s[mine], row[theirs], "{name}: {mine}");
        }
        assert_eq!(d["breakdowns"], row["breakdowns"], "{name}");
        assert_eq!(
            by_key(&d["liked_aspects"], "term", "reviews"),
            by_key(&row["liked_aspects"], "term", "count"),
            "{name}"
        );
        let listed = srv.ok(&format!("/api/v1/issues?limit=500&brand={}", encode(&name)));
        let issues = all_issues(&d);
        for (mine, theirs) in [
            ("reviews", "reviews"),
            ("negative_neutral", "reviews_negative_neutral"),
            ("avg_with", "avg_rating_with"),
            ("avg_without", "avg_rating_without"),
            ("impact", "stars_gained"),
        ] {
            assert_eq!(
                by_key(&issues, "code", mine),
                by_key(&listed["data"], "code", theirs),
                "{name}: {mine}"
            );
        }
        assert!(d["mentioned_in_praise"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["negative_neutral"] == 0));
        assert!(d["issues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["negative_neutral"].as_i64() > Some(0)));
        quotes += check_quotes(&e, &name, &d["issues"]);
        // Every review is in a month: its date's, or an undated one its first run's.
        let months: i64 = (d["trend"].as_array().unwrap().iter())
            .map(|m| m["reviews"].as_i64().unwrap())
            .sum();
        assert_eq!(Some(months), s["reviews"].as_i64(), "{name}: trend");
        let products = d["products"].as_array().unwrap();
        assert!(!products.is_empty() && products.len() <= 10, "{name}");
        for pr in products {
            let one = srv.ok(&format!(
                "/api/v1/products/{}",
                pr["asin"].as_str().unwrap()
            ));
            assert_eq!(one["data"]["brand"], name);
            assert_eq!(one["data"]["review_count"], pr["reviews"]);
        }
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "brand", &name, "-f", "json"])).unwrap();
        assert_eq!(cli, d, "{name}: report brand -f json is the API's data");
    }
    assert!(quotes > 20, "{quotes}");
    let (status, v) = srv.get("/api/v1/brands/No%20Such%20Brand");
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(srv.get("/api/v1/brands/%20").0, 404);
    assert_eq!(srv.get("/api/v1/brands/%FF").0, 404);
    let (status, v) = srv.get("/api/v1/brands/Kurtzy?limit=3");
    assert_eq!(
        (status, v["error"]["parameter"].as_str()),
        (400, Some("limit"))
    );
    let o = e.run(&["report", "brand", "no such brand"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no brand no such brand"));
}

#[test]
fn a_windowed_brand_detail_is_the_windowed_brands_view_of_that_brand() {
    let e = analyzed();
    let srv = Server::start(&e);
    let windows = [
        "from=2026-01-01&to=2026-03-31",
        "from=2026-02-01&to=2026-03-31&compare=previous",
        "from=2026-10-01&compare=previous",
        "to=2025-03-31",
    ];
    for name in brand_names(&srv) {
        for w in windows {
            let q = format!("brand={}&{w}", encode(&name));
            let view = srv.ok(&format!("/api/v1/brands?{q}"))["data"].clone();
            let d = srv.ok(&format!("/api/v1/brands/{}?{w}", encode(&name)))["data"].clone();
            let label = format!("{name} {w}");
            for k in [
                "from",
                "to",
                "previous_from",
                "previous_to",
                "liked_aspects",
                "complaint_aspects",
                "breakdowns",
            ] {
                assert_eq!(d[k], view[k], "{label}: {k}");
            }
            let s = &d["summary"];
            let Some(row) = view["rows"].as_array().unwrap().first() else {
                assert_eq!(s["reviews"], 0, "{label}");
                assert!(d["issues"].as_array().unwrap().is_empty(), "{label}");
                continue;
            };
            for k in [
                "reviews",
                "rated",
                "avg_rating",
                "pct_positive",
                "pct_neutral",
                "pct_negative",
            ] {
                assert_eq!(s[k], row[k], "{label}: {k}");
            }
            assert_eq!(s["neg_delta"], row["delta_pct_negative"], "{label}");
            assert_eq!(s["previous_reviews"], row["previous"]["reviews"], "{label}");
            assert_eq!(
                all_issues(&d).as_array().unwrap().len(),
                view["issues"].as_array().unwrap().len()
            );
            for i in all_issues(&d).as_array().unwrap() {
                let theirs = (view["issues"].as_array().unwrap().iter())
                    .find(|x| x["code"] == i["code"])
                    .unwrap_or_else(|| panic!("{label}: {i}"));
                assert_eq!(i, theirs, "{label}");
            }
            check_quotes(&e, &name, &d["issues"]);
            // The months add up to the window; the products are the brand's windowed rows.
            let months: i64 = (d["trend"].as_array().unwrap().iter())
                .map(|m| m["reviews"].as_i64().unwrap())
                .sum();
            assert_eq!(Some(months), s["reviews"].as_i64(), "{label}: trend");
            let rows = srv.ok(&format!("/api/v1/products?limit=500&{q}"))["data"]["rows"].clone();
            let rows = rows.as_array().unwrap();
            assert_eq!(s["products"].as_u64(), Some(rows.len() as u64), "{label}");
            for pr in d["products"].as_array().unwrap() {
                let r = rows.iter().find(|r| r["key"] == pr["asin"]).unwrap();
                assert_eq!(
                    (&pr["reviews"], &pr["pct_negative"]),
                    (&r["reviews"], &r["pct_negative"]),
                    "{label}"
                );
            }
            let mut args = vec!["report", "brand", &name, "-f", "json"];
            let flags: Vec<String> = (w.split('&'))
                .flat_map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    let flag = match k {
                        "from" => "--since",
                        "to" => "--until",
                        _ => "--compare",
                    };
                    [flag.to_string(), v.to_string()]
                })
                .collect();
            args.extend(flags.iter().map(String::as_str));
            let cli: Value = serde_json::from_str(&e.ok(&args)).unwrap();
            assert_eq!(cli, d, "{label}: report brand -f json is the API's data");
        }
    }
}

#[test]
fn report_brand_in_every_format() {
    let e = analyzed();
    let name = "Çà/Ünïque Co";
    let table = e.ok(&["report", "brand", "çà/ünïque co"]);
    for part in [
        name,
        "Issues and what each costs in stars",
        "Leaks",
        "By marketplace and by language",
        "B0ODD00001",
    ] {
        assert!(table.contains(part), "{part}: {table}");
    }
    let csv = e.ok(&[
        "report",
        "brand",
        name,
        "-f",
        "csv",
        "--since",
        "2026-01-01",
    ]);
    // Tables one after another, a blank line between, as the product's CSV.
    let tables: Vec<&str> = csv.split("\n\n").collect();
    assert!(tables.len() >= 7, "{csv}");
    assert!(
        tables[1].starts_with("issue,code,reviews,negative or neutral,"),
        "{csv}"
    );
    assert!(
        tables
            .iter()
            .any(|t| t.starts_with("by,marketplace or language,")),
        "{csv}"
    );
    assert!(csv.contains("\nmarketplace,amazon.de,1,"), "{csv}");
    assert!(csv.contains("\nlanguage,en,"), "{csv}");
    let html = e.ok(&["report", "brand", name, "-f", "html"]);
    assert!(
        html.contains("<h1>prodinsight: Çà/Ünïque Co</h1>"),
        "{html}"
    );
    assert!(
        html.contains("<h2>Products that need attention first</h2>"),
        "{html}"
    );
    let amp = e.ok(&["report", "brand", "tom & jerry 50%", "-f", "html"]);
    assert!(amp.contains("Tom &amp; Jerry 50%"), "{amp}");
}
