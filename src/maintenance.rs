//! `backup`, `check` and `prune`: operating the database file (the SQL is in
//! `store::maintenance`).

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::store::{self, maintenance, Store};
use crate::textsafe::escape_control;

/// Copies `db` to `dest`; refuses to overwrite an existing file unless `force`, and never the
/// database itself.
pub fn backup(db: &Path, dest: &Path, force: bool, quiet: bool) -> Result<()> {
    if let Some(protected) = store::database_file(dest, db) {
        return Err(Error::Usage(format!(
            "{} is the database ({}); choose another file",
            dest.display(),
            protected.display()
        )));
    }
    // A backup is renamed into place: over a FIFO or a device it would replace it (as root, /dev/null).
    if std::fs::metadata(dest).is_ok_and(|m| !m.is_file()) {
        return Err(Error::Usage(format!(
            "{} is not a regular file; a backup is written to a file",
            dest.display()
        )));
    }
    if !force && std::fs::symlink_metadata(dest).is_ok() {
        return Err(Error::Usage(format!(
            "{} exists; use --force to replace it",
            dest.display()
        )));
    }
    let started = std::time::Instant::now();
    let size = maintenance::backup(db, dest)?;
    if !quiet {
        eprintln!(
            "backed up {} to {} ({:.1} MB) in {:.1} s",
            db.display(),
            dest.display(),
            size as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Prints the health of `db`; exit code 1 when there is a problem.
pub fn check(db: &Path, quick: bool, json: bool, quiet: bool) -> Result<i32> {
    let health = maintenance::check(db, quick)?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &health)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else if quiet {
        Ok(())
    } else {
        write_lines(&mut out, &health)
    };
    written.map_err(|e| Error::io("stdout", e))?;
    if health.problems.is_empty() {
        return Ok(0);
    }
    for p in &health.problems {
        eprintln!("problem: {}", escape_control(p));
    }
    Ok(crate::error::EXIT_FAILURE)
}

fn write_lines(out: &mut impl Write, h: &maintenance::Health) -> std::io::Result<()> {
    let c = &h.counts;
    writeln!(out, "database        {}", escape_control(&h.database))?;
    writeln!(out, "size            {:.1} MB", h.size_bytes as f64 / 1e6)?;
    writeln!(
        out,
        "schema          version {} (this prodinsight: {})",
        h.schema_version, h.schema_supported
    )?;
    writeln!(
        out,
        "integrity       {}",
        escape_control(&h.integrity.join("; "))
    )?;
    writeln!(
        out,
        "foreign keys    {} violations",
        h.foreign_key_violations
    )?;
    writeln!(
        out,
        "rows            {} reviews, {} products, {} brands, {} rejected records",
        c.reviews, c.products, c.brands, c.rejected_records
    )?;
    for (what, run) in [
        ("last ingest", &h.last_ingest),
        ("last analysis", &h.last_analysis),
    ] {
        match run {
            Some(r) => writeln!(
                out,
                "{what:<15} #{} {} (started {}, finished {}){}",
                r.id,
                r.status,
                r.started_at,
                r.finished_at.as_deref().unwrap_or("-"),
                match what {
                    "last analysis" => unfinished_hint(&r.status),
                    _ => unfinished_ingest_hint(&r.status),
                }
            )?,
            None => writeln!(out, "{what:<15} none")?,
        }
    }
    writeln!(out, "not analyzed    {} reviews", h.reviews_not_analyzed)?;
    write_space(out, &h.space)?;
    writeln!(out, "texts failed    {}", c.text_failures)?;
    let verdict = match h.problems.len() {
        0 => "ok".to_string(),
        n => format!("{n} problem(s)"),
    };
    writeln!(out, "status          {verdict}")
}

/// An ingest killed before its file committed kept nothing of that file.
fn unfinished_ingest_hint(status: &str) -> &'static str {
    match status {
        "interrupted" => ": its process ended before its file was committed (killed, or stopped by an error such as a full disk); nothing of that file was kept: ingest it again",
        _ => "",
    }
}

/// What a run that did not finish means for the data: nothing stored is lost, the next run goes on.
fn unfinished_hint(status: &str) -> &'static str {
    match status {
        "interrupted" => ": its process ended before it finished (killed, or stopped by an error such as a full disk); reports show the run before it, and the next analyze continues from the texts it kept",
        "failed" => ": reports show the run before it; the next analyze tries again",
        _ => "",
    }
}

fn write_space(out: &mut impl Write, s: &maintenance::Space) -> std::io::Result<()> {
    let mb = |b: i64| b as f64 / 1e6;
    writeln!(
        out,
        "space           {:.1} MB used ({} bytes per review), {:.1} MB free (VACUUM gives it back)",
        mb(s.used_bytes),
        s.bytes_per_review.map_or("-".into(), |b| b.to_string()),
        mb(s.free_bytes)
    )?;
    writeln!(
        out,
        "space: history {:.1} MB of snapshots from {} runs (prune --keep-runs N), {:.1} MB of review versions",
        mb(s.snapshot_bytes),
        s.snapshot_runs,
        mb(s.version_bytes)
    )?;
    let top: Vec<String> = (s.tables.iter().take(6))
        .map(|t| format!("{} {:.1} MB", t.table, mb(t.bytes)))
        .collect();
    writeln!(out, "space: tables   {}", top.join(", "))
}

/// Deletes the snapshots of runs older than the newest `keep` (see `Store::prune_snapshots`) and
/// says what went; with `vacuum`, rewrites the file and says what it gave back.
pub fn prune(store: &mut Store, keep: usize, vacuum: bool, quiet: bool) -> Result<()> {
    let pruned = store.prune_snapshots(keep)?;
    if !quiet {
        eprintln!(
            "prune: deleted the snapshots of {} runs ({} product rows, {} brand rows)",
            pruned.runs, pruned.product_rows, pruned.brand_rows
        );
    }
    if vacuum {
        let path = store.path().to_path_buf();
        let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
        let before = size();
        let started = std::time::Instant::now();
        store.vacuum()?;
        if !quiet {
            eprintln!(
                "prune: vacuumed {:.1} MB → {:.1} MB in {:.1} s",
                before as f64 / 1e6,
                size() as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

/// GET /healthz on a running server; 0 when it answers 200 within `timeout`.
pub fn healthcheck(addr: std::net::SocketAddr, timeout: std::time::Duration, quiet: bool) -> i32 {
    use std::io::Read;
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let asked = std::net::TcpStream::connect_timeout(&addr, timeout).and_then(|mut s| {
        s.set_read_timeout(Some(timeout))?;
        s.set_write_timeout(Some(timeout))?;
        write!(
            s,
            "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        Ok(head)
    });
    match asked {
        Ok(head) if head.starts_with(b"HTTP/1.1 200") || head.starts_with(b"HTTP/1.0 200") => 0,
        Ok(head) => {
            if !quiet {
                eprintln!("unhealthy: {}", String::from_utf8_lossy(&head).trim());
            }
            crate::error::EXIT_FAILURE
        }
        Err(e) => {
            if !quiet {
                eprintln!("no answer from {addr}: {e}");
            }
            crate::error::EXIT_FAILURE
        }
    }
}
