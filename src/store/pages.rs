//! Keyset-paginated lists for the API and `report`. A page ends with the sort key of its last row and
//! the next page starts strictly after it, so page 1,000 costs what page 1 costs (OFFSET would not).
//!
//! Products sort on an indexed column with the ASIN as tie-breaker. Products whose sort value is
//! null (no rated review, no previous run) come last in either direction: the query walks the
//! non-null range of the index first, then the null range, and the key says which range it was in.

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as SqlValue, Row};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::Result;
use crate::model::{IssueHit, Sentiment};
use crate::numbers::Impact;
use crate::topics::Labels;

/// Sort orders for products, from a fixed list: no user text ever reaches ORDER BY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    Reviews,
    Rating,
    Negative,
    Trend,
    Asin,
}

impl ProductSort {
    /// The sort of the product list when none is given, in the API and in `report products`.
    pub const DEFAULT: ProductSort = ProductSort::Reviews;

    pub const ALL: [ProductSort; 5] = [
        ProductSort::Reviews,
        ProductSort::Rating,
        ProductSort::Negative,
        ProductSort::Trend,
        ProductSort::Asin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProductSort::Reviews => "reviews",
            ProductSort::Rating => "rating",
            ProductSort::Negative => "negative",
            ProductSort::Trend => "trend",
            ProductSort::Asin => "asin",
        }
    }

    pub fn parse(s: &str) -> Option<ProductSort> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The direction that answers "what needs attention": most reviews, worst rating, most
    /// negative, fastest rising first; ASINs alphabetically.
    pub fn default_descending(self) -> bool {
        !matches!(self, ProductSort::Rating | ProductSort::Asin)
    }

    /// The indexed column, or None for the ASIN itself.
    fn column(self) -> Option<&'static str> {
        match self {
            ProductSort::Reviews => Some("review_count"),
            ProductSort::Rating => Some("avg_rating"),
            ProductSort::Negative => Some("pct_negative"),
            ProductSort::Trend => Some("neg_delta"),
            ProductSort::Asin => None,
        }
    }

    /// The index that orders products by this key (ties by ASIN).
    fn index(self) -> &'static str {
        match self {
            ProductSort::Reviews => "product_insights_reviews",
            ProductSort::Rating => "product_insights_rating",
            ProductSort::Negative => "product_insights_negative",
            ProductSort::Trend => "product_insights_trend",
            ProductSort::Asin => "", // the table itself (WITHOUT ROWID) is in ASIN order
        }
    }

    /// The index that walks one issue's products in this order (ASIN: the table's own key).
    fn issue_index(self) -> &'static str {
        match self {
            ProductSort::Reviews => "product_issues_reviews",
            ProductSort::Rating => "product_issues_rating",
            ProductSort::Negative => "product_issues_negative",
            ProductSort::Trend => "product_issues_trend",
            ProductSort::Asin => "",
        }
    }

    /// The index that walks one brand's products in this order.
    fn brand_index(self) -> &'static str {
        match self {
            ProductSort::Reviews => "product_insights_brand_reviews",
            ProductSort::Rating => "product_insights_brand_rating",
            ProductSort::Negative => "product_insights_brand_negative",
            ProductSort::Trend => "product_insights_brand_trend",
            ProductSort::Asin => "product_insights_brand",
        }
    }

    fn nullable(self) -> bool {
        matches!(self, ProductSort::Rating | ProductSort::Trend)
    }
}

/// Sort orders for brands: the product list's keys that a brand has, and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrandSort {
    #[default]
    Reviews,
    Products,
    Rating,
    Negative,
    Brand,
}

impl BrandSort {
    pub const ALL: [BrandSort; 5] = [
        BrandSort::Reviews,
        BrandSort::Products,
        BrandSort::Rating,
        BrandSort::Negative,
        BrandSort::Brand,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BrandSort::Reviews => "reviews",
            BrandSort::Products => "products",
            BrandSort::Rating => "rating",
            BrandSort::Negative => "negative",
            BrandSort::Brand => "brand",
        }
    }

    pub fn parse(s: &str) -> Option<BrandSort> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// As for products: most reviews (products), worst rating, most negative first; names A-Z.
    pub fn default_descending(self) -> bool {
        !matches!(self, BrandSort::Rating | BrandSort::Brand)
    }

    fn column(self) -> Option<&'static str> {
        match self {
            BrandSort::Reviews => Some("b.review_count"),
            BrandSort::Products => Some("b.products"),
            BrandSort::Rating => Some("b.avg_rating"),
            BrandSort::Negative => Some("b.pct_negative"),
            BrandSort::Brand => None,
        }
    }

    fn nullable(self) -> bool {
        matches!(self, BrandSort::Rating)
    }
}

/// A page size meaning "all rows" (SQLite's LIMIT takes a signed 64-bit integer).
pub const UNLIMITED: usize = i64::MAX as usize - 1;

/// Where a page ended: the last row's sort value (None: it was in the null range) and its ASIN.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub value: Option<f64>,
    pub asin: String,
}

/// Where a page of brands ended: the last brand's sort value (None: the null range) and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct BrandKey {
    pub value: Option<f64>,
    pub brand: String,
}

/// Filters, sort and page of the brand list.
#[derive(Debug, Clone)]
pub struct BrandQuery {
    /// Brands to list (matched ignoring case); empty: all.
    pub brands: Vec<String>,
    pub sort: BrandSort,
    pub descending: bool,
    pub limit: usize,
    pub after: Option<BrandKey>,
}

impl Default for BrandQuery {
    fn default() -> Self {
        BrandQuery {
            brands: Vec::new(),
            sort: BrandSort::Reviews,
            descending: true,
            limit: UNLIMITED,
            after: None,
        }
    }
}

/// Filters, sort and page of the product list; every value reaches SQL as a bound parameter.
#[derive(Debug, Clone)]
pub struct ProductQuery {
    /// Brands (matched ignoring case); empty: all.
    pub brands: Vec<String>,
    /// Text in the ASIN, brand or title (case-insensitive for ASCII).
    pub q: Option<String>,
    pub min_reviews: Option<i64>,
    pub min_rating: Option<f64>,
    pub max_rating: Option<f64>,
    pub min_negative: Option<f64>,
    pub min_positive: Option<f64>,
    pub issue: Option<String>,
    pub marketplace: Option<String>,
    pub sort: ProductSort,
    pub descending: bool,
    pub limit: usize,
    pub after: Option<Key>,
}

impl Default for ProductQuery {
    fn default() -> Self {
        ProductQuery {
            brands: Vec::new(),
            q: None,
            min_reviews: None,
            min_rating: None,
            max_rating: None,
            min_negative: None,
            min_positive: None,
            issue: None,
            marketplace: None,
            sort: ProductSort::DEFAULT,
            descending: true,
            limit: 50,
            after: None,
        }
    }
}

/// One issue as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssueCount {
    pub code: String,
    pub label: String,
    pub count: i64,
    /// % of the product's reviews
    pub share: f64,
}

#[derive(Deserialize)]
struct StoredIssue {
    code: String,
    count: i64,
    share: f64,
}

/// A product with its summarized insights: one row of the list, in the API and in `report`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductSummary {
    pub asin: String,
    #[schema(required = true)]
    pub brand: Option<String>,
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub marketplace: Option<String>,
    pub review_count: i64,
    pub rated_count: i64,
    #[schema(required = true)]
    pub avg_rating: Option<f64>,
    pub pct_positive: f64,
    pub pct_neutral: f64,
    pub pct_negative: f64,
    /// Change in % negative since the previous analysis run (points); null on a product's first run.
    #[schema(required = true)]
    pub neg_delta: Option<f64>,
    #[schema(required = true)]
    pub last_review_date: Option<String>,
    pub top_issues: Vec<IssueCount>,
}

pub struct Page<T, K = Key> {
    pub items: Vec<T>,
    /// Rows matching the filters, over all pages.
    pub total: i64,
    /// Where the next page starts; None on the last page.
    pub next: Option<K>,
}

const PRODUCT_COLUMNS: &str =
    "p.asin, p.brand, r.title, r.marketplace, p.review_count, p.rated_count,
    p.avg_rating, p.pct_positive, p.pct_neutral, p.pct_negative, p.neg_delta, p.last_review_date,
    p.top_issues";

fn product_row(r: &Row, labels: &Labels) -> rusqlite::Result<ProductSummary> {
    let top: String = r.get(12)?;
    // A damaged column loses the chips, not the product.
    let stored: Vec<StoredIssue> = serde_json::from_str(&top).unwrap_or_default();
    Ok(ProductSummary {
        asin: r.get(0)?,
        brand: r.get(1)?,
        title: r.get(2)?,
        marketplace: r.get(3)?,
        review_count: r.get(4)?,
        rated_count: r.get(5)?,
        avg_rating: r.get(6)?,
        pct_positive: r.get(7)?,
        pct_neutral: r.get(8)?,
        pct_negative: r.get(9)?,
        neg_delta: r.get(10)?,
        last_review_date: r.get(11)?,
        top_issues: stored
            .into_iter()
            .map(|i| IssueCount {
                label: labels.label(&i.code),
                code: i.code,
                count: i.count,
                share: i.share,
            })
            .collect(),
    })
}

/// How a product query finds its rows.
#[derive(Clone, Copy, PartialEq)]
enum Plan {
    /// Counting: let SQLite choose.
    Count,
    /// Walk this index (the sort's) in order and check each row against the filters.
    Walk(&'static str),
    /// Walk one issue's rows of `product_issues` by this index (they carry the sort keys), and
    /// check each product against the other filters.
    WalkIssue(&'static str),
    /// Let the filters select the rows, then sort them.
    SortFirst,
}

/// The FROM and WHERE clauses of a product query (without the page bound) and its arguments.
fn product_filter(q: &ProductQuery, plan: Plan) -> (String, Vec<SqlValue>) {
    let walking = matches!(plan, Plan::Walk(_) | Plan::WalkIssue(_));
    let mut w = product_from(q, plan, walking);
    push_brands_and_text(&mut w, q);
    push_ranges(&mut w, q);
    if let Some(code) = q
        .issue
        .as_ref()
        .filter(|_| !matches!(plan, Plan::WalkIssue(_)))
    {
        // Walking checks one row at a time (a key probe); otherwise the issue's products drive.
        let clause = if walking {
            " AND EXISTS (SELECT 1 FROM product_issues i WHERE i.code = ?# AND i.asin = p.asin)"
        } else {
            " AND p.asin IN (SELECT i.asin FROM product_issues i WHERE i.code = ?#)"
        };
        w.bind(clause, code.clone().into());
    }
    if let Some(m) = &q.marketplace {
        w.bind(" AND r.marketplace = ?# COLLATE NOCASE", m.clone().into());
    }
    (w.sql, w.args)
}

/// SQL with its arguments, as a query's clauses are added.
struct Where {
    sql: String,
    args: Vec<SqlValue>,
}

impl Where {
    /// Appends `clause` with its `?#` marks numbered as the next argument, and binds `v` to it.
    fn bind(&mut self, clause: &str, v: SqlValue) {
        self.args.push(v);
        self.sql
            .push_str(&clause.replace("?#", &format!("?{}", self.args.len())));
    }
}

/// The products of the query by negative reviews, most first, with what their impact needs:
/// migration 28's indexes give that order (for one brand, and for the portfolio) without a table read.
fn attention_walk(q: &ProductQuery) -> (String, Vec<SqlValue>) {
    let (filter, args) = product_filter(q, Plan::Count);
    let sql = format!(
        "SELECT p.asin, p.review_count, coalesce(p.negative, 0), p.prev_negative,
                p.prev_review_count{filter} ORDER BY p.negative DESC"
    );
    (sql, args)
}

/// The FROM clause for the plan, with its index hint, up to `WHERE` and its first condition.
fn product_from(q: &ProductQuery, plan: Plan, walking: bool) -> Where {
    // The raw products table (title, marketplace) is needed for rows when walking (sorting first,
    // the outer query joins it for the page's rows), and for the filters on its columns.
    let with_raw = walking || q.q.is_some() || q.marketplace.is_some();
    let hint = match plan {
        Plan::Walk(index) | Plan::WalkIssue(index) if !index.is_empty() => {
            format!(" INDEXED BY {index}")
        }
        // Its leading review count makes a range of the matching products, and it holds every
        // column the filters and sort keys need: no table reads until the page's rows. (SQLite
        // would take a (brand, …) index and read the table for each candidate.)
        Plan::SortFirst if q.min_reviews.is_some() => " INDEXED BY product_insights_cover".into(),
        _ => String::new(),
    };
    let mut args: Vec<SqlValue> = Vec::new();
    let sql = if let (Plan::WalkIssue(_), Some(code)) = (plan, &q.issue) {
        args.push(code.clone().into());
        format!(
            " FROM product_issues i{hint} JOIN product_insights p ON p.asin = i.asin
             LEFT JOIN products r ON r.asin = p.asin WHERE i.code = ?1"
        )
    } else if with_raw {
        format!(
            " FROM product_insights p{hint} LEFT JOIN products r ON r.asin = p.asin WHERE 1 = 1"
        )
    } else {
        format!(" FROM product_insights p{hint} WHERE 1 = 1")
    };
    Where { sql, args }
}

fn push_brands_and_text(w: &mut Where, q: &ProductQuery) {
    if !q.brands.is_empty() {
        w.sql.push_str(" AND p.brand IN (");
        for (i, b) in q.brands.iter().enumerate() {
            let sep = if i == 0 { "?#" } else { ", ?#" };
            w.bind(sep, b.clone().into());
        }
        w.sql.push(')');
    }
    if let Some(text) = &q.q {
        let pattern = format!("%{}%", escape_like(text));
        w.bind(
            " AND (p.asin LIKE ?# ESCAPE '\\' OR p.brand LIKE ?# ESCAPE '\\' OR r.title LIKE ?# ESCAPE '\\')",
            pattern.into(),
        );
    }
}

fn push_ranges(w: &mut Where, q: &ProductQuery) {
    if let Some(n) = q.min_reviews {
        w.bind(" AND p.review_count >= ?#", n.into());
    }
    if let Some(x) = q.min_rating {
        w.bind(" AND p.avg_rating >= ?#", x.into());
    }
    if let Some(x) = q.max_rating {
        w.bind(" AND p.avg_rating <= ?#", x.into());
    }
    if let Some(x) = q.min_negative {
        w.bind(" AND p.pct_negative >= ?#", x.into());
    }
    if let Some(x) = q.min_positive {
        w.bind(" AND p.pct_positive >= ?#", x.into());
    }
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The parts of one product page's queries that the plan fixes: FROM and WHERE (without the page
/// bound) with their arguments, the direction, and which table's columns order the rows.
struct PageSql<'q> {
    q: &'q ProductQuery,
    filter: String,
    args: Vec<SqlValue>,
    sort_first: bool,
    /// `+` when sorting first: keeps SQLite off the sort index.
    plus: &'static str,
    /// The table whose sort key and ASIN order the walk.
    t: &'static str,
    dir: &'static str,
    cmp: &'static str,
}

impl<'q> PageSql<'q> {
    fn new(q: &'q ProductQuery, plan: Plan) -> PageSql<'q> {
        let sort_first = plan == Plan::SortFirst;
        let (filter, args) = product_filter(q, plan);
        PageSql {
            q,
            filter,
            args,
            sort_first,
            plus: if sort_first { "+" } else { "" },
            t: if matches!(plan, Plan::WalkIssue(_)) {
                "i"
            } else {
                "p"
            },
            dir: if q.descending { "DESC" } else { "ASC" },
            cmp: if q.descending { "<" } else { ">" },
        }
    }

    /// A page query from its WHERE additions and ORDER BY. Sorting first, the rows are chosen by
    /// ASIN alone (from the covering index, no table reads), then only the page's rows are read.
    fn sql(&self, extra: &str, order: &str, limit: usize) -> String {
        let filter = &self.filter;
        if self.sort_first {
            format!(
                "SELECT {PRODUCT_COLUMNS} FROM (SELECT p.asin AS k{filter}{extra} ORDER BY {order}
                     LIMIT {limit}) page JOIN product_insights p ON p.asin = page.k
                     LEFT JOIN products r ON r.asin = p.asin ORDER BY {}",
                order.replace('+', "")
            )
        } else {
            format!("SELECT {PRODUCT_COLUMNS}{filter}{extra} ORDER BY {order} LIMIT {limit}")
        }
    }
}

/// Where the next page starts: the sort value of the page's last product and its ASIN.
fn product_key(sort: ProductSort, p: &ProductSummary) -> Key {
    Key {
        value: match sort {
            ProductSort::Reviews => Some(p.review_count as f64),
            ProductSort::Rating => p.avg_rating,
            ProductSort::Negative => Some(p.pct_negative),
            ProductSort::Trend => p.neg_delta,
            ProductSort::Asin => None,
        },
        asin: p.asin.clone(),
    }
}

/// Totals per filter, valid while the database has not changed (`PRAGMA data_version`): counting
/// 100,000 products on every page would cost more than the page itself.
#[derive(Default)]
pub struct CountCache {
    version: i64,
    totals: HashMap<String, i64>,
    /// Every brand's stored spelling with its lower-case form, for matching brands ignoring case.
    brands: Option<std::sync::Arc<Vec<(String, String)>>>,
}

impl Store {
    /// The cache, emptied first if the database changed since it was filled.
    fn fresh_cache(&self) -> Result<std::cell::RefMut<'_, CountCache>> {
        // A cached statement: this runs for every count and brand lookup of every page.
        let version: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        let mut cache = self.counts.borrow_mut();
        if cache.version != version {
            cache.version = version;
            cache.totals.clear();
            cache.brands = None;
        }
        Ok(cache)
    }

    /// The stored spellings of the given brands, matched ignoring case (full Unicode lower case,
    /// not just ASCII): `kwmobile` finds `KWMOBILE` and `KwMobile`. A brand that matches none is
    /// kept as given, so it matches nothing (rather than dropping the filter). The list of brands
    /// is small (one row per brand) and read once per database change; the queries then compare
    /// exact spellings, so they keep their `(brand, …)` indexes.
    pub fn brand_spellings(&self, given: &[String]) -> Result<Vec<String>> {
        if given.is_empty() {
            return Ok(Vec::new());
        }
        let known = {
            let mut cache = self.fresh_cache()?;
            match &cache.brands {
                Some(b) => b.clone(),
                None => {
                    let mut st = self
                        .conn
                        .prepare_cached("SELECT brand FROM brand_insights")?;
                    let all = st
                        .query_map([], |r| r.get::<_, String>(0))?
                        .map(|b| b.map(|b| (b.to_lowercase(), b)))
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    let all = std::sync::Arc::new(all);
                    cache.brands = Some(all.clone());
                    all
                }
            }
        };
        let mut out: Vec<String> = Vec::new();
        for g in given {
            // Ingest stores brands trimmed: a pasted " Acme " means "Acme".
            let lower = g.trim().to_lowercase();
            let mut spellings: Vec<&String> = known
                .iter()
                .filter(|(l, _)| *l == lower)
                .map(|(_, b)| b)
                .collect();
            if spellings.is_empty() {
                spellings.push(g);
            }
            for b in spellings {
                if !out.contains(b) {
                    out.push(b.clone());
                }
            }
        }
        Ok(out)
    }

    /// One page of products.
    pub fn product_page(&self, q: &ProductQuery) -> Result<Page<ProductSummary>> {
        let resolved;
        let q = if q.brands.is_empty() {
            q
        } else {
            resolved = ProductQuery {
                brands: self.brand_spellings(&q.brands)?,
                ..q.clone()
            };
            &resolved
        };
        let (count_filter, count_args) = product_filter(q, Plan::Count);
        let total = self.cached_count(&count_filter, &count_args)?;
        let plan = self.choose_plan(q, total, &count_filter, &count_args)?;
        let want = q.limit.saturating_add(1); // one more than the page says whether there is a next page
        let mut items = self.product_rows(&PageSql::new(q, plan), want)?;
        let next = if items.len() > q.limit {
            items.truncate(q.limit);
            items.last().map(|p| product_key(q.sort, p))
        } else {
            None
        };
        Ok(Page { items, total, next })
    }

    /// Two ways to a sorted page: walk the sort index and skip rows the filters reject, or let the
    /// filters select rows and sort those. Walking costs about want × all / total rows, sorting
    /// about total; the (cached) count says which is cheaper, and the plan is then forced: SQLite
    /// has no statistics to guess it from. With one brand, the walk covers only that brand's rows,
    /// in a (brand, sort) index; with an issue (and no brand), only that issue's rows, in an
    /// (issue, sort) index.
    fn choose_plan(
        &self,
        q: &ProductQuery,
        total: i64,
        count_filter: &str,
        count_args: &[SqlValue],
    ) -> Result<Plan> {
        let issue_walk = q.issue.as_ref().filter(|_| q.brands.is_empty());
        let (all, walk_index) = match (q.brands.as_slice(), issue_walk) {
            (_, Some(code)) => (
                self.cached_count(
                    " FROM product_issues i WHERE i.code = ?1",
                    &[code.clone().into()],
                )?,
                q.sort.issue_index(),
            ),
            ([brand], None) => (
                self.cached_count(
                    " FROM product_insights p WHERE p.brand = ?1",
                    &[brand.clone().into()],
                )?,
                q.sort.brand_index(),
            ),
            _ if count_args.is_empty() && !count_filter.contains(" AND ") => {
                (total, q.sort.index())
            }
            _ => (
                self.cached_count(" FROM product_insights p WHERE 1 = 1", &[])?,
                q.sort.index(),
            ),
        };
        let want_f = q.limit.saturating_add(1) as f64;
        Ok(if (total as f64) * (total as f64) < want_f * all as f64 {
            Plan::SortFirst
        } else if issue_walk.is_some() {
            Plan::WalkIssue(walk_index)
        } else {
            Plan::Walk(walk_index)
        })
    }

    /// Up to `want` rows after the page's key: the non-null range of the sort value, then (for a
    /// nullable sort) the null range by ASIN.
    fn product_rows(&self, s: &PageSql, want: usize) -> Result<Vec<ProductSummary>> {
        let q = s.q;
        let mut items = Vec::with_capacity(want.min(1024));
        let (plus, t) = (s.plus, s.t);
        let Some(col) = q.sort.column().map(|c| format!("{plus}{t}.{c}")) else {
            let mut extra = String::new();
            let mut a = s.args.clone();
            if let Some(k) = &q.after {
                a.push(k.asin.clone().into());
                extra = format!(" AND {plus}{t}.asin {} ?{}", s.cmp, a.len());
            }
            let sql = s.sql(&extra, &format!("{plus}{t}.asin {}", s.dir), want);
            self.collect_products(&sql, a, &mut items)?;
            return Ok(items);
        };
        let in_null_range = matches!(&q.after, Some(Key { value: None, .. })) && q.sort.nullable();
        if !in_null_range {
            let mut extra = format!(" AND {col} IS NOT NULL");
            let mut a = s.args.clone();
            if let Some(Key {
                value: Some(v),
                asin,
            }) = &q.after
            {
                a.push((*v).into());
                a.push(asin.clone().into());
                extra.push_str(&format!(
                    " AND ({col}, {plus}{t}.asin) {} (?{}, ?{})",
                    s.cmp,
                    a.len() - 1,
                    a.len()
                ));
            }
            let order = format!("{col} {dir}, {plus}{t}.asin {dir}", dir = s.dir);
            self.collect_products(&s.sql(&extra, &order, want), a, &mut items)?;
        }
        if q.sort.nullable() && items.len() < want {
            let mut extra = format!(" AND {col} IS NULL");
            let mut a = s.args.clone();
            if let (true, Some(k)) = (in_null_range, &q.after) {
                a.push(k.asin.clone().into());
                extra.push_str(&format!(" AND {t}.asin > ?{}", a.len()));
            }
            let sql = s.sql(&extra, &format!("{t}.asin"), want - items.len());
            self.collect_products(&sql, a, &mut items)?;
        }
        Ok(items)
    }

    fn collect_products(
        &self,
        sql: &str,
        args: Vec<SqlValue>,
        out: &mut Vec<ProductSummary>,
    ) -> Result<()> {
        let mut st = self.conn.prepare_cached(sql)?;
        let labels = self.labels()?;
        let rows = st.query_map(params_from_iter(args), |r| product_row(r, &labels))?;
        for r in rows {
            out.push(r?);
        }
        Ok(())
    }

    fn cached_count(&self, filter: &str, args: &[SqlValue]) -> Result<i64> {
        let key = format!("{filter}\u{0}{args:?}");
        let mut cache = self.fresh_cache()?;
        if let Some(n) = cache.totals.get(&key) {
            return Ok(*n);
        }
        let n: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*){filter}"))?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        if cache.totals.len() > 4096 {
            cache.totals.clear(); // bounded: filters come from clients
        }
        cache.totals.insert(key, n);
        Ok(n)
    }
}

/// One brand row as a page reads it: its document, its sort value and its name.
type BrandRow = (String, Option<f64>, String);

impl Store {
    /// One page of brands (their roll-up documents), keyset-paginated like products: by the sort
    /// value, ties by name in the same direction, brands without a value (no rating) last by name.
    /// A brand is one row of a small table, so each page sorts the matching rows.
    pub fn brand_page(&self, q: &BrandQuery) -> Result<Page<super::views::BrandSummary, BrandKey>> {
        let mut filter = String::from(" FROM brand_insights b WHERE 1 = 1");
        let mut args: Vec<SqlValue> = Vec::new();
        let brands = self.brand_spellings(&q.brands)?;
        if !brands.is_empty() {
            let marks: Vec<String> = brands
                .iter()
                .map(|b| {
                    args.push(b.clone().into());
                    format!("?{}", args.len())
                })
                .collect();
            filter.push_str(&format!(" AND b.brand IN ({})", marks.join(", ")));
        }
        let total = self.cached_count(&filter, &args)?;
        let mut rows = self.brand_rows(q, &filter, &args)?;
        let next = if rows.len() > q.limit {
            rows.truncate(q.limit);
            rows.last().map(|(_, value, brand)| BrandKey {
                value: *value,
                brand: brand.clone(),
            })
        } else {
            None
        };
        let mut items: Vec<super::views::BrandSummary> = rows
            .into_iter()
            .filter_map(|(detail, _, _)| serde_json::from_str(&detail).ok())
            .collect();
        let names: Vec<String> = items.iter().map(|b| b.brand.clone()).collect();
        let mut history = self.brand_history(&names)?;
        for b in &mut items {
            b.history = history.remove(&b.brand).unwrap_or_default();
        }
        Ok(Page { items, total, next })
    }

    /// Up to one more than a page of brands after the page's key: those with a sort value, then
    /// (for a nullable sort) those without, by name.
    fn brand_rows(&self, q: &BrandQuery, filter: &str, args: &[SqlValue]) -> Result<Vec<BrandRow>> {
        let want = q.limit.saturating_add(1);
        let dir = if q.descending { "DESC" } else { "ASC" };
        let cmp = if q.descending { "<" } else { ">" };
        let col = q.sort.column();
        let value_sql = col.unwrap_or("NULL");
        let mut rows = Vec::new();
        let collect = |rows: &mut Vec<BrandRow>, extra: &str, order: &str, a, limit: usize| {
            let sql = format!(
                "SELECT b.detail, {value_sql}, b.brand{filter}{extra} ORDER BY {order} LIMIT {}",
                limit.min(UNLIMITED)
            );
            self.collect_brands(&sql, a, rows)
        };
        let Some(col) = col else {
            let mut a = args.to_vec();
            let mut extra = String::new();
            if let Some(k) = &q.after {
                a.push(k.brand.clone().into());
                extra = format!(" AND b.brand {cmp} ?{}", a.len());
            }
            collect(&mut rows, &extra, &format!("b.brand {dir}"), a, want)?;
            return Ok(rows);
        };
        let in_null_range =
            matches!(&q.after, Some(BrandKey { value: None, .. })) && q.sort.nullable();
        if !in_null_range {
            let mut a = args.to_vec();
            let mut extra = format!(" AND {col} IS NOT NULL");
            if let Some(BrandKey {
                value: Some(v),
                brand,
            }) = &q.after
            {
                a.push((*v).into());
                a.push(brand.clone().into());
                extra.push_str(&format!(
                    " AND ({col}, b.brand) {cmp} (?{}, ?{})",
                    a.len() - 1,
                    a.len()
                ));
            }
            let order = format!("{col} {dir}, b.brand {dir}");
            collect(&mut rows, &extra, &order, a, want)?;
        }
        if q.sort.nullable() && rows.len() < want {
            let mut a = args.to_vec();
            let mut extra = format!(" AND {col} IS NULL");
            if let (true, Some(k)) = (in_null_range, &q.after) {
                a.push(k.brand.clone().into());
                extra.push_str(&format!(" AND b.brand > ?{}", a.len()));
            }
            let rest = want - rows.len();
            collect(&mut rows, &extra, "b.brand", a, rest)?;
        }
        Ok(rows)
    }

    fn collect_brands(&self, sql: &str, a: Vec<SqlValue>, rows: &mut Vec<BrandRow>) -> Result<()> {
        let mut st = self.conn.prepare_cached(sql)?;
        let found = st.query_map(params_from_iter(a), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        for r in found {
            rows.push(r?);
        }
        Ok(())
    }
}

/// Filters and page of one product's reviews.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery {
    pub asin: String,
    pub sentiment: Option<Sentiment>,
    pub issue: Option<String>,
    pub limit: usize,
    /// The internal id of the last review of the previous page.
    pub after: Option<i64>,
    /// Only reviews counting in this window (unset: all).
    pub window: super::windows::Window,
}

/// One review with its analysis, as the API lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Review)]
pub struct ReviewItem {
    pub review_id: String,
    #[schema(required = true)]
    pub rating: Option<i64>,
    #[schema(required = true)]
    pub review_date: Option<String>,
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub text: Option<String>,
    #[schema(required = true)]
    pub language: Option<String>,
    #[schema(value_type = Sentiment, inline)]
    pub sentiment: &'static str,
    #[schema(required = true)]
    pub text_sentiment: Option<String>,
    #[schema(required = true)]
    pub text_score: Option<f64>,
    pub disagreement: bool,
    /// The issues the text reports, each with the words that show it (as `report reviews`).
    pub issues: Vec<IssueHit>,
    pub aspects: Vec<String>,
}

/// A text result's stored issues (`[{code, evidence}, …]`); a damaged column reads as none.
pub fn parse_issues(stored: Option<&str>) -> Vec<IssueHit> {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// The overall sentiment in SQL, the same rule as `model::overall_sentiment`: stars where they
/// decide (4-5, 1-2), otherwise the text, otherwise neutral.
const OVERALL_SQL: &str =
    "CASE WHEN r.rating >= 4 THEN 'positive' WHEN r.rating <= 2 THEN 'negative'
     ELSE coalesce(t.text_sentiment, 'neutral') END";

impl Store {
    /// One page of a product's reviews, oldest first by internal id (stable as reviews arrive).
    /// Returns the page and the id to continue after.
    pub fn review_page(&self, q: &ReviewQuery) -> Result<(Vec<ReviewItem>, i64, Option<i64>)> {
        let analyzer = self.current_analyzer()?.unwrap_or_default();
        let mut filter = String::from(
            " FROM reviews r LEFT JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             WHERE r.asin = ?2 AND r.retired_run IS NULL",
        );
        let mut args: Vec<SqlValue> = vec![analyzer.into(), q.asin.clone().into()];
        if let Some(s) = q.sentiment {
            args.push(s.as_str().to_string().into());
            filter.push_str(&format!(" AND {OVERALL_SQL} = ?{}", args.len()));
        }
        if let Some(code) = &q.issue {
            // Codes are checked against the taxonomy before they get here; match the JSON field exactly.
            args.push(format!("%\"code\":\"{code}\"%").into());
            filter.push_str(&format!(" AND t.issues LIKE ?{}", args.len()));
        }
        if q.window.is_set() {
            let cond = self.review_in_window(&q.window, &mut args)?;
            filter.push_str(&format!(" AND {cond}"));
        }
        let total = self.cached_count(&filter, &args)?;
        let mut sql = format!(
            "SELECT r.id, coalesce(r.source_review_id, r.review_key), r.rating, r.review_date, r.title,
                    r.body, t.language, {OVERALL_SQL}, t.text_sentiment, t.text_score, t.issues, t.aspects
             {filter}"
        );
        if let Some(id) = q.after {
            args.push(id.into());
            sql.push_str(&format!(" AND r.id > ?{}", args.len()));
        }
        sql.push_str(&format!(
            " ORDER BY r.id LIMIT {}",
            q.limit.saturating_add(1)
        ));
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        let mut items = Vec::new();
        let mut last_id = None;
        while let Some(r) = rows.next()? {
            if items.len() == q.limit {
                return Ok((items, total, last_id));
            }
            let rating: Option<i64> = r.get(2)?;
            let overall: String = r.get(7)?;
            let text_sentiment: Option<String> = r.get(8)?;
            let issues: Option<String> = r.get(10)?;
            let aspects: Option<String> = r.get(11)?;
            let ts = text_sentiment.as_deref().and_then(Sentiment::parse);
            last_id = Some(r.get::<_, i64>(0)?);
            items.push(ReviewItem {
                review_id: r.get(1)?,
                rating,
                review_date: r.get(3)?,
                title: r.get(4)?,
                text: r.get(5)?,
                language: r.get(6)?,
                sentiment: Sentiment::parse(&overall)
                    .unwrap_or(Sentiment::Neutral)
                    .as_str(),
                disagreement: crate::model::stars_text_disagree(
                    rating.map(|x| x.clamp(0, 5) as u8),
                    ts,
                ),
                text_sentiment,
                text_score: r.get(9)?,
                issues: parse_issues(issues.as_deref()),
                aspects: aspects
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_default(),
            });
        }
        Ok((items, total, None))
    }
}

impl Store {
    /// Products that need attention first, with their impact (see `numbers::Impact`): negative
    /// reviews, weighted up by how far their share rose since the previous run (+10 points
    /// doubles the weight). Ranked on the exact value, ties by ASIN. Products with fewer than
    /// `min_reviews` reviews now are left out: one bad review is noise.
    pub fn attention(
        &self,
        brands: &[String],
        min_reviews: i64,
        limit: usize,
    ) -> Result<Vec<(ProductSummary, f64)>> {
        let q = ProductQuery {
            brands: self.brand_spellings(brands)?,
            min_reviews: Some(min_reviews),
            ..Default::default()
        };
        // Products are scored from their counts alone, most negative reviews first, and full rows
        // are read for the chosen few. A rise weights negative reviews up at most elevenfold
        // (`Impact` ≤ 11 × negative), so once that bound is below the `limit`-th best no later
        // product can enter: a brand of 25,000 products stops after a few hundred.
        let (sql, args) = attention_walk(&q);
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        // Best first: higher impact, then the ASIN.
        let mut scored: Vec<(String, Impact)> = Vec::with_capacity(limit + 1);
        while let Some(r) = rows.next()? {
            let negative: i64 = r.get(2)?;
            let bound = Impact::new(negative.saturating_mul(11), 1, None);
            if scored.len() >= limit && scored.last().is_none_or(|last| bound < last.1) {
                break;
            }
            let before = match (r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i64>>(4)?) {
                (Some(k), Some(n)) => Some((k, n)),
                _ => None,
            };
            let (asin, impact): (String, Impact) =
                (r.get(0)?, Impact::new(negative, r.get(1)?, before));
            let at = scored.partition_point(|(a, i)| *i > impact || (*i == impact && *a < asin));
            if at < limit {
                scored.insert(at, (asin, impact));
                scored.truncate(limit);
            }
        }
        let mut full = self.products_by_asin(scored.iter().map(|(a, _)| a.as_str()))?;
        Ok(scored
            .into_iter()
            .filter_map(|(asin, impact)| Some((full.remove(&asin)?, impact.rounded())))
            .collect())
    }

    /// These products' list rows, by ASIN.
    fn products_by_asin<'a>(
        &self,
        asins: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, ProductSummary>> {
        let asins: Vec<&str> = asins.collect();
        let mut out = HashMap::with_capacity(asins.len());
        let labels = self.labels()?;
        for chunk in asins.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT {PRODUCT_COLUMNS} FROM product_insights p LEFT JOIN products r
                 ON r.asin = p.asin WHERE p.asin IN ({marks})"
            );
            let mut st = self.conn.prepare(&sql)?;
            let rows = st.query_map(params_from_iter(chunk.iter()), |r| product_row(r, &labels))?;
            for row in rows {
                let p = row?;
                out.insert(p.asin.clone(), p);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextAnalysis;
    use crate::store::insights::ProductRow;
    use crate::store::test_support::{product, review, TestDb};

    /// Ties on review count, ratings and trends missing on some products (they sort last), issues
    /// on some, three brands.
    fn products() -> Vec<ProductRow> {
        // asin, brand, reviews, rating, % negative, trend, issues
        type Spec = (
            &'static str,
            &'static str,
            i64,
            Option<f64>,
            f64,
            Option<f64>,
            &'static [(&'static str, i64)],
        );
        #[rustfmt::skip]
        let spec: [Spec; 12] = [
            ("A01", "Acme", 50, Some(4.5), 10.0, Some(1.0), &[("leaks", 5)]),
            ("A02", "Acme", 50, None, 30.0, None, &[]),
            ("A03", "Acme", 20, Some(3.0), 30.0, Some(-2.0), &[("leaks", 3), ("smell", 4)]),
            ("A04", "Acme", 50, Some(3.0), 5.0, None, &[]),
            ("A05", "Acme", 80, None, 12.5, Some(1.0), &[("leaks", 9)]),
            ("B01", "Bolt", 20, Some(2.0), 40.0, Some(5.0), &[("leaks", 2)]),
            ("B02", "Bolt", 7, Some(4.5), 0.0, Some(0.0), &[]),
            ("B03", "Bolt", 50, None, 12.5, None, &[("smell", 1)]),
            ("C01", "Çava", 3, Some(1.0), 66.7, Some(9.0), &[("leaks", 1)]),
            ("C02", "Çava", 120, Some(3.7), 10.0, Some(1.0), &[]),
            ("C03", "Çava", 20, Some(3.0), 30.0, None, &[]),
            ("C04", "Çava", 20, None, 30.0, Some(-2.0), &[("leaks", 4)]),
        ];
        spec.iter()
            .map(|(asin, brand, n, rating, neg, delta, issues)| {
                let mut p = product(asin, brand, *n, *rating, *neg, issues);
                p.neg_delta = *delta;
                // A previous run whose share is `delta` points below (of 1,000 reviews, so exact).
                p.previous = delta.map(|d| (((neg - d) * 10.0).round() as i64, 1000));
                p
            })
            .collect()
    }

    fn value(p: &ProductRow, sort: ProductSort) -> Option<f64> {
        match sort {
            ProductSort::Reviews => Some(p.review_count as f64),
            ProductSort::Rating => p.avg_rating,
            ProductSort::Negative => Some(p.pct_negative),
            ProductSort::Trend => p.neg_delta,
            ProductSort::Asin => None,
        }
    }

    /// The order the pages must add up to: by value then ASIN in the asked direction, products
    /// without a value last by ASIN whatever the direction.
    fn expected(
        all: &[ProductRow],
        q: &ProductQuery,
        keep: impl Fn(&ProductRow) -> bool,
    ) -> Vec<String> {
        let mut rows: Vec<&ProductRow> = all.iter().filter(|p| keep(p)).collect();
        rows.sort_by(|a, b| {
            let (va, vb) = (value(a, q.sort), value(b, q.sort));
            match (va, vb) {
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) if q.sort != ProductSort::Asin => a.asin.cmp(&b.asin),
                _ => {
                    let o = va
                        .partial_cmp(&vb)
                        .unwrap()
                        .then_with(|| a.asin.cmp(&b.asin));
                    if q.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            }
        });
        rows.into_iter().map(|p| p.asin.clone()).collect()
    }

    /// Every page from the first, by the keys the pages return.
    fn walk(store: &Store, mut q: ProductQuery) -> (Vec<String>, i64) {
        let (mut asins, mut total) = (Vec::new(), None);
        for _ in 0..100 {
            let page = store.product_page(&q).unwrap();
            assert!(page.items.len() <= q.limit);
            assert_eq!(*total.get_or_insert(page.total), page.total);
            asins.extend(page.items.iter().map(|p| p.asin.clone()));
            match page.next {
                Some(k) => q.after = Some(k),
                None => return (asins, page.total),
            }
        }
        panic!("no last page");
    }

    fn has_issue(p: &ProductRow, code: &str) -> bool {
        p.issues.iter().any(|i| i.code == code)
    }

    #[test]
    fn pages_add_up_to_the_sorted_list_in_every_sort_filter_and_size() {
        let mut db = TestDb::new();
        let all = products();
        db.run(products());
        let reader = db.reader();
        type Keep = Box<dyn Fn(&ProductRow) -> bool>;
        let brand = |b: &'static str| -> Keep { Box::new(move |p| p.brand.as_deref() == Some(b)) };
        let filters: Vec<(ProductQuery, Keep)> = vec![
            (ProductQuery::default(), Box::new(|_| true)),
            // brands ignore case, and a brand's walk uses its (brand, sort) index
            (
                ProductQuery {
                    brands: vec!["acme".into()],
                    ..Default::default()
                },
                brand("Acme"),
            ),
            (
                ProductQuery {
                    brands: vec!["çAVA".into()],
                    ..Default::default()
                },
                brand("Çava"),
            ),
            (
                ProductQuery {
                    brands: vec!["BOLT".into(), "Acme".into()],
                    ..Default::default()
                },
                Box::new(|p| p.brand.as_deref() != Some("Çava")),
            ),
            (
                ProductQuery {
                    brands: vec!["nobody".into()],
                    ..Default::default()
                },
                Box::new(|_| false),
            ),
            (
                ProductQuery {
                    issue: Some("leaks".into()),
                    ..Default::default()
                },
                Box::new(|p| has_issue(p, "leaks")),
            ),
            (
                ProductQuery {
                    issue: Some("leaks".into()),
                    brands: vec!["Acme".into()],
                    ..Default::default()
                },
                Box::new(|p| has_issue(p, "leaks") && p.brand.as_deref() == Some("Acme")),
            ),
            (
                ProductQuery {
                    min_reviews: Some(50),
                    ..Default::default()
                },
                Box::new(|p| p.review_count >= 50),
            ),
            (
                ProductQuery {
                    min_rating: Some(3.0),
                    max_rating: Some(4.0),
                    ..Default::default()
                },
                Box::new(|p| p.avg_rating.is_some_and(|r| (3.0..=4.0).contains(&r))),
            ),
            (
                ProductQuery {
                    min_negative: Some(30.0),
                    min_positive: Some(60.0),
                    ..Default::default()
                },
                Box::new(|p| p.pct_negative >= 30.0 && p.pct_positive >= 60.0),
            ),
            // text in the ASIN or brand, ASCII case ignored; LIKE's wildcards are plain characters
            (
                ProductQuery {
                    q: Some("b0".into()),
                    ..Default::default()
                },
                Box::new(|p| p.asin.starts_with('B')),
            ),
            (
                ProductQuery {
                    q: Some("CM".into()),
                    ..Default::default()
                },
                brand("Acme"),
            ),
            (
                ProductQuery {
                    q: Some("_".into()),
                    ..Default::default()
                },
                Box::new(|_| false),
            ),
        ];
        for (f, keep) in &filters {
            for sort in ProductSort::ALL {
                for descending in [true, false] {
                    for limit in [1, 2, 5, 100] {
                        let q = ProductQuery {
                            sort,
                            descending,
                            limit,
                            ..f.clone()
                        };
                        let want = expected(&all, &q, keep);
                        let (got, total) = walk(&reader, q.clone());
                        assert_eq!(got, want, "{q:?}");
                        assert_eq!(total as usize, want.len(), "{q:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_key_is_a_position_in_the_asked_order_whatever_sort_made_it() {
        let mut db = TestDb::new();
        db.run(products());
        let reader = db.reader();
        let page = |sort, descending, after: Option<Key>| {
            let q = ProductQuery {
                sort,
                descending,
                limit: 3,
                after,
                ..Default::default()
            };
            let p = reader.product_page(&q).unwrap();
            p.items.into_iter().map(|p| p.asin).collect::<Vec<_>>()
        };
        // (The API binds a cursor to its sort; the store reads any key in the order asked for.)
        // A rating key read as a trend: after (4.5, A01) descending, ties on 1.0 by ASIN.
        let key = Key {
            value: Some(4.5),
            asin: "A01".into(),
        };
        assert_eq!(
            page(ProductSort::Trend, true, Some(key)),
            ["C02", "A05", "A01"]
        );
        // A key without a value (an ASIN sort's) on a sort that is never null: from the start.
        let key = Key {
            value: None,
            asin: "B02".into(),
        };
        assert_eq!(
            page(ProductSort::Reviews, true, Some(key.clone())),
            page(ProductSort::Reviews, true, None)
        );
        // …and on a nullable sort: in the null range, after that ASIN, in either direction.
        assert_eq!(
            page(ProductSort::Rating, true, Some(key.clone())),
            ["B03", "C04"]
        );
        assert_eq!(page(ProductSort::Rating, false, Some(key)), ["B03", "C04"]);
        // The last product with a rating leads into the null range.
        let key = Key {
            value: Some(1.0),
            asin: "C01".into(),
        };
        assert_eq!(
            page(ProductSort::Rating, true, Some(key)),
            ["A02", "A05", "B03"]
        );
    }

    #[test]
    fn brands_match_ignoring_case_and_unknown_ones_match_nothing() {
        let mut db = TestDb::new();
        let mut ps = products();
        ps.push(product("K01", "KwMobile", 5, None, 0.0, &[]));
        ps.push(product("K02", "KWMOBILE", 5, None, 0.0, &[]));
        db.run(ps);
        let r = db.reader();
        let spell = |given: &[&str]| {
            r.brand_spellings(&given.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap()
        };
        assert!(spell(&[]).is_empty());
        assert_eq!(spell(&["ÇAVA", "acme", "Acme"]), ["Çava", "Acme"]);
        // Every stored spelling (in the table's order).
        assert_eq!(spell(&["kwmobile"]), ["KWMOBILE", "KwMobile"]);
        assert_eq!(spell(&["Nobody"]), ["Nobody"]);
        let q = |b: &str| ProductQuery {
            brands: vec![b.into()],
            ..Default::default()
        };
        assert_eq!(r.product_page(&q("kwMOBILE")).unwrap().total, 2);
        assert_eq!(r.product_page(&q("Nobody")).unwrap().total, 0);
    }

    #[test]
    fn brand_pages_sort_missing_ratings_last_in_both_orders() {
        let mut db = TestDb::new();
        let mut ps = products();
        ps.push(product("N01", "Nul", 60, None, 0.0, &[]));
        ps.push(product("M01", "Mid", 60, None, 0.0, &[]));
        db.run(ps);
        let r = db.reader();
        let walk = |sort, descending, limit| {
            let mut q = BrandQuery {
                sort,
                descending,
                limit,
                ..Default::default()
            };
            let mut names = Vec::new();
            loop {
                let page = r.brand_page(&q).unwrap();
                assert_eq!(page.total, 5);
                names.extend(page.items.iter().map(|b| b.brand.clone()));
                match page.next {
                    Some(k) => q.after = Some(k),
                    None => return names,
                }
            }
        };
        for limit in [1, 2, UNLIMITED] {
            // Acme 3.83, Bolt 3.25, Çava 2.57; Mid and Nul have no rating.
            assert_eq!(
                walk(BrandSort::Rating, false, limit),
                ["Çava", "Bolt", "Acme", "Mid", "Nul"]
            );
            assert_eq!(
                walk(BrandSort::Rating, true, limit),
                ["Acme", "Bolt", "Çava", "Mid", "Nul"]
            );
            // 250, 163, 77, and ties on 60 reviews by name in the same direction.
            assert_eq!(
                walk(BrandSort::Reviews, true, limit),
                ["Acme", "Çava", "Bolt", "Nul", "Mid"]
            );
            assert_eq!(
                walk(BrandSort::Brand, true, limit),
                ["Çava", "Nul", "Mid", "Bolt", "Acme"]
            );
        }
        let q = BrandQuery {
            brands: vec!["mid".into(), "BOLT".into()],
            ..Default::default()
        };
        let page = r.brand_page(&q).unwrap();
        assert_eq!((page.total, page.items.len()), (2, 2));
    }

    #[test]
    fn counts_are_cached_until_the_database_changes() {
        let mut db = TestDb::new();
        db.run(products());
        let reader = db.reader();
        let total = |q: &ProductQuery| reader.product_page(q).unwrap().total;
        let acme = ProductQuery {
            brands: vec!["ACME".into()],
            ..Default::default()
        };
        assert_eq!((total(&ProductQuery::default()), total(&acme)), (12, 5));
        db.run(vec![product("A01", "Acme", 1, None, 0.0, &[])]);
        assert_eq!((total(&ProductQuery::default()), total(&acme)), (1, 1));
    }

    #[test]
    fn review_pages_filter_by_sentiment_and_issue_and_continue_after_an_id() {
        let mut db = TestDb::new();
        let keyed = db.ingest(vec![
            review("A01", "Acme", Some(5), "great"),
            review("A01", "Acme", Some(1), "it leaks"),
            review("A01", "Acme", Some(3), "leaks a bit, meh"),
            review("A01", "Acme", None, "no stars"),
            review("B01", "Bolt", Some(1), "other product"),
        ]);
        let run = db.run(vec![product(
            "A01",
            "Acme",
            4,
            Some(3.0),
            50.0,
            &[("leaks", 2)],
        )]);
        let result = |s, issues: &[&str]| TextAnalysis {
            language: Some("en".into()),
            sentiment: s,
            score: 0.0,
            issues: issues
                .iter()
                .map(|c| IssueHit {
                    code: c.to_string(),
                    evidence: "leaks".into(),
                })
                .collect(),
            aspects: vec!["lid".into()],
            liked: Vec::new(),
            names: Vec::new(),
        };
        let results = vec![
            (keyed[0].text_hash, result(Sentiment::Negative, &[])),
            (keyed[1].text_hash, result(Sentiment::Negative, &["leaks"])),
            (keyed[2].text_hash, result(Sentiment::Negative, &["leaks"])),
        ];
        db.store.put_text_results("offline", run, &results).unwrap();
        let r = db.reader();
        let page = |sentiment, issue: Option<&str>, limit, after| {
            let q = ReviewQuery {
                asin: "A01".into(),
                sentiment,
                issue: issue.map(str::to_string),
                limit,
                after,
                ..Default::default()
            };
            let (items, total, next) = r.review_page(&q).unwrap();
            let bodies: Vec<String> = items.iter().map(|i| i.text.clone().unwrap()).collect();
            (bodies, total, next)
        };
        let (all, total, next) = page(None, None, 10, None);
        assert_eq!((all.len(), total, next), (4, 4, None));
        // Stars decide 4-5 and 1-2; the text decides 3 stars; no stars and no text: neutral.
        let (neg, total, _) = page(Some(Sentiment::Negative), None, 10, None);
        assert_eq!(
            (neg, total),
            (vec!["it leaks".to_string(), "leaks a bit, meh".into()], 2)
        );
        let (neutral, _, _) = page(Some(Sentiment::Neutral), None, 10, None);
        assert_eq!(neutral, ["no stars"]);
        let (leaks, _, _) = page(None, Some("leaks"), 10, None);
        assert_eq!(leaks, ["it leaks", "leaks a bit, meh"]);
        let (first, total, next) = page(None, None, 2, None);
        assert_eq!(
            (first, total),
            (vec!["great".to_string(), "it leaks".into()], 4)
        );
        let (rest, _, next) = page(None, None, 2, next);
        assert_eq!(
            (rest, next),
            (
                vec!["leaks a bit, meh".to_string(), "no stars".into()],
                None
            )
        );
        let (items, _, _) = r
            .review_page(&ReviewQuery {
                asin: "A01".into(),
                limit: 1,
                ..Default::default()
            })
            .unwrap();
        // 5 stars and a negative text disagree.
        assert!(items[0].disagreement);
        assert_eq!(
            (items[0].sentiment, items[0].aspects.as_slice()),
            ("positive", &["lid".to_string()][..])
        );
    }

    #[test]
    fn attention_weighs_negative_reviews_by_how_fast_they_rose() {
        let mut db = TestDb::new();
        db.run(products());
        let r = db.reader();
        let top: Vec<(String, f64)> = r
            .attention(&[], 20, 3)
            .unwrap()
            .into_iter()
            .map(|(p, impact)| (p.asin, impact))
            .collect();
        // B01: 20 × 40 % × 1.5 = 12; A02: 50 × 30 % = 15; C02: 120 × 10 % × 1.1 = 13.2
        assert_eq!(
            top,
            [
                ("A02".to_string(), 15.0),
                ("C02".into(), 13.2),
                ("B01".into(), 12.0)
            ]
        );
        let bolt = r.attention(&["bolt".into()], 0, 10).unwrap();
        assert_eq!(bolt.len(), 3);
    }

    /// The attention walk reads migration 28's covering indexes in order: no sort of every
    /// product, no table row, for one brand and for the whole portfolio.
    #[test]
    fn the_attention_walk_reads_an_index_in_order() {
        let db = TestDb::new();
        for brands in [vec![], vec!["Acme".to_string()]] {
            let q = ProductQuery {
                brands,
                min_reviews: Some(20),
                ..Default::default()
            };
            let (sql, args) = attention_walk(&q);
            let mut st = db
                .store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = (st.query_map(params_from_iter(args), |r| r.get(3)).unwrap())
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter()
                    .any(|l| l.contains("COVERING INDEX product_insights_attention")),
                "{plan:?}"
            );
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
        }
    }

    /// The walk stops once no later product can enter: the first k of a ranking that stops early
    /// are the first k of one that reads every product, whatever their counts and rises.
    #[test]
    fn attention_that_stops_early_ranks_as_a_full_read_does() {
        let mut db = TestDb::new();
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let rows: Vec<ProductRow> = (0..400)
            .map(|i| {
                let n = 1 + next(300) as i64;
                let neg = 100.0 * next(n as u64 + 1) as f64 / n as f64;
                let brand = ["Acme", "Bolt"][i % 2];
                let mut p = product(&format!("P{i:03}"), brand, n, Some(3.0), neg, &[]);
                // Most rose from a smaller share (some from none), a few fell, some are new.
                p.previous = match next(4) {
                    0 => None,
                    _ => Some((
                        next(1 + p.review_count as u64 / 2) as i64,
                        1 + next(400) as i64,
                    )),
                };
                p
            })
            .collect();
        db.run(rows);
        let r = db.reader();
        let ranked = |brands: &[String], min: i64, k: usize| -> Vec<(String, f64)> {
            (r.attention(brands, min, k).unwrap().into_iter())
                .map(|(p, impact)| (p.asin, impact))
                .collect()
        };
        for (brands, min) in [(vec![], 0), (vec!["acme".to_string()], 0), (vec![], 50)] {
            let all = ranked(&brands, min, 1000);
            assert!(all.len() > 100, "{}", all.len());
            for k in [0, 1, 3, 10, 40] {
                assert_eq!(ranked(&brands, min, k), all[..k], "{brands:?} {min} {k}");
            }
        }
    }
}
