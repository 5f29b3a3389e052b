//! `GET /metrics`: the server's and the database's numbers in the Prometheus text format (the
//! `prometheus` crate encodes them). Request counts and latencies are kept as requests are
//! answered; the data's numbers are read from the database at most every few seconds.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::store::Store;

/// How long the database's numbers are reused: counting ten million reviews takes a while, and a
/// scraper every second must not turn into a full scan every second.
const DATA_TTL: Duration = Duration::from_secs(5);

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    open_connections: IntGauge,
    data: DataGauges,
    read_at: Mutex<Option<Instant>>,
    connections: Box<dyn Fn() -> usize + Send + Sync>,
}

struct DataGauges {
    db_bytes: IntGauge,
    reviews: IntGauge,
    products: IntGauge,
    brands: IntGauge,
    last_ingest: Gauge,
    last_analysis: Gauge,
    run_reviews: IntGauge,
    run_fallback: IntGauge,
    run_requests: IntGauge,
    run_prompt_tokens: IntGauge,
    run_completion_tokens: IntGauge,
    run_cost: Gauge,
    run_seconds: Gauge,
}

fn int_gauge(r: &Registry, name: &str, help: &str) -> prometheus::Result<IntGauge> {
    let g = IntGauge::new(name, help)?;
    r.register(Box::new(g.clone()))?;
    Ok(g)
}

fn gauge(r: &Registry, name: &str, help: &str) -> prometheus::Result<Gauge> {
    let g = Gauge::new(name, help)?;
    r.register(Box::new(g.clone()))?;
    Ok(g)
}

impl DataGauges {
    fn new(r: &Registry) -> prometheus::Result<DataGauges> {
        let p = "prodinsight_";
        Ok(DataGauges {
            db_bytes: int_gauge(
                r,
                &format!("{p}database_bytes"),
                "Size of the database file",
            )?,
            reviews: int_gauge(
                r,
                &format!("{p}reviews"),
                "Current reviews (retired ones left out)",
            )?,
            products: int_gauge(r, &format!("{p}products"), "Products in the database")?,
            brands: int_gauge(r, &format!("{p}brands"), "Brands in the database")?,
            last_ingest: gauge(
                r,
                &format!("{p}last_ingest_timestamp_seconds"),
                "When the last successful ingest finished (Unix time)",
            )?,
            last_analysis: gauge(
                r,
                &format!("{p}last_analysis_timestamp_seconds"),
                "When the last successful analysis run finished (Unix time)",
            )?,
            run_reviews: int_gauge(
                r,
                &format!("{p}last_run_reviews_analyzed"),
                "Texts the last analysis run analyzed",
            )?,
            run_fallback: int_gauge(
                r,
                &format!("{p}last_run_reviews_fallback"),
                "Texts of the last run the LLM failed on (offline analyzer used)",
            )?,
            run_requests: int_gauge(
                r,
                &format!("{p}last_run_llm_requests"),
                "LLM requests of the last analysis run",
            )?,
            run_prompt_tokens: int_gauge(
                r,
                &format!("{p}last_run_llm_prompt_tokens"),
                "LLM prompt tokens of the last analysis run",
            )?,
            run_completion_tokens: int_gauge(
                r,
                &format!("{p}last_run_llm_completion_tokens"),
                "LLM completion tokens of the last analysis run",
            )?,
            run_cost: gauge(
                r,
                &format!("{p}last_run_llm_cost_usd"),
                "Estimated LLM cost of the last analysis run (USD)",
            )?,
            run_seconds: gauge(
                r,
                &format!("{p}last_run_duration_seconds"),
                "How long the last analysis run took",
            )?,
        })
    }

    fn set(&self, f: &crate::store::maintenance::DataFacts) {
        let unix = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map_or(0.0, |d| d.timestamp_millis() as f64 / 1000.0)
        };
        self.db_bytes.set(f.size_bytes as i64);
        self.reviews.set(f.reviews);
        self.products.set(f.products);
        self.brands.set(f.brands);
        self.last_ingest.set(unix(&f.last_ingest));
        self.last_analysis.set(unix(&f.last_analysis));
        let run = f.last_run.as_ref();
        self.run_reviews.set(run.map_or(0, |r| r.reviews_analyzed));
        self.run_fallback.set(run.map_or(0, |r| r.reviews_fallback));
        self.run_requests.set(run.map_or(0, |r| r.requests));
        self.run_prompt_tokens
            .set(run.map_or(0, |r| r.prompt_tokens));
        self.run_completion_tokens
            .set(run.map_or(0, |r| r.completion_tokens));
        self.run_cost.set(run.map_or(0.0, |r| r.cost_usd));
        self.run_seconds
            .set(run.map_or(0.0, |r| r.duration_ms as f64 / 1000.0));
    }
}

impl Metrics {
    /// `connections` says how many client connections are open.
    pub fn new(connections: Box<dyn Fn() -> usize + Send + Sync>) -> prometheus::Result<Metrics> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("prodinsight_http_requests_total", "HTTP requests answered"),
            &["route", "status"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        let buckets = vec![
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
        ];
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "prodinsight_http_request_duration_seconds",
                "Time to answer a request, by route",
            )
            .buckets(buckets),
            &["route"],
        )?;
        registry.register(Box::new(latency.clone()))?;
        let open_connections = int_gauge(
            &registry,
            "prodinsight_http_open_connections",
            "Client connections open",
        )?;
        let data = DataGauges::new(&registry)?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            open_connections,
            data,
            read_at: Mutex::new(None),
            connections,
        })
    }

    pub fn observe(&self, route: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
    }

    /// The exposition text; the database's numbers are refreshed if they are older than a few
    /// seconds. A failed read keeps the previous numbers (the scrape still answers).
    pub fn render(&self, store: &Store) -> String {
        self.open_connections.set((self.connections)() as i64);
        {
            let mut read_at = self.read_at.lock().unwrap_or_else(PoisonError::into_inner);
            if read_at.is_none_or(|t| t.elapsed() > DATA_TTL) {
                if let Ok(facts) = store.data_facts() {
                    self.data.set(&facts);
                }
                *read_at = Some(Instant::now());
            }
        }
        let mut out = Vec::new();
        // Encoding our own well-formed metrics into memory cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
