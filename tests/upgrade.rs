//! An upgrade that adds derived tables: the first analyze after it fills them, even when nothing
//! new was ingested, and reuses every stored text result.

mod common;
use common::{sample, Env};

#[test]
fn the_first_analyze_after_a_migration_rolls_up_again_and_fills_new_tables() {
    let e = Env::new();
    let data = sample();
    let data = data.to_str().unwrap();
    e.ok(&["-q", "analyze", data]);
    let days = "SELECT count(*) FROM product_days";
    let filled = e.count(days);
    assert!(filled > 0);
    // What a database analyzed by an older release looks like: runs without a schema version, and
    // the tables a later migration added still empty.
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    conn.execute_batch(
        "UPDATE analysis_runs SET schema_version = NULL;
         DELETE FROM product_days; DELETE FROM brand_days;",
    )
    .unwrap();
    drop(conn);

    let out = e.run(&["analyze"]);
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("nothing new"), "{err}");
    assert_eq!(e.count(days), filled);
    assert!(e.count("SELECT count(*) FROM brand_days") > 0);
    let last = "SELECT reviews_analyzed FROM analysis_runs ORDER BY id DESC LIMIT 1";
    assert_eq!(e.count(last), 0, "every text result is reused");

    // Now current: the next run with nothing new is an unchanged one.
    let out = e.run(&["analyze"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new"));
}
