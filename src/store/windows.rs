//! Time windows: insights over the reviews dated in a range of days, summed from the per-day
//! counts `analyze` writes (`window_days`), so a window costs a sum over an indexed range rather
//! than a pass over the reviews. This module reads the counts and builds a view's report; its
//! figures and comparisons are `window_figures`, list order and paging `window_lists`, undated
//! reviews `window_undated`, words (quotes, complaint aspects) `window_evidence`.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{params_from_iter, types::Value as SqlValue};
use serde::Serialize;

use super::window_evidence::{term_reviews, top_aspects, WindowAspect, WINDOW_QUOTED_ISSUES};
use super::window_lists::{page_issues, sort_rows};
use super::Store;
use crate::error::{Error, Result};
use crate::store::pages::{BrandSort, ProductSort};
use crate::store::views::{AspectQuote, Breakdowns, IssueSort};

pub use super::window_days::{
    Counts, DayAspectRow, DayIndexes, DayIssueRow, DayLikedRow, DayRow, DaySliceRow, ProductDays,
};
pub use super::window_figures::{
    window_issues, window_liked, window_rows, Figures, WindowIssue, WindowLiked, WindowRow,
    WINDOW_LIKED,
};
pub use super::window_liked::WindowLikedRow;

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
    /// "no reviews in window" when it holds none (figures are then null, not NaN); "no analysis
    /// yet: …" before the first analysis.
    pub message: Option<String>,
    pub rows: Vec<WindowRow>,
    pub issues: Vec<WindowIssue>,
    /// What the scope's reviews in the window praise, most often first (product, brands and
    /// portfolio views; empty for the products and issues lists).
    pub liked_aspects: Vec<WindowLiked>,
    /// What the scope's reviews in the window complain about, most named first (up to 20), with
    /// star figures as a product's `complaint_aspects` (empty for the products list).
    pub complaint_aspects: Vec<WindowAspect>,
    /// The scope's reviews in the window by marketplace and by language (as its all-time
    /// `breakdowns`): one product's read with its quotes, brands' and the portfolio's summed from
    /// per-day counts; absent for the products and issues lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::filters::schema::breakdowns_ref, required = false)]
    pub breakdowns: Option<Breakdowns>,
    /// The products and brands lists' page (the API's paging fields).
    #[serde(skip)]
    pub page: Option<ListPage>,
}

/// What `attach_evidence` gives a view: complaint aspects, and for one product its breakdowns
/// and a quote per liked term.
type Attached = (
    Vec<WindowAspect>,
    Option<Breakdowns>,
    Option<HashMap<String, AspectQuote>>,
);

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
        let prev = match w.compare_previous {
            true => w.previous(chrono::Utc::now().date_naive()),
            false => None,
        };
        let total = |win: &Window| -> Result<Counts> {
            let t = self.window_counts(win, &scope, Group::Portfolio)?;
            Ok(t.into_iter().next().map(|(_, c)| c).unwrap_or_default())
        };
        let all = total(w)?;
        // The window before: its span and the scope's counts in it.
        let before = prev.map(|p| total(&p).map(|c| (p, c))).transpose()?;
        let before_rows = match &before {
            Some((p, _)) => Some(self.window_counts(p, &scope, group)?),
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
        let mut rows = window_rows(now, before_rows);
        let mut issues = match view {
            WindowView::Products { .. } => Vec::new(),
            _ => self.scope_issues(w, &scope, view, &all, before.as_ref())?,
        };
        let mut liked_aspects = match view {
            WindowView::Product(_) | WindowView::Brands { .. } | WindowView::Portfolio { .. } => {
                self.scope_liked(w, &scope, all.reviews, before.as_ref())?
            }
            _ => Vec::new(),
        };
        let page = match view {
            WindowView::Issues { limit, after, .. } => {
                Some(page_issues(&mut issues, after, *limit)?)
            }
            _ => sort_rows(&mut rows, view),
        };
        let (complaint_aspects, breakdowns, liked_quotes) = match view {
            WindowView::Products { .. } => (Vec::new(), None, None),
            _ => self.attach_evidence(&scope, w, &all, before.as_ref(), &mut issues)?,
        };
        // One product's liked quotes came with its evidence; a wider scope's are looked up.
        match liked_quotes {
            Some(mut q) => (liked_aspects.iter_mut()).for_each(|l| l.quote = q.remove(&l.term)),
            None => self.quote_liked(w, &scope, &mut liked_aspects)?,
        }
        // One product's breakdowns came with its evidence; brands' and the portfolio's are summed.
        let breakdowns = match view {
            WindowView::Brands { .. } | WindowView::Portfolio { .. } => {
                Some(self.window_scope_breakdowns(w, &scope)?)
            }
            _ => breakdowns,
        };
        Ok(WindowReport {
            view: name,
            from: day_text(w.from),
            to: day_text(w.to),
            previous_from: before.as_ref().and_then(|(p, _)| day_text(p.from)),
            previous_to: before.as_ref().and_then(|(p, _)| day_text(p.to)),
            reviews: all.reviews,
            message: self.window_message(all.reviews)?,
            rows,
            issues,
            liked_aspects,
            complaint_aspects,
            breakdowns,
            page,
        })
    }

    /// What the scope's reviews in the window praise (`all` of them), compared with the window
    /// before when given.
    fn scope_liked(
        &self,
        w: &Window,
        scope: &Scope,
        all: i64,
        before: Option<&(Window, Counts)>,
    ) -> Result<Vec<WindowLiked>> {
        let then = match before {
            Some((p, c)) => Some((self.window_liked_counts(p, scope)?, c.reviews)),
            None => None,
        };
        Ok(window_liked(self.window_liked_counts(w, scope)?, all, then))
    }

    /// Gives each of `liked` its quote from the scope's reviews in the window.
    pub(super) fn quote_liked(
        &self,
        w: &Window,
        scope: &Scope,
        liked: &mut [WindowLiked],
    ) -> Result<()> {
        let terms: Vec<String> = liked.iter().map(|l| l.term.clone()).collect();
        let mut quotes = self.window_liked_quotes(w, scope, &terms)?;
        for l in liked {
            l.quote = quotes.remove(&l.term);
        }
        Ok(())
    }

    /// The scope's issues in the window, in the view's sort (reviews unless the issues list asks
    /// otherwise), compared with the window before when given.
    fn scope_issues(
        &self,
        w: &Window,
        scope: &Scope,
        view: &WindowView,
        all: &Counts,
        before: Option<&(Window, Counts)>,
    ) -> Result<Vec<WindowIssue>> {
        let sort = match view {
            WindowView::Issues { sort, .. } => *sort,
            _ => IssueSort::Reviews,
        };
        let then = match before {
            Some((p, c)) => Some((self.window_issue_counts(p, scope)?, *c)),
            None => None,
        };
        let now = self.window_issue_counts(w, scope)?;
        Ok(window_issues(now, all, then, sort, &self.labels()?))
    }
}

impl Store {
    /// Why a window holds no reviews: none dated in it, or none analyzed yet (ingested reviews
    /// enter the windows' day rows when `analyze` runs).
    fn window_message(&self, reviews: i64) -> Result<Option<String>> {
        if reviews > 0 {
            return Ok(None);
        }
        Ok(Some(if self.current_analyzer()?.is_none() {
            super::query::NO_ANALYSIS.to_string()
        } else {
            "no reviews in window".to_string()
        }))
    }

    /// The scope's quotes (onto its issues) and complaint aspects in the window, compared with
    /// the window before when given: one product's from its reviews, a wider scope's from the
    /// per-day counts and quotes for its first `WINDOW_QUOTED_ISSUES` issues. One product's pass
    /// over its reviews also gives its breakdowns and liked quotes.
    fn attach_evidence(
        &self,
        scope: &Scope,
        w: &Window,
        all: &Counts,
        before: Option<&(Window, Counts)>,
        issues: &mut [WindowIssue],
    ) -> Result<Attached> {
        let (mut quotes, terms, breakdowns, liked) = match &scope.asin {
            Some(asin) => {
                let ev = self.window_evidence(asin, w)?;
                let breakdowns = Some(ev.slices.rows(&self.labels()?));
                (ev.quotes, ev.terms, breakdowns, Some(ev.liked))
            }
            None => {
                let n = issues.len().min(WINDOW_QUOTED_ISSUES);
                let codes: Vec<String> = issues[..n].iter().map(|i| i.code.clone()).collect();
                let quotes = self.window_scope_quotes(w, scope, &codes)?;
                (quotes, self.window_scope_aspects(w, scope)?, None, None)
            }
        };
        for i in issues {
            i.examples = quotes.remove(&i.code).unwrap_or_default();
        }
        let then = match before {
            Some((p, c)) => Some((term_reviews(self.aspect_terms(p, scope)?), c.reviews)),
            None => None,
        };
        Ok((top_aspects(terms, all, then.as_ref()), breakdowns, liked))
    }

    /// Per complaint aspect, the scope's reviews in the window naming it, the rated ones and
    /// their stars: one product's from its reviews, a wider scope's from the per-day counts.
    fn aspect_terms(&self, w: &Window, scope: &Scope) -> Result<HashMap<String, [i64; 3]>> {
        match &scope.asin {
            Some(asin) => Ok(self.window_evidence(asin, w)?.terms),
            None => self.window_scope_aspects(w, scope),
        }
    }

    /// The scope's complaint aspects in the window (`report aspects`), compared with the window
    /// before when `w` asks.
    pub fn window_aspects(&self, w: &Window, scope: &Scope) -> Result<Vec<WindowAspect>> {
        let total = |win: &Window| -> Result<Counts> {
            let t = self.window_counts(win, scope, Group::Portfolio)?;
            Ok(t.into_iter().next().map(|(_, c)| c).unwrap_or_default())
        };
        let prev = match w.compare_previous {
            true => w.previous(chrono::Utc::now().date_naive()),
            false => None,
        };
        let then = match &prev {
            Some(p) => Some((
                term_reviews(self.aspect_terms(p, scope)?),
                total(p)?.reviews,
            )),
            None => None,
        };
        Ok(top_aspects(
            self.aspect_terms(w, scope)?,
            &total(w)?,
            then.as_ref(),
        ))
    }
}
