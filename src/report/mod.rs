//! `prodinsight report`: insights for people (tables) and programs (CSV, JSON, JSON Lines).
//! All data comes through `store::query`, the same code the API uses.

mod output;

use serde_json::{json, Value};

use crate::cli::{ListArgs, OutputFormat, ReportArgs, ReportView, SortKey};
use crate::error::{Error, Result};
use crate::store::pages::{ProductQuery, ProductSort, ProductSummary, UNLIMITED};
use crate::store::query::{Filter, ReviewOut};
use crate::store::Store;
use output::{Out, Tabular};

/// Products with fewer reviews than this do not top the attention list: one bad review is noise.
const ATTENTION_MIN_REVIEWS: i64 = 5;

pub fn run(store: &Store, args: &ReportArgs) -> Result<i32> {
    let mut out = Out::open(args.output.as_deref())?;
    let fmt = args.format;
    match &args.view {
        None => overview(store, fmt, &mut out)?,
        Some(ReportView::Products(l)) => {
            let sort = sort_of(l.sort.unwrap_or(SortKey::Negative));
            let page = store.product_page(&product_query(l, sort))?;
            let rows = to_values(&page.items);
            out.emit(fmt, &products_table(&rows), &rows)?;
        }
        Some(ReportView::Product { asin }) => {
            let p = store.product(asin)?;
            match fmt {
                OutputFormat::Json | OutputFormat::Jsonl => {
                    out.json(&json!({ "product": p }), fmt)?
                }
                OutputFormat::Csv | OutputFormat::Table => product_tables(&p, fmt, &mut out)?,
            }
        }
        Some(ReportView::Brands(l)) => {
            let rows = store.brands(&filter(l))?;
            let t = Tabular {
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
            };
            out.emit(fmt, &t, &rows)?;
        }
        Some(ReportView::Issues(l)) => {
            let rows: Vec<Value> = store
                .issues(&filter(l))?
                .into_iter()
                .map(|(code, reviews, products)| {
                    json!({"code": code, "label": label(&code), "reviews": reviews, "products": products})
                })
                .collect();
            let t = Tabular {
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
            };
            out.emit(fmt, &t, &rows)?;
        }
        Some(ReportView::Reviews(l)) => reviews(store, &filter(l), fmt, &mut out)?,
        Some(ReportView::Runs) => {
            let rows = store.runs()?;
            let t = Tabular {
                headers: vec![
                    "run", "started", "status", "analyzer", "reviews", "analyzed", "products",
                    "seconds",
                ],
                rows: rows
                    .iter()
                    .map(|r| {
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
                        ]
                    })
                    .collect(),
            };
            out.emit(fmt, &t, &rows)?;
        }
    }
    out.finish()?;
    Ok(0)
}

fn label(code: &str) -> &'static str {
    crate::taxonomy::label(code)
}

fn filter(l: &ListArgs) -> Filter {
    Filter {
        brands: l.brand.clone(),
        asin: l.asin.clone(),
        min_reviews: l.min_reviews,
        issue: l.issue.clone(),
        limit: l.limit,
    }
}

fn product_query(l: &ListArgs, sort: ProductSort) -> ProductQuery {
    ProductQuery {
        brands: l.brand.clone(),
        min_reviews: l.min_reviews,
        issue: l.issue.clone(),
        sort,
        descending: sort.default_descending(),
        limit: l.limit.map_or(UNLIMITED, |n| n.max(0) as usize),
        ..Default::default()
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

fn overview(store: &Store, fmt: OutputFormat, out: &mut Out) -> Result<()> {
    if store.current_analyzer()?.is_none() {
        return Err(Error::NotFound(
            "no analysis yet: run `prodinsight analyze` first".into(),
        ));
    }
    let q = ProductQuery {
        min_reviews: Some(ATTENTION_MIN_REVIEWS),
        limit: 15,
        sort: ProductSort::Negative,
        ..Default::default()
    };
    let rows = to_values(&store.product_page(&q)?.items);
    if fmt != OutputFormat::Table {
        return out.emit(fmt, &products_table(&rows), &rows);
    }
    out.line(&format!(
        "Products that need attention (at least {ATTENTION_MIN_REVIEWS} reviews, most negative first)"
    ))?;
    out.emit(fmt, &products_table(&rows), &rows)?;
    let issues = store.issues(&Filter::default())?;
    out.line("")?;
    out.line("Top issues across the portfolio")?;
    let t = Tabular {
        headers: vec!["issue", "reviews", "products"],
        rows: issues
            .iter()
            .take(10)
            .map(|(c, r, p)| vec![label(c).to_string(), r.to_string(), p.to_string()])
            .collect(),
    };
    out.emit(fmt, &t, &[])
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
    out.emit(fmt, &facts, &[])?;
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
    out.emit(fmt, &issues, &[])?;
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
    out.emit(fmt, &trend, &[])
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
        r.issues.join(";"),
        r.aspects.join(";"),
        r.title.clone().unwrap_or_default(),
        r.body.clone().unwrap_or_default(),
    ]
}

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
                out.raw(&review_json(&r).to_string())
            })?;
            out.raw("\n]\n")
        }
        OutputFormat::Table => {
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
                    r.issues.join(", "),
                    text.replace('\n', " "),
                ]);
                Ok(())
            })?;
            out.emit(fmt, &t, &[])
        }
    }
}
