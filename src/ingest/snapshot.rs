//! The end of `ingest --snapshot`: one decision for the whole command (see `store::snapshot`).

use super::Summary;
use crate::error::Result;
use crate::store::Store;

/// Why the command retires nothing, if it must not: the snapshot is complete only when every file
/// loaded and every file was read. (Rejected records are handled per product by the store.)
fn incomplete(s: &Summary) -> Option<String> {
    if s.failed > 0 {
        Some(format!("{} of {} inputs failed", s.failed, s.files))
    } else if s.repeats > 0 {
        Some(format!(
            "{} of {} inputs repeat files read before (not read again: --force reads them)",
            s.repeats, s.files
        ))
    } else {
        None
    }
}

/// Matches edits, retires what the snapshot no longer holds when it is complete, commits, and
/// says what it did.
pub(super) fn finish(
    store: &mut Store,
    summary: &mut Summary,
    quiet: bool,
    attempt: Option<i64>,
) -> Result<()> {
    let why_not = incomplete(summary);
    if let Some(id) = attempt {
        // Inside the snapshot's transaction: the record of the attempt goes as it commits.
        store.end_attempt(id)?;
    }
    let counts = store.finish_snapshot(why_not.is_none())?;
    counts.apply(&mut summary.totals);
    summary.snapshot = Some(counts);
    if quiet {
        return Ok(());
    }
    let t = &summary.totals;
    eprintln!(
        "snapshot of {} products in {} files: {} read, {} new, {} changed, {} unchanged, {} retired, {} duplicate, {} rejected",
        counts.products, summary.files, t.read, t.new, t.updated, t.unchanged, counts.retired,
        t.duplicates, t.rejected
    );
    if counts.stale_products > 0 {
        eprintln!(
            "  {} products retired nothing: their export holds earlier versions or retired reviews (an older export)",
            counts.stale_products
        );
    }
    if counts.incomplete_products > 0 {
        eprintln!(
            "  {} products retired nothing: records of theirs were rejected",
            counts.incomplete_products
        );
    }
    let why_not = why_not.or_else(|| {
        counts
            .unknown_rejected
            .then(|| "a rejected record names no product (no readable ASIN)".to_string())
    });
    if let Some(why) = why_not {
        eprintln!("  nothing retired: {why}");
    }
    Ok(())
}
