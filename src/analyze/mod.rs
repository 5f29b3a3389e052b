//! `prodinsight analyze`: per-text analysis (incremental, keyed by text hash and analyzer), then
//! per-product and per-brand insights with a snapshot per run.

mod alerts;
mod days;
pub mod llm;
pub mod offline;
pub mod rollup;

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::alert_rule::{change1, pct1, RULE};
use crate::error::{Error, Result};
use crate::model::{Hash, StarBucket, TextAnalysis, TextRow};
use crate::progress;
use crate::store::changes::NewAlert;
use crate::store::insights::{
    BrandRow, InsightsWriter, LlmUsage, ProductRow, Reader, ReviewRow, RunCounts,
};
use crate::store::rollups::{RollupBase, RunDefinition};
use crate::store::windows::ProductDays;
use crate::store::{AnalyzeLock, Store};
use crate::taxonomy;
use crate::topics::{Labels, Topics};
use rollup::{BrandAcc, ProductAcc};

pub struct Options {
    pub full: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub analyzer: Analyzer,
    /// A team's own topics (`--topics FILE`), matched besides the built-in codes.
    pub topics: Topics,
}

/// Which analyzer a run uses.
pub enum Analyzer {
    Offline,
    Llm {
        config: Box<llm::Config>,
        dry_run: bool,
        batch: bool,
        /// Write a summary per product whose evidence changed (`--summaries`).
        summaries: bool,
    },
}

impl Analyzer {
    fn key(&self, topics: &Topics) -> String {
        match self {
            Analyzer::Offline => analyzer_key_with(topics),
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
    analyzer_key_with(&Topics::default())
}

/// The offline key with custom topics: their definitions' hash is part of the taxonomy version, so
/// unchanged topics reuse stored results and changed ones are analyzed afresh, never mixed.
pub fn analyzer_key_with(topics: &Topics) -> String {
    format!(
        "{}/{}/{}",
        offline::NAME,
        offline::VERSION,
        topics.taxonomy_key()
    )
}

const CHUNK: usize = 16_384;

/// What `analyze` does when another analyze of the same database is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfBusy {
    /// Wait for it to finish (saying so once), then run: usually to find nothing new.
    Wait,
    /// Stop at once with `Error::Busy` (exit code 5).
    Fail,
}

/// Analyzes the database, waiting for any other analyze of it to finish first.
pub fn run(store: &mut Store, opts: &Options) -> Result<()> {
    run_with(store, opts, IfBusy::Wait)
}

pub fn run_with(store: &mut Store, opts: &Options, if_busy: IfBusy) -> Result<()> {
    let key = opts.analyzer.key(&opts.topics);
    if let Analyzer::Llm {
        config,
        dry_run,
        summaries,
        ..
    } = &opts.analyzer
    {
        if *dry_run {
            return dry_run_report(store, config, opts.full, *summaries);
        }
        config.check()?;
    }
    // One analyze at a time per database, from here to the end of the run: two at once each did
    // all the work (and with an LLM paid for it twice).
    let _lock = lock(store, opts, if_busy)?;
    let started = Instant::now();
    mark_interrupted(store, opts)?;
    if let Analyzer::Llm {
        config,
        batch: true,
        ..
    } = &opts.analyzer
    {
        return llm::batch::run(store, config, opts, &key);
    }
    let watermark = store.last_ingest_run()?;
    if !opts.full && nothing_new(store, opts, &key, watermark)? {
        return Ok(());
    }
    let run_id = begin(store, opts, &key)?;
    if matches!(opts.analyzer, Analyzer::Offline) && !opts.full {
        reuse_unaffected(store, opts, &key, run_id)?;
    }
    let base = rollup_base(store, opts, run_id)?;
    let run = analyze_texts(store, opts, &key, run_id, watermark, started, base)?;
    finish_run(store, run)
}

/// A new run of `key`, recorded with the topics it uses.
fn begin(store: &mut Store, opts: &Options, key: &str) -> Result<i64> {
    let topics = (!opts.topics.is_empty()).then(|| opts.topics.to_json());
    store.begin_analysis_with(
        key,
        &opts.analyzer.version(),
        taxonomy::TAXONOMY_VERSION,
        topics.as_deref(),
    )
}

/// After the topics changed, the previous results of the offline analyzer (same version and
/// taxonomy, other topics) of texts whose language the change does not touch become this key's:
/// only texts in a language whose phrases changed (and texts of no known language, if any did)
/// are analyzed again.
fn reuse_unaffected(store: &mut Store, opts: &Options, key: &str, run_id: i64) -> Result<()> {
    let family = analyzer_key_with(&Topics::default());
    let Some((run, from, topics)) = store.sibling_run(&family, key)? else {
        return Ok(());
    };
    let before = topics
        .as_deref()
        .and_then(Topics::from_json)
        .unwrap_or_default();
    let same = opts.topics.unchanged_languages(&before);
    let all = same.len() == crate::model::OFFLINE_LANGUAGES.len();
    let read = &crate::model::OFFLINE_LANGUAGES[..];
    let n = store.copy_text_results(&from, key, run_id, &same, read, all)?;
    if n > 0 && !opts.quiet {
        let changed: Vec<&str> = (read.iter().copied())
            .filter(|l| !same.contains(l))
            .collect();
        eprintln!(
            "analyze: topics differ from run {run}'s in {}: {n} results of texts in other languages reused",
            match changed.is_empty() {
                true => "labels only".to_string(),
                false => changed.join(", "),
            }
        );
    }
    Ok(())
}

/// Marks the runs whose process ended before they finished, and says so.
fn mark_interrupted(store: &mut Store, opts: &Options) -> Result<()> {
    for (id, kept) in store.mark_interrupted_runs()? {
        if !opts.quiet {
            eprintln!(
                "analyze: run {id} was interrupted (its process ended before it finished): marked interrupted; its {kept} analyzed texts are kept"
            );
        }
    }
    Ok(())
}

/// Whether nothing was ingested since this analyzer's last complete run; if so, records an
/// unchanged run and says so.
fn nothing_new(store: &mut Store, opts: &Options, key: &str, watermark: i64) -> Result<bool> {
    let Some((prev, mark)) = store.last_analysis(key)? else {
        return Ok(false);
    };
    if mark != watermark {
        return Ok(false);
    }
    let id = begin(store, opts, key)?;
    store.finish_analysis(id, "unchanged", watermark, &RunCounts::default(), 0)?;
    if !opts.quiet {
        eprintln!("analyze: nothing new since run {prev}; insights are current");
    }
    Ok(true)
}

/// Step 1 of a run: texts without a result for this analyzer; each chunk (each LLM request) is
/// committed as it finishes, so an interrupted run keeps its work and the next one continues from
/// there. A failure is recorded in the run, which is then finished as failed.
fn analyze_texts<'a>(
    store: &mut Store,
    opts: &'a Options,
    key: &str,
    run_id: i64,
    watermark: i64,
    started: Instant,
    base: Option<RollupBase>,
) -> Result<Run<'a>> {
    let total = store.reader()?.review_count()?;
    let mut counts = RunCounts {
        reviews_total: total,
        ..Default::default()
    };
    let analyzed = match &opts.analyzer {
        Analyzer::Offline => analyze_offline(store, opts, key, run_id, base),
        Analyzer::Llm { config, .. } => analyze_llm(store, opts, config, key, run_id),
    };
    let seen = watermark;
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
            counts.texts_failed = store.text_failures(run_id)?;
            if let Some(u) = &usage {
                store.record_llm_usage(run_id, u)?;
            }
            let ms = started.elapsed().as_millis() as i64;
            store.finish_analysis(run_id, "failed", 0, &counts, ms)?;
            return Err(e);
        }
    };
    counts.texts_failed = store.text_failures(run_id)?;
    Ok(Run {
        opts,
        id: run_id,
        watermark,
        seen,
        counts,
        llm_usage,
        started,
        base,
    })
}

/// Takes the database's analyze lock, waiting for (or, with `IfBusy::Fail`, refusing to wait for)
/// another analyze that holds it.
fn lock(store: &Store, opts: &Options, if_busy: IfBusy) -> Result<AnalyzeLock> {
    let busy = match AnalyzeLock::try_acquire(store.path())? {
        Ok(lock) => return Ok(lock),
        Err(busy) => busy,
    };
    let holder = match busy.pid {
        Some(pid) => format!(" (pid {pid})"),
        None => String::new(),
    };
    let db = store.path().display();
    match if_busy {
        IfBusy::Fail => Err(Error::Busy(format!(
            "another analyze of {db} is running{holder}; with --no-wait this one does not wait for it and analyzed nothing"
        ))),
        IfBusy::Wait => {
            if !opts.quiet {
                eprintln!("analyze: waiting for another analyze of {db}{holder} to finish…");
            }
            busy.wait()
        }
    }
}

/// Texts analyzed, LLM usage, and whether every text now has a result of the analyzer's own; on
/// failure the same, with the error, for the run's record.
type Analyzed =
    std::result::Result<(i64, Option<LlmUsage>, bool), Box<(Error, i64, Option<LlmUsage>)>>;

/// With a `base` run, only texts of reviews changed since it can lack a result (it left none
/// without one): only those are looked for, not every review's.
fn analyze_offline(
    store: &mut Store,
    opts: &Options,
    key: &str,
    run_id: i64,
    base: Option<RollupBase>,
) -> Analyzed {
    let analyzer = offline::Offline::with_topics(&opts.topics);
    let since = base.map(|b| b.watermark);
    analyze_offline_with(store, opts, key, (run_id, since), &|t, b, stars| {
        analyzer.analyze_rated(t, b, stars)
    })
}

/// The offline pass with the analyzer as a parameter (tests give it one that fails).
fn analyze_offline_with<F>(
    store: &mut Store,
    opts: &Options,
    key: &str,
    (run_id, since): (i64, Option<i64>),
    analyze: &F,
) -> Analyzed
where
    F: Fn(Option<&str>, Option<&str>, Option<StarBucket>) -> TextAnalysis + Sync,
{
    let fail = |e: Error| Box::new((e, 0, None));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .thread_name(|i| format!("{WORKER}{i}"))
        .build()
        .map_err(|e| fail(Error::Threads(e)))?;
    let reader = store.reader().map_err(fail)?;
    let total = reader.review_count().map_err(fail)?;
    let pb = progress::bar(Some(total as u64), false, opts.quiet, "analyzing");
    let mut n = 0i64;
    // The previous chunk's results are written while the pool analyzes this one: reading and
    // writing on this thread otherwise left both cores idle for a fifth of the run.
    let mut pending: Option<(Vec<(Hash, TextAnalysis)>, Failures)> = None;
    let mut write = |store: &mut Store, (results, failed): (Vec<_>, Failures)| -> Result<()> {
        n += results.len() as i64;
        store.put_text_results(key, run_id, &results)?;
        store.put_text_failures(key, run_id, &failed)
    };
    let r = reader.rated_texts_to_analyze(key, opts.full, since, CHUNK, |chunk| {
        let (done, written) = std::thread::scope(|s| {
            let analyzing = s.spawn(|| analyze_chunk(&pool, &chunk, analyze));
            let written = pending.take().map_or(Ok(()), |p| write(store, p));
            (analyzing.join(), written)
        });
        written?;
        // analyze_chunk catches the analyzer's panics: one here is a bug of the pool itself.
        let done = done.unwrap_or_else(|p| std::panic::resume_unwind(p));
        pb.inc(chunk.len() as u64);
        pending = Some(done);
        Ok(())
    });
    let r = r.and_then(|()| pending.take().map_or(Ok(()), |p| write(store, p)));
    pb.finish_and_clear();
    r.map_err(|e| Box::new((e, n, None)))?;
    Ok((n, None, true))
}

/// Texts the analyzer failed on: (text hash, what the panic said and where).
type Failures = Vec<(Hash, String)>;

/// Names of the offline analyzer's worker threads: their panics are caught and recorded per text.
const WORKER: &str = "prodinsight-analyze-";

std::thread_local! {
    /// The last panic on this worker thread, with where it happened, for the text's record.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Analyzes one chunk on the pool. A text that makes the analyzer panic is set aside, with what
/// the panic said and where, instead of taking the whole run down: the run records it
/// (`text_failures`), counts it, and goes on.
fn analyze_chunk<F>(
    pool: &rayon::ThreadPool,
    chunk: &[TextRow],
    analyze: &F,
) -> (Vec<(Hash, TextAnalysis)>, Failures)
where
    F: Fn(Option<&str>, Option<&str>, Option<StarBucket>) -> TextAnalysis + Sync,
{
    quiet_worker_panics();
    let out: Vec<(Hash, std::result::Result<TextAnalysis, String>)> = pool.install(|| {
        chunk
            .par_iter()
            .map(|row| {
                let t = row.title.as_deref().map(analyzed_part);
                let b = row.body.as_deref().map(analyzed_part);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    analyze(t, b, StarBucket::of(row.rating))
                }));
                // On the thread that panicked, where the hook left its note.
                (
                    row.hash,
                    r.map_err(|payload| panic_message(payload.as_ref())),
                )
            })
            .collect()
    });
    let mut results = Vec::with_capacity(out.len());
    let mut failed = Vec::new();
    for (h, r) in out {
        match r {
            Ok(a) => results.push((h, a)),
            Err(e) => failed.push((h, e)),
        }
    }
    (results, failed)
}

/// The most characters of a title or body the offline analyzer reads: real reviews are far
/// shorter (Amazon's limit is about 20,000), and a 100 MB field cost minutes and 1.3 GB.
const MAX_ANALYZED_CHARS: usize = 100_000;

/// The first `MAX_ANALYZED_CHARS` characters of `s`, cut on a character boundary.
fn analyzed_part(s: &str) -> &str {
    match s.char_indices().nth(MAX_ANALYZED_CHARS) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

/// A panic on a worker thread is caught and reported with its text, so the default hook's message
/// (one per failed text, without saying which) is replaced by a note of it for the catcher.
/// Panics anywhere else are reported as before.
fn quiet_worker_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(WORKER))
            {
                let at = info
                    .location()
                    .map(|l| format!(" (at {}:{})", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(at));
            } else {
                previous(info)
            }
        }));
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".into());
    let at = LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_default();
    format!("{msg}{at}")
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

/// What a run would send and cost, sending nothing: the reviews' requests and, with
/// `summaries`, the product summaries' (see `llm::summary::estimate`).
fn dry_run_report(store: &Store, config: &llm::Config, full: bool, summaries: bool) -> Result<()> {
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
    let price = config.price.as_ref();
    println!("dry run: nothing was sent");
    println!("model              {}", config.model);
    println!("reviews to analyze {}", est.reviews);
    println!("requests           {}", est.requests);
    println!("prompt tokens      ~{}", est.prompt_tokens);
    println!("completion tokens  ~{}", est.completion_tokens);
    let mut cost = est.cost(price);
    if summaries {
        let changing = store.products_to_reanalyze(&key, full)?;
        let s = llm::summary::estimate(store, config, &changing)?;
        println!("summaries          {} (one request each)", s.requests);
        println!(
            "summary tokens     ~{} in, at most {} out",
            s.prompt_tokens, s.completion_tokens
        );
        if let (Some(c), Some(p)) = (cost, price) {
            let sc = s.cost(Some(p)).unwrap_or_default();
            println!("summaries cost     at most {sc:.4} USD");
            cost = Some(c + sc);
        }
    }
    match cost {
        Some(c) => println!("estimated cost     {c:.4} USD"),
        None => println!("estimated cost     unknown (no price for this model; --price IN,OUT)"),
    }
    if let (Some(max), Some(c)) = (config.max_cost, cost) {
        if c > max {
            println!("(a run would stop before passing --max-cost {max} USD)");
        }
    }
    Ok(())
}

/// A run whose per-text work is done, as `finish_run` takes it.
pub(crate) struct Run<'a> {
    pub opts: &'a Options,
    pub id: i64,
    /// The ingest run its results are current with; 0 when it left work for the next run.
    pub watermark: i64,
    /// The last ingest run when its texts were chosen: the roll-up counts the reviews as they
    /// stood then, so an ingest that commits during the run is left whole to the next one.
    pub seen: i64,
    pub counts: RunCounts,
    pub llm_usage: Option<LlmUsage>,
    pub started: Instant,
    /// The run an incremental roll-up starts from (None: every product is rolled up).
    pub base: Option<RollupBase>,
}

/// Step 2 of a run: rolls up per product and brand from a fresh snapshot that includes the run's
/// results, stores the insights, finishes the run, and reports it.
pub(crate) fn finish_run(store: &mut Store, run: Run) -> Result<()> {
    let Run {
        opts,
        id: run_id,
        watermark,
        seen,
        mut counts,
        llm_usage,
        started,
        base: from,
    } = run;
    let total = counts.reviews_total;
    if let Some(u) = &llm_usage {
        store.record_llm_usage(run_id, u)?;
    }
    let key = opts.analyzer.key(&opts.topics);
    let (changed, previous) = changed_since(store, from)?;
    let previous_brands = store.previous_brand_negative()?;
    // Alerts compare with the last complete run; the first run has nothing to compare with.
    let base = store.alert_base()?;
    let mut acc = alerts::AlertAcc::new(RULE, base.map_or(0, |b| b.1));
    let before = Previous {
        products: &previous,
        brands: &previous_brands,
    };
    let failures = if counts.texts_failed > 0 {
        store.name_failed_reviews(run_id)?
    } else {
        Vec::new()
    };
    let labels = opts.topics.labels();
    let rolled = roll_up(
        store,
        (run_id, seen),
        &key,
        before,
        &labels,
        &mut acc,
        changed.as_ref(),
    )?;
    let alerts = match base {
        Some(_) => acc.decide(),
        None => Vec::new(),
    };
    let stopped = summarize(store, opts, run_id, llm_usage)?;
    // Summaries left by --max-cost: the run is not current, so the next one writes them.
    let watermark = if stopped.is_some() { 0 } else { watermark };
    counts.products_updated = rolled.updated;
    counts.reviews_reused = (total - counts.reviews_analyzed - counts.texts_failed).max(0);
    store.put_alerts(run_id, base.map(|b| b.0), &alerts)?;
    let ms = started.elapsed().as_millis() as i64;
    store.finish_analysis(run_id, "ok", watermark, &counts, ms)?;
    if !opts.quiet {
        print_summary(&counts, run_id, &rolled, ms, &failures);
        eprintln!(
            "analyze: rolled up {} of {} products{}",
            rolled.rolled,
            rolled.products,
            match &changed {
                Some(c) => format!(" (changed since run {})", c.base.run_id),
                None => String::new(),
            }
        );
        print_alerts(&alerts);
        // The roll-up's counts per language: the same figures as a pass over every review.
        let langs = store.review_languages()?;
        print_not_analyzed(&crate::model::languages_not_read(&key, &langs));
        print_topic_languages(&opts.topics, &langs);
    }
    // The analyzer's --max-cost stop is exit 4; the summaries' is too, after the run is stored.
    stopped.map_or(Ok(()), |why| Err(Error::Llm(why)))
}

/// (negative reviews, reviews) by product or brand.
type NegativeCounts = HashMap<String, (i64, i64)>;

/// The products an incremental run rolls up (None: all), and the previous (negative reviews,
/// reviews) of those it rolls up. Only they read their previous counts (a kept product's change
/// is 0): a map of every product grew a night's memory with the stored products.
fn changed_since(
    store: &Store,
    from: Option<RollupBase>,
) -> Result<(Option<Changed>, NegativeCounts)> {
    let Some(base) = from else {
        return Ok((None, store.previous_negative()?));
    };
    let asins = store.changed_products(base.watermark)?;
    let previous = store.previous_negative_of(&asins)?;
    Ok((Some(Changed { base, asins }), previous))
}

/// With `--summaries`: the summaries of the products whose evidence changed, their requests,
/// tokens and cost added to the run's (`usage`: the reviews' own). Returns why `--max-cost`
/// stopped them, if it did.
fn summarize(
    store: &mut Store,
    opts: &Options,
    run_id: i64,
    usage: Option<LlmUsage>,
) -> Result<Option<String>> {
    let Analyzer::Llm {
        config,
        summaries: true,
        ..
    } = &opts.analyzer
    else {
        return Ok(None);
    };
    let mut u = usage.unwrap_or_default();
    let s = llm::summary::run(store, config, run_id, u.cost_usd, opts.quiet)?;
    u.requests += s.requests;
    u.prompt_tokens += s.usage.prompt;
    u.cached_tokens += s.usage.cached;
    u.completion_tokens += s.usage.completion;
    u.cost_usd += s.cost;
    store.record_llm_usage(run_id, &u)?;
    if !opts.quiet {
        eprintln!(
            "analyze: summaries: {} written, {} unchanged (same evidence, not sent), {} failed; {} requests, tokens: {} in, {} out",
            s.written, s.unchanged, s.failed, s.requests, s.usage.prompt, s.usage.completion
        );
    }
    Ok((s.left > 0).then(|| {
        format!(
            "summaries stopped before passing --max-cost {:.4} USD (the run spent about {:.4} USD): \
             {} product(s) not sent keep their previous summary; the next run writes them",
            config.max_cost.unwrap_or_default(),
            u.cost_usd,
            s.left
        )
    }))
}

/// (negative reviews, reviews) per product and per brand at the previous run.
#[derive(Clone, Copy)]
struct Previous<'a> {
    products: &'a HashMap<String, (i64, i64)>,
    brands: &'a HashMap<String, (i64, i64)>,
}

/// "134 reviews in languages not analyzed: ja 134": texts the analyzer names but cannot read (their
/// stars still count).
fn print_not_analyzed(langs: &std::collections::BTreeMap<String, i64>) {
    if let Some(line) = crate::model::not_analyzed_line(langs) {
        eprintln!("analyze: {line}");
    }
}

/// "topic pet_refuses has no phrases in fr (120 reviews)": per custom topic, the languages of the
/// analyzed reviews in which it has no phrases, so cannot be found by the offline analyzer.
fn print_topic_languages(topics: &Topics, langs: &std::collections::BTreeMap<String, i64>) {
    for (code, missing) in topics.missing_languages() {
        let present: Vec<String> = missing
            .iter()
            .filter_map(|l| {
                langs
                    .get(*l)
                    .filter(|n| **n > 0)
                    .map(|n| format!("{l} ({n} review{})", if *n == 1 { "" } else { "s" }))
            })
            .collect();
        if !present.is_empty() {
            eprintln!(
                "analyze: topic {code} has no phrases in {}: the offline analyzer cannot find it in those reviews",
                present.join(", ")
            );
        }
    }
}

/// What a roll-up wrote: products (all current ones), those rolled up from their reviews (the
/// others kept), products whose negative share changed (or that are new), brands.
struct RolledUp {
    products: usize,
    rolled: usize,
    updated: i64,
    brands: usize,
}

/// Product rows written per batch: memory stays flat however many products there are.
const PRODUCT_BATCH: usize = 1000;

/// The products an incremental roll-up reads again: those changed since the base run, in order.
struct Changed {
    base: RollupBase,
    asins: Vec<String>,
}

/// Whether this run may roll up only the products changed since a base run (None: all of them).
/// Only the offline analyzer's results are fixed by text and key; an LLM run, `--full`, other
/// definitions than the base run's, or a base run that left anything undone, roll everything up.
fn rollup_base(store: &Store, opts: &Options, run_id: i64) -> Result<Option<RollupBase>> {
    if opts.full || !matches!(opts.analyzer, Analyzer::Offline) {
        return Ok(None);
    }
    let key = opts.analyzer.key(&opts.topics);
    let version = opts.analyzer.version();
    let topics = (!opts.topics.is_empty()).then(|| opts.topics.to_json());
    store.rollup_base(&RunDefinition {
        run_id,
        analyzer: &key,
        version: &version,
        taxonomy: taxonomy::TAXONOMY_VERSION,
        topics: topics.as_deref(),
    })
}

/// Product and brand rows from every review's latest result of the analyzer `key` (with
/// `changed`, only the changed products' reviews: the others keep their rows), with each
/// product's and brand's change in negative share since `previous`, stored as run `run_id`'s
/// insights. Products are written in batches as they finish; brands are summed from every
/// product's stored state.
fn roll_up(
    store: &mut Store,
    (run_id, seen): (i64, i64),
    key: &str,
    previous: Previous,
    labels: &Labels,
    alerts: &mut alerts::AlertAcc,
    changed: Option<&Changed>,
) -> Result<RolledUp> {
    let reader = store.reader()?;
    let run_days = days::RunDays::new(
        reader.run_days()?,
        crate::store::now_utc()[..10].to_string(),
    );
    let only = changed.map(|c| c.asins.as_slice());
    let (writer, day_indexes) = match only {
        None => {
            let w = store.insights_writer(run_id)?;
            let ix = w.clear_days()?;
            (w, Some(ix))
        }
        Some(asins) => {
            let w = store.insights_writer_keeping(run_id)?;
            w.keep_unchanged(asins)?;
            (w, None)
        }
    };
    // SQLite's lookups (each review's product and text result, in ASIN order) run on a thread of
    // their own, while this one accumulates and writes: on one thread they took turns.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ReviewRow>>(READ_AHEAD);
    let (rolled, read) = std::thread::scope(|s| {
        let reading = s.spawn(move || read_reviews(&reader, (key, seen), only, tx));
        let days = (&run_days, only.is_some());
        let rolled = accumulate(rx, &writer, previous, labels, days, alerts);
        // The receiver is gone by now, so a reader still sending stops at its next batch.
        let read = reading
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (rolled, read)
    });
    let mut out = rolled?;
    read?;
    match day_indexes {
        Some(ix) => writer.put_brand_days(ix)?,
        None => writer.days_in()?,
    }
    let brands = sum_brands(&writer, only, alerts, &mut out)?;
    let brand_rows: Vec<BrandRow> = brands
        .into_iter()
        .map(|(b, a)| {
            let prev = previous.brands.get(&b).copied();
            a.finish(b, prev, labels)
        })
        .collect();
    out.brands = brand_rows.len();
    writer.finish(&brand_rows)?;
    Ok(out)
}

/// Brands summed from every product's state, in ASIN order as a full roll-up adds them; the
/// products not rolled up (not in `rolled`) are counted in the alerts from their states.
fn sum_brands(
    writer: &InsightsWriter,
    rolled: Option<&[String]>,
    alerts: &mut alerts::AlertAcc,
    out: &mut RolledUp,
) -> Result<HashMap<String, BrandAcc>> {
    let mut brands: HashMap<String, BrandAcc> = HashMap::new();
    let mut products = 0;
    writer.for_each_state(|asin, state| {
        products += 1;
        let kept = rolled.is_some_and(|a| a.binary_search_by(|x| x.as_str().cmp(asin)).is_err());
        if kept {
            for p in &state.alerts {
                alerts.add_unchanged(p);
            }
        }
        let brand = state.brand.clone();
        brands
            .entry(brand.unwrap_or_else(|| "(no brand)".into()))
            .or_default()
            .add(&state);
        Ok(())
    })?;
    out.products = products;
    Ok(brands)
}

/// Batches of reviews the reading thread may be ahead by (bounded memory).
const READ_AHEAD: usize = 8;
/// Reviews per batch sent from the reading thread.
const READ_BATCH: usize = 1024;

/// Sends every review with its result, in ASIN order, in batches; stops when the receiver is gone.
fn read_reviews(
    reader: &Reader,
    (key, seen): (&str, i64),
    only: Option<&[String]>,
    tx: std::sync::mpsc::SyncSender<Vec<ReviewRow>>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(READ_BATCH);
    let r = reader.reviews_by_product((key, seen), only, |r| {
        batch.push(r);
        if batch.len() == READ_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
            // The roll-up stopped (its error is the one returned): so does the reading.
            tx.send(full).map_err(|_| Error::Reported(String::new()))?;
        }
        Ok(())
    });
    match r {
        Ok(()) if !batch.is_empty() => {
            let _ = tx.send(batch);
            Ok(())
        }
        r => r,
    }
}

/// Rolls up the reviews as they arrive: each product finished and written in batches when its
/// last review has come (reviews arrive by ASIN).
fn accumulate(
    rx: std::sync::mpsc::Receiver<Vec<ReviewRow>>,
    writer: &InsightsWriter,
    previous: Previous,
    labels: &Labels,
    (run_days, changed): (&days::RunDays, bool),
    alerts: &mut alerts::AlertAcc,
) -> Result<RolledUp> {
    let mut day_acc = days::DayAcc::default();
    let mut batch: Vec<ProductRow> = Vec::with_capacity(PRODUCT_BATCH);
    let mut out = RolledUp {
        products: 0,
        rolled: 0,
        updated: 0,
        brands: 0,
    };
    let mut finish = |acc: ProductAcc, batch: &mut Vec<ProductRow>| -> Result<()> {
        let prev = previous.products.get(acc.asin()).copied();
        let row = acc.finish(prev, labels);
        out.rolled += 1;
        if row.neg_delta != Some(0.0) || prev.is_none() {
            out.updated += 1;
        }
        batch.push(row);
        if batch.len() == PRODUCT_BATCH {
            writer.put_products(batch)?;
            batch.clear();
        }
        Ok(())
    };
    let mut acc: Option<ProductAcc> = None;
    for r in rx.into_iter().flatten() {
        if acc.as_ref().is_some_and(|a| a.asin() != r.asin) {
            if let Some(a) = acc.take() {
                put_days(
                    writer,
                    &day_acc.take(a.asin(), a.brand(), &a.product_names()),
                    changed,
                )?;
                finish(a, &mut batch)?;
            }
        }
        alerts.add(&r);
        day_acc.add(&r, run_days);
        acc.get_or_insert_with(|| ProductAcc::new(&r.asin, r.brand.clone()))
            .add(&r);
    }
    if let Some(a) = acc.take() {
        put_days(
            writer,
            &day_acc.take(a.asin(), a.brand(), &a.product_names()),
            changed,
        )?;
        finish(a, &mut batch)?;
    }
    writer.put_products(&batch)?;
    Ok(out)
}

/// A product's days; of a product rolled up again (`changed`), only those that differ.
fn put_days(writer: &InsightsWriter, days: &ProductDays, changed: bool) -> Result<()> {
    match changed {
        true => writer.put_days_changed(days),
        false => writer.put_days(days),
    }
}

/// The run's summary on stderr: counts, the texts the analyzer failed on, and the products whose
/// negative share rose most.
fn print_summary(
    counts: &RunCounts,
    run_id: i64,
    rolled: &RolledUp,
    ms: i64,
    failures: &[(String, String)],
) {
    eprintln!(
        "analyze: {} reviews, {} texts analyzed ({} reused){}, {} products, {} brands in {:.2} s",
        counts.reviews_total,
        counts.reviews_analyzed,
        counts.reviews_reused,
        match counts.texts_failed {
            0 => String::new(),
            n => format!(", {n} failed"),
        },
        rolled.products,
        rolled.brands,
        ms as f64 / 1000.0
    );
    if counts.texts_failed > 0 {
        eprintln!(
            "analyze: the analyzer failed on {} text(s), recorded in text_failures (run {run_id}); a later run tries them again:",
            counts.texts_failed
        );
        for (review, error) in failures {
            eprintln!("  review {review}: {error}");
        }
    }
}

/// The run's alerts on stderr: one "negative share rose" line per negative-share alert (exactly
/// those: the rule decides, not the size of the rise), and how many issue alerts there are.
fn print_alerts(alerts: &[NewAlert]) {
    let mut issues = 0;
    for a in alerts {
        if a.kind != "negative_rose" {
            issues += 1;
            continue;
        }
        let subject = match a.level {
            "product" => format!(
                "{} ({})",
                a.asin.as_deref().unwrap_or(""),
                a.brand.as_deref().unwrap_or("-")
            ),
            _ => format!("brand {}", a.brand.as_deref().unwrap_or("-")),
        };
        eprintln!(
            "  negative share rose: {} {}% → {}% ({:+.1} points; {}/{} → {}/{} reviews, p {})",
            crate::textsafe::escape_control(&subject),
            pct1(a.before),
            pct1(a.after),
            change1(a.before, a.after),
            a.before.k,
            a.before.n,
            a.after.k,
            a.after.n,
            match a.p_value {
                p if p < 1e-300 => "< 1e-300".to_string(),
                p => format!("= {p:.1e}"),
            }
        );
    }
    if issues > 0 {
        eprintln!("  {issues} issue alert(s): `prodinsight report changes` lists them");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sentiment;

    #[test]
    fn the_offline_key_names_the_languages_it_reads() {
        // The overview counts languages not analyzed by the stored key's prefix.
        let read = crate::model::languages_read(&analyzer_key());
        assert_eq!(read, Some(&crate::model::OFFLINE_LANGUAGES[..]));
    }

    fn store_with(dir: &std::path::Path, jsonl: &str) -> Store {
        let mut s = Store::open(&dir.join("t.db")).unwrap();
        if jsonl.is_empty() {
            return s;
        }
        let file = dir.join("r.jsonl");
        std::fs::write(&file, jsonl).unwrap();
        let opts = crate::ingest::Options {
            format: None,
            strict: false,
            force: false,
            quiet: true,
            snapshot: false,
        };
        crate::ingest::run(&mut s, &[file], opts).unwrap();
        s
    }

    fn opts() -> Options {
        Options {
            full: false,
            threads: Some(2),
            quiet: true,
            analyzer: Analyzer::Offline,
            topics: Topics::default(),
        }
    }

    /// An ingest that commits while a run analyzes its texts is left whole to the next run: the
    /// roll-up counted its reviews without their results (a product with 120 reviews and its
    /// issue on 60), and the next run's alerts compared with those figures.
    #[test]
    fn an_ingest_during_a_run_is_rolled_up_by_the_next_run_not_half_by_this_one() {
        let dir = tempfile::tempdir().unwrap();
        let line = |id: &str| {
            format!("{{\"REVIEW_ID\":\"{id}\",\"asin\":\"B1\",\"rating\":1,\"text\":\"It broke after a day.\"}}\n")
        };
        let mut store = store_with(dir.path(), &(line("R1") + &line("R2")));
        let o = opts();
        let key = o.analyzer.key(&o.topics);
        let watermark = store.last_ingest_run().unwrap();
        let run_id = begin(&mut store, &o, &key).unwrap();
        let texts = analyze_texts(
            &mut store,
            &o,
            &key,
            run_id,
            watermark,
            Instant::now(),
            None,
        );
        let later = dir.path().join("later.jsonl");
        std::fs::write(&later, line("R3") + &line("R4") + &line("R5")).unwrap();
        let ingest = crate::ingest::Options {
            format: None,
            strict: false,
            force: false,
            quiet: true,
            snapshot: false,
        };
        crate::ingest::run(&mut store, &[later], ingest).unwrap();
        finish_run(&mut store, texts.unwrap()).unwrap();
        let counted =
            |s: &Store, sql: &str| -> i64 { s.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let reviews = "SELECT review_count FROM product_insights WHERE asin = 'B1'";
        let broke = "SELECT count FROM product_issues WHERE asin = 'B1' AND code = 'durability'";
        assert_eq!(counted(&store, reviews), 2);
        assert_eq!(counted(&store, broke), 2);
        run(&mut store, &o).unwrap();
        assert_eq!(counted(&store, reviews), 5);
        assert_eq!(counted(&store, broke), 5);
    }

    /// Issue 21, item 18: a text that makes the analyzer panic is recorded and counted, and every
    /// other text of the run is analyzed and kept.
    #[test]
    fn a_text_that_panics_is_recorded_and_the_run_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with(
            dir.path(),
            "{\"REVIEW_ID\":\"R1\",\"asin\":\"B1\",\"rating\":5,\"text\":\"fine\"}\n\
             {\"REVIEW_ID\":\"R2\",\"asin\":\"B1\",\"rating\":1,\"text\":\"boom\"}\n\
             {\"REVIEW_ID\":\"R3\",\"asin\":\"B2\",\"rating\":3,\"text\":\"also fine\"}\n",
        );
        let key = analyzer_key();
        let run_id = store.begin_analysis(&key, "test", 1).unwrap();
        let fragile = |_: Option<&str>, body: Option<&str>, _: Option<StarBucket>| {
            if body == Some("boom") {
                panic!("byte index 3 is not a char boundary");
            }
            TextAnalysis {
                language: Some("en".into()),
                sentiment: Sentiment::Positive,
                score: 0.5,
                issues: Vec::new(),
                aspects: Vec::new(),
                liked: Vec::new(),
                names: Vec::new(),
            }
        };
        let (n, _, _) =
            analyze_offline_with(&mut store, &opts(), &key, (run_id, None), &fragile).unwrap();
        assert_eq!(n, 2);
        assert_eq!(store.text_failures(run_id).unwrap(), 1);
        let named = store.name_failed_reviews(run_id).unwrap();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].0, "R2");
        assert!(
            named[0].1.contains("not a char boundary") && named[0].1.contains("analyze/mod.rs"),
            "{named:?}"
        );
        let kept: i64 = store
            .conn
            .query_row("SELECT count(*) FROM text_results", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 2);
    }

    /// A run left 'running' by a dead process is marked interrupted by the next, with the results
    /// it committed counted; the run that marks it is not touched.
    #[test]
    fn runs_left_running_are_marked_interrupted() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with(
            dir.path(),
            "{\"REVIEW_ID\":\"R1\",\"asin\":\"B1\",\"rating\":5,\"text\":\"Great, works perfectly\"}\n",
        );
        let key = analyzer_key();
        let dead = store.begin_analysis(&key, "test", 1).unwrap();
        analyze_offline(&mut store, &opts(), &key, dead, None).unwrap();
        run(&mut store, &opts()).unwrap();
        let rows: Vec<(i64, String, Option<String>, i64)> = store
            .conn
            .prepare(
                "SELECT id, status, finished_at, reviews_analyzed FROM analysis_runs ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows[0], (dead, "interrupted".into(), None, 1));
        assert_eq!(rows[1].1, "ok");
        assert!(store.mark_interrupted_runs().unwrap().is_empty());
    }

    #[test]
    fn a_second_lock_waits_for_the_first_and_names_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), "");
        let first = lock(&store, &opts(), IfBusy::Fail).unwrap();
        let err = lock(&store, &opts(), IfBusy::Fail).err().unwrap();
        assert_eq!(err.exit_code(), crate::error::EXIT_BUSY);
        assert!(
            err.to_string()
                .contains(&format!("(pid {})", std::process::id())),
            "{err}"
        );
        let waiter = std::thread::spawn(move || lock(&store, &opts(), IfBusy::Wait).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!waiter.is_finished(), "waited");
        drop(first);
        assert!(waiter.join().unwrap());
    }
}
