//! `report liked` over a window: what customers liked, summed or per brand, with the window
//! before when compared.

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::window_figures::{window_liked, WindowLiked};
use super::windows::{Group, Scope, Window};
use super::Store;
use crate::error::Result;

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
