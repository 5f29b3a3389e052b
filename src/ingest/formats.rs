//! Reading records out of export files, one at a time, so memory stays flat however large the file.
//!
//! JSON arrays are split into elements by a small scanner rather than parsed whole: real exports carry
//! bare `NaN`/`Infinity` tokens (pandas writes them for missing values), which strict parsers reject
//! for the whole file. The scanner rewrites those tokens to `null` outside strings, then each element
//! is parsed with serde_json on its own, so one bad record is rejected without losing the rest.

use std::io::{BufRead, ErrorKind};

use serde_json::Value;

use serde::de::DeserializeSeed;

use super::fields::{fields_of_map, Fields, Key, KeyCache, RecordSeed};
use super::InputFormat;

/// One record read from a file, or a record-level problem (the file goes on).
#[derive(Debug)]
pub enum Item {
    Record {
        no: u64,
        line: u64,
        value: Fields,
        raw: Raw,
    },
    Bad {
        no: u64,
        line: u64,
        reason: String,
        raw: String,
    },
}

/// The record's source text, kept only in case the record is rejected later.
#[derive(Debug)]
pub enum Raw {
    Bytes(Vec<u8>),
    Csv(Vec<String>),
}

impl Raw {
    pub fn to_text(&self) -> String {
        match self {
            Raw::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Raw::Csv(fields) => {
                let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
                let _ = w.write_record(fields);
                let bytes = w.into_inner().unwrap_or_default();
                String::from_utf8_lossy(&bytes).trim_end().to_string()
            }
        }
    }
}

/// A problem that makes the whole file unreadable (truncated, not the format, an I/O error).
pub type FileError = String;

pub trait RecordSource {
    fn next_item(&mut self) -> Result<Option<Item>, FileError>;
}

pub fn source<'a, R: BufRead + Send + 'a>(
    format: InputFormat,
    r: R,
) -> Box<dyn RecordSource + Send + 'a> {
    match format {
        InputFormat::Json => Box::new(JsonArray::new(r)),
        InputFormat::Jsonl => Box::new(JsonLines::new(r)),
        InputFormat::Csv => Box::new(CsvSource::new(r)),
    }
}

fn io_msg(e: std::io::Error) -> FileError {
    if e.kind() == ErrorKind::InvalidData || e.kind() == ErrorKind::InvalidInput {
        format!("cannot read: {e} (corrupt compressed data?)")
    } else {
        format!("read error: {e}")
    }
}

/// Parses one record's JSON text into an object, or says why not. Strict JSON first: bare `NaN` and
/// `Infinity` are rare, so the rewrite (`has_ident`: the text may hold them) runs only when that fails.
fn parse_object(bytes: &[u8], has_ident: bool, keys: &mut KeyCache) -> Result<Fields, String> {
    // One UTF-8 check of the whole record is cheaper than serde_json's check of every string.
    if let Ok(text) = std::str::from_utf8(bytes) {
        let mut de = serde_json::Deserializer::from_str(text);
        if let Ok(fields) = RecordSeed(keys).deserialize(&mut de) {
            if de.end().is_ok() {
                return Ok(fields);
            }
        }
    }
    // Not a plain object: parse again as any value, for the NaN rewrite and a precise message.
    let parsed = match serde_json::from_slice::<Value>(bytes) {
        Err(_) if has_ident => serde_json::from_slice::<Value>(&replace_nonfinite(bytes)),
        other => other,
    };
    match parsed {
        Ok(Value::Object(m)) => Ok(fields_of_map(m)),
        Ok(other) => Err(format!(
            "expected a JSON object, found {}",
            json_type(&other)
        )),
        // serde_json stops at 128 levels, so a hostile nesting costs nothing; say it plainly.
        Err(e) if e.to_string().starts_with("recursion limit exceeded") => Err(format!(
            "invalid JSON: nested too deeply (more than 128 levels, at line {} column {})",
            e.line(),
            e.column()
        )),
        // A text in another encoding (latin-1, Windows-1252) fails inside a string as "invalid
        // unicode code point": name the encoding problem and where it is instead.
        Err(e) => match std::str::from_utf8(bytes) {
            Err(u) => Err(format!(
                "not UTF-8: {} at byte {} of the record (save the export as UTF-8; latin-1 or \
                 Windows-1252?)",
                shown(bytes[u.valid_up_to()]),
                u.valid_up_to() + 1
            )),
            Ok(_) => Err(format!("invalid JSON: {e}")),
        },
    }
}

/// A byte where a format expected another, for a message: the character when it is printable
/// ASCII, else its value (a control character must not reach the terminal; 0xFF is no 'ÿ').
fn shown(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("byte 0x{c:02X}")
    }
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Rewrites bare `NaN`, `Infinity` and `-Infinity` outside strings to `null`.
pub fn replace_nonfinite(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_str = true;
            out.push(c);
            i += 1;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let word = &b[start..i];
            if word == b"NaN" || word == b"Infinity" {
                if word == b"Infinity" && out.last() == Some(&b'-') {
                    out.pop();
                }
                out.extend_from_slice(b"null");
            } else {
                out.extend_from_slice(word);
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Skips whitespace (and a UTF-8 byte-order mark) counting lines; returns the next byte, unconsumed.
fn peek_non_ws<R: BufRead>(r: &mut R, line: &mut u64) -> Result<Option<u8>, FileError> {
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_msg(e)),
        };
        if buf.is_empty() {
            return Ok(None);
        }
        let mut n = 0;
        while n < buf.len() {
            match buf[n] {
                b'\n' => *line += 1,
                b' ' | b'\t' | b'\r' => {}
                0xEF if buf[n..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                    n += 2;
                }
                other => {
                    r.consume(n);
                    return Ok(Some(other));
                }
            }
            n += 1;
        }
        let len = buf.len();
        r.consume(len.min(n));
    }
}

pub struct JsonArray<R> {
    r: R,
    line: u64,
    /// Line where the current record starts, for messages.
    start_line: u64,
    started: bool,
    done: bool,
    no: u64,
    keys: KeyCache,
}

impl<R: BufRead> JsonArray<R> {
    pub fn new(r: R) -> Self {
        JsonArray {
            r,
            line: 1,
            start_line: 1,
            started: false,
            done: false,
            no: 0,
            keys: KeyCache::default(),
        }
    }

    fn finish(&mut self) -> Result<Option<Item>, FileError> {
        self.done = true;
        match peek_non_ws(&mut self.r, &mut self.line)? {
            None => Ok(None),
            Some(c) => Err(format!(
                "unexpected {} after the closing ']' at line {}",
                shown(c),
                self.line
            )),
        }
    }

    /// Reads one element's bytes up to (not including) the ',' or ']' that ends it.
    fn capture(&mut self, out: &mut Vec<u8>) -> Result<bool, FileError> {
        let mut depth: i64 = 0;
        let mut in_str = false;
        let mut esc = false;
        let mut has_ident = false;
        loop {
            let buf = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_msg(e)),
            };
            if buf.is_empty() {
                return Err(format!(
                    "truncated: the file ends inside record {} (which starts at line {}) before the closing ']'",
                    self.no,
                    self.start_line
                ));
            }
            let mut i = 0;
            let mut end = None;
            while i < buf.len() {
                let c = buf[i];
                if in_str {
                    if esc {
                        esc = false;
                        i += 1;
                        continue;
                    }
                    // Strings are most of the bytes: jump to the next quote or backslash.
                    match memchr::memchr3(b'"', b'\\', b'\n', &buf[i..]) {
                        Some(k) => {
                            i += k;
                            match buf[i] {
                                b'"' => in_str = false,
                                b'\\' => esc = true,
                                _ => self.line += 1,
                            }
                            i += 1;
                        }
                        None => i = buf.len(),
                    }
                    continue;
                }
                match c {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b']' | b',' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    b'\n' => self.line += 1,
                    c if c.is_ascii_alphabetic() => has_ident = true,
                    _ => {}
                }
                i += 1;
            }
            match end {
                Some(e) => {
                    out.extend_from_slice(&buf[..e]);
                    self.r.consume(e);
                    return Ok(has_ident);
                }
                None => {
                    out.extend_from_slice(buf);
                    let len = buf.len();
                    self.r.consume(len);
                }
            }
        }
    }
}

impl<R: BufRead> RecordSource for JsonArray<R> {
    fn next_item(&mut self) -> Result<Option<Item>, FileError> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            match peek_non_ws(&mut self.r, &mut self.line)? {
                Some(b'[') => self.r.consume(1),
                Some(c) => {
                    return Err(format!(
                        "expected a JSON array ('[') at line {}, found {}",
                        self.line,
                        shown(c)
                    ))
                }
                None => return Err("the file has no content".into()),
            }
            if peek_non_ws(&mut self.r, &mut self.line)? == Some(b']') {
                self.r.consume(1);
                return self.finish();
            }
        } else {
            match peek_non_ws(&mut self.r, &mut self.line)? {
                Some(b',') => self.r.consume(1),
                Some(b']') => {
                    self.r.consume(1);
                    return self.finish();
                }
                Some(c) => {
                    return Err(format!(
                        "expected ',' or ']' after record {} at line {}, found {}",
                        self.no,
                        self.line,
                        shown(c)
                    ))
                }
                None => {
                    return Err(format!(
                    "truncated: the file ends after record {} (line {}) without the closing ']'",
                    self.no, self.line
                ))
                }
            }
            // Tolerate a trailing comma before ']'.
            if peek_non_ws(&mut self.r, &mut self.line)? == Some(b']') {
                self.r.consume(1);
                return self.finish();
            }
        }
        self.no += 1;
        self.start_line = self.line;
        let mut bytes = Vec::new();
        let has_ident = self.capture(&mut bytes)?;
        let (no, line) = (self.no, self.start_line);
        Ok(Some(
            match parse_object(&bytes, has_ident, &mut self.keys) {
                Ok(value) => Item::Record {
                    no,
                    line,
                    value,
                    raw: Raw::Bytes(bytes),
                },
                Err(reason) => Item::Bad {
                    no,
                    line,
                    reason,
                    raw: String::from_utf8_lossy(&bytes).into_owned(),
                },
            },
        ))
    }
}

/// JSON Lines: one record per line; a bad line is one rejected record.
/// The longest record read: a review is a few KiB, and a line without end (a gzip of a
/// gigabyte of spaces) was held whole in memory.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// Reads up to and including the next newline into `out`, keeping at most the first
/// `MAX_RECORD_BYTES` (+1, so a longer line shows as longer); returns the line's full length.
fn read_line_capped<R: BufRead>(r: &mut R, out: &mut Vec<u8>) -> Result<usize, FileError> {
    let mut n = 0;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_msg(e)),
        };
        if buf.is_empty() {
            return Ok(n);
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = (MAX_RECORD_BYTES + 1).saturating_sub(out.len());
        out.extend_from_slice(&buf[..take.min(room)]);
        r.consume(take);
        n += take;
        if done {
            return Ok(n);
        }
    }
}

pub struct JsonLines<R> {
    r: R,
    line: u64,
    no: u64,
    buf: Vec<u8>,
    keys: KeyCache,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(r: R) -> Self {
        JsonLines {
            r,
            line: 0,
            no: 0,
            buf: Vec::new(),
            keys: KeyCache::default(),
        }
    }
}

impl<R: BufRead> RecordSource for JsonLines<R> {
    fn next_item(&mut self) -> Result<Option<Item>, FileError> {
        loop {
            self.buf.clear();
            let n = read_line_capped(&mut self.r, &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if n > MAX_RECORD_BYTES {
                self.no += 1;
                return Ok(Some(Item::Bad {
                    no: self.no,
                    line: self.line,
                    reason: format!(
                        "a line of {n} bytes: longer than {} MiB, the most one record may take",
                        MAX_RECORD_BYTES >> 20
                    ),
                    raw: String::from_utf8_lossy(&self.buf[..self.buf.len().min(4096)])
                        .into_owned(),
                }));
            }
            // Any line may start with a byte order mark: `cat` of exports keeps each one's.
            let t = self.buf.trim_ascii();
            let t = t
                .strip_prefix(&[0xEF, 0xBB, 0xBF])
                .unwrap_or(t)
                .trim_ascii();
            if t.is_empty() {
                continue;
            }
            self.no += 1;
            let has_ident = t.iter().any(|c| matches!(c, b'N' | b'I'));
            let (no, line) = (self.no, self.line);
            return Ok(Some(match parse_object(t, has_ident, &mut self.keys) {
                Ok(value) => Item::Record {
                    no,
                    line,
                    value,
                    raw: Raw::Bytes(t.to_vec()),
                },
                Err(reason) => Item::Bad {
                    no,
                    line,
                    reason,
                    raw: String::from_utf8_lossy(t).into_owned(),
                },
            }));
        }
    }
}

/// CSV with a header row. Values are strings; an empty cell or `NaN` is missing (pandas' convention).
pub struct CsvSource<R: BufRead> {
    r: csv::Reader<QuoteTracker<R>>,
    headers: Option<Vec<String>>,
    /// The headers as field keys, made once.
    keys: Vec<Key>,
    no: u64,
    rec: csv::ByteRecord,
}

impl<R: BufRead> CsvSource<R> {
    pub fn new(mut r: R) -> Self {
        let delimiter = r.fill_buf().map_or(b',', delimiter);
        CsvSource {
            r: csv::ReaderBuilder::new()
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(QuoteTracker::new(r, delimiter)),
            headers: None,
            keys: Vec::new(),
            no: 0,
            rec: csv::ByteRecord::new(),
        }
    }

    fn headers(&mut self) -> Result<Vec<String>, FileError> {
        let h = self.r.byte_headers().map_err(csv_msg)?.clone();
        if h.is_empty() || (h.len() == 1 && h[0].is_empty()) {
            return Err("the file has no header row".into());
        }
        let mut out = Vec::with_capacity(h.len());
        for (i, f) in h.iter().enumerate() {
            let name = std::str::from_utf8(f)
                .map_err(|_| format!("header column {} is not valid UTF-8", i + 1))?;
            out.push(name.trim().to_string());
        }
        super::fields::check_columns(&out)?;
        Ok(out)
    }
}

/// The CSV's delimiter, from its header line: a comma unless the header has none and has
/// semicolons (what Excel writes where the decimal separator is a comma: German, French,
/// Spanish…) or tabs. Each of these was one column named "asin;rating;text": no product column.
fn delimiter(head: &[u8]) -> u8 {
    let line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    let has = |c: u8| memchr::memchr(c, line).is_some();
    if has(b',') {
        b','
    } else if has(b';') {
        b';'
    } else if has(b'\t') {
        b'\t'
    } else {
        b','
    }
}

/// Follows the bytes the CSV reader reads as its parser does (RFC 4180 with its leniencies), to
/// know whether the file ends inside a quoted field: the `csv` crate then ends the record quietly,
/// and one stray `"` swallows every later row into one field.
pub struct QuoteTracker<R> {
    r: R,
    delimiter: u8,
    state: QuoteState,
    line: u64,
    opened_on: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum QuoteState {
    FieldStart,
    Plain,
    Quoted,
    QuoteInQuoted,
}

impl<R> QuoteTracker<R> {
    fn new(r: R, delimiter: u8) -> Self {
        QuoteTracker {
            r,
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            opened_on: 0,
        }
    }

    /// At the end of the input: the line of a quote never closed.
    fn open_quote_line(&self) -> Option<u64> {
        (self.state == QuoteState::Quoted).then_some(self.opened_on)
    }

    fn follow(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &b in bytes {
            let ends_field = b == self.delimiter || matches!(b, b'\n' | b'\r');
            self.state = match (self.state, b) {
                (FieldStart, b'"') => {
                    self.opened_on = self.line;
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (_, _) if ends_field => FieldStart,
                _ => Plain,
            };
            self.line += u64::from(b == b'\n');
        }
    }
}

impl<R: std::io::Read> std::io::Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.r.read(buf)?;
        self.follow(&buf[..n]);
        Ok(n)
    }
}

fn csv_msg(e: csv::Error) -> FileError {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => format!("invalid CSV: {e}"),
    }
}

impl<R: BufRead> RecordSource for CsvSource<R> {
    fn next_item(&mut self) -> Result<Option<Item>, FileError> {
        if self.headers.is_none() {
            let headers = self.headers()?;
            self.keys = headers.iter().map(|h| Key::new(h)).collect();
            self.headers = Some(headers);
        }
        let headers = self.headers.as_deref().unwrap_or_default();
        let more = self.r.read_byte_record(&mut self.rec).map_err(csv_msg)?;
        if !more {
            return match self.r.get_ref().open_quote_line() {
                Some(line) => Err(format!(
                    "malformed: the quote '\"' that opens a field on line {line} is never closed, \
                     so the rest of the file would be one field"
                )),
                None => Ok(None),
            };
        }
        self.no += 1;
        let no = self.no;
        let line = self.rec.position().map(|p| p.line()).unwrap_or(0);
        let raw_fields: Vec<String> = self
            .rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if self.rec.len() != headers.len() {
            return Ok(Some(Item::Bad {
                no,
                line,
                reason: format!(
                    "has {} fields but the header has {}",
                    self.rec.len(),
                    headers.len()
                ),
                raw: Raw::Csv(raw_fields).to_text(),
            }));
        }
        let mut value = Vec::with_capacity(headers.len());
        for ((name, key), field) in headers.iter().zip(&self.keys).zip(self.rec.iter()) {
            let Ok(text) = std::str::from_utf8(field) else {
                return Ok(Some(Item::Bad {
                    no,
                    line,
                    reason: format!("column '{name}' is not valid UTF-8"),
                    raw: Raw::Csv(raw_fields).to_text(),
                }));
            };
            let v = if text.is_empty() || text == "NaN" {
                Value::Null
            } else {
                Value::String(text.to_string())
            };
            value.push((key.clone(), v));
        }
        Ok(Some(Item::Record {
            no,
            line,
            value,
            raw: Raw::Csv(raw_fields),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn items(format: InputFormat, text: &[u8]) -> Result<Vec<Item>, FileError> {
        let mut src = source(format, text);
        let mut out = Vec::new();
        while let Some(i) = src.next_item()? {
            out.push(i);
        }
        Ok(out)
    }

    fn ok_values(v: &[Item]) -> Vec<Map<String, Value>> {
        v.iter()
            .filter_map(|i| match i {
                Item::Record { value, .. } => Some(
                    value
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn records_parse_to_known_and_other_fields_in_order() {
        use crate::ingest::fields::Field;
        let f = parse_object(
            br#"{"CHILD_ASIN": "B1", "x": {"y": [1]}, "Rating": 5, "rating": 4}"#,
            false,
            &mut KeyCache::default(),
        )
        .unwrap();
        let keys: Vec<(Option<Field>, &str)> = f
            .iter()
            .map(|(k, _)| match k {
                Key::Known(field, n) => (Some(*field), n.as_str()),
                Key::Other(n) => (None, n.as_str()),
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                (Some(Field::Asin), "CHILD_ASIN"),
                (None, "x"),
                (Some(Field::Rating), "Rating"),
                (Some(Field::Rating), "rating"),
            ]
        );
        assert_eq!(f[1].1["y"][0], 1);
        // Bare NaN takes the slow path and still parses; a non-object is explained.
        let f = parse_object(
            br#"{"asin": "B1", "text": NaN}"#,
            true,
            &mut KeyCache::default(),
        )
        .unwrap();
        assert!(f[1].1.is_null());
        let e = parse_object(b"[1, 2]", false, &mut KeyCache::default()).unwrap_err();
        assert!(e.contains("expected a JSON object, found an array"), "{e}");
    }

    #[test]
    fn nan_tokens_become_null_outside_strings() {
        let out = replace_nonfinite(br#"{"a": NaN, "b": "NaN", "c": -Infinity, "d": [Infinity]}"#);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a": null, "b": "NaN", "c": null, "d": [null]}"#
        );
    }

    #[test]
    fn array_streams_records_with_lines() {
        let text = b"\xEF\xBB\xBF[\r\n {\"a\": 1, \"s\": \"x,]}\\\"\"},\n {\"a\": NaN}\n,{\"a\": tru},\n 5]\n";
        let v = items(InputFormat::Json, text).unwrap();
        assert_eq!(v.len(), 4);
        let ok = ok_values(&v);
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0]["s"], "x,]}\"");
        assert!(ok[1]["a"].is_null());
        match &v[2] {
            Item::Bad {
                no, line, reason, ..
            } => {
                assert_eq!((*no, *line), (3, 4));
                assert!(reason.contains("invalid JSON"), "{reason}");
            }
            _ => panic!("record 3 should be bad"),
        }
        match &v[3] {
            Item::Bad { reason, .. } => assert!(reason.contains("a number"), "{reason}"),
            _ => panic!("record 4 should be bad"),
        }
    }

    #[test]
    fn truncated_array_is_a_file_error() {
        let err = items(InputFormat::Json, b"[{\"a\": 1}, {\"a\": \"unfinished").unwrap_err();
        assert!(
            err.contains("truncated") && err.contains("record 2"),
            "{err}"
        );
        let err = items(InputFormat::Json, b"[{\"a\": 1}").unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let err = items(InputFormat::Json, b"[{\"a\": 1}] x").unwrap_err();
        assert!(err.contains("after the closing"), "{err}");
    }

    #[test]
    fn empty_array_and_trailing_comma() {
        assert_eq!(items(InputFormat::Json, b" [ ] ").unwrap().len(), 0);
        assert_eq!(items(InputFormat::Json, b"[{\"a\":1},]").unwrap().len(), 1);
    }

    #[test]
    fn json_lines_reject_bad_lines_only() {
        let v = items(InputFormat::Jsonl, b"{\"a\":1}\r\n\n{broken\n{\"a\":NaN}").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(ok_values(&v).len(), 2);
        assert!(matches!(v[1], Item::Bad { line: 3, .. }));
    }

    #[test]
    fn csv_rows_map_to_objects() {
        let text = "\u{feff}CHILD_ASIN,CUSTOMER_REVIEW_RATING,CUSTOMER_REVIEW_DESCRIPTION\r\nB01,5,\"fine, really\"\r\nB02,NaN,\r\nB03,1\r\n";
        let v = items(InputFormat::Csv, text.as_bytes()).unwrap();
        assert_eq!(v.len(), 3);
        let ok = ok_values(&v);
        assert_eq!(ok[0]["CHILD_ASIN"], "B01");
        assert_eq!(ok[0]["CUSTOMER_REVIEW_DESCRIPTION"], "fine, really");
        assert!(ok[1]["CUSTOMER_REVIEW_RATING"].is_null());
        assert!(matches!(&v[2], Item::Bad { reason, .. } if reason.contains("2 fields")));
    }

    #[test]
    fn csv_without_asin_column_is_a_file_error() {
        let err = items(InputFormat::Csv, b"brand,rating\nA,5\n").unwrap_err();
        assert!(err.to_lowercase().contains("asin"), "{err}");
    }
}
