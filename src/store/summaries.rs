//! Product summaries written by the LLM (`analyze --summaries`), cached by their evidence's hash.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension};

use super::views::ProductSummaryText;
use super::Store;
use crate::error::Result;

impl Store {
    /// The products whose insights the next analysis run would change, so whose summary
    /// evidence may: every product with `full`; else those with a current review whose text has
    /// no result of `analyzer` yet (or only a stand-in), or with reviews ingested, changed or
    /// retired since the last successful run.
    pub fn products_to_reanalyze(&self, analyzer: &str, full: bool) -> Result<HashSet<String>> {
        let mut st = self.conn.prepare(
            "SELECT asin FROM products WHERE ?2
             UNION
             SELECT r.asin FROM reviews r
             WHERE r.retired_run IS NULL AND NOT EXISTS (SELECT 1 FROM text_results t
                   WHERE t.text_hash = r.text_hash AND t.analyzer = ?1 AND t.fallback = 0)
             UNION
             SELECT asin FROM reviews
             WHERE last_changed_run > ?3 OR coalesce(retired_run, 0) > ?3",
        )?;
        let watermark: i64 = self.conn.query_row(
            "SELECT coalesce(max(ingest_watermark), 0) FROM analysis_runs
             WHERE status IN ('ok', 'unchanged')",
            [],
            |r| r.get(0),
        )?;
        let rows = st
            .query_map(params![analyzer, full, watermark], |r| r.get(0))?
            .collect::<rusqlite::Result<HashSet<String>>>()?;
        Ok(rows)
    }

    /// Every product with insights, and the evidence hash of its stored summary (None: none yet).
    pub fn summary_hashes(&self) -> Result<Vec<(String, Option<String>)>> {
        let mut st = self.conn.prepare(
            "SELECT i.asin, s.evidence_hash FROM product_insights i
             LEFT JOIN product_summaries s ON s.asin = i.asin ORDER BY i.asin",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn put_summary(
        &self,
        asin: &str,
        hash: &str,
        summary: &str,
        model: &str,
        run_id: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO product_summaries (asin, evidence_hash, summary, model, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (asin) DO UPDATE SET evidence_hash = ?2, summary = ?3, model = ?4,
                 run_id = ?5",
            params![asin, hash, summary, model, run_id],
        )?;
        Ok(())
    }

    /// The stored summary of `asin`, if any.
    pub fn product_summary(&self, asin: &str) -> Result<Option<ProductSummaryText>> {
        let mut st = self.conn.prepare_cached(
            "SELECT summary, model, run_id FROM product_summaries WHERE asin = ?1",
        )?;
        Ok(st
            .query_row([asin], |r| {
                Ok(ProductSummaryText {
                    text: r.get(0)?,
                    model: r.get(1)?,
                    run_id: r.get(2)?,
                })
            })
            .optional()?)
    }
}
