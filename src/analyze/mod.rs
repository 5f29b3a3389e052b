//! `prodinsight analyze`: per-text analysis (incremental, keyed by text hash and analyzer), then
//! per-product and per-brand insights with a snapshot per run.

pub mod llm;
pub mod offline;
pub mod rollup;

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Hash, TextAnalysis};
use crate::progress;
use crate::store::insights::{LlmUsage, RunCounts};
use crate::store::Store;
use crate::taxonomy;
use rollup::{BrandAcc, ProductAcc};

pub struct Options {
    pub full: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub analyzer: Analyzer,
}

/// Which analyzer a run uses.
pub enum Analyzer {
    Offline,
    Llm {
        config: Box<llm::Config>,
        dry_run: bool,
        batch: bool,
    },
}

impl Analyzer {
    fn key(&self) -> String {
        match self {
            Analyzer::Offline => analyzer_key(),
            Analyzer::Llm { config, .. } => config.analyzer_key(),
        }
    }

    fn version(&self) -> String {
        match self {
            Analyzer::Offline => offline::VERSION.to_string(),
            Analyzer::Llm { config, .. } => {
                format!("{}/{}", config.model, llm::prompt::PROMPT_VERSION)
            }
        }
    }
}

/// The key offline results are stored under: analyzer, its version, and the taxonomy version.
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
    let key = opts.analyzer.key();
    if let Analyzer::Llm {
        config,
        dry_run,
        batch,
    } = &opts.analyzer
    {
        if *dry_run {
            return dry_run_report(store, config, opts.full);
        }
        config.check()?;
        if *batch {
            return llm::batch::run(store, config, opts, &key);
        }
    }
    let watermark = store.last_ingest_run()?;
    if !opts.full {
        if let Some((prev, mark)) = store.last_analysis(&key)? {
            if mark == watermark {
                let id = store.begin_analysis(
                    &key,
                    &opts.analyzer.version(),
                    taxonomy::TAXONOMY_VERSION,
                )?;
                store.finish_analysis(id, "unchanged", watermark, &RunCounts::default(), 0)?;
                if !opts.quiet {
                    eprintln!("analyze: nothing new since run {prev}; insights are current");
                }
                return Ok(());
            }
        }
    }
    let run_id =
        store.begin_analysis(&key, &opts.analyzer.version(), taxonomy::TAXONOMY_VERSION)?;
    let total = store.reader()?.review_count()?;
    let mut counts = RunCounts {
        reviews_total: total,
        ..Default::default()
    };

    // 1. Texts without a result for this analyzer; each chunk (each LLM request) is committed as
    //    it finishes, so an interrupted run keeps its work and the next one continues from there.
    let analyzed = match &opts.analyzer {
        Analyzer::Offline => analyze_offline(store, opts, &key, run_id),
        Analyzer::Llm { config, .. } => analyze_llm(store, opts, config, &key, run_id),
    };
    let (llm_usage, watermark) = match analyzed {
        Ok((n, usage, complete)) => {
            counts.reviews_analyzed = n;
            // A run that left reviews unanalyzed or stood in for the LLM is not current: the next
            // one must not say "nothing new", and sends those reviews again.
            (usage, if complete { watermark } else { 0 })
        }
        Err(failed) => {
            let (e, n, usage) = *failed;
            counts.reviews_analyzed = n;
            if let Some(u) = &usage {
                store.record_llm_usage(run_id, u)?;
            }
            let ms = started.elapsed().as_millis() as i64;
            store.finish_analysis(run_id, "failed", 0, &counts, ms)?;
            return Err(e);
        }
    };
    finish_run(store, opts, run_id, watermark, counts, llm_usage, started)
}

/// Texts analyzed, LLM usage, and whether every text now has a result of the analyzer's own; on
/// failure the same, with the error, for the run's record.
type Analyzed =
    std::result::Result<(i64, Option<LlmUsage>, bool), Box<(Error, i64, Option<LlmUsage>)>>;

fn analyze_offline(store: &mut Store, opts: &Options, key: &str, run_id: i64) -> Analyzed {
    let fail = |e: Error| Box::new((e, 0, None));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| fail(Error::Other(format!("cannot start worker threads: {e}"))))?;
    let analyzer = offline::Offline::new();
    let reader = store.reader().map_err(fail)?;
    let total = reader.review_count().map_err(fail)?;
    let pb = progress::bar(Some(total as u64), false, opts.quiet, "analyzing");
    let mut n = 0i64;
    let r = reader.texts_to_analyze(key, opts.full, CHUNK, |chunk| {
        let results: Vec<(Hash, TextAnalysis)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(h, t, b)| (*h, analyzer.analyze(t.as_deref(), b.as_deref())))
                .collect()
        });
        n += results.len() as i64;
        pb.inc(results.len() as u64);
        store.put_text_results(key, run_id, &results)
    });
    pb.finish_and_clear();
    r.map_err(|e| Box::new((e, n, None)))?;
    Ok((n, None, true))
}

/// Texts per chunk read for the LLM: bounded memory, while requests of a chunk run concurrently.
const LLM_CHUNK: usize = 2_000;

fn analyze_llm(
    store: &mut Store,
    opts: &Options,
    config: &llm::Config,
    key: &str,
    run_id: i64,
) -> Analyzed {
    let mut engine = llm::Engine::new(config.clone()).map_err(|e| Box::new((e, 0, None)))?;
    engine.quiet = opts.quiet;
    let reader = store.reader().map_err(|e| Box::new((e, 0, None)))?;
    let pb = progress::bar(None, false, opts.quiet, "analyzing with the LLM");
    let mut stats = llm::Stats::default();
    let mut n = 0i64;
    let r = reader.texts_to_analyze(key, opts.full, LLM_CHUNK, |chunk| {
        let s = engine.run_chunk(&chunk, |done| {
            n += done.results.len() as i64;
            pb.inc(done.results.len() as u64);
            store.put_text_results_from(
                key,
                run_id,
                done.results.iter().map(|(h, a, f)| (h, a, *f)),
            )
        });
        match s {
            Ok(s) => {
                stats.add(&s);
                Ok(())
            }
            Err(e) => Err(e),
        }
    });
    pb.finish_and_clear();
    let usage = LlmUsage {
        requests: stats.requests,
        fallback: stats.fallback,
        prompt_tokens: stats.usage.prompt,
        cached_tokens: stats.usage.cached,
        completion_tokens: stats.usage.completion,
        cost_usd: stats.cost,
    };
    if !opts.quiet {
        eprintln!(
            "analyze: {} texts by {} ({} requests), {} by the offline analyzer after the LLM failed, {} left unanalyzed (no reply); tokens: {} in ({} cached), {} out; {}",
            stats.by_llm,
            config.model,
            stats.requests,
            stats.fallback,
            stats.left,
            stats.usage.prompt,
            stats.usage.cached,
            stats.usage.completion,
            match config.price {
                Some(_) => format!("estimated cost {:.4} USD", stats.cost),
                None => "cost unknown (no price for this model; --price IN,OUT)".into(),
            }
        );
    }
    let stand_ins = match &r {
        Ok(()) => match store.fallback_results(key) {
            Ok(k) => k,
            Err(e) => return Err(Box::new((e, n, Some(usage)))),
        },
        Err(_) => 0,
    };
    if stand_ins > 0 && !opts.quiet {
        eprintln!(
            "analyze: {stand_ins} results of {key} are the offline analyzer's, standing in where the LLM failed; the next run sends them again"
        );
    }
    match r {
        Ok(()) => Ok((n, Some(usage), stats.left == 0 && stand_ins == 0)),
        Err(e) => Err(Box::new((e, n, Some(usage)))),
    }
}

fn dry_run_report(store: &Store, config: &llm::Config, full: bool) -> Result<()> {
    let key = config.analyzer_key();
    let mut est = llm::Estimate::default();
    store
        .reader()?
        .texts_to_analyze(&key, full, LLM_CHUNK, |chunk| {
            let texts: Vec<String> = chunk
                .iter()
                .map(|(_, t, b)| llm::prompt::review_text(t.as_deref(), b.as_deref()))
                .collect();
            est.add_chunk(&texts, config);
            Ok(())
        })?;
    println!("dry run: nothing was sent");
    println!("model              {}", config.model);
    println!("reviews to analyze {}", est.reviews);
    println!("requests           {}", est.requests);
    println!("prompt tokens      ~{}", est.prompt_tokens);
    println!("completion tokens  ~{}", est.completion_tokens);
    match est.cost(config.price.as_ref()) {
        Some(c) => println!("estimated cost     {c:.4} USD"),
        None => println!("estimated cost     unknown (no price for this model; --price IN,OUT)"),
    }
    if let (Some(max), Some(c)) = (config.max_cost, est.cost(config.price.as_ref())) {
        if c > max {
            println!("(a run would stop before passing --max-cost {max} USD)");
        }
    }
    Ok(())
}

pub(crate) fn finish_run(
    store: &mut Store,
    opts: &Options,
    run_id: i64,
    watermark: i64,
    mut counts: RunCounts,
    llm_usage: Option<LlmUsage>,
    started: Instant,
) -> Result<()> {
    let key = opts.analyzer.key();
    let total = counts.reviews_total;
    if let Some(u) = &llm_usage {
        store.record_llm_usage(run_id, u)?;
    }
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
