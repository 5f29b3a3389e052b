//! Opening an input: file or stdin, gzip or not, and which format it is.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::formats::{self, RecordSource};
use crate::cli::InputFormat;

const BUF: usize = 256 * 1024;

/// Counts and hashes the bytes as they are read from the source (before decompression).
struct Tap<R> {
    inner: R,
    state: Arc<Mutex<Sha256>>,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.state.lock() {
            h.update(&buf[..n]);
        }
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub struct HashHandle {
    state: Arc<Mutex<Sha256>>,
    count: Arc<AtomicU64>,
}

impl HashHandle {
    /// (bytes read, sha256 hex) of everything read so far.
    pub fn finish(&self) -> (u64, String) {
        let digest = self
            .state
            .lock()
            .map(|h| hex::encode(h.clone().finalize()))
            .unwrap_or_default();
        (self.count.load(Ordering::Relaxed), digest)
    }
}

pub struct Input {
    reader: Box<dyn BufRead + Send>,
    pub format: InputFormat,
    pub gzip: bool,
    /// Size on disk, when known, for the progress bar.
    pub size: Option<u64>,
    hash: HashHandle,
}

impl Input {
    pub fn open(path: &Path, forced: Option<InputFormat>) -> Result<Input, String> {
        let stdin = path.as_os_str() == "-";
        let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if stdin {
            (Box::new(io::stdin()), None)
        } else {
            let f = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
            let meta = f.metadata().map_err(|e| format!("cannot read: {e}"))?;
            if meta.is_dir() {
                return Err("is a directory".into());
            }
            if meta.len() == 0 {
                return Err("the file is empty (0 bytes): no records".into());
            }
            (Box::new(f), Some(meta.len()))
        };
        let state = Arc::new(Mutex::new(Sha256::new()));
        let count = Arc::new(AtomicU64::new(0));
        let tap = Tap {
            inner: raw,
            state: state.clone(),
            count: count.clone(),
        };
        let mut reader: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(BUF, tap));
        let name = path.to_string_lossy().to_lowercase();
        let head = reader.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
        if head.is_empty() {
            return Err("no input (0 bytes): no records".into());
        }
        let gzip = head.starts_with(&[0x1f, 0x8b]) || name.ends_with(".gz");
        if gzip {
            reader = Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(reader)));
        }
        let format = match forced {
            Some(f) => f,
            None => {
                let head = reader
                    .fill_buf()
                    .map_err(|e| format!("cannot read: {e} (is it really gzip?)"))?;
                if head.is_empty() {
                    return Err("empty after decompression: no records".into());
                }
                detect(name.strip_suffix(".gz").unwrap_or(&name), head)
            }
        };
        Ok(Input {
            reader,
            format,
            gzip,
            size,
            hash: HashHandle { state, count },
        })
    }

    /// The format as recorded in ingest_runs, e.g. `jsonl+gzip`.
    pub fn label(&self) -> String {
        let f = match self.format {
            InputFormat::Json => "json",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Csv => "csv",
        };
        if self.gzip {
            format!("{f}+gzip")
        } else {
            f.to_string()
        }
    }

    /// Bytes read so far, for progress.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.hash.count.clone()
    }

    pub fn into_source(self) -> (Box<dyn RecordSource + Send>, HashHandle) {
        (formats::source(self.format, self.reader), self.hash)
    }
}

/// SHA-256 of a file's bytes, as ingest records it for what it reads.
pub fn file_sha256(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; BUF];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// The extension says what the file claims to be; the first byte settles JSON array vs JSON Lines.
fn detect(name: &str, head: &[u8]) -> InputFormat {
    let first = head
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .unwrap_or(head)
        .iter()
        .copied()
        .find(|c| !c.is_ascii_whitespace());
    let by_ext = if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Some(InputFormat::Jsonl)
    } else if name.ends_with(".json") {
        Some(InputFormat::Json)
    } else if name.ends_with(".csv") {
        Some(InputFormat::Csv)
    } else {
        None
    };
    match (by_ext, first) {
        (Some(InputFormat::Json) | Some(InputFormat::Jsonl) | None, Some(b'[')) => {
            InputFormat::Json
        }
        (Some(InputFormat::Json) | Some(InputFormat::Jsonl) | None, Some(b'{')) => {
            InputFormat::Jsonl
        }
        (Some(f), _) => f,
        (None, _) => InputFormat::Csv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(detect("a.json", b"[{}]"), InputFormat::Json);
        assert_eq!(detect("a.json", b"{\"a\":1}\n"), InputFormat::Jsonl);
        assert_eq!(detect("a.jsonl", b"\xEF\xBB\xBF{}"), InputFormat::Jsonl);
        assert_eq!(detect("a.csv", b"asin,rating"), InputFormat::Csv);
        assert_eq!(detect("-", b"  [ ]"), InputFormat::Json);
        assert_eq!(detect("-", b"asin,rating"), InputFormat::Csv);
    }
}
