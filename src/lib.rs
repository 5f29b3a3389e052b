//! prodinsight: batch analytics for Amazon product reviews.
//!
//! `ingest` loads exports into the raw layer, `analyze` derives the insights layer, `report` reads
//! it. Commands never call each other: they meet in `model`, `taxonomy` and `store`; `run` composes them.

pub mod alert_rule;
pub mod analyze;
pub mod cli;
pub mod error;
pub mod filters;
pub mod ingest;
pub mod maintenance;
pub mod manual;
pub mod model;
pub mod names;
pub mod numbers;
pub mod progress;
pub mod report;
pub mod serve;
pub mod store;
pub mod taxonomy;
pub mod textsafe;
pub mod topics;

use std::path::Path;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use analyze::llm::{self, client::RetryPolicy, cost::Price, prompt::ResponseFormat};
use cli::{Cli, Command, ReportView};
use error::{Error, Result};
use store::changes::ChangeQuery;
use store::pages::{BrandQuery, BrandSort, ProductQuery, ProductSort, UNLIMITED};
use store::query::Filter;
use store::views::IssueSort;
use store::windows::{Window, WindowView};
use store::Store;

/// Parses the command line, runs the command, prints any error once, and returns the exit code.
pub fn run_from_args() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let db = cli.db.clone();
    match run(cli).map_err(|e| name_database(e, &db)) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => 0,
        Err(Error::Reported(s)) if s.is_empty() => error::EXIT_FAILURE,
        Err(e) => {
            // Messages quote file names, headers and values: no control character of theirs
            // reaches the terminal.
            // The cause chain, once: each cause after ": ".
            eprintln!("error: {}", textsafe::escape_control(&error::chain(&e)));
            e.exit_code()
        }
    }
}

/// A database error that reached here unnamed (a full disk during analyze) names the database.
fn name_database(e: Error, db: &std::path::Path) -> Error {
    match e {
        Error::Sql(source) => Error::Db {
            path: db.to_path_buf(),
            source,
        },
        other => other,
    }
}

/// Runs one parsed command line. Each command gets its own plain options, built here from the
/// flags: only this file and `cli` know about flags.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Ingest(args) => run_ingest(&cli.db, cli.quiet, args),
        Command::Analyze(args) => run_analyze(&cli.db, cli.quiet, args),
        Command::Report(args) => {
            let store = Store::open_readonly(&cli.db)?;
            report::run(&store, &report_options(args, cli.quiet)?)
        }
        Command::Serve(args) => {
            serve::run(&cli.db, &serve_options(args, cli.quiet)?)?;
            Ok(0)
        }
        Command::Backup(args) => {
            maintenance::backup(&cli.db, &args.file, args.force, cli.quiet)?;
            Ok(0)
        }
        Command::Check(args) => {
            let json = args.format == cli::CheckFormat::Json;
            maintenance::check(&cli.db, args.quick, json, cli.quiet)
        }
        Command::Prune(args) => {
            let mut store = Store::open(&cli.db)?;
            maintenance::prune(&mut store, args.keep_runs as usize, args.vacuum, cli.quiet)?;
            Ok(0)
        }
        Command::Completions(args) => {
            manual::completions(Cli::command(), args.shell, &mut std::io::stdout().lock());
            Ok(0)
        }
        Command::Man(args) => run_man(args, cli.quiet),
        Command::Healthcheck(args) => {
            Ok(maintenance::healthcheck(args.addr, args.timeout, cli.quiet))
        }
    }
}

fn run_man(args: cli::ManArgs, quiet: bool) -> Result<i32> {
    match args.dir {
        None => manual::man_page(Cli::command(), &mut std::io::stdout().lock())?,
        Some(dir) => {
            let pages = manual::man_pages(Cli::command(), &dir)?;
            if !quiet {
                eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
            }
        }
    }
    Ok(0)
}

fn run_ingest(db: &Path, quiet: bool, args: cli::IngestArgs) -> Result<i32> {
    let mut store = Store::open(db)?;
    let opts = ingest::Options {
        format: args.format,
        strict: args.strict,
        force: args.force,
        quiet,
        snapshot: args.snapshot,
    };
    ingest::run(&mut store, &args.paths, opts)?;
    Ok(0)
}

/// `analyze [PATH…]`: ingest the paths, then analyze (commands never call each other).
fn run_analyze(db: &Path, quiet: bool, args: cli::AnalyzeArgs) -> Result<i32> {
    // A configuration that cannot work fails before any ingest or request.
    let topics = match &args.topics {
        Some(path) => topics::Topics::load(path)?,
        None => topics::Topics::default(),
    };
    let analyzer = analyzer(&args, &topics)?;
    let mut store = Store::open(db)?;
    let mut ingest_failed = None;
    if !args.paths.is_empty() {
        let opts = ingest::Options {
            format: None,
            strict: args.strict,
            force: false,
            quiet,
            snapshot: args.snapshot,
        };
        // Analyze what did load even if some file failed; still exit non-zero for it.
        if let Err(e) = ingest::run(&mut store, &args.paths, opts) {
            ingest_failed = Some(e);
        }
    }
    let opts = analyze::Options {
        full: args.full,
        threads: args.threads,
        quiet,
        analyzer,
        topics,
    };
    let if_busy = match args.no_wait {
        true => analyze::IfBusy::Fail,
        false => analyze::IfBusy::Wait,
    };
    analyze::run_with(&mut store, &opts, if_busy)?;
    match ingest_failed {
        Some(Error::Reported(s)) if s.is_empty() => Err(Error::Reported(
            "analyzed what loaded, but an input failed (above)".into(),
        )),
        Some(Error::Reported(s)) => Err(Error::Reported(format!("analyzed what loaded, but {s}"))),
        Some(e) => Err(Error::AfterAnalyze(Box::new(e))),
        None => Ok(0),
    }
}

fn analyzer(args: &cli::AnalyzeArgs, topics: &topics::Topics) -> Result<analyze::Analyzer> {
    Ok(match args.analyzer {
        cli::AnalyzerChoice::Offline if args.llm.summaries => return Err(Error::Usage(
            "--summaries needs --analyzer llm: the model writes them (the offline analyzer cannot)"
                .into(),
        )),
        cli::AnalyzerChoice::Offline => analyze::Analyzer::Offline,
        cli::AnalyzerChoice::Llm => {
            let mut config = llm_config(&args.llm)?;
            config.topics = topics.clone();
            // A dry run sends nothing, so it needs no key.
            if !args.llm.dry_run {
                config.check()?;
            }
            analyze::Analyzer::Llm {
                config: Box::new(config),
                dry_run: args.llm.dry_run,
                batch: args.llm.batch,
                summaries: args.llm.summaries,
            }
        }
    })
}

/// The LLM analyzer's configuration, from its flags and the environment (the key only from
/// OPENAI_API_KEY).
fn llm_config(a: &cli::LlmArgs) -> Result<llm::Config> {
    let key = std::env::var("OPENAI_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .map(llm::client::Secret::new);
    let price = match (&a.price, &a.price_file) {
        (Some(p), _) => Some(Price::parse(p)?),
        (None, Some(f)) => Price::from_file(f, &a.model)?.or(Price::for_model(&a.model)),
        (None, None) => Price::for_model(&a.model),
    };
    if let Some(m) = a.max_cost {
        if !(m.is_finite() && m >= 0.0) {
            return Err(Error::Usage(format!(
                "--max-cost {m}: must be a positive number of USD"
            )));
        }
        if price.is_none() {
            return Err(Error::Usage(format!(
                "--max-cost needs a price for model {}: give --price IN,OUT",
                a.model
            )));
        }
    }
    Ok(llm::Config {
        model: a.model.trim().to_string(),
        base_url: a.base_url.trim().to_string(),
        key,
        concurrency: a.concurrency as usize,
        batch_size: a.batch_size as usize,
        batch_chars: a.batch_chars.max(1),
        timeout: Duration::from_secs(a.timeout.max(1)),
        format: if a.json_object {
            ResponseFormat::JsonObject
        } else {
            ResponseFormat::JsonSchema
        },
        price,
        max_cost: a.max_cost,
        retry: RetryPolicy {
            max_attempts: a.max_attempts.max(1),
            // For tests: the first backoff in milliseconds (the doubling and cap stay).
            base_delay: std::env::var("PRODINSIGHT_LLM_BACKOFF_MS")
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map_or(RetryPolicy::default().base_delay, Duration::from_millis),
            ..RetryPolicy::default()
        },
        topics: topics::Topics::default(),
    })
}

/// A view with `--since`/`--until`/`--compare` becomes its windowed form; None without them.
fn window_view(args: &cli::ReportArgs) -> Result<Option<(Window, WindowView)>> {
    let (w, view) = match &args.view {
        None => (
            &args.window,
            WindowView::Portfolio {
                brands: args.brand.clone(),
            },
        ),
        Some(ReportView::Product { asin, window }) => (window, WindowView::Product(asin.clone())),
        Some(ReportView::Products(l)) => {
            let q = product_query(l.clone());
            let view = WindowView::Products {
                brands: q.brands,
                min_reviews: q.min_reviews,
                sort: q.sort,
                descending: q.descending,
                limit: q.limit,
                after: None,
            };
            (&l.window, view)
        }
        Some(ReportView::Brands(l)) => {
            let q = brand_query(l.clone());
            let view = WindowView::Brands {
                brands: q.brands,
                sort: q.sort,
                descending: q.descending,
                limit: q.limit,
                after: None,
            };
            (&l.window, view)
        }
        Some(ReportView::Issues(l)) => (
            &l.window,
            WindowView::Issues {
                brands: l.brand.clone(),
                sort: issue_sort(l.sort),
                limit: l.limit.unwrap_or(UNLIMITED).min(UNLIMITED),
                after: None,
            },
        ),
        _ => return Ok(None),
    };
    if w.since.is_none() && w.until.is_none() && w.compare.is_none() {
        return Ok(None);
    }
    if let Some(ReportView::Products(l)) = &args.view {
        if l.issue.is_some() {
            return Err(Error::Usage(
                "--issue: not available with a time window (--since, --until, --compare)".into(),
            ));
        }
    }
    Ok(Some((checked_window(w)?, view)))
}

/// `--since`/`--until`/`--compare` checked as the API checks `from`/`to`/`compare`.
fn checked_window(w: &cli::WindowArgs) -> Result<Window> {
    let compare = w.compare.map(|_| "previous");
    filters::window(
        ["--since", "--until", "--compare"],
        w.since,
        w.until,
        compare,
    )
    .map_err(|e| Error::Usage(format!("{}: {}", e.param, e.message)))
}

/// `--since`/`--until` of a view without comparisons.
fn day_range(d: &cli::DayArgs) -> Result<Window> {
    checked_window(&cli::WindowArgs {
        since: d.since,
        until: d.until,
        compare: None,
    })
}

/// `report changes`' runs, checked as the API checks `/changes?from=&to=`.
fn change_query(
    since: Option<String>,
    until: Option<chrono::NaiveDate>,
    threshold_points: f64,
    min_reviews: i64,
    brands: Vec<String>,
) -> Result<ChangeQuery> {
    let (since, until) = filters::runs_finished(["--since", "--until"], since, until)
        .map_err(|e| Error::Usage(format!("{}: {}", e.param, e.message)))?;
    Ok(ChangeQuery {
        since,
        until,
        threshold_points,
        min_reviews,
        brands,
    })
}

fn issue_sort(k: cli::IssueSortKey) -> IssueSort {
    match k {
        cli::IssueSortKey::Reviews => IssueSort::Reviews,
        cli::IssueSortKey::Impact => IssueSort::Impact,
    }
}

fn report_options(args: cli::ReportArgs, quiet: bool) -> Result<report::Options> {
    let window = window_view(&args)?;
    let format = match args.format {
        cli::OutputFormat::Table => report::Format::Table,
        cli::OutputFormat::Csv => report::Format::Csv,
        cli::OutputFormat::Json => report::Format::Json,
        cli::OutputFormat::Jsonl => report::Format::Jsonl,
        cli::OutputFormat::Html => report::Format::Html,
    };
    let view = if let Some((w, v)) = window {
        report::View::Window(w, v)
    } else {
        match args.view {
            None => report::View::Overview(report::Overview {
                brands: args.brand,
                min_reviews: args.min_reviews,
                limit: args.limit,
            }),
            Some(ReportView::Products(l)) => report::View::Products(product_query(l)),
            Some(ReportView::Product { asin, .. }) => report::View::Product(asin),
            Some(ReportView::Brands(l)) => report::View::Brands(brand_query(l)),
            Some(ReportView::Brand { name, window }) => report::View::Brand {
                name,
                window: checked_window(&window)?,
            },
            Some(ReportView::Issues(l)) => report::View::Issues(
                Filter {
                    brands: l.brand,
                    limit: l.limit.map(|n| n.min(UNLIMITED) as i64),
                    ..Default::default()
                },
                issue_sort(l.sort),
            ),
            Some(ReportView::Reviews(l)) => report::View::Reviews(Filter {
                window: day_range(&l.days)?,
                brands: l.brand,
                asin: l.asin,
                min_reviews: None,
                issue: l.issue,
                limit: l.limit.map(|n| n.min(UNLIMITED) as i64),
                history: l.history,
            }),
            Some(ReportView::Liked(l)) => report::View::Liked {
                window: checked_window(&l.window)?,
                brands: l.brand,
                by_brand: l.by_brand,
            },
            Some(ReportView::Breakdowns(b)) => report::View::Breakdowns {
                window: day_range(&b.days)?,
                brands: b.brand,
                by_brand: b.by_brand,
            },
            Some(ReportView::Issue { code, window }) => report::View::Issue {
                code,
                window: checked_window(&window)?,
            },
            Some(ReportView::Aspects(a)) => report::View::Aspects {
                window: checked_window(&a.window)?,
                asin: a.asin,
                brands: a.brand,
            },
            Some(ReportView::Runs { days }) => report::View::Runs(day_range(&days)?),
            Some(ReportView::Changes(c)) => report::View::Changes {
                query: change_query(c.since, c.until, c.threshold, c.min_reviews, c.brand)?,
                fail_on_alert: c.fail_on_alert,
            },
        }
    };
    Ok(report::Options {
        view,
        format,
        output: args.output,
        raw_csv: args.raw_csv,
        quiet,
    })
}

/// `--order`, or the sort key's natural direction.
fn descending(order: Option<cli::Order>, natural: bool) -> bool {
    order.map_or(natural, |o| o == cli::Order::Desc)
}

fn product_query(l: cli::ProductsArgs) -> ProductQuery {
    let sort = match l.sort {
        None => ProductSort::DEFAULT,
        Some(cli::SortKey::Reviews) => ProductSort::Reviews,
        Some(cli::SortKey::Rating) => ProductSort::Rating,
        Some(cli::SortKey::Negative) => ProductSort::Negative,
        Some(cli::SortKey::Trend) => ProductSort::Trend,
        Some(cli::SortKey::Asin) => ProductSort::Asin,
    };
    ProductQuery {
        brands: l.brand,
        min_reviews: l.min_reviews,
        issue: l.issue,
        sort,
        descending: descending(l.order, sort.default_descending()),
        limit: l.limit.unwrap_or(UNLIMITED).min(UNLIMITED),
        ..Default::default()
    }
}

fn brand_query(l: cli::BrandsArgs) -> BrandQuery {
    let sort = match l.sort {
        None | Some(cli::BrandSortKey::Reviews) => BrandSort::Reviews,
        Some(cli::BrandSortKey::Products) => BrandSort::Products,
        Some(cli::BrandSortKey::Rating) => BrandSort::Rating,
        Some(cli::BrandSortKey::Negative) => BrandSort::Negative,
        Some(cli::BrandSortKey::Brand) => BrandSort::Brand,
    };
    BrandQuery {
        brands: l.brand,
        sort,
        descending: descending(l.order, sort.default_descending()),
        limit: l.limit.unwrap_or(UNLIMITED).min(UNLIMITED),
        after: None,
    }
}

fn serve_options(args: cli::ServeArgs, quiet: bool) -> Result<serve::Options> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Ok(serve::Options {
        addr: args.addr,
        threads: args.threads.unwrap_or(cores.max(2)),
        quiet,
        max_connections: args.max_connections,
        idle_timeout: args.idle_timeout,
        request_timeout: args.request_timeout,
        dashboard: !args.no_dashboard,
        shutdown_grace: args.shutdown_grace,
        allow_remote: args.allow_remote,
        token: api_token(args.token_file.as_deref())?,
        cors_origin: args.cors_origin,
        log_format: match args.log_format {
            cli::LogFormatArg::Text => serve::LogFormat::Text,
            cli::LogFormatArg::Json => serve::LogFormat::Json,
        },
    })
}

/// The API token: from --token-file, else PRODINSIGHT_API_TOKEN (read here, not by clap, so that
/// `--help` never shows its value).
fn api_token(file: Option<&Path>) -> Result<Option<String>> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::io(format!("cannot read the token file {}", f.display()), e))?;
        return Ok(Some(text));
    }
    Ok(std::env::var("PRODINSIGHT_API_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty()))
}
