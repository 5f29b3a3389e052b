//! `report brand NAME`: one brand in full, every format from the store's `BrandDetail` (the
//! data of `GET /api/v1/brands/{brand}`).

use super::output::{Out, Tabular};
use super::windows::aspect_rows;
use super::{breakdowns_table, delta, month_table, num, opt_num, opt_text, run_trend, Format};
use crate::error::Result;
use crate::store::brand_detail::{BrandDetail, BrandProduct};
use crate::store::views::HistoryPoint;
use crate::store::window_evidence::{WindowAspect, WindowQuote};
use crate::store::windows::{WindowIssue, WindowLiked};
use crate::textsafe::escape_control;

/// Quotes longer than this are shortened in a terminal (CSV, JSON and HTML keep them whole).
const TERMINAL_QUOTE: usize = 40;

pub fn render(d: &BrandDetail, fmt: Format, out: &mut Out) -> Result<()> {
    match fmt {
        Format::Json | Format::Jsonl => return out.json(d, fmt),
        Format::Html => return out.raw(&page(d)),
        Format::Table | Format::Csv => {}
    }
    let sections = sections(d, fmt);
    for (i, (title, t)) in sections.iter().enumerate() {
        if fmt == Format::Table {
            // The brand's name and topic labels come from outside: no escape reaches a terminal.
            let title = escape_control(title);
            out.line(&format!("{}{title}", if i == 0 { "" } else { "\n" }))?;
        } else if i > 0 {
            out.line("")?;
        }
        out.table(fmt, "", t)?;
    }
    if fmt == Format::Table && !d.mentioned_in_praise.is_empty() {
        out.line(&format!(
            "\nMentioned in praise only (no negative or neutral review reports them): {}",
            escape_control(&praise_list(&d.mentioned_in_praise))
        ))?;
    }
    Ok(())
}

/// The brand's tables, headed, in the order every format shows them: CSV with every column (a
/// quote's stars and language in cells of their own), a page and a terminal with fewer, shorter
/// ones (a terminal's quotes cut short).
fn sections(d: &BrandDetail, fmt: Format) -> Vec<(String, Tabular)> {
    let compare = d.previous_from.is_some();
    let terminal = fmt == Format::Table;
    let issues = |list: &[WindowIssue]| match fmt {
        Format::Csv => issues_table(list, compare),
        _ => readable_issues(list, compare, terminal),
    };
    let mut s = vec![
        (heading(d), facts(d)),
        (
            "Issues and what each costs in stars".to_string(),
            issues(&d.issues),
        ),
    ];
    // A terminal lists them in a line; a page only when there are some.
    if fmt == Format::Csv || (fmt == Format::Html && !d.mentioned_in_praise.is_empty()) {
        s.push((
            "Mentioned in praise only".into(),
            issues(&d.mentioned_in_praise),
        ));
    }
    s.push((
        "What customers like".into(),
        liked_table(&d.liked_aspects, compare, terminal),
    ));
    let aspects = match terminal {
        true => terminal_aspects(&d.complaint_aspects, compare),
        false => aspect_rows(&d.complaint_aspects, compare),
    };
    s.push(("What customers complain about".into(), aspects));
    s.push((
        "By marketplace and by language".into(),
        breakdowns_table(&d.breakdowns),
    ));
    let trend = match (d.trend.is_empty(), d.from.is_some() || d.to.is_some()) {
        (true, false) => ("By analysis run", history_table(d)),
        _ => ("By review month", month_table(&d.trend)),
    };
    s.push((trend.0.into(), trend.1));
    s.push((
        "Products that need attention first".into(),
        products_table(&d.products),
    ));
    s
}

/// What the figures cover: all time, or the window (and the one compared with).
fn heading(d: &BrandDetail) -> String {
    let day = |x: &Option<String>, open: &str| x.clone().unwrap_or_else(|| open.to_string());
    let mut h = match (&d.from, &d.to) {
        (None, None) => format!("{}: all reviews", d.brand),
        (f, t) => format!(
            "{}: reviews dated {} to {}",
            d.brand,
            day(f, "the first"),
            day(t, "today")
        ),
    };
    if let (Some(f), Some(t)) = (&d.previous_from, &d.previous_to) {
        h.push_str(&format!(", compared with {f} to {t}"));
    }
    if let Some(m) = &d.message {
        h.push_str(&format!(" ({m})"));
    }
    h
}

fn facts(d: &BrandDetail) -> Tabular {
    let s = &d.summary;
    let rows: [(&str, String); 12] = [
        ("brand", d.brand.clone()),
        ("from", opt_text(&d.from)),
        ("to", opt_text(&d.to)),
        ("products", s.products.to_string()),
        ("reviews", s.reviews.to_string()),
        ("rated", s.rated.to_string()),
        ("avg rating", opt_num(s.avg_rating)),
        ("% positive", opt_num(s.pct_positive)),
        ("% neutral", opt_num(s.pct_neutral)),
        ("% negative", opt_num(s.pct_negative)),
        (
            "previous reviews",
            s.previous_reviews.map_or(String::new(), |n| n.to_string()),
        ),
        ("Δ negative", delta(s.neg_delta)),
    ];
    // All time has no window or comparison: rows of nothing would only be noise.
    Tabular {
        headers: vec!["field", "value"],
        rows: (rows.into_iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| vec![k.into(), v])
            .collect(),
    }
}

/// A quote with its stars and language: "text" (en 2★), cut short at a terminal.
fn quote(q: &WindowQuote, terminal: bool) -> String {
    let stars = q.rating.map_or(String::new(), |s| format!(" {s}★"));
    let lang = q.language.as_deref().unwrap_or("?");
    format!("\"{}\" ({lang}{stars})", shorten(&q.text, terminal))
}

/// Text cut to `TERMINAL_QUOTE` characters in a terminal, so a table keeps its shape.
fn shorten(text: &str, terminal: bool) -> String {
    match terminal && text.chars().count() > TERMINAL_QUOTE {
        true => text.chars().take(TERMINAL_QUOTE - 1).collect::<String>() + "…",
        false => text.to_string(),
    }
}

fn issues_table(issues: &[WindowIssue], compare: bool) -> Tabular {
    let mut headers = vec![
        "issue",
        "code",
        "reviews",
        "negative or neutral",
        "% of reviews",
        "avg ★ with",
        "avg ★ without",
        "★ gained if fixed",
    ];
    if compare {
        headers.extend(["reviews before", "Δ % of reviews"]);
    }
    headers.extend(["example", "stars", "language"]);
    let rows = (issues.iter())
        .map(|i| {
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
                cells.push(i.previous_reviews.unwrap_or(0).to_string());
                cells.push(delta(i.delta_share));
            }
            let q = i.examples.first();
            cells.push(q.map_or(String::new(), |q| q.text.clone()));
            cells.push(
                q.and_then(|q| q.rating)
                    .map_or(String::new(), |r| r.to_string()),
            );
            cells.push(q.and_then(|q| q.language.clone()).unwrap_or_default());
            cells
        })
        .collect();
    Tabular { headers, rows }
}

/// The issues for a person: few, short columns so the table fits a page, or at a terminal 100
/// columns (its quotes cut short).
fn readable_issues(issues: &[WindowIssue], compare: bool, terminal: bool) -> Tabular {
    let mut headers = vec![
        "issue",
        "reviews",
        "%",
        "★ with",
        "★ without",
        "+★ if fixed",
    ];
    if compare {
        headers.push("Δ %");
    }
    headers.push("example");
    let rows = (issues.iter())
        .map(|i| {
            let mut cells = vec![
                i.label.clone(),
                i.reviews.to_string(),
                opt_num(i.share),
                opt_num(i.avg_with),
                opt_num(i.avg_without),
                opt_num(i.impact),
            ];
            if compare {
                cells.push(delta(i.delta_share));
            }
            let q = i.examples.first();
            cells.push(q.map_or(String::new(), |q| quote(q, terminal)));
            cells
        })
        .collect();
    Tabular { headers, rows }
}

fn liked_table(liked: &[WindowLiked], compare: bool, terminal: bool) -> Tabular {
    let mut headers = match terminal {
        true => vec!["liked", "reviews", "%"],
        false => vec!["liked", "reviews", "% of reviews"],
    };
    if compare {
        headers.extend(match terminal {
            true => ["before", "Δ %"],
            false => ["reviews before", "Δ % of reviews"],
        });
    }
    headers.push("quote");
    let rows = (liked.iter())
        .map(|a| {
            let mut cells = vec![a.term.clone(), a.reviews.to_string(), opt_num(a.share)];
            if compare {
                cells.push(a.previous_reviews.unwrap_or(0).to_string());
                cells.push(delta(a.delta_share));
            }
            cells.push(a.quote.as_ref().map_or(String::new(), |q| {
                let stars = q.stars.map_or(String::new(), |s| format!(" {s}★"));
                let lang = q.language.as_deref().unwrap_or("?");
                format!("\"{}\" ({lang}{stars})", shorten(&q.text, terminal))
            }));
            cells
        })
        .collect();
    Tabular { headers, rows }
}

/// Complaint aspects at a terminal: the columns of `aspect_rows`, with short headers.
fn terminal_aspects(aspects: &[WindowAspect], compare: bool) -> Tabular {
    let mut t = aspect_rows(aspects, compare);
    let short = [
        "complaint aspect",
        "reviews",
        "%",
        "★ with",
        "★ without",
        "+★ if fixed",
    ];
    t.headers = short.to_vec();
    if compare {
        t.headers.extend(["before", "% before", "Δ %"]);
    }
    t
}

/// The products by attention; a window's have no top issue, so no such column.
fn products_table(products: &[BrandProduct]) -> Tabular {
    let with_issue = products.iter().any(|p| p.top_issue.is_some());
    let mut headers = vec![
        "asin",
        "title",
        "reviews",
        "avg rating",
        "% negative",
        "attention",
    ];
    if with_issue {
        headers.push("top issue");
    }
    let rows = (products.iter())
        .map(|p| {
            let mut cells = vec![
                p.asin.clone(),
                opt_text(&p.title),
                p.reviews.to_string(),
                opt_num(p.avg_rating),
                opt_num(p.pct_negative),
                num(p.attention),
            ];
            if with_issue {
                cells.push(opt_text(&p.top_issue));
            }
            cells
        })
        .collect();
    Tabular { headers, rows }
}

/// The brand by analysis run, when its reviews have no dates.
fn history_table(d: &BrandDetail) -> Tabular {
    let points: Vec<HistoryPoint> = (d.history.iter())
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
    run_trend(&points)
}

/// "Noise (4), Fit (1)"
fn praise_list(issues: &[WindowIssue]) -> String {
    let items: Vec<String> = (issues.iter())
        .map(|i| format!("{} ({})", i.label, i.reviews))
        .collect();
    items.join(", ")
}

/// The brand as one page: its tables under their headings.
fn page(d: &BrandDetail) -> String {
    let mut sections = sections(d, Format::Html);
    let (intro, facts) = sections.remove(0);
    let headings: Vec<String> = sections.iter().map(|(h, _)| h.clone()).collect();
    let tables: Vec<(&str, Tabular)> = std::iter::once(("", facts))
        .chain((headings.iter().map(String::as_str)).zip(sections.into_iter().map(|(_, t)| t)))
        .collect();
    super::html::tables_page(&format!("prodinsight: {}", d.brand), &intro, &tables)
}
