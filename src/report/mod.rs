//! `prodinsight report`: insights for people (tables) and programs (CSV, JSON, JSON Lines).
//! All data comes through `store::query`, the same code the API uses.

mod html;
mod output;

use serde_json::{json, Value};

use crate::cli::{
    BrandSortKey, BrandsArgs, ChangesArgs, Order, OutputFormat, ProductsArgs, ReportArgs,
    ReportView, ReviewsArgs, SortKey,
};
use crate::error::{Error, Result, EXIT_ALERT};
use crate::store::changes::{ChangeQuery, Changes};
use crate::store::pages::{
    BrandQuery, BrandSort, ProductQuery, ProductSort, ProductSummary, UNLIMITED,
};
use crate::store::query::{Filter, ReviewOut};
use crate::store::Store;
use output::{Out, Tabular};

pub fn run(store: &Store, args: &ReportArgs) -> Result<i32> {
    let mut out = Out::open(args.output.as_deref(), store.path(), args.raw_csv)?;
    let fmt = args.format;
    let mut code = 0;
    match &args.view {
        None => overview(store, args, &mut out)?,
        Some(ReportView::Products(l)) => {
            let page = store.product_page(&product_query(l))?;
            let rows = to_values(&page.items);
            out.emit(fmt, "Products", &products_table(&rows), &rows)?;
        }
        Some(ReportView::Product { asin }) => {
            let p = store.product(asin)?;
            match fmt {
                OutputFormat::Json | OutputFormat::Jsonl => out.json(&p, fmt)?,
                OutputFormat::Html => out.raw(&html::product_page(&p))?,
                OutputFormat::Csv | OutputFormat::Table => product_tables(&p, fmt, &mut out)?,
            }
        }
        Some(ReportView::Brands(l)) => {
            let rows = store.brand_page(&brand_query(l))?.items;
            out.emit(fmt, "Brands", &brands_table(&rows), &rows)?;
        }
        Some(ReportView::Issues(l)) => {
            let f = Filter {
                brands: l.brand.clone(),
                ..Default::default()
            };
            let rows = issue_rows(store, &f)?;
            out.emit(fmt, "Issues", &issues_table(&rows), &rows)?;
        }
        Some(ReportView::Reviews(l)) => reviews(store, &review_filter(store, l)?, fmt, &mut out)?,
        Some(ReportView::Runs) => {
            let rows = store.runs()?;
            out.emit(fmt, "Analysis runs", &runs_table(&rows), &rows)?;
        }
        Some(ReportView::Changes(c)) => {
            let changes = store.changes(&change_query(c))?;
            let alerts = changes.alerts.len();
            changes_view(&changes, fmt, &mut out)?;
            if alerts > 0 && c.fail_on_alert {
                code = EXIT_ALERT;
            }
        }
    }
    out.finish()?;
    Ok(code)
}

fn label(code: &str) -> &'static str {
    crate::taxonomy::label(code)
}

/// The reviews view's filter: an ASIN must name a product (as the API's 404), in any letter case.
fn review_filter(store: &Store, l: &ReviewsArgs) -> Result<Filter> {
    let asin = match &l.asin {
        None => None,
        Some(a) => Some(
            store
                .canonical_asin(a)?
                .ok_or_else(|| Error::NotFound(format!("no product {a}")))?,
        ),
    };
    Ok(Filter {
        brands: l.brand.clone(),
        asin,
        min_reviews: None,
        issue: l.issue.clone(),
        limit: l.limit.map(|n| n.min(UNLIMITED) as i64),
    })
}

fn descending(order: Option<Order>, natural: bool) -> bool {
    order.map_or(natural, |o| o == Order::Desc)
}

fn product_query(l: &ProductsArgs) -> ProductQuery {
    let sort = l.sort.map_or(ProductSort::DEFAULT, sort_of);
    ProductQuery {
        brands: l.brand.clone(),
        min_reviews: l.min_reviews,
        issue: l.issue.clone(),
        sort,
        descending: descending(l.order, sort.default_descending()),
        limit: l.limit.unwrap_or(UNLIMITED).min(UNLIMITED),
        ..Default::default()
    }
}

fn brand_query(l: &BrandsArgs) -> BrandQuery {
    let sort = match l.sort {
        None | Some(BrandSortKey::Reviews) => BrandSort::Reviews,
        Some(BrandSortKey::Products) => BrandSort::Products,
        Some(BrandSortKey::Rating) => BrandSort::Rating,
        Some(BrandSortKey::Negative) => BrandSort::Negative,
        Some(BrandSortKey::Brand) => BrandSort::Brand,
    };
    BrandQuery {
        brands: l.brand.clone(),
        sort,
        descending: descending(l.order, sort.default_descending()),
        limit: l.limit.unwrap_or(UNLIMITED).min(UNLIMITED),
        after: None,
    }
}

fn to_values(items: &[ProductSummary]) -> Vec<Value> {
    items
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}

fn sort_of(k: SortKey) -> ProductSort {
    match k {
        SortKey::Reviews => ProductSort::Reviews,
        SortKey::Rating => ProductSort::Rating,
        SortKey::Negative => ProductSort::Negative,
        SortKey::Trend => ProductSort::Trend,
        SortKey::Asin => ProductSort::Asin,
    }
}

/// A JSON value as a table cell: strings bare, null empty.
fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

fn products_table(rows: &[Value]) -> Tabular {
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
                let top: Vec<String> = p["top_issues"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .take(3)
                            .map(|i| format!("{} ({})", s(&i["code"]), s(&i["count"])))
                            .collect()
                    })
                    .unwrap_or_default();
                vec![
                    s(&p["asin"]),
                    s(&p["brand"]),
                    s(&p["review_count"]),
                    s(&p["avg_rating"]),
                    s(&p["pct_positive"]),
                    s(&p["pct_negative"]),
                    p["neg_delta"]
                        .as_f64()
                        .map(|d| format!("{d:+.1}"))
                        .unwrap_or_default(),
                    top.join(", "),
                ]
            })
            .collect(),
    }
}

fn brands_table(rows: &[Value]) -> Tabular {
    Tabular {
        headers: vec![
            "brand",
            "products",
            "reviews",
            "avg rating",
            "% positive",
            "% negative",
            "top issue",
        ],
        rows: rows
            .iter()
            .map(|b| {
                vec![
                    s(&b["brand"]),
                    s(&b["products"]),
                    s(&b["review_count"]),
                    s(&b["avg_rating"]),
                    s(&b["pct_positive"]),
                    s(&b["pct_negative"]),
                    s(&b["issues"][0]["label"]),
                ]
            })
            .collect(),
    }
}

fn issue_rows(store: &Store, f: &Filter) -> Result<Vec<Value>> {
    Ok(store
        .issues(f)?
        .into_iter()
        .map(|(code, reviews, products)| {
            json!({"code": code, "label": label(&code), "reviews": reviews, "products": products})
        })
        .collect())
}

fn issues_table(rows: &[Value]) -> Tabular {
    Tabular {
        headers: vec!["code", "issue", "reviews", "products"],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    s(&r["code"]),
                    s(&r["label"]),
                    s(&r["reviews"]),
                    s(&r["products"]),
                ]
            })
            .collect(),
    }
}

fn runs_table(rows: &[Value]) -> Tabular {
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
        rows: rows
            .iter()
            .map(|r| {
                let tokens = r["prompt_tokens"].as_i64().unwrap_or(0)
                    + r["completion_tokens"].as_i64().unwrap_or(0);
                vec![
                    s(&r["id"]),
                    s(&r["started_at"]),
                    s(&r["status"]),
                    s(&r["analyzer"]),
                    s(&r["reviews_total"]),
                    s(&r["reviews_analyzed"]),
                    s(&r["products_updated"]),
                    r["duration_ms"]
                        .as_i64()
                        .map(|m| format!("{:.2}", m as f64 / 1000.0))
                        .unwrap_or_default(),
                    nonzero(&r["requests"]),
                    nonzero(&r["reviews_fallback"]),
                    if tokens > 0 {
                        format!("{}/{}", s(&r["prompt_tokens"]), s(&r["completion_tokens"]))
                    } else {
                        String::new()
                    },
                    r["cost_usd"]
                        .as_f64()
                        .filter(|c| *c > 0.0)
                        .map(|c| format!("{c:.4}"))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// The default view: what needs attention, the top issues, the brands.
fn overview(store: &Store, args: &ReportArgs, out: &mut Out) -> Result<()> {
    if store.current_analyzer()?.is_none() {
        return Err(Error::NotFound(
            "no analysis yet: run `prodinsight analyze` first".into(),
        ));
    }
    let fmt = args.format;
    let attention = store.attention(&args.brand, args.min_reviews, args.limit)?;
    let rows: Vec<Value> = attention
        .iter()
        .filter_map(|(p, impact)| {
            let mut v = serde_json::to_value(p).ok()?;
            v["impact"] = json!(impact);
            Some(v)
        })
        .collect();
    let attention_table = Tabular {
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
            .map(|p| {
                vec![
                    s(&p["asin"]),
                    s(&p["brand"]),
                    s(&p["review_count"]),
                    s(&p["pct_negative"]),
                    delta(&p["neg_delta"]),
                    s(&p["impact"]),
                    s(&p["avg_rating"]),
                    p["top_issues"][0]["label"]
                        .as_str()
                        .map(|l| format!("{l} ({})", s(&p["top_issues"][0]["count"])))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    };
    let brand_filter = Filter {
        brands: args.brand.clone(),
        ..Default::default()
    };
    let issues = issue_rows(store, &brand_filter)?;
    let brands = store.brands(&args.brand)?;
    match fmt {
        OutputFormat::Json | OutputFormat::Jsonl => out.json(
            &json!({"attention": rows, "issues": issues, "brands": brands}),
            fmt,
        ),
        OutputFormat::Csv => out.emit(fmt, "", &attention_table, &rows),
        OutputFormat::Table => {
            out.line(&format!(
                "Products that need attention (at least {} reviews; impact = negative reviews, weighted up by their rise)",
                args.min_reviews
            ))?;
            out.emit(fmt, "", &attention_table, &rows)?;
            out.line("\nTop issues across the portfolio")?;
            let mut top = issues_table(&issues);
            top.rows.truncate(10);
            out.emit(fmt, "", &top, &[])?;
            out.line("\nBrands")?;
            out.emit(fmt, "", &brands_table(&brands), &[])
        }
        OutputFormat::Html => {
            // Cards for the first few products: their top issue with a quote.
            let cards: Vec<Value> = rows
                .iter()
                .take(6)
                .filter_map(|p| store.product(p["asin"].as_str()?).ok())
                .collect();
            let top: Vec<(String, i64)> = issues
                .iter()
                .take(10)
                .map(|i| (s(&i["label"]), i["reviews"].as_i64().unwrap_or(0)))
                .collect();
            let reviews: i64 = brands
                .iter()
                .filter_map(|b| b["review_count"].as_i64())
                .sum();
            let products: i64 = brands.iter().filter_map(|b| b["products"].as_i64()).sum();
            let page = html::portfolio_page(&html::Portfolio {
                attention: &attention_table,
                attention_cards: &cards,
                issues: &top,
                brands: &brands_table(&brands),
                months: &store.portfolio_months(&args.brand)?,
                ratings: store.rating_distribution(&args.brand)?,
                products,
                reviews,
            });
            out.raw(&page)
        }
    }
}

/// A count, blank when zero (an offline run makes no requests).
fn nonzero(v: &Value) -> String {
    match v.as_i64() {
        Some(0) | None => String::new(),
        Some(n) => n.to_string(),
    }
}

fn delta(v: &Value) -> String {
    v.as_f64().map(|d| format!("{d:+.1}")).unwrap_or_default()
}

fn change_query(c: &ChangesArgs) -> ChangeQuery {
    ChangeQuery {
        since: c.since.clone(),
        threshold_points: c.threshold,
        min_reviews: c.min_reviews,
        brands: c.brand.clone(),
    }
}

fn changes_view(c: &Changes, fmt: OutputFormat, out: &mut Out) -> Result<()> {
    let rows: Vec<Value> = c
        .alerts
        .iter()
        .filter_map(|a| serde_json::to_value(a).ok())
        .collect();
    let t = Tabular {
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
        ],
        rows: c
            .alerts
            .iter()
            .map(|a| {
                vec![
                    a.asin.clone(),
                    a.brand.clone().unwrap_or_default(),
                    a.kind.to_string(),
                    a.label.unwrap_or_default().to_string(),
                    a.before.to_string(),
                    a.after.to_string(),
                    format!("{:+.1}", a.change),
                    a.reviews_before.to_string(),
                    a.reviews_after.to_string(),
                ]
            })
            .collect(),
    };
    match fmt {
        OutputFormat::Json => out.json(&serde_json::to_value(c).unwrap_or_default(), fmt),
        OutputFormat::Table => {
            let Some(base) = &c.base_run else {
                return out.line(&format!(
                    "No earlier analysis run to compare run {} with: no alerts.",
                    c.current_run.id
                ));
            };
            out.line(&format!(
                "Changes since run {} ({}) to run {}: {} alert(s) (rises of at least {} points, products with at least {} reviews; {} new product(s) not compared)",
                base.id,
                base.finished_at.as_deref().unwrap_or("?"),
                c.current_run.id,
                c.alerts.len(),
                c.threshold_points,
                c.min_reviews,
                c.new_products,
            ))?;
            if c.alerts.is_empty() {
                Ok(())
            } else {
                out.emit(fmt, "", &t, &rows)
            }
        }
        _ => out.emit(fmt, "What got worse", &t, &rows),
    }
}

fn product_tables(p: &Value, fmt: OutputFormat, out: &mut Out) -> Result<()> {
    let facts = Tabular {
        headers: vec!["field", "value"],
        rows: [
            "asin",
            "brand",
            "title",
            "review_count",
            "rated_count",
            "avg_rating",
            "pct_positive",
            "pct_neutral",
            "pct_negative",
            "neg_delta",
            "stars_text_disagreements",
            "last_review_date",
        ]
        .iter()
        .map(|k| vec![k.to_string(), s(&p[*k])])
        .chain(std::iter::once(vec![
            "rating_histogram".into(),
            p["rating_histogram"].to_string(),
        ]))
        .chain(std::iter::once(vec![
            "languages".into(),
            p["languages"].to_string(),
        ]))
        .collect(),
    };
    out.emit(fmt, "", &facts, &[])?;
    out.line("")?;
    let issues = Tabular {
        headers: vec![
            "issue",
            "reviews",
            "% of reviews",
            "% of negative",
            "example",
        ],
        rows: p["issues"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| {
                        vec![
                            s(&i["label"]),
                            s(&i["count"]),
                            s(&i["share"]),
                            s(&i["share_of_negative"]),
                            format!(
                                "\"{}\" ({})",
                                s(&i["examples"][0]["text"]),
                                s(&i["examples"][0]["review_id"])
                            ),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    out.emit(fmt, "", &issues, &[])?;
    out.line("")?;
    let trend = Tabular {
        headers: vec!["month", "reviews", "avg rating", "% negative"],
        rows: p["trend"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|m| {
                        vec![
                            s(&m["month"]),
                            s(&m["reviews"]),
                            s(&m["avg_rating"]),
                            s(&m["pct_negative"]),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    out.emit(fmt, "", &trend, &[])
}

const REVIEW_COLUMNS: [&str; 14] = [
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
    ]
}

fn issue_codes(r: &ReviewOut) -> Vec<&str> {
    r.issues.iter().map(|i| i.code.as_str()).collect()
}

/// A review as JSON: its issues are `{code, evidence}` objects, as the API's reviews.
fn review_json(r: &ReviewOut) -> Value {
    json!({
        "review_id": r.review_id, "asin": r.asin, "brand": r.brand, "rating": r.rating,
        "review_date": r.review_date, "language": r.language, "sentiment": r.sentiment,
        "text_sentiment": r.text_sentiment, "text_score": r.text_score, "disagreement": r.disagreement,
        "issues": r.issues, "aspects": r.aspects, "title": r.title, "text": r.body,
    })
}

/// Reviews stream straight to the output: a million rows never sit in memory (except as a table).
fn reviews(store: &Store, f: &Filter, fmt: OutputFormat, out: &mut Out) -> Result<()> {
    match fmt {
        OutputFormat::Csv => {
            out.csv_row(&REVIEW_COLUMNS)?;
            store.reviews(f, |r| out.csv_row(&review_cells(&r)))
        }
        OutputFormat::Jsonl => {
            store.reviews(f, |r| out.json(&review_json(&r), OutputFormat::Jsonl))
        }
        OutputFormat::Json => {
            out.raw("[")?;
            let mut first = true;
            store.reviews(f, |r| {
                out.raw(if first { "\n" } else { ",\n" })?;
                first = false;
                out.raw(&crate::textsafe::escape_json_c1(
                    review_json(&r).to_string(),
                ))
            })?;
            out.raw("\n]\n")
        }
        OutputFormat::Table | OutputFormat::Html => {
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
                let mut text = format!(
                    "{} {}",
                    r.title.clone().unwrap_or_default(),
                    r.body.clone().unwrap_or_default()
                );
                if text.chars().count() > 80 {
                    text = text.chars().take(79).collect::<String>() + "…";
                }
                t.rows.push(vec![
                    r.review_id.clone(),
                    r.asin.clone(),
                    r.rating.map(|x| x.to_string()).unwrap_or_default(),
                    r.language.clone().unwrap_or_default(),
                    r.sentiment.unwrap_or_default().to_string(),
                    r.text_score.map(|x| format!("{x:.2}")).unwrap_or_default(),
                    issue_codes(&r).join(", "),
                    text.replace('\n', " "),
                ]);
                Ok(())
            })?;
            out.emit(fmt, "Reviews", &t, &[])
        }
    }
}
