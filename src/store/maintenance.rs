//! Operations on the database as a whole: a consistent copy (`backup`) and a health check (`check`).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{migrate, SCHEMA_VERSION};
use crate::error::{Error, Result};

/// What `check` found. `problems` empty means healthy.
#[derive(Debug, Serialize)]
pub struct Health {
    pub database: String,
    pub size_bytes: u64,
    pub schema_version: i64,
    pub schema_supported: i64,
    /// `ok`, or the first problems SQLite's integrity check reports.
    pub integrity: Vec<String>,
    pub foreign_key_violations: i64,
    pub counts: Counts,
    pub last_ingest: Option<RunSummary>,
    pub last_analysis: Option<RunSummary>,
    /// Reviews ingested after the last successful analysis (its watermark): `analyze` has work.
    pub reviews_not_analyzed: i64,
    /// What the data costs on disk, by table.
    pub space: Space,
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize, Default)]
pub struct Counts {
    pub reviews: i64,
    pub products: i64,
    pub brands: i64,
    pub ingest_runs: i64,
    pub analysis_runs: i64,
    pub rejected_records: i64,
    pub text_failures: i64,
}

#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// The most integrity-check lines kept: one is enough to know, a few help to see how bad it is.
const INTEGRITY_LINES: i64 = 20;

/// Writes a consistent copy of `db` to `dest` with `VACUUM INTO`: one read transaction, so writers
/// (`ingest`, `analyze`) go on while it runs and the copy is the database as of its start, compacted.
/// The copy is written beside `dest` under a temporary name and renamed only when complete and
/// checked, so `dest` is never a half-written file.
pub fn backup(db: &Path, dest: &Path) -> Result<u64> {
    let conn = open_source(db)?;
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".prodinsight-backup-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("cannot write in {}", dir.display()), e))?
        .into_temp_path();
    // VACUUM INTO wants a file that does not exist (or is empty): the reserved name is reused.
    std::fs::remove_file(&tmp).map_err(|e| Error::io(tmp.display().to_string(), e))?;
    let target = tmp.to_str().ok_or_else(|| {
        Error::Usage(format!("{}: the backup path must be UTF-8", dest.display()))
    })?;
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|source| Error::Db {
            path: db.to_path_buf(),
            source,
        })?;
    verify_copy(&tmp).map_err(|e| super::named(e, dest))?;
    let size = std::fs::metadata(&tmp).map_or(0, |m| m.len());
    tmp.persist(dest)
        .map_err(|e| Error::io(format!("cannot write {}", dest.display()), e.error))?;
    Ok(size)
}

/// The copy opens, passes a quick check and has the schema version of the source.
fn verify_copy(path: &Path) -> Result<()> {
    super::configure_sqlite();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let ok: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(Error::Reported(format!(
            "the backup failed its check ({ok}); nothing was written"
        )));
    }
    Ok(())
}

/// Opens an existing database read-only without migrating it: an old or damaged database must be
/// checkable and copyable as it is.
fn open_source(db: &Path) -> Result<Connection> {
    if !db.exists() {
        return Err(Error::NotFound(format!(
            "database {} does not exist",
            db.display()
        )));
    }
    super::open_read_connection(db)
}

/// Everything `check` reports, read in one read transaction (a consistent picture while writers run).
pub fn check(db: &Path, quick: bool) -> Result<Health> {
    read_health(db, quick).map_err(|e| super::named(e, db))
}

fn read_health(db: &Path, quick: bool) -> Result<Health> {
    let mut conn = open_source(db)?;
    let tx = conn.transaction()?;
    let c = &*tx;
    let schema_version = migrate::user_version(c)?;
    let integrity = integrity(c, quick)?;
    let foreign_key_violations =
        c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    let known = (1..=SCHEMA_VERSION).contains(&schema_version);
    let counts = if known { counts(c)? } else { Counts::default() };
    let last_ingest = if known {
        last_run(c, "ingest_runs")?.map(|mut r| {
            let status = std::mem::take(&mut r.status);
            r.status = super::raw::IngestLock::shown_status(db, status, r.finished_at.is_some());
            r
        })
    } else {
        None
    };
    let last_analysis = if known {
        last_run(c, "analysis_runs")?.map(|mut r| {
            r.status = super::AnalyzeLock::shown_status(db, r.status);
            r
        })
    } else {
        None
    };
    let reviews_not_analyzed = if known { not_analyzed(c)? } else { 0 };
    let space = if known {
        space(c, counts.reviews)?
    } else {
        Space::default()
    };
    let mut health = Health {
        database: db.display().to_string(),
        size_bytes: std::fs::metadata(db).map_or(0, |m| m.len()),
        schema_version,
        schema_supported: SCHEMA_VERSION,
        integrity,
        foreign_key_violations,
        counts,
        last_ingest,
        last_analysis,
        reviews_not_analyzed,
        space,
        problems: Vec::new(),
    };
    health.problems = problems(&health);
    Ok(health)
}

fn integrity(c: &Connection, quick: bool) -> Result<Vec<String>> {
    let pragma = if quick {
        "quick_check"
    } else {
        "integrity_check"
    };
    let mut stmt = c.prepare(&format!("PRAGMA {pragma}({INTEGRITY_LINES})"))?;
    let lines = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines)
}

fn counts(c: &Connection) -> Result<Counts> {
    let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(Counts {
        reviews: n("SELECT count(*) FROM reviews")?,
        products: n("SELECT count(*) FROM products")?,
        brands: n("SELECT count(DISTINCT brand) FROM products WHERE brand IS NOT NULL")?,
        ingest_runs: n("SELECT count(*) FROM ingest_runs")?,
        analysis_runs: n("SELECT count(*) FROM analysis_runs")?,
        rejected_records: n("SELECT count(*) FROM rejected_records")?,
        text_failures: n("SELECT count(*) FROM text_failures")?,
    })
}

fn last_run(c: &Connection, table: &str) -> Result<Option<RunSummary>> {
    use rusqlite::OptionalExtension;
    // `table` is one of two names fixed in this file, never input.
    let sql =
        format!("SELECT id, status, started_at, finished_at FROM {table} ORDER BY id DESC LIMIT 1");
    Ok(c.query_row(&sql, [], |r| {
        Ok(RunSummary {
            id: r.get(0)?,
            status: r.get(1)?,
            started_at: r.get(2)?,
            finished_at: r.get(3)?,
        })
    })
    .optional()?)
}

fn not_analyzed(c: &Connection) -> Result<i64> {
    Ok(c.query_row(
        "SELECT count(*) FROM reviews WHERE last_changed_run > coalesce(
             (SELECT max(ingest_watermark) FROM analysis_runs WHERE status IN ('ok', 'unchanged')), 0)",
        [],
        |r| r.get(0),
    )?)
}

/// What makes the database unhealthy: damage, a schema this binary cannot use, broken references.
/// An analysis that has not caught up yet, or a failed run in the history, is reported but is no
/// problem: the next `analyze` handles it.
fn problems(h: &Health) -> Vec<String> {
    let mut p = Vec::new();
    if h.integrity.first().map(String::as_str) != Some("ok") {
        p.push(format!(
            "integrity check failed: {}",
            h.integrity.join("; ")
        ));
    }
    if h.schema_version > h.schema_supported {
        p.push(format!(
            "schema version {} is newer than this prodinsight supports ({})",
            h.schema_version, h.schema_supported
        ));
    } else if h.schema_version < 1 {
        p.push("not a prodinsight database (schema version 0)".into());
    } else if h.schema_version < h.schema_supported {
        p.push(format!(
            "schema version {} is older than {}: run `prodinsight ingest` or `analyze` once to upgrade",
            h.schema_version, h.schema_supported
        ));
    }
    if h.foreign_key_violations > 0 {
        p.push(format!(
            "{} rows reference rows that do not exist",
            h.foreign_key_violations
        ));
    }
    p
}

/// What `/metrics` reports about the data, read in one go.
#[derive(Debug, Default)]
pub struct DataFacts {
    pub size_bytes: u64,
    pub reviews: i64,
    pub products: i64,
    pub brands: i64,
    /// RFC 3339 times of the last successful ingest and analysis.
    pub last_ingest: Option<String>,
    pub last_analysis: Option<String>,
    pub last_run: Option<RunCounts>,
}

/// The last finished analysis run's counts.
#[derive(Debug, Default)]
pub struct RunCounts {
    pub reviews_analyzed: i64,
    pub reviews_fallback: i64,
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_usd: f64,
    pub duration_ms: i64,
}

impl super::Store {
    pub fn data_facts(&self) -> Result<DataFacts> {
        use rusqlite::OptionalExtension;
        let c = &self.conn;
        let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
        let last_run = c
            .query_row(
                "SELECT reviews_analyzed, reviews_fallback, requests, prompt_tokens,
                        completion_tokens, cost_usd, coalesce(duration_ms, 0)
                 FROM analysis_runs WHERE status IN ('ok', 'unchanged') ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(RunCounts {
                        reviews_analyzed: r.get(0)?,
                        reviews_fallback: r.get(1)?,
                        requests: r.get(2)?,
                        prompt_tokens: r.get(3)?,
                        completion_tokens: r.get(4)?,
                        cost_usd: r.get(5)?,
                        duration_ms: r.get(6)?,
                    })
                },
            )
            .optional()?;
        let time = |sql: &str| c.query_row(sql, [], |r| r.get::<_, Option<String>>(0));
        Ok(DataFacts {
            size_bytes: std::fs::metadata(self.path()).map_or(0, |m| m.len()),
            reviews: n("SELECT count(*) FROM reviews WHERE retired_run IS NULL")?,
            products: n("SELECT count(*) FROM products")?,
            brands: n("SELECT count(DISTINCT brand) FROM products WHERE brand IS NOT NULL")?,
            last_ingest: time("SELECT max(finished_at) FROM ingest_runs WHERE status = 'ok'")?,
            last_analysis: time(
                "SELECT max(finished_at) FROM analysis_runs WHERE status IN ('ok', 'unchanged')",
            )?,
            last_run,
        })
    }
}

/// Bytes on disk: per table (its indexes included), and the parts retention and `VACUUM` act on.
#[derive(Debug, Default, Serialize)]
pub struct Space {
    /// Pages in use, free pages excluded.
    pub used_bytes: i64,
    /// Free pages: what `VACUUM` gives back to the file system.
    pub free_bytes: i64,
    pub bytes_per_review: Option<i64>,
    /// Per-run snapshots (product and brand): what `prune --keep-runs` removes.
    pub snapshot_bytes: i64,
    pub snapshot_runs: i64,
    /// Earlier versions of edited reviews.
    pub version_bytes: i64,
    /// Largest first.
    pub tables: Vec<TableSpace>,
}

#[derive(Debug, Serialize)]
pub struct TableSpace {
    pub table: String,
    pub bytes: i64,
}

/// Space by table from SQLite's dbstat (one pass over the pages, read-only).
fn space(c: &Connection, reviews: i64) -> Result<Space> {
    let mut st = c.prepare(
        "SELECT coalesce(s.tbl_name, d.name), sum(d.pgsize) FROM dbstat('main', 1) d
         LEFT JOIN sqlite_schema s ON s.name = d.name
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    let tables = st
        .query_map([], |r| {
            Ok(TableSpace {
                table: r.get(0)?,
                bytes: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let of = |names: &[&str]| -> i64 {
        (tables.iter())
            .filter(|t| names.contains(&t.table.as_str()))
            .map(|t| t.bytes)
            .sum()
    };
    let used_bytes = tables.iter().map(|t| t.bytes).sum();
    let free_bytes = c.query_row(
        "SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size",
        [],
        |r| r.get(0),
    )?;
    Ok(Space {
        used_bytes,
        free_bytes,
        bytes_per_review: (reviews > 0).then(|| used_bytes / reviews),
        snapshot_bytes: of(&[
            "product_snapshot_spans",
            "product_snapshot_runs",
            "brand_snapshots",
        ]),
        snapshot_runs: c.query_row(
            "SELECT count(*) FROM (SELECT DISTINCT run_id FROM brand_snapshots)",
            [],
            |r| r.get(0),
        )?,
        version_bytes: of(&["review_versions"]),
        tables,
    })
}

/// What `prune` removed: runs whose snapshots went, and the rows.
#[derive(Debug, Default)]
pub struct Pruned {
    pub runs: i64,
    pub product_rows: i64,
    pub brand_rows: i64,
}

impl super::Store {
    /// Deletes the per-run snapshots of all but the `keep` newest runs that have them. Kept as
    /// well: the last run of each calendar month (the run-by-run trend stays monthly) and the runs
    /// the kept runs' alerts compare with (`report changes` reads their snapshots).
    pub fn prune_snapshots(&mut self, keep: usize) -> Result<Pruned> {
        // Immediate: a deferred transaction that reads first cannot wait for a writer that commits
        // meanwhile (WAL answers "busy" at once), so `prune` beside an ingest failed every time.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.snapshot_runs; DROP TABLE IF EXISTS temp.kept_runs;
             CREATE TEMP TABLE snapshot_runs AS
               SELECT DISTINCT run_id AS id FROM brand_snapshots
               UNION SELECT r.run_id FROM product_snapshot_runs r WHERE EXISTS
                 (SELECT 1 FROM product_snapshots s WHERE s.run_id = r.run_id);
             CREATE TEMP TABLE kept_runs (id INTEGER PRIMARY KEY);",
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO temp.kept_runs
               SELECT id FROM (SELECT id FROM temp.snapshot_runs ORDER BY id DESC LIMIT ?1)",
            [keep as i64],
        )?;
        tx.execute_batch(
            "INSERT OR IGNORE INTO temp.kept_runs
               SELECT a.alert_base_run FROM analysis_runs a JOIN temp.kept_runs k ON k.id = a.id
               WHERE a.alert_base_run IS NOT NULL;
             INSERT OR IGNORE INTO temp.kept_runs
               SELECT max(r.id) FROM temp.snapshot_runs r JOIN analysis_runs a ON a.id = r.id
               GROUP BY substr(a.started_at, 1, 7);",
        )?;
        let runs = tx.query_row(
            "SELECT count(*) FROM temp.snapshot_runs WHERE id NOT IN (SELECT id FROM temp.kept_runs)",
            [],
            |r| r.get(0),
        )?;
        let product_rows = prune_spans(&tx)?;
        let brand_rows = tx.execute(
            "DELETE FROM brand_snapshots WHERE run_id NOT IN (SELECT id FROM temp.kept_runs)",
            [],
        )? as i64;
        tx.execute_batch("DROP TABLE temp.snapshot_runs; DROP TABLE temp.kept_runs;")?;
        tx.commit()?;
        Ok(Pruned {
            runs,
            product_rows,
            brand_rows,
        })
    }

    /// Rewrites the database without its free pages (needs as much free disk as the database).
    pub fn vacuum(&mut self) -> Result<()> {
        self.conn.execute_batch("VACUUM")?;
        Ok(())
    }
}

/// Drops the product snapshots of the runs not in `temp.kept_runs`: the runs leave the list of
/// snapshot runs, and the spans that then cover no run go. Returns the (product, run) rows gone.
fn prune_spans(tx: &Connection) -> Result<i64> {
    let rows = |tx: &Connection| -> Result<i64> {
        Ok(tx.query_row("SELECT count(*) FROM product_snapshots", [], |r| r.get(0))?)
    };
    let before = rows(tx)?;
    tx.execute_batch(
        "DELETE FROM product_snapshot_runs WHERE run_id NOT IN (SELECT id FROM temp.kept_runs);
         DELETE FROM product_snapshot_spans WHERE NOT EXISTS
           (SELECT 1 FROM product_snapshot_runs r WHERE r.run_id >= from_run
              AND (until_run IS NULL OR r.run_id < until_run));",
    )?;
    Ok(before - rows(tx)?)
}
