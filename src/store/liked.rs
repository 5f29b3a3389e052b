//! What customers like across the portfolio (or some brands), summed from the brands' counts in
//! `brand_liked`, and how a product's liked aspects and issues moved since its previous run.

use std::collections::HashMap;

use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

use super::views::{AspectQuote, LikedAspectCount};
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
