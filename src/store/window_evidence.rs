//! What one product's reviews in a time window say in words: its complaint aspects (with their
//! star figures) and example quotes per issue. Read from the product's reviews at request time
//! (one pass over them through the ASIN index, about 2 µs a review), not from per-day counts:
//! quotes are text, and aspects are many terms per review.

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::views::{AspectQuote, BreakdownCounts};
use super::window_liked::offer_liked_quote;
use super::windows::{Counts, Scope, Window};
use super::Store;
use crate::error::Result;
use crate::model::{overall_sentiment, IssueHit, LikedAspect, Sentiment};
use crate::names::Names;
use crate::numbers::{pct, pct_delta, star_figures};

/// Quotes per issue in a window, as a product's issues carry (`EXAMPLES` in the roll-up).
pub const WINDOW_EXAMPLES: usize = 3;
/// Complaint aspects a window lists, as many as a product's own.
pub const WINDOW_ASPECTS: usize = 20;

/// A sentence that shows an issue, from a review dated in the window, with its stars and language.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WindowQuote {
    pub review_id: String,
    pub text: String,
    pub rating: Option<i64>,
    pub language: Option<String>,
}

/// A complaint aspect in the window: reviews naming it, their share of the window's reviews,
/// the average stars of the rated ones and of the others, and the stars the window's average
/// would gain without it (as a product's); with `--compare previous` also the reviews naming it
/// in the window before, their share of that window's reviews and the change in share (points).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct WindowAspect {
    pub term: String,
    pub count: i64,
    /// Percent of the window's reviews naming it (null: no reviews).
    pub share: Option<f64>,
    pub avg_rating_with: Option<f64>,
    pub avg_rating_without: Option<f64>,
    pub stars_gained: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_count: Option<i64>,
    /// Percent of the window before's reviews naming it (null there: it held no reviews).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
}

/// Reviews naming each term in the window before and that window's reviews: what complaint
/// aspects are compared with.
pub type AspectsBefore = (HashMap<String, i64>, i64);

/// One product's words in a window: quotes per issue code and, per term, the reviews naming it,
/// the rated ones and their stars summed (names of the product's brand or maker left out).
#[derive(Debug, Default)]
pub struct Evidence {
    pub quotes: HashMap<String, Vec<WindowQuote>>,
    pub terms: HashMap<String, [i64; 3]>,
    /// The reviews per marketplace and per language, counted as the product's roll-up does.
    pub slices: BreakdownCounts,
    /// A quote per liked term, chosen as `window_liked_quotes` chooses them.
    pub liked: HashMap<String, AspectQuote>,
}

impl Store {
    /// The complaint-aspect counts and issue quotes of product `asin` (canonical) in window `w`,
    /// the newest reviews' quotes first. Aspects that are only names (the brand, a maker, a model
    /// code) are left out, as in the product's own roll-up.
    pub fn window_evidence(&self, asin: &str, w: &Window) -> Result<Evidence> {
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut args: Vec<SqlValue> = vec![analyzer.into(), asin.to_string().into()];
        let cond = self.review_in_window(w, &mut args)?;
        let sql = format!(
            "SELECT coalesce(r.source_review_id, r.review_key), r.rating, t.language, t.issues,
                    t.aspects, p.brand, t.text_sentiment, coalesce(r.marketplace, p.marketplace),
                    t.liked
             FROM reviews r JOIN products p ON p.asin = r.asin
             JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE r.asin = ?2 AND r.retired_run IS NULL AND {cond}
             ORDER BY r.review_date DESC, r.id DESC"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        let mut ev = Evidence::default();
        // Per term: reviews naming it, the rated ones and their stars summed.
        let mut terms: HashMap<String, [i64; 3]> = HashMap::new();
        let mut brand: Option<String> = None;
        while let Some(r) = rows.next()? {
            let rating: Option<i64> = r.get(1)?;
            let language: Option<String> = r.get(2)?;
            let issues: Option<String> = r.get(3)?;
            let aspects: Option<String> = r.get(4)?;
            brand = r.get(5)?;
            let review_id: String = r.get(0)?;
            let hits = super::pages::parse_issues(issues.as_deref());
            let text: Option<String> = r.get(6)?;
            let market: Option<String> = r.get(7)?;
            add_slices(&mut ev.slices, rating, text, [&language, &market], &hits);
            let liked: Option<String> = r.get(8)?;
            add_liked_quotes(&mut ev.liked, liked, rating, &language);
            for hit in hits {
                add_quote(&mut ev.quotes, hit, &review_id, rating, &language);
            }
            let stars = rating.filter(|x| (1..=5).contains(x));
            let named: Vec<String> = aspects
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            for a in named {
                let c = terms.entry(a).or_default();
                c[0] += 1;
                if let Some(x) = stars {
                    c[1] += 1;
                    c[2] += x;
                }
            }
        }
        let names = Names::new();
        terms.retain(|t, _| !names.is_name_term(brand.as_deref(), t));
        ev.terms = terms;
        Ok(ev)
    }
}

/// Counts a review in its language's and its marketplace's slices ("unknown" when it names
/// none), with the overall label the product's roll-up gives it (stars, else the text).
fn add_slices(
    slices: &mut BreakdownCounts,
    rating: Option<i64>,
    text: Option<String>,
    [language, market]: [&Option<String>; 2],
    hits: &[IssueHit],
) {
    let stars = rating
        .and_then(|x| u8::try_from(x).ok())
        .filter(|x| (1..=5).contains(x));
    let all = overall_sentiment(stars, text.as_deref().and_then(Sentiment::parse));
    let keys = [
        (&mut slices.language, language),
        (&mut slices.marketplace, market),
    ];
    for (m, key) in keys {
        let c = m
            .entry(key.as_deref().unwrap_or("unknown").to_string())
            .or_default();
        c.reviews += 1;
        if let Some(x) = stars {
            c.rated += 1;
            c.rating_sum += i64::from(x);
        }
        c.negative += i64::from(all == Sentiment::Negative);
        for hit in hits {
            let e = c.issues.entry(hit.code.clone()).or_default();
            e.0 += 1;
            e.1 += i64::from(all != Sentiment::Positive);
        }
    }
}

/// Offers each sentence the review's stored `liked` results praise as its term's quote.
fn add_liked_quotes(
    quotes: &mut HashMap<String, AspectQuote>,
    liked: Option<String>,
    rating: Option<i64>,
    language: &Option<String>,
) {
    if liked.as_deref().is_none_or(|l| l == "[]") {
        return;
    }
    let stars = rating
        .and_then(|x| u8::try_from(x).ok())
        .filter(|x| (1..=5).contains(x));
    let items: Vec<LikedAspect> = liked
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    for l in items {
        offer_liked_quote(quotes, l, stars, language);
    }
}

fn add_quote(
    quotes: &mut HashMap<String, Vec<WindowQuote>>,
    hit: IssueHit,
    review_id: &str,
    rating: Option<i64>,
    language: &Option<String>,
) {
    let q = quotes.entry(hit.code).or_default();
    // The same review posted on two marketplaces has the same text: one quote of it is enough.
    let seen = |t: &str| (q.iter()).any(|x| crate::model::same_quote(&x.text, t));
    if q.len() < WINDOW_EXAMPLES && !seen(&hit.evidence) {
        q.push(WindowQuote {
            review_id: review_id.to_string(),
            text: hit.evidence,
            rating,
            language: language.clone(),
        });
    }
}

/// The most named terms (reviews, rated, stars summed), ties by term, with their share of and
/// star figures against `all`, and compared with `before` when given.
pub fn top_aspects(
    terms: HashMap<String, [i64; 3]>,
    all: &Counts,
    before: Option<&AspectsBefore>,
) -> Vec<WindowAspect> {
    let mut ranked: Vec<(String, [i64; 3])> = terms.into_iter().filter(|(_, c)| c[0] > 0).collect();
    ranked.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(WINDOW_ASPECTS);
    let share = |k: i64, n: i64| (n > 0).then(|| pct(k, n));
    ranked
        .into_iter()
        .map(|(term, c)| {
            let f = star_figures((c[1], c[2]), (all.rated, all.rating_sum));
            let prev = before.map(|(b, n)| (b.get(&term).copied().unwrap_or(0), *n));
            WindowAspect {
                count: c[0],
                share: share(c[0], all.reviews),
                avg_rating_with: f.with,
                avg_rating_without: f.without,
                stars_gained: f.gained,
                previous_count: prev.map(|p| p.0),
                previous_share: prev.and_then(|(k, n)| share(k, n)),
                delta_share: prev.and_then(|p| pct_delta((c[0], all.reviews), Some(p))),
                term,
            }
        })
        .collect()
}

/// Reviews naming each term, of per-term (reviews, rated, stars) counts.
pub fn term_reviews(terms: HashMap<String, [i64; 3]>) -> HashMap<String, i64> {
    terms.into_iter().map(|(t, c)| (t, c[0])).collect()
}

/// How many issues of a window over brands, the portfolio or the issues list get quotes: the
/// first shown. Each costs an index range on (issue, day) and a read of the few products whose
/// newest days report it.
pub const WINDOW_QUOTED_ISSUES: usize = 50;
/// How many times an issue short of distinct quotes reads further products.
const QUOTE_ROUNDS: usize = 4;

impl Store {
    /// Per complaint aspect, the scope's reviews in the window naming it, the rated ones and their
    /// stars (brands, or the portfolio), from the per-day counts `analyze` wrote (names of a
    /// product's brand or maker left out there).
    pub fn window_scope_aspects(
        &self,
        w: &Window,
        scope: &Scope,
    ) -> Result<HashMap<String, [i64; 3]>> {
        let (cond, values) = scope.condition();
        let sql = format!(
            "SELECT term, sum(reviews), sum(rated), sum(rating_sum) FROM brand_day_aspects
             WHERE {cond} GROUP BY term"
        );
        let (from, to) = w.bounds();
        let mut args = vec![SqlValue::Text(from), SqlValue::Text(to)];
        args.extend(values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok((r.get::<_, String>(0)?, [r.get(1)?, r.get(2)?, r.get(3)?]))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// Up to `WINDOW_EXAMPLES` quotes of distinct texts per issue `codes` names from the scope's
    /// reviews in the window: the newest day first, on one day the products by ASIN descending,
    /// in one product the newest review first (by id); undated reviews after dated ones. That
    /// order is the index on (issue, day, ASIN), so only the few products that hold an issue's
    /// first quotes are read, however many report it; when repeated texts leave an issue short,
    /// its next products are read (up to `QUOTE_ROUNDS` times, each reaching four times as far).
    pub fn window_scope_quotes(
        &self,
        w: &Window,
        scope: &Scope,
        codes: &[String],
    ) -> Result<HashMap<String, Vec<WindowQuote>>> {
        let mut quotes: HashMap<String, Vec<WindowQuote>> = HashMap::new();
        let (mut pending, mut need) = (codes.to_vec(), WINDOW_EXAMPLES as i64);
        for _ in 0..QUOTE_ROUNDS {
            let (mut asins, mut open) = (Vec::new(), Vec::new());
            for code in &pending {
                let (reporting, all) = self.newest_reporting(w, scope, code, need)?;
                if !all {
                    open.push(code.clone());
                }
                for a in reporting {
                    if !asins.contains(&a) {
                        asins.push(a);
                    }
                }
            }
            for (code, q) in self.quotes_of(w, &asins, &pending)? {
                quotes.insert(code, q);
            }
            // Short of quotes with products left to read: repeated texts; read further.
            let short = |c: &String| quotes.get(c).map_or(0, Vec::len) < WINDOW_EXAMPLES;
            pending = open.into_iter().filter(short).collect();
            if pending.is_empty() {
                break;
            }
            need *= 4;
        }
        Ok(quotes)
    }

    /// The quotes (distinct texts, up to `WINDOW_EXAMPLES`) of issues `codes` in the reviews of
    /// products `asins` dated in the window, in the quote order of `window_scope_quotes`.
    fn quotes_of(
        &self,
        w: &Window,
        asins: &[String],
        codes: &[String],
    ) -> Result<HashMap<String, Vec<WindowQuote>>> {
        let mut quotes: HashMap<String, Vec<WindowQuote>> = HashMap::new();
        if asins.is_empty() {
            return Ok(quotes);
        }
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut args: Vec<SqlValue> = vec![analyzer.into()];
        let marks: Vec<String> = (0..asins.len()).map(|i| format!("?{}", i + 2)).collect();
        args.extend(asins.iter().map(|a| SqlValue::Text(a.clone())));
        let cond = self.review_in_window(w, &mut args)?;
        let sql = format!(
            "SELECT coalesce(r.source_review_id, r.review_key), r.rating, t.language, t.issues
             FROM reviews r JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE r.asin IN ({}) AND r.retired_run IS NULL AND {cond}
             ORDER BY CASE WHEN date(substr(r.review_date, 1, 10)) = substr(r.review_date, 1, 10)
                      THEN substr(r.review_date, 1, 10) END DESC, r.asin DESC, r.id DESC",
            marks.join(", ")
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let issues: Option<String> = r.get(3)?;
            let (id, rating, language): (String, Option<i64>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            for hit in super::pages::parse_issues(issues.as_deref()) {
                if codes.contains(&hit.code) {
                    add_quote(&mut quotes, hit, &id, rating, &language);
                }
            }
        }
        Ok(quotes)
    }

    /// The products of the scope reporting `code` in the window, in quote order (days from the
    /// last down, ASINs descending), until their dated reviews reporting it reach `need`; and
    /// whether that is every product reporting it.
    fn newest_reporting(
        &self,
        w: &Window,
        scope: &Scope,
        code: &str,
        need: i64,
    ) -> Result<(Vec<String>, bool)> {
        self.newest_holding(w, scope, ("product_day_issues", "code", code), need)
    }

    /// The products of the scope whose per-day rows in `table` hold `key` in `column` in the
    /// window, newest day first (ASINs descending), until their dated reviews reach `need`; and
    /// whether that is every such product. `table` and `column` are ours, never input.
    pub(super) fn newest_holding(
        &self,
        w: &Window,
        scope: &Scope,
        (table, column, key): (&str, &str, &str),
        need: i64,
    ) -> Result<(Vec<String>, bool)> {
        let (cond, values) = scope.condition();
        let sql = format!(
            "SELECT asin, dated, reviews FROM {table}
             WHERE {column} = ?{} AND {cond} ORDER BY day DESC, asin DESC",
            values.len() + 3
        );
        let (from, to) = w.bounds();
        let mut args = vec![SqlValue::Text(from), SqlValue::Text(to)];
        args.extend(values);
        args.push(SqlValue::Text(key.to_string()));
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        let (mut asins, mut dated_reviews) = (Vec::new(), 0);
        while let Some(r) = rows.next()? {
            if dated_reviews >= need {
                return Ok((asins, false));
            }
            let asin: String = r.get(0)?;
            if r.get::<_, bool>(1)? {
                dated_reviews += r.get::<_, i64>(2)?;
            }
            if !asins.contains(&asin) {
                asins.push(asin);
            }
        }
        Ok((asins, true))
    }
}
