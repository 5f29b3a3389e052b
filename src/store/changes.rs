//! Alerts: what `analyze` decided got worse in a run (written once, with the run), and what
//! `report changes` and `/api/v1/changes` read back. Reading never decides anything, so a
//! nightly job that reads the latest run's alerts raises each change once.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::alert_rule::{change1, change_at_least, pct1, Count, RULE};
use crate::error::{Error, Result};
use crate::topics::Labels;

#[derive(Debug, Clone, Serialize)]
pub struct RunRef {
    pub id: i64,
    pub finished_at: Option<String>,
    /// `ok`, or `unchanged` (nothing new: no alerts).
    pub status: String,
}

/// A new review of the window, quoted as evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quote {
    pub asin: String,
    pub stars: Option<u8>,
    pub language: Option<String>,
    pub text: String,
}

/// A review to quote: its id and language, as `analyze` saw it.
#[derive(Debug, Clone)]
pub struct QuoteRef {
    pub review: i64,
    pub stars: Option<u8>,
    pub language: Option<String>,
}

/// An alert as `analyze` decides it.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub level: &'static str,
    pub scope: &'static str,
    pub kind: &'static str,
    pub asin: Option<String>,
    pub brand: Option<String>,
    pub issue: Option<String>,
    pub before: Count,
    pub after: Count,
    pub p_value: f64,
    pub quotes: Vec<QuoteRef>,
}

/// One thing that got worse, as reports and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// The analysis run that raised it, and the run it compares with.
    pub run_id: i64,
    pub base_run_id: i64,
    /// `product`, `brand` or `issue`.
    pub level: String,
    /// `product`, `brand` or `portfolio`: where the share is counted.
    pub scope: String,
    /// What it is about: the ASIN, the brand, or the issue code and its scope.
    pub subject: String,
    pub asin: Option<String>,
    pub brand: Option<String>,
    /// `negative_rose`, `issue_rose`, or `new_issue` (no review reported it before).
    pub kind: String,
    pub issue: Option<String>,
    pub label: Option<String>,
    /// % negative, or the issue's share of reviews (%), before and after, rounded half away from
    /// zero to 0.1; `change` = after − before from the exact values, rounded the same way.
    pub before: f64,
    pub after: f64,
    pub change: f64,
    pub reviews_before: i64,
    pub reviews_after: i64,
    /// The exact counts: k of n reviews before and after, and of the window's new reviews.
    pub before_k: i64,
    pub before_n: i64,
    pub after_k: i64,
    pub after_n: i64,
    pub new_k: i64,
    pub new_n: i64,
    /// One-sided Fisher exact test of the new reviews against the earlier ones.
    pub p_value: f64,
    pub evidence: String,
    /// Up to 3 of the window's new reviews behind it, lowest stars first.
    pub quotes: Vec<Quote>,
}

/// The rule the alerts were decided by.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOut {
    pub test: &'static str,
    pub confidence_pct: f64,
    pub min_change_points: f64,
    pub product_min_reviews: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// The run the alerts compare with; None when there is none (the first run, nothing new).
    pub base_run: Option<RunRef>,
    /// The latest analysis run (ok or unchanged).
    pub current_run: RunRef,
    /// The runs whose alerts are listed: the latest, or with `since` every run finished since.
    pub runs: Vec<i64>,
    pub threshold_points: f64,
    pub min_reviews: i64,
    /// Products now that the base run did not have.
    pub new_products: i64,
    pub rule: RuleOut,
    pub alerts: Vec<Alert>,
}

pub struct ChangeQuery {
    /// The alerts of every analysis run finished since this date (YYYY-MM-DD or RFC 3339) instead
    /// of the latest run's.
    pub since: Option<String>,
    /// With `since` or alone: only runs finished on or before this day (YYYY-MM-DD, UTC).
    pub until: Option<String>,
    /// Only alerts whose change is at least this many points (the rule's 5 is the floor).
    pub threshold_points: f64,
    /// Only product alerts of products with at least this many reviews now.
    pub min_reviews: i64,
    /// Brands, matched ignoring case; empty: all.
    pub brands: Vec<String>,
}

/// Longest quote kept, in characters.
const QUOTE_CHARS: usize = 280;

fn rule_out() -> RuleOut {
    RuleOut {
        test: "one-sided Fisher exact test of the run's new reviews against the earlier ones",
        confidence_pct: 100.0 * (1.0 - RULE.max_p),
        min_change_points: RULE.min_change_tenths as f64 / 10.0,
        product_min_reviews: RULE.product_min_reviews,
    }
}

/// A p-value as people read it: four decimals, or scientific when smaller.
fn p_text(p: f64) -> String {
    if p < 1e-300 {
        "< 1e-300".into()
    } else if p >= 0.0001 {
        format!("= {p:.4}")
    } else {
        format!("= {p:.1e}")
    }
}

/// An alert row as stored, read into what reports show.
fn alert_from_row(r: &rusqlite::Row, labels: &Labels) -> rusqlite::Result<Alert> {
    let (level, scope): (String, String) = (r.get(2)?, r.get(3)?);
    let (asin, mut brand, issue): (Option<String>, Option<String>, Option<String>) =
        (r.get(5)?, r.get(6)?, r.get(7)?);
    let before = Count {
        k: r.get(8)?,
        n: r.get(9)?,
    };
    let after = Count {
        k: r.get(10)?,
        n: r.get(11)?,
    };
    let p_value: f64 = r.get(12)?;
    let quotes: String = r.get(13)?;
    let (new_k, new_n) = (after.k - before.k, after.n - before.n);
    if scope == "portfolio" {
        brand = None;
    }
    Ok(Alert {
        run_id: r.get(0)?,
        base_run_id: r.get(1)?,
        subject: match (scope.as_str(), &issue) {
            ("portfolio", Some(code)) => format!("{code} in the portfolio"),
            ("brand", Some(code)) => format!("{code} in {}", brand.as_deref().unwrap_or("")),
            ("product", _) => asin.clone().unwrap_or_default(),
            _ => brand.clone().unwrap_or_default(),
        },
        label: issue.as_deref().map(|c| labels.label(c)),
        level,
        scope,
        asin,
        brand,
        kind: r.get(4)?,
        issue,
        before: pct1(before),
        after: pct1(after),
        change: change1(before, after),
        reviews_before: before.n,
        reviews_after: after.n,
        before_k: before.k,
        before_n: before.n,
        after_k: after.k,
        after_n: after.n,
        new_k,
        new_n,
        p_value,
        evidence: format!(
            "{new_k}/{new_n} new reviews vs {}/{} earlier: one-sided Fisher p {}",
            before.k,
            before.n,
            p_text(p_value)
        ),
        quotes: serde_json::from_str(&quotes).unwrap_or_default(),
    })
}

/// A quote's text: the body (or the title), at most `QUOTE_CHARS` characters.
fn quote_text(title: Option<String>, body: Option<String>) -> String {
    let text = body
        .filter(|b| !b.trim().is_empty())
        .or(title)
        .unwrap_or_default();
    let text = text.trim();
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

impl Store {
    /// The run a new analysis run's alerts compare with, and the ingest run it was current with:
    /// the last complete run (its watermark says which reviews it had seen).
    pub fn alert_base(&self) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, ingest_watermark FROM analysis_runs
                 WHERE status = 'ok' AND ingest_watermark > 0 ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Stores a run's alerts, in order, with their quotes' texts, and the run they compare with.
    pub fn put_alerts(
        &mut self,
        run_id: i64,
        base: Option<i64>,
        alerts: &[NewAlert],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE analysis_runs SET alert_base_run = ?2 WHERE id = ?1",
            params![run_id, base],
        )?;
        {
            let mut text =
                tx.prepare_cached("SELECT asin, title, body FROM reviews WHERE id = ?1")?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO alerts (run_id, seq, base_run_id, level, scope, kind, asin, brand, issue,
                     before_k, before_n, after_k, after_n, p_value, quotes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for (seq, a) in alerts.iter().enumerate() {
                let mut quotes = Vec::new();
                for q in &a.quotes {
                    let row: Option<(String, Option<String>, Option<String>)> = text
                        .query_row([q.review], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .optional()?;
                    if let Some((asin, title, body)) = row {
                        quotes.push(Quote {
                            asin,
                            stars: q.stars,
                            language: q.language.clone(),
                            text: quote_text(title, body),
                        });
                    }
                }
                ins.execute(params![
                    run_id,
                    seq as i64,
                    base.unwrap_or(run_id),
                    a.level,
                    a.scope,
                    a.kind,
                    a.asin,
                    a.brand,
                    a.issue,
                    a.before.k,
                    a.before.n,
                    a.after.k,
                    a.after.n,
                    a.p_value,
                    serde_json::to_string(&quotes).unwrap_or_else(|_| "[]".into()),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn run_ref(&self, id: i64) -> Result<RunRef> {
        let (finished_at, status) = self
            .conn
            .query_row(
                "SELECT finished_at, status FROM analysis_runs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, String::new()));
        Ok(RunRef {
            id,
            finished_at,
            status,
        })
    }

    /// The latest finished analysis run (ok, or unchanged: nothing new).
    fn latest_run(&self) -> Result<i64> {
        let id: Option<i64> = self.conn.query_row(
            "SELECT max(id) FROM analysis_runs WHERE status IN ('ok', 'unchanged')",
            [],
            |r| r.get(0),
        )?;
        id.ok_or_else(|| Error::NotFound(super::query::NO_ANALYSIS.into()))
    }

    /// The runs whose alerts to list: the latest, or every run finished since `since` (and on or
    /// before the day `until`).
    fn listed_runs(
        &self,
        latest: i64,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<i64>> {
        if since.is_none() && until.is_none() {
            return Ok(vec![latest]);
        }
        // Timestamps are RFC 3339 UTC, so text order is time order; a bare date means its start.
        let mut st = self.conn.prepare(
            "SELECT id FROM analysis_runs WHERE status IN ('ok', 'unchanged') AND finished_at >= ?1
               AND substr(finished_at, 1, 10) <= ?2
             ORDER BY id DESC",
        )?;
        let bounds = [since.unwrap_or(""), until.unwrap_or("9999-12-31")];
        let ids = st
            .query_map(bounds, |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    pub fn changes(&self, q: &ChangeQuery) -> Result<Changes> {
        let latest = self.latest_run()?;
        let runs = self.listed_runs(latest, q.since.as_deref(), q.until.as_deref())?;
        // The earliest listed run's base: what the listed alerts, together, compare with.
        let base: Option<i64> = match runs.last() {
            Some(first) => self.conn.query_row(
                "SELECT alert_base_run FROM analysis_runs WHERE id = ?1",
                [first],
                |r| r.get(0),
            )?,
            None => None,
        };
        let alerts = self.alerts_of(&runs, q)?;
        let new_products = match base {
            Some(b) => self.conn.query_row(
                "SELECT count(*) FROM product_insights p WHERE p.review_count >= ?2 AND NOT EXISTS
                   (SELECT 1 FROM product_snapshots s WHERE s.asin = p.asin AND s.run_id = ?1)",
                params![b, q.min_reviews],
                |r| r.get(0),
            )?,
            None => 0,
        };
        Ok(Changes {
            base_run: base.map(|b| self.run_ref(b)).transpose()?,
            current_run: self.run_ref(latest)?,
            runs,
            threshold_points: q.threshold_points,
            min_reviews: q.min_reviews,
            new_products,
            rule: rule_out(),
            alerts,
        })
    }

    /// The stored alerts of `runs` (newest run first, each in its order) that pass the query.
    fn alerts_of(&self, runs: &[i64], q: &ChangeQuery) -> Result<Vec<Alert>> {
        let brands = self.brand_spellings(&q.brands)?;
        let tenths = (q.threshold_points * 10.0).round() as i64;
        let mut st = self.conn.prepare_cached(
            "SELECT run_id, base_run_id, level, scope, kind, asin, brand, issue, before_k, before_n,
                    after_k, after_n, p_value, quotes
             FROM alerts WHERE run_id = ?1 ORDER BY seq",
        )?;
        let labels = self.labels()?;
        let mut out = Vec::new();
        for run in runs {
            for a in st.query_map([run], |r| alert_from_row(r, &labels))? {
                let a = a?;
                let before = Count {
                    k: a.before_k,
                    n: a.before_n,
                };
                let after = Count {
                    k: a.after_k,
                    n: a.after_n,
                };
                let brand_ok = brands.is_empty()
                    || (a.scope != "portfolio"
                        && a.brand.as_ref().is_some_and(|b| brands.contains(b)));
                let size_ok = a.level != "product" || a.after_n >= q.min_reviews;
                if brand_ok && size_ok && change_at_least(before, after, tenths) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }
}
