//! Breakdowns by marketplace and by language (issue #22): German customers complain about size,
//! French ones do not, and the product, brand and portfolio views say so with counts that add up
//! to their totals, the same in `report … -f json` and the API.

mod common;

use common::{p, Env, Server};
use serde_json::{json, Value};

const DE_SIZE: &str = "Die Schuhe sind zu klein, passt nicht. Sehr enttäuscht.";
const FR_HAPPY: &str = "Très bon produit, fonctionne parfaitement. Je recommande.";
const DE_HAPPY: &str = "Sehr gut, alles bestens, gerne wieder.";
const EN_BROKEN: &str = "Stopped working after a week. Total waste of money.";

/// One review of the export.
fn review(id: u32, asin: &str, brand: &str, market: &str, stars: u8, text: &str) -> Value {
    json!({"REVIEW_ID": format!("R{id:05}"), "CHILD_ASIN": asin, "PRODUCT_BRAND": brand,
           "CUSTOMER_REVIEW_RATING": stars, "CUSTOMER_REVIEW_TITLE": "",
           "CUSTOMER_REVIEW_DESCRIPTION": text, "REVIEW_DATE": "2026-03-01",
           "MARKETPLACE": market})
}

/// Fitwell's B0FIT00001: 4 German size complaints, 1 happy German, 3 happy French reviews;
/// B0FIT00002: 2 German size complaints, 2 happy French; Other's B0OTH00001: 2 broken, English.
fn export() -> Vec<Value> {
    let mut rows = Vec::new();
    let mut id = 0;
    let mut add = |asin: &str, brand: &str, market: &str, stars: u8, text: &str, n: usize| {
        for _ in 0..n {
            id += 1;
            rows.push(review(id, asin, brand, market, stars, text));
        }
    };
    add("B0FIT00001", "Fitwell", "amazon.de", 1, DE_SIZE, 3);
    add("B0FIT00001", "Fitwell", "amazon.de", 2, DE_SIZE, 1);
    add("B0FIT00001", "Fitwell", "amazon.de", 5, DE_HAPPY, 1);
    add("B0FIT00001", "Fitwell", "amazon.fr", 5, FR_HAPPY, 3);
    add("B0FIT00002", "Fitwell", "amazon.de", 1, DE_SIZE, 2);
    add("B0FIT00002", "Fitwell", "amazon.fr", 4, FR_HAPPY, 2);
    add("B0OTH00001", "Other", "amazon.com", 1, EN_BROKEN, 2);
    rows
}

fn analyzed() -> Env {
    let e = Env::new();
    let body = serde_json::to_vec(&export()).unwrap();
    let file = e.file("export.json", &body);
    e.ok(&["ingest", p(&file)]);
    e.ok(&["analyze"]);
    e
}

fn json_of(e: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&e.ok(args)).unwrap()
}

/// The row `key` of `dimension` ("by_language", "by_marketplace").
fn row<'a>(b: &'a Value, dimension: &str, key: &str) -> &'a Value {
    b[dimension]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {dimension}: {b}"))
}

/// Reviews reporting `code` in a row (0 when it is no top issue).
fn issue(r: &Value, code: &str) -> i64 {
    (r["top_issues"].as_array().unwrap().iter())
        .find(|i| i["code"] == code)
        .map_or(0, |i| i["count"].as_i64().unwrap())
}

/// Each dimension's rows add up to `reviews` (and to the same negative and rated counts).
fn adds_up(b: &Value, reviews: i64) {
    let sum = |dim: &str, field: &str| -> i64 {
        (b[dim].as_array().unwrap().iter())
            .map(|r| r[field].as_i64().unwrap())
            .sum()
    };
    for field in ["reviews", "negative", "rated_count"] {
        assert_eq!(
            sum("by_language", field),
            sum("by_marketplace", field),
            "{field}: {b}"
        );
    }
    assert_eq!(sum("by_language", "reviews"), reviews, "{b}");
}

#[test]
fn german_customers_complain_about_size_and_french_ones_do_not_per_product() {
    let e = analyzed();
    let d = json_of(&e, &["report", "product", "B0FIT00001", "-f", "json"]);
    let b = &d["breakdowns"];
    adds_up(b, 8);
    let de = row(b, "by_language", "de");
    assert_eq!(de["reviews"], 5);
    assert_eq!(de["negative"], 4);
    assert_eq!(de["pct_negative"], 80.0);
    assert_eq!(de["avg_rating"], 2.0); // (1+1+1+2+5)/5
    assert_eq!(de["top_issues"][0]["code"], "size_fit");
    assert_eq!(issue(de, "size_fit"), 4);
    let fr = row(b, "by_language", "fr");
    assert_eq!(
        (fr["reviews"].as_i64(), fr["negative"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(issue(fr, "size_fit"), 0);
    assert_eq!(fr["avg_rating"], 5.0);
    // By marketplace the same split: amazon.de is the German reviews.
    let de_market = row(b, "by_marketplace", "amazon.de");
    for field in ["reviews", "negative", "avg_rating", "top_issues"] {
        assert_eq!(de_market[field], de[field], "{field}");
    }
    assert_eq!(issue(row(b, "by_marketplace", "amazon.fr"), "size_fit"), 0);
    // The languages the detail already listed agree with the breakdown.
    assert_eq!(d["languages"]["de"], 5);
}

#[test]
fn brand_and_portfolio_breakdowns_sum_their_products() {
    let e = analyzed();
    let brands = json_of(
        &e,
        &["report", "brands", "--brand", "fitwell", "-f", "json"],
    );
    let fit = &brands[0];
    assert_eq!(fit["brand"], "Fitwell");
    let b = &fit["breakdowns"];
    adds_up(b, 12);
    let de = row(b, "by_language", "de");
    assert_eq!(
        (de["reviews"].as_i64(), de["negative"].as_i64()),
        (Some(7), Some(6))
    );
    assert_eq!(issue(de, "size_fit"), 6);
    assert_eq!(issue(row(b, "by_language", "fr"), "size_fit"), 0);
    assert_eq!(issue(row(b, "by_marketplace", "amazon.de"), "size_fit"), 6);

    let overview = json_of(&e, &["report", "-f", "json"]);
    let all = &overview["breakdowns"];
    adds_up(all, 14);
    assert_eq!(issue(row(all, "by_language", "de"), "size_fit"), 6);
    assert_eq!(issue(row(all, "by_language", "fr"), "size_fit"), 0);
    let com = row(all, "by_marketplace", "amazon.com");
    assert_eq!(
        (com["reviews"].as_i64(), com["negative"].as_i64()),
        (Some(2), Some(2))
    );
    // The overview of one brand is that brand's breakdown.
    let one = json_of(&e, &["report", "--brand", "Fitwell", "-f", "json"]);
    assert_eq!(one["breakdowns"], *b);
}

#[test]
fn breakdowns_are_identical_in_cli_json_and_api() {
    let e = analyzed();
    let product = json_of(&e, &["report", "product", "B0FIT00001", "-f", "json"]);
    let brands = json_of(
        &e,
        &["report", "brands", "--brand", "Fitwell", "-f", "json"],
    );
    let overview = json_of(&e, &["report", "-f", "json"]);
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/products/B0FIT00001");
    assert_eq!(api["data"]["breakdowns"], product["breakdowns"]);
    let api = srv.ok("/api/v1/brands?brand=Fitwell");
    assert_eq!(api["data"][0]["breakdowns"], brands[0]["breakdowns"]);
    let api = srv.ok("/api/v1/overview");
    assert_eq!(api["data"]["breakdowns"], overview["breakdowns"]);
    assert!(!overview["breakdowns"]["by_language"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn product_tables_and_pages_show_the_breakdowns() {
    let e = analyzed();
    let table = e.ok(&["report", "product", "B0FIT00001"]);
    let line = (table.lines())
        .find(|l| l.contains("amazon.de"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.contains("80.0") && line.contains("Size or fit (4)"),
        "{line}"
    );
    let csv = e.ok(&["report", "product", "B0FIT00001", "-f", "csv"]);
    assert!(
        csv.contains("language,de,5,80.0,2.0,Size or fit (4)"),
        "{csv}"
    );
    let html = e.ok(&["report", "product", "B0FIT00001", "-f", "html"]);
    assert!(html.contains("By marketplace and by language"), "{html}");
    let overview = e.ok(&["report"]);
    assert!(
        overview.contains("By marketplace and by language"),
        "{overview}"
    );
    let brand = e.ok(&["report", "brands", "--brand", "Fitwell"]);
    assert!(brand.contains("Size or fit (6)"), "{brand}");
}

/// One brand's page (`report brands --brand X -f html`) is a page about the brand, as its table
/// is: its breakdowns, what customers like, and its issues with what each costs in stars (the
/// figures of `report issues --brand X`), not the brands list's one row.
#[test]
fn one_brand_page_shows_its_breakdowns_liked_aspects_and_issue_costs() {
    let e = analyzed();
    let brand = &json_of(
        &e,
        &["report", "brands", "--brand", "Fitwell", "-f", "json"],
    )[0];
    let issues = json_of(
        &e,
        &["report", "issues", "--brand", "Fitwell", "-f", "json"],
    );
    let size = (issues.as_array().unwrap().iter())
        .find(|i| i["code"] == "size_fit")
        .unwrap();
    let gained = size["stars_gained"].as_f64().expect("size_fit costs stars");
    let html = e.ok(&["report", "brands", "--brand", "Fitwell", "-f", "html"]);
    let table = e.ok(&["report", "brands", "--brand", "Fitwell"]);
    for page in [&html, &table] {
        assert!(
            page.contains("Issues and what each costs in stars"),
            "{page}"
        );
        assert!(
            page.contains("Size or fit") && page.contains(&format!("{gained:.2}")),
            "{page}"
        );
        assert!(
            page.contains("amazon.de") && page.contains("amazon.fr"),
            "{page}"
        );
        for a in brand["liked_aspects"].as_array().unwrap() {
            assert!(page.contains(a["term"].as_str().unwrap()), "{a}: {page}");
        }
    }
    assert!(html.contains("By marketplace and by language"), "{html}");
    assert!(
        html.contains(&format!("{gained:.2}</td>")),
        "{gained}: {html}"
    );
}
