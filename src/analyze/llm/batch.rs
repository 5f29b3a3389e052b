//! `analyze --analyzer llm --batch`: the OpenAI Batch API (half the price, results within 24 h).
//!
//! Each run first collects the batches it submitted earlier that have completed (results matched
//! by `custom_id`, validated like any reply; what fails is analyzed offline and marked), then
//! submits what is still unanalyzed and not already waiting in a batch (JSONL uploaded to `/files`,
//! then `POST /batches`), and records it. When it collected anything it recomputes the insights.
//! A nightly cron job thus submits one night and collects the next.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::{json, Value};

use super::client::CallError;
use super::prompt;
use super::reply::{self, Usage};
use super::{plan, request_for, Config, Engine};
use crate::analyze::{finish_run, Options, Run};
use crate::error::{Error, Result};
use crate::model::{Hash, TextAnalysis};
use crate::store::insights::{LlmUsage, PendingBatch, RunCounts};
use crate::store::Store;
use crate::taxonomy;
use crate::topics::Topics;

/// The Batch API's discount on both input and output tokens.
const BATCH_DISCOUNT: f64 = 0.5;
/// Requests per batch file (the API allows 50,000).
const MAX_REQUESTS_PER_BATCH: usize = 50_000;

fn fatal(e: CallError) -> Error {
    Error::Llm(e.message().to_string())
}

pub fn run(store: &mut Store, config: &Config, opts: &Options, key: &str) -> Result<()> {
    let started = Instant::now();
    let engine = Engine::new(config.clone())?;

    // 1. Collect what completed.
    let collected = collect(store, &engine, key, opts.quiet)?;
    let mut run = None;
    if collected.batches > 0 {
        let topics = (!config.topics.is_empty()).then(|| config.topics.to_json());
        let run_id = store.begin_analysis_with(
            key,
            &format!("{}/{}", config.model, prompt::PROMPT_VERSION),
            taxonomy::TAXONOMY_VERSION,
            topics.as_deref(),
        )?;
        store.put_text_results(key, run_id, &collected.results)?;
        run = Some(run_id);
    }

    // 2. What still has no result and is not waiting in a batch. Right after a collection these
    //    are the reviews the batch failed on: they are analyzed offline (and marked) rather than
    //    paid for again. Otherwise they are submitted.
    let (mut to_submit, to_fallback) = unanalyzed(store, key, &collected)?;
    let mut fallback = 0u64;
    if let Some(run_id) = run {
        fallback = analyze_offline(store, &engine, key, run_id, &to_fallback)?;
    } else {
        to_submit.extend(to_fallback);
    }

    let mut submitted = 0usize;
    for part in to_submit.chunks(MAX_REQUESTS_PER_BATCH * config.batch_size.max(1)) {
        submitted += submit(store, &engine, key, part, opts.quiet)?;
    }

    if !opts.quiet {
        eprintln!(
            "analyze: batch mode: {} reviews collected from {} batch(es), {fallback} analyzed offline after the LLM failed, {submitted} submitted, {} still waiting",
            collected.results.len(),
            collected.batches,
            collected.still_pending.len()
        );
    }
    let Some(run_id) = run else {
        return Ok(()); // nothing collected: the insights are as they were
    };
    let counts = RunCounts {
        reviews_total: store.reader()?.review_count()?,
        reviews_analyzed: collected.results.len() as i64 + fallback as i64,
        ..Default::default()
    };
    // Complete only when nothing is waiting and no result is a stand-in for the LLM's: otherwise
    // the next run must not think it is current.
    let seen = store.last_ingest_run()?;
    let watermark = if collected.still_pending.is_empty()
        && submitted == 0
        && store.fallback_results(key)? == 0
    {
        seen
    } else {
        0
    };
    let run = Run {
        opts,
        id: run_id,
        watermark,
        seen,
        counts,
        llm_usage: Some(collected.llm_usage(config, fallback)),
        started,
        base: None,
    };
    finish_run(store, run)
}

/// What a run collected from the batches that completed.
#[derive(Default)]
struct Collected {
    results: Vec<(Hash, TextAnalysis)>,
    usage: Usage,
    /// Requests answered in the collected batches' files.
    requests: u64,
    /// Batches collected.
    batches: usize,
    /// The texts of the batches still running.
    still_pending: HashSet<Hash>,
    /// The texts of the batches collected by this run: what has no result among them failed.
    in_collected: HashSet<Hash>,
}

impl Collected {
    /// Reads a completed batch's output and error files: results matched by `custom_id`,
    /// validated like any reply.
    fn read(&mut self, lines: &str, b: &PendingBatch, topics: &Topics) {
        for line in lines.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let Some(hashes) = v["custom_id"].as_str().and_then(|c| b.items.get(c)) else {
                continue; // not ours: ignored, never trusted
            };
            self.requests += 1;
            let body = &v["response"]["body"];
            if v["response"]["status_code"].as_u64() != Some(200) {
                continue;
            }
            self.usage.add(reply::usage(body));
            let ids: Vec<String> = (1..=hashes.len()).map(|k| k.to_string()).collect();
            if let Ok(mut found) = reply::parse_with(body, &ids, topics) {
                for (k, h) in hashes.iter().enumerate() {
                    if let Some(a) = found.remove(&(k + 1).to_string()) {
                        self.results.push((*h, a));
                    }
                }
            }
        }
    }

    /// The run's LLM usage, at the Batch API's discount.
    fn llm_usage(&self, config: &Config, fallback: u64) -> LlmUsage {
        let price = config
            .price
            .map(|p| p.cost(self.usage) * BATCH_DISCOUNT)
            .unwrap_or(0.0);
        LlmUsage {
            requests: self.requests,
            fallback,
            prompt_tokens: self.usage.prompt,
            cached_tokens: self.usage.cached,
            completion_tokens: self.usage.completion,
            cost_usd: price,
        }
    }
}

/// Asks the provider about each pending batch of `key`, collects the completed ones and records
/// every batch's status.
fn collect(store: &mut Store, engine: &Engine, key: &str, quiet: bool) -> Result<Collected> {
    let client = engine.client();
    let rt = engine.runtime();
    let mut c = Collected::default();
    for b in store.pending_batches(key)? {
        let info = rt
            .block_on(client.get_json(&format!("batches/{}", b.batch_id)))
            .map_err(fatal)?;
        // The provider's word, stored and printed: no secret in it.
        let status = client.redact(info["status"].as_str().unwrap_or("unknown"));
        match status.as_str() {
            "completed" => {
                let mut lines = String::new();
                for field in ["output_file_id", "error_file_id"] {
                    if let Some(f) = info[field].as_str() {
                        let text = rt
                            .block_on(client.get_text(&format!("files/{f}/content")))
                            .map_err(fatal)?;
                        lines.push_str(&text);
                        lines.push('\n');
                    }
                }
                c.read(&lines, &b, &engine.config().topics);
                store.set_batch_status(&b.batch_id, "collected")?;
                c.in_collected.extend(b.items.values().flatten().copied());
                c.batches += 1;
            }
            "failed" | "expired" | "cancelled" => {
                // Its texts have no results: the submission below sends them again.
                store.set_batch_status(&b.batch_id, &status)?;
                if !quiet {
                    eprintln!(
                        "analyze: batch {} {status}; its reviews are submitted again",
                        b.batch_id
                    );
                }
            }
            _ => {
                store.set_batch_status(&b.batch_id, &status)?;
                c.still_pending.extend(b.items.values().flatten().copied());
            }
        }
    }
    Ok(c)
}

/// The texts of `key` with no result and not waiting in a batch: those to submit, and those a
/// batch collected now failed on.
fn unanalyzed(
    store: &Store,
    key: &str,
    collected: &Collected,
) -> Result<(Vec<super::Text>, Vec<super::Text>)> {
    let mut to_submit = Vec::new();
    let mut to_fallback = Vec::new();
    store
        .reader()?
        .texts_to_analyze(key, false, 10_000, |chunk| {
            for t in chunk {
                if collected.still_pending.contains(&t.0) {
                    continue;
                }
                if collected.in_collected.contains(&t.0) {
                    to_fallback.push(t);
                } else {
                    to_submit.push(t);
                }
            }
            Ok(())
        })?;
    Ok((to_submit, to_fallback))
}

/// Analyzes offline, and stores marked as stand-ins, the texts the collected batches failed on;
/// returns how many.
fn analyze_offline(
    store: &mut Store,
    engine: &Engine,
    key: &str,
    run_id: i64,
    texts: &[super::Text],
) -> Result<u64> {
    let results: Vec<(Hash, TextAnalysis, bool)> = texts
        .iter()
        .map(|(h, t, b)| {
            (
                *h,
                engine.offline().analyze(t.as_deref(), b.as_deref()),
                true,
            )
        })
        .collect();
    store.put_text_results_from(key, run_id, results.iter().map(|(h, a, f)| (h, a, *f)))?;
    Ok(results.len() as u64)
}

/// Uploads one batch file and creates the batch; returns the number of reviews submitted.
fn submit(
    store: &mut Store,
    engine: &Engine,
    key: &str,
    texts: &[super::Text],
    quiet: bool,
) -> Result<usize> {
    if texts.is_empty() {
        return Ok(0);
    }
    let cfg = engine.config();
    let prompts: Vec<String> = texts
        .iter()
        .map(|(_, t, b)| prompt::review_text(t.as_deref(), b.as_deref()))
        .collect();
    let mut jsonl = String::new();
    let mut items: HashMap<String, Vec<Hash>> = HashMap::new();
    for (n, g) in plan(&prompts, cfg).into_iter().enumerate() {
        let custom_id = format!("r{n}");
        let (body, _) = request_for(cfg, &prompts, &g);
        jsonl.push_str(
            &json!({"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body})
                .to_string(),
        );
        jsonl.push('\n');
        items.insert(custom_id, g.iter().map(|&i| texts[i].0).collect());
    }
    let client = engine.client();
    let rt = engine.runtime();
    let file = rt
        .block_on(client.upload_batch_file("prodinsight-batch.jsonl", jsonl.into_bytes()))
        .map_err(fatal)?;
    let file_id = file["id"]
        .as_str()
        .ok_or_else(|| Error::Llm("the file upload returned no id".into()))?
        .to_string();
    let batch = rt
        .block_on(client.post_json(
            "batches",
            &json!({"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}),
        ))
        .map_err(fatal)?;
    let batch_id = batch["id"]
        .as_str()
        .ok_or_else(|| Error::Llm("the batch creation returned no id".into()))?;
    let status = client.redact(batch["status"].as_str().unwrap_or("validating"));
    store.record_batch(batch_id, key, &file_id, &status, &items)?;
    if !quiet {
        eprintln!(
            "analyze: submitted batch {batch_id}: {} requests, {} reviews; run again later to collect the results",
            items.len(),
            texts.len()
        );
    }
    Ok(texts.len())
}
