//! Command-line types (clap derive). Parsing only: the commands live in their own modules.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Ingest's own type, with its help text (clap's `ValueEnum`), so ingest needs nothing from here.
pub use crate::ingest::InputFormat;

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
4 the LLM provider refused the work or --max-cost stopped it (analyze --analyzer llm),\n\
5 another analyze of the database is running (analyze --no-wait)."
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
    #[arg(value_parser = clap::builder::FalseyValueParser::new(), short, long, global = true, env = "PRODINSIGHT_QUIET")]
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
    Backup(BackupArgs),
    Check(CheckArgs),
    Prune(PruneArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
    Healthcheck(HealthcheckArgs),
}

/// Ask a running `serve` whether it is up (GET /healthz): for container healthchecks.
#[derive(Debug, Args)]
#[command(
    long_about = "Ask the `serve` at --addr whether it answers: GET /healthz, exit 0 on a 200 within \
--timeout, 1 otherwise. An unspecified address (0.0.0.0, [::]) is asked on loopback. Needs no curl \
in the container image.",
    after_help = "Examples:\n  \
prodinsight healthcheck                          the server at PRODINSIGHT_ADDR (or 127.0.0.1:8080)\n  \
prodinsight healthcheck --addr 127.0.0.1:9000 --timeout 1\n\n\
Exit codes: 0 healthy, 1 not answering or not healthy."
)]
pub struct HealthcheckArgs {
    /// Where the server listens
    #[arg(long, default_value = "127.0.0.1:8080", env = "PRODINSIGHT_ADDR")]
    pub addr: SocketAddr,
    /// Give up after this long
    #[arg(long, value_name = "SECONDS", default_value = "3", value_parser = seconds)]
    pub timeout: Duration,
}

/// Copy the database, consistently, while other commands use it.
#[derive(Debug, Args)]
#[command(
    long_about = "Write a consistent copy of the database to FILE (SQLite's VACUUM INTO): one read \
transaction, so `serve`, `ingest` and `analyze` go on while it runs, and the copy is the database as \
of the moment it started, compacted. The copy is written under a temporary name beside FILE, checked, \
and only then renamed to FILE: an interrupted backup leaves no half-written file. Restore by copying \
FILE back in place of the database while nothing runs.",
    after_help = "Examples:\n  \
prodinsight backup backups/pi-$(date +%F).db\n  \
prodinsight --db /var/lib/prodinsight/pi.db backup /mnt/backup/pi.db --force\n\n\
Exit codes: 0 written, 1 failure (nothing written), 2 FILE exists (without --force) or is the database."
)]
pub struct BackupArgs {
    /// Where to write the copy
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// Delete per-run snapshots older than the newest N runs; optionally give the space back.
#[derive(Debug, Args)]
#[command(
    long_about = "Every analyze run that changed something stores a snapshot of each product and \
brand (the run-by-run history and what `report changes` compares with): at millions of reviews they \
are a large part of the database. `prune` deletes the snapshots of all but the newest --keep-runs \
runs, and keeps the last run of every calendar month (the history stays monthly) and the runs the \
kept runs' alerts compare with. Current insights, monthly buckets and reviews are not touched. \
Deleted pages are reused by later runs; --vacuum also shrinks the file (it rewrites the database and \
needs as much free disk; nothing else may write meanwhile).",
    after_help = "Examples:\n  \
prodinsight prune --keep-runs 30\n  \
prodinsight prune --keep-runs 7 --vacuum\n  \
prodinsight check | grep space          what snapshots cost before and after\n\n\
Exit codes: 0 done, 1 failure (nothing deleted), 2 usage."
)]
pub struct PruneArgs {
    /// Keep the snapshots of this many newest runs (at least 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_runs: u32,
    /// Then VACUUM: rewrite the file without its free pages
    #[arg(long)]
    pub vacuum: bool,
}

/// Check the database: integrity, schema version, row counts, the last runs.
#[derive(Debug, Args)]
#[command(
    long_about = "Check the database without changing it: SQLite's integrity check, foreign keys, \
the schema version against the one this prodinsight uses, row counts, the last ingest and analysis \
runs, and how many reviews wait for `analyze`. Any problem (damage, broken references, a schema this \
binary cannot read) exits 1, so a cron job or a container healthcheck can trust it.",
    after_help = "Examples:\n  \
prodinsight check\n  \
prodinsight check --quick -f json        faster on large databases (no index cross-check)\n  \
prodinsight check -q || mail -s 'prodinsight database' ops@example.com < /dev/null\n\n\
Exit codes: 0 healthy, 1 a problem (listed) or the database cannot be read."
)]
pub struct CheckArgs {
    /// SQLite's quick_check instead of the full integrity_check (skips matching indexes to tables)
    #[arg(long)]
    pub quick: bool,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Readable lines
    Table,
    /// One JSON document
    Json,
}

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(
    long_about = "Print the completion script for SHELL on stdout: subcommands, options and their \
values complete with Tab.",
    after_help = "Examples:\n  \
prodinsight completions bash > ~/.local/share/bash-completion/completions/prodinsight\n  \
prodinsight completions zsh > ~/.zfunc/_prodinsight\n  \
prodinsight completions fish > ~/.config/fish/completions/prodinsight.fish\n  \
prodinsight completions powershell >> $PROFILE"
)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print the manual page (roff), or write one page per command.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
prodinsight man | man -l -\n  \
prodinsight man --dir /usr/local/share/man/man1     prodinsight.1 and prodinsight-COMMAND.1")]
pub struct ManArgs {
    /// Write prodinsight.1 and one prodinsight-COMMAND.1 per command into DIR instead
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
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
prodinsight ingest --snapshot exports/2026-12-04/   tonight's complete export: removals retire\n  \
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

    /// The PATHs together are the complete current reviews of the products they contain: reviews
    /// of those products that they no longer hold are retired, and an edited review (without a
    /// review id) becomes a new version of the old one. Retires nothing if any file fails, any
    /// record is rejected, or any file repeats one read before
    #[arg(long)]
    pub snapshot: bool,
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
stays invalid is split and retried; reviews that still fail are analyzed offline and counted.\n\n\
One analyze runs at a time per database (a lock on DB.analyze.lock, released when its process \
ends, however it ends): another one waits for it, then usually finds nothing new; --no-wait exits \
with code 5 instead. A run whose process was killed is marked interrupted by the next one. A text \
the offline analyzer fails on is recorded (text_failures) and counted, and the run goes on.",
    after_help = "Examples:\n  \
prodinsight analyze sample-data/       ingest and analyze in one go\n  \
prodinsight analyze                    analyze what the database holds\n  \
prodinsight analyze --full             recompute every review\n  \
prodinsight analyze --no-wait          for cron: exit 5 if another analyze is running\n  \
prodinsight analyze --topics examples/topics.toml   also find your own topics\n  \
OPENAI_API_KEY=… prodinsight analyze --analyzer llm --dry-run      what it would cost\n  \
OPENAI_API_KEY=… prodinsight analyze --analyzer llm --max-cost 2   analyze with an LLM, at most $2\n  \
prodinsight analyze --analyzer llm --base-url http://localhost:11434/v1 --model llama3.2\n\n\
Exit codes: 0 success, 1 failure, 2 usage, 4 the LLM provider refused the work (key, quota, request) \
or --max-cost stopped it; what was analyzed before is kept and the next run continues from there. \
5 another analyze of the database is running (--no-wait): nothing was analyzed (PATHs are still \
ingested)."
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

    /// With PATHs: they are the complete current reviews of their products (as `ingest --snapshot`)
    #[arg(long, requires = "paths")]
    pub snapshot: bool,

    /// Worker threads for the offline analyzer (default: all cores)
    #[arg(long, value_name = "N", env = "PRODINSIGHT_ANALYZE_THREADS")]
    pub threads: Option<usize>,

    /// Which analyzer finds sentiment and issues
    #[arg(long, value_enum, default_value_t = AnalyzerChoice::Offline, env = "PRODINSIGHT_ANALYZER")]
    pub analyzer: AnalyzerChoice,

    /// If another analyze of this database is running, exit at once with code 5 instead of
    /// waiting for it to finish
    #[arg(long)]
    pub no_wait: bool,

    /// Your own topics: a TOML or JSON file of codes with a label and phrases per language
    /// (examples/topics.toml), matched besides the built-in issue codes and stored with the run
    #[arg(long, value_name = "FILE", env = "PRODINSIGHT_TOPICS")]
    pub topics: Option<PathBuf>,

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
    #[arg(long, env = "PRODINSIGHT_LLM_CONCURRENCY", value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Reviews per request, at most
    #[arg(long, env = "PRODINSIGHT_LLM_BATCH_SIZE", value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub batch_size: u32,

    /// Characters of review text per request, at most
    #[arg(
        long,
        env = "PRODINSIGHT_LLM_BATCH_CHARS",
        value_name = "N",
        default_value_t = 12000
    )]
    pub batch_chars: usize,

    /// Seconds before one request times out
    #[arg(
        long,
        env = "PRODINSIGHT_LLM_TIMEOUT",
        value_name = "SECS",
        default_value_t = 60
    )]
    pub timeout: u64,

    /// Attempts per request on 429, 5xx, timeouts and dropped connections
    #[arg(
        long,
        env = "PRODINSIGHT_LLM_MAX_ATTEMPTS",
        value_name = "N",
        default_value_t = 5
    )]
    pub max_attempts: u32,

    /// Ask for plain JSON mode instead of a strict JSON schema (for servers without Structured Outputs)
    #[arg(value_parser = clap::builder::FalseyValueParser::new(), long, env = "PRODINSIGHT_LLM_JSON_OBJECT")]
    pub json_object: bool,

    /// Price in USD per 1M tokens as INPUT,OUTPUT (default: a built-in table of OpenAI models)
    #[arg(long, env = "PRODINSIGHT_LLM_PRICE", value_name = "IN,OUT")]
    pub price: Option<String>,

    /// A JSON price table {"MODEL": {"input": …, "cached_input": …, "output": …}}
    #[arg(long, env = "PRODINSIGHT_LLM_PRICE_FILE", value_name = "FILE")]
    pub price_file: Option<PathBuf>,

    /// Stop before the estimated cost would pass this many USD (the reviews' requests, then
    /// --summaries': a summary is priced at its prompt and its reply's token cap)
    #[arg(long, env = "PRODINSIGHT_LLM_MAX_COST", value_name = "USD")]
    pub max_cost: Option<f64>,

    /// Print the reviews, requests, estimated tokens and cost, and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Submit through the OpenAI Batch API (half the price); a later run collects the results
    #[arg(value_parser = clap::builder::FalseyValueParser::new(), long, env = "PRODINSIGHT_LLM_BATCH")]
    pub batch: bool,

    /// With --analyzer llm: a one-paragraph summary per product, written from its counts and a
    /// few quotes (never its reviews); sent again only when that evidence changed
    #[arg(long)]
    pub summaries: bool,
}

/// Show insights as tables, CSV, JSON or a page.
#[derive(Debug, Args)]
#[command(
    long_about = "Show the insights of the last analysis to people (tables, an HTML page) and programs \
(CSV, JSON, JSON Lines).\n\n\
Without a view, shows the portfolio overview: the products that need attention first (ranked by impact: \
negative reviews, weighted up by how fast their share rose since the previous run; at least \
--min-reviews reviews), the top issues across the portfolio, and the brands. Each view has its own \
options: `prodinsight report VIEW --help`. Values are checked as the API checks them: an unknown \
issue code, sort or a bad date is a usage error (exit 2) that lists what is allowed.\n\n\
Time windows: --since/--until DATE on the overview, products, product, brands, issues and liked \
restrict the figures to the reviews dated in the window (an undated review counts on the day of the \
analysis run in which it first appeared); --compare previous adds the window of the same length just \
before, with changes. On reviews they list the reviews dated in the window, on runs the runs started \
in it. `report changes --since DATE` is different: the alerts of every analysis run since \
DATE, whatever the reviews' dates.",
    after_help = "Examples:\n  \
prodinsight report                                   products that need attention\n  \
prodinsight report --brand 'rhino usa' --min-reviews 20 --limit 5\n  \
prodinsight report product B0BTTL9LTC --format json  one product in full\n  \
prodinsight report reviews --format csv -o reviews.csv\n  \
prodinsight report products --brand 'Rhino USA' --sort negative\n  \
prodinsight report --format html -o portfolio.html     a page to share\n  \
prodinsight report changes --fail-on-alert             exit 3 when something got worse\n  \
prodinsight report --since 2026-11-01 --until 2026-11-30 --compare previous   November against October\n  \
prodinsight report issues --since 2026-11-01 --sort impact    what costs most stars lately\n  \
prodinsight report liked --by-brand -f csv -o liked.csv   what customers like, per brand"
)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub view: Option<ReportView>,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Table, global = true)]
    pub format: OutputFormat,

    /// Overview: only this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,

    /// Overview: products with fewer reviews do not make the attention list
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(i64).range(0..))]
    pub min_reviews: i64,

    /// Overview: at most this many products in the attention list
    #[arg(long, value_name = "N", default_value_t = 15, value_parser = limit_arg)]
    pub limit: usize,

    /// Overview: the portfolio and its issues in a time window
    #[command(flatten)]
    pub window: WindowArgs,

    /// Write to this file instead of standard output. The file is written beside FILE and
    /// replaces it only when the report is complete; the database itself is refused
    #[arg(long, short = 'o', value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,

    /// CSV cells as they are: by default a cell that a spreadsheet would run as a formula
    /// (starting with = + - @, tab or CR, other than a plain number) gets a leading ' (OWASP)
    #[arg(long, global = true)]
    pub raw_csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportView {
    /// Products with their insights, most reviewed first by default
    Products(ProductsArgs),
    /// Everything about one product: issues with quotes, aspects, trend
    #[command(after_help = "Examples:\n  \
prodinsight report product B08C0F4912\n  \
prodinsight report product b08c0f4912 --format json   any letter case\n  \
prodinsight report product B08C0F4912 -f html -o product.html")]
    Product {
        /// The product's ASIN
        asin: String,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// The portfolio rolled up by brand, most reviewed first by default
    Brands(BrandsArgs),
    /// Everything about one brand: issues with quotes and impact, liked, breakdowns, trend, products
    #[command(
        long_about = "One brand in full, as GET /api/v1/brands/{brand} (`--format json` is its \
`data`): its figures, top issues with what each costs in stars and quotes (stars and language), \
what customers like, complaint aspects, breakdowns by marketplace and language, the monthly trend, \
and its products that need attention first. With --since/--until, the reviews dated in that window; \
--compare previous adds the window before.",
        after_help = "Examples:\n  \
prodinsight report brand 'Rhino USA'\n  \
prodinsight report brand 'rhino usa' -f json                   any letter case\n  \
prodinsight report brand Kurtzy --since 2026-11-01 --compare previous   November against October\n  \
prodinsight report brand Kurtzy -f html -o kurtzy.html"
    )]
    Brand {
        /// The brand's name, in any letter case
        #[arg(value_parser = brand_arg)]
        name: String,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Issues ranked across all products
    Issues(IssuesArgs),
    /// One issue across the portfolio: its reviews per brand and product, in a window if asked
    #[command(after_help = "Examples:\n  \
prodinsight report issue leaks\n  \
prodinsight report issue leaks --since 2026-11-01 --compare previous   November against October\n  \
prodinsight report issue leaks --since 2026-07-01 --until 2026-09-30 -f csv")]
    Issue {
        /// The issue code (`report issues` lists them)
        #[arg(value_parser = issue_arg)]
        code: String,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// What customers like across the portfolio (or the brands), or per brand with --by-brand
    Liked(LikedArgs),
    /// Reviews by marketplace and by language across the portfolio (or the brands), or per brand
    Breakdowns(BreakdownsArgs),
    /// What customers complain about across the portfolio, some brands or one product
    Aspects(AspectsArgs),
    /// One row per review with its analysis
    Reviews(ReviewsArgs),
    /// History of analysis runs: when, analyzer, reviews, tokens and cost
    #[command(after_help = "Examples:\n  \
prodinsight report runs\n  \
prodinsight report runs --format json\n  \
prodinsight report runs --since 2026-11-01 --until 2026-11-30   runs started in November")]
    Runs {
        #[command(flatten)]
        days: DayArgs,
    },
    /// What got worse since the previous analysis run (or --since DATE); --fail-on-alert for cron
    Changes(ChangesArgs),
}

// Value checks for the report's flags: the API's own checks (crate::filters), so both refuse the
// same values with the same message; clap turns a refusal into a usage error (exit 2).

fn day_arg(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::filters::day("since", s).map_err(|e| e.message)
}

/// A time window on a report view: the figures of the reviews dated in it.
#[derive(Debug, Args, Clone, Default)]
pub struct WindowArgs {
    /// Only reviews dated on or after DATE (YYYY-MM-DD); an undated review counts on the day of
    /// the analysis run in which it first appeared
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub since: Option<chrono::NaiveDate>,
    /// Only reviews dated on or before DATE (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub until: Option<chrono::NaiveDate>,
    /// Also the window of the same length just before (an open end is today), with changes
    /// (needs --since)
    #[arg(long, value_enum, value_name = "WINDOW")]
    pub compare: Option<CompareWith>,
}

/// A range of days without a comparison (reviews by their date, runs by their start).
#[derive(Debug, Args, Clone, Default)]
pub struct DayArgs {
    /// Only from DATE on (YYYY-MM-DD): reviews dated then (an undated review counts on the day
    /// of the analysis run in which it first appeared), runs started then
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub since: Option<chrono::NaiveDate>,
    /// Only up to DATE (YYYY-MM-DD), that day included
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub until: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "Complaint aspects: the things negative sentences name (English terms, whatever the \
review's language), each with the reviews naming it, their share of the reviews in scope, the \
average stars of the rated reviews naming it and of the others, and the stars gained if fixed. \
Summed across the portfolio, the brands asked for, or one product (--asin). This is the CSV of the \
windowed views' complaint aspects: a CSV report is one table. With --since/--until, the reviews \
dated in the window; with --compare previous also the window before's reviews, share and the \
change in share.",
    after_help = "Examples:\n  \
prodinsight report aspects --since 2026-11-01 --compare previous -f csv   November against October\n  \
prodinsight report aspects --brand 'Rhino USA' --since 2026-07-01 --until 2026-09-30\n  \
prodinsight report aspects --asin B08C0F4912 --since 2026-07-01 --compare previous"
)]
pub struct AspectsArgs {
    /// Only products of this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg, conflicts_with = "asin")]
    pub brand: Vec<String>,
    /// Only this product (any letter case)
    #[arg(long, value_name = "ASIN", value_parser = asin_arg)]
    pub asin: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareWith {
    /// The window of the same length that ends the day before --since
    Previous,
}

fn brand_arg(s: &str) -> Result<String, String> {
    crate::filters::text("brand", s).map_err(|e| e.message)
}

fn issue_arg(s: &str) -> Result<String, String> {
    crate::filters::issue("issue", s).map_err(|e| e.message)
}

fn limit_arg(s: &str) -> Result<usize, String> {
    let n: i64 = s.parse().map_err(|_| format!("{s:?} is not an integer"))?;
    crate::filters::limit("limit", n, None).map_err(|e| e.message)
}

fn since_arg(s: &str) -> Result<String, String> {
    crate::filters::since("since", s).map_err(|e| e.message)
}

fn points_arg(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (0.0..=100.0).contains(x))
        .ok_or_else(|| format!("{s:?} is not a number of percentage points from 0 to 100"))
}

fn asin_arg(s: &str) -> Result<String, String> {
    crate::filters::text("asin", s).map_err(|e| e.message)
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "Products with their summarized insights: the same list as GET /api/v1/products \
(`--format json` is its `data`), sorted by --sort (default: reviews, as the API) in its natural order \
unless --order says otherwise; products without a value for the sort come last.",
    after_help = "Examples:\n  \
prodinsight report products                                   most reviewed first\n  \
prodinsight report products --sort negative --min-reviews 20   worst share of negative reviews\n  \
prodinsight report products --brand 'rhino usa' --brand Apex    brands in any letter case\n  \
prodinsight report products --issue leaks --sort trend --limit 10\n  \
prodinsight report products --sort rating --order desc -f csv -o best-rated.csv\n  \
prodinsight report products --since 2026-11-01 --until 2026-11-30 --compare previous --sort trend"
)]
pub struct ProductsArgs {
    /// Only this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// Only products with at least this many reviews
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
    pub min_reviews: Option<i64>,
    /// Only products with this issue code (e.g. leaks; `report issues` lists them)
    #[arg(long, value_name = "CODE", value_parser = issue_arg)]
    pub issue: Option<String>,
    /// At most this many products (at least 1)
    #[arg(long, value_name = "N", value_parser = limit_arg)]
    pub limit: Option<usize>,
    /// Sort key [default: reviews]
    #[arg(long, value_enum)]
    pub sort: Option<SortKey>,
    /// Sort direction [default: the key's natural one]
    #[arg(long, value_enum)]
    pub order: Option<Order>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "Brands with their roll-up: the same list as GET /api/v1/brands (`--format json` is \
its `data`), sorted by --sort (default: reviews); brands without a rating come last.",
    after_help = "Examples:\n  \
prodinsight report brands\n  \
prodinsight report brands --sort negative --limit 10     most negative first\n  \
prodinsight report brands --sort brand -f csv            by name\n  \
prodinsight report brands --sort rating --order desc     best rated first\n  \
prodinsight report brands --brand kwmobile                 any letter case\n  \
prodinsight report brands --since 2026-11-01 --until 2026-11-30   November only"
)]
pub struct BrandsArgs {
    /// Only this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// At most this many brands (at least 1)
    #[arg(long, value_name = "N", value_parser = limit_arg)]
    pub limit: Option<usize>,
    /// Sort key [default: reviews]
    #[arg(long, value_enum)]
    pub sort: Option<BrandSortKey>,
    /// Sort direction [default: the key's natural one]
    #[arg(long, value_enum)]
    pub order: Option<Order>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "Issues ranked across the portfolio: reviews reporting each and products affected, \
the average rating of the rated reviews reporting each and of the others, and the stars the average \
would gain if it were fixed: (avg without - avg with) x share of rated reviews reporting it, shown \
from 5 rated reviews reporting it (GET /api/v1/issues).",
    after_help = "Examples:\n  \
prodinsight report issues\n  \
prodinsight report issues --brand 'Rhino USA' -f json\n  \
prodinsight report issues --sort impact     the fix that earns the most stars first\n  \
prodinsight report issues --sort impact --limit 5\n  \
prodinsight report issues --since 2026-11-01 --until 2026-11-30 --compare previous"
)]
pub struct IssuesArgs {
    /// Only products of this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// Order of the issues (as the API's sort=)
    #[arg(long, value_enum, default_value_t = IssueSortKey::Reviews)]
    pub sort: IssueSortKey,
    /// At most this many issues, the first in the order (at least 1; as the API's limit=)
    #[arg(long, value_name = "N", value_parser = limit_arg)]
    pub limit: Option<usize>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "Reviews by marketplace and by language: per marketplace or language, its reviews, \
negative reviews and their share, rated reviews, average rating and top 3 issues, one row each in \
the long format of a product's CSV (by, marketplace or language, …). Without --by-brand, summed \
across the portfolio (or the brands asked for); with it, one row per brand, dimension and key. This \
is the CSV of the overview's and `report brands`' breakdowns: a CSV report is one table. With \
--since/--until, the reviews dated in the window (an undated review counts on the day of the \
analysis run in which it first appeared).",
    after_help = "Examples:\n  \
prodinsight report breakdowns -f csv\n  \
prodinsight report breakdowns --brand 'Rhino USA' --since 2026-11-01 -f csv\n  \
prodinsight report breakdowns --by-brand -f csv -o breakdowns.csv"
)]
pub struct BreakdownsArgs {
    /// Only products of this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// One row per brand, dimension and key instead of the sum
    #[arg(long)]
    pub by_brand: bool,
    #[command(flatten)]
    pub days: DayArgs,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "What customers like: the aspects positive sentences praise (English terms, whatever \
the review's language), each with the reviews praising it, their share of the reviews in scope and \
one quote with its stars and language. Without --by-brand, summed across the portfolio (or the \
brands asked for); with it, one row per brand and aspect. This is the CSV of the overview's and \
`report brands`' liked aspects: a CSV report is one table. With --since/--until, the reviews dated \
in the window (no quote: quotes are chosen across all reviews), and with --compare previous the \
window before and the change in share.",
    after_help = "Examples:\n  \
prodinsight report liked\n  \
prodinsight report liked --brand 'Rhino USA' -f csv\n  \
prodinsight report liked --by-brand -f csv -o liked.csv\n  \
prodinsight report liked --since 2026-11-01 --compare previous   November's praise against October's"
)]
pub struct LikedArgs {
    /// Only products of this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// One row per brand and aspect (each brand's top 20) instead of the sum
    #[arg(long)]
    pub by_brand: bool,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IssueSortKey {
    /// Most negative or neutral reviews reporting it first, then most reviews
    Reviews,
    /// Most stars gained if fixed first (issues without an impact last)
    Impact,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "One row per review with its analysis: language, sentiment, score, and the issues \
it reports. In JSON each issue is {code, evidence}, as in GET /api/v1/products/{id}/reviews; CSV and \
tables list the codes.",
    after_help = "Examples:\n  \
prodinsight report reviews --format csv -o reviews.csv\n  \
prodinsight report reviews --asin B08C0F4912 --issue leaks -f json\n  \
prodinsight report reviews --brand 'rhino usa' --limit 20\n  \
prodinsight report reviews --asin B08C0F4912 --since 2026-11-01 --until 2026-11-30"
)]
pub struct ReviewsArgs {
    /// Only this product's reviews (an ASIN that exists, any letter case)
    #[arg(long, value_name = "ASIN", value_parser = asin_arg)]
    pub asin: Option<String>,
    /// Only reviews of this brand's products, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// Only reviews reporting this issue code (e.g. leaks)
    #[arg(long, value_name = "CODE", value_parser = issue_arg)]
    pub issue: Option<String>,
    /// At most this many reviews (at least 1)
    #[arg(long, value_name = "N", value_parser = limit_arg)]
    pub limit: Option<usize>,
    /// Also the reviews a snapshot retired (`ingest --snapshot`), each with the ingest run that
    /// retired it (`retired_run`)
    #[arg(long)]
    pub history: bool,
    #[command(flatten)]
    pub days: DayArgs,
}

#[derive(Debug, Args, Clone)]
#[command(
    long_about = "What got worse: the alerts the latest analysis run raised (`analyze` decides them \
once per run and stores them, so a run that found nothing new has none and a nightly job raises each \
change once). Levels: product (% negative), brand (% negative over all its products, small ones \
included), issue (an issue's share of reviews within a brand or the portfolio). A rise is an alert \
when after − before, from exact counts, is at least 5 points and the run's new reviews are worse than \
the earlier ones by a one-sided Fisher exact test at 99 % confidence; products need 10 reviews (smaller \
ones count in their brand). --since DATE lists the alerts of every run finished since then, --until DATE those of runs \
finished up to that day; --threshold, --min-reviews and --brand only narrow the list.",
    after_help = "Examples:\n  \
prodinsight report changes\n  \
prodinsight report changes --since 2026-11-01 --threshold 10\n  \
prodinsight report changes --since 2026-11-01 --until 2026-11-30   November's runs\n  \
prodinsight report changes --since 2026-11-01T08:00:00Z --brand 'rhino usa' --min-reviews 20\n  \
prodinsight -q report changes --fail-on-alert --format csv -o alerts.csv || mail-alerts alerts.csv\n\n\
Exit codes: 0 no alert (or alerts without --fail-on-alert), 3 alerts with --fail-on-alert, 1 failure, \
2 a bad option (e.g. --since 2026-13-45)."
)]
pub struct ChangesArgs {
    /// The alerts of every analysis run finished since this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = since_arg)]
    pub since: Option<String>,
    /// The alerts of every analysis run finished on or before this day (YYYY-MM-DD, UTC), with
    /// --since or alone (as the API's `to`)
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub until: Option<chrono::NaiveDate>,
    /// Only alerts that rose at least this many percentage points (the rule's floor is 5)
    #[arg(long, value_name = "POINTS", default_value_t = 5.0, value_parser = points_arg)]
    pub threshold: f64,
    /// Only product alerts of products with at least this many reviews now
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(i64).range(0..))]
    pub min_reviews: i64,
    /// Only this brand, any letter case (repeatable)
    #[arg(long, value_name = "BRAND", value_parser = brand_arg)]
    pub brand: Vec<String>,
    /// Exit with code 3 when the listed run(s) raised at least one alert
    #[arg(long)]
    pub fail_on_alert: bool,
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
pub enum BrandSortKey {
    /// Most reviews first
    Reviews,
    /// Most products first
    Products,
    /// Lowest average rating first
    Rating,
    /// Highest % negative first
    Negative,
    /// By name
    Brand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// Ascending
    Asc,
    /// Descending
    Desc,
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
    long_about = "Serve the insights of the database as a dashboard and a JSON API over HTTP.\n\n\
Open http://127.0.0.1:8080/ in a browser for the dashboard (portfolio, products, a product, an \
issue, changes); it reads only the API below. Endpoints: GET /api/v1/products (filters: brand, q, min_reviews, min_rating, max_rating, sentiment, \
issue, marketplace; sort and order; limit and cursor), GET /api/v1/products/{id} (also …/insights), \
GET /api/v1/products/{id}/reviews, GET /api/v1/brands, GET /api/v1/brands/{brand}, GET /api/v1/issues, GET /api/v1/overview, \
GET /api/v1/changes, GET /api/v1/runs, GET /healthz, and the \
OpenAPI document at GET /api/v1/openapi.json. It reads while `ingest` and `analyze` write. One \
access-log line per request goes to stderr unless -q. Ctrl-C stops it.",
    after_help = "Examples:\n  \
prodinsight serve                                  dashboard and API on http://127.0.0.1:8080\n  \
prodinsight serve --no-dashboard                   the API alone\n  \
prodinsight serve --addr 127.0.0.1:0 -q            any free port (printed on stdout)\n  \
curl 'http://127.0.0.1:8080/api/v1/products?sort=negative&min_reviews=20&limit=10'"
)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8080", env = "PRODINSIGHT_ADDR")]
    pub addr: SocketAddr,

    /// Worker threads answering requests (default: cores, at least 2)
    #[arg(long, value_name = "N", env = "PRODINSIGHT_SERVE_THREADS")]
    pub threads: Option<usize>,

    /// Client connections open at once (lowered to fit the open-file limit). A new connection
    /// past it takes the place of the longest-idle one, or waits while every one is busy
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = at_least_one, env = "PRODINSIGHT_MAX_CONNECTIONS")]
    pub max_connections: usize,

    /// Close a connection that has had no request under way for this long
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds, env = "PRODINSIGHT_IDLE_TIMEOUT")]
    pub idle_timeout: Duration,

    /// The most a request may take to arrive, from its first byte to its last (408 after)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds, hide = true)]
    pub request_timeout: Duration,

    /// Serve the JSON API alone: no dashboard at / (other paths outside /api/ then get a JSON 404)
    #[arg(value_parser = clap::builder::FalseyValueParser::new(), long, env = "PRODINSIGHT_NO_DASHBOARD")]
    pub no_dashboard: bool,

    /// On Ctrl-C or SIGTERM: stop accepting, and give requests under way this long to finish
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds, env = "PRODINSIGHT_SHUTDOWN_GRACE")]
    pub shutdown_grace: Duration,

    /// Allow --addr beyond loopback (e.g. 0.0.0.0:8080); then a token is required
    #[arg(value_parser = clap::builder::FalseyValueParser::new(), long, env = "PRODINSIGHT_ALLOW_REMOTE")]
    pub allow_remote: bool,

    /// File holding the token every request but /healthz must carry (Authorization: Bearer
    /// TOKEN, or the dashboard's cookie set by opening /?token=TOKEN); or set
    /// PRODINSIGHT_API_TOKEN. At least 16 characters
    #[arg(long, value_name = "FILE", env = "PRODINSIGHT_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,

    /// Let pages served from ORIGIN (e.g. https://dash.example.com) call the API (CORS)
    #[arg(long, value_name = "ORIGIN", value_parser = origin_arg, env = "PRODINSIGHT_CORS_ORIGIN")]
    pub cors_origin: Option<String>,

    /// Access log lines on stderr: text, or one JSON object per line
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text, env = "PRODINSIGHT_LOG_FORMAT")]
    pub log_format: LogFormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// TIME METHOD PATH STATUS BYTES LATENCY
    Text,
    /// {"ts","method","path","status","bytes","ms"}
    Json,
}

/// An origin as browsers send it: scheme, host and optional port, nothing else.
fn origin_arg(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && host.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                }) =>
        {
            Ok(s.to_string())
        }
        _ => Err(format!(
            "{s:?} is not an origin like https://dash.example.com or http://localhost:3000"
        )),
    }
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
