//! One issue across the portfolio in a time window: the reviews and products reporting it, per
//! brand and per product, from the per-day issue counts (`product_day_issues`, read by its index
//! on issue and day), as `GET /api/v1/issues/{code}` gives them for all time; with the window
//! before when compared. Shares are of the reviews of the portfolio, brand or product in the
//! window (`product_days`, `brand_days`).

use std::collections::HashMap;

use rusqlite::{params, params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::window_evidence::WindowQuote;
use super::windows::{Counts, Group, Scope, Window};
use super::Store;
use crate::error::Result;
use crate::numbers::{pct, pct_delta, star_figures};

/// Products a windowed issue lists, most reports first.
pub const WINDOW_ISSUE_PRODUCTS: usize = 50;

/// Reviews reporting the issue in the window and products with one, for a brand; their share of
/// the brand's reviews in the window, and the window before's when compared.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BrandShare {
    pub brand: String,
    pub reviews: i64,
    pub products: i64,
    #[serde(flatten)]
    pub change: Change,
}

/// Reviews of a product reporting the issue in the window; their share of the product's reviews
/// in the window, and the window before's when compared.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProductShare {
    pub asin: String,
    pub brand: String,
    pub reviews: i64,
    #[serde(flatten)]
    pub change: Change,
}

/// A count's share of its scope's reviews in the window and, compared, the window before's count,
/// share and the change in share (points, from the exact shares).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Change {
    /// Percent of the scope's reviews in the window (null: none).
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
}

impl Change {
    /// `now` = (reviews with the issue, the scope's reviews); `before` the same in the window
    /// before, when compared.
    fn new(now: (i64, i64), before: Option<(i64, i64)>) -> Change {
        let share = |(k, n): (i64, i64)| (n > 0).then(|| pct(k, n));
        Change {
            share: share(now),
            previous_reviews: before.map(|b| b.0),
            previous_share: before.and_then(share),
            delta_share: before.and_then(|b| pct_delta(now, Some(b))),
        }
    }
}

/// One issue in a window (`GET /api/v1/issues/{code}?from=&to=&compare=`, `report issue`): its
/// totals, its brands (most reports first, ties by name; compared, also the brands that reported
/// it only before, last) and its first `WINDOW_ISSUE_PRODUCTS` products (most reports first, ties
/// by ASIN).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WindowIssueDetail {
    pub code: String,
    pub label: String,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_to: Option<String>,
    pub reviews: i64,
    pub products: i64,
    #[serde(flatten)]
    pub change: Change,
    /// Products reporting it in the window before (compared only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_products: Option<i64>,
    /// Average stars of the window's rated reviews reporting it, of the others, and the stars the
    /// window's average would gain without it (null under the minimum count, as on `/issues`).
    pub avg_with: Option<f64>,
    pub avg_without: Option<f64>,
    pub impact: Option<f64>,
    /// Up to 3 quotes (stars, language) of distinct texts reporting it in the window, newest
    /// first: the same as its row on `/issues` with the window.
    pub examples: Vec<WindowQuote>,
    pub brands: Vec<BrandShare>,
    pub top_products: Vec<ProductShare>,
}

/// An issue's reviews per product in a window: ASIN → (brand, reviews).
type PerProduct = HashMap<String, (String, i64)>;

/// Per brand: reviews reporting the issue and products with one.
fn per_brand(products: &PerProduct) -> HashMap<String, (i64, i64)> {
    let mut brands: HashMap<String, (i64, i64)> = HashMap::new();
    for (brand, reviews) in products.values() {
        let b = brands.entry(brand.clone()).or_default();
        b.0 += reviews;
        b.1 += 1;
    }
    brands
}

/// What the window before adds to the shares: the issue's products there, the portfolio's,
/// brands' and listed products' reviews there.
struct Before {
    issue: PerProduct,
    portfolio: i64,
    brands: HashMap<String, i64>,
    products: HashMap<String, i64>,
}

impl Store {
    /// Issue `code` in window `w`, over the whole portfolio, compared with the window before when
    /// `w` asks.
    pub fn window_issue_detail(&self, w: &Window, code: &str) -> Result<WindowIssueDetail> {
        let prev = match w.compare_previous {
            true => w.previous(chrono::Utc::now().date_naive()),
            false => None,
        };
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        let now = self.issue_per_product(w, code)?;
        let mut d = WindowIssueDetail {
            code: code.to_string(),
            label: self.labels()?.label(code),
            from: day(w.from),
            to: day(w.to),
            previous_from: prev.as_ref().and_then(|p| day(p.from)),
            previous_to: prev.as_ref().and_then(|p| day(p.to)),
            ..WindowIssueDetail::default()
        };
        for (asin, (brand, reviews)) in &now {
            d.reviews += reviews;
            d.products += 1;
            d.top_products.push(ProductShare {
                asin: asin.clone(),
                brand: brand.clone(),
                reviews: *reviews,
                change: Change::default(),
            });
        }
        (d.top_products).sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.asin.cmp(&b.asin)));
        d.top_products.truncate(WINDOW_ISSUE_PRODUCTS);
        let listed: Vec<String> = d.top_products.iter().map(|p| p.asin.clone()).collect();
        let before = match &prev {
            Some(p) => Some(self.issue_before(p, code, &listed)?),
            None => None,
        };
        let mut brands = per_brand(&now);
        if let Some(b) = &before {
            for brand in per_brand(&b.issue).into_keys() {
                brands.entry(brand).or_default();
            }
        }
        d.brands = (brands.into_iter())
            .map(|(brand, (reviews, products))| BrandShare {
                brand,
                reviews,
                products,
                change: Change::default(),
            })
            .collect();
        (d.brands).sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.brand.cmp(&b.brand)));
        // Every brand's counts in the window, read once: the shares and the stars both need them.
        let by_brand = self.window_counts(w, &Scope::default(), Group::Brand)?;
        self.issue_changes(w, &mut d, before.as_ref(), &listed, &by_brand)?;
        self.issue_stars_and_quotes(w, &mut d, &by_brand)?;
        Ok(d)
    }

    /// What the issue costs the portfolio in stars in the window, from the per-day counts, and
    /// its quotes: what a person reading the issue's page asks next.
    fn issue_stars_and_quotes(
        &self,
        w: &Window,
        d: &mut WindowIssueDetail,
        by_brand: &[(String, Counts)],
    ) -> Result<()> {
        let all = Scope::default();
        let totals =
            (by_brand.iter()).fold((0, 0), |(r, s), (_, c)| (r + c.rated, s + c.rating_sum));
        if let Some(c) = self.window_issue_counts(w, &all)?.get(&d.code) {
            let stars = star_figures((c.rated_with, c.rating_sum_with), totals);
            (d.avg_with, d.avg_without, d.impact) = (stars.with, stars.without, stars.gained);
        }
        d.examples = self.issue_examples(w, &d.code)?;
        Ok(())
    }

    /// Up to 3 quotes of distinct texts reporting issue `code` across the portfolio in window `w`
    /// (an unset window: all time), the newest day's first; what the issue's page quotes with or
    /// without a window.
    pub fn issue_examples(&self, w: &Window, code: &str) -> Result<Vec<WindowQuote>> {
        let codes = [code.to_string()];
        Ok((self.window_scope_quotes(w, &Scope::default(), &codes)?)
            .remove(code)
            .unwrap_or_default())
    }

    /// The shares (and, compared, changes) of the issue's totals, brands and listed products.
    fn issue_changes(
        &self,
        w: &Window,
        d: &mut WindowIssueDetail,
        before: Option<&Before>,
        listed: &[String],
        by_brand: &[(String, Counts)],
    ) -> Result<()> {
        let brands: HashMap<&str, i64> = (by_brand.iter())
            .map(|(k, c)| (k.as_str(), c.reviews))
            .collect();
        let portfolio: i64 = brands.values().sum();
        let products = self.product_reviews(w, listed)?;
        let then_brands = before.map(|b| per_brand(&b.issue));
        d.change = Change::new(
            (d.reviews, portfolio),
            before.map(|b| (b.issue.values().map(|p| p.1).sum(), b.portfolio)),
        );
        d.previous_products = before.map(|b| b.issue.len() as i64);
        for b in &mut d.brands {
            let then = (before.zip(then_brands.as_ref())).map(|(bf, tb)| {
                let k = tb.get(&b.brand).map_or(0, |x| x.0);
                (k, bf.brands.get(&b.brand).copied().unwrap_or(0))
            });
            let n = brands.get(b.brand.as_str()).copied().unwrap_or(0);
            b.change = Change::new((b.reviews, n), then);
        }
        for p in &mut d.top_products {
            let then = before.map(|bf| {
                let k = bf.issue.get(&p.asin).map_or(0, |x| x.1);
                (k, bf.products.get(&p.asin).copied().unwrap_or(0))
            });
            let n = products.get(&p.asin).copied().unwrap_or(0);
            p.change = Change::new((p.reviews, n), then);
        }
        Ok(())
    }

    /// The window before's counts that `issue_changes` compares with.
    fn issue_before(&self, p: &Window, code: &str, listed: &[String]) -> Result<Before> {
        let all = Scope::default();
        let brands: HashMap<String, i64> = (self.window_counts(p, &all, Group::Brand)?)
            .into_iter()
            .map(|(k, c)| (k, c.reviews))
            .collect();
        Ok(Before {
            issue: self.issue_per_product(p, code)?,
            portfolio: brands.values().sum(),
            brands,
            products: self.product_reviews(p, listed)?,
        })
    }

    /// Issue `code`'s reviews per product in window `w` (products with none left out).
    fn issue_per_product(&self, w: &Window, code: &str) -> Result<PerProduct> {
        let (from, to) = w.bounds();
        let mut st = self.conn.prepare_cached(
            "SELECT asin, brand, sum(reviews) FROM product_day_issues
             WHERE code = ?1 AND day >= ?2 AND day <= ?3 GROUP BY asin",
        )?;
        let rows = st.query_map(params![code, from, to], |r| {
            Ok((r.get::<_, String>(0)?, (r.get::<_, String>(1)?, r.get(2)?)))
        })?;
        let all = rows.collect::<rusqlite::Result<PerProduct>>()?;
        Ok(all.into_iter().filter(|(_, (_, n))| *n > 0).collect())
    }

    /// The reviews of each of `asins` in window `w` (by the product-days' key on ASIN and day).
    fn product_reviews(&self, w: &Window, asins: &[String]) -> Result<HashMap<String, i64>> {
        if asins.is_empty() {
            return Ok(HashMap::new());
        }
        let marks: Vec<String> = (0..asins.len()).map(|i| format!("?{}", i + 3)).collect();
        let sql = format!(
            "SELECT asin, sum(reviews) FROM product_days
             WHERE day >= ?1 AND day <= ?2 AND asin IN ({}) GROUP BY asin",
            marks.join(", ")
        );
        let (from, to) = w.bounds();
        let mut args = vec![SqlValue::Text(from), SqlValue::Text(to)];
        args.extend(asins.iter().map(|a| SqlValue::Text(a.clone())));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }
}
