//! One line per request on stderr: when, what, the answer's status and size, and how long it took.
//! What clients sent is escaped (it cannot drive a terminal) and any token in the URL is redacted.

use std::time::Duration;

use super::auth::redact;
use crate::textsafe::escape_control;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-12-04T10:00:00.000Z GET /api/v1/products 200 1234B 0.52ms`
    Text,
    /// One JSON object per line: ts, method, path, status, bytes, ms.
    Json,
}

pub fn line(
    format: LogFormat,
    method: &str,
    url: &str,
    status: u16,
    bytes: usize,
    took: Duration,
) -> String {
    let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let url = redact(url);
    let ms = took.as_secs_f64() * 1000.0;
    match format {
        LogFormat::Text => format!(
            "{ts} {} {} {status} {bytes}B {ms:.2}ms",
            escape_control(method),
            escape_control(&url)
        ),
        // serde_json escapes control characters; C1 and bidi ones are escaped too.
        LogFormat::Json => crate::textsafe::escape_json_c1(
            serde_json::json!({
                "ts": ts,
                "method": method,
                "path": url,
                "status": status,
                "bytes": bytes,
                "ms": (ms * 1000.0).round() / 1000.0,
            })
            .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_lines_carry_every_field_and_no_secret() {
        let t = line(
            LogFormat::Text,
            "GET",
            "/?token=abc\u{1b}[31m",
            200,
            12,
            Duration::from_micros(1500),
        );
        assert!(t.ends_with(" GET /?token=REDACTED 200 12B 1.50ms"), "{t}");
        let j = line(
            LogFormat::Json,
            "GET",
            "/api/v1/products?x=\u{9b}",
            404,
            7,
            Duration::from_millis(2),
        );
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["status"], 404);
        assert_eq!(v["bytes"], 7);
        assert_eq!(v["ms"], 2.0);
        assert!(v["ts"].as_str().unwrap().ends_with('Z'));
        assert!(!j.contains('\u{9b}'));
    }
}
