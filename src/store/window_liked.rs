//! `report liked` over a window: what customers liked, summed or per brand, with the window
//! before when compared; and each liked aspect's quote from the window.

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::views::AspectQuote;
use super::window_figures::{window_liked, WindowLiked};
use super::windows::{Group, Scope, Window};
use super::Store;
use crate::error::Result;
use crate::model::LikedAspect;

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
            let mut rows = window_liked(now, reviews[key], then);
            // Each row's quote from its own scope: the brand's reviews, or the whole scope's.
            let quoted = match by_brand {
                true => Scope {
                    asin: None,
                    brands: vec![key.clone()],
                },
                false => scope.clone(),
            };
            self.quote_liked(w, &quoted, &mut rows)?;
            out.extend(rows.into_iter().map(|l| WindowLikedRow {
                brand: by_brand.then(|| key.clone()),
                liked: l,
            }));
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

/// Dated reviews praising a term that a liked aspect's quote is looked for in: enough that one
/// whose stars agree with the praise is usually among them.
const LIKED_QUOTE_READ: i64 = 5;

impl Store {
    /// One quote per liked term of `terms` from the scope's reviews in the window, as all-time
    /// liked aspects have: the newest review read whose stars agree with the praise (4 or 5, or
    /// none), else the newest. A product's are read from its reviews in the window; a wider
    /// scope's from the few products whose newest days hold `LIKED_QUOTE_READ` reviews praising
    /// the term, found through the index on (term, day, ASIN).
    pub fn window_liked_quotes(
        &self,
        w: &Window,
        scope: &Scope,
        terms: &[String],
    ) -> Result<HashMap<String, AspectQuote>> {
        if terms.is_empty() {
            return Ok(HashMap::new());
        }
        let asins = match &scope.asin {
            Some(a) => vec![a.clone()],
            None => {
                let mut asins: Vec<String> = Vec::new();
                for term in terms {
                    for a in self.newest_praising(w, scope, term)? {
                        if !asins.contains(&a) {
                            asins.push(a);
                        }
                    }
                }
                asins
            }
        };
        self.liked_quotes_of(w, &asins, terms)
    }

    /// The products of the scope praising `term` in the window, newest day first (ASINs
    /// descending), until their dated reviews praising it reach `LIKED_QUOTE_READ`.
    fn newest_praising(&self, w: &Window, scope: &Scope, term: &str) -> Result<Vec<String>> {
        let key = ("product_day_liked", "term", term);
        Ok(self.newest_holding(w, scope, key, LIKED_QUOTE_READ)?.0)
    }

    /// The quote of each of `terms` in the reviews of products `asins` dated in the window, the
    /// newest review first.
    fn liked_quotes_of(
        &self,
        w: &Window,
        asins: &[String],
        terms: &[String],
    ) -> Result<HashMap<String, AspectQuote>> {
        let mut quotes: HashMap<String, AspectQuote> = HashMap::new();
        if asins.is_empty() {
            return Ok(quotes);
        }
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut args: Vec<SqlValue> = vec![analyzer.into()];
        let marks: Vec<String> = (0..asins.len()).map(|i| format!("?{}", i + 2)).collect();
        args.extend(asins.iter().map(|a| SqlValue::Text(a.clone())));
        let cond = self.review_in_window(w, &mut args)?;
        let sql = format!(
            "SELECT r.rating, t.language, t.liked
             FROM reviews r JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE r.asin IN ({}) AND r.retired_run IS NULL AND {cond} AND t.liked != '[]'
             ORDER BY CASE WHEN date(substr(r.review_date, 1, 10)) = substr(r.review_date, 1, 10)
                      THEN substr(r.review_date, 1, 10) END DESC, r.asin DESC, r.id DESC",
            marks.join(", ")
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            // Stars outside 1..=5 (a damaged row) are no stars.
            let stars: Option<u8> = (r.get::<_, Option<i64>>(0)?)
                .and_then(|s| u8::try_from(s).ok())
                .filter(|s| (1..=5).contains(s));
            let language: Option<String> = r.get(1)?;
            let liked: Option<String> = r.get(2)?;
            let liked: Vec<LikedAspect> = liked
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            for l in liked.into_iter().filter(|l| terms.contains(&l.term)) {
                offer_liked_quote(&mut quotes, l, stars, &language);
            }
        }
        Ok(quotes)
    }
}

/// Keeps `l` as its term's quote unless one is kept already, or replaces a kept quote whose
/// stars disagree with the praise by one whose stars agree (4 or 5, or none): offered newest
/// first, the newest agreeing review's sentence stays.
pub(super) fn offer_liked_quote(
    quotes: &mut HashMap<String, AspectQuote>,
    l: LikedAspect,
    stars: Option<u8>,
    language: &Option<String>,
) {
    let agrees = |s: Option<u8>| s.is_none_or(|s| s >= 4);
    let better = (quotes.get(&l.term)).is_none_or(|q| agrees(stars) && !agrees(q.stars));
    if better {
        let quote = AspectQuote {
            text: l.evidence,
            stars,
            language: language.clone(),
        };
        quotes.insert(l.term, quote);
    }
}
