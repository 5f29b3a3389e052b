//! Command-line types (clap derive). Parsing only: the commands live in their own modules.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "prodinsight",
    version,
    about = "Watch how a portfolio of Amazon products is doing in the eyes of its customers.",
    long_about = "Watch how a portfolio of Amazon products is doing in the eyes of its customers.\n\n\
prodinsight loads review exports into a SQLite database (ingest), finds each review's sentiment and the \
product issues customers complain about (analyze: offline by default, or with an LLM), shows per-product \
insights and what got worse (report), and answers them over HTTP (serve).",
    after_help = "Examples:\n  \
prodinsight analyze sample-data/            ingest the exports, then analyze them (offline)\n  \
prodinsight report                          what needs attention, as a table\n  \
prodinsight report product B0BTTL9LTC       everything about one product\n  \
prodinsight report changes --fail-on-alert  for cron: exit 3 when a product got worse\n  \
prodinsight serve                           a JSON API on http://127.0.0.1:8080\n  \
prodinsight --db /var/lib/pi.db ingest exports/*.json.gz\n\n\
Exit codes: 0 success, 1 failure, 2 usage error, 3 alert raised (report changes --fail-on-alert),\n\
4 the LLM provider refused the work or --max-cost stopped it (analyze --analyzer llm)."
)]
pub struct Cli {
    /// SQLite database file (created if missing)
    #[arg(
        long,
        global = true,
        env = "PRODINSIGHT_DB",
        default_value = "prodinsight.db"
    )]
    pub db: PathBuf,

    /// Print only errors: no progress bars, no summaries
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(IngestArgs),
    Analyze(AnalyzeArgs),
    Report(ReportArgs),
    Serve(ServeArgs),
}

/// Load review exports (JSON arrays, JSON Lines, CSV, optionally .gz) into the database.
#[derive(Debug, Args)]
#[command(
    long_about = "Load review exports into the database, idempotently, keeping history.\n\n\
Each PATH is a file, a directory (its .json, .jsonl, .ndjson and .csv files, optionally .gz), or '-' for \
standard input. Re-ingesting an export changes nothing; a later export that repeats old reviews adds only \
the new ones; a review whose REVIEW_ID is known but whose content changed is updated and its previous \
version kept. Records that cannot be accepted (no ASIN, a rating that is not 1-5, …) are stored with the \
reason and counted; the rest of the file goes on. Each file is one transaction: a failure or a crash \
leaves the database as it was before that file. A file with the same bytes as one ingested before is \
recorded as a repeat of that run without being read again (--force reads it).",
    after_help = "Examples:\n  \
prodinsight ingest sample-data/\n  \
prodinsight ingest export-2026-11.json.gz --strict\n  \
zcat export.jsonl.gz | prodinsight ingest - --format jsonl"
)]
pub struct IngestArgs {
    /// Files, directories, or '-' for standard input
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read every input as this format instead of guessing from the name and content
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,

    /// Any rejected record fails its whole file, and nothing from that file is kept
    #[arg(long)]
    pub strict: bool,

    /// Read files again even when the same bytes were ingested before (normally such a file is
    /// recorded as a repeat of that run, since it holds nothing new)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// A JSON array of records (bare NaN/Infinity read as null)
    Json,
    /// One JSON record per line
    Jsonl,
    /// Comma-separated with a header row
    Csv,
}

/// Find sentiment and product issues in reviews, and compute per-product insights.
#[derive(Debug, Args)]
#[command(
    long_about = "Find each review's language, sentiment and the product issues it reports, then compute \
per-product and per-brand insights, monthly trends, and a snapshot of every product as of this run.\n\n\
With PATHs, ingest them first (see `prodinsight ingest --help`). Incremental: text already analyzed by \
the same analyzer version is not analyzed again; --full redoes everything. The default analyzer runs \
offline: no key, no network.\n\n\
--analyzer llm sends reviews (several per request, as JSON data after fixed instructions) to an \
OpenAI-compatible API and validates every reply. Results are cached by review text, model and prompt \
version: a re-run with nothing new makes no request. Faults are retried with backoff; a reply that \
stays invalid is split and retried; reviews that still fail are analyzed offline and counted.",
    after_help = "Examples:\n  \
prodinsight analyze sample-data/       ingest and analyze in one go\n  \
prodinsight analyze                    analyze what the database holds\n  \
prodinsight analyze --full             recompute every review\n  \
OPENAI_API_KEY=… prodinsight analyze --analyzer llm --dry-run      what it would cost\n  \
OPENAI_API_KEY=… prodinsight analyze --analyzer llm --max-cost 2   analyze with an LLM, at most $2\n  \
prodinsight analyze --analyzer llm --base-url http://localhost:11434/v1 --model llama3.2\n\n\
Exit codes: 0 success, 1 failure, 2 usage, 4 the LLM provider refused the work (key, quota, request) \
or --max-cost stopped it; what was analyzed before is kept and the next run continues from there."
)]
pub struct AnalyzeArgs {
    /// Exports to ingest before analyzing (as `prodinsight ingest`)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Analyze every review again, ignoring earlier results
    #[arg(long)]
    pub full: bool,

    /// With PATHs: any rejected record fails its file (as `ingest --strict`)
    #[arg(long)]
    pub strict: bool,

    /// Worker threads for the offline analyzer (default: all cores)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Which analyzer finds sentiment and issues
    #[arg(long, value_enum, default_value_t = AnalyzerChoice::Offline, env = "PRODINSIGHT_ANALYZER")]
    pub analyzer: AnalyzerChoice,

    #[command(flatten)]
    pub llm: LlmArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzerChoice {
    /// Built in: lexicons and rules for en, de, fr, it, es; no key, no network
    Offline,
    /// An OpenAI-compatible chat-completions API (key from OPENAI_API_KEY)
    Llm,
}

/// Options of `--analyzer llm`. The API key comes only from the environment (OPENAI_API_KEY), so it
/// never shows in `ps` or shell history; it is never printed, logged or stored.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "LLM analyzer (--analyzer llm)")]
pub struct LlmArgs {
    /// Model name
    #[arg(long, env = "PRODINSIGHT_MODEL", default_value = "gpt-4o-mini")]
    pub model: String,

    /// Base URL of an OpenAI-compatible API (Ollama: http://localhost:11434/v1)
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub base_url: String,

    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Reviews per request, at most
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub batch_size: u32,

    /// Characters of review text per request, at most
    #[arg(long, value_name = "N", default_value_t = 12000)]
    pub batch_chars: usize,

    /// Seconds before one request times out
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,

    /// Attempts per request on 429, 5xx, timeouts and dropped connections
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_attempts: u32,

    /// Ask for plain JSON mode instead of a strict JSON schema (for servers without Structured Outputs)
    #[arg(long)]
    pub json_object: bool,

    /// Price in USD per 1M tokens as INPUT,OUTPUT (default: a built-in table of OpenAI models)
    #[arg(long, value_name = "IN,OUT")]
    pub price: Option<String>,

    /// A JSON price table {"MODEL": {"input": …, "cached_input": …, "output": …}}
    #[arg(long, value_name = "FILE")]
    pub price_file: Option<PathBuf>,

    /// Stop before the estimated cost would pass this many USD
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,

    /// Print the reviews, requests, estimated tokens and cost, and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Submit through the OpenAI Batch API (half the price); a later run collects the results
    #[arg(long)]
    pub batch: bool,
}

/// Show insights as tables, CSV, JSON or a page.
#[derive(Debug, Args)]
#[command(
    long_about = "Show the insights of the last analysis to people (tables, an HTML page) and programs \
(CSV, JSON, JSON Lines).\n\n\
Without a view, shows the portfolio overview: the products that need attention first (ranked by impact: \
negative reviews, weighted up by how fast their share rose since the previous run; at least \
--min-reviews reviews), the top issues across the portfolio, and the brands.",
    after_help = "Examples:\n  \
prodinsight report                                   products that need attention\n  \
prodinsight report product B0BTTL9LTC --format json  one product in full\n  \
prodinsight report reviews --format csv -o reviews.csv\n  \
prodinsight report products --brand 'Rhino USA' --sort negative\n  \
prodinsight report --format html -o portfolio.html     a page to share\n  \
prodinsight report changes --fail-on-alert             exit 3 when something got worse"
)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub view: Option<ReportView>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Table, global = true)]
    pub format: OutputFormat,

    /// Overview: only this brand (repeatable)
    #[arg(long)]
    pub brand: Vec<String>,

    /// Overview: products with fewer reviews do not make the attention list
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_reviews: i64,

    /// Overview: at most this many products in the attention list
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub limit: usize,

    /// Write to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportView {
    /// Products with their insights, worst first by default
    Products(ListArgs),
    /// Everything about one product: issues with quotes, aspects, trend
    Product {
        /// The product's ASIN
        asin: String,
    },
    /// The portfolio rolled up by brand
    Brands(ListArgs),
    /// Issues ranked across all products
    Issues(ListArgs),
    /// One row per review with its analysis
    Reviews(ListArgs),
    /// History of analysis runs: when, analyzer, reviews, tokens and cost
    Runs,
    /// What got worse since the previous analysis run (or --since DATE); --fail-on-alert for cron
    Changes(ChangesArgs),
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "What got worse: each product's % negative, and the share of reviews reporting each \
issue, now against an earlier analysis run (by default the one before the latest; --since DATE: the \
last run finished before that date). A rise of at least --threshold percentage points is an alert; an \
issue a product did not have before is a new issue. Products with fewer than --min-reviews reviews \
are left out.",
    after_help = "Examples:\n  \
prodinsight report changes\n  \
prodinsight report changes --since 2026-11-01 --threshold 3\n  \
prodinsight -q report changes --fail-on-alert --format csv -o alerts.csv || mail-alerts alerts.csv\n\n\
Exit codes: 0 no alert (or alerts without --fail-on-alert), 3 alerts with --fail-on-alert, 1 failure."
)]
pub struct ChangesArgs {
    /// Compare with the last analysis run finished before this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Smallest rise, in percentage points, that raises an alert
    #[arg(long, value_name = "POINTS", default_value_t = 5.0)]
    pub threshold: f64,
    /// Only products with at least this many reviews
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_reviews: i64,
    /// Only this brand (repeatable)
    #[arg(long)]
    pub brand: Vec<String>,
    /// Exit with code 3 when there is at least one alert
    #[arg(long)]
    pub fail_on_alert: bool,
}

#[derive(Debug, Args, Default, Clone)]
pub struct ListArgs {
    /// Only this brand (repeatable)
    #[arg(long)]
    pub brand: Vec<String>,
    /// Only products with at least this many reviews
    #[arg(long, value_name = "N")]
    pub min_reviews: Option<i64>,
    /// Only products (or reviews) with this issue code
    #[arg(long, value_name = "CODE")]
    pub issue: Option<String>,
    /// Only this product (reviews view)
    #[arg(long)]
    pub asin: Option<String>,
    /// At most this many rows
    #[arg(long, value_name = "N")]
    pub limit: Option<i64>,
    /// Sort key: reviews, rating, negative, trend, asin (prefix '-' for descending is not needed: each has a natural order)
    #[arg(long, value_enum)]
    pub sort: Option<SortKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    /// Most reviews first
    Reviews,
    /// Lowest average rating first
    Rating,
    /// Highest % negative first
    Negative,
    /// Largest rise in % negative since the previous run first
    Trend,
    /// By ASIN
    Asin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned table for the terminal
    Table,
    /// Comma-separated, with a header row
    Csv,
    /// One JSON document (the API's shapes)
    Json,
    /// One JSON object per line
    Jsonl,
    /// One self-contained page with charts
    Html,
}

/// Answer the insights over HTTP as JSON (a minimal local API).
#[derive(Debug, Args)]
#[command(
    long_about = "Serve the insights of the database as a JSON API over HTTP.\n\n\
Endpoints: GET /api/v1/products (filters: brand, q, min_reviews, min_rating, max_rating, sentiment, \
issue, marketplace; sort and order; limit and cursor), GET /api/v1/products/{id} (also …/insights), \
GET /api/v1/products/{id}/reviews, GET /api/v1/brands, GET /api/v1/issues, GET /healthz, and the \
OpenAPI document at GET /api/v1/openapi.json. It reads while `ingest` and `analyze` write. One \
access-log line per request goes to stderr unless -q. Ctrl-C stops it.",
    after_help = "Examples:\n  \
prodinsight serve                                  http://127.0.0.1:8080\n  \
prodinsight serve --addr 127.0.0.1:0 -q            any free port (printed on stdout)\n  \
curl 'http://127.0.0.1:8080/api/v1/products?sort=negative&min_reviews=20&limit=10'"
)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8080", env = "PRODINSIGHT_ADDR")]
    pub addr: SocketAddr,

    /// Worker threads answering requests (default: cores, at least 2)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Client connections open at once (lowered to fit the open-file limit). A new connection
    /// past it takes the place of the longest-idle one, or waits while every one is busy
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = at_least_one)]
    pub max_connections: usize,

    /// Close a connection that has had no request under way for this long
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub idle_timeout: Duration,

    /// The most a request may take to arrive, from its first byte to its last (408 after)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds, hide = true)]
    pub request_timeout: Duration,
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number of at least 1")),
    }
}

/// A positive number of seconds, fractions allowed.
fn seconds(s: &str) -> Result<Duration, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
        _ => Err(format!("{s:?} is not a number of seconds from 0 to 86400")),
    }
}
