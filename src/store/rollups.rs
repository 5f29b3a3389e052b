//! Incremental roll-ups (issue 19): which products changed since the run of the current insights,
//! each product's summable state (`product_rollups`), and the rows of the products a run keeps.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::insights::{Counts, InsightsWriter, IssueCount, LikedSum, ProductRow};
use super::views::BreakdownCounts;
use super::windows::{
    Counts as DayCounts, DayAspectRow, DayIssueRow, DayLikedRow, DayRow, DaySliceRow, ProductDays,
};
use super::{Store, SCHEMA_VERSION};
use crate::error::Result;

/// What one product adds to its brand, the portfolio and the run's alerts: counts, its issues, its
/// breakdowns and every liked aspect with its quote. Brands are summed from these (in ASIN order,
/// as a full roll-up adds products), so a product whose reviews did not change is not read again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RollupState {
    pub brand: Option<String>,
    pub review_count: i64,
    pub rated_count: i64,
    pub counts: Counts,
    pub issues: Vec<IssueCount>,
    pub breakdowns: BreakdownCounts,
    pub liked: Vec<(String, LikedSum)>,
    pub alerts: Vec<AlertPart>,
}

/// The same, borrowed from a product's row, for writing.
#[derive(Serialize)]
struct StateRef<'a> {
    brand: &'a Option<String>,
    review_count: i64,
    rated_count: i64,
    counts: &'a Counts,
    issues: &'a [IssueCount],
    breakdowns: &'a BreakdownCounts,
    liked: &'a [(String, LikedSum)],
    alerts: &'a [AlertPart],
}

/// A product's reviews as the alerts count them, per brand they are counted under (a review's
/// brand is its product's, else its own: without a product brand they may differ).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertPart {
    pub brand: Option<String>,
    pub reviews: i64,
    pub negative: i64,
    /// Reviews reporting each issue code (a review once per code).
    pub issues: BTreeMap<String, i64>,
}

/// The run an incremental roll-up starts from: its id and ingest watermark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupBase {
    pub run_id: i64,
    pub watermark: i64,
}

/// What the run about to roll up uses, to compare with the run of the current insights.
pub struct RunDefinition<'a> {
    pub run_id: i64,
    pub analyzer: &'a str,
    pub version: &'a str,
    pub taxonomy: u32,
    pub topics: Option<&'a str>,
}

impl Store {
    /// The run whose insights this run may update instead of replacing, or None when it must roll
    /// every product up: the latest run that did anything must have finished 'ok' and complete
    /// (a watermark, no failed texts), with the same analyzer, version, taxonomy, topics and
    /// schema; every current product must have its state, that run's insights and its snapshot
    /// of that run (kept products' history continues from it); and the alerts
    /// must compare with it (so unchanged products hold no new reviews).
    pub fn rollup_base(&self, run: &RunDefinition) -> Result<Option<RollupBase>> {
        let last = self
            .conn
            .query_row(
                // coalesce: a run from before a column was added has NULL in it (not the same).
                "SELECT id, ingest_watermark,
                        coalesce(status = 'ok' AND analyzer = ?2 AND analyzer_version = ?3
                        AND taxonomy_version = ?4 AND topics IS ?5 AND schema_version = ?6
                        AND ingest_watermark > 0 AND texts_failed = 0, 0)
                 FROM analysis_runs WHERE id < ?1 AND status != 'unchanged'
                 ORDER BY id DESC LIMIT 1",
                params![
                    run.run_id,
                    run.analyzer,
                    run.version,
                    run.taxonomy,
                    run.topics,
                    SCHEMA_VERSION
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, watermark, true)) = last else {
            return Ok(None);
        };
        let whole: bool = self.conn.query_row(
            "SELECT (SELECT max(run_id) FROM product_snapshot_runs) IS ?1
                AND (SELECT count(*) FROM product_insights) = (SELECT count(*) FROM product_rollups)
                AND NOT EXISTS (SELECT 1 FROM review_versions
                                WHERE replaced_by_run > ?2 AND asin IS NULL)
                AND NOT EXISTS (SELECT 1 FROM product_insights i WHERE NOT EXISTS
                                (SELECT 1 FROM product_snapshots s
                                 WHERE s.asin = i.asin AND s.run_id = ?1))",
            params![id, watermark],
            |r| r.get(0),
        )?;
        if !whole || self.alert_base()? != Some((id, watermark)) {
            return Ok(None);
        }
        Ok(Some(RollupBase {
            run_id: id,
            watermark,
        }))
    }

    /// Products whose reviews changed after ingest run `watermark`, in ASIN order: new or edited
    /// reviews, retired ones, versions (the product an edited review was in), and products whose
    /// brand or marketplace changed.
    pub fn changed_products(&self, watermark: i64) -> Result<Vec<String>> {
        // Sorted here: with ORDER BY (or UNION) SQLite walks every review by the ASIN index
        // instead of the few changed ones by theirs.
        let mut st = self.conn.prepare(
            "SELECT asin FROM reviews WHERE last_changed_run > ?1
             UNION ALL SELECT asin FROM reviews WHERE retired_run > ?1
             UNION ALL SELECT asin FROM review_versions
                 WHERE replaced_by_run > ?1 AND asin IS NOT NULL
             UNION ALL SELECT asin FROM products WHERE changed_run > ?1",
        )?;
        let mut rows: Vec<String> = st
            .query_map([watermark], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rows.sort_unstable();
        rows.dedup();
        Ok(rows)
    }
}

impl InsightsWriter<'_> {
    /// Starts an incremental roll-up: the products of `asins` lose their rows (the run writes them
    /// again, or none if they have no review left; their days are rewritten where they differ,
    /// and their brands' days changed by as much, in `put_days_changed`); every other product keeps its rows, now as of this run: its snapshot span goes on
    /// (no row written), its change since the previous run zero (nothing of it changed). Returns
    /// how many it kept.
    pub fn keep_unchanged(&self, asins: &[String]) -> Result<i64> {
        let tx = &self.tx;
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.rollup_affected;
             CREATE TEMP TABLE rollup_affected (asin TEXT PRIMARY KEY) WITHOUT ROWID;",
        )?;
        {
            let mut ins = tx.prepare("INSERT OR IGNORE INTO temp.rollup_affected VALUES (?1)")?;
            for a in asins {
                ins.execute([a])?;
            }
        }
        // The changed products' snapshots end here (the run writes new ones); every other
        // product's current span now covers this run too: nothing of theirs is written.
        tx.execute(
            "UPDATE product_snapshot_spans SET until_run = ?1
             WHERE until_run IS NULL AND asin IN (SELECT asin FROM temp.rollup_affected)",
            [self.run_id],
        )?;
        tx.execute_batch(
            "DELETE FROM product_insights WHERE asin IN (SELECT asin FROM temp.rollup_affected);
             DELETE FROM product_details WHERE asin IN (SELECT asin FROM temp.rollup_affected);
             DELETE FROM product_issues WHERE asin IN (SELECT asin FROM temp.rollup_affected);
             DELETE FROM product_months WHERE asin IN (SELECT asin FROM temp.rollup_affected);
             DELETE FROM product_rollups WHERE asin IN (SELECT asin FROM temp.rollup_affected);",
        )?;
        self.zero_changes()?;
        Ok(tx.query_row("SELECT count(*) FROM product_insights", [], |r| r.get(0))?)
    }

    /// The kept products' change since the previous run is 0, as a full roll-up computes it from
    /// equal counts: only rows that say otherwise (changed or new at the previous run) are written.
    fn zero_changes(&self) -> Result<()> {
        let tx = &self.tx;
        // Neither product documents (the reader takes the change from `product_insights`) nor
        // product rows (the run of the insights is the newest snapshot run) say which run they
        // belong to: rewriting them cost each night every product's row or document.
        tx.execute_batch(
            "UPDATE product_insights SET neg_delta = 0.0, prev_negative = negative,
                 prev_review_count = review_count
             WHERE neg_delta IS NULL OR neg_delta != 0.0 OR prev_negative IS NOT negative
                OR prev_review_count IS NOT review_count;
             UPDATE product_issues SET neg_delta = 0.0 WHERE neg_delta IS NULL OR neg_delta != 0.0;",
        )?;
        Ok(())
    }

    /// Takes the days of the products in `temp.rollup_gone` (rolled up with no review left) out of
    /// their brands' (before their rows go).
    fn days_out(&self) -> Result<()> {
        self.tx.execute_batch(
            "UPDATE brand_days SET reviews = brand_days.reviews - o.reviews,
                 rated = brand_days.rated - o.rated, rating_sum = brand_days.rating_sum - o.rating_sum,
                 positive = brand_days.positive - o.positive, neutral = brand_days.neutral - o.neutral,
                 negative = brand_days.negative - o.negative
             FROM (SELECT brand, day, sum(reviews) AS reviews, sum(rated) AS rated,
                          sum(rating_sum) AS rating_sum, sum(positive) AS positive,
                          sum(neutral) AS neutral, sum(negative) AS negative
                   FROM product_days WHERE asin IN (SELECT asin FROM temp.rollup_gone)
                   GROUP BY brand, day) AS o
             WHERE brand_days.brand = o.brand AND brand_days.day = o.day;
             UPDATE brand_day_issues SET reviews = brand_day_issues.reviews - o.reviews,
                 negative_neutral = brand_day_issues.negative_neutral - o.negative_neutral,
                 rated_with = brand_day_issues.rated_with - o.rated_with,
                 rating_sum_with = brand_day_issues.rating_sum_with - o.rating_sum_with
             FROM (SELECT brand, day, code, sum(reviews) AS reviews,
                          sum(negative_neutral) AS negative_neutral, sum(rated_with) AS rated_with,
                          sum(rating_sum_with) AS rating_sum_with
                   FROM product_day_issues WHERE asin IN (SELECT asin FROM temp.rollup_gone)
                   GROUP BY brand, day, code) AS o
             WHERE brand_day_issues.brand = o.brand AND brand_day_issues.day = o.day
               AND brand_day_issues.code = o.code;
             UPDATE brand_day_liked SET reviews = brand_day_liked.reviews - o.reviews
             FROM (SELECT brand, day, term, sum(reviews) AS reviews
                   FROM product_day_liked WHERE asin IN (SELECT asin FROM temp.rollup_gone)
                   GROUP BY brand, day, term) AS o
             WHERE brand_day_liked.brand = o.brand AND brand_day_liked.day = o.day
               AND brand_day_liked.term = o.term;
             UPDATE brand_day_aspects SET reviews = brand_day_aspects.reviews - o.reviews,
                 rated = brand_day_aspects.rated - o.rated,
                 rating_sum = brand_day_aspects.rating_sum - o.rating_sum
             FROM (SELECT brand, day, term, sum(reviews) AS reviews, sum(rated) AS rated,
                          sum(rating_sum) AS rating_sum
                   FROM product_day_aspects WHERE asin IN (SELECT asin FROM temp.rollup_gone)
                   GROUP BY brand, day, term) AS o
             WHERE brand_day_aspects.brand = o.brand AND brand_day_aspects.day = o.day
               AND brand_day_aspects.term = o.term;
             UPDATE brand_day_slices SET reviews = brand_day_slices.reviews - o.reviews,
                 rated = brand_day_slices.rated - o.rated,
                 rating_sum = brand_day_slices.rating_sum - o.rating_sum,
                 negative = brand_day_slices.negative - o.negative,
                 negative_neutral = brand_day_slices.negative_neutral - o.negative_neutral
             FROM (SELECT brand, day, dimension, key, code, sum(reviews) AS reviews,
                          sum(rated) AS rated, sum(rating_sum) AS rating_sum,
                          sum(negative) AS negative, sum(negative_neutral) AS negative_neutral
                   FROM product_day_slices WHERE asin IN (SELECT asin FROM temp.rollup_gone)
                   GROUP BY brand, day, dimension, key, code) AS o
             WHERE brand_day_slices.brand = o.brand AND brand_day_slices.day = o.day
               AND brand_day_slices.dimension = o.dimension AND brand_day_slices.key = o.key
               AND brand_day_slices.code = o.code;",
        )?;
        Ok(())
    }

    /// Changes the brands' days by what the rolled-up products changed in theirs (after their rows
    /// are written); a brand's day with no review left goes, as a full roll-up would not write it.
    pub fn days_in(&self) -> Result<()> {
        // A changed product with no review left wrote no days: its stored ones leave its brand's
        // and go.
        self.tx.execute_batch(
            "CREATE TEMP TABLE rollup_gone AS SELECT asin FROM temp.rollup_affected
                 WHERE asin NOT IN (SELECT asin FROM product_insights);",
        )?;
        // The months whose slices change: the night's, and those of the products that go.
        let mut months = self.day_deltas.borrow().slice_months();
        let mut gone = self.tx.prepare(
            "SELECT DISTINCT brand, substr(day, 1, 7) FROM product_day_slices
             WHERE asin IN (SELECT asin FROM temp.rollup_gone)",
        )?;
        let rows = gone.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        months.extend(rows.collect::<rusqlite::Result<Vec<(String, String)>>>()?);
        drop(gone);
        self.days_out()?;
        self.tx.execute_batch(
            "DELETE FROM product_days WHERE asin IN (SELECT asin FROM temp.rollup_gone);
             DELETE FROM product_day_issues WHERE asin IN (SELECT asin FROM temp.rollup_gone);
             DELETE FROM product_day_liked WHERE asin IN (SELECT asin FROM temp.rollup_gone);
             DELETE FROM product_day_aspects WHERE asin IN (SELECT asin FROM temp.rollup_gone);
             DELETE FROM product_day_slices WHERE asin IN (SELECT asin FROM temp.rollup_gone);
             DROP TABLE temp.rollup_gone;",
        )?;
        self.day_deltas.take().apply(&self.tx)?;
        self.tx.execute_batch(
            "DELETE FROM brand_days WHERE reviews = 0;
             DELETE FROM brand_day_issues WHERE reviews = 0;
             DELETE FROM brand_day_liked WHERE reviews = 0;
             DELETE FROM brand_day_aspects WHERE reviews = 0;
             DELETE FROM brand_day_slices WHERE reviews = 0;
             DROP TABLE temp.rollup_affected;",
        )?;
        self.sum_slice_months(&months)
    }

    /// Sums the given (brand, month) slices again from the brand's days.
    fn sum_slice_months(&self, months: &BTreeSet<(String, String)>) -> Result<()> {
        let [delete, insert] = super::window_days::MONTH_SLICES_OF;
        let (mut delete, mut insert) = (self.tx.prepare(delete)?, self.tx.prepare(insert)?);
        for (brand, month) in months {
            // 'YYYY-MM-32' sorts after every day of the month.
            let (first, next) = (format!("{month}-01"), format!("{month}-32"));
            delete.execute(params![brand, month])?;
            insert.execute(params![brand, month, first, next])?;
        }
        Ok(())
    }

    /// A changed product's days, as `put_days` writes them: only rows that differ from its stored
    /// ones are written and only rows gone are deleted. Each row written or deleted costs random
    /// writes in two covering indexes, and a night changes a few of a product's days, not all.
    /// What differs is recorded for the brands' days (`days_in`).
    pub fn put_days_changed(&self, p: &ProductDays) -> Result<()> {
        let old = self.stored_days(&p.asin)?;
        self.day_deltas.borrow_mut().product(&old, p);
        let same = old.brand == p.brand;
        let days: BTreeMap<(&str, bool), &DayRow> = (old.days.iter())
            .map(|d| ((d.day.as_str(), d.dated), d))
            .collect();
        let issues: BTreeMap<(&str, bool, &str), &DayIssueRow> = (old.issues.iter())
            .map(|i| ((i.day.as_str(), i.dated, i.code.as_str()), i))
            .collect();
        let liked: BTreeMap<(&str, bool, &str), &DayLikedRow> = (old.liked.iter())
            .map(|l| ((l.day.as_str(), l.dated, l.term.as_str()), l))
            .collect();
        let aspects: BTreeMap<(&str, bool, &str), &DayAspectRow> = (old.aspects.iter())
            .map(|a| ((a.day.as_str(), a.dated, a.term.as_str()), a))
            .collect();
        let slices: HashSet<&DaySliceRow> = old.slices.iter().collect();
        let changed = ProductDays {
            asin: p.asin.clone(),
            brand: p.brand.clone(),
            days: (p.days.iter())
                .filter(|d| !same || days.get(&(d.day.as_str(), d.dated)) != Some(d))
                .cloned()
                .collect(),
            issues: (p.issues.iter())
                .filter(|i| {
                    !same || issues.get(&(i.day.as_str(), i.dated, i.code.as_str())) != Some(i)
                })
                .cloned()
                .collect(),
            liked: (p.liked.iter())
                .filter(|l| {
                    !same || liked.get(&(l.day.as_str(), l.dated, l.term.as_str())) != Some(l)
                })
                .cloned()
                .collect(),
            aspects: (p.aspects.iter())
                .filter(|a| {
                    !same || aspects.get(&(a.day.as_str(), a.dated, a.term.as_str())) != Some(a)
                })
                .cloned()
                .collect(),
            slices: (p.slices.iter())
                .filter(|s| !same || !slices.contains(s))
                .cloned()
                .collect(),
        };
        self.delete_gone_days(p, &old)?;
        self.put_day_rows(&changed)
    }

    /// Deletes the stored day rows of `p.asin` that `p` no longer has.
    fn delete_gone_days(&self, p: &ProductDays, old: &ProductDays) -> Result<()> {
        let day = |d: &DayRow| (d.day.clone(), d.dated, String::new());
        self.delete_gone("product_days", "", &p.asin, &old.days, &p.days, day)?;
        let issue = |i: &DayIssueRow| (i.day.clone(), i.dated, i.code.clone());
        self.delete_gone(
            "product_day_issues",
            "code",
            &p.asin,
            &old.issues,
            &p.issues,
            issue,
        )?;
        let liked = |l: &DayLikedRow| (l.day.clone(), l.dated, l.term.clone());
        self.delete_gone(
            "product_day_liked",
            "term",
            &p.asin,
            &old.liked,
            &p.liked,
            liked,
        )?;
        let aspect = |a: &DayAspectRow| (a.day.clone(), a.dated, a.term.clone());
        self.delete_gone(
            "product_day_aspects",
            "term",
            &p.asin,
            &old.aspects,
            &p.aspects,
            aspect,
        )?;
        self.delete_gone_slices(p, old)
    }

    /// Deletes the stored slice rows of `p.asin` that `p` no longer has.
    fn delete_gone_slices(&self, p: &ProductDays, old: &ProductDays) -> Result<()> {
        let key = |s: &DaySliceRow| {
            (
                s.day.clone(),
                s.dated,
                s.dimension,
                s.key.clone(),
                s.code.clone(),
            )
        };
        let kept: HashSet<_> = p.slices.iter().map(key).collect();
        let mut del = self.tx.prepare_cached(
            "DELETE FROM product_day_slices WHERE asin = ?1 AND day = ?2 AND dated = ?3
                 AND dimension = ?4 AND key = ?5 AND code = ?6",
        )?;
        for k in old.slices.iter().map(key).filter(|k| !kept.contains(k)) {
            del.execute(params![p.asin, k.0, k.1, k.2, k.3, k.4])?;
        }
        Ok(())
    }

    /// Deletes the product's rows of `table` that the new roll-up no longer has, keyed by day,
    /// dated and (when `column` is set) that column.
    fn delete_gone<T>(
        &self,
        table: &str,
        column: &str,
        asin: &str,
        old: &[T],
        new: &[T],
        key: impl Fn(&T) -> (String, bool, String),
    ) -> Result<()> {
        let kept: HashSet<(String, bool, String)> = new.iter().map(&key).collect();
        let extra = if column.is_empty() {
            String::new()
        } else {
            format!(" AND {column} = ?4")
        };
        let mut del = self.tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE asin = ?1 AND day = ?2 AND dated = ?3{extra}"
        ))?;
        for k in old.iter().map(&key).filter(|k| !kept.contains(k)) {
            if column.is_empty() {
                del.execute(params![asin, k.0, k.1])?;
            } else {
                del.execute(params![asin, k.0, k.1, k.2])?;
            }
        }
        Ok(())
    }

    /// A product's stored day rows (its brand: that of its rows).
    fn stored_days(&self, asin: &str) -> Result<ProductDays> {
        let tx = &self.tx;
        let mut brand = String::new();
        let days = tx
            .prepare_cached(
                "SELECT day, dated, brand, reviews, rated, rating_sum, positive, neutral, negative
                 FROM product_days WHERE asin = ?1",
            )?
            .query_map([asin], |r| {
                brand = r.get(2)?;
                Ok(DayRow {
                    day: r.get(0)?,
                    dated: r.get(1)?,
                    counts: DayCounts {
                        reviews: r.get(3)?,
                        rated: r.get(4)?,
                        rating_sum: r.get(5)?,
                        positive: r.get(6)?,
                        neutral: r.get(7)?,
                        negative: r.get(8)?,
                        products: None,
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let issues = tx
            .prepare_cached(
                "SELECT day, dated, code, reviews, negative_neutral, rated_with, rating_sum_with
                 FROM product_day_issues WHERE asin = ?1",
            )?
            .query_map([asin], |r| {
                Ok(DayIssueRow {
                    day: r.get(0)?,
                    dated: r.get(1)?,
                    code: r.get(2)?,
                    reviews: r.get(3)?,
                    negative_neutral: r.get(4)?,
                    rated_with: r.get(5)?,
                    rating_sum_with: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let liked = tx
            .prepare_cached(
                "SELECT day, dated, term, reviews FROM product_day_liked WHERE asin = ?1",
            )?
            .query_map([asin], |r| {
                Ok(DayLikedRow {
                    day: r.get(0)?,
                    dated: r.get(1)?,
                    term: r.get(2)?,
                    reviews: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ProductDays {
            asin: asin.to_string(),
            brand,
            days,
            issues,
            liked,
            aspects: self.stored_aspect_days(asin)?,
            slices: self.stored_slice_days(asin)?,
        })
    }

    /// A product's stored slice day rows (a dimension this binary does not know is left out).
    fn stored_slice_days(&self, asin: &str) -> Result<Vec<DaySliceRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT day, dated, dimension, key, code, reviews, rated, rating_sum, negative,
                    negative_neutral
             FROM product_day_slices WHERE asin = ?1",
        )?;
        let mut rows = st.query([asin])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Some(dimension) = super::window_days::dimension(&r.get::<_, String>(2)?) else {
                continue;
            };
            out.push(DaySliceRow {
                day: r.get(0)?,
                dated: r.get(1)?,
                dimension,
                key: r.get(3)?,
                code: r.get(4)?,
                reviews: r.get(5)?,
                rated: r.get(6)?,
                rating_sum: r.get(7)?,
                negative: r.get(8)?,
                negative_neutral: r.get(9)?,
            });
        }
        Ok(out)
    }

    /// A product's stored complaint-aspect day rows.
    fn stored_aspect_days(&self, asin: &str) -> Result<Vec<DayAspectRow>> {
        let rows = (self.tx)
            .prepare_cached(
                "SELECT day, dated, term, reviews, rated, rating_sum FROM product_day_aspects
                 WHERE asin = ?1",
            )?
            .query_map([asin], |r| {
                Ok(DayAspectRow {
                    day: r.get(0)?,
                    dated: r.get(1)?,
                    term: r.get(2)?,
                    reviews: r.get(3)?,
                    rated: r.get(4)?,
                    rating_sum: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every product's state, in ASIN order (the order a full roll-up adds them to brands).
    pub fn for_each_state(&self, mut f: impl FnMut(&str, RollupState) -> Result<()>) -> Result<()> {
        let mut st = self
            .tx
            .prepare("SELECT asin, state FROM product_rollups ORDER BY asin")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let asin: String = r.get(0)?;
            let state: String = r.get(1)?;
            let state = serde_json::from_str(&state).map_err(|e| {
                crate::error::Error::Reported(format!(
                    "the stored roll-up of product {asin} does not read ({e}): run `analyze --full`"
                ))
            })?;
            f(&asin, state)?;
        }
        Ok(())
    }
}

/// Writes the products' states (with their other rows, in the run's transaction).
pub(super) fn put_states(tx: &rusqlite::Connection, products: &[ProductRow]) -> Result<()> {
    let mut st =
        tx.prepare_cached("INSERT OR REPLACE INTO product_rollups (asin, state) VALUES (?1, ?2)")?;
    for p in products {
        let state = StateRef {
            brand: &p.brand,
            review_count: p.review_count,
            rated_count: p.rated_count,
            counts: &p.counts,
            issues: &p.issues,
            breakdowns: &p.breakdowns,
            liked: &p.liked,
            alerts: &p.alerts,
        };
        let json = serde_json::to_string(&state).unwrap_or_else(|_| "{}".into());
        st.execute(params![p.asin, json])?;
    }
    Ok(())
}
