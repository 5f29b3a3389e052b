//! Opening an input: file or stdin, gzip or not, and which format it is.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::formats::{self, RecordSource};
use super::InputFormat;

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
            if !meta.is_file() {
                // A FIFO, `<(…)` (/dev/fd/N) or a device: a stream, read as stdin is. Its size
                // says nothing, and it cannot be read twice to compare with an earlier file.
                (Box::new(f), None)
            } else if meta.len() == 0 {
                return Err("the file is empty (0 bytes): no records".into());
            } else {
                (Box::new(f), Some(meta.len()))
            }
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
            let head = reader
                .fill_buf()
                .map_err(|e| format!("cannot read: {e} (is it really gzip?)"))?;
            if head.is_empty() {
                return Err("empty after decompression: no records".into());
            }
        }
        let mut reader = as_utf8(reader)?;
        let format = match forced {
            Some(f) => f,
            None => {
                let head = reader.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
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
        let f = format_name(self.format);
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

/// The decompressed input as UTF-8 text: checked for kinds of file that are no export, its byte
/// order mark skipped, UTF-16 transcoded, UTF-32 refused by name.
fn as_utf8(mut reader: Box<dyn BufRead + Send>) -> Result<Box<dyn BufRead + Send>, String> {
    let head = reader.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
    if let Some((kind, hint)) = other_kind(head) {
        return Err(format!(
            "is {kind}, not a review export (JSON, JSON Lines or CSV){hint}"
        ));
    }
    let encoding = Encoding::sniff(head);
    reader.consume(encoding.bom_len());
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {}
        Encoding::Utf16 { big_endian, bom } => {
            if !bom {
                return Err(format!(
                    "looks like UTF-16{} without a byte order mark; convert it to UTF-8 (or save it with a byte order mark)",
                    if big_endian { "BE" } else { "LE" }
                ));
            }
            reader = Box::new(BufReader::with_capacity(
                BUF,
                Utf16Reader::new(reader, big_endian),
            ));
        }
        Encoding::Utf32 { big_endian, bom } => {
            let e = if big_endian { "UTF-32BE" } else { "UTF-32LE" };
            return Err(format!(
                "is {e} ({}); prodinsight reads UTF-8 and UTF-16: convert it to UTF-8 (for example `iconv -f {e} -t UTF-8`)",
                if bom { "with a byte order mark" } else { "no byte order mark" }
            ));
        }
    }
    Ok(reader)
}

/// Files that are no export, by their signature: each was read as CSV and failed with "header
/// column 1 is not valid UTF-8", which names neither the file's kind nor what to do. The kind,
/// and a hint.
fn other_kind(head: &[u8]) -> Option<(&'static str, &'static str)> {
    Some(match head {
        [b'P', b'K', 3, 4, ..] => (
            "a ZIP archive",
            ": an Excel .xlsx workbook is one (save the sheet as CSV), or unzip it",
        ),
        _ if head.starts_with(b"SQLite format 3\0") => (
            "a SQLite database",
            ": a prodinsight database is given with --db",
        ),
        _ if head.starts_with(b"%PDF-") => ("a PDF document", ""),
        [0xD0, 0xCF, 0x11, 0xE0, ..] => (
            "an old Excel (.xls) or Office file",
            ": save the sheet as CSV",
        ),
        _ => return None,
    })
}

/// The text encoding of an input, from its first bytes. Exports are UTF-8; Excel and Windows tools
/// save "Unicode text" as UTF-16 with a byte order mark, which is transcoded as it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16 {
        big_endian: bool,
        bom: bool,
    },
    /// Refused, by name: without it, every record was "invalid JSON" or the header had no column.
    Utf32 {
        big_endian: bool,
        bom: bool,
    },
}

impl Encoding {
    fn sniff(head: &[u8]) -> Encoding {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8Bom,
            // Before UTF-16's: UTF-32LE's mark begins with it.
            [0xFF, 0xFE, 0, 0, ..] => Encoding::Utf32 {
                big_endian: false,
                bom: true,
            },
            [0, 0, 0xFE, 0xFF, ..] => Encoding::Utf32 {
                big_endian: true,
                bom: true,
            },
            // ASCII in UTF-32: three zero bytes to each character.
            [a, 0, 0, 0, ..] if *a != 0 => Encoding::Utf32 {
                big_endian: false,
                bom: false,
            },
            [0, 0, 0, a, ..] if *a != 0 => Encoding::Utf32 {
                big_endian: true,
                bom: false,
            },
            [0xFF, 0xFE, ..] => Encoding::Utf16 {
                big_endian: false,
                bom: true,
            },
            [0xFE, 0xFF, ..] => Encoding::Utf16 {
                big_endian: true,
                bom: true,
            },
            // An export starts with ASCII ('[', '{', a column name): in UTF-16 every other byte
            // is then zero, which UTF-8 text never holds.
            [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Encoding::Utf16 {
                big_endian: false,
                bom: false,
            },
            [0, a, 0, b, ..] if *a != 0 && *b != 0 => Encoding::Utf16 {
                big_endian: true,
                bom: false,
            },
            _ => Encoding::Utf8,
        }
    }

    fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 => 0,
            Encoding::Utf8Bom => 3,
            Encoding::Utf16 { bom, .. } => 2 * bom as usize,
            Encoding::Utf32 { bom, .. } => 4 * bom as usize,
        }
    }
}

/// UTF-16 in, UTF-8 out. An unpaired surrogate or a lone last byte becomes U+FFFD, as a lossy
/// UTF-8 decode would: the record still parses, and shows where the text was broken.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// The first byte of a code unit that a read split.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    out: Vec<u8>,
    pos: usize,
}

impl<R: BufRead> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader {
            inner,
            big_endian,
            odd: None,
            high: None,
            out: Vec::with_capacity(BUF),
            pos: 0,
        }
    }

    fn push_char(out: &mut Vec<u8>, c: char) {
        let mut tmp = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..=0xDFFF).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                Self::push_char(&mut self.out, char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            Self::push_char(&mut self.out, '\u{FFFD}');
        }
        match u {
            0xD800..=0xDBFF => self.high = Some(u),
            0xDC00..=0xDFFF => Self::push_char(&mut self.out, '\u{FFFD}'),
            _ => Self::push_char(
                &mut self.out,
                char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'),
            ),
        }
    }

    /// Decodes the next chunk of input into `out`; false at the end with nothing more.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.pos = 0;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c.to_vec(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.inner.consume(chunk.len());
            if chunk.is_empty() {
                if self.odd.take().is_some() || self.high.take().is_some() {
                    Self::push_char(&mut self.out, '\u{FFFD}');
                }
                return Ok(!self.out.is_empty());
            }
            let mut bytes = chunk.as_slice();
            if let Some(first) = self.odd.take() {
                self.unit(self.code_unit(first, bytes[0]));
                bytes = &bytes[1..];
            }
            let mut pairs = bytes.chunks_exact(2);
            for p in &mut pairs {
                self.unit(self.code_unit(p[0], p[1]));
            }
            self.odd = pairs.remainder().first().copied();
            if !self.out.is_empty() {
                return Ok(true);
            }
        }
    }

    fn code_unit(&self, a: u8, b: u8) -> u16 {
        if self.big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }
    }
}

impl<R: BufRead> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub fn format_name(f: InputFormat) -> &'static str {
    match f {
        InputFormat::Json => "json",
        InputFormat::Jsonl => "jsonl",
        InputFormat::Csv => "csv",
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

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    /// Reads through a reader that hands out `step` bytes at a time, so code units and surrogate
    /// pairs are split across reads.
    fn decode(bytes: &[u8], big_endian: bool, step: usize) -> String {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let inner = BufReader::with_capacity(step, Trickle(bytes, step));
        let mut out = String::new();
        Utf16Reader::new(inner, big_endian)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn utf16_is_transcoded_across_any_split() {
        let text = "[{\"a\": \"Très 👍 ünd 日本\"}]\n";
        for be in [false, true] {
            for step in [1, 2, 3, 5, 64] {
                assert_eq!(
                    decode(&utf16(text, be), be, step),
                    text,
                    "be {be} step {step}"
                );
            }
        }
        // A lone surrogate or a dangling byte is U+FFFD, never a panic.
        assert_eq!(decode(&[0x00, 0xD8, 0x41, 0x00], false, 1), "\u{FFFD}A");
        assert_eq!(decode(&[0x41, 0x00, 0x42], false, 3), "A\u{FFFD}");
        assert_eq!(decode(&[0x00, 0xDC], false, 2), "\u{FFFD}");
    }

    #[test]
    fn encodings_are_sniffed() {
        assert_eq!(Encoding::sniff(b"[{}]"), Encoding::Utf8);
        assert_eq!(Encoding::sniff(b"\xEF\xBB\xBF[]"), Encoding::Utf8Bom);
        assert!(matches!(
            Encoding::sniff(b"\xFF\xFE[\0"),
            Encoding::Utf16 {
                big_endian: false,
                bom: true
            }
        ));
        assert!(matches!(
            Encoding::sniff(b"\xFE\xFF\0["),
            Encoding::Utf16 {
                big_endian: true,
                bom: true
            }
        ));
        assert!(matches!(
            Encoding::sniff(b"a\0s\0i\0"),
            Encoding::Utf16 {
                big_endian: false,
                bom: false
            }
        ));
        assert_eq!(Encoding::sniff(b"\0\0\0\0"), Encoding::Utf8);
        assert!(matches!(
            Encoding::sniff(b"\xFF\xFE\0\0[\0\0\0"),
            Encoding::Utf32 {
                big_endian: false,
                bom: true
            }
        ));
        assert!(matches!(
            Encoding::sniff(b"\0\0\0{\0\0\0\""),
            Encoding::Utf32 {
                big_endian: true,
                bom: false
            }
        ));
    }

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
