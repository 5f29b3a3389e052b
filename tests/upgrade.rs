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
    // analyze drops the per-day tables' indexes while it rewrites them and builds them again.
    let indexes = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                   AND tbl_name IN ('product_days', 'product_day_issues', 'brand_day_liked')";
    let fresh = Env::new();
    fresh.ok(&["-q", "ingest", data]);
    let defined = fresh.count(indexes);
    assert!(defined >= 5, "{defined}");
    assert_eq!(e.count(indexes), defined);
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
    assert_eq!(e.count(indexes), defined);

    // Now current: the next run with nothing new is an unchanged one.
    let out = e.run(&["analyze"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new"));
}

/// Migration 24: snapshots written before complaint aspects' counts were kept get them from the
/// product's stored document, so the first run after the upgrade already says how each moved.
#[test]
fn the_upgrade_keeps_the_current_complaint_aspects_for_the_next_runs_change() {
    let e = Env::new();
    let asin = "B08C0F4912";
    let first = sample().join("export-1-2025-h1.json");
    e.ok(&["-q", "analyze", first.to_str().unwrap()]);
    let product = |e: &Env| -> serde_json::Value {
        serde_json::from_str(&e.ok(&["report", "product", asin, "-f", "json"])).unwrap()
    };
    let then = product(&e);
    // What a database analyzed before migration 24 looks like: no aspect counts in snapshots
    // (nor migration 25's index, nor migration 26's tables, nor migration 28's indexes).
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    conn.execute_batch(
        "UPDATE product_snapshot_spans SET detail = json_remove(detail, '$.aspects');
         DROP INDEX product_day_liked_term_day;
         DROP TABLE product_day_slices; DROP TABLE brand_day_slices; DROP TABLE brand_month_slices;
         DROP INDEX product_insights_attention_brand; DROP INDEX product_insights_attention;
         UPDATE analysis_runs SET schema_version = 23;
         PRAGMA user_version = 23;",
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        e.count("SELECT count(*) FROM product_snapshot_spans WHERE detail LIKE '%\"aspects\"%'"),
        0
    );
    let second = sample().join("export-2-2026-q1.jsonl");
    e.ok(&["-q", "analyze", second.to_str().unwrap()]);
    let now = product(&e);
    let aspects = now["complaint_aspects"].as_array().unwrap();
    let mut compared = 0;
    for a in aspects {
        let term = &a["term"];
        let shown = (then["complaint_aspects"].as_array().unwrap().iter())
            .find(|x| &x["term"] == term)
            .map(|x| x["count"].as_i64().unwrap());
        if let Some(count) = shown {
            assert_eq!(a["previous_count"].as_i64(), Some(count), "{a}");
            compared += 1;
        }
    }
    assert!(compared >= 3, "{now}");
}

/// A damaged product document (complaint aspects that are not objects, or lack a text term) made
/// migration 24 fail with "malformed JSON" on every writer, so the database could never upgrade:
/// such entries are skipped, and the rest of the document is still read.
#[test]
fn an_upgrade_skips_damaged_complaint_aspects_instead_of_failing() {
    let e = Env::new();
    let first = sample().join("export-1-2025-h1.json");
    e.ok(&["-q", "analyze", first.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    conn.execute_batch(
        "UPDATE product_snapshot_spans SET detail = json_remove(detail, '$.aspects');
         DROP INDEX product_day_liked_term_day;
         DROP TABLE product_day_slices; DROP TABLE brand_day_slices; DROP TABLE brand_month_slices;
         DROP INDEX product_insights_attention_brand; DROP INDEX product_insights_attention;
         UPDATE analysis_runs SET schema_version = 23;
         PRAGMA user_version = 23;
         UPDATE product_details SET detail = json_set(detail, '$.complaint_aspects',
             json('[\"hinge\", {\"count\": 3}, {\"term\": 7, \"count\": 2}, {\"term\": \"lid\", \"count\": 4}]'))
         WHERE asin = 'B08C0F4912';
         UPDATE product_details SET detail = json_set(detail, '$.complaint_aspects', 'abc')
         WHERE asin = 'B0DF12311C';",
    )
    .unwrap();
    drop(conn);
    let second = sample().join("export-2-2026-q1.jsonl");
    e.ok(&["-q", "analyze", second.to_str().unwrap()]);
    // Upgraded to the newest schema: one version per migration section.
    let newest = (include_str!("../schema.sql").lines())
        .filter(|l| l.starts_with("-- migration: "))
        .count();
    assert_eq!(e.count("PRAGMA user_version"), newest as i64);
    let lid = e.count(
        "SELECT json_extract(s.detail, '$.aspects.counts.lid') FROM product_snapshot_spans s
         WHERE s.asin = 'B08C0F4912' AND s.detail LIKE '%\"aspects\"%'
         ORDER BY s.from_run LIMIT 1",
    );
    assert_eq!(lid, 4);
}

/// Migration 26: a database from before per-day marketplace and language counts gets them on the
/// first analyze after the upgrade (nothing new ingested), so a brand's and the portfolio's
/// windows break their reviews down at once, as they would have on a fresh database.
#[test]
fn the_first_analyze_after_migration_26_fills_the_windows_breakdowns() {
    let e = Env::new();
    e.ok(&["-q", "analyze", sample().to_str().unwrap()]);
    let window = |e: &Env| -> serde_json::Value {
        let out = e.ok(&[
            "report",
            "--since",
            "2026-07-01",
            "--until",
            "2026-09-30",
            "-f",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["breakdowns"].clone()
    };
    let fresh = window(&e);
    assert!(
        fresh["by_language"].as_array().is_some_and(|r| r.len() > 1),
        "{fresh}"
    );
    // What a database analyzed before migration 26 looks like.
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    conn.execute_batch(
        "DROP TABLE product_day_slices; DROP TABLE brand_day_slices; DROP TABLE brand_month_slices;
         DROP INDEX product_insights_attention_brand; DROP INDEX product_insights_attention;
         UPDATE analysis_runs SET schema_version = 25;
         PRAGMA user_version = 25;",
    )
    .unwrap();
    drop(conn);
    let out = e.run(&["analyze"]);
    assert!(out.status.success(), "{out:?}");
    assert!(e.count("SELECT count(*) FROM brand_day_slices") > 0);
    assert_eq!(window(&e), fresh);
}

/// Migration 27: a database from before it has the plain ASIN index; the upgrade replaces it by the
/// covering one (what the roll-up walks instead of the table), and an analysis run after it stores
/// the same insights as before.
#[test]
fn migration_27_makes_the_asin_index_cover_the_rollups_columns() {
    let e = Env::new();
    e.ok(&["-q", "analyze", sample().to_str().unwrap()]);
    let report = |e: &Env| e.ok(&["report", "products", "-f", "json"]);
    // A twin that never had the old index: the upgraded run (a full roll-up, the schema changed)
    // must store what a full run does.
    let twin = Env::new();
    twin.ok(&["-q", "analyze", sample().to_str().unwrap()]);
    twin.ok(&["-q", "analyze", "--full"]);
    let expected = report(&twin);
    let definition = "SELECT count(*) FROM sqlite_schema WHERE type = 'index'
                      AND name = 'reviews_asin' AND sql LIKE '%text_hash%'";
    assert_eq!(e.count(definition), 1);
    // What a database from before migration 27 looks like.
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    conn.execute_batch(
        "DROP INDEX reviews_asin; CREATE INDEX reviews_asin ON reviews (asin);
         DROP INDEX product_insights_attention_brand; DROP INDEX product_insights_attention;
         UPDATE analysis_runs SET schema_version = 26;
         PRAGMA user_version = 26;",
    )
    .unwrap();
    drop(conn);
    assert_eq!(e.count(definition), 0);
    let out = e.run(&["analyze"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(e.count(definition), 1);
    assert_eq!(
        e.count("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'reviews' AND type = 'index' AND name LIKE 'reviews_asin%'"),
        1
    );
    // Migration 28's attention indexes come with the same upgrade.
    let attention = "SELECT count(*) FROM sqlite_schema WHERE type = 'index'
                     AND name IN ('product_insights_attention', 'product_insights_attention_brand')";
    assert_eq!(e.count(attention), 2);
    let check = "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'";
    assert_eq!(e.count(check), 1);
    assert!(
        report(&e) == expected,
        "the upgraded database reports otherwise"
    );
}
