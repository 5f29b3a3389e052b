//! The per-day counts `analyze` writes for time windows (`product_days`, `product_day_issues`,
//! `product_day_liked`, `product_day_aspects` and their per-brand sums): the rows and how a run
//! rewrites them. `windows` reads them back.

use std::collections::HashMap;

use rusqlite::params;

use super::insights::InsightsWriter;
use crate::error::Result;

/// One product-day's counts (a day of review dates, or of the analysis run that first saw
/// undated reviews: `dated` false).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRow {
    pub day: String,
    pub dated: bool,
    pub counts: Counts,
}

/// One product-day's counts for one issue code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayIssueRow {
    pub day: String,
    pub dated: bool,
    pub code: String,
    pub reviews: i64,
    pub negative_neutral: i64,
    pub rated_with: i64,
    pub rating_sum_with: i64,
}

/// One product-day's reviews praising a liked-aspect term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayLikedRow {
    pub day: String,
    pub dated: bool,
    pub term: String,
    pub reviews: i64,
}

/// One product-day's reviews naming a complaint-aspect term: the rated ones and their stars.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayAspectRow {
    pub day: String,
    pub dated: bool,
    pub term: String,
    pub reviews: i64,
    pub rated: i64,
    pub rating_sum: i64,
}

/// One product-day's reviews in a marketplace or a language (`dimension`, `key`): with `code`
/// empty the slice's counts, else its reviews reporting that issue (`reviews`) and the negative or
/// neutral ones among them (`negative_neutral`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DaySliceRow {
    pub day: String,
    pub dated: bool,
    pub dimension: &'static str,
    pub key: String,
    pub code: String,
    pub reviews: i64,
    pub rated: i64,
    pub rating_sum: i64,
    pub negative: i64,
    pub negative_neutral: i64,
}

/// A slice dimension as stored, for rows read back (None: one this binary does not know).
pub fn dimension(name: &str) -> Option<&'static str> {
    ["marketplace", "language"].into_iter().find(|d| *d == name)
}

/// A product's days as `analyze` writes them.
#[derive(Debug, Clone, Default)]
pub struct ProductDays {
    pub asin: String,
    pub brand: String,
    pub days: Vec<DayRow>,
    pub issues: Vec<DayIssueRow>,
    pub liked: Vec<DayLikedRow>,
    pub aspects: Vec<DayAspectRow>,
    pub slices: Vec<DaySliceRow>,
}

/// Review counts: all, rated, stars summed, and by overall sentiment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub reviews: i64,
    pub rated: i64,
    pub rating_sum: i64,
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
    /// Products with reviews in the window (read back only, for products: a brand's or the
    /// portfolio's days are summed from `brand_days`, which cannot count distinct products).
    pub products: Option<i64>,
}

/// Each brand's per-day rows, summed from its products'.
const BRAND_SUMS: [&str; 4] = [
    "INSERT INTO brand_days (brand, day, reviews, rated, rating_sum, positive, neutral, negative)
     SELECT brand, day, sum(reviews), sum(rated), sum(rating_sum), sum(positive), sum(neutral),
            sum(negative)
     FROM product_days GROUP BY brand, day",
    "INSERT INTO brand_day_issues (brand, day, code, reviews, negative_neutral, rated_with,
         rating_sum_with)
     SELECT brand, day, code, sum(reviews), sum(negative_neutral), sum(rated_with),
            sum(rating_sum_with)
     FROM product_day_issues GROUP BY brand, day, code",
    "INSERT INTO brand_day_liked (brand, day, term, reviews)
     SELECT brand, day, term, sum(reviews) FROM product_day_liked GROUP BY brand, day, term",
    "INSERT INTO brand_day_aspects (brand, day, term, reviews, rated, rating_sum)
     SELECT brand, day, term, sum(reviews), sum(rated), sum(rating_sum)
     FROM product_day_aspects GROUP BY brand, day, term",
];

/// A brand's slice on a day: (brand, day, dimension, key, code).
type BrandSliceKey = (String, String, &'static str, String, String);

/// Each brand's slices per day on a full run, summed in memory as its products are written:
/// summing `product_day_slices` in SQL sorted its rows (about 2.3 per review), 3.5 s of CPU at 1M
/// reviews.
pub type BrandSlices = HashMap<BrandSliceKey, [i64; 5]>;

/// Each brand's months of slices, summed from its days (`brand_month_slices`).
const MONTH_SLICES: &str = "INSERT INTO brand_month_slices (brand, month, dimension, key, code,
         reviews, rated, rating_sum, negative, negative_neutral)
     SELECT brand, substr(day, 1, 7), dimension, key, code, sum(reviews), sum(rated),
            sum(rating_sum), sum(negative), sum(negative_neutral)
     FROM brand_day_slices GROUP BY 1, 2, 3, 4, 5";

/// The months of `brand` given as 'YYYY-MM', summed again from its days (after a night changed
/// them): ?1 brand, ?2 month, ?3 its first day, ?4 the first day of the next month.
pub(super) const MONTH_SLICES_OF: [&str; 2] = [
    "DELETE FROM brand_month_slices WHERE brand = ?1 AND month = ?2",
    "INSERT INTO brand_month_slices (brand, month, dimension, key, code, reviews, rated,
         rating_sum, negative, negative_neutral)
     SELECT brand, ?2, dimension, key, code, sum(reviews), sum(rated), sum(rating_sum),
            sum(negative), sum(negative_neutral)
     FROM brand_day_slices WHERE brand = ?1 AND day >= ?3 AND day < ?4
     GROUP BY dimension, key, code",
];

/// The per-day tables' secondary indexes, dropped while a run rewrites the tables: (table, SQL).
#[must_use]
pub struct DayIndexes(Vec<(String, String)>);

impl InsightsWriter<'_> {
    /// Drops the previous run's days (called once, before the first `put_days`).
    /// Empties the per-day tables before a run rewrites them, and drops their secondary indexes
    /// (their definitions, as schema.sql made them, are returned for `put_brand_days`): building an
    /// index once from the sorted rows costs far less than a random B-tree insert per row, and the
    /// tables hold about one row per review. Inside the run's transaction: a failed run rolls the
    /// drop back with everything else.
    pub fn clear_days(&self) -> Result<DayIndexes> {
        let found: Vec<(String, String, String)> = self
            .tx
            .prepare(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('product_days', 'product_day_issues', 'brand_days',
                                  'brand_day_issues', 'product_day_liked', 'brand_day_liked',
                                  'product_day_aspects', 'brand_day_aspects',
                                  'product_day_slices', 'brand_day_slices')",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _, _) in &found {
            let quoted = name.replace('"', "\"\"");
            self.tx.execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
        }
        self.tx.execute_batch(
            "DELETE FROM product_days; DELETE FROM product_day_issues;
             DELETE FROM brand_days; DELETE FROM brand_day_issues;
             DELETE FROM product_day_liked; DELETE FROM brand_day_liked;
             DELETE FROM product_day_aspects; DELETE FROM brand_day_aspects;
             DELETE FROM product_day_slices; DELETE FROM brand_day_slices;
             DELETE FROM brand_month_slices;",
        )?;
        Ok(DayIndexes(
            found.into_iter().map(|(_, t, sql)| (t, sql)).collect(),
        ))
    }

    /// Each brand's days, summed from its products' (called once, after the last `put_days`), and
    /// the indexes `clear_days` dropped, built again.
    pub fn put_brand_days(&self, indexes: DayIndexes) -> Result<()> {
        self.put_brand_days_sorting(indexes).map(drop)
    }

    /// The same; returns how many of the sums sorted their rows. The product tables' indexes are
    /// built first, so that the days' and issues' sums by brand and day read them in order (the
    /// same rows in the same order) instead of sorting every row; the brand tables' after their
    /// rows.
    fn put_brand_days_sorting(&self, indexes: DayIndexes) -> Result<i32> {
        let (products, brands): (Vec<_>, Vec<_>) =
            (indexes.0.into_iter()).partition(|(table, _)| table.starts_with("product_"));
        for (_, sql) in products {
            self.tx.execute_batch(&sql)?;
        }
        let mut sorts = 0;
        for sql in BRAND_SUMS {
            let mut st = self.tx.prepare(sql)?;
            st.raw_execute()?;
            sorts += st.get_status(rusqlite::StatementStatus::Sort);
        }
        self.put_brand_slices()?;
        for (_, sql) in brands {
            self.tx.execute_batch(&sql)?;
        }
        self.tx.execute_batch(MONTH_SLICES)?;
        Ok(sorts)
    }

    /// Writes the brands' slices summed by `put_days`, in key order.
    fn put_brand_slices(&self) -> Result<()> {
        let mut rows: Vec<_> = self.brand_slices.take().into_iter().collect();
        rows.sort_unstable();
        let mut st = self.tx.prepare(
            "INSERT INTO brand_day_slices (brand, day, dimension, key, code, reviews, rated,
                 rating_sum, negative, negative_neutral)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for ((brand, day, dimension, key, code), n) in rows {
            st.execute(params![
                brand, day, dimension, key, code, n[0], n[1], n[2], n[3], n[4]
            ])?;
        }
        Ok(())
    }

    /// A product's days on a full run; its slices are also summed into its brand's.
    pub fn put_days(&self, p: &ProductDays) -> Result<()> {
        let mut sums = self.brand_slices.borrow_mut();
        for s in &p.slices {
            let key = (
                p.brand.clone(),
                s.day.clone(),
                s.dimension,
                s.key.clone(),
                s.code.clone(),
            );
            let e = sums.entry(key).or_default();
            let n = [
                s.reviews,
                s.rated,
                s.rating_sum,
                s.negative,
                s.negative_neutral,
            ];
            for (x, y) in e.iter_mut().zip(n) {
                *x += y;
            }
        }
        drop(sums);
        self.put_day_rows(p)
    }

    /// A product's day rows as given (all of them, or a night's changed ones).
    pub(super) fn put_day_rows(&self, p: &ProductDays) -> Result<()> {
        let mut day = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO product_days (asin, day, dated, brand, reviews, rated, rating_sum,
                 positive, neutral, negative) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for d in &p.days {
            let c = &d.counts;
            day.execute(params![
                p.asin,
                d.day,
                d.dated,
                p.brand,
                c.reviews,
                c.rated,
                c.rating_sum,
                c.positive,
                c.neutral,
                c.negative
            ])?;
        }
        let mut iss = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO product_day_issues (asin, day, dated, code, brand, reviews,
                 negative_neutral, rated_with, rating_sum_with)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for i in &p.issues {
            iss.execute(params![
                p.asin,
                i.day,
                i.dated,
                i.code,
                p.brand,
                i.reviews,
                i.negative_neutral,
                i.rated_with,
                i.rating_sum_with
            ])?;
        }
        let mut liked = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO product_day_liked (asin, day, dated, term, brand, reviews)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for l in &p.liked {
            liked.execute(params![p.asin, l.day, l.dated, l.term, p.brand, l.reviews])?;
        }
        let mut aspect = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO product_day_aspects (asin, day, dated, term, brand, reviews,
                 rated, rating_sum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for a in &p.aspects {
            let (d, t) = (&a.day, &a.term);
            aspect.execute(params![
                p.asin,
                d,
                a.dated,
                t,
                p.brand,
                a.reviews,
                a.rated,
                a.rating_sum
            ])?;
        }
        self.put_slice_days(p)
    }

    fn put_slice_days(&self, p: &ProductDays) -> Result<()> {
        let mut slice = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO product_day_slices (asin, day, dated, dimension, key, code,
                 brand, reviews, rated, rating_sum, negative, negative_neutral)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for s in &p.slices {
            slice.execute(params![
                p.asin,
                s.day,
                s.dated,
                s.dimension,
                s.key,
                s.code,
                p.brand,
                s.reviews,
                s.rated,
                s.rating_sum,
                s.negative,
                s.negative_neutral
            ])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::TestDb;

    #[test]
    fn brand_sums_read_the_product_tables_indexes_instead_of_sorting() {
        let mut db = TestDb::new();
        let run = db.store.begin_analysis("offline", "test", 1).unwrap();
        let w = db.store.insights_writer(run).unwrap();
        let indexes = w.clear_days().unwrap();
        // Liked terms and aspects have no index by brand and day: only their two sums sort (the
        // slices are summed in memory).
        assert_eq!(w.put_brand_days_sorting(indexes).unwrap(), 2);
    }
}
