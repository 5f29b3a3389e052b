//! Small databases for the store's unit tests, built through the store's own API: reviews through
//! an ingest writer, insights through `put_insights`, runs through `begin_analysis`/`finish_analysis`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;

use super::insights::{BrandRow, Counts, IssueCount, MonthRow, ProductRow, RunCounts};
use super::views::{BrandSummary, ProductDetail};
use super::Store;
use crate::model::{IngestCounts, Keyed, ReviewRecord};

/// A migrated database in a temporary directory (removed when this is dropped).
pub struct TestDb {
    pub store: Store,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&path).unwrap();
        TestDb {
            store,
            path,
            _dir: dir,
        }
    }

    /// A second, read-only connection, as `report` and `serve` read. (Its count cache sees the
    /// writer's commits; a connection does not see its own in `PRAGMA data_version`.)
    pub fn reader(&self) -> Store {
        Store::open_readonly(&self.path).unwrap()
    }

    /// Ingests the reviews as one file; returns them keyed (with their text hashes).
    pub fn ingest(&mut self, records: Vec<ReviewRecord>) -> Vec<Keyed> {
        let keyed: Vec<Keyed> = records.into_iter().map(Keyed::from).collect();
        let mut w = self
            .store
            .begin_ingest("t.jsonl", "jsonl", None, None)
            .unwrap();
        for k in &keyed {
            w.put(k).unwrap();
        }
        w.finish(&IngestCounts::default(), 0, "").unwrap();
        keyed
    }

    /// One finished offline analysis run whose insights are these products (brands rolled up
    /// from them); returns its id.
    pub fn run(&mut self, products: Vec<ProductRow>) -> i64 {
        let s = &mut self.store;
        let id = s.begin_analysis("offline", "test", 1).unwrap();
        s.put_insights(id, &products, &brands_of(&products))
            .unwrap();
        s.finish_analysis(id, "ok", 0, &RunCounts::default(), 1)
            .unwrap();
        id
    }
}

/// A product's insights with the given numbers and (code, count) issues, ranked by count as the
/// rollup ranks them; no previous run (`neg_delta` None) unless the test sets it.
pub fn product(
    asin: &str,
    brand: &str,
    reviews: i64,
    rating: Option<f64>,
    negative: f64,
    issues: &[(&str, i64)],
) -> ProductRow {
    let mut issues: Vec<IssueCount> = issues
        .iter()
        .map(|(c, n)| IssueCount {
            code: c.to_string(),
            count: *n,
            share: 100.0 * *n as f64 / reviews as f64,
            negative_neutral: *n,
            ..Default::default()
        })
        .collect();
    issues.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    let counts: BTreeMap<&str, i64> = issues.iter().map(|i| (i.code.as_str(), i.count)).collect();
    let neg = (negative * reviews as f64 / 100.0).round() as i64;
    let month = |month: &str, reviews: i64, avg_rating: Option<f64>, pct_negative: f64| MonthRow {
        month: month.into(),
        reviews,
        rated: if avg_rating.is_some() { reviews } else { 0 },
        rating_sum: (avg_rating.unwrap_or(0.0) * reviews as f64).round() as i64,
        negative: (pct_negative * reviews as f64 / 100.0).round() as i64,
        avg_rating,
        pct_negative,
        issues: "{}".into(),
    };
    ProductRow {
        asin: asin.into(),
        brand: Some(brand.into()),
        review_count: reviews,
        rated_count: reviews,
        avg_rating: rating,
        pct_positive: 100.0 - negative,
        pct_neutral: 0.0,
        pct_negative: negative,
        neg_delta: None,
        last_review_date: Some("2024-05-01".into()),
        detail: serde_json::to_string(&ProductDetail {
            asin: asin.into(),
            brand: Some(brand.into()),
            review_count: reviews,
            ..Default::default()
        })
        .unwrap(),
        snapshot: json!({"review_count": reviews, "issues": counts}).to_string(),
        issues,
        months: vec![
            month("2024-05", reviews - 1, rating, negative),
            month("2024-04", 1, None, 0.0),
        ],
        counts: Counts {
            positive: reviews - neg,
            neutral: 0,
            negative: neg,
            rating_sum: (rating.unwrap_or(0.0) * reviews as f64).round() as i64,
        },
        previous: None,
        breakdowns: Default::default(),
        liked: Vec::new(),
        alerts: Vec::new(),
    }
}

fn brands_of(products: &[ProductRow]) -> Vec<BrandRow> {
    let mut by: BTreeMap<&str, Vec<&ProductRow>> = BTreeMap::new();
    for p in products {
        by.entry(p.brand.as_deref().unwrap()).or_default().push(p);
    }
    by.into_iter()
        .map(|(brand, ps)| {
            let ratings: Vec<f64> = ps.iter().filter_map(|p| p.avg_rating).collect();
            let reviews: i64 = ps.iter().map(|p| p.review_count).sum();
            BrandRow {
                brand: brand.into(),
                products: ps.len() as i64,
                review_count: reviews,
                avg_rating: (!ratings.is_empty())
                    .then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
                pct_positive: 50.0,
                pct_negative: ps.iter().map(|p| p.pct_negative).sum::<f64>() / ps.len() as f64,
                negative: ps.iter().map(|p| p.counts.negative).sum(),
                detail: serde_json::to_string(&BrandSummary {
                    brand: brand.into(),
                    products: ps.len() as i64,
                    review_count: reviews,
                    ..Default::default()
                })
                .unwrap(),
                breakdowns: Default::default(),
                liked: Default::default(),
            }
        })
        .collect()
}

/// A review of `asin` with a title (the product's) and a body.
pub fn review(asin: &str, brand: &str, rating: Option<u8>, body: &str) -> ReviewRecord {
    ReviewRecord {
        asin: asin.into(),
        brand: Some(brand.into()),
        rating,
        body: Some(body.into()),
        review_date: Some("2024-05-01".into()),
        marketplace: Some("amazon.de".into()),
        product_title: Some(format!("Title of {asin}")),
        ..Default::default()
    }
}
