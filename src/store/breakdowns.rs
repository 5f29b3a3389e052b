//! The portfolio's (or some brands') reviews by marketplace and by language, summed from the
//! brands' counts in `brand_breakdowns` (a few rows per brand, so this stays fast for any number
//! of products); in a time window, from the brands' per-day counts in `brand_day_slices`.

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

use super::views::{BreakdownCounts, Breakdowns, SliceCounts};
use super::windows::{Scope, Window};
use super::Store;
use crate::error::Result;

impl Store {
    /// Breakdowns over the products of `brands` (all if empty, any letter case).
    pub fn breakdowns(&self, brands: &[String]) -> Result<Breakdowns> {
        let mut args: Vec<SqlValue> = Vec::new();
        let mut filter = String::new();
        super::query::push_brands(
            &mut filter,
            &mut args,
            &self.brand_spellings(brands)?,
            "b.brand",
        );
        let mut counts = BreakdownCounts::default();
        let totals = format!(
            "SELECT b.dimension, b.key, sum(b.reviews), sum(b.rated), sum(b.rating_sum),
                    sum(b.negative)
             FROM brand_breakdowns b WHERE 1 = 1{filter} GROUP BY 1, 2"
        );
        let mut st = self.conn.prepare(&totals)?;
        let mut rows = st.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let (dimension, key): (String, String) = (r.get(0)?, r.get(1)?);
            if let Some(c) = pick(&mut counts, &dimension, key) {
                (c.reviews, c.rated, c.rating_sum, c.negative) =
                    (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            }
        }
        // A damaged issues document counts no issues (json_each skips nothing valid).
        let issues = format!(
            "SELECT b.dimension, b.key, j.key, sum(json_extract(j.value, '$[0]')),
                    sum(json_extract(j.value, '$[1]'))
             FROM brand_breakdowns b, json_each(CASE WHEN json_valid(b.issues)
                                                        THEN b.issues ELSE '{{}}' END) j
             WHERE 1 = 1{filter} GROUP BY 1, 2, 3"
        );
        let mut st = self.conn.prepare(&issues)?;
        let mut rows = st.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let (dimension, key): (String, String) = (r.get(0)?, r.get(1)?);
            let (code, n, nn): (String, Option<i64>, Option<i64>) =
                (r.get(2)?, r.get(3)?, r.get(4)?);
            if let Some(c) = pick(&mut counts, &dimension, key) {
                c.issues.insert(code, (n.unwrap_or(0), nn.unwrap_or(0)));
            }
        }
        Ok(counts.rows(&self.labels()?))
    }
}

impl Store {
    /// Breakdowns of a scope of brands (or the portfolio) over the reviews dated in the window:
    /// its brands' whole months and the days at the window's ends summed, a few rows per brand
    /// and month or day, so no review is read.
    pub fn window_scope_breakdowns(&self, w: &Window, scope: &Scope) -> Result<Breakdowns> {
        let mut brands = String::new();
        let mut values: Vec<SqlValue> = Vec::new();
        if !scope.brands.is_empty() {
            let marks: Vec<String> = (0..scope.brands.len())
                .map(|i| format!("?{}", i + 3))
                .collect();
            brands = format!(" AND brand IN ({})", marks.join(", "));
            values.extend(scope.brands.iter().map(|b| SqlValue::Text(b.clone())));
        }
        let mut counts = BreakdownCounts::default();
        for (table, column, from, to) in window_parts(w) {
            let sql = format!(
                "SELECT dimension, key, code, sum(reviews), sum(rated), sum(rating_sum),
                        sum(negative), sum(negative_neutral)
                 FROM {table} WHERE {column} >= ?1 AND {column} <= ?2{brands}
                 GROUP BY dimension, key, code"
            );
            let mut args = vec![SqlValue::Text(from), SqlValue::Text(to)];
            args.extend(values.iter().cloned());
            let mut st = self.conn.prepare_cached(&sql)?;
            let mut rows = st.query(params_from_iter(args))?;
            while let Some(r) = rows.next()? {
                let (dimension, key, code): (String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?);
                let Some(c) = pick(&mut counts, &dimension, key) else {
                    continue;
                };
                let n: [i64; 5] = [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?];
                match code.is_empty() {
                    true => {
                        c.add(&SliceCounts {
                            reviews: n[0],
                            rated: n[1],
                            rating_sum: n[2],
                            negative: n[3],
                            ..SliceCounts::default()
                        });
                    }
                    false => {
                        let e = c.issues.entry(code).or_default();
                        (e.0, e.1) = (e.0 + n[0], e.1 + n[4]);
                    }
                }
            }
        }
        Ok(counts.rows(&self.labels()?))
    }
}

/// Where a window's slices are read: (table, its day or month column, first, last). Its whole
/// calendar months from `brand_month_slices`, the days before the first and after the last from
/// `brand_day_slices`; a window without a whole month reads its days.
fn window_parts(w: &Window) -> Vec<(&'static str, &'static str, String, String)> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let (from, to) = w.bounds();
    // The first day of the first whole month, and the last day of the last one (None: open).
    let first = match w.from {
        None => None,
        Some(f) if f.day() == 1 => Some(f),
        Some(f) => f
            .with_day(1)
            .and_then(|m| m.checked_add_months(Months::new(1))),
    };
    let last = match w.to {
        None => None,
        Some(t) => match t.succ_opt() {
            Some(next) if next.day() == 1 => Some(t),
            _ => t.with_day(1).and_then(|m| m.pred_opt()),
        },
    };
    let whole = match (first, last) {
        (Some(f), Some(l)) => f < l,
        (None, Some(_)) | (Some(_), None) | (None, None) => true,
    };
    if !whole {
        return vec![("brand_day_slices", "day", from, to)];
    }
    let mut parts = Vec::new();
    if let (Some(f), Some(start)) = (w.from, first) {
        if f < start {
            parts.push((
                "brand_day_slices",
                "day",
                day(f),
                day(start.pred_opt().unwrap_or(f)),
            ));
        }
    }
    let months = (
        first.map_or(String::new(), month),
        last.map_or("9999-12".to_string(), month),
    );
    parts.push(("brand_month_slices", "month", months.0, months.1));
    if let (Some(t), Some(end)) = (w.to, last) {
        if t > end {
            parts.push((
                "brand_day_slices",
                "day",
                day(end.succ_opt().unwrap_or(t)),
                day(t),
            ));
        }
    }
    parts
}

/// The slice of `dimension` named `key`; None for a dimension this binary does not know.
fn pick<'a>(
    counts: &'a mut BreakdownCounts,
    dimension: &str,
    key: String,
) -> Option<&'a mut SliceCounts> {
    let slices = match dimension {
        "marketplace" => &mut counts.marketplace,
        "language" => &mut counts.language,
        _ => return None,
    };
    Some(slices.entry(key).or_default())
}
