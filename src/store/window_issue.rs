//! One issue across the portfolio in a time window: the reviews and products reporting it, per
//! brand and per product, from the per-day issue counts (`product_day_issues`, read by its index
//! on issue and day), as `GET /api/v1/issues/{code}` gives them for all time.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::windows::Window;
use super::Store;
use crate::error::Result;

/// Products a windowed issue lists, most reports first.
pub const WINDOW_ISSUE_PRODUCTS: usize = 50;

/// Reviews reporting the issue in the window, and products with one, for a brand or a product.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IssueShare {
    /// The brand, or the product's ASIN.
    pub key: String,
    /// The product's brand (products only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    pub reviews: i64,
    pub products: i64,
}

/// One issue in a window: its totals, its brands (most reports first, ties by name) and its
/// first `WINDOW_ISSUE_PRODUCTS` products (most reports first, ties by ASIN).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WindowIssueDetail {
    pub reviews: i64,
    pub products: i64,
    pub brands: Vec<IssueShare>,
    pub top_products: Vec<IssueShare>,
}

impl Store {
    /// Issue `code` in window `w`, over the whole portfolio.
    pub fn window_issue_detail(&self, w: &Window, code: &str) -> Result<WindowIssueDetail> {
        let (from, to) = w.bounds();
        let mut st = self.conn.prepare_cached(
            "SELECT asin, brand, sum(reviews) FROM product_day_issues
             WHERE code = ?1 AND day >= ?2 AND day <= ?3 GROUP BY asin",
        )?;
        let rows = st.query_map(params![code, from, to], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        let mut d = WindowIssueDetail::default();
        let mut brands: HashMap<String, (i64, i64)> = HashMap::new();
        for row in rows {
            let (asin, brand, reviews): (String, String, i64) = row?;
            if reviews == 0 {
                continue;
            }
            d.reviews += reviews;
            d.products += 1;
            let b = brands.entry(brand.clone()).or_default();
            b.0 += reviews;
            b.1 += 1;
            d.top_products.push(IssueShare {
                key: asin,
                brand: Some(brand),
                reviews,
                products: 1,
            });
        }
        let most =
            |a: &IssueShare, b: &IssueShare| b.reviews.cmp(&a.reviews).then(a.key.cmp(&b.key));
        d.top_products.sort_by(most);
        d.top_products.truncate(WINDOW_ISSUE_PRODUCTS);
        d.brands = (brands.into_iter())
            .map(|(key, (reviews, products))| IssueShare {
                key,
                brand: None,
                reviews,
                products,
            })
            .collect();
        d.brands.sort_by(most);
        Ok(d)
    }
}
