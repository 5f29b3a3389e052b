//! Top issues are what negative and neutral reviews report: an issue only positive reviews mention
//! ("it leaks a little but I love it", five stars) is listed apart as mentioned in praise, in the
//! product, the product list, the brand, the portfolio and the API.

mod common;

use common::{p, Env, Server};
use serde_json::{json, Value};

/// Leaks in six 5-star reviews only; smell in four 3-star and battery in three 1-star reviews.
fn analyzed() -> Env {
    let e = Env::new();
    let mut rows: Vec<(u8, &str)> = Vec::new();
    rows.extend([(5, "Great product, it leaks a little but I love it."); 6]);
    rows.extend([(1, "The battery died after a week."); 3]);
    rows.extend([(3, "It has a strong chemical smell."); 4]);
    rows.extend([(5, "Great product, works perfectly."); 7]);
    let text: String = rows
        .iter()
        .enumerate()
        .map(|(i, (rating, body))| {
            json!({"REVIEW_ID": format!("R{i}"), "CHILD_ASIN": "B0PRAISE01", "PRODUCT_BRAND": "Praise",
                   "CUSTOMER_REVIEW_RATING": rating, "CUSTOMER_REVIEW_TITLE": "Review",
                   "CUSTOMER_REVIEW_DESCRIPTION": body})
            .to_string()
                + "\n"
        })
        .collect();
    let f = e.file("a.jsonl", text.as_bytes());
    e.ok(&["analyze", p(&f), "-q"]);
    e
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_issue_only_praise_mentions_is_no_top_issue() {
    let e = analyzed();
    let product: Value =
        serde_json::from_str(&e.ok(&["report", "product", "B0PRAISE01", "-f", "json"])).unwrap();
    // Leaks has the most reviews (6) but no negative or neutral one.
    let top = codes(&product["issues"], "code");
    assert_eq!(top[0], "smell", "{top:?}");
    assert!(!top.contains(&"leaks".to_string()), "{top:?}");
    assert_eq!(product["issues"][0]["count_negative_neutral"], json!(4));
    assert_eq!(codes(&product["mentioned_in_praise"], "code"), ["leaks"]);
    assert_eq!(product["mentioned_in_praise"][0]["count"], json!(6));
    assert_eq!(
        product["history"][0]["top_issues"][0]["code"],
        json!("smell"),
        "a run's top issues follow the same rule"
    );

    let table = e.ok(&["report", "product", "B0PRAISE01"]);
    assert!(table.contains("Mentioned in praise only") && table.contains("Leaks (6)"));
    let page = e.ok(&["report", "product", "B0PRAISE01", "-f", "html"]);
    assert!(page.contains("Mentioned in praise"));

    let server = Server::start(&e);
    let list = server.ok("/api/v1/products")["data"][0]["top_issues"].clone();
    assert_eq!(codes(&list, "code")[0], "smell");
    assert!(!codes(&list, "code").contains(&"leaks".to_string()));
    let brand = server.ok("/api/v1/brands")["data"][0]["issues"].clone();
    assert_eq!(codes(&brand, "code")[0], "smell");
    assert!(!codes(&brand, "code").contains(&"leaks".to_string()));

    // The portfolio: ranked by negative and neutral reviews; praise-only issues apart.
    let overview = server.ok("/api/v1/overview")["data"].clone();
    let cli: Value = serde_json::from_str(&e.ok(&["report", "-f", "json"])).unwrap();
    assert_eq!(overview["issues"], cli["issues"]);
    assert_eq!(overview["mentioned_in_praise"], cli["mentioned_in_praise"]);
    assert_eq!(codes(&cli["issues"], "code")[0], "smell");
    assert_eq!(codes(&cli["mentioned_in_praise"], "code"), ["leaks"]);
    assert_eq!(
        cli["mentioned_in_praise"][0]["reviews_negative_neutral"],
        json!(0)
    );
    // The full issue list keeps every issue, ranked the same way (leaks last).
    let all = server.ok("/api/v1/issues")["data"].clone();
    assert_eq!(
        codes(&all, "code").last().map(String::as_str),
        Some("leaks")
    );
    assert_eq!(codes(&all, "code")[0], "smell");
    let summary = e.ok(&["report"]);
    assert!(summary.contains("Mentioned in praise only"), "{summary}");
}
