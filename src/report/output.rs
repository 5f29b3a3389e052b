//! Where report output goes (stdout or -o FILE) and how each format is written.

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};
use serde::Serialize;

use super::Format;
use crate::error::{Error, Result};
use crate::textsafe::{escape_control_with, escape_json_c1, neutralize_csv_cell};

pub struct Tabular {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub struct Out {
    w: Box<dyn Write>,
    tty: bool,
    csv: Vec<u8>,
    raw_csv: bool,
    /// With `-o`: the temporary file being written and where it goes when the report is complete.
    pending: Option<(tempfile::TempPath, PathBuf)>,
}

impl Out {
    /// Standard output, or `path` written through a temporary file beside it that replaces `path`
    /// only when the report is complete. `db` (the database being read) and its journal files are
    /// refused as `path`. `raw_csv` turns off the neutralising of formula-like CSV cells.
    pub fn open(path: Option<&Path>, db: &Path, raw_csv: bool) -> Result<Out> {
        let (w, tty, pending): (Box<dyn Write>, bool, _) = match path {
            Some(p) => {
                refuse_database(p, db)?;
                let io_err = |e| Error::io(p.display().to_string(), e);
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let tmp = tempfile::Builder::new()
                    .prefix(".prodinsight-report-")
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .map_err(io_err)?;
                let (file, tmp_path) = tmp.into_parts();
                (
                    Box::new(BufWriter::new(file)),
                    false,
                    Some((tmp_path, p.to_path_buf())),
                )
            }
            None => (
                Box::new(BufWriter::new(io::stdout().lock())),
                io::stdout().is_terminal(),
                None,
            ),
        };
        Ok(Out {
            w,
            tty,
            csv: Vec::with_capacity(1 << 17),
            raw_csv,
            pending,
        })
    }

    pub fn raw(&mut self, s: &str) -> Result<()> {
        self.w.write_all(s.as_bytes())?;
        Ok(())
    }

    pub fn line(&mut self, s: &str) -> Result<()> {
        writeln!(self.w, "{s}")?;
        Ok(())
    }

    /// One JSON document, pretty, or one line for JSON Lines.
    pub fn json<T: Serialize + ?Sized>(&mut self, v: &T, fmt: Format) -> Result<()> {
        let text = if fmt == Format::Jsonl {
            serde_json::to_string(v)
        } else {
            serde_json::to_string_pretty(v)
        }
        .unwrap_or_default();
        writeln!(self.w, "{}", escape_json_c1(text))?;
        Ok(())
    }

    pub fn csv_row<S: AsRef<[u8]>>(&mut self, cells: &[S]) -> Result<()> {
        {
            let mut wtr = csv::WriterBuilder::new()
                .buffer_capacity(512)
                .from_writer(&mut self.csv);
            let raw = self.raw_csv;
            let record = cells.iter().map(|c| -> Cow<'_, [u8]> {
                let c = c.as_ref();
                match std::str::from_utf8(c).map(neutralize_csv_cell) {
                    Ok(Cow::Owned(s)) if !raw => Cow::Owned(s.into_bytes()),
                    _ => Cow::Borrowed(c),
                }
            });
            wtr.write_record(record)
                .and_then(|_| wtr.flush().map_err(Into::into))
                .map_err(Error::Csv)?;
        }
        if self.csv.len() > 1 << 16 {
            self.flush_csv()?;
        }
        Ok(())
    }

    /// Writes a view in the asked format: the rows as JSON or JSON Lines, their cells `t` as a
    /// table, CSV or a page.
    pub fn emit<T: Serialize>(
        &mut self,
        fmt: Format,
        title: &str,
        t: &Tabular,
        values: &[T],
    ) -> Result<()> {
        match fmt {
            Format::Json => self.json(values, fmt),
            Format::Jsonl => values.iter().try_for_each(|v| self.json(v, fmt)),
            Format::Html | Format::Table | Format::Csv => self.table(fmt, title, t),
        }
    }

    /// Writes cells as a page (`Html`), CSV, or a table (`Table`, and the JSON formats, which
    /// have no cells of their own).
    pub fn table(&mut self, fmt: Format, title: &str, t: &Tabular) -> Result<()> {
        match fmt {
            Format::Html => {
                let title = if title.is_empty() {
                    "prodinsight"
                } else {
                    title
                };
                self.raw(&super::html::table_page(title, t))
            }
            Format::Csv => {
                self.csv_row(&t.headers)?;
                for r in &t.rows {
                    self.csv_row(r)?;
                }
                self.flush_csv()
            }
            Format::Table | Format::Json | Format::Jsonl => self.terminal_table(t),
        }
    }

    fn terminal_table(&mut self, t: &Tabular) -> Result<()> {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(t.headers.clone());
        if !self.tty {
            table.force_no_tty();
        }
        // Colour only on a terminal: a rise in red, a fall in green.
        let rising: Vec<bool> = t
            .headers
            .iter()
            .map(|h| matches!(*h, "Δ negative" | "change"))
            .collect();
        for r in &t.rows {
            table.add_row(r.iter().enumerate().map(|(i, c)| {
                // Review text, brands and ASINs are untrusted: no escape sequence reaches
                // the terminal.
                let cell = Cell::new(escape_control_with(c, true));
                match (self.tty && rising.get(i) == Some(&true), c.chars().next()) {
                    (true, Some('+')) => cell.fg(Color::Red),
                    (true, Some('-')) => cell.fg(Color::Green),
                    _ => cell,
                }
            }));
        }
        writeln!(self.w, "{table}")?;
        Ok(())
    }

    fn flush_csv(&mut self) -> Result<()> {
        self.w.write_all(&self.csv)?;
        self.csv.clear();
        Ok(())
    }

    /// Completes the output; with `-o`, the finished file replaces the target in one rename. An
    /// `Out` dropped without `finish` (a failed report) removes its temporary file.
    pub fn finish(mut self) -> Result<()> {
        self.flush_csv()?;
        self.w.flush()?;
        drop(self.w);
        if let Some((tmp, target)) = self.pending.take() {
            let named = |e| Error::io(target.display().to_string(), e);
            set_report_permissions(&tmp, &target).map_err(named)?;
            tmp.persist(&target).map_err(|e| named(e.error))?;
        }
        Ok(())
    }
}

/// `-o` naming the database or one of its journal files would destroy what the report reads.
fn refuse_database(out: &Path, db: &Path) -> Result<()> {
    match crate::store::database_file(out, db) {
        Some(protected) => Err(Error::Usage(format!(
            "-o {} is the database being read ({}); choose another file",
            out.display(),
            protected.display()
        ))),
        None => Ok(()),
    }
}

/// A replaced file keeps its permissions; a new one gets the usual 0644 (a temporary file is 0600).
fn set_report_permissions(tmp: &Path, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let perms = match std::fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => std::fs::Permissions::from_mode(0o644),
    };
    std::fs::set_permissions(tmp, perms)
}
