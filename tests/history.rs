//! History you can see: an export without review dates gets its trend by analysis run in the
//! product table, the HTML page and the brand view; a dated one by month; `report brands` and
//! `/api/v1/brands` carry the change in % negative since the previous run.

mod common;

use common::{p, Env, Server};
use serde_json::{json, Value};

/// `neg` one-star reviews that report leaks and `pos` five-star ones of one product, without ids'
/// overlap between tags; dated when `month` is given.
fn export(tag: &str, asin: &str, brand: &str, month: Option<&str>, neg: u32, pos: u32) -> String {
    let mut out = String::new();
    for i in 0..neg + pos {
        let (rating, text) = if i < neg {
            (1, "It leaks everywhere, water all over the counter.")
        } else {
            (5, "Great product, works perfectly.")
        };
        let mut r = json!({
            "REVIEW_ID": format!("R{tag}{asin}{i}"), "CHILD_ASIN": asin, "PRODUCT_BRAND": brand,
            "CUSTOMER_REVIEW_RATING": rating, "CUSTOMER_REVIEW_TITLE": "Review",
            "CUSTOMER_REVIEW_DESCRIPTION": text,
        });
        if let Some(m) = month {
            r["REVIEW_DATE"] = json!(format!("{m}-15"));
        }
        out.push_str(&format!("{r}\n"));
    }
    out
}

/// Two runs: the undated product goes from 4 of 31 negative to 7 of 39; the dated one gets a
/// second month.
fn two_runs() -> Env {
    let e = Env::new();
    let a = export("a", "B0NODATE01", "Nodate", None, 4, 27)
        + &export("a", "B0DATED001", "Dated", Some("2024-01"), 2, 8);
    let b = export("b", "B0NODATE01", "Nodate", None, 3, 5)
        + &export("b", "B0DATED001", "Dated", Some("2024-02"), 5, 5);
    for (name, text) in [("a.jsonl", a), ("b.jsonl", b)] {
        let f = e.file(name, text.as_bytes());
        e.ok(&["analyze", p(&f), "-q"]);
    }
    e
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn an_undated_product_shows_its_trend_by_run_in_the_table_and_the_page() {
    let e = two_runs();
    let table = e.ok(&["report", "product", "B0NODATE01"]);
    assert!(
        table.contains("% negative") && table.contains("top issues"),
        "{table}"
    );
    // One row per run: run id, reviews, % negative, the run's top issues.
    let rows: Vec<Vec<String>> = table
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .filter(|r: &Vec<String>| r.len() == 6 && (r[0] == "1" || r[0] == "2"))
        .collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert_eq!((&rows[0][2][..], &rows[0][4][..]), ("31", "12.9"));
    assert_eq!((&rows[1][2][..], &rows[1][4][..]), ("39", "17.9"));
    assert_eq!(rows[1][5], "Leaks (7)");

    let page = e.ok(&["report", "product", "B0NODATE01", "-f", "html"]);
    assert!(page.contains("% negative by analysis run"), "no run chart");
    assert!(page.contains("<title>run 1: 12.9%</title>"));
    assert!(page.contains("<title>run 2: 17.9%</title>"));
    assert!(page.contains("By analysis run") && page.contains("Leaks (7)"));
    assert!(!page.contains("No dated reviews"));

    // The API's history names each run's top issues too.
    let json: Value =
        serde_json::from_str(&e.ok(&["report", "product", "B0NODATE01", "-f", "json"])).unwrap();
    let issues: Vec<&Value> = json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["top_issues"][0]["count"])
        .collect();
    assert_eq!(issues, [&json!(4), &json!(7)]);
}

#[test]
fn a_dated_product_shows_its_trend_by_month() {
    let e = two_runs();
    let table = e.ok(&["report", "product", "B0DATED001"]);
    assert_eq!(lines_with(&table, "│ 2024-0").len(), 2, "{table}");
    assert!(lines_with(&table, "top issues").is_empty(), "{table}");
    let page = e.ok(&["report", "product", "B0DATED001", "-f", "html"]);
    assert!(page.contains("% negative by month"));
    assert!(page.contains("<title>2024-02: 50%</title>"), "5 of 10");
}

#[test]
fn brands_show_the_change_since_the_previous_run_and_their_trend() {
    let e = two_runs();
    let cli: Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--sort", "brand", "-f", "json"]))
            .unwrap();
    let server = Server::start(&e);
    let api = server.ok("/api/v1/brands?sort=brand")["data"].clone();
    assert_eq!(cli, api);
    let nodate = &cli[1];
    assert_eq!(nodate["brand"], "Nodate");
    // 4/31 → 7/39: 17.948… − 12.903… = +5.045…, from the exact shares.
    assert_eq!(nodate["neg_delta"], json!(5.0));
    assert_eq!(nodate["previous_review_count"], json!(31));
    assert_eq!(nodate["previous_pct_negative"], json!(12.9));
    let points: Vec<(i64, f64)> = nodate["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["review_count"].as_i64().unwrap(),
                h["pct_negative"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(points, [(31, 12.9), (39, 17.9)]);
    // Dated: 2 of 10 → 7 of 20.
    assert_eq!(cli[0]["neg_delta"], json!(15.0));

    let table = e.ok(&["report", "brands", "--sort", "brand"]);
    assert!(
        table.contains("Δ negative") && table.contains("+5.0"),
        "{table}"
    );
    // One brand alone: its trend, by run without dates, by month with them.
    let one = e.ok(&["report", "brands", "--brand", "nodate"]);
    assert!(
        one.contains("top issues") && one.contains("Leaks (7)"),
        "{one}"
    );
    let one = e.ok(&["report", "brands", "--brand", "dated"]);
    assert_eq!(lines_with(&one, "│ 2024-0").len(), 2, "{one}");
}
