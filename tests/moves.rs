//! Reviews with a source id that a later export puts under another product: they move there.

mod common;

use common::{p, sample, Env};
use serde_json::{json, Value};

/// The sample export's records, as read.
fn records() -> Vec<Value> {
    let text = std::fs::read_to_string(sample().join("export-2-2026-q1.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn jsonl(rows: &[Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

/// The stored product insights, one line per product.
fn insights(e: &Env) -> Vec<String> {
    let c = rusqlite::Connection::open(e.db()).unwrap();
    let mut st = c
        .prepare(
            "SELECT asin, review_count, rated_count, rating_sum, positive, neutral, negative,
                 top_issues FROM product_insights ORDER BY asin",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((0..8)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// An export that puts a review (same id, same stars, title, text and date) under another product
/// moves it there; an incremental analyze then equals a full one, also when the old product is
/// left with no review at all. Before the fix the review stayed under its old product
/// ("1 unchanged"), as the content hash has no product in it.
#[test]
fn a_review_exported_under_another_product_moves_there() {
    let all = records();
    let mut by: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for r in &all {
        by.entry(r["CHILD_ASIN"].as_str().unwrap().to_string())
            .or_default()
            .push(r.clone());
    }
    // The product with the fewest reviews loses all of them to the one with the most.
    let from = by.iter().min_by_key(|(_, v)| v.len()).unwrap().0.clone();
    let to = by.iter().max_by_key(|(_, v)| v.len()).unwrap().0.clone();
    let moved: Vec<Value> = by[&from]
        .iter()
        .map(|r| {
            let mut x = r.clone();
            x["CHILD_ASIN"] = json!(to);
            x
        })
        .collect();
    let n = moved.len() as i64;
    let twins = [Env::new(), Env::new()];
    for e in &twins {
        e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
        e.ok(&["-q", "analyze"]);
    }
    let before = twins[0].count(&format!("SELECT count(*) FROM reviews WHERE asin = '{to}'"));
    for e in &twins {
        let o = e.run(&["ingest", p(&e.file("moved.jsonl", &jsonl(&moved)))]);
        let said = String::from_utf8_lossy(&o.stderr);
        assert!(said.contains(&format!("0 new, {n} updated")), "{said}");
    }
    let e = &twins[0];
    assert_eq!(
        e.count(&format!("SELECT count(*) FROM reviews WHERE asin = '{to}'")),
        before + n
    );
    assert_eq!(
        e.count(&format!(
            "SELECT count(*) FROM reviews WHERE asin = '{from}'"
        )),
        0
    );
    twins[0].ok(&["-q", "analyze"]);
    twins[1].ok(&["-q", "analyze", "--full"]);
    let (a, b) = (insights(&twins[0]), insights(&twins[1]));
    assert_eq!(a, b);
    assert!(
        !a.iter().any(|l| l.contains(&from)),
        "{from} still has insights"
    );
    // The emptied product says why it has nothing to show, not "run analyze".
    let o = twins[0].run(&["report", "product", &from]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("no reviews that count"), "{said}");
    let product: Value =
        serde_json::from_str(&e.ok(&["report", "product", &to, "-f", "json"])).unwrap();
    assert_eq!(product["review_count"], json!(before + n), "{product}");
    // An older export (other bytes, the review under its old product again) moves nothing back.
    let mut old = jsonl(&by[&from]);
    old.extend_from_slice(b"\n");
    let o = e.run(&["ingest", p(&e.file("old.jsonl", &old))]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains(&format!("0 updated, {n} unchanged")),
        "{said}"
    );
    assert_eq!(
        e.count(&format!(
            "SELECT count(*) FROM reviews WHERE asin = '{from}'"
        )),
        0
    );
    // Its product in another letter case is the same product: no move.
    let mut lower = by[&to][0].clone();
    lower["CHILD_ASIN"] = json!(to.to_lowercase());
    let o = e.run(&["ingest", p(&e.file("lower.jsonl", &jsonl(&[lower])))]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("0 updated, 1 unchanged"), "{said}");
}
