//! A request head as it comes off the wire, checked before tiny_http sees a byte of it: sizes
//! capped, HTTP/1.0 and 1.1 only, CRLF line endings, no control or non-ASCII bytes, a body only
//! with a Content-Length. Pure functions of bytes, so every rule is unit-tested without a socket.

/// The request line, without its CRLF; longer is 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The whole head: request line, headers and the blank line; longer is 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// More header lines than this is 431.
pub const MAX_HEADERS: usize = 100;
/// The API takes no bodies; a small one is read and dropped, a bigger one is 413.
pub const MAX_BODY: u64 = 64 * 1024;

/// Why a request is refused, as the API's JSON error says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Reject {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Reject {
        Reject {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Reject {
        Reject::new(400, "bad_request", message)
    }

    fn uri_too_long() -> Reject {
        Reject::new(
            414,
            "uri_too_long",
            format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
        )
    }

    fn header_too_large(why: String) -> Reject {
        Reject::new(431, "header_too_large", why)
    }
}

/// Where the head at the start of `buf` ends (just after its blank line), or None while it is
/// incomplete. Fails as soon as what arrived cannot become an acceptable head: a line ending in
/// a bare LF, a request line or a head over its limit.
pub fn find_end(buf: &[u8]) -> Result<Option<usize>, Reject> {
    let mut start = 0;
    for lf in memchr::memchr_iter(b'\n', buf) {
        if lf == 0 || buf[lf - 1] != b'\r' {
            return Err(Reject::bad(
                "a line ends in a bare LF; HTTP lines end in CRLF",
            ));
        }
        let len = lf - 1 - start;
        if start == 0 {
            if len > MAX_REQUEST_LINE {
                return Err(Reject::uri_too_long());
            }
        } else if len == 0 {
            return if lf + 1 > MAX_HEAD {
                Err(too_large_head())
            } else {
                Ok(Some(lf + 1))
            };
        }
        start = lf + 1;
    }
    // The request line may still end in its CR.
    if start == 0 && buf.len() > MAX_REQUEST_LINE + 1 {
        return Err(Reject::uri_too_long());
    }
    if buf.len() > MAX_HEAD {
        return Err(too_large_head());
    }
    Ok(None)
}

fn too_large_head() -> Reject {
    Reject::header_too_large(format!(
        "the request's headers are larger than {MAX_HEAD} bytes"
    ))
}

/// A checked request head.
#[derive(Debug)]
pub struct Head<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub http10: bool,
    /// Every header but the hop-by-hop ones (Connection, Content-Length, Expect, …), which the
    /// front answers itself.
    pub headers: Vec<(&'a str, &'a str)>,
    pub content_length: u64,
    pub expect_continue: bool,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
}

impl Head<'_> {
    /// The request as tiny_http gets it: HTTP/1.1, kept alive, no body.
    pub fn forward(&self, out: &mut Vec<u8>) {
        out.clear();
        for part in [self.method, " ", self.target, " HTTP/1.1\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
        for (name, value) in &self.headers {
            for part in [name, ": ", value, "\r\n"] {
                out.extend_from_slice(part.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Parses a complete head (`buf[..find_end(buf)]`).
pub fn parse(head: &[u8]) -> Result<Head<'_>, Reject> {
    // find_end saw a CR before every LF; the head ends in an empty line.
    let head = head.strip_suffix(b"\r\n\r\n").unwrap_or(head);
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let (method, target, http10) = request_line(lines.next().unwrap_or_default())?;
    let mut headers = Vec::new();
    let mut hop = HopByHop::default();
    for (count, line) in lines.enumerate() {
        if count >= MAX_HEADERS {
            return Err(Reject::header_too_large(format!(
                "more than {MAX_HEADERS} header lines"
            )));
        }
        let (name, value) = header_line(line)?;
        if !hop.take(name, value)? {
            headers.push((name, value));
        }
    }
    Ok(Head {
        method,
        target,
        http10,
        headers,
        content_length: hop.body_length()?,
        expect_continue: hop.expect_continue && !http10,
        keep_alive: if http10 {
            hop.keep && !hop.close
        } else {
            !hop.close
        },
    })
}

/// The method, the target and whether it is HTTP/1.0, of a request line without its CRLF.
fn request_line(line: &[u8]) -> Result<(&str, &str, bool), Reject> {
    if line.len() > MAX_REQUEST_LINE {
        return Err(Reject::uri_too_long());
    }
    if let Some(b) = line.iter().find(|&&b| !(0x20..0x7f).contains(&b)) {
        return Err(Reject::bad(format!(
            "the request line holds the byte 0x{b:02x}: a control or non-ASCII byte (percent-encode it)"
        )));
    }
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Reject::bad(
            "the request line is not METHOD TARGET HTTP/1.1 with single spaces",
        ));
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) || target.is_empty() {
        return Err(Reject::bad(
            "the request line is not METHOD TARGET HTTP/1.1 with single spaces",
        ));
    }
    let http10 = is_http10(version)?;
    // ASCII: checked above.
    let method = std::str::from_utf8(method).unwrap_or_default();
    let target = std::str::from_utf8(target).unwrap_or_default();
    Ok((method, target, http10))
}

/// Whether the version is HTTP/1.0 (else HTTP/1.1); any other is refused.
fn is_http10(version: &[u8]) -> Result<bool, Reject> {
    match version {
        b"HTTP/1.1" => Ok(false),
        b"HTTP/1.0" => Ok(true),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Err(Reject::new(
                505,
                "http_version_not_supported",
                format!(
                    "HTTP/{}.{} is not supported; use HTTP/1.1 or HTTP/1.0",
                    *major as char, *minor as char
                ),
            ))
        }
        _ => Err(Reject::bad("the request line does not end in HTTP/1.1")),
    }
}

/// The name and value of a header line, checked: no folding, a colon, a token for a name, a
/// value of visible ASCII and tabs (optional white space around it trimmed).
fn header_line(line: &[u8]) -> Result<(&str, &str), Reject> {
    if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
        return Err(Reject::bad(
            "a header line is folded (starts with white space)",
        ));
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return Err(Reject::bad("a header line has no colon"));
    };
    let (name, value) = (&line[..colon], trim_ows(&line[colon + 1..]));
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(Reject::bad(
            "a header name is empty or holds a character a name may not (a space before the colon?)",
        ));
    }
    if let Some(b) = value
        .iter()
        .find(|&&b| !(b == b'\t' || (0x20..0x7f).contains(&b)))
    {
        return Err(Reject::bad(format!(
            "a header value holds the byte 0x{b:02x}: a control or non-ASCII byte"
        )));
    }
    // Both are ASCII now.
    let name = std::str::from_utf8(name).unwrap_or_default();
    let value = std::str::from_utf8(value).unwrap_or_default();
    Ok((name, value))
}

/// What the hop-by-hop headers said, which the front answers itself rather than forwards.
#[derive(Default)]
struct HopByHop {
    content_length: Option<u64>,
    chunked: bool,
    expect_continue: bool,
    close: bool,
    keep: bool,
}

impl HopByHop {
    /// Takes in a header if it is a hop-by-hop one (true), or leaves it to be forwarded (false).
    fn take(&mut self, name: &str, value: &str) -> Result<bool, Reject> {
        match name.to_ascii_lowercase().as_str() {
            "content-length" => self.content_length(value)?,
            "transfer-encoding" => self.chunked = true,
            "expect" => {
                if value.eq_ignore_ascii_case("100-continue") {
                    self.expect_continue = true;
                } else {
                    return Err(Reject::new(
                        417,
                        "expectation_failed",
                        "the only expectation met is 100-continue",
                    ));
                }
            }
            "connection" => {
                for token in value.split(',').map(|t| t.trim_matches([' ', '\t'])) {
                    self.close |= token.eq_ignore_ascii_case("close");
                    self.keep |= token.eq_ignore_ascii_case("keep-alive");
                }
            }
            "keep-alive" | "proxy-connection" | "te" | "trailer" | "upgrade" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// One Content-Length header: a list of equal numbers, equal to any given before.
    fn content_length(&mut self, value: &str) -> Result<(), Reject> {
        for v in value.split(',').map(|v| v.trim_matches([' ', '\t'])) {
            let n = (!v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.parse::<u64>().ok())
                .flatten()
                .ok_or_else(|| Reject::bad("Content-Length is not a number"))?;
            if self.content_length.is_some_and(|c| c != n) {
                return Err(Reject::bad("Content-Length is given twice, differently"));
            }
            self.content_length = Some(n);
        }
        Ok(())
    }

    /// The length of the body, which must be given as a Content-Length and be small.
    fn body_length(&self) -> Result<u64, Reject> {
        if self.chunked {
            return Err(Reject::new(
                411,
                "length_required",
                "a request body needs a Content-Length; Transfer-Encoding is not accepted",
            ));
        }
        let content_length = self.content_length.unwrap_or(0);
        if content_length > MAX_BODY {
            return Err(Reject::new(
                413,
                "body_too_large",
                format!("the request body is larger than {MAX_BODY} bytes (the API takes none)"),
            ));
        }
        Ok(content_length)
    }
}

/// The method and target to log for a request that may not have parsed: the first two words of
/// what came, lossily decoded (the caller escapes them).
pub fn log_fields(buf: &[u8]) -> (String, String) {
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut words = line.splitn(3, |&b| b == b' ');
    let mut word = || {
        let w = words.next().filter(|w| !w.is_empty()).unwrap_or(&b"-"[..]);
        String::from_utf8_lossy(w).into_owned()
    };
    let method = word();
    (method, word())
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(buf: &[u8]) -> Result<Option<usize>, u16> {
        find_end(buf).map_err(|r| r.status)
    }

    fn status(head: &[u8]) -> u16 {
        let n = find_end(head)
            .map_err(|r| r.status)
            .and_then(|e| e.ok_or(0))
            .unwrap_or_else(|s| panic!("{head:?}: {s}"));
        match parse(&head[..n]) {
            Ok(_) => 200,
            Err(r) => r.status,
        }
    }

    #[test]
    fn finds_the_end_of_a_head_as_it_arrives() {
        let rq = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /next";
        for cut in 0..34 {
            assert_eq!(end(&rq[..cut]), Ok(None), "{cut}");
        }
        assert_eq!(end(rq), Ok(Some(34)));
        assert_eq!(end(b"GET / HTTP/1.1\r\n\r\n"), Ok(Some(18)));
    }

    #[test]
    fn bare_line_feeds_are_refused_early() {
        assert_eq!(end(b"GET / HTTP/1.1\n"), Err(400));
        assert_eq!(end(b"GET / HTTP/1.1\r\nHost: t\n"), Err(400));
        assert_eq!(end(b"\n"), Err(400));
        assert_eq!(end(b"GET / HTTP/1.1\r\n\n"), Err(400));
    }

    #[test]
    fn limits() {
        let mut line = b"GET /".to_vec();
        line.resize(MAX_REQUEST_LINE - 9, b'a');
        line.extend_from_slice(b" HTTP/1.1");
        assert_eq!(line.len(), MAX_REQUEST_LINE);
        let mut rq = line.clone();
        rq.extend_from_slice(b"\r\n\r\n");
        assert_eq!(status(&rq), 200);
        // One byte more, whether its end has come or not.
        line.insert(5, b'a');
        assert_eq!(end(&line), Ok(None));
        line.push(b'\r');
        assert_eq!(end(&line), Err(414));
        line.push(b'\n');
        assert_eq!(end(&line), Err(414));
        // Headers.
        let mut rq = b"GET / HTTP/1.1\r\nX: ".to_vec();
        rq.resize(MAX_HEAD - 4, b'a');
        rq.extend_from_slice(b"\r\n\r\n");
        assert_eq!(status(&rq), 200);
        rq.insert(20, b'a');
        assert_eq!(end(&rq), Err(431));
        assert_eq!(end(&rq[..MAX_HEAD]), Ok(None));
        assert_eq!(end(&rq[..MAX_HEAD + 1]), Err(431));
        let mut rq = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            rq.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        rq.extend_from_slice(b"\r\n");
        assert_eq!(status(&rq), 431);
    }

    #[test]
    fn versions() {
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), 200);
        assert_eq!(status(b"GET / HTTP/1.0\r\n\r\n"), 200);
        assert_eq!(status(b"GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(status(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
        assert_eq!(status(b"GET / HTTP/0.9\r\n\r\n"), 505);
        for bad in [
            &b"GET / HTTP/1\r\n\r\n"[..],
            b"GET / HTTP/1.10\r\n\r\n",
            b"GET / http/1.1\r\n\r\n",
            b"GET /\r\n\r\n",
            b"GET\r\n\r\n",
            b"\r\n\r\n",
        ] {
            assert_eq!(status(bad), 400, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn request_lines_and_headers_that_are_refused() {
        for bad in [
            &b"GET  / HTTP/1.1\r\n\r\n"[..],
            b"GET / HTTP/1.1 \r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b"GET /a\x1bb HTTP/1.1\r\n\r\n",
            b"GET /a\x7f HTTP/1.1\r\n\r\n",
            b"GET /\xc2\x9b HTTP/1.1\r\n\r\n",
            b"GET /\tx HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\rX: y\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
            b"GET / HTTP/1.1\r\nX : a\r\n\r\n",
            b"GET / HTTP/1.1\r\n: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nX\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n",
        ] {
            assert_eq!(status(bad), 400, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn bodies_and_expectations() {
        let h = b"POST / HTTP/1.1\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n";
        assert_eq!(parse(h).unwrap().content_length, 5);
        let h = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY);
        assert_eq!(parse(h.as_bytes()).unwrap().content_length, MAX_BODY);
        let h = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert_eq!(parse(h.as_bytes()).unwrap_err().status, 413);
        let h = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse(h).unwrap_err().status, 411);
        let h = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
        assert_eq!(parse(h).unwrap_err().status, 411);
        let h = b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
        assert!(parse(h).unwrap().expect_continue);
        // No interim answers to HTTP/1.0.
        let h = b"POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        assert!(!parse(h).unwrap().expect_continue);
        let h = b"GET / HTTP/1.1\r\nExpect: something\r\n\r\n";
        assert_eq!(parse(h).unwrap_err().status, 417);
    }

    #[test]
    fn keep_alive_and_what_is_forwarded() {
        let ka = |h: &[u8]| parse(h).unwrap().keep_alive;
        assert!(ka(b"GET / HTTP/1.1\r\n\r\n"));
        assert!(!ka(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"));
        assert!(!ka(
            b"GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n"
        ));
        assert!(!ka(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(ka(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        let h = parse(
            b"HEAD /a?b=1 HTTP/1.0\r\nHost:  t \r\nConnection: keep-alive\r\nUpgrade: h2c\r\n\
              Content-Length: 0\r\nX-Y:\tz\r\n\r\n",
        )
        .unwrap();
        assert_eq!((h.method, h.target, h.http10), ("HEAD", "/a?b=1", true));
        let mut out = Vec::new();
        h.forward(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HEAD /a?b=1 HTTP/1.1\r\nHost: t\r\nX-Y: z\r\n\r\n"
        );
    }

    #[test]
    fn log_fields_of_anything() {
        assert_eq!(
            log_fields(b"GET /a\x1b HTTP/1.1\r\n"),
            ("GET".into(), "/a\x1b".into())
        );
        assert_eq!(log_fields(b""), ("-".into(), "-".into()));
        assert_eq!(log_fields(b"GET"), ("GET".into(), "-".into()));
        assert_eq!(
            log_fields(b"GET /\xc2\x9b\xff"),
            ("GET".into(), "/\u{9b}\u{fffd}".into())
        );
    }
}
