//! The portfolio's (or some brands') reviews by marketplace and by language, summed from the
//! brands' counts in `brand_breakdowns` (a few rows per brand, so this stays fast for any number
//! of products); in a time window, from the brands' per-day counts in `brand_day_slices`.

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
    /// its brands' days summed, a few rows per brand, day and slice, so no review is read.
    pub fn window_scope_breakdowns(&self, w: &Window, scope: &Scope) -> Result<Breakdowns> {
        let (cond, values) = scope.condition();
        let sql = format!(
            "SELECT dimension, key, code, sum(reviews), sum(rated), sum(rating_sum), sum(negative),
                    sum(negative_neutral)
             FROM brand_day_slices WHERE {cond} GROUP BY dimension, key, code"
        );
        let (from, to) = w.bounds();
        let mut args = vec![SqlValue::Text(from), SqlValue::Text(to)];
        args.extend(values);
        let mut counts = BreakdownCounts::default();
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let (dimension, key, code): (String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            let Some(c) = pick(&mut counts, &dimension, key) else {
                continue;
            };
            match code.is_empty() {
                true => {
                    (c.reviews, c.rated, c.rating_sum, c.negative) =
                        (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)
                }
                false => {
                    c.issues.insert(code, (r.get(3)?, r.get(7)?));
                }
            }
        }
        Ok(counts.rows(&self.labels()?))
    }
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
