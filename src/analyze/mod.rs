//! `prodinsight analyze`: per-text analysis (incremental, keyed by text hash and analyzer), then
//! per-product and per-brand insights with a snapshot per run.

pub mod offline;
pub mod rollup;

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Hash, TextAnalysis};
use crate::progress;
use crate::store::insights::RunCounts;
use crate::store::Store;
use crate::taxonomy;
use rollup::{BrandAcc, ProductAcc};

pub struct Options {
    pub full: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
}

/// The key results are stored under: analyzer, its version, and the taxonomy version.
pub fn analyzer_key() -> String {
    format!(
        "{}/{}/t{}",
        offline::NAME,
        offline::VERSION,
        taxonomy::TAXONOMY_VERSION
    )
}

const CHUNK: usize = 16_384;

pub fn run(store: &mut Store, opts: &Options) -> Result<()> {
    let started = Instant::now();
    let key = analyzer_key();
    let watermark = store.last_ingest_run()?;
    if !opts.full {
        if let Some((prev, mark)) = store.last_analysis(&key)? {
            if mark == watermark {
                let id =
                    store.begin_analysis(&key, offline::VERSION, taxonomy::TAXONOMY_VERSION)?;
                store.finish_analysis(id, "unchanged", watermark, &RunCounts::default(), 0)?;
                if !opts.quiet {
                    eprintln!("analyze: nothing new since run {prev}; insights are current");
                }
                return Ok(());
            }
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let run_id = store.begin_analysis(&key, offline::VERSION, taxonomy::TAXONOMY_VERSION)?;
    let analyzer = offline::Offline::new();
    let reader = store.reader()?;
    let total = reader.review_count()?;
    let mut counts = RunCounts {
        reviews_total: total,
        ..Default::default()
    };

    // 1. Texts without a result for this analyzer, in parallel; each chunk is committed as it
    //    finishes, so an interrupted run keeps its work and the next one continues from there.
    let pb = progress::bar(Some(total as u64), false, opts.quiet, "analyzing");
    reader.texts_to_analyze(&key, opts.full, CHUNK, |chunk| {
        let results: Vec<(Hash, TextAnalysis)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(h, t, b)| (*h, analyzer.analyze(t.as_deref(), b.as_deref())))
                .collect()
        });
        counts.reviews_analyzed += results.len() as i64;
        pb.inc(results.len() as u64);
        store.put_text_results(&key, run_id, &results)
    })?;
    pb.finish_and_clear();
    drop(reader);

    // 2. Roll up per product and brand from a fresh snapshot that includes this run's results.
    let previous = store.previous_negative()?;
    let reader = store.reader()?;
    let mut products = Vec::new();
    let mut brands: HashMap<String, BrandAcc> = HashMap::new();
    let mut acc: Option<ProductAcc> = None;
    let mut finish = |acc: ProductAcc, products: &mut Vec<_>| {
        let prev = previous.get(acc.asin()).copied();
        let row = acc.finish(prev);
        brands
            .entry(row.brand.clone().unwrap_or_else(|| "(no brand)".into()))
            .or_default()
            .add(&row);
        products.push(row);
    };
    reader.reviews_by_product(&key, |r| {
        if acc.as_ref().is_some_and(|a| a.asin() != r.asin) {
            if let Some(a) = acc.take() {
                finish(a, &mut products);
            }
        }
        acc.get_or_insert_with(|| ProductAcc::new(&r.asin, r.brand.clone()))
            .add(&r);
        Ok(())
    })?;
    if let Some(a) = acc.take() {
        finish(a, &mut products);
    }
    drop(reader);
    let brand_rows: Vec<_> = brands.into_iter().map(|(b, a)| a.finish(b)).collect();
    counts.products_updated = products
        .iter()
        .filter(|p| p.neg_delta != Some(0.0) || !previous.contains_key(&p.asin))
        .count() as i64;
    counts.reviews_reused = (total - counts.reviews_analyzed).max(0);
    store.put_insights(run_id, &products, &brand_rows)?;
    let ms = started.elapsed().as_millis() as i64;
    store.finish_analysis(run_id, "ok", watermark, &counts, ms)?;

    if !opts.quiet {
        eprintln!(
            "analyze: {} reviews, {} texts analyzed ({} reused), {} products, {} brands in {:.2} s",
            total,
            counts.reviews_analyzed,
            counts.reviews_reused,
            products.len(),
            brand_rows.len(),
            ms as f64 / 1000.0
        );
        let mut risers: Vec<_> = products
            .iter()
            .filter(|p| p.review_count >= 5 && p.neg_delta.is_some_and(|d| d > 0.0))
            .collect();
        risers.sort_by(|a, b| {
            b.neg_delta
                .partial_cmp(&a.neg_delta)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for p in risers.iter().take(5) {
            eprintln!(
                "  negative share rose: {} ({}) {:.1}% (+{:.1} points)",
                p.asin,
                p.brand.as_deref().unwrap_or("-"),
                p.pct_negative,
                p.neg_delta.unwrap_or(0.0)
            );
        }
    }
    Ok(())
}
