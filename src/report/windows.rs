//! A view over a time window (`--since`/`--until`, `--compare previous`) in every format, from the
//! one `WindowReport` the API also returns: JSON and JSON Lines carry it whole; tables and the
//! page show its rows, issues (with a quote each) and liked and complaint aspects (the products
//! list: its rows only); CSV has one table: the rows for products and brands, the issues for a product, the
//! issues view and the portfolio. `report liked` over a window is its own one table.

use super::output::{Out, Tabular};
use super::{breakdowns_table, delta, html, num, opt_num, opt_text, Format};
use crate::error::Result;
use crate::store::views::AspectQuote;
use crate::store::window_evidence::{WindowAspect, WindowQuote};
use crate::store::window_issue::{Change, WindowIssueDetail};
use crate::store::windows::{
    Window, WindowIssue, WindowLiked, WindowLikedRow, WindowReport, WindowRow,
};
use crate::textsafe::escape_control;

/// "2026-01-01 … 2026-01-31" (an open end: "…").
fn span(from: &Option<String>, to: &Option<String>) -> String {
    format!(
        "{} … {}",
        from.as_deref().unwrap_or("the first review"),
        to.as_deref().unwrap_or("the last review")
    )
}

/// "WHAT, reviews dated 2026-01-01 … 2026-01-31": a table's title for the window `w`.
fn dated(what: &str, w: &Window) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    format!("{what}, reviews dated {}", span(&day(w.from), &day(w.to)))
}

/// The line above the tables: the window, what it is compared with, its reviews.
pub fn heading(r: &WindowReport) -> String {
    let mut s = format!("Window {}: {} reviews", span(&r.from, &r.to), r.reviews);
    if r.previous_from.is_some() {
        s.push_str(&format!(
            " (Δ against {})",
            span(&r.previous_from, &r.previous_to)
        ));
    }
    if let Some(m) = &r.message {
        s.push_str(&format!(" — {m}"));
    }
    s
}

fn compared(r: &WindowReport) -> bool {
    r.previous_from.is_some()
}

pub fn rows_table(r: &WindowReport) -> Tabular {
    let key = match r.view {
        "products" | "product" => "ASIN",
        "brands" => "Brand",
        _ => "Scope",
    };
    let mut headers = vec![
        key,
        "Reviews",
        "Avg ★",
        "% positive",
        "% neutral",
        "% negative",
    ];
    if compared(r) {
        headers.extend(["Reviews before", "Δ reviews", "Δ avg ★", "Δ % negative"]);
    }
    let rows = r.rows.iter().map(|w| row_cells(w, compared(r))).collect();
    Tabular { headers, rows }
}

fn row_cells(w: &WindowRow, compare: bool) -> Vec<String> {
    let f = &w.figures;
    let mut cells = vec![
        w.key.clone(),
        f.reviews.to_string(),
        opt_num(f.avg_rating),
        opt_num(f.pct_positive),
        opt_num(f.pct_neutral),
        opt_num(f.pct_negative),
    ];
    if compare {
        cells.extend([
            w.previous.as_ref().map_or(0, |p| p.reviews).to_string(),
            w.delta_reviews
                .map(|d| format!("{d:+}"))
                .unwrap_or_default(),
            w.delta_avg_rating
                .map(|d| format!("{d:+.2}"))
                .unwrap_or_default(),
            delta(w.delta_pct_negative),
        ]);
    }
    cells
}

pub fn issues_table(r: &WindowReport) -> Tabular {
    let mut headers = vec![
        "Issue",
        "Code",
        "Reviews",
        "Negative or neutral",
        "% of reviews",
        "Avg ★ with",
        "Avg ★ without",
        "★ gained if fixed",
    ];
    if compared(r) {
        headers.extend(["Reviews before", "Δ % of reviews"]);
    }
    let quoted = has_issues(r);
    if quoted {
        headers.push("Quote (newest in the window)");
    }
    let rows = (r.issues.iter())
        .map(|i| {
            let mut cells = issue_cells(i, compared(r));
            if quoted {
                cells.push(i.examples.first().map_or_else(String::new, quote_cell));
            }
            cells
        })
        .collect();
    Tabular { headers, rows }
}

/// A quote as one cell: "text" (language stars).
fn quote_cell(q: &WindowQuote) -> String {
    let stars = q.rating.map_or(String::new(), |s| format!(" {s}★"));
    let lang = q.language.as_deref().unwrap_or("?");
    format!("\"{}\" ({lang}{stars})", q.text)
}

/// The scope's complaint aspects in the window with their share and star figures, and the
/// window before's reviews and the change in share when compared.
pub fn aspects_table(r: &WindowReport) -> Tabular {
    aspect_rows(&r.complaint_aspects, compared(r))
}

/// Complaint aspects as a table (`report aspects` and the windowed views).
pub fn aspect_rows(aspects: &[WindowAspect], compare: bool) -> Tabular {
    let mut headers = vec![
        "Complaint aspect",
        "Reviews",
        "% of reviews",
        "Avg ★ with",
        "Avg ★ without",
        "★ gained if fixed",
    ];
    if compare {
        headers.extend(["Reviews before", "% of reviews before", "Δ % of reviews"]);
    }
    let rows = (aspects.iter())
        .map(|a| {
            let mut cells = vec![
                a.term.clone(),
                a.count.to_string(),
                opt_num(a.share),
                opt_num(a.avg_rating_with),
                opt_num(a.avg_rating_without),
                opt_num(a.stars_gained),
            ];
            if compare {
                cells.extend([
                    a.previous_count.unwrap_or(0).to_string(),
                    opt_num(a.previous_share),
                    delta(a.delta_share),
                ]);
            }
            cells
        })
        .collect();
    Tabular { headers, rows }
}

fn issue_cells(i: &WindowIssue, compare: bool) -> Vec<String> {
    let mut cells = vec![
        i.label.clone(),
        i.code.clone(),
        i.reviews.to_string(),
        i.negative_neutral.to_string(),
        opt_num(i.share),
        opt_num(i.avg_with),
        opt_num(i.avg_without),
        opt_num(i.impact),
    ];
    if compare {
        cells.extend([
            i.previous_reviews.unwrap_or(0).to_string(),
            delta(i.delta_share),
        ]);
    }
    cells
}

pub fn liked_table(r: &WindowReport) -> Tabular {
    let mut headers = vec!["Liked", "Reviews", "% of reviews"];
    if compared(r) {
        headers.extend(["Reviews before", "Δ % of reviews"]);
    }
    headers.push("Quote (from the window)");
    let rows = (r.liked_aspects.iter())
        .map(|l| {
            let mut cells = liked_cells(l, compared(r));
            cells.push(l.quote.as_ref().map_or_else(String::new, liked_quote_cell));
            cells
        })
        .collect();
    Tabular { headers, rows }
}

/// A liked aspect's quote as one cell: "text" (language stars), as an issue's.
fn liked_quote_cell(q: &AspectQuote) -> String {
    let stars = q.stars.map_or(String::new(), |s| format!(" {s}★"));
    let lang = q.language.as_deref().unwrap_or("?");
    format!("\"{}\" ({lang}{stars})", q.text)
}

fn liked_cells(l: &WindowLiked, compare: bool) -> Vec<String> {
    let mut cells = vec![l.term.clone(), l.reviews.to_string(), opt_num(l.share)];
    if compare {
        cells.extend([
            l.previous_reviews.unwrap_or(0).to_string(),
            delta(l.delta_share),
        ]);
    }
    cells
}

/// Whether the view lists liked aspects (product, brands, portfolio).
fn has_liked(r: &WindowReport) -> bool {
    matches!(r.view, "product" | "brands" | "portfolio")
}

/// Whether the view lists issues (with quotes) and complaint aspects: all but the products list.
fn has_issues(r: &WindowReport) -> bool {
    r.view != "products"
}

/// Whether the view's CSV is its issues (product, issues, portfolio) rather than its rows.
fn issues_first(r: &WindowReport) -> bool {
    matches!(r.view, "product" | "issues" | "portfolio")
}

pub fn render(r: &WindowReport, fmt: Format, out: &mut Out) -> Result<()> {
    match fmt {
        Format::Json | Format::Jsonl => out.json(r, fmt),
        Format::Csv if r.view == "issues" => out.table(fmt, "", &super::issues_csv::window(r)),
        Format::Csv if issues_first(r) => out.table(fmt, "", &issues_table(r)),
        Format::Csv => out.table(fmt, "", &rows_table(r)),
        Format::Html => {
            let mut tables = vec![("", rows_table(r))];
            if has_issues(r) {
                tables.push(("Issues", issues_table(r)));
            }
            if has_issues(r) {
                tables.push(("Complaint aspects in the window", aspects_table(r)));
            }
            if has_liked(r) {
                tables.push(("What customers like", liked_table(r)));
            }
            if let Some(b) = &r.breakdowns {
                tables.push(("By marketplace and by language", breakdowns_table(b)));
            }
            out.raw(&html::tables_page(
                &format!("prodinsight: {}", r.view),
                &heading(r),
                &tables,
            ))
        }
        Format::Table => {
            out.line(&heading(r))?;
            out.table(fmt, "", &rows_table(r))?;
            if has_issues(r) {
                out.line("Issues (★ gained if fixed: from 5 rated reviews reporting it)")?;
                out.table(fmt, "", &issues_table(r))?;
            }
            if has_issues(r) {
                out.line("Complaint aspects (reviews naming it in the window)")?;
                out.table(fmt, "", &aspects_table(r))?;
            }
            if has_liked(r) {
                out.line("What customers like (reviews praising it in the window)")?;
                out.table(fmt, "", &liked_table(r))?;
            }
            if let Some(b) = &r.breakdowns {
                out.line("By marketplace and by language (reviews in the window)")?;
                out.table(fmt, "", &breakdowns_table(b))?;
            }
            Ok(())
        }
    }
}

/// `report liked` over a window: one row per liked aspect (per brand with `by_brand`), with the
/// window before's reviews and the change in share when compared. JSON is the list of rows.
pub fn liked_view(
    rows: &[WindowLikedRow],
    w: &Window,
    by_brand: bool,
    fmt: Format,
    out: &mut Out,
) -> Result<()> {
    let compare = w.compare_previous;
    let mut headers = vec!["liked", "reviews", "% of reviews"];
    if compare {
        headers.extend(["reviews before", "Δ % of reviews"]);
    }
    // The quote's columns as all-time `report liked` has them.
    headers.extend(["quote", "stars", "language"]);
    if by_brand {
        headers.insert(0, "brand");
    }
    let t = Tabular {
        headers,
        rows: (rows.iter())
            .map(|r| {
                let mut cells = liked_cells(&r.liked, compare);
                let q = r.liked.quote.as_ref();
                cells.extend([
                    q.map_or_else(String::new, |q| q.text.clone()),
                    (q.and_then(|q| q.stars)).map_or_else(String::new, |s| s.to_string()),
                    q.and_then(|q| q.language.clone()).unwrap_or_default(),
                ]);
                if let Some(b) = &r.brand {
                    cells.insert(0, b.clone());
                }
                cells
            })
            .collect(),
    };
    let title = dated("What customers like", w);
    if fmt == Format::Table {
        out.line(&title)?;
    }
    out.emit(fmt, &title, &t, rows)
}

/// `report aspects`: one row per complaint aspect, with the window before's reviews, share and
/// the change in share when compared. JSON is the list of rows.
pub fn aspects_view(
    aspects: &[WindowAspect],
    w: &Window,
    fmt: Format,
    out: &mut Out,
) -> Result<()> {
    let title = dated("Complaint aspects", w);
    if fmt == Format::Table {
        out.line(&title)?;
    }
    out.emit(
        fmt,
        &title,
        &aspect_rows(aspects, w.compare_previous),
        aspects,
    )
}

/// `report issue CODE`: the issue's brands and products (with their shares of the reviews in the
/// window, and the window before's when compared). CSV is one table: a row per brand, then per
/// product; JSON is the API's `/issues/{code}` data; the table and the page read as a page: the
/// window, what the issue costs in stars, a table of brands, one of products, and its quotes.
pub fn issue_view(d: &WindowIssueDetail, fmt: Format, out: &mut Out) -> Result<()> {
    match fmt {
        Format::Json | Format::Jsonl => out.json(d, fmt),
        Format::Csv => out.table(fmt, "", &issue_csv(d)),
        Format::Html => out.raw(&html::issue_page(
            d,
            &issue_window_line(d),
            &issue_brands(d),
            &issue_products(d),
        )),
        Format::Table => {
            out.line(&escape_control(&issue_heading(d)))?;
            out.line(&issue_stars_line(d))?;
            out.line("Brands (most reports first)")?;
            out.table(fmt, "", &issue_brands(d))?;
            out.line("Products (most reports first)")?;
            out.table(fmt, "", &issue_products(d))?;
            out.line("What customers say (newest first)")?;
            out.table(fmt, "", &issue_quotes(d))
        }
    }
}

/// "Leaks (leaks), reviews dated …: 37 reviews, 6 products, 7.7 % of the reviews (before, …)".
fn issue_heading(d: &WindowIssueDetail) -> String {
    format!("{} ({}), {}", d.label, d.code, issue_window_line(d))
}

/// The window and the issue's totals in it, and the window before's when compared.
fn issue_window_line(d: &WindowIssueDetail) -> String {
    let dated = match (&d.from, &d.to) {
        (None, None) => "all reviews".to_string(),
        _ => format!("reviews dated {}", span(&d.from, &d.to)),
    };
    let share = d
        .change
        .share
        .map_or("–".into(), |x| format!("{} %", num(x)));
    let mut s = format!(
        "{dated}: {} reviews, {} products, {share} of the reviews",
        d.reviews, d.products,
    );
    if d.previous_from.is_some() {
        s.push_str(&format!(
            " (before, {}: {} reviews, {} %, Δ {})",
            span(&d.previous_from, &d.previous_to),
            d.change.previous_reviews.unwrap_or(0),
            opt_num(d.change.previous_share),
            delta(d.change.delta_share)
        ));
    }
    s
}

/// What the issue costs the window's average rating; says why when it is not shown.
fn issue_stars_line(d: &WindowIssueDetail) -> String {
    match (d.avg_with, d.avg_without, d.impact) {
        (Some(with), Some(without), Some(gained)) => {
            format!("Avg ★ {with:.2} with it, {without:.2} without: +{gained:.2} ★ if fixed")
        }
        _ => "Stars: fewer than 5 rated reviews report it in the window (or all do)".into(),
    }
}

/// The issue's quotes with their stars and language.
fn issue_quotes(d: &WindowIssueDetail) -> Tabular {
    let rows = (d.examples.iter())
        .map(|q| {
            let stars = q.rating.map(|r| r.to_string()).unwrap_or_default();
            vec![q.text.clone(), stars, opt_text(&q.language)]
        })
        .collect();
    Tabular {
        headers: vec!["Quote", "★", "Language"],
        rows,
    }
}

/// The comparison's headers and cells, when compared.
fn change_headers(compare: bool) -> Vec<&'static str> {
    match compare {
        true => vec!["Reviews before", "% before", "Δ % of its reviews"],
        false => Vec::new(),
    }
}

fn change_cells(c: &Change, compare: bool) -> Vec<String> {
    match compare {
        true => vec![
            c.previous_reviews.unwrap_or(0).to_string(),
            opt_num(c.previous_share),
            delta(c.delta_share),
        ],
        false => Vec::new(),
    }
}

/// Per brand: reviews reporting the issue, products, and its share of the brand's reviews.
fn issue_brands(d: &WindowIssueDetail) -> Tabular {
    let compare = d.previous_from.is_some();
    let mut headers = vec![
        "Brand",
        "Reviews reporting it",
        "Products",
        "% of its reviews",
    ];
    headers.extend(change_headers(compare));
    let rows = (d.brands.iter())
        .map(|b| {
            let mut v = vec![
                b.brand.clone(),
                b.reviews.to_string(),
                b.products.to_string(),
                opt_num(b.change.share),
            ];
            v.extend(change_cells(&b.change, compare));
            v
        })
        .collect();
    Tabular { headers, rows }
}

/// Per product (most reports first): reviews reporting the issue and its share of the product's.
fn issue_products(d: &WindowIssueDetail) -> Tabular {
    let compare = d.previous_from.is_some();
    let mut headers = vec!["ASIN", "Brand", "Reviews reporting it", "% of its reviews"];
    headers.extend(change_headers(compare));
    let rows = (d.top_products.iter())
        .map(|p| {
            let mut v = vec![
                p.asin.clone(),
                p.brand.clone(),
                p.reviews.to_string(),
                opt_num(p.change.share),
            ];
            v.extend(change_cells(&p.change, compare));
            v
        })
        .collect();
    Tabular { headers, rows }
}

/// CSV, one table for programs: the issue's own row (with what it costs in stars, the columns
/// windowed `report issues` names them and JSON writes them), then a row per brand, then per product.
fn issue_csv(d: &WindowIssueDetail) -> Tabular {
    let compare = d.previous_from.is_some();
    let mut headers = vec!["Row", "Brand", "ASIN", "Reviews", "% of its reviews"];
    headers.extend(change_headers(compare));
    headers.extend(["Avg ★ with", "Avg ★ without", "★ gained if fixed"]);
    let cells = |row: &str, brand: &str, asin: &str, reviews: i64, c: &Change| {
        let mut v = vec![
            row.to_string(),
            brand.to_string(),
            asin.to_string(),
            reviews.to_string(),
            opt_num(c.share),
        ];
        v.extend(change_cells(c, compare));
        v
    };
    let mut issue = cells("issue", "", "", d.reviews, &d.change);
    issue.extend([
        opt_num(d.avg_with),
        opt_num(d.avg_without),
        opt_num(d.impact),
    ]);
    // Brands and products carry no star figures of their own: those cells stay empty.
    let blank = |mut v: Vec<String>| {
        v.extend([String::new(), String::new(), String::new()]);
        v
    };
    let brands =
        (d.brands.iter()).map(|b| blank(cells("brand", &b.brand, "", b.reviews, &b.change)));
    let products = (d.top_products.iter())
        .map(|p| blank(cells("product", &p.brand, &p.asin, p.reviews, &p.change)));
    Tabular {
        headers,
        rows: std::iter::once(issue)
            .chain(brands)
            .chain(products)
            .collect(),
    }
}
