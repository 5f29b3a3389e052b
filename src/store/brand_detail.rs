//! One brand in full (`GET /api/v1/brands/{brand}`, `report brand NAME`): what a product's detail
//! shows, at brand level. All time it reads the brand's `/brands` row (figures, liked aspects,
//! breakdowns, history), its per-day sums over all days (issues, complaint aspects, months: a few
//! rows per day rather than a pass over its products' rows) and the attention ranking; in a window,
//! the per-day sums the windowed views read. Either way the reply has one shape, so every format
//! renders it from this one struct.

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::views::{BrandPoint, BrandSummary, Breakdowns, IssueSort, PortfolioMonth};
use super::window_evidence::WindowAspect;
use super::windows::{
    window_issues, Counts, Group, Scope, Window, WindowIssue, WindowLiked, WindowView,
};
use super::Store;
use crate::error::{Error, Result};
use crate::numbers::{avg, pct, Impact};
use crate::store::pages::BrandSort;

/// How many of its products a brand's detail lists, by attention.
pub const BRAND_PRODUCTS: usize = 10;

/// A brand's detail, all time or in a window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrandDetail {
    /// The brand as stored (the name asked for may differ in letter case).
    pub brand: String,
    /// The window's first and last day; both null all time.
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_to: Option<String>,
    /// "no reviews in window" when the window holds none of its reviews.
    pub message: Option<String>,
    pub summary: BrandFigures,
    /// Issues some negative or neutral review reports, most such reviews first, with what each
    /// costs in stars and up to 3 quotes.
    pub issues: Vec<WindowIssue>,
    /// Issues only positive reviews mention: no top issue.
    pub mentioned_in_praise: Vec<WindowIssue>,
    pub liked_aspects: Vec<WindowLiked>,
    pub complaint_aspects: Vec<WindowAspect>,
    #[schema(schema_with = crate::filters::schema::breakdowns_ref)]
    pub breakdowns: Breakdowns,
    /// By month of the reviews' dates (an undated review in the month of the analysis run in
    /// which it first appeared, as windows count it): `month`, `reviews`, `avg_rating`,
    /// `pct_negative`.
    #[schema(value_type = Vec<Object>)]
    pub trend: Vec<PortfolioMonth>,
    /// One point per analysis run (all time only; empty in a window), as `/brands`' `history`.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<BrandPoint>,
    /// Its products that need attention first (negative reviews, weighted up by their rise).
    pub products: Vec<BrandProduct>,
}

/// A brand's headline figures. All time, the changes are since the previous analysis run; in a
/// window compared with the one before, since that window.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BrandFigures {
    pub products: i64,
    pub reviews: i64,
    pub rated: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: Option<f64>,
    pub pct_neutral: Option<f64>,
    pub pct_negative: Option<f64>,
    /// Change in % negative (points).
    pub neg_delta: Option<f64>,
    pub previous_reviews: Option<i64>,
    pub previous_pct_negative: Option<f64>,
}

/// One of the brand's products, ranked by attention.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BrandProduct {
    pub asin: String,
    pub title: Option<String>,
    pub reviews: i64,
    pub avg_rating: Option<f64>,
    pub pct_negative: Option<f64>,
    /// Negative reviews weighted up by the rise of their share (`numbers::Impact`), to 0.1.
    pub attention: f64,
    /// Its most reported issue (all time only).
    pub top_issue: Option<String>,
}

impl Store {
    /// The one stored brand `name` means, with its `/brands` row: its exact spelling, else the one
    /// matching it in any letter case (the first by name when several do); NotFound when none does.
    fn brand_row(&self, name: &str) -> Result<BrandSummary> {
        let spellings = self.brand_spellings(&[name.to_string()])?;
        let mut known = self.brands(&spellings)?;
        known.sort_by(|a, b| (a.brand != name, &a.brand).cmp(&(b.brand != name, &b.brand)));
        (known.into_iter().next()).ok_or_else(|| Error::NotFound(format!("no brand {name}")))
    }

    /// The brand `name` (any letter case) in full, over the window `w` when set.
    pub fn brand_detail(&self, name: &str, w: &Window) -> Result<BrandDetail> {
        let row = self.brand_row(name)?;
        match w.is_set() {
            true => self.brand_window(row.brand, w),
            false => self.brand_all_time(row),
        }
    }

    fn brand_all_time(&self, mut row: BrandSummary) -> Result<BrandDetail> {
        let brand = row.brand.clone();
        let one = std::slice::from_ref(&brand);
        let scope = Scope {
            asin: None,
            brands: one.to_vec(),
        };
        // All days: the brand's per-day sums (a few rows per day), not its products' rows.
        let all = Window::default();
        let counts = (self
            .window_counts(&all, &scope, Group::Portfolio)?
            .into_iter())
        .next()
        .map_or_else(Counts::default, |(_, c)| c);
        let by_code = self.window_issue_counts(&all, &scope)?;
        let labels = self.labels()?;
        let mut issues = window_issues(by_code, &counts, None, IssueSort::Reviews, &labels);
        self.quote_issues(&all, &scope, &mut issues)?;
        let (issues, mentioned_in_praise) = split_praise(issues);
        let products = (self.attention(one, 0, BRAND_PRODUCTS)?.into_iter())
            .map(|(p, impact)| BrandProduct {
                top_issue: p.top_issues.first().map(|i| i.label.clone()),
                asin: p.asin,
                title: p.title,
                reviews: p.review_count,
                avg_rating: p.avg_rating,
                pct_negative: Some(p.pct_negative),
                attention: impact,
            })
            .collect();
        let summary = BrandFigures {
            products: row.products,
            reviews: row.review_count,
            rated: row.rated_count,
            avg_rating: row.avg_rating,
            pct_positive: Some(row.pct_positive),
            pct_neutral: Some(row.pct_neutral),
            pct_negative: Some(row.pct_negative),
            neg_delta: row.neg_delta,
            previous_reviews: row.previous_review_count,
            previous_pct_negative: row.previous_pct_negative,
        };
        Ok(BrandDetail {
            from: None,
            to: None,
            previous_from: None,
            previous_to: None,
            message: None,
            summary,
            issues,
            mentioned_in_praise,
            liked_aspects: (row.liked_aspects.drain(..)).map(liked).collect(),
            complaint_aspects: self.window_aspects(&all, &scope)?,
            breakdowns: std::mem::take(&mut row.breakdowns),
            trend: self.window_brand_months(&all, &brand)?,
            history: std::mem::take(&mut row.history),
            products,
            brand,
        })
    }

    fn brand_window(&self, brand: String, w: &Window) -> Result<BrandDetail> {
        let one = vec![brand.clone()];
        let view = WindowView::Brands {
            brands: one.clone(),
            sort: BrandSort::Reviews,
            descending: true,
            limit: 1,
            after: None,
        };
        let r = self.window_report(w, &view)?;
        let row = r.rows.into_iter().find(|x| x.key == brand);
        let scope = Scope {
            asin: None,
            brands: one,
        };
        let products = self.window_brand_products(w, &scope)?;
        let summary = row.map_or_else(BrandFigures::default, |x| BrandFigures {
            products: products.1,
            reviews: x.figures.reviews,
            rated: x.figures.rated,
            avg_rating: x.figures.avg_rating,
            pct_positive: x.figures.pct_positive,
            pct_neutral: x.figures.pct_neutral,
            pct_negative: x.figures.pct_negative,
            neg_delta: x.delta_pct_negative,
            previous_reviews: x.previous.as_ref().map(|p| p.reviews),
            previous_pct_negative: x.previous.and_then(|p| p.pct_negative),
        });
        let (issues, mentioned_in_praise) = split_praise(r.issues);
        Ok(BrandDetail {
            from: r.from,
            to: r.to,
            previous_from: r.previous_from,
            previous_to: r.previous_to,
            message: r.message,
            summary,
            issues,
            mentioned_in_praise,
            liked_aspects: r.liked_aspects,
            complaint_aspects: r.complaint_aspects,
            breakdowns: r.breakdowns.unwrap_or_default(),
            trend: self.window_brand_months(w, &brand)?,
            history: Vec::new(),
            products: products.0,
            brand,
        })
    }

    /// Up to 3 quotes for each of the first issues, from the scope's reviews in `w`.
    fn quote_issues(&self, w: &Window, scope: &Scope, issues: &mut [WindowIssue]) -> Result<()> {
        let n = issues
            .len()
            .min(super::window_evidence::WINDOW_QUOTED_ISSUES);
        let codes: Vec<String> = issues[..n].iter().map(|i| i.code.clone()).collect();
        let mut quotes = self.window_scope_quotes(w, scope, &codes)?;
        for i in issues {
            i.examples = quotes.remove(&i.code).unwrap_or_default();
        }
        Ok(())
    }

    /// The scope's products in the window by attention (its first `BRAND_PRODUCTS`), and how
    /// many of its products have reviews in it. Compared, the rise is since the window before.
    fn window_brand_products(&self, w: &Window, scope: &Scope) -> Result<(Vec<BrandProduct>, i64)> {
        let now = self.window_counts(w, scope, Group::Product)?;
        let before: HashMap<String, Counts> = match w.compare_previous {
            true => match w.previous(chrono::Utc::now().date_naive()) {
                Some(p) => self.window_counts(&p, scope, Group::Product)?,
                None => Vec::new(),
            },
            false => Vec::new(),
        }
        .into_iter()
        .collect();
        let count = i64::try_from(now.len()).unwrap_or(i64::MAX);
        let mut scored: Vec<(Impact, String, Counts)> = (now.into_iter())
            .map(|(asin, c)| {
                let then = (before.get(&asin)).map(|p| (p.negative, p.reviews));
                (Impact::new(c.negative, c.reviews, then), asin, c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(BRAND_PRODUCTS);
        let titles = self.product_titles(scored.iter().map(|s| s.1.as_str()))?;
        let products = (scored.into_iter())
            .map(|(impact, asin, c)| BrandProduct {
                title: titles.get(&asin).cloned().flatten(),
                asin,
                reviews: c.reviews,
                avg_rating: avg(c.rating_sum, c.rated),
                pct_negative: (c.reviews > 0).then(|| pct(c.negative, c.reviews)),
                attention: impact.rounded(),
                top_issue: None,
            })
            .collect();
        Ok((products, count))
    }

    /// The titles of a few products.
    fn product_titles<'a>(
        &self,
        asins: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, Option<String>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT title FROM products WHERE asin = ?1")?;
        let mut out = HashMap::new();
        for a in asins {
            let mut rows = st.query([a])?;
            let title = match rows.next()? {
                Some(r) => r.get::<_, Option<String>>(0)?,
                None => None,
            };
            out.insert(a.to_string(), title);
        }
        Ok(out)
    }

    /// The brand's reviews in the window by month, summed from its per-day counts.
    fn window_brand_months(&self, w: &Window, brand: &str) -> Result<Vec<PortfolioMonth>> {
        let (from, to) = w.bounds();
        let mut st = self.conn.prepare_cached(
            "SELECT substr(day, 1, 7), sum(reviews), sum(rated), sum(rating_sum), sum(negative)
             FROM brand_days WHERE day >= ?1 AND day <= ?2 AND brand = ?3
             GROUP BY 1 HAVING sum(reviews) > 0 ORDER BY 1",
        )?;
        let args = [from, to, brand.to_string()].map(SqlValue::Text);
        let rows = st.query_map(params_from_iter(args), |r| {
            let (reviews, negative): (i64, i64) = (r.get(1)?, r.get(4)?);
            Ok(PortfolioMonth {
                month: r.get(0)?,
                reviews,
                avg_rating: avg(r.get(3)?, r.get(2)?),
                pct_negative: (reviews > 0).then(|| pct(negative, reviews)),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Issues some negative or neutral review reports, and those only praise mentions.
fn split_praise(issues: Vec<WindowIssue>) -> (Vec<WindowIssue>, Vec<WindowIssue>) {
    issues.into_iter().partition(|i| i.negative_neutral > 0)
}

/// An all-time liked aspect as a window's: reviews, share, quote, and the change since the
/// previous run when known.
fn liked(a: super::views::LikedAspectCount) -> WindowLiked {
    let change = a.change.unwrap_or_default();
    WindowLiked {
        term: a.term,
        reviews: a.count,
        share: Some(a.share),
        previous_reviews: change.previous_count,
        delta_share: change.share_change,
        quote: a.quote,
    }
}
