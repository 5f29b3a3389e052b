//! The portfolio's headline numbers: what `prodinsight report` and the dashboard open with.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, OptionalExtension};
use serde::Serialize;

use super::views::{top_issues, BrandPoint, BrandSummary};
use super::Store;
use crate::error::Result;
use crate::numbers::{pct, pct_delta};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PortfolioSummary {
    pub reviews: i64,
    pub products: i64,
    pub brands: i64,
    /// % of all reviews whose overall label is negative, from the products' counts.
    pub pct_negative: Option<f64>,
    /// `pct_negative` now minus the same at the previous analysis run, in points, from the exact
    /// shares.
    pub neg_delta: Option<f64>,
    /// The analysis run the current insights come from, and the one before it.
    pub run_id: Option<i64>,
    pub previous_run_id: Option<i64>,
    /// Reviews per language the current analyzer does not read (named, neutral, no issues).
    pub languages_not_analyzed: BTreeMap<String, i64>,
}

impl Store {
    pub fn portfolio_summary(&self) -> Result<PortfolioSummary> {
        let (reviews, products, brands, negative, run_id): (i64, i64, i64, i64, Option<i64>) =
            self.conn.query_row(
                "SELECT coalesce(sum(review_count), 0), count(*), count(DISTINCT brand),
                        coalesce(sum(negative), 0),
                        CASE WHEN count(*) > 0 THEN (SELECT max(run_id) FROM product_snapshot_runs) END
                 FROM product_insights",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
        // The previous run that left snapshots: a run with nothing new leaves none.
        let previous: Option<(i64, i64, i64)> = match run_id {
            None => None,
            Some(current) => self
                .conn
                .query_row(
                    "SELECT run_id, coalesce(sum(negative), 0), sum(review_count)
                     FROM product_snapshots
                     WHERE run_id = (SELECT max(r.run_id) FROM product_snapshot_runs r
                                     WHERE r.run_id < ?1 AND EXISTS
                                       (SELECT 1 FROM product_snapshots s WHERE s.run_id = r.run_id))
                     GROUP BY run_id",
                    [current],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?,
        };
        let now = (negative, reviews);
        let languages_not_analyzed = match self.current_analyzer()? {
            Some(key) => self.languages_not_analyzed(&key)?,
            None => BTreeMap::new(),
        };
        Ok(PortfolioSummary {
            languages_not_analyzed,
            reviews,
            products,
            brands,
            pct_negative: (reviews > 0).then(|| pct(negative, reviews)),
            neg_delta: pct_delta(now, previous.map(|p| (p.1, p.2))),
            run_id,
            previous_run_id: previous.map(|p| p.0),
        })
    }

    /// Each of `brands` (as stored) at every analysis run that rolled it up, oldest first.
    pub fn brand_history(&self, brands: &[String]) -> Result<HashMap<String, Vec<BrandPoint>>> {
        let mut out: HashMap<String, Vec<BrandPoint>> = HashMap::new();
        if brands.is_empty() {
            return Ok(out);
        }
        let labels = self.labels()?;
        let mut sql = String::from(
            "SELECT s.brand, s.run_id, a.finished_at, s.review_count, s.avg_rating, s.pct_negative,
                    s.detail, a.topics
             FROM brand_snapshots s JOIN analysis_runs a ON a.id = s.run_id WHERE 1 = 1",
        );
        let same = self.comparison()?;
        let mut args: Vec<SqlValue> = Vec::new();
        super::query::push_brands(&mut sql, &mut args, brands, "s.brand");
        sql.push_str(" ORDER BY s.brand, s.run_id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            // A damaged snapshot loses its issues, not the point.
            let detail: String = r.get(6)?;
            let then: Option<String> = r.get(7)?;
            let issues = serde_json::from_str::<BrandSummary>(&detail)
                .map(|b| {
                    (b.issues.into_iter())
                        .filter(|i| same.keeps(then.as_deref(), &i.code))
                        .map(|i| (i.code, i.count, i.count_negative_neutral))
                        .collect()
                })
                .unwrap_or_default();
            let point = BrandPoint {
                run_id: r.get(1)?,
                at: r.get(2)?,
                review_count: r.get(3)?,
                avg_rating: r.get(4)?,
                pct_negative: r.get(5)?,
                top_issues: top_issues(issues, &labels),
            };
            Ok((r.get::<_, String>(0)?, point))
        })?;
        for row in rows {
            let (brand, point) = row?;
            out.entry(brand).or_default().push(point);
        }
        Ok(out)
    }

    /// Reviews per language, by their results of the analyzer `key`, in the languages it does not
    /// read; empty for an analyzer that reads every language. From the last roll-up's language
    /// counts (a few rows per brand), as `analyze` prints them: joining every review with its
    /// result took 0.7 s of the overview's 0.9 s at 1M reviews.
    pub fn languages_not_analyzed(&self, key: &str) -> Result<BTreeMap<String, i64>> {
        Ok(crate::model::languages_not_read(
            key,
            &self.review_languages()?,
        ))
    }

    /// The brands whose products report issue `code`: reviews reporting it and products, most
    /// reviews first (ties by brand).
    pub fn issue_brands(&self, code: &str) -> Result<Vec<(Option<String>, i64, i64)>> {
        let mut st = self.conn.prepare(
            "SELECT p.brand, sum(i.count), count(*) FROM product_issues i
             JOIN product_insights p ON p.asin = i.asin
             WHERE i.code = ?1 GROUP BY p.brand ORDER BY 2 DESC, 1",
        )?;
        let rows = st.query_map([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Reviews reporting each issue at analysis run `run_id`, summed over that run's product
    /// snapshots (brands: all if empty, matched as the issue list matches them).
    /// Custom codes the run defined otherwise than the current insights are left out.
    pub fn issue_counts_at(&self, run_id: i64, brands: &[String]) -> Result<HashMap<String, i64>> {
        let mut sql = String::from(
            "SELECT j.key, sum(j.value) FROM product_snapshots s
             JOIN product_insights p ON p.asin = s.asin, json_each(s.detail, '$.issues') j
             WHERE s.run_id = ?1",
        );
        let mut args: Vec<SqlValue> = vec![run_id.into()];
        super::query::push_brands(
            &mut sql,
            &mut args,
            &self.brand_spellings(brands)?,
            "p.brand",
        );
        sql.push_str(" GROUP BY j.key");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut counts: HashMap<String, i64> = rows.collect::<rusqlite::Result<_>>()?;
        let (same, then) = (self.comparison()?, self.run_topics(run_id)?);
        counts.retain(|code, _| same.keeps(then.as_deref(), code));
        Ok(counts)
    }
}
