//! Time windows: insights over the reviews dated in a range of days, summed from the per-day
//! counts `analyze` writes (`product_days`, `product_day_issues`), so a window costs a sum over an
//! indexed range rather than a pass over the reviews. Every figure comes from those integer
//! counts through `numbers`, as the all-time figures do.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{params, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::insights::InsightsWriter;
use super::window_evidence::{WindowAspect, WindowQuote, WINDOW_QUOTED_ISSUES};
use super::Store;
use crate::error::{Error, Result};
use crate::numbers::{avg, pct, pct_delta, star_figures, StarImpact};
use crate::store::pages::{BrandSort, ProductSort};
use crate::store::views::{issue_page, IssueSort};

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

/// A product's days as `analyze` writes them.
#[derive(Debug, Clone, Default)]
pub struct ProductDays {
    pub asin: String,
    pub brand: String,
    pub days: Vec<DayRow>,
    pub issues: Vec<DayIssueRow>,
    pub liked: Vec<DayLikedRow>,
    pub aspects: Vec<DayAspectRow>,
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

/// The per-day tables' secondary indexes, dropped while a run rewrites the tables.
#[must_use]
pub struct DayIndexes(Vec<String>);

impl InsightsWriter<'_> {
    /// Drops the previous run's days (called once, before the first `put_days`).
    /// Empties the per-day tables before a run rewrites them, and drops their secondary indexes
    /// (their definitions, as schema.sql made them, are returned for `put_brand_days`): building an
    /// index once from the sorted rows costs far less than a random B-tree insert per row, and the
    /// tables hold about one row per review. Inside the run's transaction: a failed run rolls the
    /// drop back with everything else.
    pub fn clear_days(&self) -> Result<DayIndexes> {
        let found: Vec<(String, String)> = self
            .tx
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('product_days', 'product_day_issues', 'brand_days',
                                  'brand_day_issues', 'product_day_liked', 'brand_day_liked',
                                  'product_day_aspects', 'brand_day_aspects')",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &found {
            let quoted = name.replace('"', "\"\"");
            self.tx.execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
        }
        self.tx.execute_batch(
            "DELETE FROM product_days; DELETE FROM product_day_issues;
             DELETE FROM brand_days; DELETE FROM brand_day_issues;
             DELETE FROM product_day_liked; DELETE FROM brand_day_liked;
             DELETE FROM product_day_aspects; DELETE FROM brand_day_aspects;",
        )?;
        Ok(DayIndexes(found.into_iter().map(|(_, sql)| sql).collect()))
    }

    /// Each brand's days, summed from its products' (called once, after the last `put_days`), then
    /// the indexes `clear_days` dropped, built again.
    pub fn put_brand_days(&self, indexes: DayIndexes) -> Result<()> {
        self.tx.execute_batch(
            "INSERT INTO brand_days (brand, day, reviews, rated, rating_sum, positive, neutral,
                 negative)
             SELECT brand, day, sum(reviews), sum(rated), sum(rating_sum), sum(positive),
                    sum(neutral), sum(negative)
             FROM product_days GROUP BY brand, day;
             INSERT INTO brand_day_issues (brand, day, code, reviews, negative_neutral, rated_with,
                 rating_sum_with)
             SELECT brand, day, code, sum(reviews), sum(negative_neutral), sum(rated_with),
                    sum(rating_sum_with)
             FROM product_day_issues GROUP BY brand, day, code;
             INSERT INTO brand_day_liked (brand, day, term, reviews)
             SELECT brand, day, term, sum(reviews) FROM product_day_liked GROUP BY brand, day, term;
             INSERT INTO brand_day_aspects (brand, day, term, reviews, rated, rating_sum)
             SELECT brand, day, term, sum(reviews), sum(rated), sum(rating_sum)
             FROM product_day_aspects GROUP BY brand, day, term;",
        )?;
        for sql in indexes.0 {
            self.tx.execute_batch(&sql)?;
        }
        Ok(())
    }

    pub fn put_days(&self, p: &ProductDays) -> Result<()> {
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
        Ok(())
    }
}

/// An inclusive range of days; either end may be open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Also the window of the same length just before (`--compare previous`).
    pub compare_previous: bool,
}

impl Window {
    pub fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// The window of the same length that ends the day before this one starts; an open end is
    /// today (UTC). None without a start.
    pub fn previous(&self, today: NaiveDate) -> Option<Window> {
        let from = self.from?;
        let to = self.to.unwrap_or(today);
        // A start after today with an open end covers no day yet: compare with the day before it
        // rather than a "previous" window that ends before it starts.
        let days = ((to - from).num_days() + 1).max(1);
        // Nothing before year 0 is a day anyone can ask for (`filters::day` reads four digits).
        let first = NaiveDate::from_ymd_opt(0, 1, 1)?;
        let prev_to = from.pred_opt().filter(|d| *d >= first)?;
        let prev_from = from
            .checked_sub_signed(chrono::Duration::days(days))
            .map_or(first, |d| d.max(first));
        Some(Window {
            from: Some(prev_from),
            to: Some(prev_to),
            compare_previous: false,
        })
    }

    /// The first and last day as text, an open end as the lowest or highest day.
    pub(super) fn bounds(&self) -> (String, String) {
        let f = |d: Option<NaiveDate>, open: &str| {
            d.map_or(open.to_string(), |d| d.format("%Y-%m-%d").to_string())
        };
        (f(self.from, ""), f(self.to, "9999-12-31"))
    }
}

/// Which reviews a window covers besides the days, and how its rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Group {
    Product,
    Brand,
    Portfolio,
}

/// Which products: one (`asin`, canonical), or those of some brands (stored spellings; empty:
/// all).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub asin: Option<String>,
    pub brands: Vec<String>,
}

impl Scope {
    /// The SQL condition after the day range (`?1`, `?2`) and its values.
    pub(super) fn condition(&self) -> (String, Vec<SqlValue>) {
        let mut sql = String::from("day >= ?1 AND day <= ?2");
        let mut values = Vec::new();
        if let Some(a) = &self.asin {
            sql.push_str(" AND asin = ?3");
            values.push(SqlValue::Text(a.clone()));
        } else if !self.brands.is_empty() {
            let marks: Vec<String> = (0..self.brands.len())
                .map(|i| format!("?{}", i + 3))
                .collect();
            sql.push_str(&format!(" AND brand IN ({})", marks.join(", ")));
            values.extend(self.brands.iter().map(|b| SqlValue::Text(b.clone())));
        }
        (sql, values)
    }
}

/// An issue's counts in a window.
#[derive(Debug, Clone, Default)]
pub struct IssueCounts {
    pub reviews: i64,
    pub negative_neutral: i64,
    pub rated_with: i64,
    pub rating_sum_with: i64,
    pub products: Option<i64>,
}

impl Store {
    /// Counts in the window per product, per brand, or for the whole scope (key "portfolio").
    pub fn window_counts(
        &self,
        w: &Window,
        scope: &Scope,
        group: Group,
    ) -> Result<Vec<(String, Counts)>> {
        if group == Group::Product {
            return self.window_product_counts(w, scope);
        }
        let key = match group {
            Group::Product => "asin",
            Group::Brand => "brand",
            Group::Portfolio => "'portfolio'",
        };
        let (cond, values) = scope.condition();
        // Brands and the portfolio sum a few rows per brand and day; products their own days.
        let (table, products) = match (group, &scope.asin) {
            (Group::Brand | Group::Portfolio, None) => ("brand_days", "NULL"),
            _ => ("product_days", "count(DISTINCT asin)"),
        };
        let sql = format!(
            "SELECT {key}, sum(reviews), sum(rated), sum(rating_sum), sum(positive), sum(neutral),
                    sum(negative), {products}
             FROM {table} WHERE {cond} GROUP BY 1 HAVING sum(reviews) > 0"
        );
        let (from, to) = w.bounds();
        let mut all = vec![SqlValue::Text(from), SqlValue::Text(to)];
        all.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(all), |r| {
            Ok((
                r.get::<_, String>(0)?,
                Counts {
                    reviews: r.get(1)?,
                    rated: r.get(2)?,
                    rating_sum: r.get(3)?,
                    positive: r.get(4)?,
                    neutral: r.get(5)?,
                    negative: r.get(6)?,
                    products: r.get(7)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Counts in the window per product, summed here from the product-days read in the
    /// covering day index's order: cheaper than SQLite's GROUP BY, which sorts every product-day
    /// of the window by ASIN in a temporary b-tree first (a products list over the portfolio).
    fn window_product_counts(&self, w: &Window, scope: &Scope) -> Result<Vec<(String, Counts)>> {
        let (cond, values) = scope.condition();
        let sql = format!(
            "SELECT asin, reviews, rated, rating_sum, positive, neutral, negative
             FROM product_days WHERE {cond}"
        );
        let (from, to) = w.bounds();
        let mut all = vec![SqlValue::Text(from), SqlValue::Text(to)];
        all.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(all))?;
        let mut sums: HashMap<String, Counts> = HashMap::new();
        while let Some(r) = rows.next()? {
            let asin = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let c = match sums.get_mut(asin) {
                Some(c) => c,
                None => sums.entry(asin.to_string()).or_insert(Counts {
                    products: Some(1),
                    ..Counts::default()
                }),
            };
            c.reviews += r.get::<_, i64>(1)?;
            c.rated += r.get::<_, i64>(2)?;
            c.rating_sum += r.get::<_, i64>(3)?;
            c.positive += r.get::<_, i64>(4)?;
            c.neutral += r.get::<_, i64>(5)?;
            c.negative += r.get::<_, i64>(6)?;
        }
        Ok(sums.into_iter().filter(|(_, c)| c.reviews > 0).collect())
    }

    /// Each issue's counts in the window over the scope.
    pub fn window_issue_counts(
        &self,
        w: &Window,
        scope: &Scope,
    ) -> Result<HashMap<String, IssueCounts>> {
        let (cond, values) = scope.condition();
        let (table, products) = match &scope.asin {
            None => ("brand_day_issues", "NULL"),
            Some(_) => ("product_day_issues", "count(DISTINCT asin)"),
        };
        let sql = format!(
            "SELECT code, sum(reviews), sum(negative_neutral), sum(rated_with), sum(rating_sum_with),
                    {products}
             FROM {table} WHERE {cond} GROUP BY code"
        );
        let (from, to) = w.bounds();
        let mut all = vec![SqlValue::Text(from), SqlValue::Text(to)];
        all.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(all), |r| {
            Ok((
                r.get::<_, String>(0)?,
                IssueCounts {
                    reviews: r.get(1)?,
                    negative_neutral: r.get(2)?,
                    rated_with: r.get(3)?,
                    rating_sum_with: r.get(4)?,
                    products: r.get(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// Reviews praising each liked term in the window over the scope.
    pub fn window_liked_counts(&self, w: &Window, scope: &Scope) -> Result<HashMap<String, i64>> {
        let (cond, values) = scope.condition();
        let table = match &scope.asin {
            None => "brand_day_liked",
            Some(_) => "product_day_liked",
        };
        let sql = format!("SELECT term, sum(reviews) FROM {table} WHERE {cond} GROUP BY term");
        let (from, to) = w.bounds();
        let mut all = vec![SqlValue::Text(from), SqlValue::Text(to)];
        all.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(all), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// The scope of one product, by any letter case of its ASIN.
    pub fn window_product_scope(&self, asin: &str) -> Result<Scope> {
        match self.canonical_asin(asin)? {
            Some(a) => Ok(Scope {
                asin: Some(a),
                brands: Vec::new(),
            }),
            None => Err(Error::NotFound(format!("no product {asin}"))),
        }
    }

    /// The scope of some brands, given in any letter case.
    pub fn window_brand_scope(&self, brands: &[String]) -> Result<Scope> {
        Ok(Scope {
            asin: None,
            brands: self.brand_spellings(brands)?,
        })
    }
}

/// A window's figures, from counts: shares and the average are null when the window holds no
/// (rated) reviews, never NaN.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Figures {
    pub reviews: i64,
    /// null for brands and the portfolio (see `Counts::products`)
    pub products: Option<i64>,
    pub rated: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: Option<f64>,
    pub pct_neutral: Option<f64>,
    pub pct_negative: Option<f64>,
    pub negative: i64,
}

impl Figures {
    pub fn from_counts(c: &Counts) -> Figures {
        let share = |k: i64| (c.reviews > 0).then(|| pct(k, c.reviews));
        Figures {
            reviews: c.reviews,
            products: c.products,
            rated: c.rated,
            avg_rating: avg(c.rating_sum, c.rated),
            pct_positive: share(c.positive),
            pct_neutral: share(c.neutral),
            pct_negative: share(c.negative),
            negative: c.negative,
        }
    }
}

/// A product's, brand's or the portfolio's figures in the window and, with `--compare previous`,
/// in the window before with the changes (Δ reviews, Δ average stars, Δ negative share in points).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowRow {
    /// The ASIN, the brand, or "portfolio".
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Figures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_avg_rating: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_pct_negative: Option<f64>,
    #[serde(skip)]
    pub counts: Counts,
}

/// An issue in the window: reviews reporting it, their share of the scope's reviews, the average
/// stars of the rated reviews with and without it and the stars gained if fixed (from
/// `numbers::MIN_IMPACT_REVIEWS` reporting it), and the change in share since the window before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowIssue {
    pub code: String,
    pub label: String,
    pub reviews: i64,
    pub negative_neutral: i64,
    /// products reporting it: for one product only (null for brands and the portfolio)
    pub products: Option<i64>,
    pub share: Option<f64>,
    pub avg_with: Option<f64>,
    pub avg_without: Option<f64>,
    pub impact: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
    /// Up to 3 quotes (stars, language) from the window's reviews reporting it, newest first (over
    /// brands or the portfolio: newest day, then ASIN descending, then newest review; on the first
    /// 50 issues of the list); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<WindowQuote>,
    #[serde(skip)]
    pub exact_impact: Option<StarImpact>,
}

/// How many liked aspects a window lists (as many as a product's own).
pub const WINDOW_LIKED: usize = 20;

/// A liked aspect in the window: reviews praising it, their share of the scope's reviews, and
/// the change in share since the window before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowLiked {
    pub term: String,
    pub reviews: i64,
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
}

/// The scope's most praised terms in the window (ties by term), given its reviews in the window
/// (`all`) and, when compared, the counts and reviews of the window before.
pub fn window_liked(
    now: HashMap<String, i64>,
    all: i64,
    before: Option<(HashMap<String, i64>, i64)>,
) -> Vec<WindowLiked> {
    let mut ranked: Vec<(String, i64)> = now.into_iter().filter(|(_, k)| *k > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(WINDOW_LIKED);
    ranked
        .into_iter()
        .map(|(term, k)| {
            let prev = before
                .as_ref()
                .map(|(b, n)| (b.get(&term).copied().unwrap_or(0), *n));
            WindowLiked {
                reviews: k,
                share: (all > 0).then(|| pct(k, all)),
                previous_reviews: prev.map(|p| p.0),
                delta_share: prev.and_then(|p| pct_delta((k, all), Some(p))),
                term,
            }
        })
        .collect()
}

/// A row of `report liked` over a window: one brand's liked aspect (`--by-brand`) or the sum's.
#[derive(Debug, Clone, Serialize)]
pub struct WindowLikedRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(flatten)]
    pub liked: WindowLiked,
}

/// Liked-term counts per brand.
type BrandLiked = HashMap<String, HashMap<String, i64>>;

impl Store {
    /// What customers liked in the window across `brands` (all if empty): summed, or each
    /// brand's (by name) with `by_brand`; with the window before when `w` asks.
    pub fn window_liked_rows(
        &self,
        w: &Window,
        brands: &[String],
        by_brand: bool,
    ) -> Result<Vec<WindowLikedRow>> {
        let scope = self.window_brand_scope(brands)?;
        let prev = match w.compare_previous {
            true => w.previous(chrono::Utc::now().date_naive()),
            false => None,
        };
        let group = if by_brand {
            Group::Brand
        } else {
            Group::Portfolio
        };
        // Each key's reviews and liked-term counts in a window (the portfolio's key: "").
        let counts = |win: &Window| -> Result<(HashMap<String, i64>, BrandLiked)> {
            let reviews = (self.window_counts(win, &scope, group)?.into_iter())
                .map(|(k, c)| (if by_brand { k } else { String::new() }, c.reviews))
                .collect();
            let liked = match by_brand {
                true => self.window_liked_by_brand(win, &scope)?,
                false => HashMap::from([(String::new(), self.window_liked_counts(win, &scope)?)]),
            };
            Ok((reviews, liked))
        };
        let (reviews, mut liked) = counts(w)?;
        let before = prev.as_ref().map(counts).transpose()?;
        let mut keys: Vec<&String> = reviews.keys().collect();
        keys.sort();
        let mut out = Vec::new();
        for key in keys {
            let then = before.as_ref().map(|(r, l)| {
                let terms = l.get(key).cloned().unwrap_or_default();
                (terms, r.get(key).copied().unwrap_or(0))
            });
            let now = liked.remove(key).unwrap_or_default();
            out.extend(
                window_liked(now, reviews[key], then)
                    .into_iter()
                    .map(|l| WindowLikedRow {
                        brand: by_brand.then(|| key.clone()),
                        liked: l,
                    }),
            );
        }
        Ok(out)
    }

    /// Reviews praising each liked term in the window, per brand of the scope.
    fn window_liked_by_brand(&self, w: &Window, scope: &Scope) -> Result<BrandLiked> {
        let (cond, values) = scope.condition();
        let sql = format!(
            "SELECT brand, term, sum(reviews) FROM brand_day_liked WHERE {cond} GROUP BY 1, 2"
        );
        let (from, to) = w.bounds();
        let mut all = vec![SqlValue::Text(from), SqlValue::Text(to)];
        all.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(all))?;
        let mut out: BrandLiked = HashMap::new();
        while let Some(r) = rows.next()? {
            let (brand, term): (String, String) = (r.get(0)?, r.get(1)?);
            out.entry(brand).or_default().insert(term, r.get(2)?);
        }
        Ok(out)
    }
}

/// Rows in the window, with the window before when asked for.
pub fn window_rows(
    now: Vec<(String, Counts)>,
    before: Option<Vec<(String, Counts)>>,
) -> Vec<WindowRow> {
    let before: Option<HashMap<String, Counts>> = before.map(|b| b.into_iter().collect());
    now.into_iter()
        .map(|(key, c)| {
            let prev = before
                .as_ref()
                .map(|b| b.get(&key).copied().unwrap_or_default());
            WindowRow {
                figures: Figures::from_counts(&c),
                previous: prev.as_ref().map(Figures::from_counts),
                delta_reviews: prev.map(|p| c.reviews - p.reviews),
                delta_avg_rating: prev.and_then(|p| avg_change(&c, &p)),
                delta_pct_negative: prev.and_then(|p| {
                    pct_delta((c.negative, c.reviews), Some((p.negative, p.reviews)))
                }),
                key,
                counts: c,
            }
        })
        .collect()
}

/// The change in average stars to 0.01, from the exact averages.
fn avg_change(now: &Counts, before: &Counts) -> Option<f64> {
    if now.rated == 0 || before.rated == 0 {
        return None;
    }
    let num = 100
        * (now.rating_sum as i128 * before.rated as i128
            - before.rating_sum as i128 * now.rated as i128);
    let den = now.rated as i128 * before.rated as i128;
    let q = (2 * num.abs() + den) / (2 * den);
    Some((if num < 0 { -q } else { q }) as f64 / 100.0)
}

/// The issues of a scope in the window, in `sort`'s order, given the scope's own counts (`all`).
pub fn window_issues(
    now: HashMap<String, IssueCounts>,
    all: &Counts,
    before: Option<(HashMap<String, IssueCounts>, Counts)>,
    sort: IssueSort,
    labels: &crate::topics::Labels,
) -> Vec<WindowIssue> {
    let mut out: Vec<WindowIssue> = now
        .into_iter()
        .filter(|(_, c)| c.reviews > 0)
        .map(|(code, c)| {
            let with = (c.rated_with, c.rating_sum_with);
            let stars = star_figures(with, (all.rated, all.rating_sum));
            let prev = before.as_ref().map(|(b, bc)| {
                let k = b.get(&code).map_or(0, |p| p.reviews);
                (k, bc.reviews)
            });
            WindowIssue {
                label: labels.label(&code),
                reviews: c.reviews,
                negative_neutral: c.negative_neutral,
                products: c.products,
                share: (all.reviews > 0).then(|| pct(c.reviews, all.reviews)),
                avg_with: stars.with,
                avg_without: stars.without,
                impact: stars.gained,
                previous_reviews: prev.map(|p| p.0),
                delta_share: prev.and_then(|p| pct_delta((c.reviews, all.reviews), Some(p))),
                exact_impact: StarImpact::new(with, (all.rated, all.rating_sum)),
                examples: Vec::new(),
                code,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        match sort {
            IssueSort::Reviews => {
                (b.negative_neutral, b.reviews).cmp(&(a.negative_neutral, a.reviews))
            }
            IssueSort::Impact => match (&a.exact_impact, &b.exact_impact) {
                (Some(x), Some(y)) => y.cmp(x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        }
        .then_with(|| a.code.cmp(&b.code))
    });
    out
}

/// Earlier successful analysis runs as (highest ingest run they covered, day they started),
/// keeping only runs that covered something new, so both columns rise.
fn run_days_of(conn: &rusqlite::Connection) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT ingest_watermark, substr(started_at, 1, 10) FROM analysis_runs
         WHERE status IN ('ok', 'unchanged') ORDER BY id",
    )?;
    let all = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for (w, d) in all {
        if out.last().is_none_or(|l| w > l.0) {
            out.push((w, d));
        }
    }
    Ok(out)
}

impl super::insights::Reader {
    /// See `run_days_of`.
    pub fn run_days(&self) -> Result<Vec<(i64, String)>> {
        run_days_of(&self.conn)
    }
}

/// The ingest runs (`first_run`, exclusive low and inclusive high) whose undated reviews count
/// in the window: those first analyzed by a run that started on a day in it (`runs` as
/// `run_days_of` gives them), or by none yet when `today` is in it, as `analyze::days` counts.
pub(super) fn undated_runs(
    runs: &[(i64, String)],
    from: &str,
    to: &str,
    today: &str,
) -> (i64, i64) {
    let i0 = runs.partition_point(|(_, d)| d.as_str() < from);
    let i1 = runs.partition_point(|(_, d)| d.as_str() <= to);
    let lo = if i0 == 0 { i64::MIN } else { runs[i0 - 1].0 };
    let hi = if i1 == runs.len() && from <= today && today <= to {
        i64::MAX
    } else if i1 == 0 {
        i64::MIN
    } else {
        runs[i1 - 1].0
    };
    (lo, hi)
}

impl Store {
    /// The SQL condition that review `r` (aliased so) counts in the window: its own date when it
    /// has a valid one, else the day of the analysis run in which it first appeared (as the
    /// per-day counts place it). Its values are pushed onto `args`.
    pub(super) fn review_in_window(&self, w: &Window, args: &mut Vec<SqlValue>) -> Result<String> {
        let (from, to) = w.bounds();
        let today = chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let (lo, hi) = undated_runs(&run_days_of(&self.conn)?, &from, &to, &today);
        let n = args.len();
        args.extend([
            SqlValue::Text(from),
            SqlValue::Text(to),
            SqlValue::Integer(lo),
            SqlValue::Integer(hi),
        ]);
        Ok(format!(
            "(CASE WHEN date(substr(r.review_date, 1, 10)) = substr(r.review_date, 1, 10)
                   THEN substr(r.review_date, 1, 10) BETWEEN ?{} AND ?{}
                   ELSE r.first_run > ?{} AND r.first_run <= ?{} END)",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ))
    }
}

/// What a windowed view shows: one product, a list of products or brands (sorted by a figure in
/// the window), the issues across products, or the portfolio with its issues.
#[derive(Debug, Clone)]
pub enum WindowView {
    Product(String),
    Products {
        brands: Vec<String>,
        min_reviews: Option<i64>,
        sort: ProductSort,
        descending: bool,
        limit: usize,
        /// Continue after this row (the API's `cursor`).
        after: Option<ListKey>,
    },
    Brands {
        brands: Vec<String>,
        sort: BrandSort,
        descending: bool,
        limit: usize,
        after: Option<ListKey>,
    },
    Issues {
        brands: Vec<String>,
        sort: IssueSort,
        /// The page: at most `limit` issues, after the issue whose code is `after`.
        limit: usize,
        after: Option<String>,
    },
    Portfolio {
        brands: Vec<String>,
    },
}

/// A row's place in a windowed list: its sort value (None: it has none) and its key, as the
/// unwindowed lists' cursors carry them.
#[derive(Debug, Clone, PartialEq)]
pub struct ListKey {
    pub value: Option<f64>,
    pub key: String,
}

/// The page a windowed list returned: the rows in the whole list and where the page ended when
/// more follow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub total: usize,
    pub next: Option<ListKey>,
}

/// A view over a window, in every format and the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowReport {
    /// product, products, brands, issues or portfolio
    pub view: &'static str,
    /// The window's first and last day (null: open).
    pub from: Option<String>,
    pub to: Option<String>,
    /// The window compared with, with `compare=previous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_to: Option<String>,
    /// Reviews of the whole scope in the window.
    pub reviews: i64,
    /// "no reviews in window" when it holds none (figures are then null, not NaN).
    pub message: Option<String>,
    pub rows: Vec<WindowRow>,
    pub issues: Vec<WindowIssue>,
    /// What the scope's reviews in the window praise, most often first (product, brands and
    /// portfolio views; empty for the products and issues lists).
    pub liked_aspects: Vec<WindowLiked>,
    /// What the scope's reviews in the window complain about, most named first (up to 20), with
    /// star figures as a product's `complaint_aspects` (empty for the products list).
    pub complaint_aspects: Vec<WindowAspect>,
    /// The products and brands lists' page (the API's paging fields).
    #[serde(skip)]
    pub page: Option<ListPage>,
}

fn day_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Store {
    /// A view's name, the products it covers and how its rows are grouped.
    fn view_scope(&self, view: &WindowView) -> Result<(&'static str, Scope, Group)> {
        Ok(match view {
            WindowView::Product(a) => ("product", self.window_product_scope(a)?, Group::Product),
            WindowView::Products { brands, .. } => {
                ("products", self.window_brand_scope(brands)?, Group::Product)
            }
            WindowView::Brands { brands, .. } => {
                ("brands", self.window_brand_scope(brands)?, Group::Brand)
            }
            WindowView::Issues { brands, .. } => {
                ("issues", self.window_brand_scope(brands)?, Group::Portfolio)
            }
            WindowView::Portfolio { brands } => (
                "portfolio",
                self.window_brand_scope(brands)?,
                Group::Portfolio,
            ),
        })
    }

    /// The view over the window `w` (and the one before it when `w` asks).
    pub fn window_report(&self, w: &Window, view: &WindowView) -> Result<WindowReport> {
        let (name, scope, group) = self.view_scope(view)?;
        let prev = if w.compare_previous {
            w.previous(chrono::Utc::now().date_naive())
        } else {
            None
        };
        let total = |win: &Window| -> Result<Counts> {
            let t = self.window_counts(win, &scope, Group::Portfolio)?;
            Ok(t.into_iter().next().map(|(_, c)| c).unwrap_or_default())
        };
        let all = total(w)?;
        let before = match &prev {
            Some(p) => Some(self.window_counts(p, &scope, group)?),
            None => None,
        };
        let mut now = match group {
            Group::Portfolio if all.reviews > 0 => vec![("portfolio".to_string(), all)],
            _ => self.window_counts(w, &scope, group)?,
        };
        if now.is_empty() && group != Group::Brand && !matches!(view, WindowView::Products { .. }) {
            let key = scope.asin.clone().unwrap_or_else(|| "portfolio".into());
            now.push((key, Counts::default()));
        }
        let mut rows = window_rows(now, before);
        let issues = match view {
            WindowView::Products { .. } => Vec::new(),
            _ => {
                let sort = match view {
                    WindowView::Issues { sort, .. } => *sort,
                    _ => IssueSort::Reviews,
                };
                let before = match &prev {
                    Some(p) => Some((self.window_issue_counts(p, &scope)?, total(p)?)),
                    None => None,
                };
                let now = self.window_issue_counts(w, &scope)?;
                window_issues(now, &all, before, sort, &self.labels()?)
            }
        };
        let liked_aspects = match view {
            WindowView::Product(_) | WindowView::Brands { .. } | WindowView::Portfolio { .. } => {
                let before = match &prev {
                    Some(p) => Some((self.window_liked_counts(p, &scope)?, total(p)?.reviews)),
                    None => None,
                };
                window_liked(self.window_liked_counts(w, &scope)?, all.reviews, before)
            }
            _ => Vec::new(),
        };
        let mut issues = issues;
        let page = match view {
            WindowView::Issues { limit, after, .. } => {
                Some(page_issues(&mut issues, after, *limit)?)
            }
            _ => sort_rows(&mut rows, view),
        };
        let complaint_aspects = match (&scope.asin, view) {
            (Some(asin), _) => self.attach_evidence(asin, w, &all, &mut issues)?,
            (None, WindowView::Products { .. }) => Vec::new(),
            (None, _) => self.attach_scope_evidence(&scope, w, &all, &mut issues)?,
        };
        Ok(WindowReport {
            view: name,
            from: day_text(w.from),
            to: day_text(w.to),
            previous_from: prev.as_ref().and_then(|p| day_text(p.from)),
            previous_to: prev.as_ref().and_then(|p| day_text(p.to)),
            reviews: all.reviews,
            message: (all.reviews == 0).then(|| "no reviews in window".to_string()),
            rows,
            issues,
            liked_aspects,
            complaint_aspects,
            page,
        })
    }
}

impl Store {
    /// One product's quotes (onto its `issues`) and complaint aspects in the window.
    fn attach_evidence(
        &self,
        asin: &str,
        w: &Window,
        all: &Counts,
        issues: &mut [WindowIssue],
    ) -> Result<Vec<WindowAspect>> {
        let mut ev = self.window_evidence(asin, w, all)?;
        for i in issues {
            i.examples = ev.quotes.remove(&i.code).unwrap_or_default();
        }
        Ok(ev.aspects)
    }
}

/// The issues view's page (see `views::issue_page`); a cursor whose issue is no longer listed is
/// a bad `cursor`.
fn page_issues(
    issues: &mut Vec<WindowIssue>,
    after: &Option<String>,
    limit: usize,
) -> Result<ListPage> {
    let p = issue_page(issues, |i| i.code.as_str(), after.as_deref(), limit).ok_or_else(|| {
        Error::BadParam {
            param: "cursor".into(),
            message: "its issue is no longer in this list; start again without a cursor".into(),
        }
    })?;
    Ok(ListPage {
        total: p.total,
        next: p.next.map(|key| ListKey { value: None, key }),
    })
}

impl Store {
    /// A scope's quotes (onto its first `WINDOW_QUOTED_ISSUES` issues) and complaint aspects in
    /// the window (brands, the portfolio, the issues list).
    fn attach_scope_evidence(
        &self,
        scope: &Scope,
        w: &Window,
        all: &Counts,
        issues: &mut [WindowIssue],
    ) -> Result<Vec<WindowAspect>> {
        let n = issues.len().min(WINDOW_QUOTED_ISSUES);
        let quoted = &mut issues[..n];
        let codes: Vec<String> = quoted.iter().map(|i| i.code.clone()).collect();
        let mut quotes = self.window_scope_quotes(w, scope, &codes)?;
        for i in quoted {
            i.examples = quotes.remove(&i.code).unwrap_or_default();
        }
        self.window_scope_aspects(w, scope, all)
    }
}

/// A row's figure that a list is sorted by.
type Figure = fn(&WindowRow) -> Option<f64>;

/// How a list view orders and cuts its rows: the figure, descending, the page size, the row to
/// continue after, and whether the order is by key alone.
struct ListOrder<'a> {
    value: Figure,
    descending: bool,
    limit: usize,
    after: Option<&'a ListKey>,
    by_key: bool,
}

/// The list order of a products or brands view (products under `min_reviews` in the window
/// dropped from `rows`); None for the other views.
fn list_order<'a>(rows: &mut Vec<WindowRow>, view: &'a WindowView) -> Option<ListOrder<'a>> {
    Some(match view {
        WindowView::Products {
            min_reviews,
            sort,
            descending,
            limit,
            after,
            ..
        } => {
            rows.retain(|r| r.figures.reviews >= min_reviews.unwrap_or(0));
            let f: Figure = match sort {
                ProductSort::Reviews => |r| Some(r.figures.reviews as f64),
                ProductSort::Rating => |r| r.figures.avg_rating,
                ProductSort::Negative => |r| r.figures.pct_negative,
                ProductSort::Trend => |r| r.delta_pct_negative,
                ProductSort::Asin => |_| None,
            };
            let by_key = *sort == ProductSort::Asin;
            (f, *descending, *limit, after.as_ref(), by_key)
        }
        WindowView::Brands {
            sort,
            descending,
            limit,
            after,
            ..
        } => {
            let f: Figure = match sort {
                BrandSort::Reviews => |r| Some(r.figures.reviews as f64),
                BrandSort::Products => |r| r.figures.products.map(|p| p as f64),
                BrandSort::Rating => |r| r.figures.avg_rating,
                BrandSort::Negative => |r| r.figures.pct_negative,
                BrandSort::Brand => |_| None,
            };
            let by_key = *sort == BrandSort::Brand;
            (f, *descending, *limit, after.as_ref(), by_key)
        }
        _ => return None,
    })
    .map(|(value, descending, limit, after, by_key)| ListOrder {
        value,
        descending,
        limit,
        after,
        by_key,
    })
}

impl ListOrder<'_> {
    /// The total order of rows (keys are unique): by the figure (rows without it last), then by
    /// key; by key alone, descending reverses it.
    fn cmp(&self, a: (Option<f64>, &str), b: (Option<f64>, &str)) -> std::cmp::Ordering {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let ord = match (a.0, b.0) {
            (Some(x), Some(y)) if self.descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => Equal,
        }
        .then(a.1.cmp(b.1));
        if self.by_key && self.descending {
            ord.reverse()
        } else {
            ord
        }
    }

    fn place<'r>(&self, r: &'r WindowRow) -> (Option<f64>, &'r str) {
        ((self.value)(r), r.key.as_str())
    }
}

/// Products and brands in the view's order, from the row after its cursor, cut to its limit;
/// returns the page (None for other views).
fn sort_rows(rows: &mut Vec<WindowRow>, view: &WindowView) -> Option<ListPage> {
    let o = list_order(rows, view)?;
    let total = rows.len();
    if let Some(k) = o.after {
        rows.retain(|r| o.cmp(o.place(r), (k.value, &k.key)).is_gt());
    }
    let more = rows.len() > o.limit;
    let order = |a: &WindowRow, b: &WindowRow| o.cmp(o.place(a), o.place(b));
    // Only the first `limit` rows need sorting: a page of a long products list is picked in
    // linear time.
    if o.limit == 0 {
        rows.clear();
    } else if o.limit < rows.len() {
        rows.select_nth_unstable_by(o.limit - 1, order);
        rows.truncate(o.limit);
    }
    rows.sort_by(order);
    let next = (more && !rows.is_empty()).then(|| rows.last()).flatten();
    Some(ListPage {
        total,
        next: next.map(|r| ListKey {
            value: (o.value)(r),
            key: r.key.clone(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::{undated_runs, NaiveDate, Window};

    /// Undated reviews count on the day of the first run whose watermark covers their ingest run
    /// (after the last run: today), so a window takes a range of ingest runs.
    #[test]
    fn the_previous_window_never_starts_before_year_zero() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let w = |from| Window {
            from: Some(from),
            to: None,
            compare_previous: true,
        };
        let today = d(2026, 12, 4);
        let p = w(d(1, 1, 1)).previous(today).unwrap();
        assert_eq!((p.from, p.to), (Some(d(0, 1, 1)), Some(d(0, 12, 31))));
        assert_eq!(w(d(0, 1, 1)).previous(today), None);
        let p = w(d(2026, 11, 5)).previous(today).unwrap();
        assert_eq!((p.from, p.to), (Some(d(2026, 10, 6)), Some(d(2026, 11, 4))));
    }

    #[test]
    fn a_window_takes_the_ingest_runs_whose_first_analysis_fell_in_it() {
        let runs: Vec<(i64, String)> = [(2, "2024-01-10"), (5, "2024-01-20"), (7, "2024-02-01")]
            .iter()
            .map(|(w, d)| (*w, d.to_string()))
            .collect();
        let today = "2024-03-01";
        let r = |from: &str, to: &str| undated_runs(&runs, from, to, today);
        assert_eq!(
            r("", "9999-12-31"),
            (i64::MIN, i64::MAX),
            "all time: every review"
        );
        assert_eq!(
            r("2024-01-10", "2024-01-10"),
            (i64::MIN, 2),
            "ingest runs 1-2"
        );
        assert_eq!(r("2024-01-11", "2024-01-31"), (2, 5), "ingest runs 3-5");
        assert_eq!(r("2024-01-11", "2024-02-15"), (2, 7));
        assert_eq!(r("2024-02-02", "2024-02-28"), (7, 7), "no run: none");
        assert_eq!(
            r("2024-02-02", today),
            (7, i64::MAX),
            "not analyzed yet: today"
        );
        assert_eq!(
            r("", "2024-01-09"),
            (i64::MIN, i64::MIN),
            "before the first run: none"
        );
    }
}
