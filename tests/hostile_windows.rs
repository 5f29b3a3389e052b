//! A hostile probe of the windowed and paged endpoints (`/issues` with `limit` and `cursor`,
//! `/issues/{code}?from&to`, `/changes?from&to`, windowed `/brands` and `/products`): every bad
//! query string is a 400 whose JSON error names the parameter, never a 500, and the server keeps
//! serving after each; windows over databases with no analysis, no reviews or one review.

mod common;

use common::{p, sample, Env, Server};
use serde_json::Value;

/// The sample exports, ingested and analyzed.
fn analyzed_sample() -> Env {
    let e = Env::new();
    let mut args = vec!["-q".to_string(), "analyze".to_string()];
    for f in std::fs::read_dir(sample()).unwrap() {
        args.push(p(&f.unwrap().path()).to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    e.ok(&args);
    e
}

/// Query strings that must be refused, each with the parameter the error must name.
const HOSTILE: &[(&str, &str)] = &[
    ("limit=-1", "limit"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("limit=99999999999999999999", "limit"),
    ("limit=1e3", "limit"),
    ("limit=%EF%BC%91", "limit"), // full-width digit one
    ("limit=+5", "limit"),
    ("limit=", "limit"),
    ("limit=5&limit=6", "limit"),
    ("cursor=", "cursor"),
    ("cursor=%%%", "cursor"),
    ("cursor=AAAA", "cursor"),
    ("cursor=%00", "cursor"),
    ("cursor=aXw", "cursor"),                    // "i|", cut short
    ("cursor=aXx8fHx8fHx8", "cursor"),           // "i|||||||||": forged fields
    ("cursor=cnwtMQ", "cursor"),                 // a reviews cursor ("r|-1")
    ("cursor=aXxyZXZpZXdzfGRlc2N8fA", "cursor"), // an issues cursor without its code
    ("from=2026-03-01&to=2026-01-01", "from"),
    ("from=2026-02-30", "from"),
    ("from=%EF%BC%92026-01-01", "from"),
    ("from=%D9%A2%D9%A0%D9%A2%D9%A6-01-01", "from"), // Arabic-Indic digits
    ("from=2026-1-1", "from"),
    ("from=-2026-01-01", "from"),
    ("from=262143-01-01", "from"),
    ("from=2026-01-01&from=2026-02-01", "from"),
    ("from", "from"),
    ("from=2026-01-01&to", "to"),
    ("to=2026-13-01", "to"),
    ("%00=1", "\u{0}"),
];

fn refused(s: &Server, path: &str, param: &str) {
    let (status, v) = s.get(path);
    assert_eq!(status, 400, "{path}: {v}");
    assert_eq!(v["error"]["parameter"], param, "{path}: {v}");
    assert_eq!(s.get("/healthz").0, 200, "after {path}");
}

#[test]
fn hostile_query_strings_are_400s_naming_the_parameter_and_the_server_keeps_serving() {
    let e = analyzed_sample();
    let s = Server::start(&e);
    for (query, param) in HOSTILE {
        refused(&s, &format!("/api/v1/issues?{query}"), param);
        let windowed = format!("/api/v1/issues?from=2026-01-01&{query}");
        // A second `from` or a bad `from` names `from` either way.
        if !query.starts_with("from") {
            refused(&s, &windowed, param);
        }
    }
    for (query, param) in HOSTILE.iter().filter(|(q, _)| !q.starts_with("limit")) {
        if query.starts_with("cursor") {
            // One issue and the changes page nothing: a cursor is an unknown parameter there.
            refused(&s, &format!("/api/v1/issues/leaks?{query}"), "cursor");
            refused(&s, &format!("/api/v1/changes?{query}"), "cursor");
            refused(&s, &format!("/api/v1/brands?{query}"), "cursor");
            continue;
        }
        for ep in ["issues/leaks", "changes", "brands", "products"] {
            refused(&s, &format!("/api/v1/{ep}?{query}"), param);
        }
    }
    // A cursor of one sort is refused by another, and another list's cursor by this one.
    let first = s.ok("/api/v1/issues?limit=2");
    let c = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    refused(
        &s,
        &format!("/api/v1/issues?sort=impact&cursor={c}"),
        "cursor",
    );
    refused(&s, &format!("/api/v1/brands?cursor={c}"), "cursor");
    refused(&s, &format!("/api/v1/products?cursor={c}"), "cursor");
    let brands = s.ok("/api/v1/brands?limit=1");
    let b = brands["meta"]["next_cursor"].as_str().unwrap().to_string();
    refused(&s, &format!("/api/v1/issues?cursor={b}"), "cursor");
    refused(
        &s,
        &format!("/api/v1/issues?from=2026-01-01&cursor={b}"),
        "cursor",
    );
}

#[test]
fn hostile_issue_codes_in_the_path_are_404s_not_500s() {
    let e = analyzed_sample();
    let s = Server::start(&e);
    let long = "l".repeat(3000);
    for code in [
        "%00", "..", "%2e%2e", "%2F", "leaks%00", "LEAKS", &long, "%FF%FE", "%zz", "%",
    ] {
        for query in ["", "?from=2026-01-01&to=2026-03-31"] {
            let path = format!("/api/v1/issues/{code}{query}");
            let (status, v) = s.get(&path);
            assert_eq!(status, 404, "{path}: {v}");
            assert_eq!(v["error"]["code"], "not_found", "{path}: {v}");
            assert_eq!(s.get("/healthz").0, 200, "after {path}");
        }
    }
    // Far-off but valid days are windows that hold nothing or everything, not errors.
    let all = s.ok("/api/v1/issues/leaks");
    let wide = s.ok("/api/v1/issues/leaks?from=0000-01-01&to=9999-12-31");
    assert_eq!(wide["data"]["reviews"], all["data"]["reviews"]);
    let none = s.ok("/api/v1/issues/leaks?from=9999-12-31");
    assert_eq!(none["data"]["reviews"], 0);
}

/// A window over a database whose reviews were ingested but never analyzed says so: "no reviews
/// in window" would claim the reviews are not there.
#[test]
fn a_window_before_any_analysis_says_to_analyze_not_that_the_window_is_empty() {
    let e = Env::new();
    let f = sample().join("export-1-2025-h1.json");
    e.ok(&["-q", "ingest", p(&f)]);
    assert!(e.count("SELECT count(*) FROM reviews") > 0);
    let s = Server::start(&e);
    let want = "no analysis yet: run `prodinsight analyze` first";
    for ep in ["issues", "brands", "products"] {
        let v = s.ok(&format!("/api/v1/{ep}?from=2025-01-01&to=2025-06-30"));
        assert_eq!(v["data"]["message"], want, "{ep}: {v}");
    }
    let out = e.ok(&["report", "-f", "json", "--since", "2025-01-01"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["message"], want);
    let table = e.ok(&["report", "issues", "--since", "2025-01-01"]);
    assert!(table.contains(want), "{table}");
}

/// One review, in Japanese, of a brand with `&` and `ß`: every windowed view counts it once.
#[test]
fn a_window_over_one_review_counts_it_once_everywhere() {
    let e = Env::new();
    let f = e.file(
        "one.jsonl",
        r#"{"PRODUCT_BRAND":"Ü&ß","CUSTOMER_REVIEW_RATING":1,"CUSTOMER_REVIEW_TITLE":"壊れました","CUSTOMER_REVIEW_DESCRIPTION":"動かなくなりました。","CHILD_ASIN":"B0AAAAAAA1","REVIEW_ID":"R1","REVIEW_DATE":"2026-02-28","MARKETPLACE":"amazon.co.jp","PRODUCT_TITLE":"x"}"#
            .as_bytes(),
    );
    e.ok(&["-q", "analyze", p(&f)]);
    let s = Server::start(&e);
    let w = "from=2026-02-28&to=2026-02-28";
    let issues = s.ok(&format!("/api/v1/issues?{w}&limit=1"));
    assert_eq!(issues["data"]["reviews"], 1);
    assert_eq!(issues["data"]["issues"][0]["code"], "defective");
    assert_eq!(issues["data"]["issues"][0]["reviews"], 1);
    assert_eq!(
        issues["data"]["issues"][0]["examples"][0]["text"],
        "動かなくなりました"
    );
    // "壊れました" is its other issue, on the second and last page.
    assert_eq!(issues["meta"]["total"], 2);
    let c = issues["meta"]["next_cursor"].as_str().unwrap();
    let second = s.ok(&format!("/api/v1/issues?{w}&limit=1&cursor={c}"));
    assert_eq!(second["data"]["issues"][0]["code"], "durability");
    assert_eq!(
        second["data"]["issues"][0]["examples"][0]["text"],
        "壊れました"
    );
    assert_eq!(second["meta"]["next_cursor"], Value::Null);
    let one = s.ok(&format!("/api/v1/issues/defective?{w}"));
    assert_eq!(one["data"]["reviews"], 1);
    assert_eq!(one["data"]["brands"][0]["brand"], "Ü&ß");
    let brands = s.ok(&format!("/api/v1/brands?{w}&compare=previous"));
    assert_eq!(brands["data"]["rows"][0]["key"], "Ü&ß");
    assert_eq!(brands["data"]["rows"][0]["previous"]["reviews"], 0);
    let before = s.ok("/api/v1/issues/defective?to=2026-02-27");
    assert_eq!(before["data"]["reviews"], 0);
}

/// `/changes?from=` with a time is that instant, as `report changes --since` takes it: the alerts
/// of runs after a check at 20:30 are not those of a run that finished at 20:29 the same day.
#[test]
fn changes_from_an_instant_lists_the_runs_after_it_as_the_cli_does() {
    let e = Env::new();
    let f = sample().join("export-1-2025-h1.json");
    e.ok(&["-q", "analyze", p(&f)]);
    let s = Server::start(&e);
    let latest = s.ok("/api/v1/changes");
    let finished = latest["data"]["current_run"]["finished_at"]
        .as_str()
        .unwrap();
    let t = chrono::DateTime::parse_from_rfc3339(finished).unwrap();
    let at = |d: chrono::Duration| (t + d).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (before, after) = (
        at(chrono::Duration::seconds(-1)),
        at(chrono::Duration::seconds(1)),
    );
    for (since, runs) in [(&before, 1), (&after, 0)] {
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "changes", "--since", since, "-f", "json"]))
                .unwrap();
        // `+` is a space in a query string: the offset is sent encoded.
        let api = s.ok(&format!(
            "/api/v1/changes?from={}",
            since.replace('+', "%2B")
        ));
        assert_eq!(
            cli["runs"].as_array().unwrap().len(),
            runs,
            "{since}: {cli}"
        );
        assert_eq!(api["data"]["runs"], cli["runs"], "{since}");
    }
    // A day is still the whole day, and `to` a day on or after `from`'s.
    let day = &finished[..10];
    assert_eq!(
        s.ok(&format!("/api/v1/changes?from={day}"))["data"]["runs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (status, v) = s.get(&format!("/api/v1/changes?from={after}&to={}", &after[..10]));
    assert_eq!(
        (status, v["data"]["runs"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{v}"
    );
    let (status, v) = s.get(&format!("/api/v1/changes?from={after}&to=2000-01-01"));
    assert_eq!(
        (status, &v["error"]["parameter"]),
        (400, &Value::from("from")),
        "{v}"
    );
}

/// A blank text filter (empty, spaces, a tab, a no-break space) is a 400 naming it on every list
/// that takes it, with or without a window, as `brand=` always was (`brand=%20` was a 200 with no
/// rows); in the CLI a usage error.
#[test]
fn blank_text_filters_are_400s_naming_the_parameter_everywhere() {
    let e = analyzed_sample();
    let s = Server::start(&e);
    let blanks = ["", "%20", "%20%20", "%09", "%C2%A0", "%20%0A"];
    let lists = [
        ("/api/v1/products", &["brand", "q", "marketplace"][..]),
        ("/api/v1/brands", &["brand"][..]),
        ("/api/v1/issues", &["brand"][..]),
        ("/api/v1/overview", &["brand"][..]),
        ("/api/v1/changes", &["brand"][..]),
    ];
    for (path, params) in lists {
        for param in params {
            for blank in blanks {
                refused(&s, &format!("{path}?{param}={blank}"), param);
                if *param == "brand" && path != "/api/v1/changes" {
                    let windowed = format!("{path}?from=2026-01-01&{param}={blank}");
                    refused(&s, &windowed, param);
                }
            }
        }
    }
    for view in [
        &["report"][..],
        &["report", "products"],
        &["report", "aspects"],
    ] {
        for blank in [" ", "\t", "\u{a0}"] {
            let o = e.run(&[view, &["--brand", blank]].concat());
            assert_eq!(o.status.code(), Some(2), "{view:?} {blank:?}: {o:?}");
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("only whitespace"),
                "{o:?}"
            );
        }
    }
}

/// A window that starts on the first day there is has none before it: a comparison is refused,
/// naming `compare`, not dropped silently (which read as "nothing changed").
#[test]
fn a_comparison_with_no_window_before_is_refused_not_dropped() {
    let e = analyzed_sample();
    let s = Server::start(&e);
    for ep in [
        "overview",
        "issues",
        "brands",
        "products",
        "issues/leaks",
        "brands/rhino%20usa",
    ] {
        refused(
            &s,
            &format!("/api/v1/{ep}?from=0000-01-01&to=2026-01-31&compare=previous"),
            "compare",
        );
    }
    // The day after has a window before it.
    let v = s.ok("/api/v1/overview?from=0000-01-02&to=2026-01-31&compare=previous");
    assert_eq!(v["data"]["previous_from"], "0000-01-01", "{v}");
    let out = e.run(&["report", "--since", "0000-01-01", "--compare", "previous"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no window comes before"), "{err}");
}
