//! `prodinsight report`: insights for people (tables) and programs (CSV, JSON, JSON Lines).
//! All data comes through `store`'s typed views, the same code and types the API uses: one
//! definition drives every format.

mod brand;
mod breakdowns;
mod html;
mod issues_csv;
mod output;
mod windows;

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result, EXIT_ALERT};
use crate::store::changes::{Alert, ChangeQuery, Changes, Quote};
use crate::store::pages::{BrandQuery, ProductQuery, ProductSummary};
use crate::store::query::{Filter, ReviewOut};
use crate::store::views::{
    BrandIssue, BrandPoint, BrandSummary, Breakdowns, HistoryPoint, IssueRow, IssueSort,
    LikedAspectCount, PortfolioMonth, ProductDetail, RunRow,
};
use crate::store::windows::{Window, WindowView};
use crate::store::Store;
use output::{Out, Tabular};

/// What to report, where and how: built from the command line by the caller.
pub struct Options {
    pub view: View,
    pub format: Format,
    /// Write here (through a temporary file beside it) instead of standard output.
    pub output: Option<PathBuf>,
    /// CSV cells as they are, formula-like ones not neutralised.
    pub raw_csv: bool,
    /// No note on stderr about an analysis that did not finish.
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
    Html,
}

pub enum View {
    /// What needs attention, the top issues, the brands.
    Overview(Overview),
    Products(ProductQuery),
    /// One product in full, by ASIN in any letter case.
    Product(String),
    Brands(BrandQuery),
    /// One brand in full (any letter case), in a window when one is set.
    Brand {
        name: String,
        window: Window,
    },
    /// Issues ranked across the products of `brands` (all if empty).
    Issues(Filter, IssueSort),
    /// One row per review; an ASIN must name a product (in any letter case).
    Reviews(Filter),
    /// What customers like across `brands` (all if empty), summed or one row per brand; in a
    /// window when one is set.
    Liked {
        brands: Vec<String>,
        by_brand: bool,
        window: Window,
    },
    /// Reviews by marketplace and language across `brands` (all if empty), summed or one row per
    /// brand; in a window when one is set.
    Breakdowns {
        brands: Vec<String>,
        by_brand: bool,
        window: Window,
    },
    /// One issue across the portfolio per brand and product, in a window (unset: all days).
    Issue {
        code: String,
        window: Window,
    },
    /// Complaint aspects of one product (`asin`, any letter case) or across `brands` (all if
    /// empty) in a window (unset: all days).
    Aspects {
        window: Window,
        asin: Option<String>,
        brands: Vec<String>,
    },
    /// The analysis runs started in the window (unset: all).
    Runs(Window),
    /// What got worse; `fail_on_alert`: exit with `EXIT_ALERT` when there is an alert.
    Changes {
        query: ChangeQuery,
        fail_on_alert: bool,
    },
    /// A view restricted to the reviews dated in a window.
    Window(Window, WindowView),
}

#[derive(Debug, Clone)]
pub struct Overview {
    /// Only these brands, any letter case; empty: all.
    pub brands: Vec<String>,
    /// Products with fewer reviews do not make the attention list.
    pub min_reviews: i64,
    /// At most this many products in the attention list.
    pub limit: usize,
}

pub fn run(store: &Store, opts: &Options) -> Result<i32> {
    check_issue(store, &opts.view)?;
    if !opts.quiet {
        if let Some((id, status)) = store.unfinished_analysis()? {
            // A cron job's report must not pass off the previous run's insights as current.
            eprintln!("report: the last analysis run (#{id}) did not finish ({status}): these insights are from the run before it, if any; run `prodinsight analyze` again");
        }
    }
    let mut out = Out::open(opts.output.as_deref(), store.path(), opts.raw_csv)?;
    let code = view(store, &opts.view, opts.format, &mut out)?;
    out.finish()?;
    Ok(code)
}

/// `--issue CODE` names a code the current insights know (built-in or a custom topic's): a typo is
/// an error, not an empty list.
fn check_issue(store: &Store, view: &View) -> Result<()> {
    let code = match view {
        View::Products(q) => q.issue.as_deref(),
        View::Reviews(f) => f.issue.as_deref(),
        View::Issue { code, .. } => Some(code.as_str()),
        _ => None,
    };
    if let Some(c) = code {
        crate::filters::known_issue("issue", c, &store.labels()?).map_err(|e| {
            Error::Usage(format!(
                "invalid value '{c}' for '--issue <CODE>': {}",
                e.message
            ))
        })?;
    }
    Ok(())
}

fn view(store: &Store, view: &View, fmt: Format, out: &mut Out) -> Result<i32> {
    match view {
        View::Overview(o) => overview(store, o, fmt, out)?,
        View::Products(q) => {
            let rows = store.product_page(q)?.items;
            out.emit(fmt, "Products", &products_table(&rows), &rows)?;
        }
        View::Product(asin) => {
            let p = store.product(asin)?;
            match fmt {
                Format::Json | Format::Jsonl => out.json(&p, fmt)?,
                Format::Html => out.raw(&html::product_page(&p))?,
                Format::Csv | Format::Table => product_tables(&p, fmt, out)?,
            }
        }
        View::Brands(q) => brands_view(store, q, fmt, out)?,
        View::Brand { name, window } => {
            brand::render(&store.brand_detail(name, window)?, fmt, out)?
        }
        View::Issues(f, sort) => issues_view(store, f, *sort, fmt, out)?,
        View::Reviews(f) => reviews(store, &review_filter(store, f)?, fmt, out)?,
        View::Window(w, v) => windows::render(&store.window_report(w, v)?, fmt, out)?,
        View::Liked {
            brands,
            by_brand,
            window,
        } if window.is_set() => windows::liked_view(
            &store.window_liked_rows(window, brands, *by_brand)?,
            window,
            *by_brand,
            fmt,
            out,
        )?,
        View::Liked {
            brands, by_brand, ..
        } => liked_view(store, brands, *by_brand, fmt, out)?,
        View::Breakdowns {
            brands,
            by_brand,
            window,
        } => breakdowns::render(store, brands, *by_brand, window, fmt, out)?,
        View::Issue { code, window } => {
            windows::issue_view(&store.window_issue_detail(window, code)?, fmt, out)?
        }
        View::Aspects {
            window,
            asin,
            brands,
        } => {
            let scope = match asin {
                Some(a) => store.window_product_scope(a)?,
                None => store.window_brand_scope(brands)?,
            };
            windows::aspects_view(&store.window_aspects(window, &scope)?, window, fmt, out)?
        }
        View::Runs(window) => {
            let rows = store.runs(window)?;
            out.emit(fmt, "Analysis runs", &runs_table(&rows), &rows)?;
        }
        View::Changes {
            query,
            fail_on_alert,
        } => {
            let changes = store.changes(query)?;
            changes_view(&changes, fmt, out)?;
            if !changes.alerts.is_empty() && *fail_on_alert {
                return Ok(EXIT_ALERT);
            }
        }
    }
    Ok(0)
}

/// Issues ranked across the products of the filter's brands; CSV with the windowed list's columns.
fn issues_view(
    store: &Store,
    f: &Filter,
    sort: IssueSort,
    fmt: Format,
    out: &mut Out,
) -> Result<()> {
    let mut rows = issue_rows(store, f)?;
    sort.sort(&mut rows);
    if let Some(n) = f.limit {
        rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    match fmt {
        Format::Csv => out.table(fmt, "", &issues_csv::all_time(&rows)),
        _ => out.emit(fmt, "Issues", &issues_table(&rows), &rows),
    }
}

/// A number as JSON writes it (`50.0`, not `50`), so tables and CSV show what JSON shows; blank
/// where JSON has null (not finite).
fn num(x: f64) -> String {
    match x.is_finite() {
        true => serde_json::to_string(&x).unwrap_or_default(),
        false => String::new(),
    }
}

/// An optional number as a cell: blank when there is none.
fn opt_num(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// Optional text as a cell: blank when there is none.
fn opt_text(x: &Option<String>) -> String {
    x.clone().unwrap_or_default()
}

/// A change in points, signed; blank when there is none.
fn delta(x: Option<f64>) -> String {
    x.map(|d| format!("{d:+.1}")).unwrap_or_default()
}

/// A change in reviews since the previous run: "+3", "-1", "0"; empty when not known.
fn count_delta(x: Option<i64>) -> String {
    x.map(|d| if d == 0 { "0".into() } else { format!("{d:+}") })
        .unwrap_or_default()
}

/// The reviews view's filter: an ASIN must name a product (as the API's 404), in any letter case.
fn review_filter(store: &Store, f: &Filter) -> Result<Filter> {
    let asin = match &f.asin {
        None => None,
        Some(a) => Some(
            store
                .canonical_asin(a)?
                .ok_or_else(|| Error::NotFound(format!("no product {a}")))?,
        ),
    };
    Ok(Filter { asin, ..f.clone() })
}

fn products_table(rows: &[ProductSummary]) -> Tabular {
    Tabular {
        headers: vec![
            "asin",
            "brand",
            "reviews",
            "avg rating",
            "% positive",
            "% negative",
            "Δ negative",
            "top issues",
        ],
        rows: rows
            .iter()
            .map(|p| {
                let top: Vec<String> = p
                    .top_issues
                    .iter()
                    .take(3)
                    .map(|i| format!("{} ({})", i.code, i.count))
                    .collect();
                vec![
                    p.asin.clone(),
                    opt_text(&p.brand),
                    p.review_count.to_string(),
                    opt_num(p.avg_rating),
                    num(p.pct_positive),
                    num(p.pct_negative),
                    delta(p.neg_delta),
                    top.join(", "),
                ]
            })
            .collect(),
    }
}

fn brands_table(rows: &[BrandSummary]) -> Tabular {
    Tabular {
        headers: vec![
            "brand",
            "products",
            "reviews",
            "avg rating",
            "% positive",
            "% negative",
            "Δ negative",
            "top issue",
        ],
        rows: rows
            .iter()
            .map(|b| {
                vec![
                    b.brand.clone(),
                    b.products.to_string(),
                    b.review_count.to_string(),
                    opt_num(b.avg_rating),
                    num(b.pct_positive),
                    num(b.pct_negative),
                    delta(b.neg_delta),
                    b.issues
                        .first()
                        .map(|i| i.label.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// The brand list; one brand alone also gets its trend, by review month when its reviews have
/// dates, else by analysis run (JSON carries both: `history` in each brand).
/// Brands; one brand (`--brand X` matching one) also with what customers like, its breakdowns
/// by marketplace and language, and its trend, in the table and the page.
fn brands_view(store: &Store, q: &BrandQuery, fmt: Format, out: &mut Out) -> Result<()> {
    let rows = store.brand_page(q)?.items;
    // The page is the brand's when one was asked for; a list that happens to hold one brand
    // stays a list page (its table has always shown the one brand's details).
    let asked = !q.brands.is_empty();
    let (Format::Table | Format::Html, [brand]) = (fmt, rows.as_slice()) else {
        return out.emit(fmt, "Brands", &brands_table(&rows), &rows);
    };
    if fmt == Format::Html && !asked {
        return out.emit(fmt, "Brands", &brands_table(&rows), &rows);
    }
    let months = store.portfolio_months(std::slice::from_ref(&brand.brand))?;
    let mine = Filter {
        brands: vec![brand.brand.clone()],
        ..Filter::default()
    };
    let issues = issues_table(&issue_rows(store, &mine)?);
    let (by, trend) = match months.is_empty() {
        true => ("By analysis run", brand_run_trend(&brand.history)),
        false => ("By review month", month_table(&months)),
    };
    if fmt == Format::Html {
        let intro = format!(
            "{} reviews of {} products",
            brand.review_count, brand.products
        );
        return out.raw(&html::tables_page(
            &format!("prodinsight: {}", brand.brand),
            &intro,
            &[
                ("", brands_table(&rows)),
                ("Issues and what each costs in stars", issues),
                ("What customers like", liked_table(&brand.liked_aspects)),
                (
                    "By marketplace and by language",
                    breakdowns_table(&brand.breakdowns),
                ),
                (by, trend),
            ],
        ));
    }
    out.emit(fmt, "Brands", &brands_table(&rows), &rows)?;
    out.line("\nIssues and what each costs in stars")?;
    out.table(fmt, "", &issues)?;
    out.line("")?;
    out.table(fmt, "", &liked_table(&brand.liked_aspects))?;
    out.line("")?;
    out.table(fmt, "", &breakdowns_table(&brand.breakdowns))?;
    out.line("")?;
    out.table(fmt, "", &trend)
}

/// The portfolio (or a brand) by review month.
fn month_table(months: &[PortfolioMonth]) -> Tabular {
    Tabular {
        headers: vec!["month", "reviews", "avg rating", "% negative"],
        rows: months
            .iter()
            .map(|m| {
                vec![
                    m.month.clone(),
                    m.reviews.to_string(),
                    opt_num(m.avg_rating),
                    m.pct_negative.map(num).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

fn issue_rows(store: &Store, f: &Filter) -> Result<Vec<IssueRow>> {
    Ok(store.issues(f)?.into_iter().map(IssueRow::new).collect())
}

fn issues_table(rows: &[IssueRow]) -> Tabular {
    Tabular {
        headers: vec![
            "code",
            "issue",
            "reviews",
            "products",
            "negative or neutral reviews",
            "avg rating with",
            "avg rating without",
            "stars gained if fixed",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.code.clone(),
                    r.label.to_string(),
                    r.reviews.to_string(),
                    r.products.to_string(),
                    r.reviews_negative_neutral.to_string(),
                    opt_num(r.avg_rating_with),
                    opt_num(r.avg_rating_without),
                    opt_num(r.stars_gained),
                ]
            })
            .collect(),
    }
}

fn runs_table(rows: &[RunRow]) -> Tabular {
    Tabular {
        headers: vec![
            "run",
            "started",
            "status",
            "analyzer",
            "reviews",
            "analyzed",
            "products",
            "seconds",
            "requests",
            "fallback",
            "tokens in/out",
            "cost USD",
        ],
        rows: rows.iter().map(run_cells).collect(),
    }
}

fn run_cells(r: &RunRow) -> Vec<String> {
    let tokens = r.prompt_tokens + r.completion_tokens;
    vec![
        r.id.to_string(),
        r.started_at.clone(),
        r.status.clone(),
        r.analyzer.clone(),
        r.reviews_total.to_string(),
        r.reviews_analyzed.to_string(),
        r.products_updated.to_string(),
        r.duration_ms
            .map(|m| format!("{:.2}", m as f64 / 1000.0))
            .unwrap_or_default(),
        nonzero(r.requests),
        nonzero(r.reviews_fallback),
        if tokens > 0 {
            format!("{}/{}", r.prompt_tokens, r.completion_tokens)
        } else {
            String::new()
        },
        Some(r.cost_usd)
            .filter(|c| *c > 0.0)
            .map(|c| format!("{c:.4}"))
            .unwrap_or_default(),
    ]
}

/// A count, blank when zero (an offline run makes no requests).
fn nonzero(n: i64) -> String {
    match n {
        0 => String::new(),
        n => n.to_string(),
    }
}

/// A product of the attention list: its summary and its impact.
#[derive(Serialize)]
struct AttentionRow {
    #[serde(flatten)]
    product: ProductSummary,
    impact: f64,
}

/// The overview as JSON.
#[derive(Serialize)]
struct OverviewData {
    attention: Vec<AttentionRow>,
    /// Ranked by the negative and neutral reviews reporting each.
    issues: Vec<IssueRow>,
    brands: Vec<BrandSummary>,
    /// Issues only positive reviews mention: no top issue.
    mentioned_in_praise: Vec<IssueRow>,
    /// Reviews per language the analyzer does not read (their stars still count).
    languages_not_analyzed: std::collections::BTreeMap<String, i64>,
    /// The portfolio's (or the brands') reviews by marketplace and by language.
    breakdowns: Breakdowns,
    /// What customers like across the portfolio (or the brands).
    liked_aspects: Vec<LikedAspectCount>,
}

/// The default view: what needs attention, the top issues, the brands.
fn overview(store: &Store, o: &Overview, fmt: Format, out: &mut Out) -> Result<()> {
    store.require_analysis()?;
    let attention = store
        .attention(&o.brands, o.min_reviews, o.limit)?
        .into_iter()
        .map(|(product, impact)| AttentionRow { product, impact })
        .collect();
    let brand_filter = Filter {
        brands: o.brands.clone(),
        ..Default::default()
    };
    let (issues, mentioned_in_praise) = issue_rows(store, &brand_filter)?
        .into_iter()
        .partition(|i| i.reviews_negative_neutral > 0);
    let data = OverviewData {
        attention,
        issues,
        brands: store.brands(&o.brands)?,
        mentioned_in_praise,
        languages_not_analyzed: store.portfolio_summary()?.languages_not_analyzed,
        breakdowns: store.breakdowns(&o.brands)?,
        liked_aspects: store.liked_aspects(&o.brands)?,
    };
    match fmt {
        Format::Json | Format::Jsonl => out.json(&data, fmt),
        Format::Csv => out.emit(fmt, "", &attention_table(&data.attention), &data.attention),
        Format::Table => overview_tables(&data, o, out),
        Format::Html => out.raw(&overview_page(store, &data, o)?),
    }
}

fn attention_table(rows: &[AttentionRow]) -> Tabular {
    Tabular {
        headers: vec![
            "asin",
            "brand",
            "reviews",
            "% negative",
            "Δ negative",
            "impact",
            "avg rating",
            "top issue",
        ],
        rows: rows
            .iter()
            .map(|AttentionRow { product: p, impact }| {
                vec![
                    p.asin.clone(),
                    opt_text(&p.brand),
                    p.review_count.to_string(),
                    num(p.pct_negative),
                    delta(p.neg_delta),
                    num(*impact),
                    opt_num(p.avg_rating),
                    p.top_issues
                        .first()
                        .map(|i| format!("{} ({})", i.label, i.count))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

fn overview_tables(data: &OverviewData, o: &Overview, out: &mut Out) -> Result<()> {
    out.line(&format!(
        "Products that need attention (at least {} reviews; impact = negative reviews, weighted up by their rise)",
        o.min_reviews
    ))?;
    out.table(Format::Table, "", &attention_table(&data.attention))?;
    out.line("\nTop issues across the portfolio (ranked by the negative and neutral reviews reporting them)")?;
    let mut top = issues_table(&data.issues);
    top.rows.truncate(10);
    out.table(Format::Table, "", &top)?;
    if !data.mentioned_in_praise.is_empty() {
        let praise: Vec<String> = (data.mentioned_in_praise.iter())
            .map(|i| format!("{} ({})", i.label, i.reviews))
            .collect();
        out.line(&format!(
            "Mentioned in praise only (no negative or neutral review reports them): {}",
            praise.join(", ")
        ))?;
    }
    out.line("\nWhat customers like across the portfolio")?;
    out.table(Format::Table, "", &liked_table(&data.liked_aspects))?;
    out.line("\nBrands")?;
    out.table(Format::Table, "", &brands_table(&data.brands))?;
    out.line("\nBy marketplace and by language")?;
    out.table(Format::Table, "", &breakdowns_table(&data.breakdowns))?;
    match crate::model::not_analyzed_line(&data.languages_not_analyzed) {
        Some(line) => out.line(&format!("\n{line} (their stars still count)")),
        None => Ok(()),
    }
}

fn overview_page(store: &Store, data: &OverviewData, o: &Overview) -> Result<String> {
    // Cards for the first few products: their top issue with a quote.
    let cards: Vec<ProductDetail> = data
        .attention
        .iter()
        .take(6)
        .filter_map(|a| store.product(&a.product.asin).ok())
        .collect();
    let top: Vec<(String, i64)> = data
        .issues
        .iter()
        .take(10)
        .map(|i| (i.label.to_string(), i.reviews_negative_neutral))
        .collect();
    Ok(html::portfolio_page(&html::Portfolio {
        attention: &attention_table(&data.attention),
        attention_cards: &cards,
        issues: &top,
        issue_costs: &issues_table(&data.issues[..data.issues.len().min(10)]),
        brands: &brands_table(&data.brands),
        breakdowns: &breakdowns_table(&data.breakdowns),
        liked: &data.liked_aspects,
        months: &store.portfolio_months(&o.brands)?,
        ratings: store.rating_distribution(&o.brands)?,
        products: data.brands.iter().map(|b| b.products).sum(),
        reviews: data.brands.iter().map(|b| b.review_count).sum(),
    }))
}

/// A quote as one cell: stars, language and text.
fn quote_cell(q: &Quote) -> String {
    format!(
        "{}★ {} {}: {}",
        q.stars.map_or("?".into(), |s| s.to_string()),
        q.language.as_deref().unwrap_or("?"),
        q.asin,
        q.text
    )
}

/// The alerts as rows: the columns CSV had before, then level, subject, exact counts, evidence and
/// quotes.
fn changes_table(alerts: &[Alert]) -> Tabular {
    Tabular {
        headers: vec![
            "asin",
            "brand",
            "alert",
            "issue",
            "before %",
            "now %",
            "change",
            "reviews then",
            "reviews now",
            "level",
            "scope",
            "subject",
            "before k/n",
            "now k/n",
            "new k/n",
            "p value",
            "run",
            "quotes",
        ],
        rows: alerts
            .iter()
            .map(|a| {
                vec![
                    a.asin.clone().unwrap_or_default(),
                    a.brand.clone().unwrap_or_default(),
                    a.kind.clone(),
                    a.label.clone().unwrap_or_default(),
                    num(a.before),
                    num(a.after),
                    format!("{:+.1}", a.change),
                    a.reviews_before.to_string(),
                    a.reviews_after.to_string(),
                    a.level.clone(),
                    a.scope.clone(),
                    a.subject.clone(),
                    format!("{}/{}", a.before_k, a.before_n),
                    format!("{}/{}", a.after_k, a.after_n),
                    format!("{}/{}", a.new_k, a.new_n),
                    format!("{:.2e}", a.p_value),
                    a.run_id.to_string(),
                    a.quotes
                        .iter()
                        .map(quote_cell)
                        .collect::<Vec<_>>()
                        .join(" | "),
                ]
            })
            .collect(),
    }
}

/// The heading line of the table view: which runs, against what, by which rule.
fn changes_heading(c: &Changes) -> String {
    let rule = format!(
        "a rise of at least {} points (rule: {} points, {} % confidence by a {}; products from {} reviews, smaller ones count in their brand)",
        c.threshold_points,
        c.rule.min_change_points,
        c.rule.confidence_pct,
        c.rule.test,
        c.rule.product_min_reviews.max(c.min_reviews),
    );
    let runs = match c.runs.as_slice() {
        [one] => format!("run {one}"),
        [] => "no run in that time".into(),
        many => format!(
            "runs {}",
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    match &c.base_run {
        _ if c.current_run.status == "unchanged" && c.runs.len() == 1 => {
            format!("Run {} found nothing new: no alerts.", c.current_run.id)
        }
        None => format!(
            "Alerts of {runs}: {} (no earlier analysis run to compare with).",
            c.alerts.len()
        ),
        Some(base) => format!(
            "Alerts of {runs} against run {} ({}): {}, {rule}; {} new product(s)",
            base.id,
            base.finished_at.as_deref().unwrap_or("?"),
            c.alerts.len(),
            c.new_products,
        ),
    }
}

/// The alerts for a person at a terminal: what, how much, on how many reviews, how sure, and the
/// worst new quote. CSV and HTML carry every column (`changes_table`).
fn changes_terminal(alerts: &[Alert]) -> Tabular {
    Tabular {
        headers: vec![
            "level",
            "what got worse",
            "before",
            "now",
            "change",
            "new reviews",
            "p",
            "a new review",
        ],
        rows: alerts
            .iter()
            .map(|a| {
                let whose = match (a.level.as_str(), &a.asin, &a.brand) {
                    ("product", Some(asin), _) => asin.clone(),
                    (_, _, Some(brand)) if a.scope != "portfolio" => brand.clone(),
                    ("issue", _, _) => "all brands".into(),
                    _ => a.subject.clone(),
                };
                let what = match (a.label.as_deref(), a.kind.as_str()) {
                    (Some(label), "new_issue") => format!("{whose}: {label} (new)"),
                    (Some(label), _) => format!("{whose}: {label}"),
                    (None, _) => format!("{whose}: % negative"),
                };
                vec![
                    a.level.clone(),
                    what,
                    format!("{} % ({}/{})", num(a.before), a.before_k, a.before_n),
                    format!("{} % ({}/{})", num(a.after), a.after_k, a.after_n),
                    format!("{:+.1}", a.change),
                    format!("{}/{}", a.new_k, a.new_n),
                    format!("{:.1e}", a.p_value),
                    a.quotes.first().map(quote_cell).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

fn changes_view(c: &Changes, fmt: Format, out: &mut Out) -> Result<()> {
    match fmt {
        Format::Json => out.json(c, fmt),
        Format::Table => {
            out.line(&changes_heading(c))?;
            if c.alerts.is_empty() {
                Ok(())
            } else {
                out.table(fmt, "", &changes_terminal(&c.alerts))
            }
        }
        _ => out.emit(fmt, "What got worse", &changes_table(&c.alerts), &c.alerts),
    }
}

/// One product as tables: its numbers, its issues with an example each, its months.
fn product_tables(p: &ProductDetail, fmt: Format, out: &mut Out) -> Result<()> {
    out.table(fmt, "", &product_facts(p))?;
    out.line("")?;
    out.table(fmt, "", &product_issues(p))?;
    if fmt == Format::Table && !p.mentioned_in_praise.is_empty() {
        out.line(&format!(
            "Mentioned in praise only (no negative or neutral review reports them): {}",
            praise_list(p)
        ))?;
    }
    out.line("")?;
    out.table(fmt, "", &product_aspects(p))?;
    out.line("")?;
    out.table(fmt, "", &breakdowns_table(&p.breakdowns))?;
    out.line("")?;
    // An export without review dates has no months: its trend is the analysis runs.
    if p.trend.is_empty() {
        out.table(fmt, "", &run_trend(&p.history))
    } else {
        out.table(fmt, "", &product_trend(p))
    }
}

/// One row per analysis run: reviews, % negative and the top issues then.
fn run_trend(points: &[HistoryPoint]) -> Tabular {
    Tabular {
        headers: vec![
            "run",
            "finished",
            "reviews",
            "avg rating",
            "% negative",
            "top issues",
        ],
        rows: points
            .iter()
            .map(|h| {
                vec![
                    h.run_id.to_string(),
                    opt_text(&h.at),
                    h.review_count.to_string(),
                    opt_num(h.avg_rating),
                    num(h.pct_negative),
                    issue_list(&h.top_issues),
                ]
            })
            .collect(),
    }
}

/// One row per analysis run of a brand.
fn brand_run_trend(points: &[BrandPoint]) -> Tabular {
    let as_history: Vec<HistoryPoint> = points
        .iter()
        .map(|b| HistoryPoint {
            run_id: b.run_id,
            at: b.at.clone(),
            review_count: b.review_count,
            avg_rating: b.avg_rating,
            pct_negative: b.pct_negative,
            top_issues: b.top_issues.clone(),
            ..Default::default()
        })
        .collect();
    run_trend(&as_history)
}

/// A product's issues that only positive reviews mention: "Noise (4), Fit (1)".
fn praise_list(p: &ProductDetail) -> String {
    let items: Vec<String> = (p.mentioned_in_praise.iter())
        .map(|i| format!("{} ({})", i.label, i.count))
        .collect();
    items.join(", ")
}

/// Reviews by marketplace, then by language: one row each, with % negative, average rating and
/// the top issues with their counts.
fn breakdowns_table(b: &Breakdowns) -> Tabular {
    let dims = [
        ("marketplace", &b.by_marketplace),
        ("language", &b.by_language),
    ];
    let rows = dims
        .iter()
        .flat_map(|(dim, rows)| {
            rows.iter().map(move |r| {
                vec![
                    dim.to_string(),
                    r.key.clone(),
                    r.reviews.to_string(),
                    num(r.pct_negative),
                    opt_num(r.avg_rating),
                    issue_list(&r.top_issues),
                ]
            })
        })
        .collect();
    Tabular {
        headers: vec![
            "by",
            "marketplace or language",
            "reviews",
            "% negative",
            "avg rating",
            "top 3 issues",
        ],
        rows,
    }
}

/// "Leaks (5), Smell (2)"
fn issue_list(issues: &[BrandIssue]) -> String {
    let items: Vec<String> = issues
        .iter()
        .map(|i| format!("{} ({})", i.label, i.count))
        .collect();
    items.join(", ")
}

/// A liked aspect's quote as one cell: "text" (language stars).
fn liked_quote(a: &LikedAspectCount) -> String {
    a.quote.as_ref().map_or(String::new(), |q| {
        let stars = q.stars.map_or(String::new(), |s| format!(" {s}★"));
        let lang = q.language.as_deref().unwrap_or("?");
        format!("\"{}\" ({lang}{stars})", q.text)
    })
}

/// What customers like across a brand or the portfolio: reviews, share and a quote each.
fn liked_table(liked: &[LikedAspectCount]) -> Tabular {
    Tabular {
        headers: vec!["liked", "reviews", "% of reviews", "quote"],
        rows: (liked.iter())
            .map(|a| {
                vec![
                    a.term.clone(),
                    a.count.to_string(),
                    num(a.share),
                    liked_quote(a),
                ]
            })
            .collect(),
    }
}

/// A liked aspect of `report liked`: the brand's when one row per brand, else the sum.
#[derive(Serialize)]
struct LikedRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<&'a str>,
    #[serde(flatten)]
    aspect: &'a LikedAspectCount,
}

/// `report liked`: the overview's (or, per brand, `report brands`') liked aspects as one table,
/// with the quote's stars and language in cells of their own so CSV stays machine-readable.
fn liked_view(
    store: &Store,
    brands: &[String],
    by_brand: bool,
    fmt: Format,
    out: &mut Out,
) -> Result<()> {
    store.require_analysis()?;
    let (summed, per_brand);
    let rows: Vec<LikedRow> = if by_brand {
        per_brand = store.brands(brands)?;
        (per_brand.iter())
            .flat_map(|b| {
                (b.liked_aspects.iter()).map(|aspect| LikedRow {
                    brand: Some(&b.brand),
                    aspect,
                })
            })
            .collect()
    } else {
        summed = store.liked_aspects(brands)?;
        (summed.iter())
            .map(|aspect| LikedRow {
                brand: None,
                aspect,
            })
            .collect()
    };
    let mut headers = vec![
        "liked",
        "reviews",
        "% of reviews",
        "quote",
        "stars",
        "language",
    ];
    if by_brand {
        headers.insert(0, "brand");
    }
    let t = Tabular {
        headers,
        rows: (rows.iter())
            .map(|r| {
                let a = r.aspect;
                let q = a.quote.as_ref();
                let mut cells = vec![
                    a.term.clone(),
                    a.count.to_string(),
                    num(a.share),
                    q.map_or_else(String::new, |q| q.text.clone()),
                    q.and_then(|q| q.stars)
                        .map_or_else(String::new, |s| s.to_string()),
                    q.and_then(|q| q.language.clone()).unwrap_or_default(),
                ];
                if let Some(b) = r.brand {
                    cells.insert(0, b.to_string());
                }
                cells
            })
            .collect(),
    };
    out.emit(fmt, "What customers like", &t, &rows)
}

/// What customers like beside what they complain about, the ten most named of each.
fn product_aspects(p: &ProductDetail) -> Tabular {
    let n = p.liked_aspects.len().max(p.complaint_aspects.len()).min(10);
    let rows = (0..n)
        .map(|i| {
            let (term, count, share, moved, points, quote) =
                p.liked_aspects.get(i).map_or_else(Default::default, |a| {
                    let c = a.change.unwrap_or_default();
                    let (moved, points) = (count_delta(c.count_change), delta(c.share_change));
                    let (count, share) = (a.count.to_string(), num(a.share));
                    (a.term.clone(), count, share, moved, points, liked_quote(a))
                });
            let (c_term, c_count, c_moved, c_points) =
                p.complaint_aspects
                    .get(i)
                    .map_or_else(Default::default, |a| {
                        let c = a.change.unwrap_or_default();
                        let (moved, points) = (count_delta(c.count_change), delta(c.share_change));
                        (a.term.clone(), a.count.to_string(), moved, points)
                    });
            vec![
                term, count, share, moved, points, quote, c_term, c_count, c_moved, c_points,
            ]
        })
        .collect();
    Tabular {
        headers: vec![
            "liked",
            "reviews",
            "% of reviews",
            "Δ reviews since previous run",
            "Δ % of reviews",
            "quote",
            "complaint aspect",
            "reviews",
            "Δ reviews since previous run",
            "Δ % of reviews",
        ],
        rows,
    }
}

fn product_facts(p: &ProductDetail) -> Tabular {
    let summary = (p.summary.as_ref()).map_or(String::new(), |s| {
        format!("{} ({}, run {})", s.text, s.model, s.run_id)
    });
    let facts: [(&str, String); 16] = [
        ("asin", p.asin.clone()),
        ("brand", opt_text(&p.brand)),
        ("title", opt_text(&p.title)),
        ("review_count", p.review_count.to_string()),
        ("rated_count", p.rated_count.to_string()),
        ("avg_rating", opt_num(p.avg_rating)),
        ("pct_positive", num(p.pct_positive)),
        ("pct_neutral", num(p.pct_neutral)),
        ("pct_negative", num(p.pct_negative)),
        ("neg_delta", opt_num(p.neg_delta)),
        (
            "stars_text_disagreements",
            p.stars_text_disagreements.to_string(),
        ),
        ("last_review_date", opt_text(&p.last_review_date)),
        ("rating_histogram", compact(&p.rating_histogram)),
        ("languages", compact(&p.languages)),
        (
            "previous_review_count",
            p.previous_review_count
                .map_or(String::new(), |n| n.to_string()),
        ),
        ("summary", summary),
    ];
    Tabular {
        headers: vec!["field", "value"],
        rows: facts
            .into_iter()
            .map(|(k, v)| vec![k.to_string(), v])
            .collect(),
    }
}

/// A value as one line of JSON.
fn compact<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn product_issues(p: &ProductDetail) -> Tabular {
    Tabular {
        headers: vec![
            "issue",
            "reviews",
            "% of reviews",
            "% of negative",
            "avg rating with",
            "avg rating without",
            "stars gained if fixed",
            "example",
            "Δ reviews since previous run",
            "Δ % of reviews",
        ],
        rows: p
            .issues
            .iter()
            .map(|i| {
                let (quote, id) = i
                    .examples
                    .first()
                    .map_or(("", ""), |e| (e.text.as_str(), e.review_id.as_str()));
                vec![
                    i.label.clone(),
                    i.count.to_string(),
                    num(i.share),
                    num(i.share_of_negative),
                    opt_num(i.avg_rating_with),
                    opt_num(i.avg_rating_without),
                    opt_num(i.stars_gained),
                    format!("\"{quote}\" ({id})"),
                    count_delta(i.change.count_change),
                    delta(i.change.share_change),
                ]
            })
            .collect(),
    }
}

fn product_trend(p: &ProductDetail) -> Tabular {
    Tabular {
        headers: vec!["month", "reviews", "avg rating", "% negative"],
        rows: p
            .trend
            .iter()
            .map(|m| {
                vec![
                    m.month.clone(),
                    m.reviews.to_string(),
                    opt_num(m.avg_rating),
                    num(m.pct_negative),
                ]
            })
            .collect(),
    }
}

const REVIEW_COLUMNS: [&str; 15] = [
    "review_id",
    "asin",
    "brand",
    "rating",
    "review_date",
    "language",
    "sentiment",
    "text_sentiment",
    "text_score",
    "disagreement",
    "issues",
    "aspects",
    "title",
    "text",
    "retired_run",
];

fn review_cells(r: &ReviewOut) -> Vec<String> {
    vec![
        r.review_id.clone(),
        r.asin.clone(),
        r.brand.clone().unwrap_or_default(),
        r.rating.map(|x| x.to_string()).unwrap_or_default(),
        r.review_date.clone().unwrap_or_default(),
        r.language.clone().unwrap_or_default(),
        r.sentiment.unwrap_or_default().to_string(),
        r.text_sentiment.clone().unwrap_or_default(),
        r.text_score.map(|x| x.to_string()).unwrap_or_default(),
        if r.disagreement { "1" } else { "0" }.to_string(),
        issue_codes(r).join(";"),
        r.aspects.join(";"),
        r.title.clone().unwrap_or_default(),
        r.body.clone().unwrap_or_default(),
        r.retired_run.map(|x| x.to_string()).unwrap_or_default(),
    ]
}

fn issue_codes(r: &ReviewOut) -> Vec<&str> {
    r.issues.iter().map(|i| i.code.as_str()).collect()
}

/// A review as a table row: the text shortened to one line.
fn review_row(r: &ReviewOut) -> Vec<String> {
    let retired = r
        .retired_run
        .map(|run| format!("[retired by ingest run {run}] "))
        .unwrap_or_default();
    let mut text = format!(
        "{retired}{} {}",
        r.title.clone().unwrap_or_default(),
        r.body.clone().unwrap_or_default()
    );
    if text.chars().count() > 80 {
        text = text.chars().take(79).collect::<String>() + "…";
    }
    vec![
        r.review_id.clone(),
        r.asin.clone(),
        r.rating.map(|x| x.to_string()).unwrap_or_default(),
        r.language.clone().unwrap_or_default(),
        r.sentiment.unwrap_or_default().to_string(),
        r.text_score.map(|x| format!("{x:.2}")).unwrap_or_default(),
        issue_codes(r).join(", "),
        text.replace('\n', " "),
    ]
}

/// Reviews stream straight to the output: a million rows never sit in memory (except as a table).
fn reviews(store: &Store, f: &Filter, fmt: Format, out: &mut Out) -> Result<()> {
    match fmt {
        Format::Csv => {
            out.csv_row(&REVIEW_COLUMNS)?;
            store.reviews(f, |r| out.csv_row(&review_cells(&r)))
        }
        Format::Jsonl => store.reviews(f, |r| out.json(&r, Format::Jsonl)),
        Format::Json => {
            out.raw("[")?;
            let mut first = true;
            store.reviews(f, |r| {
                out.raw(if first { "\n" } else { ",\n" })?;
                first = false;
                out.raw(&crate::textsafe::escape_json_c1(compact(&r)))
            })?;
            out.raw("\n]\n")
        }
        Format::Table | Format::Html => {
            let mut t = Tabular {
                headers: vec![
                    "review",
                    "asin",
                    "rating",
                    "lang",
                    "sentiment",
                    "score",
                    "issues",
                    "text",
                ],
                rows: Vec::new(),
            };
            store.reviews(f, |r| {
                t.rows.push(review_row(&r));
                Ok(())
            })?;
            out.table(fmt, "Reviews", &t)
        }
    }
}
