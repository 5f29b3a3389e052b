//! Running `serve` for a team: graceful stop on SIGTERM, the token, CORS, the access log, and
//! `/metrics` read with a Prometheus text parser.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{p, sample, Env, Server, BIN};

const TOKEN: &str = "team-token-0123456789abcdef";

fn analyzed() -> Env {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    e
}

/// One request with extra header lines; status, head and body.
fn call(addr: &str, method: &str, path: &str, headers: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (
        head[9..12].parse().unwrap(),
        head.to_string(),
        body.to_string(),
    )
}

fn exits_within(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn sigterm(child: &std::process::Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn sigterm_finishes_the_request_under_way_refuses_new_ones_and_exits_0() {
    let e = analyzed();
    let mut s = Server::start(&e);
    let addr = s.addr.clone();
    // A keep-alive client that is idle, and one whose request is arriving.
    let mut idle = TcpStream::connect(&addr).unwrap();
    write!(idle, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let mut busy = TcpStream::connect(&addr).unwrap();
    busy.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(busy, "GET /api/v1/products?limit=2 HTTP/1.1\r\nHost: t\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigterm(&s.child);
    std::thread::sleep(Duration::from_millis(300));
    // Stopped accepting.
    assert!(
        TcpStream::connect(&addr).is_err(),
        "a new connection was accepted after SIGTERM"
    );
    // The request under way is answered in full.
    write!(busy, "Connection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    busy.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"data\""), "{answer}");
    // The idle keep-alive connection was closed, not waited for (idle timeout is 30 s).
    let code = exits_within(&mut s.child, Duration::from_secs(5));
    assert_eq!(code, Some(0));
    idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
}

#[test]
fn beyond_loopback_needs_allow_remote_and_a_token() {
    let e = analyzed();
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = Command::new(BIN);
        c.args(["--db", p(&e.db()), "serve"]).args(args);
        c.env_remove("PRODINSIGHT_API_TOKEN");
        if let Some(t) = env {
            c.env("PRODINSIGHT_API_TOKEN", t);
        }
        c.output().unwrap()
    };
    let o = run(&["--addr", "0.0.0.0:0"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allow-remote"));
    let o = run(&["--addr", "0.0.0.0:0", "--allow-remote"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("token"));
    let o = run(&["--addr", "127.0.0.1:0"], Some("short"));
    assert_eq!(o.status.code(), Some(2));
    // The token's value is never printed, not even in --help.
    let help = Command::new(BIN)
        .args(["serve", "--help"])
        .env("PRODINSIGHT_API_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains(TOKEN));
}

#[test]
fn with_a_token_every_request_but_healthz_needs_it() {
    let e = analyzed();
    let token_file = e.file("token", format!("{TOKEN}\n").as_bytes());
    let s = Server::start_with(
        &e,
        &["-q", "--token-file", p(&token_file)],
        Stdio::inherit(),
    );
    let a = &s.addr;
    assert_eq!(call(a, "GET", "/healthz", "").0, 200);
    for path in ["/api/v1/products", "/metrics", "/api/v1/openapi.json"] {
        let (status, head, body) = call(a, "GET", path, "");
        assert_eq!(status, 401, "{path}");
        assert!(head
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "unauthorized");
        let wrong = call(
            a,
            "GET",
            path,
            "Authorization: Bearer team-token-0123456789abcdeX\r\n",
        );
        assert_eq!(wrong.0, 401, "{path}");
        let right = call(
            a,
            "GET",
            path,
            &format!("Authorization: Bearer {TOKEN}\r\n"),
        );
        assert_eq!(right.0, 200, "{path}");
    }
    // The dashboard: a short page without the token; ?token= sets the cookie and redirects.
    let (status, _, body) = call(a, "GET", "/", "");
    assert_eq!(status, 401);
    assert!(body.contains("?token="));
    let (status, head, _) = call(a, "GET", &format!("/?token={TOKEN}"), "");
    assert_eq!(status, 303);
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("location: /\r\n"), "{head}");
    assert!(lower.contains("set-cookie: prodinsight_token=") && lower.contains("httponly"));
    let cookie = format!("Cookie: prodinsight_token={TOKEN}\r\n");
    assert_eq!(call(a, "GET", "/", &cookie).0, 200);
    assert_eq!(call(a, "GET", "/api/v1/overview", &cookie).0, 200);
}

#[test]
fn cors_origin_answers_preflights_and_marks_answers() {
    let e = analyzed();
    let origin = "https://dash.example.com";
    let s = Server::start_with(&e, &["-q", "--cors-origin", origin], Stdio::inherit());
    let (status, head, _) = call(
        &s.addr,
        "OPTIONS",
        "/api/v1/products",
        &format!("Origin: {origin}\r\n"),
    );
    assert_eq!(status, 204);
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains(&format!("access-control-allow-origin: {origin}")),
        "{head}"
    );
    assert!(lower.contains("access-control-allow-headers: authorization"));
    let (status, head, _) = call(&s.addr, "GET", "/api/v1/brands", "");
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("access-control-allow-origin"));
    let bad = Command::new(BIN)
        .args(["serve", "--cors-origin", "javascript:alert(1)"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn json_access_log_has_every_field_and_no_token() {
    let e = analyzed();
    let mut s = Server::start_with(
        &e,
        &[
            "--log-format",
            "json",
            "--cors-origin",
            "http://localhost:3000",
        ],
        Stdio::piped(),
    );
    let stderr = s.child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    call(&s.addr, "GET", "/api/v1/products?limit=1", "");
    call(&s.addr, "GET", "/nope?token=secret-in-url", "");
    sigterm(&s.child);
    assert_eq!(exits_within(&mut s.child, Duration::from_secs(10)), Some(0));
    let lines = lines.join().unwrap();
    let entries: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(entries.len(), 2, "{lines:?}");
    // A line is written once its answer is sent: the two may come in either order.
    let first = entries
        .iter()
        .find(|v| v["path"] == "/api/v1/products?limit=1")
        .expect("the products request is logged");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["status"], 200);
    assert!(first["bytes"].as_u64().unwrap() > 10);
    assert!(first["ms"].as_f64().unwrap() >= 0.0);
    assert!(first["ts"].as_str().unwrap().contains('T'));
    assert!(!lines.join("\n").contains("secret-in-url"));
}

fn scrape(addr: &str) -> prometheus_parse::Scrape {
    let (status, head, body) = call(addr, "GET", "/metrics", "");
    assert_eq!(status, 200);
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap()
}

fn value(s: &prometheus_parse::Scrape, name: &str, label: Option<(&str, &str)>) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == name)
        .filter(|x| label.is_none_or(|(k, v)| x.labels.get(k) == Some(v)))
        .map(|x| match &x.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(h) => h.last().map_or(0.0, |b| b.count),
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[test]
fn metrics_parse_and_the_counters_move() {
    let e = analyzed();
    let s = Server::start(&e);
    let before = scrape(&s.addr);
    let route = Some(("route", "/api/v1/products/:id"));
    let n0 = value(&before, "prodinsight_http_requests_total", route);
    let list: serde_json::Value =
        serde_json::from_str(&call(&s.addr, "GET", "/api/v1/products?limit=1", "").2).unwrap();
    let asin = list["data"][0]["asin"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let got = call(&s.addr, "GET", &format!("/api/v1/products/{asin}"), "");
        assert_eq!(got.0, 200);
    }
    call(&s.addr, "GET", "/api/v1/products/NOPE-NOT-THERE", "");
    // A worker counts a request after its reply is on the wire, then times it, so a scrape
    // served by another worker may come before either: wait (briefly) for both.
    let mut after = scrape(&s.addr);
    for _ in 0..100 {
        if value(&after, "prodinsight_http_requests_total", route) - n0 >= 4.0
            && value(&after, "prodinsight_http_request_duration_seconds", route) >= 4.0
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        after = scrape(&s.addr);
    }
    assert_eq!(
        value(&after, "prodinsight_http_requests_total", route) - n0,
        4.0
    );
    let not_found = value(
        &after,
        "prodinsight_http_requests_total",
        Some(("status", "404")),
    );
    assert!(not_found >= 1.0);
    assert!(value(&after, "prodinsight_http_request_duration_seconds", route) >= 4.0);
    assert!(value(&after, "prodinsight_reviews", None) > 3000.0);
    assert_eq!(value(&after, "prodinsight_products", None), 36.0);
    assert!(value(&after, "prodinsight_brands", None) >= 1.0);
    assert!(value(&after, "prodinsight_database_bytes", None) > 0.0);
    assert!(value(&after, "prodinsight_last_analysis_timestamp_seconds", None) > 1.7e9);
    assert!(value(&after, "prodinsight_last_run_reviews_analyzed", None) > 0.0);
    // The scrape's own connection is open while it is answered.
    assert!(value(&after, "prodinsight_http_open_connections", None) >= 1.0);
}
