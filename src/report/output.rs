//! Where report output goes (stdout or -o FILE) and how each format is written.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::error::{Error, Result};

pub struct Tabular {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub struct Out {
    w: Box<dyn Write>,
    tty: bool,
    csv: Vec<u8>,
}

impl Out {
    pub fn open(path: Option<&Path>) -> Result<Out> {
        let (w, tty): (Box<dyn Write>, bool) = match path {
            Some(p) => {
                let f = File::create(p).map_err(|e| Error::io(p.display().to_string(), e))?;
                (Box::new(BufWriter::new(f)), false)
            }
            None => (
                Box::new(BufWriter::new(io::stdout().lock())),
                io::stdout().is_terminal(),
            ),
        };
        Ok(Out {
            w,
            tty,
            csv: Vec::with_capacity(1 << 17),
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

    pub fn json(&mut self, v: &Value, fmt: OutputFormat) -> Result<()> {
        let text = if fmt == OutputFormat::Jsonl {
            v.to_string()
        } else {
            serde_json::to_string_pretty(v).unwrap_or_default()
        };
        writeln!(self.w, "{text}")?;
        Ok(())
    }

    pub fn csv_row<S: AsRef<[u8]>>(&mut self, cells: &[S]) -> Result<()> {
        {
            let mut wtr = csv::WriterBuilder::new()
                .buffer_capacity(512)
                .from_writer(&mut self.csv);
            wtr.write_record(cells)
                .and_then(|_| wtr.flush().map_err(Into::into))
                .map_err(|e| Error::Other(format!("csv: {e}")))?;
        }
        if self.csv.len() > 1 << 16 {
            self.flush_csv()?;
        }
        Ok(())
    }

    /// Writes a view in the asked format: rows as a table or CSV, values as JSON or JSON Lines.
    pub fn emit(
        &mut self,
        fmt: OutputFormat,
        title: &str,
        t: &Tabular,
        values: &[Value],
    ) -> Result<()> {
        match fmt {
            OutputFormat::Html => {
                let title = if title.is_empty() {
                    "prodinsight"
                } else {
                    title
                };
                self.raw(&super::html::table_page(title, t))?;
            }
            OutputFormat::Table => {
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
                        let cell = Cell::new(c);
                        match (self.tty && rising.get(i) == Some(&true), c.chars().next()) {
                            (true, Some('+')) => cell.fg(Color::Red),
                            (true, Some('-')) => cell.fg(Color::Green),
                            _ => cell,
                        }
                    }));
                }
                writeln!(self.w, "{table}")?;
            }
            OutputFormat::Csv => {
                self.csv_row(&t.headers)?;
                for r in &t.rows {
                    self.csv_row(r)?;
                }
                self.flush_csv()?;
            }
            OutputFormat::Json => self.json(&Value::Array(values.to_vec()), fmt)?,
            OutputFormat::Jsonl => {
                for v in values {
                    self.json(v, fmt)?;
                }
            }
        }
        Ok(())
    }

    fn flush_csv(&mut self) -> Result<()> {
        self.w.write_all(&self.csv)?;
        self.csv.clear();
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        self.flush_csv()?;
        self.w.flush()?;
        Ok(())
    }
}
