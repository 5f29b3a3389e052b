//! What got worse: the current insights against the snapshots of an earlier analysis run.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::Store;
use crate::error::{Error, Result};
use crate::taxonomy;

#[derive(Debug, Clone, Serialize)]
pub struct RunRef {
    pub id: i64,
    pub finished_at: Option<String>,
}

/// One thing that got worse on one product.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub asin: String,
    pub brand: Option<String>,
    /// `negative_rose`, `issue_rose`, or `new_issue`.
    pub kind: &'static str,
    /// The issue code, for issue alerts.
    pub issue: Option<String>,
    pub label: Option<&'static str>,
    /// % negative, or the issue's share of reviews (%), then and now.
    pub before: f64,
    pub after: f64,
    /// after − before, in percentage points.
    pub change: f64,
    pub reviews_before: i64,
    pub reviews_after: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// None when there is no earlier run to compare with (the first run, or nothing before --since).
    pub base_run: Option<RunRef>,
    pub current_run: RunRef,
    pub threshold_points: f64,
    pub min_reviews: i64,
    /// Products in the current insights that the base run did not have.
    pub new_products: i64,
    pub alerts: Vec<Alert>,
}

pub struct ChangeQuery {
    /// Compare with the last run finished before this date (YYYY-MM-DD or RFC 3339) instead of the
    /// run before the current one.
    pub since: Option<String>,
    pub threshold_points: f64,
    pub min_reviews: i64,
    /// Brands, matched ignoring case; empty: all.
    pub brands: Vec<String>,
}

/// An issue alert needs at least this many reviews reporting it now: on a small product, two
/// reviews can move a share by ten points.
const MIN_ISSUE_REVIEWS: i64 = 3;

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A product as of the base run: its numbers and issue counts.
struct Then {
    reviews: i64,
    pct_negative: f64,
    issues: HashMap<String, i64>,
}

/// A product now, as the comparison reads it.
struct Now<'a> {
    asin: &'a str,
    brand: &'a Option<String>,
    reviews: i64,
    pct_negative: f64,
    /// (code, count) of the issues its reviews report now.
    issues: &'a [(String, i64)],
}

fn share(count: i64, of: i64) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * count as f64 / of as f64
    }
}

/// What got worse on one product between `then` and `now`, appended to `alerts`.
fn product_alerts(q: &ChangeQuery, then: &Then, now: &Now, alerts: &mut Vec<Alert>) {
    let alert = |kind, issue: Option<&str>, before: f64, after: f64| Alert {
        asin: now.asin.to_string(),
        brand: now.brand.clone(),
        kind,
        issue: issue.map(str::to_string),
        label: issue.map(taxonomy::label),
        before: round1(before),
        after: round1(after),
        change: round1(after - before),
        reviews_before: then.reviews,
        reviews_after: now.reviews,
    };
    if now.pct_negative - then.pct_negative >= q.threshold_points {
        alerts.push(alert(
            "negative_rose",
            None,
            then.pct_negative,
            now.pct_negative,
        ));
    }
    for (code, count) in now.issues {
        let before_count = then.issues.get(code).copied().unwrap_or(0);
        let (before, after) = (
            share(before_count, then.reviews),
            share(*count, now.reviews),
        );
        if after - before >= q.threshold_points && *count >= MIN_ISSUE_REVIEWS {
            let kind = if before_count == 0 {
                "new_issue"
            } else {
                "issue_rose"
            };
            alerts.push(alert(kind, Some(code), before, after));
        }
    }
}

impl Store {
    fn run_ref(&self, id: i64) -> Result<RunRef> {
        let finished_at = self
            .conn
            .query_row(
                "SELECT finished_at FROM analysis_runs WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(RunRef { id, finished_at })
    }

    pub fn changes(&self, q: &ChangeQuery) -> Result<Changes> {
        let current = self.current_insights_run()?;
        let Some(base) = self.base_run(current, q.since.as_deref())? else {
            // Not a failure: a nightly job's first run has nothing to compare with yet.
            return Ok(Changes {
                base_run: None,
                current_run: self.run_ref(current)?,
                threshold_points: q.threshold_points,
                min_reviews: q.min_reviews,
                new_products: 0,
                alerts: Vec::new(),
            });
        };
        let then = self.products_then(base)?;
        let (mut alerts, new_products) = self.alerts_since(q, &then)?;
        // Biggest changes first.
        alerts.sort_by(|a, b| {
            b.change
                .total_cmp(&a.change)
                .then_with(|| a.asin.cmp(&b.asin))
        });
        Ok(Changes {
            base_run: Some(self.run_ref(base)?),
            current_run: self.run_ref(current)?,
            threshold_points: q.threshold_points,
            min_reviews: q.min_reviews,
            new_products,
            alerts,
        })
    }

    /// The run the current insights come from.
    fn current_insights_run(&self) -> Result<i64> {
        let current: Option<i64> =
            self.conn
                .query_row("SELECT max(run_id) FROM product_insights", [], |r| r.get(0))?;
        current.ok_or_else(|| {
            Error::NotFound("no analysis yet: run `prodinsight analyze` first".into())
        })
    }

    /// The run to compare with: the last one with snapshots before `current` (and finished before
    /// `since`, if given).
    fn base_run(&self, current: i64, since: Option<&str>) -> Result<Option<i64>> {
        Ok(match since {
            None => self.conn.query_row(
                "SELECT max(run_id) FROM product_snapshots WHERE run_id < ?1",
                [current],
                |r| r.get(0),
            )?,
            // Timestamps are RFC 3339 UTC, so text order is time order; a bare date means its start.
            Some(since) => self.conn.query_row(
                "SELECT max(s.run_id) FROM product_snapshots s JOIN analysis_runs a ON a.id = s.run_id
                 WHERE s.run_id < ?1 AND a.finished_at < ?2",
                rusqlite::params![current, since],
                |r| r.get(0),
            )?,
        })
    }

    /// Every product's numbers and issue counts as of the base run.
    fn products_then(&self, base: i64) -> Result<HashMap<String, Then>> {
        let mut then: HashMap<String, Then> = HashMap::new();
        let mut st = self.conn.prepare(
            "SELECT asin, review_count, pct_negative, detail FROM product_snapshots WHERE run_id = ?1",
        )?;
        let mut rows = st.query([base])?;
        while let Some(r) = rows.next()? {
            let detail: String = r.get(3)?;
            let issues = serde_json::from_str::<serde_json::Value>(&detail)
                .ok()
                .and_then(|v| serde_json::from_value(v["issues"].clone()).ok())
                .unwrap_or_default();
            then.insert(
                r.get(0)?,
                Then {
                    reviews: r.get(1)?,
                    pct_negative: r.get(2)?,
                    issues,
                },
            );
        }
        Ok(then)
    }

    /// Every product's current issue counts.
    fn issues_now(&self) -> Result<HashMap<String, Vec<(String, i64)>>> {
        let mut issues_now: HashMap<String, Vec<(String, i64)>> = HashMap::new();
        let mut st = self
            .conn
            .prepare("SELECT asin, code, count FROM product_issues")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            issues_now
                .entry(r.get(0)?)
                .or_default()
                .push((r.get(1)?, r.get(2)?));
        }
        Ok(issues_now)
    }

    /// The alerts of every current product with enough reviews (of the asked brands) against
    /// `then`, and how many of them the base run did not have.
    fn alerts_since(
        &self,
        q: &ChangeQuery,
        then: &HashMap<String, Then>,
    ) -> Result<(Vec<Alert>, i64)> {
        let issues_now = self.issues_now()?;
        let brands = self.brand_spellings(&q.brands)?;
        let mut alerts = Vec::new();
        let mut new_products = 0;
        let mut st = self.conn.prepare(
            "SELECT asin, brand, review_count, pct_negative FROM product_insights
             WHERE review_count >= ?1 ORDER BY asin",
        )?;
        let mut rows = st.query([q.min_reviews])?;
        while let Some(r) = rows.next()? {
            let asin: String = r.get(0)?;
            let brand: Option<String> = r.get(1)?;
            if !brands.is_empty() && !brand.as_ref().is_some_and(|b| brands.contains(b)) {
                continue;
            }
            let Some(t) = then.get(&asin) else {
                new_products += 1;
                continue;
            };
            let now = Now {
                asin: &asin,
                brand: &brand,
                reviews: r.get(2)?,
                pct_negative: r.get(3)?,
                issues: issues_now.get(&asin).map_or(&[], Vec::as_slice),
            };
            product_alerts(q, t, &now, &mut alerts);
        }
        Ok((alerts, new_products))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{product, TestDb};

    fn query(threshold: f64, min_reviews: i64) -> ChangeQuery {
        ChangeQuery {
            since: None,
            threshold_points: threshold,
            min_reviews,
            brands: Vec::new(),
        }
    }

    fn kinds(c: &Changes) -> Vec<(&str, &str, Option<&str>)> {
        c.alerts
            .iter()
            .map(|a| (a.asin.as_str(), a.kind, a.issue.as_deref()))
            .collect()
    }

    #[test]
    fn no_analysis_is_not_found_and_a_first_run_has_nothing_to_compare() {
        let mut db = TestDb::new();
        let err = db.reader().changes(&query(10.0, 0)).unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        db.run(vec![product("A1", "Acme", 10, Some(4.0), 10.0, &[])]);
        let c = db.reader().changes(&query(10.0, 0)).unwrap();
        assert!(c.base_run.is_none());
        assert_eq!(c.current_run.id, 1);
        assert!(c.current_run.finished_at.is_some());
        assert_eq!((c.new_products, c.alerts.len()), (0, 0));
    }

    #[test]
    fn negative_share_alerts_from_the_threshold_on() {
        let mut db = TestDb::new();
        db.run(vec![
            product("A1", "Acme", 100, Some(4.0), 10.0, &[]),
            product("A2", "Acme", 100, Some(4.0), 10.0, &[]),
        ]);
        db.run(vec![
            product("A1", "Acme", 100, Some(4.0), 20.0, &[]),
            product("A2", "Acme", 100, Some(4.0), 19.9, &[]),
        ]);
        let c = db.reader().changes(&query(10.0, 0)).unwrap();
        assert_eq!(c.base_run.as_ref().map(|r| r.id), Some(1));
        assert_eq!(kinds(&c), [("A1", "negative_rose", None)]);
        let a = &c.alerts[0];
        assert_eq!((a.before, a.after, a.change), (10.0, 20.0, 10.0));
        assert_eq!((a.reviews_before, a.reviews_after), (100, 100));
        assert_eq!(a.brand.as_deref(), Some("Acme"));
    }

    #[test]
    fn issue_alerts_need_the_threshold_and_three_reviews_and_new_ones_say_so() {
        let mut db = TestDb::new();
        db.run(vec![
            product("A1", "Acme", 100, Some(4.0), 10.0, &[("leaks", 5)]),
            product("A2", "Acme", 20, Some(4.0), 10.0, &[]),
            product("A3", "Acme", 10, Some(4.0), 10.0, &[]),
        ]);
        db.run(vec![
            // 5 % → 20 %: rose
            product("A1", "Acme", 100, Some(4.0), 10.0, &[("leaks", 20)]),
            // 0 → 3 of 20 (15 %): new
            product("A2", "Acme", 20, Some(4.0), 10.0, &[("smell", 3)]),
            // 0 → 2 of 10 (20 %): too few reviews to say
            product("A3", "Acme", 10, Some(4.0), 10.0, &[("battery", 2)]),
        ]);
        let c = db.reader().changes(&query(10.0, 0)).unwrap();
        // Biggest change first.
        assert_eq!(
            kinds(&c),
            [
                ("A1", "issue_rose", Some("leaks")),
                ("A2", "new_issue", Some("smell"))
            ]
        );
        assert_eq!(c.alerts[0].change, 15.0);
        assert_eq!(c.alerts[1].label, Some(taxonomy::label("smell")));
        assert_eq!((c.alerts[1].before, c.alerts[1].after), (0.0, 15.0));
    }

    #[test]
    fn min_reviews_brands_and_new_products() {
        let mut db = TestDb::new();
        db.run(vec![
            product("A1", "Acme", 100, Some(4.0), 10.0, &[]),
            product("B1", "Bolt", 100, Some(4.0), 10.0, &[]),
            product("S1", "Acme", 4, Some(4.0), 0.0, &[]),
        ]);
        db.run(vec![
            product("A1", "Acme", 100, Some(4.0), 40.0, &[]),
            product("B1", "Bolt", 100, Some(4.0), 40.0, &[]),
            product("S1", "Acme", 5, Some(4.0), 80.0, &[]),
            product("N1", "Acme", 50, Some(4.0), 90.0, &[]),
            product("N2", "Acme", 3, Some(4.0), 90.0, &[]),
        ]);
        let c = db.reader().changes(&query(10.0, 5)).unwrap();
        assert_eq!(
            kinds(&c),
            [
                ("S1", "negative_rose", None),
                ("A1", "negative_rose", None),
                ("B1", "negative_rose", None)
            ]
        );
        // N2 has too few reviews to count at all.
        assert_eq!(c.new_products, 1);
        let c = db.reader().changes(&query(10.0, 6)).unwrap();
        assert_eq!(c.alerts.len(), 2);
        let q = ChangeQuery {
            brands: vec!["ACME".into()],
            ..query(10.0, 6)
        };
        let c = db.reader().changes(&q).unwrap();
        assert_eq!(kinds(&c), [("A1", "negative_rose", None)]);
        assert_eq!((c.new_products, c.min_reviews), (1, 6));
    }

    #[test]
    fn since_compares_with_the_last_run_finished_before_it() {
        let mut db = TestDb::new();
        for neg in [10.0, 30.0, 35.0] {
            db.run(vec![product("A1", "Acme", 100, Some(4.0), neg, &[])]);
        }
        for (id, at) in [
            (1, "2024-01-10T08:00:00.000Z"),
            (2, "2024-02-10T08:00:00.000Z"),
        ] {
            db.store
                .conn
                .execute(
                    "UPDATE analysis_runs SET finished_at = ?2 WHERE id = ?1",
                    rusqlite::params![id, at],
                )
                .unwrap();
        }
        let reader = db.reader();
        let c = reader.changes(&query(10.0, 0)).unwrap();
        assert_eq!((c.base_run.unwrap().id, c.alerts.len()), (2, 0));
        let since = |d: &str| ChangeQuery {
            since: Some(d.into()),
            ..query(10.0, 0)
        };
        let c = reader.changes(&since("2024-02-01")).unwrap();
        let base = c.base_run.unwrap();
        assert_eq!(base.id, 1);
        assert_eq!(
            base.finished_at.as_deref(),
            Some("2024-01-10T08:00:00.000Z")
        );
        assert_eq!(c.alerts[0].change, 25.0);
        // A bare date is its start: a run finished that day is not before it.
        assert!(reader
            .changes(&since("2024-01-10"))
            .unwrap()
            .base_run
            .is_none());
    }
}
