//! `--format html`: one self-contained page (inline CSS and SVG, no script, nothing fetched), with
//! the charts a brand manager looks at before reading. All text from reviews is escaped.
//! Numbers carry `data-metric` attributes so tests (and scrapers) can find them.

use std::fmt::Write;

use super::output::{aligned_number, numeric_columns, Tabular};
use super::{num, opt_num, opt_text};
use crate::store::views::{Change, IssueDetail, LikedAspectCount, PortfolioMonth, ProductDetail};
use crate::store::window_issue::WindowIssueDetail;
use crate::textsafe::escape_control;

const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:1100px;margin:0 auto;padding:24px}h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}
.sub{color:#5b6475;margin:0 0 16px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.card{background:#fff;border:1px solid #e2e5ea;border-radius:10px;padding:14px 16px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{background:#fff;border:1px solid #e2e5ea;border-radius:10px;padding:10px 14px;min-width:120px}
.kpi b{display:block;font-size:22px}.kpi>span{color:#5b6475;font-size:13px}
.kpi .first-run{display:block;font-size:14px;font-weight:600;color:#5b6475}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e2e5ea;border-radius:10px;overflow:hidden}
th,td{padding:7px 10px;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:top}th{background:#f0f2f5;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.up{color:#c0392b;font-weight:600}.down{color:#1e8449}
blockquote{margin:8px 0;padding:6px 10px;border-left:3px solid #c0392b;background:#fbf3f2;color:#333}
.issue h3{margin:0 0 4px;font-size:16px}.muted{color:#5b6475;font-size:13px}svg text{font:12px system-ui,sans-serif;fill:#444}";

pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A page printed to a terminal (no `-o`) must not drive it: C0/C1 shown as escapes,
            // but a Windows line end (CR LF) is layout.
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if c.is_control() && c != '\n' && c != '\t' => {
                out.push_str(&escape_control(c.encode_utf8(&mut [0; 4])))
            }
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        esc(title)
    )
}

fn metric(name: &str, value: &str) -> String {
    format!("<span data-metric=\"{}\">{}</span>", esc(name), esc(value))
}

fn kpi(name: &str, value: &str, label: &str) -> String {
    format!(
        "<div class=\"kpi\"><b>{}</b><span>{}</span></div>",
        metric(name, value),
        esc(label)
    )
}

/// Vertical bars: the rating distribution.
fn bars(values: &[(String, f64)], color: &str) -> String {
    let (w, h, pad) = (360.0, 170.0, 24.0);
    let max = values.iter().map(|v| v.1).fold(0.0, f64::max).max(1.0);
    let slot = (w - pad) / values.len().max(1) as f64;
    let mut svg = format!("<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\">");
    for (i, (label, v)) in values.iter().enumerate() {
        let bh = (h - 2.0 * pad) * v / max;
        let x = pad + i as f64 * slot + slot * 0.15;
        let y = h - pad - bh;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{color}\" rx=\"3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            slot * 0.7,
            x + slot * 0.35,
            h - 6.0,
            esc(label),
            x + slot * 0.35,
            y - 4.0,
            v
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line over months: % negative over time.
fn line(points: &[(String, f64)], unit: &str) -> String {
    let (w, h, pad) = (520.0, 190.0, 30.0);
    if points.is_empty() {
        return "<p class=\"muted\">No dated reviews.</p>".into();
    }
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let step = (w - 2.0 * pad) / (points.len().max(2) - 1) as f64;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| (pad + i as f64 * step, h - pad - (h - 2.0 * pad) * p.1 / max))
        .collect();
    let path: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\">\
         <line x1=\"{pad}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#ccc\"/>\
         <text x=\"4\" y=\"{2}\">{max:.0}{unit}</text>\
         <polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"{3}\"/>",
        h - pad,
        w - pad,
        pad,
        path.join(" ")
    );
    for ((x, y), p) in xy.iter().zip(points) {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#c0392b\"><title>{}: {}{unit}</title></circle>",
            esc(&p.0),
            p.1
        );
    }
    let (first, last) = (&points[0].0, &points[points.len() - 1].0);
    let _ = write!(
        svg,
        "<text x=\"{pad}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        h - 8.0,
        esc(first),
        w - pad,
        h - 8.0,
        esc(last)
    );
    svg
}

/// Horizontal bars: top issues.
fn hbars(rows: &[(String, i64)]) -> String {
    if rows.is_empty() {
        return "<p class=\"muted\">No issues found.</p>".into();
    }
    let (w, row_h, label_w) = (520.0, 24.0, 200.0);
    let h = row_h * rows.len() as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let mut svg = format!("<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\">");
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let bw = (w - label_w - 50.0) * *n as f64 / max;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\">{}</text><rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#d35400\" rx=\"3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{n}</text>",
            y + row_h * 0.65,
            esc(label),
            row_h - 6.0,
            label_w + bw + 6.0,
            y + row_h * 0.65
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A table whose number columns (as the terminal finds them) are right-aligned with the same
/// decimals in every row.
fn table(t: &Tabular) -> String {
    let decimals = numeric_columns(t);
    let class = |i: usize| match decimals.get(i) {
        Some(Some(_)) => " class=\"n\"",
        _ => "",
    };
    let mut out = String::from("<table><thead><tr>");
    for (i, h) in t.headers.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let cell = match decimals.get(i).copied().flatten() {
                Some(d) => aligned_number(c, d),
                None => c.clone(),
            };
            let _ = write!(out, "<td{}>{}</td>", class(i), esc(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// Any view as a page with one table.
pub fn table_page(title: &str, t: &Tabular) -> String {
    page(title, &format!("<h1>{}</h1>\n{}", esc(title), table(t)))
}

/// What the issue costs in stars, when enough rated reviews report it.
fn impact_line(i: &IssueDetail) -> String {
    let (Some(with), Some(without), Some(gain)) =
        (i.avg_rating_with, i.avg_rating_without, i.stars_gained)
    else {
        return String::new();
    };
    let code = &i.code;
    format!(
        "<div class=\"muted\">avg rating {} with it, {} without · {} stars gained if fixed</div>",
        metric(&format!("issue.{code}.avg_rating_with"), &num(with)),
        metric(&format!("issue.{code}.avg_rating_without"), &num(without)),
        metric(&format!("issue.{code}.stars_gained"), &num(gain)),
    )
}

/// How a count moved since the product's previous run; nothing on its first run.
fn change_line(c: &Change) -> String {
    let (Some(moved), Some(points)) = (c.count_change, c.share_change) else {
        return String::new();
    };
    format!(
        "<div class=\"muted change\">since the previous run: {} reviews, {} points</div>",
        esc(&super::count_delta(Some(moved))),
        esc(&super::delta(Some(points)))
    )
}

fn issue_cards(issues: &[IssueDetail], limit: usize) -> String {
    let mut out = String::from("<div class=\"grid\">");
    for i in issues.iter().take(limit) {
        let code = &i.code;
        let _ = write!(
            out,
            "<div class=\"card issue\" data-issue=\"{}\"><h3>{}</h3>\
             <div class=\"muted\">{} reviews · {}% of reviews · {}% of negative reviews</div>{}{}",
            esc(code),
            esc(&i.label),
            metric(&format!("issue.{code}.count"), &i.count.to_string()),
            metric(&format!("issue.{code}.share"), &num(i.share)),
            metric(
                &format!("issue.{code}.share_of_negative"),
                &num(i.share_of_negative)
            ),
            impact_line(i),
            change_line(&i.change),
        );
        for ex in i.examples.iter().take(3) {
            let _ = write!(
                out,
                "<blockquote>“{}”<br><span class=\"muted\">{}review {}</span></blockquote>",
                esc(&ex.text),
                quote_meta(ex.rating, ex.language.as_deref()),
                esc(&ex.review_id)
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    out
}

/// One product: its numbers, rating distribution, % negative by month, issues with quotes.
pub fn product_page(p: &ProductDetail) -> String {
    let mut b = product_heading(p);
    let hist: Vec<(String, f64)> = (1..=5)
        .zip(p.rating_histogram.counts())
        .map(|(k, n)| (format!("{k}★"), n as f64))
        .collect();
    // Without review dates there are no months: the trend is the analysis runs, with a table
    // that names each run's top issues.
    let (by, points, runs): (&str, Vec<(String, f64)>, String) =
        if p.trend.is_empty() && !p.history.is_empty() {
            let points = p
                .history
                .iter()
                .map(|h| (format!("run {}", h.run_id), h.pct_negative))
                .collect();
            let runs = format!(
                "<div class=\"card\" style=\"margin-top:16px\"><h2>By analysis run</h2>{}</div>",
                table(&super::run_trend(&p.history))
            );
            ("analysis run", points, runs)
        } else {
            let points = p
                .trend
                .iter()
                .map(|m| (m.month.clone(), m.pct_negative))
                .collect();
            ("month", points, String::new())
        };
    let _ = write!(
        b,
        "<div class=\"grid\" style=\"margin-top:16px\"><div class=\"card\"><h2>Rating distribution</h2>{}</div>\
         <div class=\"card\"><h2>% negative by {by}</h2>{}</div></div>{runs}",
        bars(&hist, "#2e86c1"),
        line(&points, "%")
    );
    let top: Vec<(String, i64)> = p
        .issues
        .iter()
        .take(10)
        // The bars are what ranks them (documents from before it was counted: the count).
        .map(|i| match i.count_negative_neutral {
            0 => (i.label.clone(), i.count),
            n => (i.label.clone(), n),
        })
        .collect();
    let _ = write!(
        b,
        "<h2>Top issues</h2><p class=\"sub\">negative and neutral reviews reporting each</p>\
         <div class=\"card\">{}</div><h2>What customers say</h2>{}",
        hbars(&top),
        issue_cards(&p.issues, 6)
    );
    if !p.mentioned_in_praise.is_empty() {
        let _ = write!(
            b,
            "<h2>Mentioned in praise</h2><p class=\"muted\">Only positive reviews mention these, so \
             they are no top issue: {}</p>",
            esc(&super::praise_list(p))
        );
    }
    b.push_str(&liked_section(&p.liked_aspects));
    b.push_str(&breakdowns_section(&super::breakdowns_table(&p.breakdowns)));
    b.push_str(&complaint_aspects_section(p));
    page(&format!("prodinsight · {}", p.asin), &b)
}

/// The complaint aspects most named, each with how it moved since the previous run when known.
fn complaint_aspects_section(p: &ProductDetail) -> String {
    let aspects: Vec<String> = (p.complaint_aspects.iter().take(15))
        .map(
            |a| match a.change.and_then(|c| c.count_change.zip(c.share_change)) {
                Some((moved, points)) => format!(
                    "{} ({}; since the previous run {} reviews, {} points)",
                    a.term,
                    a.count,
                    super::count_delta(Some(moved)),
                    super::delta(Some(points))
                ),
                None => format!("{} ({})", a.term, a.count),
            },
        )
        .collect();
    if aspects.is_empty() {
        return String::new();
    }
    format!(
        "<h2>Complaint aspects</h2><p>{}</p>",
        esc(&aspects.join(", "))
    )
}

/// Reviews by marketplace and by language, as a table; nothing without reviews.
fn breakdowns_section(t: &Tabular) -> String {
    if t.rows.is_empty() {
        return String::new();
    }
    format!(
        "<h2>By marketplace and by language</h2><div class=\"card\">{}</div>",
        table(t)
    )
}

/// What customers like: each liked aspect with its reviews, share and a quote (stars, language).
pub fn liked_section(liked: &[LikedAspectCount]) -> String {
    if liked.is_empty() {
        return String::new();
    }
    let mut out = String::from("<h2>What customers like</h2><div class=\"grid\">");
    for a in liked.iter().take(6) {
        let _ = write!(
            out,
            "<div class=\"card liked\" data-aspect=\"{}\"><h3>{}</h3>\
             <div class=\"muted\">{} reviews · {}% of reviews</div>",
            esc(&a.term),
            esc(&a.term),
            a.count,
            num(a.share)
        );
        out.push_str(&a.change.as_ref().map_or(String::new(), change_line));
        if let Some(q) = &a.quote {
            out.push_str(&quoted(&q.text, q.stars, q.language.as_deref()));
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    let rest: Vec<String> = liked
        .iter()
        .skip(6)
        .take(9)
        .map(|a| format!("{} ({})", a.term, a.count))
        .collect();
    if !rest.is_empty() {
        let _ = write!(out, "<p>Also liked: {}</p>", esc(&rest.join(", ")));
    }
    out
}

/// The product's title, brand and key numbers.
fn product_heading(p: &ProductDetail) -> String {
    let title = format!(
        "{} {}",
        p.asin,
        p.title
            .as_deref()
            .map(|t| format!("· {t}"))
            .unwrap_or_default()
    );
    format!(
        "<h1>{}</h1><p class=\"sub\">{} · last review {}</p><div class=\"kpis\">{}{}{}{}{}</div>",
        esc(&title),
        esc(&opt_text(&p.brand)),
        esc(&opt_text(&p.last_review_date)),
        kpi("review_count", &p.review_count.to_string(), "reviews"),
        kpi("avg_rating", &opt_num(p.avg_rating), "average rating"),
        kpi("pct_positive", &num(p.pct_positive), "% positive"),
        kpi("pct_negative", &num(p.pct_negative), "% negative"),
        neg_delta_kpi(p),
    ) + &summary_paragraph(p)
}

/// The change in % negative since the product's previous run; on its first run the metric stays
/// empty (no number to read) and words say why, where a blank looked like a missing figure.
fn neg_delta_kpi(p: &ProductDetail) -> String {
    let label = "Δ % negative since last run";
    if p.neg_delta.is_some() || p.previous_review_count.is_some() {
        return kpi("neg_delta", &opt_num(p.neg_delta), label);
    }
    format!(
        "<div class=\"kpi\"><b>{}<small class=\"first-run\">first run: no previous run</small></b>\
         <span>{}</span></div>",
        metric("neg_delta", ""),
        esc(label)
    )
}

/// The LLM's summary of the product (`analyze --summaries`), said to be the model's.
fn summary_paragraph(p: &ProductDetail) -> String {
    let Some(s) = &p.summary else {
        return String::new();
    };
    format!(
        "<div class=\"card summary\"><h2>Summary</h2><p>{}</p><p class=\"muted\">written by {} \
         from the counts and quotes below (analysis run {})</p></div>",
        esc(&s.text),
        esc(&s.model),
        s.run_id
    )
}

pub struct Portfolio<'a> {
    pub attention: &'a Tabular,
    pub attention_cards: &'a [ProductDetail],
    pub issues: &'a [(String, i64)],
    /// The top issues with what each costs the portfolio in stars.
    pub issue_costs: &'a Tabular,
    pub brands: &'a Tabular,
    /// By marketplace and by language.
    pub breakdowns: &'a Tabular,
    pub liked: &'a [LikedAspectCount],
    pub months: &'a [PortfolioMonth],
    pub ratings: [i64; 5],
    pub products: i64,
    pub reviews: i64,
}

/// The portfolio: what needs attention, ratings, % negative over time, top issues, brands.
pub fn portfolio_page(p: &Portfolio) -> String {
    let neg_months: Vec<(String, f64)> = p
        .months
        .iter()
        .map(|m| (m.month.clone(), m.pct_negative.unwrap_or(0.0)))
        .collect();
    let ratings: Vec<(String, f64)> = p
        .ratings
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("{}★", i + 1), *n as f64))
        .collect();
    let mut b = format!(
        "<h1>Portfolio overview</h1><p class=\"sub\">{} products · {} reviews</p>",
        metric("products", &p.products.to_string()),
        metric("reviews", &p.reviews.to_string())
    );
    let _ = write!(
        b,
        "<h2>Needs attention</h2>{}<div class=\"grid\" style=\"margin-top:16px\">\
         <div class=\"card\"><h2>Rating distribution</h2>{}</div>\
         <div class=\"card\"><h2>% negative by month</h2>{}</div></div>\
         <h2>Top issues across the portfolio</h2><p class=\"sub\">negative and neutral reviews \
         reporting each</p><div class=\"card\">{}</div>",
        table(p.attention),
        bars(&ratings, "#2e86c1"),
        line(&neg_months, "%"),
        hbars(p.issues),
    );
    if !p.issue_costs.rows.is_empty() {
        let _ = write!(
            b,
            "<h2>What each issue costs in stars</h2><p class=\"sub\">average rating of the \
             reviews reporting it and of the others, and the stars the average would gain if it \
             were fixed (from 5 rated reviews reporting it)</p>{}",
            table(p.issue_costs)
        );
    }
    if !p.attention_cards.is_empty() {
        b.push_str("<h2>Issue highlights</h2><div class=\"grid\">");
        for prod in p.attention_cards {
            b.push_str(&highlight_card(prod));
        }
        b.push_str("</div>");
    }
    b.push_str(&liked_section(p.liked));
    let _ = write!(b, "<h2>Brands</h2>{}", table(p.brands));
    b.push_str(&breakdowns_section(p.breakdowns));
    page("prodinsight · portfolio", &b)
}

/// A product's top issue with a quote; nothing if it has no issue.
fn highlight_card(prod: &ProductDetail) -> String {
    let Some(i) = prod.issues.first() else {
        return String::new();
    };
    let mut b = format!(
        "<div class=\"card issue\"><h3>{} · {}</h3><div class=\"muted\">{} · {} reviews · {}% negative</div>",
        esc(&prod.asin),
        esc(&i.label),
        esc(&opt_text(&prod.brand)),
        esc(&i.count.to_string()),
        esc(&num(prod.pct_negative))
    );
    if let Some(ex) = i.examples.first() {
        let _ = write!(b, "<blockquote>“{}”</blockquote>", esc(&ex.text));
    }
    b.push_str("</div>");
    b
}

/// "★★☆☆☆ 2/5 · de · " before a quote's review id: whose words these are.
fn quote_meta(rating: Option<u8>, language: Option<&str>) -> String {
    let mut m = String::new();
    if let Some(r) = rating {
        let r = r.min(5) as usize;
        m.push_str(&format!("{}{} {r}/5 · ", "★".repeat(r), "☆".repeat(5 - r)));
    }
    if let Some(l) = language {
        m.push_str(&esc(l));
        m.push_str(" · ");
    }
    m
}

/// A quote with its stars and language below it.
fn quoted(text: &str, rating: Option<u8>, language: Option<&str>) -> String {
    format!(
        "<blockquote>“{}”<br><span class=\"muted\">{}</span></blockquote>",
        esc(text),
        quote_meta(rating, language).trim_end_matches(" · ")
    )
}

/// `report issue CODE -f html`: one issue as a page a person reads: its label, the window and
/// what the issue costs in stars as figures, its brands and products (`brands`, `products`, with
/// shares and changes), and its quotes with their stars and language.
pub fn issue_page(
    d: &WindowIssueDetail,
    window: &str,
    brands: &Tabular,
    products: &Tabular,
) -> String {
    let mut b = format!(
        "<h1>{}</h1>\n<p class=\"sub\">{} · {}</p>\n{}",
        esc(&d.label),
        esc(&d.code),
        esc(window),
        issue_kpis(d)
    );
    let none = "<p class=\"muted\">No review reports it in this window.</p>";
    for (title, t) in [
        ("Brands (most reports first)", brands),
        ("Products (most reports first)", products),
    ] {
        let shown = if t.rows.is_empty() {
            none.into()
        } else {
            table(t)
        };
        let _ = write!(b, "<h2>{title}</h2>{shown}");
    }
    b.push_str("<h2>What customers say</h2>");
    for q in &d.examples {
        let rating = q.rating.and_then(|r| u8::try_from(r).ok());
        b.push_str(&quoted(&q.text, rating, q.language.as_deref()));
    }
    if d.examples.is_empty() {
        b.push_str("<p class=\"muted\">No quote in this window.</p>");
    }
    page(&format!("prodinsight: {}", d.label), &b)
}

/// An issue's figures in its window: reviews, products, share (and its change when compared),
/// and what it costs in stars ("–" under the minimum count).
fn issue_kpis(d: &WindowIssueDetail) -> String {
    let stars = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.2}"));
    let mut kpis = vec![
        (
            "issue.reviews",
            d.reviews.to_string(),
            "reviews report it".to_string(),
        ),
        ("issue.products", d.products.to_string(), "products".into()),
        (
            "issue.share",
            d.change
                .share
                .map_or("–".into(), |x| format!("{} %", num(x))),
            "of the reviews".into(),
        ),
    ];
    if d.previous_from.is_some() {
        let before = d
            .change
            .previous_share
            .map_or("–".into(), |x| format!("{} %", num(x)));
        let label = format!("Δ % of the reviews (before: {before})");
        kpis.push((
            "issue.delta_share",
            super::delta(d.change.delta_share),
            label,
        ));
    }
    kpis.extend([
        (
            "issue.avg_rating_with",
            stars(d.avg_with),
            "avg ★ with it".into(),
        ),
        (
            "issue.avg_rating_without",
            stars(d.avg_without),
            "avg ★ without it".into(),
        ),
        (
            "issue.stars_gained",
            d.impact.map_or("–".into(), |x| format!("+{x:.2}")),
            "★ gained if fixed".into(),
        ),
    ]);
    let cards: String = kpis.iter().map(|(n, v, l)| kpi(n, v, l)).collect();
    format!("<div class=\"kpis\">{cards}</div>\n")
}

/// A page of titled tables under a line of text (a windowed view).
pub fn tables_page(title: &str, intro: &str, tables: &[(&str, Tabular)]) -> String {
    let mut body = format!("<h1>{}</h1>\n<p>{}</p>\n", esc(title), esc(intro));
    for (heading, t) in tables {
        if !heading.is_empty() {
            let _ = writeln!(body, "<h2>{}</h2>", esc(heading));
        }
        body.push_str(&table(t));
    }
    page(title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// Any text is inert in a page and on a terminal: no markup character, no control but
        /// newline and tab, and `&` only as the start of an entity.
        #[test]
        fn escaped_text_is_inert(s in "(\\PC|[<>&\"'\t\r\n\x1b\x00\u{9b}])*") {
            let e = esc(&s);
            proptest::prop_assert!(!e.contains(['<', '>', '"', '\'']), "{e:?}");
            proptest::prop_assert!(!e.replace("\r\n", "\n").chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t'), "{e:?}");
            for (i, _) in e.match_indices('&') {
                let rest = &e[i..];
                proptest::prop_assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|x| rest.starts_with(x)),
                    "{e:?}"
                );
            }
        }
    }

    #[test]
    fn number_columns_align_with_the_same_decimals_and_text_columns_stay_text() {
        let t = Tabular {
            headers: vec!["Issue", "Code", "Reviews", "Avg", "Quote"],
            rows: vec![
                vec!["Leaks", "leaks", "37", "2.0", "\"Undicht\" (de 3★)"],
                vec!["Smell", "smell", "7", "1.67", "\"Odore\" (it 2★)"],
                vec!["Fit", "size_fit", "2", "", "\"Small\" (en 1★)"],
            ]
            .into_iter()
            .map(|r| r.into_iter().map(String::from).collect())
            .collect(),
        };
        let html = tables_page("t", "", &[("", t)]);
        assert!(html.contains("<td class=\"n\">2.00</td>"), "{html}");
        assert!(html.contains("<td class=\"n\">37</td>"), "{html}");
        assert!(html.contains("<td class=\"n\"></td>"), "{html}");
        assert!(html.contains("<td>leaks</td>"), "{html}");
        assert!(
            html.contains("<td>&quot;Undicht&quot; (de 3★)</td>"),
            "{html}"
        );
        assert!(html.contains("<th>Quote</th>"), "{html}");
    }

    #[test]
    fn review_text_cannot_inject_markup() {
        let p = ProductDetail {
            asin: "B1".into(),
            title: Some("<script>alert(1)</script>".into()),
            issues: vec![IssueDetail {
                code: "leaks".into(),
                label: "Leaks".into(),
                count: 1,
                share: 100.0,
                share_of_negative: 100.0,
                examples: vec![crate::store::views::Quote {
                    review_id: "R\"1".into(),
                    text: "</blockquote><img src=x onerror=alert(1)>".into(),
                    rating: Some(2),
                    language: Some("<b>de".into()),
                }],
                count_negative_neutral: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        let html = product_page(&p);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("★★☆☆☆ 2/5 · &lt;b&gt;de · "), "{html}");
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    }
}
