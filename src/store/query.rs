//! Read queries shared by `report` (and the API): one place, so both always say the same thing.

use rusqlite::{params_from_iter, types::Value as SqlValue, OptionalExtension};
use serde::Serialize;

use std::collections::BTreeMap;

use super::views::{
    top_issues, BrandSummary, HistoryPoint, IssueSums, MonthTrend, PortfolioMonth, ProductDetail,
    RunRow,
};
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
    /// Reviews: retired ones too (the review history), not only the current ones.
    pub history: bool,
    /// Reviews: only those counting in this window (unset: all).
    pub window: super::windows::Window,
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
    /// The ingest run whose snapshot retired the review; None while it is current.
    pub retired_run: Option<i64>,
}

/// What a view of insights says before the first analysis run.
pub const NO_ANALYSIS: &str = "no analysis yet: run `prodinsight analyze` first";

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

    /// The current analyzer, or NotFound saying what to run: every view of insights needs one.
    pub fn require_analysis(&self) -> Result<String> {
        self.current_analyzer()?
            .ok_or_else(|| Error::NotFound(NO_ANALYSIS.into()))
    }

    pub fn reviews(&self, f: &Filter, mut out: impl FnMut(ReviewOut) -> Result<()>) -> Result<()> {
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut sql = String::from(
            "SELECT coalesce(r.source_review_id, r.review_key), r.asin, coalesce(p.brand, r.brand), r.rating,
                    r.review_date, t.language, t.text_sentiment, t.text_score, t.issues, t.aspects,
                    r.title, r.body, r.retired_run
             FROM reviews r JOIN products p ON p.asin = r.asin
             LEFT JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE 1 = 1",
        );
        if !f.history {
            sql.push_str(" AND r.retired_run IS NULL");
        }
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
        if f.window.is_set() {
            let cond = self.review_in_window(&f.window, &mut args)?;
            sql.push_str(&format!(" AND {cond}"));
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
                retired_run: r.get(12)?,
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

    /// Why a known product has no insights: not analyzed yet, or nothing of it counts any more.
    fn no_insights(&self, asin: &str) -> Result<Error> {
        // A product whose every review was retired or moved away has nothing to analyze.
        let counted: i64 = self.conn.query_row(
            "SELECT count(*) FROM reviews WHERE asin = ?1 AND retired_run IS NULL",
            [asin],
            |r| r.get(0),
        )?;
        Ok(Error::NotFound(match counted {
            0 => format!(
                "product {asin} has no reviews that count: each was retired by a snapshot \
                 or moved to another product"
            ),
            _ => format!("product {asin} has no insights yet; run `prodinsight analyze`"),
        }))
    }

    /// Everything about one product: its insights, monthly trend, and one point per analysis run.
    pub fn product(&self, asin: &str) -> Result<ProductDetail> {
        let labels = self.labels()?;
        let Some(asin) = self.canonical_asin(asin)? else {
            return Err(Error::NotFound(format!("no product {asin}")));
        };
        let (mut p, run_id) = self.stored_detail(&asin)?;
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
            "SELECT s.run_id, a.finished_at, s.review_count, s.avg_rating, s.pct_positive, s.pct_negative,
                    s.detail, a.topics
             FROM product_snapshots s JOIN analysis_runs a ON a.id = s.run_id
             WHERE s.asin = ?1 ORDER BY s.run_id",
        )?;
        let same = self.comparison()?;
        // Each snapshot's run and document, kept for the changes since the previous run.
        let mut snapshots: Vec<(i64, serde_json::Value)> = Vec::new();
        p.history = st
            .query_map([&asin], |r| {
                // The snapshot's issues: {"code": count} and (since issues are ranked by them)
                // {"code": negative or neutral reviews}; a damaged one loses the issues only.
                let detail: String = r.get(6)?;
                let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
                Ok((history_point(r, &detail, &same, &labels)?, detail))
            })?
            .map(|x| {
                x.map(|(h, d)| {
                    snapshots.push((h.run_id, d));
                    h
                })
            })
            .collect::<rusqlite::Result<_>>()?;
        let before = (snapshots.iter().rev())
            .find(|(run, _)| run_id.is_some_and(|now| *run < now))
            .map(|(_, d)| d);
        super::liked::set_changes(&mut p, before);
        p.summary = self.product_summary(&asin)?;
        Ok(p)
    }

    /// A product's stored document with its title, marketplace and current change (from its row),
    /// and the run of its insights.
    fn stored_detail(&self, asin: &str) -> Result<(ProductDetail, Option<i64>)> {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<f64>,
        );
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT d.detail, r.title, r.marketplace,
                        CASE WHEN i.asin IS NOT NULL
                             THEN (SELECT max(run_id) FROM product_snapshot_runs) END,
                        i.neg_delta
                 FROM product_details d JOIN products r ON r.asin = d.asin
                 LEFT JOIN product_insights i ON i.asin = d.asin
                 WHERE d.asin = ?1",
            )?
            .query_row([asin], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((detail, title, marketplace, run_id, neg_delta)) = row else {
            return Err(self.no_insights(asin)?);
        };
        let mut p: ProductDetail =
            serde_json::from_str(&detail).map_err(|source| Error::StoredInsights {
                asin: asin.to_string(),
                source,
            })?;
        p.title = title;
        p.marketplace = marketplace;
        // The stored document has no change since the previous run (documents written before
        // this have a stale one): the product's row is what a night keeps current.
        p.neg_delta = neg_delta;
        Ok((p, run_id))
    }

    /// Every brand (or the given ones), most reviewed first: the overview's roll-up.
    pub fn brands(&self, brands: &[String]) -> Result<Vec<BrandSummary>> {
        let q = super::pages::BrandQuery {
            brands: brands.to_vec(),
            ..Default::default()
        };
        Ok(self.brand_page(&q)?.items)
    }

    /// Issues across the portfolio (or the brands in `f`), ranked by the negative and neutral
    /// reviews reporting each, then all reviews reporting it, with the sums their star impact
    /// comes from. Rows stored before negative and neutral reviews were counted read as their
    /// count; an issue with rows stored before its rated reviews were counted has none (no impact).
    pub fn issues(&self, f: &Filter) -> Result<Vec<IssueSums>> {
        let brands = self.brand_spellings(&f.brands)?;
        let mut sql = String::from(
            "SELECT i.code, sum(i.count), count(*), sum(coalesce(i.count_negative_neutral, i.count)),
                    CASE WHEN count(i.rated_with) = count(*) THEN sum(i.rated_with) ELSE 0 END,
                    CASE WHEN count(i.rated_with) = count(*) THEN sum(i.rating_sum_with) ELSE 0 END
             FROM product_issues i
             JOIN product_insights p ON p.asin = i.asin WHERE 1 = 1",
        );
        let mut args: Vec<SqlValue> = Vec::new();
        push_brands(&mut sql, &mut args, &brands, "p.brand");
        sql.push_str(" GROUP BY i.code ORDER BY 4 DESC, 2 DESC, 1");
        let (rated_all, rating_sum_all) = self.rated_totals(&brands)?;
        let labels = self.labels()?;
        let mut st = self.conn.prepare(&sql)?;
        let rows = st
            .query_map(params_from_iter(args), |r| {
                let code: String = r.get(0)?;
                Ok(IssueSums {
                    label: Some(labels.label(&code)),
                    code,
                    reviews: r.get(1)?,
                    products: r.get(2)?,
                    negative_neutral: r.get(3)?,
                    rated_with: r.get(4)?,
                    rating_sum_with: r.get(5)?,
                    rated_all,
                    rating_sum_all,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Rated reviews and their stars summed over the products of `brands` (all if empty).
    fn rated_totals(&self, brands: &[String]) -> Result<(i64, i64)> {
        let mut sql = String::from(
            "SELECT coalesce(sum(p.rated_count), 0), coalesce(sum(p.rating_sum), 0)
             FROM product_insights p WHERE 1 = 1",
        );
        let mut args: Vec<SqlValue> = Vec::new();
        push_brands(&mut sql, &mut args, brands, "p.brand");
        Ok(self
            .conn
            .query_row(&sql, params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// The analysis runs that started on a day in the window (unset: all), oldest first.
    pub fn runs(&self, w: &super::windows::Window) -> Result<Vec<RunRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, started_at, finished_at, status, analyzer, taxonomy_version, reviews_total,
                    reviews_analyzed, reviews_reused, products_updated, duration_ms, prompt_tokens,
                    completion_tokens, cost_usd, requests, reviews_fallback, cached_tokens, texts_failed
             FROM analysis_runs WHERE substr(started_at, 1, 10) BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let (from, to) = w.bounds();
        let rows = st
            .query_map([from, to], |r| {
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
            .collect::<rusqlite::Result<Vec<RunRow>>>()?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.status = super::AnalyzeLock::shown_status(self.path(), r.status);
                r
            })
            .collect())
    }
}

pub(super) fn push_brands(
    sql: &mut String,
    args: &mut Vec<SqlValue>,
    brands: &[String],
    col: &str,
) {
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

/// One point of a product's history: the snapshot row `r` and its document `detail`; custom
/// codes only where that run defined them as today's.
fn history_point(
    r: &rusqlite::Row,
    detail: &serde_json::Value,
    same: &crate::topics::Comparison,
    labels: &crate::topics::Labels,
) -> rusqlite::Result<HistoryPoint> {
    let map = |key: &str| -> BTreeMap<String, i64> {
        serde_json::from_value(detail[key].clone()).unwrap_or_default()
    };
    let nn = map("issues_negative_neutral");
    let known = detail.get("issues_negative_neutral").is_some();
    let then: Option<String> = r.get(7)?;
    let issues = (map("issues").into_iter())
        .filter(|(code, _)| same.keeps(then.as_deref(), code))
        .map(|(code, count)| {
            let n = known.then(|| nn.get(&code).copied().unwrap_or(0));
            (code, count, n)
        })
        .collect();
    Ok(HistoryPoint {
        run_id: r.get(0)?,
        at: r.get(1)?,
        review_count: r.get(2)?,
        avg_rating: r.get(3)?,
        pct_positive: r.get(4)?,
        pct_negative: r.get(5)?,
        top_issues: top_issues(issues, labels),
    })
}

impl Store {
    /// The portfolio by review month: reviews, average rating and % negative (brands: all if empty).
    pub fn portfolio_months(&self, brands: &[String]) -> Result<Vec<PortfolioMonth>> {
        let mut sql = String::from(
            "SELECT m.month, sum(m.reviews), coalesce(sum(m.rated), 0), coalesce(sum(m.rating_sum), 0),
                    coalesce(sum(m.negative), 0)
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
                // Sums of counts, each figure rounded once (as a product's are).
                let reviews: i64 = r.get(1)?;
                let negative: i64 = r.get(4)?;
                Ok(PortfolioMonth {
                    month: r.get(0)?,
                    reviews,
                    avg_rating: crate::numbers::avg(r.get(3)?, r.get(2)?),
                    pct_negative: (reviews > 0).then(|| crate::numbers::pct(negative, reviews)),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Reviews per star rating across the portfolio (index 0 = 1 star).
    pub fn rating_distribution(&self, brands: &[String]) -> Result<[i64; 5]> {
        let mut sql = String::from(
            "SELECT r.rating, count(*) FROM reviews r JOIN products p ON p.asin = r.asin
             WHERE r.rating IS NOT NULL AND r.retired_run IS NULL",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextAnalysis;
    use crate::store::test_support::{product, review, TestDb};
    use serde_json::{json, Value};

    /// Two products with reviews; A01 in two runs, B01 only in the first.
    fn db() -> TestDb {
        let mut db = TestDb::new();
        let keyed = db.ingest(vec![
            review("A01", "Acme", Some(5), "fine"),
            review("A01", "Acme", Some(3), "it leaks"),
            review("A01", "Acme", None, "no stars, no result"),
            review("B01", "Bolt", Some(1), "broken"),
        ]);
        db.run(vec![
            product("A01", "Acme", 10, Some(4.0), 10.0, &[("leaks", 2)]),
            product(
                "B01",
                "Bolt",
                20,
                Some(2.0),
                40.0,
                &[("leaks", 1), ("defective", 5)],
            ),
        ]);
        let run = db.run(vec![
            product("A01", "Acme", 10, Some(4.0), 10.0, &[("leaks", 2)]),
            product(
                "B01",
                "Bolt",
                20,
                Some(2.0),
                40.0,
                &[("leaks", 1), ("defective", 5)],
            ),
        ]);
        let analysis = |sentiment, issues: &[&str]| TextAnalysis {
            language: Some("en".into()),
            sentiment,
            score: -0.5,
            issues: issues
                .iter()
                .map(|c| IssueHit {
                    code: c.to_string(),
                    evidence: "it leaks".into(),
                })
                .collect(),
            aspects: Vec::new(),
            liked: Vec::new(),
            names: Vec::new(),
        };
        let results = [
            (
                keyed[1].text_hash,
                analysis(Sentiment::Negative, &["leaks"]),
            ),
            (keyed[3].text_hash, analysis(Sentiment::Negative, &[])),
        ];
        db.store.put_text_results("offline", run, &results).unwrap();
        db
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn a_product_is_its_detail_with_title_trend_and_history() {
        let mut db = db();
        db.run(vec![product("A01", "Acme", 11, Some(4.0), 10.0, &[])]);
        let r = db.reader();
        let p = serde_json::to_value(r.product("a01").unwrap()).unwrap();
        // The stored document, then what reading adds.
        let k = keys(&p);
        assert_eq!(k[0], "asin");
        assert_eq!(
            k[k.len() - 4..],
            ["title", "marketplace", "trend", "history"]
        );
        assert_eq!(
            (p["title"].as_str(), p["marketplace"].as_str()),
            (Some("Title of A01"), Some("amazon.de"))
        );
        let trend = p["trend"].as_array().unwrap();
        assert_eq!(
            keys(&trend[0]),
            ["month", "reviews", "avg_rating", "pct_negative", "issues"]
        );
        let months: Vec<&str> = trend.iter().map(|m| m["month"].as_str().unwrap()).collect();
        assert_eq!(months, ["2024-04", "2024-05"]);
        assert_eq!(
            (trend[0]["avg_rating"].clone(), trend[0]["issues"].clone()),
            (Value::Null, json!({}))
        );
        let history = p["history"].as_array().unwrap();
        assert_eq!(
            keys(&history[0]),
            [
                "run_id",
                "at",
                "review_count",
                "avg_rating",
                "pct_positive",
                "pct_negative",
                "top_issues"
            ]
        );
        let counts: Vec<(i64, i64)> = history
            .iter()
            .map(|h| {
                (
                    h["run_id"].as_i64().unwrap(),
                    h["review_count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(counts, [(1, 10), (2, 10), (3, 11)]);
        // B01 is known but left the insights; ZZZ is not known at all.
        let err = r.product("B01").unwrap_err().to_string();
        assert!(err.contains("has no insights yet"), "{err}");
        assert!(matches!(r.product("ZZZ"), Err(Error::NotFound(m)) if m == "no product ZZZ"));
        assert_eq!(r.canonical_asin("a01").unwrap().as_deref(), Some("A01"));
        assert_eq!(r.canonical_asin("a0").unwrap(), None);
    }

    #[test]
    fn reviews_filter_and_say_what_stars_and_text_say() {
        let db = db();
        let r = db.reader();
        let list = |f: Filter| {
            let mut out = Vec::new();
            r.reviews(&f, |o| {
                out.push((o.body.unwrap(), o.sentiment, o.issues.len(), o.disagreement));
                Ok(())
            })
            .unwrap();
            out
        };
        let all = list(Filter::default());
        assert_eq!(all.len(), 4);
        let acme = list(Filter {
            brands: vec!["acme".into()],
            ..Default::default()
        });
        assert_eq!(
            acme,
            [
                ("fine".to_string(), Some("positive"), 0, false),
                ("it leaks".into(), Some("negative"), 1, false),
                ("no stars, no result".into(), None, 0, false)
            ]
        );
        let leaks = list(Filter {
            issue: Some("leaks".into()),
            ..Default::default()
        });
        assert_eq!(leaks.len(), 1);
        let one = list(Filter {
            asin: Some("B01".into()),
            limit: Some(1),
            ..Default::default()
        });
        assert_eq!(one[0].0, "broken");
        assert_eq!(
            list(Filter {
                limit: Some(2),
                ..Default::default()
            })
            .len(),
            2
        );
    }

    /// The portfolio's star impact sums the products' integers; an issue with a row stored before
    /// migration 11 (rated reviews unknown) has none rather than a partial one.
    #[test]
    fn issue_impact_sums_products_and_never_guesses_old_rows() {
        let db = db();
        db.store
            .conn
            .execute_batch(
                "UPDATE product_issues SET rated_with = 5, rating_sum_with = 5 WHERE code = 'defective';
                 UPDATE product_issues SET rated_with = 2, rating_sum_with = 6 WHERE asin = 'A01';
                 UPDATE product_issues SET rated_with = NULL, rating_sum_with = NULL
                     WHERE asin = 'B01' AND code = 'leaks';
                 UPDATE product_insights SET rated_count = 10, rating_sum = 40 WHERE asin = 'A01';
                 UPDATE product_insights SET rated_count = 20, rating_sum = 40 WHERE asin = 'B01';",
            )
            .unwrap();
        let r = db.reader();
        let sums = r.issues(&Filter::default()).unwrap();
        let defective = sums.iter().find(|i| i.code == "defective").unwrap();
        assert_eq!((defective.rated_with, defective.rating_sum_with), (5, 5));
        assert_eq!((defective.rated_all, defective.rating_sum_all), (30, 80));
        // B01's leaks row is as migration 11 left it (NULL): leaks has no impact.
        let leaks = sums.iter().find(|i| i.code == "leaks").unwrap();
        assert_eq!((leaks.rated_with, leaks.rating_sum_with), (0, 0));
        let row = super::super::views::IssueRow::new(defective.clone());
        // with 5/5 = 1.00, without 75/25 = 3.00; (3 − 1) × 5/30 = 0.333…
        assert_eq!(row.avg_rating_with, Some(1.0));
        assert_eq!(row.avg_rating_without, Some(3.0));
        assert_eq!(row.stars_gained, Some(0.33));
        assert_eq!(
            super::super::views::IssueRow::new(leaks.clone()).stars_gained,
            None
        );
    }

    #[test]
    fn portfolio_views_sum_over_products_and_brands() {
        let db = db();
        let r = db.reader();
        // Reviews reporting each issue, then products affected; most reported first.
        let issues: Vec<_> = (r.issues(&Filter::default()).unwrap().into_iter())
            .map(|i| (i.code, i.reviews, i.products, i.negative_neutral))
            .collect();
        assert_eq!(
            issues,
            [("defective".into(), 5, 1, 5), ("leaks".into(), 3, 2, 3)]
        );
        let bolt = Filter {
            brands: vec!["BOLT".into()],
            ..Default::default()
        };
        assert_eq!(r.issues(&bolt).unwrap().len(), 2);
        // From the months' counts (1 of 9 and 8 of 19 negative: 9 of 28); a month without ratings
        // has no average.
        let months = r.portfolio_months(&[]).unwrap();
        assert_eq!(
            serde_json::to_value(months).unwrap(),
            json!([
                {"month": "2024-04", "reviews": 2, "avg_rating": null, "pct_negative": 0.0},
                {"month": "2024-05", "reviews": 28, "avg_rating": 2.64, "pct_negative": 32.1}
            ])
        );
        assert_eq!(r.portfolio_months(&["acme".into()]).unwrap()[1].reviews, 9);
        assert_eq!(r.rating_distribution(&[]).unwrap(), [1, 0, 1, 0, 1]);
        assert_eq!(
            r.rating_distribution(&["Acme".into()]).unwrap(),
            [0, 0, 1, 0, 1]
        );
        let runs = serde_json::to_value(r.runs(&Default::default()).unwrap()).unwrap();
        let runs = runs.as_array().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(
            keys(&runs[0])[..4],
            ["id", "started_at", "finished_at", "status"]
        );
        assert_eq!(keys(&runs[0]).len(), 18);
        assert_eq!(runs[1]["status"], "ok");
        assert_eq!(r.current_analyzer().unwrap().as_deref(), Some("offline"));
        let brands = r.brands(&["bolt".into()]).unwrap();
        let brands: Vec<(&str, i64)> = brands
            .iter()
            .map(|b| (b.brand.as_str(), b.review_count))
            .collect();
        assert_eq!(brands, [("Bolt", 20)]);
    }
}
