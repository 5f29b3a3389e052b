//! Languages the offline analyzer does not read: named, counted in the analyze summary and the
//! overview (report and API), and their stars still count.

mod common;

use common::{p, Env, Server};
use serde_json::json;

fn record(id: &str, asin: &str, rating: u8, title: &str, body: &str) -> String {
    json!({
        "PRODUCT_BRAND": "Acme", "CHILD_ASIN": asin, "REVIEW_ID": id,
        "CUSTOMER_REVIEW_RATING": rating, "CUSTOMER_REVIEW_TITLE": title,
        "CUSTOMER_REVIEW_DESCRIPTION": body,
    })
    .to_string()
}

/// Three Japanese reviews (all 1 star), one Russian, two English.
fn env() -> (Env, String) {
    let e = Env::new();
    let lines = [
        record(
            "J1",
            "B0JA",
            1,
            "最悪",
            "すぐに割れました。二度と買いません。",
        ),
        record(
            "J2",
            "B0JA",
            1,
            "サイズが合わない",
            "私のスマホには合わないです。返品しました。",
        ),
        record(
            "J3",
            "B0JA",
            1,
            "黄ばみ",
            "一ヶ月で黄ばみが出てきました。残念です。",
        ),
        record(
            "R1",
            "B0RU",
            4,
            "Хорошо",
            "Хороший чехол, всё подошло, спасибо продавцу.",
        ),
        record(
            "E1",
            "B0EN",
            5,
            "Great case",
            "Fits my phone perfectly and feels solid.",
        ),
        record(
            "E2",
            "B0EN",
            5,
            "Love it",
            "Nice colour, good grip, would buy again.",
        ),
    ];
    let f = e.file("r.jsonl", (lines.join("\n") + "\n").as_bytes());
    e.ok(&["ingest", p(&f)]);
    let out = e.run(&["analyze"]);
    assert!(out.status.success());
    (e, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn analyze_summary_names_and_counts_languages_not_analyzed() {
    let (_e, stderr) = env();
    assert!(
        stderr.contains("4 reviews in languages not analyzed: ja 3, ru 1"),
        "{stderr}"
    );
}

#[test]
fn overview_counts_languages_not_analyzed_and_their_stars_still_count() {
    let (e, _) = env();
    let table = e.ok(&["report"]);
    assert!(
        table.contains("4 reviews in languages not analyzed: ja 3, ru 1"),
        "{table}"
    );
    let v: serde_json::Value = serde_json::from_str(&e.ok(&["report", "-f", "json"])).unwrap();
    assert_eq!(v["languages_not_analyzed"], json!({"ja": 3, "ru": 1}));
    // The Japanese product's one-star reviews make it negative although their text is not read.
    let d: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "product", "B0JA", "-f", "json"])).unwrap();
    let d = d.get("product").unwrap_or(&d);
    assert_eq!(d["avg_rating"], json!(1.0), "{d}");
    assert_eq!(d["pct_negative"], json!(100.0), "{d}");
    assert_eq!(d["languages"], json!({"ja": 3}), "{d}");
}

#[test]
fn api_overview_has_languages_not_analyzed() {
    let (e, _) = env();
    let s = Server::start(&e);
    let v = s.ok("/api/v1/overview");
    assert_eq!(
        v["data"]["summary"]["languages_not_analyzed"],
        json!({"ja": 3, "ru": 1}),
        "{v}"
    );
}

#[test]
fn no_line_when_every_language_is_read() {
    let e = Env::new();
    let f = e.file(
        "r.jsonl",
        (record("E1", "B0EN", 5, "Great", "Works well, very happy with it.") + "\n").as_bytes(),
    );
    e.ok(&["ingest", p(&f)]);
    let out = e.run(&["analyze"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not analyzed"));
    assert!(!e.ok(&["report"]).contains("not analyzed"));
}
