//! prodinsight: batch analytics for Amazon product reviews.
//!
//! `ingest` loads exports into the raw layer, `analyze` derives the insights layer, `report` reads
//! it. Commands never call each other: they meet in `model`, `taxonomy` and `store`; `run` composes them.

pub mod analyze;
pub mod cli;
pub mod error;
pub mod filters;
pub mod ingest;
pub mod model;
pub mod progress;
pub mod report;
pub mod serve;
pub mod store;
pub mod taxonomy;
pub mod textsafe;

use clap::Parser;

use cli::{Cli, Command};
use error::{Error, Result};
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
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => 0,
        Err(Error::Reported(s)) if s.is_empty() => error::EXIT_FAILURE,
        Err(e) => {
            // Messages quote file names, headers and values: no control character of theirs
            // reaches the terminal.
            eprintln!("error: {}", textsafe::escape_control(&e.to_string()));
            e.exit_code()
        }
    }
}

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Ingest(args) => {
            let mut store = Store::open(&cli.db)?;
            let opts = ingest::Options {
                format: args.format,
                strict: args.strict,
                force: args.force,
                quiet: cli.quiet,
            };
            ingest::run(&mut store, &args.paths, opts)?;
            Ok(0)
        }
        Command::Analyze(args) => {
            // A configuration that cannot work fails before any ingest or request.
            let llm_config = match args.analyzer {
                cli::AnalyzerChoice::Offline => None,
                cli::AnalyzerChoice::Llm => {
                    let c = analyze::llm::Config::from_args(&args.llm)?;
                    // A dry run sends nothing, so it needs no key.
                    if !args.llm.dry_run {
                        c.check()?;
                    }
                    Some(c)
                }
            };
            let mut store = Store::open(&cli.db)?;
            let mut ingest_failed = None;
            if !args.paths.is_empty() {
                let opts = ingest::Options {
                    format: None,
                    strict: args.strict,
                    force: false,
                    quiet: cli.quiet,
                };
                // Analyze what did load even if some file failed; still exit non-zero for it.
                if let Err(e) = ingest::run(&mut store, &args.paths, opts) {
                    ingest_failed = Some(e);
                }
            }
            let analyzer = match llm_config {
                None => analyze::Analyzer::Offline,
                Some(config) => analyze::Analyzer::Llm {
                    config: Box::new(config),
                    dry_run: args.llm.dry_run,
                    batch: args.llm.batch,
                },
            };
            let opts = analyze::Options {
                full: args.full,
                threads: args.threads,
                quiet: cli.quiet,
                analyzer,
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
                Some(Error::Reported(s)) => {
                    Err(Error::Reported(format!("analyzed what loaded, but {s}")))
                }
                Some(e) => Err(Error::Other(format!("analyzed, but ingest failed: {e}"))),
                None => Ok(0),
            }
        }
        Command::Report(args) => {
            let store = Store::open_readonly(&cli.db)?;
            report::run(&store, &args)
        }
        Command::Serve(args) => {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let opts = serve::Options {
                addr: args.addr,
                threads: args.threads.unwrap_or(cores.max(2)),
                quiet: cli.quiet,
                max_connections: args.max_connections,
                idle_timeout: args.idle_timeout,
                request_timeout: args.request_timeout,
                dashboard: !args.no_dashboard,
            };
            serve::run(&cli.db, &opts)?;
            Ok(0)
        }
    }
}
