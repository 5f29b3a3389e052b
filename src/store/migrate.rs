//! Migrations keyed on `PRAGMA user_version`, taken from the `-- migration: N` sections of schema.sql.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

const SCHEMA: &str = include_str!("../../schema.sql");

/// The schema version this binary writes: the number of migration sections in schema.sql.
pub const SCHEMA_VERSION: i64 = count_sections(SCHEMA);
const _: () = assert!(SCHEMA_VERSION >= 1, "schema.sql has no migration section");

const MARKER: &str = "-- migration: ";

const fn count_sections(s: &str) -> i64 {
    let (b, m) = (s.as_bytes(), MARKER.as_bytes());
    let (mut i, mut n) = (0, 0);
    while i + m.len() <= b.len() {
        let mut j = 0;
        while j < m.len() && b[i + j] == m[j] {
            j += 1;
        }
        if j == m.len() && (i == 0 || b[i - 1] == b'\n') {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The migration sections, in order: section N is the SQL after `-- migration: N`.
fn sections() -> Vec<&'static str> {
    // Only a marker at the start of a line opens a section.
    let marker = format!("\n{MARKER}");
    let mut out = Vec::new();
    let mut rest = SCHEMA;
    while let Some(pos) = rest.find(&marker) {
        rest = &rest[pos + marker.len()..];
        rest = &rest[rest.find('\n').unwrap_or(rest.len())..]; // the number's line
        let end = rest.find(&marker).unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    out
}

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current = user_version(conn)?;
    refuse_newer(current, path)?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // A migration may rebuild a table that others reference (SQLite's "12-step" ALTER TABLE, for
    // a new CHECK): that needs foreign-key enforcement off, and SQLite only honours the pragma
    // outside a transaction. Rebuilds copy every row with its key, so references stay intact.
    let fk: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let r = migrate_locked(conn, path);
    conn.pragma_update(None, "foreign_keys", fk)?;
    r
}

/// All pending migrations in one transaction: a crash leaves the previous version intact. The
/// transaction takes the write lock first (IMMEDIATE) and only then reads the version, so of
/// several processes opening a new or old database at once one migrates and the others, once it
/// has committed, find nothing left to do (as cargo's sqlite.rs does). Read before the lock, two
/// ingests into a new database both saw version 0 and the second failed with "table ingest_runs
/// already exists".
fn migrate_locked(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = user_version(&tx)?;
    refuse_newer(current, path)?;
    for (i, sql) in sections().iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

fn refuse_newer(current: i64, path: &Path) -> Result<()> {
    if current > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

pub fn check_readable(conn: &Connection, path: &Path) -> Result<()> {
    let current = user_version(conn)?;
    refuse_newer(current, path)?;
    if current < SCHEMA_VERSION {
        return Err(Error::SchemaTooOld {
            path: path.to_path_buf(),
            found: current,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_match_the_version() {
        assert_eq!(sections().len() as i64, SCHEMA_VERSION);
    }

    /// Sections run by position: a label out of order would mislead whoever reads schema.sql.
    #[test]
    fn section_labels_are_their_positions() {
        let labels: Vec<i64> = SCHEMA
            .lines()
            .filter_map(|l| l.strip_prefix(MARKER))
            .map(|n| n.trim().parse().unwrap())
            .collect();
        assert_eq!(labels, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
    }

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c, Path::new(":memory:")).unwrap();
        migrate(&mut c, Path::new(":memory:")).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut c, Path::new("x.db")).unwrap_err();
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn version_1_insights_move_to_details_and_gain_top_issues() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(sections()[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(
            "INSERT INTO analysis_runs (id, started_at, status, analyzer, analyzer_version, taxonomy_version)
                 VALUES (1, 'now', 'ok', 'offline/1.0/t1', '1.0', 1);
             INSERT INTO product_insights (asin, brand, run_id, review_count, rated_count, avg_rating,
                 pct_positive, pct_neutral, pct_negative, detail)
                 VALUES ('B1', 'X', 1, 10, 10, 3.5, 50, 10, 40, '{\"asin\":\"B1\"}');
             INSERT INTO product_issues VALUES ('B1', 'leaks', 4, 40.0), ('B1', 'smell', 1, 10.0),
                 ('B1', 'noise', 2, 20.0), ('B1', 'safety', 1, 10.0);",
        )
        .unwrap();
        migrate(&mut c, Path::new(":memory:")).unwrap();
        let (detail, top): (String, String) = c
            .query_row(
                "SELECT d.detail, p.top_issues FROM product_insights p JOIN product_details d USING (asin)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(detail, r#"{"asin":"B1"}"#);
        let top: Vec<serde_json::Value> = serde_json::from_str(&top).unwrap();
        let codes: Vec<&str> = top.iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["leaks", "noise", "safety"]);
        // Version 4: issue rows carry their product's sort keys.
        let keys: (i64, f64, f64) = c
            .query_row(
                "SELECT review_count, avg_rating, pct_negative FROM product_issues WHERE code = 'leaks'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(keys, (10, 3.5, 40.0));
    }

    /// Version 6 rebuilds analysis_runs (its status may now be 'interrupted'): every run keeps its
    /// id and counts, and what refers to runs still finds them.
    #[test]
    fn version_6_keeps_runs_and_their_references() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        let mut c = Connection::open(&path).unwrap();
        c.pragma_update(None, "foreign_keys", "ON").unwrap();
        for sql in &sections()[..5] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 5).unwrap();
        c.execute_batch(
            "INSERT INTO analysis_runs (id, started_at, status, analyzer, analyzer_version,
                 taxonomy_version, reviews_analyzed, requests, cost_usd)
                 VALUES (1, 't1', 'ok', 'offline/1.7/t1', '1.7', 1, 3, 0, 0),
                        (7, 't2', 'running', 'llm', 'm/1', 1, 0, 53, 0.25);
             INSERT INTO text_results (text_hash, analyzer, text_sentiment, text_score, issues,
                 aspects, run_id) VALUES (x'00', 'offline/1.7/t1', 'neutral', 0, '[]', '[]', 7);",
        )
        .unwrap();
        migrate(&mut c, &path).unwrap();
        let fk: i64 = c
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are on again");
        let bad: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(bad, 0);
        let run7: (i64, f64, i64) = c
            .query_row(
                "SELECT requests, cost_usd, texts_failed FROM analysis_runs WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(run7, (53, 0.25, 0));
        c.execute(
            "UPDATE analysis_runs SET status = 'interrupted' WHERE id = 7",
            [],
        )
        .unwrap();
        assert!(c
            .execute("UPDATE analysis_runs SET status = 'bogus' WHERE id = 7", [])
            .is_err());
        // A result of a run that does not exist is still refused: the reference points at the new table.
        let orphan = c.execute(
            "INSERT INTO text_results (text_hash, analyzer, text_sentiment, text_score, issues,
                 aspects, run_id) VALUES (x'01', 'a', 'neutral', 0, '[]', '[]', 99)",
            [],
        );
        assert!(orphan.is_err());
    }

    /// An in-memory database with the first `before` sections applied, as a database written
    /// before the next migration would be.
    fn at_version(before: usize) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        for sql in &sections()[..before] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", before as i64)
            .unwrap();
        c
    }

    /// The counts migration: rows written before it get counts recovered from their shares, so
    /// roll-ups over old and new rows still add up; unknown issue splits stay NULL.
    #[test]
    fn counts_are_recovered_from_stored_shares() {
        // Everything before migration 8, the counts.
        let mut c = at_version(7);
        c.execute_batch(
            "INSERT INTO analysis_runs (id, started_at, status, analyzer, analyzer_version, taxonomy_version)
                 VALUES (1, 'then', 'ok', 'offline', '1', 1), (2, 'now', 'ok', 'offline', '1', 1);
             INSERT INTO product_insights (asin, brand, run_id, review_count, rated_count, avg_rating,
                 pct_positive, pct_neutral, pct_negative)
                 VALUES ('B1', 'X', 2, 763, 760, 3.25, 55.3, 5.3, 39.4);
             INSERT INTO product_snapshots (asin, run_id, review_count, pct_positive, pct_negative, detail)
                 VALUES ('B1', 1, 31, 80.0, 12.9, '{}'), ('B1', 2, 763, 55.3, 39.4, '{}');
             INSERT INTO product_months (asin, month, reviews, avg_rating, pct_negative, issues)
                 VALUES ('B1', '2024-01', 31, 4.0, 12.9, '{}');
             INSERT INTO product_issues (asin, code, count, share) VALUES ('B1', 'leaks', 4, 0.5);",
        )
        .unwrap();
        migrate(&mut c, Path::new(":memory:")).unwrap();
        let row: (i64, i64, i64, i64) = c
            .query_row(
                "SELECT positive, neutral, negative, rating_sum FROM product_insights",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row, (422, 40, 301, 2470));
        let snap: i64 = c
            .query_row(
                "SELECT negative FROM product_snapshots WHERE run_id = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(snap, 301);
        // The previous run's counts, for the change and the impact: 4 of 31.
        let prev: (i64, i64) = c
            .query_row(
                "SELECT prev_negative, prev_review_count FROM product_insights",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(prev, (4, 31));
        let month: (i64, i64, i64) = c
            .query_row(
                "SELECT rated, rating_sum, negative FROM product_months",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(month, (31, 124, 4));
        let nn: Option<i64> = c
            .query_row(
                "SELECT count_negative_neutral FROM product_issues",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(nn, None);
    }

    /// Migration 22 turns each product snapshot into a span: the view reads the same rows, one
    /// per product and run, and only the newest run's products stay open (current).
    #[test]
    fn snapshots_become_spans_with_the_same_rows() {
        let mut c = at_version(21);
        c.execute_batch(
            "INSERT INTO analysis_runs (id, started_at, status, analyzer, analyzer_version, taxonomy_version)
                 VALUES (1, 'a', 'ok', 'offline', '1', 1), (2, 'b', 'ok', 'offline', '1', 1),
                        (3, 'c', 'unchanged', 'offline', '1', 1), (4, 'd', 'ok', 'offline', '1', 1);
             INSERT INTO product_snapshots (asin, run_id, review_count, pct_positive, pct_negative,
                 detail, negative)
                 VALUES ('A1', 1, 3, 50.0, 10.0, 'a1', 1), ('A1', 2, 4, 50.0, 25.0, 'a2', 1),
                        ('A1', 4, 4, 50.0, 25.0, 'a2', 1), ('B1', 1, 2, 0.0, 50.0, 'b1', 1),
                        ('C1', 2, 1, 0.0, 0.0, 'c1', 0), ('C1', 4, 1, 0.0, 0.0, 'c1', 0);",
        )
        .unwrap();
        let rows = |c: &Connection| -> Vec<String> {
            let mut st = c
                .prepare(
                    "SELECT asin || ':' || run_id || ':' || review_count || ':' || detail
                     FROM product_snapshots ORDER BY asin, run_id",
                )
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let old = rows(&c);
        migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(rows(&c), old);
        let open: Vec<String> = c
            .prepare(
                "SELECT asin FROM product_snapshot_spans WHERE until_run IS NULL ORDER BY asin",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(open, ["A1", "C1"]);
    }
}
