//! The offline analyzer reads a review's text in the light of its stars: a topic word in a
//! complaint ("the walls are thin, sadly") is an issue in a one-star review and only a mention in a
//! five-star one. One text has one stored result per star bucket, shared by the reviews in it and
//! reused by the next run.

mod common;

use common::{p, Env};
use serde_json::json;

fn review(id: &str, rating: u8) -> String {
    json!({"REVIEW_ID": id, "CHILD_ASIN": "B0STARS001", "PRODUCT_BRAND": "Stars",
           "CUSTOMER_REVIEW_RATING": rating, "CUSTOMER_REVIEW_TITLE": "Walls",
           "CUSTOMER_REVIEW_DESCRIPTION": "The walls are thin, sadly."})
    .to_string()
        + "\n"
}

/// Review id → the issues `report reviews` gives it.
fn issues(e: &Env) -> std::collections::BTreeMap<String, String> {
    let csv = e.ok(&["report", "reviews", "--format", "csv"]);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, iss) = (col("review_id"), col("issues"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[id].to_string(), f[iss].to_string())
        })
        .collect()
}

#[test]
fn the_same_text_is_an_issue_at_one_star_and_a_mention_at_five() {
    let e = Env::new();
    let text = [
        review("R1", 1),
        review("R2", 2),
        review("R4", 4),
        review("R5", 5),
    ]
    .concat();
    let f = e.file("a.jsonl", text.as_bytes());
    e.ok(&["analyze", p(&f), "-q"]);
    let got = issues(&e);
    assert_eq!(got["R1"], "quality", "{got:?}");
    assert_eq!(got["R2"], "quality", "{got:?}");
    assert_eq!(got["R4"], "", "{got:?}");
    assert_eq!(got["R5"], "", "{got:?}");
    // One result per bucket: 1-2 stars share one, 4-5 stars another.
    assert_eq!(e.count("SELECT count(DISTINCT text_hash) FROM reviews"), 2);
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 2);
    // Nothing new: the next run reuses both results and changes nothing.
    e.ok(&["analyze", "-q"]);
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 2);
    assert_eq!(issues(&e), got);
}
