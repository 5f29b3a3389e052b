//! Where report output goes (stdout or -o FILE) and how each format is written.

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Color, ContentArrangement, Table,
};
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
    pending: Pending,
}

impl Out {
    /// Standard output, or `path` written through a temporary file beside it that replaces `path`
    /// only when the report is complete. `db` (the database being read) and its journal files are
    /// refused as `path`. `raw_csv` turns off the neutralising of formula-like CSV cells.
    pub fn open(path: Option<&Path>, db: &Path, raw_csv: bool) -> Result<Out> {
        let (w, tty, pending): (Box<dyn Write>, bool, _) = match path {
            Some(p) => {
                refuse_database(p, db)?;
                let (w, pending) = open_output(p)?;
                (w, false, pending)
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
                match std::str::from_utf8(c) {
                    Ok(s) if !raw => match safe_csv_cell(s) {
                        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
                        Cow::Borrowed(_) => Cow::Borrowed(c),
                    },
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
        } else if table.width().unwrap_or(0) == 0 {
            // A terminal that reports no width (a pseudo-terminal nobody sized, as under `script`
            // or `docker exec` without -t sizing) squeezed every column to one character.
            table.set_width(fallback_width());
        }
        // Colour only on a terminal: a rise in red, a fall in green.
        let rising: Vec<bool> = t
            .headers
            .iter()
            .map(|h| matches!(*h, "Δ negative" | "change"))
            .collect();
        let decimals = numeric_columns(t);
        for r in &t.rows {
            table.add_row(r.iter().enumerate().map(|(i, c)| {
                // Review text, brands and ASINs are untrusted: no escape sequence reaches
                // the terminal.
                let cell = match decimals.get(i).copied().flatten() {
                    Some(d) => Cell::new(aligned_number(c, d)).set_alignment(CellAlignment::Right),
                    None => Cell::new(escape_control_with(c, true)),
                };
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

/// The writer for `-o p`. A regular file (or a new one) is written through a temporary file beside
/// it, renamed over it when complete; through a symlink, beside the file it names, so the link
/// stays. A FIFO or a device (`/dev/null`, `/dev/stdout`) is written into: a rename would put a
/// regular file in its place (as root, in `/dev`).
fn open_output(p: &Path) -> Result<(Box<dyn Write>, Pending)> {
    let io_err = |e| Error::io(p.display().to_string(), e);
    let target = match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {
            return Err(Error::Usage(format!("-o {} is a directory", p.display())));
        }
        Ok(m) if !m.is_file() => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(io_err)?;
            return Ok((Named::boxed(BufWriter::new(file), p), None));
        }
        Ok(_) => std::fs::canonicalize(p).map_err(io_err)?,
        Err(_) => p.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".prodinsight-report-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err)?;
    let (file, tmp_path) = tmp.into_parts();
    Ok((
        Named::boxed(BufWriter::new(file), p),
        Some((tmp_path, target)),
    ))
}

/// A writer whose failures name the `-o` file ("output: No space left on device" did not say
/// which), keeping the error's kind (a closed pipe is still a closed pipe).
struct Named<W> {
    w: W,
    name: String,
}

impl<W: Write + 'static> Named<W> {
    fn boxed(w: W, p: &Path) -> Box<dyn Write> {
        let name = crate::textsafe::escape_control(&p.display().to_string()).into_owned();
        Box::new(Named { w, name })
    }
}

impl<W> Named<W> {
    /// The error with the file's name in front, keeping its kind (a closed pipe stays quiet).
    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.name))
    }
}

impl<W: Write> Write for Named<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.flush().map_err(|e| self.named(e))
    }
}

/// With `-o` a file: the temporary file being written and where it goes when the report is complete.
type Pending = Option<(tempfile::TempPath, PathBuf)>;

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

/// For each column whose every non-empty cell is a plain number, the most decimals any of them
/// has: a table then prints 2.00 beside 1.91 rather than 2.0, and lines its numbers up. Cells keep
/// their shortest exact form in CSV and JSON.
pub(super) fn numeric_columns(t: &Tabular) -> Vec<Option<usize>> {
    (0..t.headers.len())
        .map(|i| {
            let cells = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.is_empty());
            let mut most = None;
            for c in cells {
                let plain = c.trim_start_matches(['+', '-']);
                let digits = plain.chars().all(|ch| ch.is_ascii_digit() || ch == '.');
                // "0123456789" is an identifier (a book's ASIN), not a number.
                let id_like = plain.len() > 1 && plain.starts_with('0') && !plain.starts_with("0.");
                if !digits || id_like || plain.is_empty() || c.parse::<f64>().is_err() {
                    return None;
                }
                let d = plain.split_once('.').map_or(0, |(_, f)| f.len());
                most = Some(most.map_or(d, |m: usize| m.max(d)));
            }
            most
        })
        .collect()
}

/// A numeric cell padded with zeros to `decimals` digits after the point: its digits untouched.
/// An empty cell (no figure) stays empty.
pub(super) fn aligned_number(cell: &str, decimals: usize) -> String {
    if cell.is_empty() {
        return String::new();
    }
    let have = cell.split_once('.').map_or(0, |(_, f)| f.len());
    match (have, decimals.saturating_sub(have)) {
        (_, 0) => cell.to_string(),
        (0, pad) => format!("{cell}.{}", "0".repeat(pad)),
        (_, pad) => format!("{cell}{}", "0".repeat(pad)),
    }
}

/// A CSV cell as a spreadsheet and a terminal may both see it (`report -f csv` without `-o`
/// prints to one): control characters escaped, newlines and tabs kept, then formula-like cells
/// neutralised. `--raw-csv` skips both, for programs that want the bytes.
fn safe_csv_cell(cell: &str) -> Cow<'_, str> {
    let escaped = if cell.contains("\r\n") {
        // Windows line ends are layout, kept; a lone CR could overwrite a terminal's line.
        let parts: Vec<_> = cell
            .split("\r\n")
            .map(|p| escape_control_with(p, true))
            .collect();
        Cow::Owned(parts.join("\r\n"))
    } else {
        escape_control_with(cell, true)
    };
    match escaped {
        Cow::Borrowed(s) => neutralize_csv_cell(s),
        Cow::Owned(s) => Cow::Owned(neutralize_csv_cell(&s).into_owned()),
    }
}

/// The width of a terminal that does not say: `COLUMNS` when it is a positive number, else 100.
fn fallback_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// Any text becomes a cell with no control character but newline and tab, that a
        /// spreadsheet would not run: a formula character first only before a plain number.
        #[test]
        fn csv_cells_are_inert_for_any_text(s in "(\\PC|[=+@\t\r\n\x1b\x00\u{9b}\u{202e}-]|[0-9.%]){0,40}") {
            let c = safe_csv_cell(&s);
            proptest::prop_assert!(!c.replace("\r\n", "\n").chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t'), "{c:?}");
            if let Some(first @ ('=' | '@' | '\t' | '+' | '-')) = c.chars().next() {
                let rest = &c[1..];
                proptest::prop_assert!(matches!(first, '+' | '-') && rest.trim_end_matches('%').parse::<f64>().is_ok(), "{c:?}");
            }
        }
    }

    fn tab(rows: &[[&str; 3]]) -> Tabular {
        Tabular {
            headers: vec!["asin", "avg", "change"],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn numbers_in_a_column_share_their_decimals_and_identifiers_stay_text() {
        let t = tab(&[
            ["0123456789", "2.0", "+1.5"],
            ["0987654321", "1.91", "-0.25"],
            ["0000000001", "", "3"],
        ]);
        let d = numeric_columns(&t);
        assert_eq!(d, vec![None, Some(2), Some(2)]);
        assert_eq!(aligned_number("2.0", 2), "2.00");
        assert_eq!(aligned_number("3", 2), "3.00");
        assert_eq!(aligned_number("+1.5", 2), "+1.50");
        assert_eq!(aligned_number("1.91", 2), "1.91");
        assert_eq!(aligned_number("157", 0), "157");
        assert_eq!(aligned_number("", 2), "");
    }
}
