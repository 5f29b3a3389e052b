//! The insights layer: analysis runs, per-text results, and the per-product / per-brand roll-ups.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{now_utc, Store, SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::model::{Hash, IssueHit, TextAnalysis, TextRow};

/// A review joined with its current analysis, as aggregation reads it.
pub struct ReviewRow {
    /// `reviews.id`, and the ingest run that first brought the review (new since a run: after its
    /// watermark).
    pub id: i64,
    pub first_run: i64,
    pub review_id: String,
    pub asin: String,
    pub brand: Option<String>,
    pub rating: Option<u8>,
    pub review_date: Option<String>,
    pub language: Option<String>,
    /// The review's marketplace, else its product's.
    pub marketplace: Option<String>,
    pub text_sentiment: Option<String>,
    pub text_score: Option<f64>,
    pub issues: Vec<IssueHit>,
    pub aspects: Vec<String>,
    /// Liked aspects as stored, JSON `[{"term","evidence"}]` (`LikedAspect`): parsed where they are
    /// counted, borrowing from this text, since nearly every term repeats across a product's reviews.
    pub liked: String,
    /// Words the review's text uses as names (`TextAnalysis::names`).
    pub names: Vec<String>,
}

/// What a finished run records.
#[derive(Debug, Default, Clone)]
pub struct RunCounts {
    pub reviews_total: i64,
    pub reviews_analyzed: i64,
    pub reviews_reused: i64,
    pub products_updated: i64,
    /// Texts the analyzer failed on (recorded in `text_failures`).
    pub texts_failed: i64,
}

/// What an LLM run used.
#[derive(Debug, Default, Clone)]
pub struct LlmUsage {
    pub requests: u64,
    pub fallback: u64,
    pub prompt_tokens: u64,
    pub cached_tokens: u64,
    pub completion_tokens: u64,
    pub cost_usd: f64,
}

/// One product's computed insights, ready to store.
pub struct ProductRow {
    pub asin: String,
    pub brand: Option<String>,
    pub review_count: i64,
    pub rated_count: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: f64,
    pub pct_neutral: f64,
    pub pct_negative: f64,
    pub neg_delta: Option<f64>,
    pub last_review_date: Option<String>,
    pub detail: String,
    pub snapshot: String,
    /// Ranked by the negative or neutral reviews reporting each, then the count.
    pub issues: Vec<IssueCount>,
    pub months: Vec<MonthRow>,
    /// The counts the figures above come from.
    pub counts: Counts,
    /// (negative reviews, reviews) at the previous run, for the exact change and the impact.
    pub previous: Option<(i64, i64)>,
    /// Counts per marketplace and per language, for the brand's.
    pub breakdowns: super::views::BreakdownCounts,
    /// Every liked aspect (names left out) with its reviews and quote, for the brand's.
    pub liked: Vec<(String, LikedSum)>,
    /// Its reviews as the run's alerts count them.
    pub alerts: Vec<super::rollups::AlertPart>,
}

/// A liked aspect's reviews and its quote: what brands and the portfolio sum.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LikedSum {
    pub count: i64,
    pub quote: Option<LikedQuote>,
}

/// One praising sentence with its review's stars and language.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LikedQuote {
    pub text: String,
    pub stars: Option<u8>,
    pub language: Option<String>,
}

impl LikedQuote {
    /// Whether the review's stars agree with its praise (or it has none).
    pub fn agrees(&self) -> bool {
        self.stars.is_none_or(|x| x >= 4)
    }
}

impl LikedSum {
    /// Whether `q` should replace the quote: there is none, or only `q` agrees with its stars.
    pub fn wants(&self, q: &LikedQuote) -> bool {
        self.quote
            .as_ref()
            .is_none_or(|c| !c.agrees() && q.agrees())
    }

    /// Adds `o`'s reviews, keeping the better quote.
    pub fn add(&mut self, o: &LikedSum) {
        self.count += o.count;
        if let Some(q) = &o.quote {
            if self.wants(q) {
                self.quote = Some(q.clone());
            }
        }
    }
}

/// One issue of a product: the reviews reporting it, and the rated ones among them with their
/// stars summed (what its star impact is computed from).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IssueCount {
    pub code: String,
    pub count: i64,
    /// Share of the product's reviews, in percent.
    pub share: f64,
    pub negative_neutral: i64,
    pub rated: i64,
    pub rating_sum: i64,
}

/// Reviews by overall label and the sum of the rated reviews' stars: what every share and average
/// is computed from, and what roll-ups add up.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
    pub rating_sum: i64,
}

/// One calendar month of a product's reviews (by review date).
#[derive(Debug, Clone, Default)]
pub struct MonthRow {
    pub month: String,
    pub reviews: i64,
    pub rated: i64,
    pub rating_sum: i64,
    pub negative: i64,
    pub avg_rating: Option<f64>,
    pub pct_negative: f64,
    /// JSON {"code": count}
    pub issues: String,
}

pub struct BrandRow {
    pub brand: String,
    pub products: i64,
    pub review_count: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: f64,
    pub pct_negative: f64,
    /// Negative reviews, for the exact change at the next run.
    pub negative: i64,
    pub detail: String,
    /// Counts per marketplace and per language, stored for the portfolio's.
    pub breakdowns: super::views::BreakdownCounts,
    /// Every liked aspect of its products, summed, stored for the portfolio's.
    pub liked: BTreeMap<String, LikedSum>,
}

/// A second, read-only connection: it reads a stable snapshot while the main one writes (WAL).
pub struct Reader {
    pub(super) conn: Connection,
}

impl Store {
    pub fn reader(&self) -> Result<Reader> {
        let conn = Connection::open_with_flags(
            self.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Db {
            path: self.path().to_path_buf(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Reader { conn })
    }

    /// The custom topics of the run the current insights come from (none before any run, or for
    /// a run without topics).
    pub fn current_topics(&self) -> Result<crate::topics::Topics> {
        // Cached: the API asks for every page of products (their issue labels); parsing and
        // planning it anew was 5 % of the server's CPU for a filtered list.
        let stored: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT topics FROM analysis_runs
                 WHERE status IN ('ok', 'unchanged') ORDER BY id DESC LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(stored
            .flatten()
            .and_then(|t| crate::topics::Topics::from_json(&t))
            .unwrap_or_default())
    }

    /// What counts of earlier runs compare with the current insights (`topics::Comparison`).
    pub fn comparison(&self) -> Result<crate::topics::Comparison> {
        Ok(crate::topics::Comparison::new(self.current_topics()?))
    }

    /// Issue labels as the current insights define them: built-in and custom.
    pub fn labels(&self) -> Result<crate::topics::Labels> {
        Ok(self.current_topics()?.labels())
    }

    /// The latest finished run of another key of `family` (the offline analyzer's version and the
    /// taxonomy's, with any topics): its key and the topics it used.
    pub fn sibling_run(
        &self,
        family: &str,
        key: &str,
    ) -> Result<Option<(i64, String, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, analyzer, topics FROM analysis_runs
                 WHERE status IN ('ok', 'unchanged') AND analyzer <> ?2
                   AND (analyzer = ?1 OR substr(analyzer, 1, length(?1) + 1) = ?1 || '+')
                 ORDER BY id DESC LIMIT 1",
                params![family, key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Copies the results of `from` to `to` (as run `run_id`'s) for texts in `langs`, in a
    /// language not among `read` (which topics never touch), and, with `unknown`, of no known
    /// language; a text that already has a result of `to` keeps it. Returns how many were copied.
    pub fn copy_text_results(
        &mut self,
        from: &str,
        to: &str,
        run_id: i64,
        langs: &[&str],
        read: &[&str],
        unknown: bool,
    ) -> Result<i64> {
        let list = |l: &[&str]| serde_json::to_string(l).unwrap_or_else(|_| "[]".into());
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO text_results (text_hash, analyzer, language, text_sentiment,
                 text_score, issues, aspects, run_id, fallback, liked)
             SELECT text_hash, ?2, language, text_sentiment, text_score, issues, aspects, ?3,
                 fallback, liked
             FROM text_results
             WHERE analyzer = ?1 AND fallback = 0
               AND (language IN (SELECT value FROM json_each(?4))
                    OR (language IS NOT NULL AND language NOT IN (SELECT value FROM json_each(?5)))
                    OR (?6 AND language IS NULL))",
            params![from, to, run_id, list(langs), list(read), unknown],
        )?;
        Ok(n as i64)
    }

    /// The topics document a run used (canonical JSON), if it used any.
    pub fn run_topics(&self, run_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT topics FROM analysis_runs WHERE id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Current reviews per language of their latest analysis, as the last roll-up counted them.
    pub fn review_languages(&self) -> Result<std::collections::BTreeMap<String, i64>> {
        let mut st = self.conn.prepare(
            "SELECT key, sum(reviews) FROM brand_breakdowns WHERE dimension = 'language' GROUP BY key",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The newest successful run of `analyzer`: (id, ingest watermark).
    /// The latest complete run of `analyzer` whose insights were written under today's schema: its id
    /// and ingest watermark. A run from before a migration does not count, so the first analyze after
    /// an upgrade rolls the insights up again (reusing every text result) and fills new tables.
    pub fn last_analysis(&self, analyzer: &str) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, ingest_watermark FROM analysis_runs
                 WHERE analyzer = ?1 AND status IN ('ok', 'unchanged') AND schema_version = ?2
                 ORDER BY id DESC LIMIT 1",
                params![analyzer, SCHEMA_VERSION],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn begin_analysis(&mut self, analyzer: &str, version: &str, taxonomy: u32) -> Result<i64> {
        self.begin_analysis_with(analyzer, version, taxonomy, None)
    }

    /// A new run, with the custom topics it uses (their canonical JSON), if any.
    pub fn begin_analysis_with(
        &mut self,
        analyzer: &str,
        version: &str,
        taxonomy: u32,
        topics: Option<&str>,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO analysis_runs
                 (started_at, status, analyzer, analyzer_version, taxonomy_version, topics, schema_version)
             VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6)",
            params![now_utc(), analyzer, version, taxonomy, topics, SCHEMA_VERSION],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_analysis(
        &mut self,
        run_id: i64,
        status: &str,
        watermark: i64,
        counts: &RunCounts,
        duration_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE analysis_runs SET finished_at = ?2, status = ?3, ingest_watermark = ?4,
                 reviews_total = ?5, reviews_analyzed = ?6, reviews_reused = ?7, products_updated = ?8,
                 duration_ms = ?9, texts_failed = ?10
             WHERE id = ?1",
            params![
                run_id,
                now_utc(),
                status,
                watermark,
                counts.reviews_total,
                counts.reviews_analyzed,
                counts.reviews_reused,
                counts.products_updated,
                duration_ms,
                counts.texts_failed
            ],
        )?;
        Ok(())
    }

    /// The newest analysis run, when it did not finish well: (id, status), the status
    /// 'interrupted' for one still marked running that no process holds the analyze lock for
    /// (killed, or stopped by an error that left it unrecorded, such as a full disk).
    pub fn unfinished_analysis(&self) -> Result<Option<(i64, String)>> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, status FROM analysis_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(last
            .map(|(id, status)| (id, super::AnalyzeLock::shown_status(self.path(), status)))
            .filter(|(_, status)| matches!(status.as_str(), "failed" | "interrupted")))
    }

    /// Runs still marked running whose process is gone: called under the analyze lock, so no live
    /// run can be among them. Marks them 'interrupted' (finished_at stays NULL: when they died is
    /// not known) and counts the text results they committed. Returns (run id, texts kept).
    pub fn mark_interrupted_runs(&mut self) -> Result<Vec<(i64, i64)>> {
        // Immediate, as it reads before it writes: see `prune_snapshots`.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids: Vec<i64> = tx
            .prepare("SELECT id FROM analysis_runs WHERE status = 'running' ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        if !ids.is_empty() {
            // One pass over text_results (it has no index by run) for all of them.
            let mut kept: std::collections::HashMap<i64, i64> = tx
                .prepare(
                    "SELECT run_id, count(*) FROM text_results
                     WHERE run_id IN (SELECT id FROM analysis_runs WHERE status = 'running')
                     GROUP BY run_id",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut st = tx.prepare(
                "UPDATE analysis_runs SET status = 'interrupted', reviews_analyzed = ?2 WHERE id = ?1",
            )?;
            for id in ids {
                let n = kept.remove(&id).unwrap_or(0);
                st.execute(params![id, n])?;
                out.push((id, n));
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Texts the analyzer failed on in this run: (text hash, what it said).
    pub fn put_text_failures(
        &mut self,
        analyzer: &str,
        run_id: i64,
        failures: &[(Hash, String)],
    ) -> Result<()> {
        if failures.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO text_failures (run_id, text_hash, analyzer, error)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (hash, error) in failures {
                st.execute(params![run_id, &hash[..], analyzer, error])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many texts the analyzer failed on in this run.
    pub fn text_failures(&self, run_id: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM text_failures WHERE run_id = ?1",
            [run_id],
            |r| r.get(0),
        )?)
    }

    /// Names a review for each of the run's failed texts, so a person can find it. One pass over
    /// the reviews for all of them (there is no index by text hash).
    pub fn name_failed_reviews(&mut self, run_id: i64) -> Result<Vec<(String, String)>> {
        self.conn.execute(
            "UPDATE text_failures SET review_id = r.rid
             FROM (SELECT text_hash, min(coalesce(source_review_id, review_key)) AS rid FROM reviews
                   WHERE text_hash IN (SELECT text_hash FROM text_failures WHERE run_id = ?1)
                   GROUP BY text_hash) AS r
             WHERE text_failures.run_id = ?1 AND text_failures.text_hash = r.text_hash",
            [run_id],
        )?;
        let rows = self
            .conn
            .prepare(
                "SELECT coalesce(review_id, hex(text_hash)), error FROM text_failures
                 WHERE run_id = ?1 ORDER BY review_id LIMIT 5",
            )?
            .query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Stores one chunk of per-text results in one transaction.
    pub fn put_text_results(
        &mut self,
        analyzer: &str,
        run_id: i64,
        results: &[(Hash, TextAnalysis)],
    ) -> Result<()> {
        self.put_text_results_from(analyzer, run_id, results.iter().map(|(h, a)| (h, a, false)))
    }

    /// The same, with a flag per result: true when the offline analyzer stood in for a failed LLM.
    pub fn put_text_results_from<'a>(
        &mut self,
        analyzer: &str,
        run_id: i64,
        results: impl IntoIterator<Item = (&'a Hash, &'a TextAnalysis, bool)>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO text_results (text_hash, analyzer, language, text_sentiment,
                     text_score, issues, aspects, run_id, fallback, liked, names)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for (hash, a, fallback) in results {
                let issues = serde_json::to_string(&a.issues).unwrap_or_else(|_| "[]".into());
                let aspects = serde_json::to_string(&a.aspects).unwrap_or_else(|_| "[]".into());
                let liked = serde_json::to_string(&a.liked).unwrap_or_else(|_| "[]".into());
                let names = serde_json::to_string(&a.names).unwrap_or_else(|_| "[]".into());
                st.execute(params![
                    &hash[..],
                    analyzer,
                    a.language,
                    a.sentiment.as_str(),
                    a.score.clamp(-1.0, 1.0),
                    issues,
                    aspects,
                    run_id,
                    fallback,
                    liked,
                    names
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many of `analyzer`'s results are the offline analyzer's, standing in for a failed LLM.
    pub fn fallback_results(&self, analyzer: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM text_results WHERE analyzer = ?1 AND fallback = 1",
            [analyzer],
            |r| r.get(0),
        )?)
    }

    /// An LLM run's bookkeeping: requests, fallbacks, tokens and estimated cost.
    pub fn record_llm_usage(&mut self, run_id: i64, u: &LlmUsage) -> Result<()> {
        self.conn.execute(
            "UPDATE analysis_runs SET requests = ?2, reviews_fallback = ?3, prompt_tokens = ?4,
                 cached_tokens = ?5, completion_tokens = ?6, cost_usd = ?7
             WHERE id = ?1",
            params![
                run_id,
                u.requests as i64,
                u.fallback as i64,
                u.prompt_tokens as i64,
                u.cached_tokens as i64,
                u.completion_tokens as i64,
                u.cost_usd
            ],
        )?;
        Ok(())
    }

    /// (negative reviews, reviews) of every product as of the last run, for the change since then.
    pub fn previous_negative(&self) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        self.previous_counts("SELECT asin, negative, review_count FROM product_insights")
    }

    /// The same for the products of `asins` only (those with insights).
    pub fn previous_negative_of(
        &self,
        asins: &[String],
    ) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT negative, review_count FROM product_insights WHERE asin = ?1",
        )?;
        let mut out = std::collections::HashMap::with_capacity(asins.len());
        for a in asins {
            let row = st
                .query_row([a], |r| {
                    let negative: Option<i64> = r.get(0)?;
                    Ok((negative.unwrap_or(0), r.get(1)?))
                })
                .optional()?;
            if let Some(row) = row {
                out.insert(a.clone(), row);
            }
        }
        Ok(out)
    }

    /// The same for every brand.
    pub fn previous_brand_negative(&self) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        self.previous_counts("SELECT brand, negative, review_count FROM brand_insights")
    }

    fn previous_counts(&self, sql: &str) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st
            .query_map([], |r| {
                let negative: Option<i64> = r.get(1)?;
                Ok((r.get(0)?, (negative.unwrap_or(0), r.get(2)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Replaces the current insights with this run's, and appends the run's snapshots, atomically.
    pub fn put_insights(
        &mut self,
        run_id: i64,
        products: &[ProductRow],
        brands: &[BrandRow],
    ) -> Result<()> {
        let w = self.insights_writer(run_id)?;
        w.put_products(products)?;
        w.finish(brands)
    }

    /// A writer that takes a run's product rows as the roll-up produces them, so that they need
    /// not all be held in memory (at millions of reviews they were the largest part of
    /// analyze's memory). Nothing is visible until `finish` commits.
    pub fn insights_writer(&mut self, run_id: i64) -> Result<InsightsWriter<'_>> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM product_insights; DELETE FROM product_details; DELETE FROM product_issues;
             DELETE FROM product_months; DELETE FROM product_rollups;
             DELETE FROM brand_insights; DELETE FROM brand_breakdowns; DELETE FROM brand_liked;",
        )?;
        // Every product's snapshot is written again: the current ones end here.
        tx.execute(
            "UPDATE product_snapshot_spans SET until_run = ?1 WHERE until_run IS NULL",
            [run_id],
        )?;
        snapshot_run(&tx, run_id)?;
        Ok(InsightsWriter {
            tx,
            run_id,
            keeping: false,
            day_deltas: Default::default(),
            brand_slices: Default::default(),
        })
    }

    /// A writer that keeps the products' rows (`InsightsWriter::keep_unchanged` says which go)
    /// and replaces the brands'.
    pub fn insights_writer_keeping(&mut self, run_id: i64) -> Result<InsightsWriter<'_>> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM brand_insights; DELETE FROM brand_breakdowns; DELETE FROM brand_liked;",
        )?;
        snapshot_run(&tx, run_id)?;
        Ok(InsightsWriter {
            tx,
            run_id,
            keeping: true,
            day_deltas: Default::default(),
            brand_slices: Default::default(),
        })
    }
}

/// Marks `run_id` as a run with snapshots: every product whose snapshot span is open (current)
/// has one of this run, without a row of its own.
fn snapshot_run(tx: &Connection, run_id: i64) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO product_snapshot_runs (run_id) VALUES (?1)",
        [run_id],
    )?;
    Ok(())
}

/// One run's insights being written: the current rows replaced and the snapshots appended in one
/// transaction (readers keep seeing the previous run's until it commits).
pub struct InsightsWriter<'a> {
    pub(super) tx: rusqlite::Transaction<'a>,
    pub(super) run_id: i64,
    /// Whether the run keeps the products it does not roll up (an incremental night).
    keeping: bool,
    /// On a night, what the rolled-up products change in their brands' days (`days_in` adds it).
    pub(super) day_deltas: std::cell::RefCell<super::day_deltas::DayDeltas>,
    /// On a full run, each brand's slices per day, summed as products are written
    /// (`put_brand_days` writes them).
    pub(super) brand_slices: std::cell::RefCell<super::window_days::BrandSlices>,
}

impl InsightsWriter<'_> {
    pub fn put_products(&self, products: &[ProductRow]) -> Result<()> {
        put_products(&self.tx, self.run_id, products)
    }

    /// Writes the brands and commits.
    pub fn finish(self, brands: &[BrandRow]) -> Result<()> {
        put_brands(&self.tx, self.run_id, brands)?;
        put_breakdowns(&self.tx, brands)?;
        put_liked(&self.tx, brands)?;
        // Fresh statistics let SQLite choose good plans for the filters the API and reports run.
        // ANALYZE reads every row of both tables and their indexes: a night that kept most
        // products keeps the statistics while the number of products is within a tenth of theirs.
        if !(self.keeping && self.stats_current()?) {
            self.tx
                .execute_batch("ANALYZE product_insights; ANALYZE product_issues;")?;
        }
        self.tx.commit()?;
        Ok(())
    }

    /// Whether the stored statistics of `product_insights` counted within a tenth of its rows.
    fn stats_current(&self) -> Result<bool> {
        let analyzed: bool = self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
            [],
            |r| r.get(0),
        )?;
        if !analyzed {
            return Ok(false);
        }
        let stat: Option<String> = self
            .tx
            .query_row(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'product_insights' AND idx IS NOT NULL
                 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(counted) = stat.and_then(|s| s.split(' ').next()?.parse::<i64>().ok()) else {
            return Ok(false);
        };
        let rows: i64 = self
            .tx
            .query_row("SELECT count(*) FROM product_insights", [], |r| r.get(0))?;
        Ok((rows - counted).abs() * 10 <= counted)
    }
}

/// Each product's current rows (insights, detail, issues, months) and its snapshot for the run.
fn put_products(tx: &Connection, run_id: i64, products: &[ProductRow]) -> Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO product_insights (asin, brand, review_count, rated_count, avg_rating,
                     pct_positive, pct_neutral, pct_negative, neg_delta, last_review_date, top_issues,
                     positive, neutral, negative, rating_sum, prev_negative, prev_review_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut det =
        tx.prepare_cached("INSERT INTO product_details (asin, detail) VALUES (?1, ?2)")?;
    let mut snap = tx.prepare_cached(
        "INSERT OR REPLACE INTO product_snapshot_spans (asin, from_run, until_run, review_count,
                     avg_rating, pct_positive, pct_negative, detail, negative)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut iss = tx.prepare_cached(
        "INSERT INTO product_issues (asin, code, count, share, review_count, avg_rating,
                     pct_negative, neg_delta, count_negative_neutral, rated_with, rating_sum_with)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for p in products {
        ins.execute(params![
            p.asin,
            p.brand,
            p.review_count,
            p.rated_count,
            p.avg_rating,
            p.pct_positive,
            p.pct_neutral,
            p.pct_negative,
            p.neg_delta,
            p.last_review_date,
            top_issues_json(&p.issues),
            p.counts.positive,
            p.counts.neutral,
            p.counts.negative,
            p.counts.rating_sum,
            p.previous.map(|x| x.0),
            p.previous.map(|x| x.1)
        ])?;
        det.execute(params![p.asin, p.detail])?;
        snap.execute(params![
            p.asin,
            run_id,
            p.review_count,
            p.avg_rating,
            p.pct_positive,
            p.pct_negative,
            p.snapshot,
            p.counts.negative
        ])?;
        for i in &p.issues {
            // The issue's rows carry their product's sort keys, for the (code, sort) indexes.
            iss.execute(params![
                p.asin,
                i.code,
                i.count,
                i.share,
                p.review_count,
                p.avg_rating,
                p.pct_negative,
                p.neg_delta,
                i.negative_neutral,
                i.rated,
                i.rating_sum
            ])?;
        }
    }
    put_months(tx, products)?;
    super::rollups::put_states(tx, products)
}

/// Each brand's counts per marketplace and per language.
fn put_breakdowns(tx: &Connection, brands: &[BrandRow]) -> Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO brand_breakdowns (brand, dimension, key, reviews, rated, rating_sum,
                     negative, issues)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for p in brands {
        let b = &p.breakdowns;
        for (dimension, slices) in [("marketplace", &b.marketplace), ("language", &b.language)] {
            for (key, c) in slices {
                let issues = serde_json::to_string(&c.issues).unwrap_or_else(|_| "{}".into());
                st.execute(params![
                    p.brand,
                    dimension,
                    key,
                    c.reviews,
                    c.rated,
                    c.rating_sum,
                    c.negative,
                    issues
                ])?;
            }
        }
    }
    Ok(())
}

/// Each brand's liked aspects.
fn put_liked(tx: &Connection, brands: &[BrandRow]) -> Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO brand_liked (brand, term, reviews, quote, quote_stars, quote_language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for b in brands {
        for (term, l) in &b.liked {
            let q = l.quote.as_ref();
            st.execute(params![
                b.brand,
                term,
                l.count,
                q.map(|q| &q.text),
                q.and_then(|q| q.stars),
                q.and_then(|q| q.language.as_ref())
            ])?;
        }
    }
    Ok(())
}

/// Each product's months (by review date).
fn put_months(tx: &Connection, products: &[ProductRow]) -> Result<()> {
    let mut mon = tx.prepare_cached(
        "INSERT INTO product_months (asin, month, reviews, avg_rating, pct_negative, issues, rated,
                     rating_sum, negative)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for p in products {
        for m in &p.months {
            mon.execute(params![
                p.asin,
                m.month,
                m.reviews,
                m.avg_rating,
                m.pct_negative,
                m.issues,
                m.rated,
                m.rating_sum,
                m.negative
            ])?;
        }
    }
    Ok(())
}

/// Each brand's current row and its snapshot for the run.
fn put_brands(tx: &Connection, run_id: i64, brands: &[BrandRow]) -> Result<()> {
    let mut b_ins = tx.prepare_cached(
        "INSERT INTO brand_insights (brand, run_id, products, review_count, avg_rating,
                     pct_positive, pct_negative, detail, negative)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut b_snap = tx.prepare_cached(
        "INSERT OR REPLACE INTO brand_snapshots (brand, run_id, review_count, avg_rating,
                     pct_negative, detail, negative) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for b in brands {
        b_ins.execute(params![
            b.brand,
            run_id,
            b.products,
            b.review_count,
            b.avg_rating,
            b.pct_positive,
            b.pct_negative,
            b.detail,
            b.negative
        ])?;
        b_snap.execute(params![
            b.brand,
            run_id,
            b.review_count,
            b.avg_rating,
            b.pct_negative,
            b.detail,
            b.negative
        ])?;
    }
    Ok(())
}

/// The first few issues as the list shows them; `issues` is already ranked. Issues only positive
/// reviews mention are no top issue.
fn top_issues_json(issues: &[IssueCount]) -> String {
    let top: Vec<serde_json::Value> = issues
        .iter()
        .filter(|i| i.negative_neutral > 0)
        .take(super::TOP_ISSUES_IN_LIST)
        .map(|i| serde_json::json!({"code": i.code, "count": i.count, "share": i.share}))
        .collect();
    serde_json::Value::Array(top).to_string()
}

impl Reader {
    /// Texts without a result from `analyzer` (every text when `full`), in chunks. A result the
    /// offline analyzer stood in with (`fallback`) does not count: the LLM gets the text again.
    pub fn texts_to_analyze(
        &self,
        analyzer: &str,
        full: bool,
        chunk: usize,
        f: impl FnMut(Vec<(Hash, Option<String>, Option<String>)>) -> Result<()>,
    ) -> Result<()> {
        self.texts_to_analyze_since(analyzer, full, None, chunk, f)
    }

    /// The same; with `since` (an ingest run), only the texts of reviews new or changed after it
    /// (by the index on `last_changed_run`): when every other review is known to have a result.
    pub fn texts_to_analyze_since(
        &self,
        analyzer: &str,
        full: bool,
        since: Option<i64>,
        chunk: usize,
        mut f: impl FnMut(Vec<(Hash, Option<String>, Option<String>)>) -> Result<()>,
    ) -> Result<()> {
        self.rated_texts_to_analyze(analyzer, full, since, chunk, |rows| {
            f(rows
                .into_iter()
                .map(|r| (r.hash, r.title, r.body))
                .collect())
        })
    }

    /// The same, with a star rating of each text's reviews: the offline analyzer reads a text in
    /// the light of its stars, and the text hash includes their bucket (`model::text_hash`), so
    /// every review of a group has one.
    pub fn rated_texts_to_analyze(
        &self,
        analyzer: &str,
        full: bool,
        since: Option<i64>,
        chunk: usize,
        mut f: impl FnMut(Vec<TextRow>) -> Result<()>,
    ) -> Result<()> {
        // One row per distinct text (the same text on another review: one result serves both).
        // SQLite groups with its sorter, which spills to a temporary file (the reader's default
        // temp_store), so memory does not grow with the number of texts as a set of seen hashes
        // did. Any row of a group serves: the hash is of the title, body and star bucket.
        let sql = match (full, since) {
            (true, _) => {
                "SELECT r.text_hash, r.title, r.body, r.rating FROM reviews r
                 WHERE ?1 IS NOT NULL AND ?2 IS NULL AND r.retired_run IS NULL
                 GROUP BY r.text_hash"
            }
            (false, None) => {
                "SELECT r.text_hash, r.title, r.body, r.rating FROM reviews r
                 WHERE ?2 IS NULL AND r.retired_run IS NULL
                   AND NOT EXISTS (SELECT 1 FROM text_results t
                                   WHERE t.text_hash = r.text_hash AND t.analyzer = ?1
                                     AND t.fallback = 0)
                 GROUP BY r.text_hash"
            }
            (false, Some(_)) => {
                "SELECT r.text_hash, r.title, r.body, r.rating FROM reviews r
                 WHERE r.last_changed_run > ?2 AND r.retired_run IS NULL
                   AND NOT EXISTS (SELECT 1 FROM text_results t
                                   WHERE t.text_hash = r.text_hash AND t.analyzer = ?1
                                     AND t.fallback = 0)
                 GROUP BY r.text_hash"
            }
        };
        let mut st = self.conn.prepare(sql)?;
        let mut rows = st.query(params![analyzer, since])?;
        let mut buf = Vec::with_capacity(chunk);
        while let Some(r) = rows.next()? {
            let h: Vec<u8> = r.get(0)?;
            let Ok(hash) = <Hash>::try_from(h.as_slice()) else {
                continue;
            };
            buf.push(TextRow {
                hash,
                title: r.get(1)?,
                body: r.get(2)?,
                rating: r.get(3)?,
            });
            if buf.len() == chunk {
                f(std::mem::replace(&mut buf, Vec::with_capacity(chunk)))?;
            }
        }
        if !buf.is_empty() {
            f(buf)?;
        }
        Ok(())
    }

    pub fn review_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            // Retired ones by their partial index: a filter on the column read every row.
            "SELECT (SELECT count(*) FROM reviews)
                  - (SELECT count(*) FROM reviews WHERE retired_run IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Every review with its result from `analyzer`, grouped by product (ordered by ASIN); with
    /// `only` (ASINs in order), only those products' reviews, in the same order. Reviews as they
    /// stood at ingest run `seen` (the run's watermark): an ingest that committed while the run
    /// analyzed its texts (new reviews without results, reviews it retired) is the next run's.
    pub fn reviews_by_product(
        &self,
        (analyzer, seen): (&str, i64),
        only: Option<&[String]>,
        mut f: impl FnMut(ReviewRow) -> Result<()>,
    ) -> Result<()> {
        let Some(asins) = only else {
            let mut st = self
                .conn
                .prepare(&format!("{ROLLUP_SELECT} ORDER BY r.asin"))?;
            let mut rows = st.query(params![analyzer, seen])?;
            while let Some(r) = rows.next()? {
                f(review_row(r)?)?;
            }
            return Ok(());
        };
        // One product at a time by the ASIN index: its reviews in id order, as the full scan
        // of the same index gives them.
        let mut st = self
            .conn
            .prepare(&format!("{ROLLUP_SELECT} AND r.asin = ?3 ORDER BY r.id"))?;
        for asin in asins {
            let mut rows = st.query(params![analyzer, seen, asin])?;
            while let Some(r) = rows.next()? {
                f(review_row(r)?)?;
            }
        }
        Ok(())
    }
}

/// What the roll-up reads of each review. Every column of `reviews` here is in the `reviews_asin`
/// index (migration 27), so the read walks that index in order and never the table.
const ROLLUP_SELECT: &str =
    "SELECT coalesce(r.source_review_id, r.review_key), r.asin, coalesce(p.brand, r.brand),
            r.rating, r.review_date, t.language, t.text_sentiment, t.text_score, t.issues, t.aspects,
            r.id, r.first_run, t.liked, coalesce(r.marketplace, p.marketplace), t.names
     FROM reviews r
     JOIN products p ON p.asin = r.asin
     LEFT JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
     WHERE r.first_run <= ?2 AND (r.retired_run IS NULL OR r.retired_run > ?2)";

fn review_row(r: &rusqlite::Row) -> Result<ReviewRow> {
    let issues: Option<String> = r.get(8)?;
    let aspects: Option<String> = r.get(9)?;
    let liked: Option<String> = r.get(12)?;
    let names: Option<String> = r.get(14)?;
    Ok(ReviewRow {
        id: r.get(10)?,
        first_run: r.get(11)?,
        review_id: r.get(0)?,
        asin: r.get(1)?,
        brand: r.get(2)?,
        rating: r.get::<_, Option<i64>>(3)?.map(|x| x.clamp(0, 5) as u8),
        review_date: r.get(4)?,
        language: r.get(5)?,
        marketplace: r.get(13)?,
        text_sentiment: r.get(6)?,
        text_score: r.get(7)?,
        issues: issues
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
        aspects: aspects
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
        liked: liked.unwrap_or_default(),
        names: names
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default(),
    })
}

/// A Batch API job as recorded.
pub struct PendingBatch {
    pub batch_id: String,
    /// custom_id → the text hashes of its reviews, in the order sent.
    pub items: std::collections::HashMap<String, Vec<Hash>>,
}

impl Store {
    pub fn record_batch(
        &mut self,
        batch_id: &str,
        analyzer: &str,
        input_file_id: &str,
        status: &str,
        items: &std::collections::HashMap<String, Vec<Hash>>,
    ) -> Result<()> {
        let as_hex: std::collections::HashMap<&String, Vec<String>> = items
            .iter()
            .map(|(k, v)| (k, v.iter().map(hex::encode).collect()))
            .collect();
        let reviews: usize = items.values().map(Vec::len).sum();
        self.conn.execute(
            "INSERT INTO llm_batches (batch_id, analyzer, input_file_id, submitted_at, status,
                 requests, reviews, items)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                batch_id,
                analyzer,
                input_file_id,
                now_utc(),
                status,
                items.len() as i64,
                reviews as i64,
                serde_json::to_string(&as_hex).unwrap_or_else(|_| "{}".into())
            ],
        )?;
        Ok(())
    }

    /// Batches of `analyzer` not collected yet (nor given up on).
    pub fn pending_batches(&self, analyzer: &str) -> Result<Vec<PendingBatch>> {
        let mut st = self.conn.prepare(
            "SELECT batch_id, items FROM llm_batches
             WHERE analyzer = ?1 AND status NOT IN ('collected', 'failed', 'expired', 'cancelled')
             ORDER BY id",
        )?;
        let rows = st
            .query_map([analyzer], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(batch_id, items)| {
                let raw: std::collections::HashMap<String, Vec<String>> =
                    serde_json::from_str(&items).unwrap_or_default();
                let items = raw
                    .into_iter()
                    .map(|(k, v)| {
                        let hashes = v
                            .iter()
                            .filter_map(|h| hex::decode(h).ok())
                            .filter_map(|b| <Hash>::try_from(b.as_slice()).ok())
                            .collect();
                        (k, hashes)
                    })
                    .collect();
                PendingBatch { batch_id, items }
            })
            .collect())
    }

    pub fn set_batch_status(&mut self, batch_id: &str, status: &str) -> Result<()> {
        let collected = (status == "collected").then(now_utc);
        self.conn.execute(
            "UPDATE llm_batches SET status = ?2, collected_at = coalesce(?3, collected_at)
             WHERE batch_id = ?1",
            params![batch_id, status, collected],
        )?;
        Ok(())
    }
}

impl Store {
    /// Whether a text was in a batch of `analyzer` that was already collected.
    pub fn batch_contains(&self, analyzer: &str, hash: &Hash) -> Result<bool> {
        let pattern = format!("%\"{}\"%", hex::encode(hash));
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM llm_batches WHERE analyzer = ?1 AND status = 'collected' AND items LIKE ?2",
            )?
            .exists(params![analyzer, pattern])?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::{product, review, TestDb};

    fn rows(db: &TestDb, sql: &str) -> Vec<String> {
        let mut st = db.store.conn.prepare(sql).unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// The roll-up's reads, of every product and of one, walk the covering ASIN index in order:
    /// reading each review's row from the table was a random page read per review.
    #[test]
    fn the_rollups_reads_never_touch_the_reviews_table() {
        let db = TestDb::new();
        for order in [" ORDER BY r.asin", " AND r.asin = ?3 ORDER BY r.id"] {
            let sql = format!("EXPLAIN QUERY PLAN {}{order}", super::ROLLUP_SELECT);
            let mut st = db.store.conn.prepare(&sql).unwrap();
            let values = ["offline", "1", "A01"];
            let bound = rusqlite::params_from_iter(&values[..st.parameter_count()]);
            let plan: Vec<String> = st
                .query_map(bound, |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let scan = plan.iter().find(|l| l.contains(" r ")).unwrap();
            assert!(scan.contains("COVERING INDEX reviews_asin"), "{plan:?}");
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
        }
    }

    #[test]
    fn insights_are_replaced_and_snapshots_appended() {
        let mut db = TestDb::new();
        db.run(vec![
            product("A01", "Acme", 10, Some(4.0), 10.0, &[("leaks", 2)]),
            product("B01", "Bolt", 10, Some(4.0), 10.0, &[("smell", 1)]),
        ]);
        db.run(vec![product(
            "A01",
            "Acme",
            12,
            None,
            25.0,
            &[("battery", 3)],
        )]);
        let current = "SELECT asin || ':' || review_count FROM product_insights";
        assert_eq!(rows(&db, current), ["A01:12"]);
        let run = "SELECT 'run ' || max(run_id) FROM product_snapshot_runs";
        assert_eq!(rows(&db, run), ["run 2"]);
        assert_eq!(rows(&db, "SELECT asin FROM product_details"), ["A01"]);
        // An issue row carries its product's sort keys (for the (code, sort) indexes).
        let issues = "SELECT asin || ':' || code || ':' || count || ':' || review_count || ':'
                      || coalesce(avg_rating, 'null') || ':' || pct_negative FROM product_issues";
        assert_eq!(rows(&db, issues), ["A01:battery:3:12:null:25.0"]);
        assert_eq!(
            rows(
                &db,
                "SELECT asin || ':' || month FROM product_months ORDER BY month"
            ),
            ["A01:2024-04", "A01:2024-05"]
        );
        assert_eq!(rows(&db, "SELECT brand FROM brand_insights"), ["Acme"]);
        let snaps = "SELECT asin || ':' || run_id || ':' || review_count FROM product_snapshots
                     ORDER BY run_id, asin";
        assert_eq!(rows(&db, snaps), ["A01:1:10", "B01:1:10", "A01:2:12"]);
        let brand_snaps =
            "SELECT brand || ':' || run_id FROM brand_snapshots ORDER BY run_id, brand";
        assert_eq!(rows(&db, brand_snaps), ["Acme:1", "Bolt:1", "Acme:2"]);
        let prev = db.store.previous_negative().unwrap();
        assert_eq!(
            prev.into_iter().collect::<Vec<_>>(),
            [("A01".to_string(), (3, 12))]
        );
    }

    #[test]
    fn lists_carry_the_first_three_issues() {
        let mut db = TestDb::new();
        let issues = [("leaks", 9), ("smell", 1), ("battery", 5), ("quality", 3)];
        db.run(vec![product("A01", "Acme", 10, Some(4.0), 10.0, &issues)]);
        let top = rows(&db, "SELECT top_issues FROM product_insights");
        let top: serde_json::Value = serde_json::from_str(&top[0]).unwrap();
        assert_eq!(
            top,
            serde_json::json!([
                {"code": "leaks", "count": 9, "share": 90.0},
                {"code": "battery", "count": 5, "share": 50.0},
                {"code": "quality", "count": 3, "share": 30.0}
            ])
        );
    }

    #[test]
    fn each_text_is_offered_once_and_fallback_results_again() {
        let mut db = TestDb::new();
        let keyed = db.ingest(vec![
            review("A01", "Acme", Some(5), "same text"),
            review("A02", "Acme", Some(4), "same text"),
            review("A01", "Acme", Some(1), "other text"),
        ]);
        let texts = |db: &TestDb, full: bool| {
            let mut out = Vec::new();
            let reader = db.store.reader().unwrap();
            reader
                .texts_to_analyze("llm", full, 1, |chunk| {
                    out.extend(chunk.into_iter().map(|(_, _, body)| body.unwrap()));
                    Ok(())
                })
                .unwrap();
            out.sort();
            out
        };
        assert_eq!(texts(&db, false), ["other text", "same text"]);
        let analysis = crate::model::TextAnalysis {
            language: None,
            sentiment: crate::model::Sentiment::Positive,
            score: 2.0,
            issues: Vec::new(),
            aspects: Vec::new(),
            liked: Vec::new(),
            names: Vec::new(),
        };
        let results = [
            (&keyed[0].text_hash, &analysis, false),
            (&keyed[2].text_hash, &analysis, true),
        ];
        let run = db.store.begin_analysis("llm", "test", 1).unwrap();
        db.store.put_text_results_from("llm", run, results).unwrap();
        // The offline analyzer stood in for the second: the LLM gets it again.
        assert_eq!(texts(&db, false), ["other text"]);
        assert_eq!(texts(&db, true), ["other text", "same text"]);
        assert_eq!(db.store.fallback_results("llm").unwrap(), 1);
        let score = "SELECT CAST(max(text_score) AS TEXT) FROM text_results";
        assert_eq!(rows(&db, score), ["1.0"]); // clamped
    }
}
