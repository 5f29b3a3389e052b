//! `prodinsight ingest`: load review exports into the raw layer, one transaction per file.

mod dates;
pub mod fields;
pub mod formats;
mod input;
mod snapshot;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Instant;

use indicatif::ProgressBar;

use crate::error::{Error, Result};
use crate::model::{IngestCounts, Keyed};
use crate::progress;
use crate::store::raw::{Outcome, RawWriter};
use crate::store::snapshot::SnapshotCounts;
use crate::store::{now_utc, Store};
use crate::textsafe::escape_control;
use formats::Item;
use input::Input;

/// The format of an export; the variants' comments are `--format`'s help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// A JSON array of records (bare NaN/Infinity read as null)
    Json,
    /// One JSON record per line
    Jsonl,
    /// Comma-separated with a header row
    Csv,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub format: Option<InputFormat>,
    pub strict: bool,
    /// Read a file even when one with the same bytes was ingested before.
    pub force: bool,
    pub quiet: bool,
    /// The paths together are the complete current reviews of their products (see
    /// `store::snapshot`): what they no longer hold is retired, edits become versions.
    pub snapshot: bool,
}

/// What ingesting all the paths did.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub failed: usize,
    /// Files with the same bytes as one read before, so not read again.
    pub repeats: usize,
    pub totals: IngestCounts,
    /// With `--snapshot`: what the snapshot step matched and retired.
    pub snapshot: Option<SnapshotCounts>,
}

/// Ingests every path; a file that fails is reported (here, once) and the others go on. Errs if
/// any failed, with `Error::Reported`: the causes are already on stderr.
pub fn run(store: &mut Store, paths: &[PathBuf], opts: Options) -> Result<Summary> {
    let paths = expand(paths, opts.quiet)?;
    // Held until the command ends: its attempts show as running, not interrupted.
    let _live = crate::store::raw::IngestLock::take(store.path());
    // A snapshot is one transaction for all its files: one attempt records the command.
    let mut attempt = None;
    if opts.snapshot {
        let name = format!("snapshot of {} inputs", paths.len());
        attempt = store.begin_attempt(&name, "snapshot", &now_utc())?;
        store.begin_snapshot()?;
    }
    let mut summary = Summary::default();
    for path in paths {
        summary.files += 1;
        match ingest_one(store, &path, opts) {
            Ok((c, repeat)) => {
                add(&mut summary.totals, &c);
                summary.repeats += usize::from(repeat);
            }
            Err(e) => {
                summary.failed += 1;
                let msg = file_error(&path, store.path(), e);
                eprintln!("error: {}", escape_control(&msg));
            }
        }
    }
    if opts.snapshot {
        snapshot::finish(store, &mut summary, opts.quiet, attempt)?;
    }
    match summary.failed {
        0 => Ok(summary),
        1 if summary.files == 1 => Err(Error::Reported(String::new())),
        n => Err(Error::Reported(format!(
            "{n} of {} inputs failed; no review from them was kept",
            summary.files
        ))),
    }
}

/// A file's failure names the file, and a database failure (a full disk) the database too.
fn file_error(path: &Path, db: &Path, e: Error) -> String {
    let file = path.display().to_string();
    let msg = match e {
        Error::Sql(source) => format!("database {}: {source}", db.display()),
        other => other.to_string(),
    };
    if msg.contains(&file) {
        msg
    } else {
        format!("{file}: {msg}")
    }
}

fn add(t: &mut IngestCounts, c: &IngestCounts) {
    t.read += c.read;
    t.new += c.new;
    t.updated += c.updated;
    t.unchanged += c.unchanged;
    t.duplicates += c.duplicates;
    t.rejected += c.rejected;
}

const EXTENSIONS: [&str; 4] = ["json", "jsonl", "ndjson", "csv"];

fn is_export(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    !name.starts_with('.') && EXTENSIONS.iter().any(|e| name.ends_with(&format!(".{e}")))
}

/// Files stand for themselves (a FIFO or `<(…)` too: it is read as a stream); directories for
/// the regular export files under them, in name order. Symbolic links are followed, but each real
/// directory is walked once and each real file read once, so links to `..` or loops cost nothing.
fn expand(paths: &[PathBuf], quiet: bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut seen, &mut out, quiet)?;
            if out.len() == before {
                return Err(Error::Input {
                    path: p.display().to_string(),
                    message:
                        "no .json, .jsonl, .ndjson or .csv files (optionally .gz) in this directory"
                            .into(),
                });
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// What makes a directory or file the same one under another path.
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(_: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(p: &Path, _: &std::fs::Metadata) -> Option<FileId> {
    std::fs::canonicalize(p).ok()
}

#[derive(Default)]
struct Seen {
    dirs: std::collections::HashSet<FileId>,
    files: std::collections::HashSet<FileId>,
}

/// Depth first, in name order, without recursion (a deep tree cannot exhaust the stack).
fn walk(root: &Path, seen: &mut Seen, out: &mut Vec<PathBuf>, quiet: bool) -> Result<()> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        // Follows links: a link to a directory or a file is walked or read, once.
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                if is_export(&p) && !quiet {
                    eprintln!("{}: skipped: {e}", escape_control(&p.display().to_string()));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if !file_id(&p, &meta).is_some_and(|id| seen.dirs.insert(id)) {
                continue;
            }
            let rd = std::fs::read_dir(&p).map_err(|e| Error::io(p.display().to_string(), e))?;
            let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort_unstable_by(|a, b| b.cmp(a)); // popped in name order
            stack.extend(entries);
        } else if is_export(&p) {
            if !meta.is_file() {
                // A FIFO would block the walk until something writes to it; a device never ends.
                if !quiet {
                    eprintln!(
                        "{}: skipped: not a regular file",
                        escape_control(&p.display().to_string())
                    );
                }
            } else if file_id(&p, &meta).is_some_and(|id| seen.files.insert(id)) {
                out.push(p);
            }
        }
    }
    Ok(())
}

// Nearly every record is a `Review`: boxing it would cost an allocation per record.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Review {
        no: u64,
        line: u64,
        rec: Keyed,
        raw: formats::Raw,
    },
    Bad {
        no: u64,
        line: u64,
        reason: String,
        raw: String,
        /// The product the record names, when read for a snapshot (see `fields::asin_hint`).
        asin: Option<String>,
    },
}

const BATCH: usize = 512;

/// One file in one transaction: opened, recognised if its bytes were read before, loaded, summed
/// up. A file that fails is recorded in `ingest_runs` as well, with the reason.
/// Returns the file's counts, and whether it was a repeat of an earlier read.
fn ingest_one(store: &mut Store, path: &Path, opts: Options) -> Result<(IngestCounts, bool)> {
    let attempt = Attempt {
        name: path.display().to_string(),
        started: Instant::now(),
        started_at: now_utc(),
    };
    let input = match Input::open(path, opts.format) {
        Ok(i) => i,
        Err(msg) => {
            // Recorded like any failed file, so `report runs` shows the attempt and the reason.
            let msg = escape_control(&msg).into_owned();
            let format = opts.format.map_or("unknown", input::format_name);
            store.record_failed_ingest(&attempt.name, format, &attempt.started_at, &msg, None)?;
            return Err(attempt.error(msg));
        }
    };
    let format_label = input.label();
    let started_at = &attempt.started_at;
    if let Some((run, counts)) = same_file(store, path, &input, &format_label, started_at, opts)? {
        if !opts.quiet {
            attempt.print_same_file(run, &counts);
        }
        return Ok((counts, true));
    }
    let pb = progress::bar(input.size, true, opts.quiet, &escape_control(&attempt.name));
    let started = store.begin_attempt(&attempt.name, &format_label, started_at)?;
    let mut writer = store.begin_ingest(&attempt.name, &format_label, input.size, started)?;
    let mut tally = Tally::default();
    let (written, parsed) = load(
        &mut writer,
        &mut tally,
        input,
        opts.strict,
        opts.snapshot,
        &pb,
    );
    pb.finish_and_clear();
    let stopped = written?; // a database error: dropping the writer rolls the file back
    let (size, sha) = match stopped.map_or(parsed, Err) {
        Ok(v) => v,
        Err(msg) => {
            drop(writer); // rolls the whole file back
            let msg = escape_control(&msg).into_owned();
            store.record_failed_ingest(&attempt.name, &format_label, started_at, &msg, started)?;
            return Err(attempt.error(format!("{msg}; nothing from this file was kept")));
        }
    };
    if let Some(msg) = tally.nothing_loaded() {
        // The rejected records are kept under the failed run, for diagnosis; no review of it is.
        if !writer.fail(&tally.counts, size, &sha, &msg)? {
            store.record_failed_ingest(&attempt.name, &format_label, started_at, &msg, started)?;
        }
        return Err(attempt.error(msg));
    }
    writer.finish(&tally.counts, size, &sha)?;
    if !opts.quiet {
        // A snapshot's counts are only known once all its files are in: said once, at the end.
        attempt.print_summary(&tally, !opts.snapshot);
    }
    Ok((tally.counts, false))
}

/// One file's ingest: what names it in errors, in `ingest_runs` and in the summary.
struct Attempt {
    name: String,
    started: Instant,
    started_at: String,
}

impl Attempt {
    fn error(&self, message: String) -> Error {
        Error::Input {
            path: self.name.clone(),
            message,
        }
    }

    fn print_same_file(&self, run: i64, counts: &IngestCounts) {
        eprintln!(
            "{}: the same bytes as ingest run {run}, not read again; {} records unchanged ({} duplicate, {} rejected then) in {:.2} s",
            escape_control(&self.name),
            counts.unchanged,
            counts.duplicates,
            counts.rejected,
            self.started.elapsed().as_secs_f64()
        );
    }

    fn print_summary(&self, tally: &Tally, counts_too: bool) {
        let (counts, first) = (&tally.counts, &tally.first_rejections);
        if !counts_too && counts.rejected > 0 {
            eprintln!("{}:", escape_control(&self.name));
        }
        if counts_too {
            eprintln!(
            "{}: {} read, {} new, {} updated, {} unchanged, {} duplicate, {} rejected in {:.2} s",
            escape_control(&self.name),
            counts.read,
            counts.new,
            counts.updated,
            counts.unchanged,
            counts.duplicates,
            counts.rejected,
            self.started.elapsed().as_secs_f64()
        );
        }
        for r in first {
            eprintln!("  rejected {r}");
        }
        if counts.rejected > first.len() as u64 {
            eprintln!(
                "  … and {} more (all stored in the table rejected_records)",
                counts.rejected - first.len() as u64
            );
        }
    }
}

/// What the write loop counts and the summary reports.
#[derive(Default)]
struct Tally {
    counts: IngestCounts,
    /// The first few rejections, quoted in the summary and in errors.
    first_rejections: Vec<String>,
}

impl Tally {
    /// Stores one parsed record, or the reason it was rejected.
    #[inline]
    fn write(&mut self, writer: &mut RawWriter<'_>, p: &Parsed) -> Result<()> {
        self.counts.read += 1;
        match *p {
            Parsed::Review {
                no,
                line,
                ref rec,
                ref raw,
            } => match writer.put(rec) {
                Ok(outcome) => {
                    let n = match outcome {
                        Outcome::New => &mut self.counts.new,
                        Outcome::Updated => &mut self.counts.updated,
                        Outcome::Unchanged => &mut self.counts.unchanged,
                        Outcome::Duplicate => &mut self.counts.duplicates,
                    };
                    *n += 1;
                    Ok(())
                }
                // A constraint the mapping did not foresee is this record's problem only.
                Err(Error::Sql(rusqlite::Error::SqliteFailure(e, msg)))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    let reason = format!(
                        "rejected by the database: {}",
                        msg.unwrap_or_else(|| e.to_string())
                    );
                    self.reject(writer, no, line, &reason, &raw.to_text())?;
                    writer.note_rejected(Some(&rec.record.asin))
                }
                Err(e) => Err(e),
            },
            Parsed::Bad {
                no,
                line,
                ref reason,
                ref raw,
                ref asin,
            } => {
                self.reject(writer, no, line, reason, raw)?;
                writer.note_rejected(asin.as_deref())
            }
        }
    }

    fn reject(
        &mut self,
        writer: &mut RawWriter<'_>,
        no: u64,
        line: u64,
        reason: &str,
        raw: &str,
    ) -> Result<()> {
        self.counts.rejected += 1;
        // Reasons quote the source (names, values): no control character of it reaches a log.
        let reason = escape_control(reason);
        if self.first_rejections.len() < 5 {
            self.first_rejections
                .push(format!("record {no} (line {line}): {reason}"));
        }
        writer.reject(no, line, &reason, raw)
    }

    /// Why the file failed when every record was rejected (most likely the wrong file, which
    /// cron must notice), already escaped; None when something loaded or nothing was read.
    fn nothing_loaded(&self) -> Option<String> {
        let read = self.counts.read;
        if read == 0 || self.counts.rejected != read {
            return None;
        }
        let msg = match self.first_rejections.first() {
            Some(first) if read == 1 => {
                format!("no record loaded: its one record was rejected: {first}")
            }
            Some(first) => {
                format!("no record loaded: all {read} records were rejected, the first: {first}")
            }
            None => "no record loaded".to_string(),
        };
        let msg = format!("{msg}; no review from this file was kept (is it a review export?)");
        Some(escape_control(&msg).into_owned())
    }
}

/// Reads and writes one file: parsing runs on its own thread so that it overlaps with SQLite's
/// work on this one. Returns the write loop's result (Err for a database error, Some reason
/// when it stopped early) and the parser's ((bytes, sha256), or why the file is unreadable).
fn load(
    writer: &mut RawWriter<'_>,
    tally: &mut Tally,
    input: Input,
    strict: bool,
    snapshot: bool,
    pb: &ProgressBar,
) -> (Result<Option<String>>, ParseResult) {
    let bytes_read = input.counter();
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Vec<Parsed>>(16);
        // Written batches come back to be dropped there: the parser allocated their strings, and
        // freeing them on the thread that made them is several times cheaper than on the writer.
        let (done_tx, done_rx) = sync_channel::<Vec<Parsed>>(16);
        let parser = s.spawn(move || parse_batches(input, tx, done_rx, snapshot));
        let progress = || pb.set_position(bytes_read.load(Ordering::Relaxed));
        // Returning drops the write loop's ends of both channels, so a parser blocked on a full
        // queue wakes up and stops.
        let written = write_batches(writer, tally, rx, done_tx, strict, progress);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err("the parser thread panicked".into()));
        (written, parsed)
    })
}

/// (bytes read, sha256) of a file read to its end, or why it could not be.
type ParseResult = std::result::Result<(u64, String), String>;

/// The parser thread: records in batches of `BATCH`, reusing the batches the writer handed back.
fn parse_batches(
    input: Input,
    tx: SyncSender<Vec<Parsed>>,
    done_rx: Receiver<Vec<Parsed>>,
    snapshot: bool,
) -> ParseResult {
    let (mut src, hasher) = input.into_source();
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(item) = src.next_item()? {
        batch.push(parse(item, snapshot));
        if batch.len() == BATCH {
            let next = match done_rx.try_recv() {
                Ok(mut used) => {
                    used.clear();
                    used
                }
                Err(_) => Vec::with_capacity(BATCH),
            };
            let full = std::mem::replace(&mut batch, next);
            if tx.send(full).is_err() {
                return Err("stopped".into()); // the writer gave up (--strict)
            }
        }
    }
    if !batch.is_empty() && tx.send(batch).is_err() {
        return Err("stopped".into());
    }
    drop(src);
    Ok(hasher.finish())
}

/// A record mapped to a review with its keys and hashes (here, off the writer's thread), or why
/// it cannot be one. For a snapshot, a rejected record keeps the product it names.
#[inline]
fn parse(item: Item, snapshot: bool) -> Parsed {
    match item {
        Item::Record {
            no,
            line,
            value,
            raw,
        } => {
            let asin = snapshot.then(|| fields::asin_hint(&value)).flatten();
            mapped(no, line, fields::to_review(value), raw, asin)
        }
        Item::Bad {
            no,
            line,
            reason,
            raw,
        } => Parsed::Bad {
            no,
            line,
            reason,
            raw,
            asin: None,
        },
    }
}

#[inline]
fn mapped(
    no: u64,
    line: u64,
    review: std::result::Result<crate::model::ReviewRecord, String>,
    raw: formats::Raw,
    asin: Option<String>,
) -> Parsed {
    match review {
        Ok(rec) => Parsed::Review {
            no,
            line,
            rec: Keyed::from(rec),
            raw,
        },
        Err(reason) => Parsed::Bad {
            no,
            line,
            reason,
            raw: raw.to_text(),
            asin,
        },
    }
}

/// The write loop: every record of every batch, until the parser is done, the database fails
/// (Err) or --strict meets a rejection (Some reason).
fn write_batches(
    writer: &mut RawWriter<'_>,
    tally: &mut Tally,
    rx: Receiver<Vec<Parsed>>,
    done_tx: SyncSender<Vec<Parsed>>,
    strict: bool,
    progress: impl Fn(),
) -> Result<Option<String>> {
    for batch in rx.iter() {
        for p in &batch {
            tally.write(writer, p)?;
            if strict && tally.counts.rejected > 0 {
                let first = tally.first_rejections.first().cloned();
                return Ok(Some(format!("--strict: {}", first.unwrap_or_default())));
            }
        }
        progress();
        // When the parser is done or the queue is full, the batch is simply dropped here.
        let _ = done_tx.try_send(batch);
    }
    Ok(None)
}

/// A file whose bytes equal those of an earlier successful read holds nothing new: it is recorded
/// as a run that repeats that one, without reading its records again. A size match comes first,
/// so a new file costs one query, not a second pass over its bytes.
fn same_file(
    store: &mut Store,
    path: &Path,
    input: &Input,
    format_label: &str,
    started_at: &str,
    opts: Options,
) -> Result<Option<(i64, IngestCounts)>> {
    let Some(size) = input
        .size
        .filter(|_| !opts.force && path.as_os_str() != "-")
    else {
        return Ok(None);
    };
    let priors = store.reads_of_size(size)?;
    if priors.is_empty() {
        return Ok(None);
    }
    let name = path.display().to_string();
    let sha = input::file_sha256(path).map_err(|e| Error::io(name.clone(), e))?;
    let Some(prior) = priors.iter().find(|p| p.sha256 == sha) else {
        return Ok(None);
    };
    // Under --strict, a file that had rejected records must fail as it would when read.
    if opts.strict && prior.counts.rejected > 0 {
        return Ok(None);
    }
    let counts = store.record_same_file(&name, format_label, started_at, size, prior)?;
    Ok(Some((prior.run_id, counts)))
}
