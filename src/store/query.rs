//! Read queries shared by `report` (and the API): one place, so both always say the same thing.

use rusqlite::{params_from_iter, types::Value as SqlValue, OptionalExtension};
use serde::Serialize;

use super::views::{BrandSummary, HistoryPoint, MonthTrend, PortfolioMonth, ProductDetail, RunRow};
use super::Store;
use crate::error::{Error, Result};
use crate::model::{overall_sentiment, stars_text_disagree, IssueHit, Sentiment};

/// Filters for list queries; every value reaches SQL as a bound parameter.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Brands, matched ignoring case; empty: all.
    pub brands: Vec<String>,
    pub asin: Option<String>,
    pub min_reviews: Option<i64>,
    pub issue: Option<String>,
    pub limit: Option<i64>,
}

/// One review with its analysis, as `report reviews` prints it. In JSON its issues are
/// `{code, evidence}` objects, as the API's reviews.
#[derive(Serialize)]
pub struct ReviewOut {
    pub review_id: String,
    pub asin: String,
    pub brand: Option<String>,
    pub rating: Option<i64>,
    pub review_date: Option<String>,
    pub language: Option<String>,
    pub sentiment: Option<&'static str>,
    pub text_sentiment: Option<String>,
    pub text_score: Option<f64>,
    pub disagreement: bool,
    /// The same shape as the API's reviews: `{code, evidence}`.
    pub issues: Vec<IssueHit>,
    pub aspects: Vec<String>,
    pub title: Option<String>,
    #[serde(rename = "text")]
    pub body: Option<String>,
}

impl Store {
    /// The analyzer whose results are current: that of the newest successful run.
    pub fn current_analyzer(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT analyzer FROM analysis_runs WHERE status IN ('ok', 'unchanged')
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn reviews(&self, f: &Filter, mut out: impl FnMut(ReviewOut) -> Result<()>) -> Result<()> {
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut sql = String::from(
            "SELECT coalesce(r.source_review_id, r.review_key), r.asin, coalesce(p.brand, r.brand), r.rating,
                    r.review_date, t.language, t.text_sentiment, t.text_score, t.issues, t.aspects,
                    r.title, r.body
             FROM reviews r JOIN products p ON p.asin = r.asin
             LEFT JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE 1 = 1",
        );
        let mut args: Vec<SqlValue> = vec![analyzer.into()];
        if let Some(a) = &f.asin {
            args.push(a.clone().into());
            sql.push_str(&format!(" AND r.asin = ?{}", args.len()));
        }
        push_brands(
            &mut sql,
            &mut args,
            &self.brand_spellings(&f.brands)?,
            "p.brand",
        );
        if let Some(code) = &f.issue {
            args.push(format!("%\"code\":\"{code}\"%").into());
            sql.push_str(&format!(" AND t.issues LIKE ?{}", args.len()));
        }
        sql.push_str(" ORDER BY r.asin, r.review_date, r.id");
        if let Some(l) = f.limit {
            args.push(l.into());
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let rating: Option<i64> = r.get(3)?;
            let text_sentiment: Option<String> = r.get(6)?;
            let ts = text_sentiment.as_deref().and_then(Sentiment::parse);
            let stars = rating.map(|x| x.clamp(0, 5) as u8);
            let issues: Option<String> = r.get(8)?;
            let aspects: Option<String> = r.get(9)?;
            out(ReviewOut {
                review_id: r.get(0)?,
                asin: r.get(1)?,
                brand: r.get(2)?,
                rating,
                review_date: r.get(4)?,
                language: r.get(5)?,
                sentiment: (ts.is_some() || stars.is_some())
                    .then(|| overall_sentiment(stars, ts).as_str()),
                text_sentiment,
                text_score: r.get(7)?,
                disagreement: stars_text_disagree(stars, ts),
                issues: super::pages::parse_issues(issues.as_deref()),
                aspects: aspects
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_default(),
                title: r.get(10)?,
                body: r.get(11)?,
            })?;
        }
        Ok(())
    }

    /// The stored spelling of an ASIN given as is or in lower case, if the product exists. (Two
    /// primary-key probes; a case-insensitive comparison could not use the index.)
    pub fn canonical_asin(&self, asin: &str) -> Result<Option<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT asin FROM products WHERE asin = ?1")?;
        if let Some(a) = st.query_row([asin], |r| r.get(0)).optional()? {
            return Ok(Some(a));
        }
        let upper = asin.to_uppercase();
        if upper == asin {
            return Ok(None);
        }
        Ok(st.query_row([upper], |r| r.get(0)).optional()?)
    }

    /// Everything about one product: its insights, monthly trend, and one point per analysis run.
    pub fn product(&self, asin: &str) -> Result<ProductDetail> {
        let Some(asin) = self.canonical_asin(asin)? else {
            return Err(Error::NotFound(format!("no product {asin}")));
        };
        let row: Option<(String, Option<String>, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT d.detail, r.title, r.marketplace FROM product_details d
                 JOIN products r ON r.asin = d.asin WHERE d.asin = ?1",
            )?
            .query_row([&asin], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((detail, title, marketplace)) = row else {
            return Err(Error::NotFound(format!(
                "product {asin} has no insights yet; run `prodinsight analyze`"
            )));
        };
        let mut p: ProductDetail =
            serde_json::from_str(&detail).map_err(|source| Error::StoredInsights {
                asin: asin.clone(),
                source,
            })?;
        p.title = title;
        p.marketplace = marketplace;
        let mut st = self.conn.prepare_cached(
            "SELECT month, reviews, avg_rating, pct_negative, issues FROM product_months
             WHERE asin = ?1 ORDER BY month",
        )?;
        p.trend = st
            .query_map([&asin], |r| {
                let issues: String = r.get(4)?;
                Ok(MonthTrend {
                    month: r.get(0)?,
                    reviews: r.get(1)?,
                    avg_rating: r.get(2)?,
                    pct_negative: r.get(3)?,
                    issues: serde_json::from_str(&issues).ok(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT s.run_id, a.finished_at, s.review_count, s.avg_rating, s.pct_positive, s.pct_negative
             FROM product_snapshots s JOIN analysis_runs a ON a.id = s.run_id
             WHERE s.asin = ?1 ORDER BY s.run_id",
        )?;
        p.history = st
            .query_map([&asin], |r| {
                Ok(HistoryPoint {
                    run_id: r.get(0)?,
                    at: r.get(1)?,
                    review_count: r.get(2)?,
                    avg_rating: r.get(3)?,
                    pct_positive: r.get(4)?,
                    pct_negative: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(p)
    }

    /// Every brand (or the given ones), most reviewed first: the overview's roll-up.
    pub fn brands(&self, brands: &[String]) -> Result<Vec<BrandSummary>> {
        let q = super::pages::BrandQuery {
            brands: brands.to_vec(),
            ..Default::default()
        };
        Ok(self.brand_page(&q)?.items)
    }

    /// Issues ranked across the portfolio: reviews reporting each, and products affected.
    pub fn issues(&self, f: &Filter) -> Result<Vec<(String, i64, i64)>> {
        let mut sql = String::from(
            "SELECT i.code, sum(i.count), count(*) FROM product_issues i
             JOIN product_insights p ON p.asin = i.asin WHERE 1 = 1",
        );
        let mut args: Vec<SqlValue> = Vec::new();
        push_brands(
            &mut sql,
            &mut args,
            &self.brand_spellings(&f.brands)?,
            "p.brand",
        );
        sql.push_str(" GROUP BY i.code ORDER BY 2 DESC, 1");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn runs(&self) -> Result<Vec<RunRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, started_at, finished_at, status, analyzer, taxonomy_version, reviews_total,
                    reviews_analyzed, reviews_reused, products_updated, duration_ms, prompt_tokens,
                    completion_tokens, cost_usd, requests, reviews_fallback, cached_tokens, texts_failed
             FROM analysis_runs ORDER BY id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    status: r.get(3)?,
                    analyzer: r.get(4)?,
                    taxonomy_version: r.get(5)?,
                    reviews_total: r.get(6)?,
                    reviews_analyzed: r.get(7)?,
                    reviews_reused: r.get(8)?,
                    products_updated: r.get(9)?,
                    duration_ms: r.get(10)?,
                    prompt_tokens: r.get(11)?,
                    completion_tokens: r.get(12)?,
                    cost_usd: r.get(13)?,
                    requests: r.get(14)?,
                    reviews_fallback: r.get(15)?,
                    cached_tokens: r.get(16)?,
                    texts_failed: r.get(17)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

fn push_brands(sql: &mut String, args: &mut Vec<SqlValue>, brands: &[String], col: &str) {
    if brands.is_empty() {
        return;
    }
    let mut marks = Vec::new();
    for b in brands {
        args.push(b.clone().into());
        marks.push(format!("?{}", args.len()));
    }
    sql.push_str(&format!(" AND {col} IN ({})", marks.join(", ")));
}

impl Store {
    /// The portfolio by review month: reviews, average rating and % negative (brands: all if empty).
    pub fn portfolio_months(&self, brands: &[String]) -> Result<Vec<PortfolioMonth>> {
        let mut sql = String::from(
            "SELECT m.month, sum(m.reviews),
                    sum(m.avg_rating * m.reviews) / sum(CASE WHEN m.avg_rating IS NULL THEN 0 ELSE m.reviews END),
                    sum(m.pct_negative * m.reviews) / sum(m.reviews)
             FROM product_months m JOIN product_insights p ON p.asin = m.asin WHERE 1 = 1",
        );
        let mut args: Vec<SqlValue> = Vec::new();
        push_brands(
            &mut sql,
            &mut args,
            &self.brand_spellings(brands)?,
            "p.brand",
        );
        sql.push_str(" GROUP BY m.month ORDER BY m.month");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                let round = |x: Option<f64>, k: f64| x.map(|v| (v * k).round() / k);
                Ok(PortfolioMonth {
                    month: r.get(0)?,
                    reviews: r.get(1)?,
                    avg_rating: round(r.get(2)?, 100.0),
                    pct_negative: round(r.get(3)?, 10.0),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Reviews per star rating across the portfolio (index 0 = 1 star).
    pub fn rating_distribution(&self, brands: &[String]) -> Result<[i64; 5]> {
        let mut sql = String::from(
            "SELECT r.rating, count(*) FROM reviews r JOIN products p ON p.asin = r.asin
             WHERE r.rating IS NOT NULL",
        );
        let mut args: Vec<SqlValue> = Vec::new();
        push_brands(
            &mut sql,
            &mut args,
            &self.brand_spellings(brands)?,
            "p.brand",
        );
        sql.push_str(" GROUP BY r.rating");
        let mut st = self.conn.prepare(&sql)?;
        let mut out = [0i64; 5];
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let (stars, n): (i64, i64) = (r.get(0)?, r.get(1)?);
            if (1..=5).contains(&stars) {
                out[stars as usize - 1] = n;
            }
        }
        Ok(out)
    }
}
