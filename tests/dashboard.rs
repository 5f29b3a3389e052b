//! `serve`'s dashboard: the page and its assets with a strict Content-Security-Policy, client-side
//! routes getting the page, the API keeping its JSON 404s, `--no-dashboard`, and the endpoints the
//! dashboard reads (overview, changes, runs). The page in a real browser: `.ci/dashboard`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

fn analyzed() -> Env {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    e
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn the_page_and_its_assets_are_served_with_a_strict_policy() {
    let e = analyzed();
    let s = Server::start(&e);
    for path in [
        "/",
        "/products?brand=Kurtzy",
        "/products/B08C0F4912",
        "/issues/leaks",
        "/changes",
    ] {
        let (status, head, body) = s.call("GET", path);
        assert_eq!(status, 200, "{path}");
        assert!(
            header(&head, "content-type")
                .unwrap()
                .starts_with("text/html"),
            "{path}: {head}"
        );
        let csp = header(&head, "content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe"),
            "{csp}"
        );
        assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
        assert!(body.contains("/dashboard/app.js"), "{body}");
    }
    let (status, head, body) = s.call("GET", "/dashboard/app.js");
    assert_eq!(status, 200);
    assert!(header(&head, "content-type")
        .unwrap()
        .contains("javascript"));
    assert!(body.contains("textContent") || body.contains("createTextNode"));
    // The API keeps its JSON 404 for unknown paths under /api/.
    let (status, v) = s.get("/api/v1/nowhere");
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");
}

#[test]
fn no_dashboard_serves_the_api_alone() {
    let e = analyzed();
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["serve", "--addr", "127.0.0.1:0", "-q", "--no-dashboard"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    let s = Client { addr };
    let (status, v) = s.get("/");
    assert_eq!(status, 404, "{v}");
    assert_eq!(s.ok("/healthz")["data"]["status"], "ok");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn overview_changes_and_runs_are_what_report_prints() {
    let e = analyzed();
    let s = Server::start(&e);
    let o = s.ok("/api/v1/overview");
    let report: serde_json::Value = serde_json::from_str(&e.ok(&["report", "-f", "json"])).unwrap();
    assert_eq!(o["data"]["attention"], report["attention"]);
    assert_eq!(o["data"]["issues"], report["issues"]);
    assert_eq!(o["data"]["brands"], report["brands"]);
    let summary = &o["data"]["summary"];
    let reviews: i64 = e.count("SELECT count(*) FROM reviews");
    assert_eq!(summary["reviews"], reviews);
    assert_eq!(
        summary["products"],
        e.count("SELECT count(*) FROM product_insights")
    );
    assert_eq!(summary["brands"], 4);
    assert!(
        summary["neg_delta"].is_null(),
        "one run: nothing to compare with"
    );
    // The dashboard's card then says so (its text checked in a browser by `.ci/dashboard`)
    // instead of a bare dash: it reads the run ids the summary carries.
    assert!(
        summary["previous_run_id"].is_null() && summary["run_id"].is_i64(),
        "{summary}"
    );
    let (_, _, js) = s.call("GET", "/dashboard/app.js");
    assert!(
        js.contains("first run: no previous run"),
        "the card's words"
    );
    let changes: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "changes", "-f", "json"])).unwrap();
    assert_eq!(s.ok("/api/v1/changes")["data"], changes);
    let runs: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "runs", "-f", "json"])).unwrap();
    assert_eq!(s.ok("/api/v1/runs")["data"], runs);
    for bad in [
        "/api/v1/overview?limit=0",
        "/api/v1/overview?nope=1",
        "/api/v1/changes?since=2026-01-01",
        "/api/v1/changes?threshold=-1",
        "/api/v1/runs?x=1",
    ] {
        let (status, v) = s.get(bad);
        assert_eq!(status, 400, "{bad}: {v}");
    }
}

#[test]
fn overview_issues_carry_their_change_since_the_previous_run() {
    let e = Env::new();
    let line = |id: &str, rating: u8, text: &str| {
        format!("{{\"REVIEW_ID\":\"{id}\",\"CHILD_ASIN\":\"B0TREND001\",\"PRODUCT_BRAND\":\"Acme\",\"rating\":{rating},\"text\":\"{text}\"}}\n")
    };
    let mut first = String::new();
    for i in 0..10 {
        first.push_str(&line(&format!("g{i}"), 5, "Great bottle, love it."));
    }
    first.push_str(&line(
        "l0",
        1,
        "It leaks everywhere, water all over my bag.",
    ));
    let f1 = e.file("one.jsonl", first.as_bytes());
    e.ok(&["-q", "analyze", p(&f1)]);
    let mut second = String::new();
    for i in 1..4 {
        second.push_str(&line(
            &format!("l{i}"),
            1,
            "It leaks everywhere, water all over my bag.",
        ));
    }
    let f2 = e.file("two.jsonl", second.as_bytes());
    e.ok(&["-q", "analyze", p(&f2)]);
    let s = Server::start(&e);
    let o = s.ok("/api/v1/overview");
    let leaks = o["data"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "leaks")
        .unwrap_or_else(|| panic!("{o}"))
        .clone();
    assert_eq!(leaks["reviews"], 4, "{leaks}");
    assert_eq!(leaks["reviews_before"], 1, "{leaks}");
    assert_eq!(leaks["change"], 3, "{leaks}");
    assert!(
        o["data"]["summary"]["neg_delta"].as_f64().unwrap() > 0.0,
        "{o}"
    );
}

#[test]
fn an_issue_ranks_the_brands_that_report_it() {
    let e = analyzed();
    let s = Server::start(&e);
    let v = s.ok("/api/v1/issues/leaks");
    let d = &v["data"];
    assert_eq!(d["code"], "leaks");
    let brands = d["brands"].as_array().unwrap();
    assert!(!brands.is_empty(), "{v}");
    let sum: i64 = brands.iter().map(|b| b["reviews"].as_i64().unwrap()).sum();
    assert_eq!(sum, d["reviews"].as_i64().unwrap(), "{v}");
    assert!(brands
        .windows(2)
        .all(|w| w[0]["reviews"].as_i64() >= w[1]["reviews"].as_i64()));
    // The issues list says the same totals.
    let all = s.ok("/api/v1/issues");
    let row = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "leaks")
        .unwrap()
        .clone();
    assert_eq!(row["reviews"], d["reviews"]);
    assert_eq!(row["products"], d["products"]);
    for bad in [
        "/api/v1/issues/leak",
        "/api/v1/issues/%FF",
        "/api/v1/issues/",
    ] {
        let (status, v) = s.get(bad);
        assert_eq!(status, 404, "{bad}: {v}");
    }
    let (status, _) = s.get("/api/v1/issues/leaks?x=1");
    assert_eq!(status, 400);
}
