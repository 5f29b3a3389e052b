//! Memory that does not grow with the data: analyze streams product rows to the store in batches
//! and lets SQLite find the distinct texts; these check that nothing is lost or repeated on the way.

mod common;

use common::{p, Env};

/// `n` products with two reviews each; every product's second review repeats one of a few shared
/// texts, so distinct texts are fewer than reviews. Ids continue from `first_id`.
fn export(e: &Env, name: &str, first_id: usize, n: usize) -> std::path::PathBuf {
    let mut s = String::new();
    for i in 0..n {
        let id = first_id + 2 * i;
        let asin = format!("B{:09}", first_id + i);
        s.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{id}\",\"PRODUCT_BRAND\":\"Brand {}\",\"CHILD_ASIN\":\"{asin}\",\
             \"CUSTOMER_REVIEW_RATING\":2,\"CUSTOMER_REVIEW_TITLE\":\"Review {id}\",\
             \"CUSTOMER_REVIEW_DESCRIPTION\":\"The lid leaks after {id} days\",\
             \"REVIEW_DATE\":\"2026-0{}-15\"}}\n",
            i % 5,
            1 + i % 9
        ));
        s.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{}\",\"PRODUCT_BRAND\":\"Brand {}\",\"CHILD_ASIN\":\"{asin}\",\
             \"CUSTOMER_REVIEW_RATING\":5,\"CUSTOMER_REVIEW_TITLE\":\"Great\",\
             \"CUSTOMER_REVIEW_DESCRIPTION\":\"Works well, shared text {}\"}}\n",
            id + 1,
            i % 5,
            i % 3
        ));
    }
    e.file(name, s.as_bytes())
}

#[test]
fn products_beyond_one_write_batch_are_all_stored_once_with_their_snapshots() {
    let e = Env::new();
    // 2,345 products: two full batches of 1,000 and a partial last one.
    let f = export(&e, "a.jsonl", 0, 2345);
    e.ok(&["-q", "ingest", p(&f)]);
    let out = e.run(&["analyze"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2345 products, 5 brands"), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM product_insights"), 2345);
    assert_eq!(
        e.count("SELECT count(DISTINCT asin) FROM product_insights"),
        2345
    );
    assert_eq!(e.count("SELECT count(*) FROM product_details"), 2345);
    assert_eq!(e.count("SELECT count(*) FROM product_snapshots"), 2345);
    assert_eq!(
        e.count("SELECT sum(review_count) FROM product_insights"),
        4690
    );
    assert_eq!(
        e.count("SELECT sum(review_count) FROM brand_insights"),
        4690
    );
    // Each product's months and issues are there too (every product has a leak review).
    assert_eq!(
        e.count("SELECT count(DISTINCT asin) FROM product_months"),
        2345
    );
    assert_eq!(
        e.count("SELECT count(DISTINCT asin) FROM product_issues"),
        2345
    );
    // Each distinct text analyzed exactly once: 2,345 own texts and 3 shared ones.
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 2348);
    assert!(err.contains("4690 reviews, 2348 texts analyzed"), "{err}");
}

#[test]
fn a_later_run_reads_each_new_text_once_and_replaces_every_product_row() {
    let e = Env::new();
    let f = export(&e, "a.jsonl", 0, 1200);
    e.ok(&["-q", "ingest", p(&f)]);
    e.ok(&["-q", "analyze"]);
    // 1,100 new products whose shared texts are already analyzed.
    let g = export(&e, "b.jsonl", 100_000, 1100);
    e.ok(&["-q", "ingest", p(&g)]);
    let out = e.run(&["analyze"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1100 texts analyzed (3500 reused)"), "{err}");
    assert!(err.contains("2300 products"), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 1203 + 1100);
    assert_eq!(e.count("SELECT count(*) FROM product_insights"), 2300);
    let last = e.count("SELECT max(id) FROM analysis_runs");
    assert_eq!(
        e.count(&format!(
            "SELECT count(*) FROM product_snapshots WHERE run_id = {last}"
        )),
        2300
    );
    // The current insights are the last run's (its snapshot run is the newest).
    assert_eq!(
        e.count("SELECT max(run_id) FROM product_snapshot_runs"),
        last
    );
}
