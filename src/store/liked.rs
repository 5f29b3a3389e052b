//! What customers like across the portfolio (or some brands), summed from the brands' counts in
//! `brand_liked`, and how a product's liked aspects and issues moved since its previous run.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

use serde_json::Value;

use super::views::{AspectQuote, Change, LikedAspectCount, ProductDetail};
use super::Store;
use crate::error::Result;
use crate::numbers::pct;

/// How many liked aspects the portfolio lists.
const TOP_LIKED: usize = 20;

impl Store {
    /// The liked aspects of the products of `brands` (all if empty, any letter case), most often
    /// praised first, each with its share of the reviews in scope and one quote (preferring a
    /// review whose stars agree with the praise, then the brand praising it most).
    pub fn liked_aspects(&self, brands: &[String]) -> Result<Vec<LikedAspectCount>> {
        let mut args: Vec<SqlValue> = Vec::new();
        let mut filter = String::new();
        let spellings = self.brand_spellings(brands)?;
        super::query::push_brands(&mut filter, &mut args, &spellings, "b.brand");
        let total: i64 = self.conn.query_row(
            &format!(
                "SELECT coalesce(sum(b.review_count), 0) FROM brand_insights b WHERE 1 = 1{filter}"
            ),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let mut st = self.conn.prepare(&format!(
            "SELECT b.term, sum(b.reviews) FROM brand_liked b WHERE 1 = 1{filter}
             GROUP BY b.term ORDER BY 2 DESC, 1 LIMIT {TOP_LIKED}"
        ))?;
        let mut out: Vec<LikedAspectCount> = st
            .query_map(params_from_iter(args.iter()), |r| {
                let count: i64 = r.get(1)?;
                Ok(LikedAspectCount {
                    term: r.get(0)?,
                    count,
                    share: pct(count, total),
                    quote: None,
                    change: None,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut quotes = self.liked_quotes(&out, filter, args)?;
        for a in &mut out {
            a.quote = quotes.remove(&a.term);
        }
        Ok(out)
    }

    /// One quote per term of `liked`, from the brands `filter` and `args` select.
    fn liked_quotes(
        &self,
        liked: &[LikedAspectCount],
        filter: String,
        mut args: Vec<SqlValue>,
    ) -> Result<HashMap<String, AspectQuote>> {
        let mut out = HashMap::new();
        if liked.is_empty() {
            return Ok(out);
        }
        let mut marks = Vec::new();
        for a in liked {
            args.push(a.term.clone().into());
            marks.push(format!("?{}", args.len()));
        }
        let mut st = self.conn.prepare(&format!(
            "SELECT b.term, b.quote, b.quote_stars, b.quote_language FROM brand_liked b
             WHERE b.term IN ({}) AND b.quote IS NOT NULL{filter}
             ORDER BY b.term, (b.quote_stars IS NULL OR b.quote_stars >= 4) DESC, b.reviews DESC,
                      b.brand",
            marks.join(", ")
        ))?;
        let mut rows = st.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let term: String = r.get(0)?;
            if out.contains_key(&term) {
                continue;
            }
            // Stars outside 1..=5 (a damaged row) are no stars.
            let stars: Option<i64> = r.get(2)?;
            let quote = AspectQuote {
                text: r.get(1)?,
                stars: stars
                    .and_then(|s| u8::try_from(s).ok())
                    .filter(|s| (1..=5).contains(s)),
                language: r.get(3)?,
            };
            out.insert(term, quote);
        }
        Ok(out)
    }
}

/// Sets how `p`'s issues and liked aspects moved since `before`, the snapshot of its previous
/// analysis run (None: its first run, every change null). An issue the snapshot does not list had
/// no review; a liked aspect it does not list had none only if it listed them all.
pub(super) fn set_changes(p: &mut ProductDetail, before: Option<&Value>) {
    let n = p.review_count;
    let n0 = before.and_then(|b| b["review_count"].as_i64());
    p.previous_review_count = n0;
    let issues = before.and_then(|b| b["issues"].as_object());
    for i in p.issues.iter_mut().chain(p.mentioned_in_praise.iter_mut()) {
        let k0 = issues.map(|m| m.get(&i.code).and_then(Value::as_i64).unwrap_or(0));
        i.change = Change::new(i.count, n, k0.zip(n0));
    }
    let liked = kept_counts(before, "liked");
    for a in &mut p.liked_aspects {
        a.change = Some(Change::new(a.count, n, liked(&a.term).zip(n0)));
    }
    let disliked = kept_counts(before, "aspects");
    for a in &mut p.complaint_aspects {
        a.change = Some(Change::new(a.count, n, disliked(&a.term).zip(n0)));
    }
}

/// A term's count in the snapshot's kept counts under `key` (`{"counts", "unlisted_max"}`): a
/// term it does not list had none only if it listed them all; None when the snapshot kept none
/// (its first run, or written before it kept them).
fn kept_counts<'a>(before: Option<&'a Value>, key: &str) -> impl Fn(&str) -> Option<i64> + 'a {
    let kept = before.map(|b| &b[key]);
    let counts = kept.and_then(|l| l["counts"].as_object());
    let all_listed = kept.and_then(|l| l["unlisted_max"].as_i64()) == Some(0);
    move |term| {
        let counts = counts?;
        match counts.get(term).and_then(Value::as_i64) {
            Some(k) => Some(k),
            None => all_listed.then_some(0),
        }
    }
}
