//! `prodinsight report`: every view in every format, checked for content; changes and
//! --fail-on-alert across analysis runs; the API and the report saying the same thing.

mod common;

use common::*;
use serde_json::Value;

fn jsonl_records(n: usize, asin: &str, rating: u8, text: &str, id_prefix: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"REVIEW_ID\":\"{id_prefix}{i}\",\"CHILD_ASIN\":\"{asin}\",\"PRODUCT_BRAND\":\"Acme\",\"rating\":{rating},\"text\":\"{text}\",\"date\":\"2026-0{}-1{}\"}}\n",
                1 + i % 9,
                i % 10
            )
        })
        .collect()
}

/// A portfolio where product BWORSE0001 gets worse between two runs and BSTEADY001 does not.
fn two_runs() -> Env {
    let e = Env::new();
    let mut first = jsonl_records(20, "BWORSE0001", 5, "Great bottle, keeps water cold.", "W");
    first.push_str(&jsonl_records(
        20,
        "BSTEADY001",
        5,
        "Lovely, works well.",
        "S",
    ));
    first.push_str(&jsonl_records(
        2,
        "BSTEADY001",
        1,
        "Broke quickly, poor quality.",
        "SB",
    ));
    let f1 = e.file("first.jsonl", first.as_bytes());
    e.ok(&["-q", "analyze", p(&f1)]);
    let worse = jsonl_records(
        12,
        "BWORSE0001",
        1,
        "The lid leaks, water everywhere in my bag.",
        "WL",
    );
    let f2 = e.file("second.jsonl", worse.as_bytes());
    e.ok(&["-q", "analyze", p(&f2)]);
    e
}

#[test]
fn changes_raise_alerts_and_fail_on_alert_exits_3() {
    let e = two_runs();
    let out = e.ok(&["report", "changes", "--format", "json"]);
    let c: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(c["base_run"]["id"], 1);
    assert_eq!(c["current_run"]["id"], 2);
    let alerts = c["alerts"].as_array().unwrap();
    let kinds: Vec<(&str, Option<&str>, &str, Option<&str>)> = alerts
        .iter()
        .map(|a| {
            (
                a["level"].as_str().unwrap(),
                a["asin"].as_str().or(a["brand"].as_str()),
                a["kind"].as_str().unwrap(),
                a["issue"].as_str(),
            )
        })
        .collect();
    // The product, its brand, and the issue within the brand and the portfolio (issue 20).
    for k in [
        ("product", Some("BWORSE0001"), "negative_rose", None),
        ("brand", Some("Acme"), "negative_rose", None),
        ("issue", Some("Acme"), "new_issue", Some("leaks")),
        ("issue", None, "new_issue", Some("leaks")),
    ] {
        assert!(kinds.contains(&k), "{k:?} not in {kinds:?}");
    }
    assert!(
        alerts.iter().all(|a| a["asin"] != "BSTEADY001"),
        "the steady product raised an alert: {kinds:?}"
    );
    let neg = alerts
        .iter()
        .find(|a| a["kind"] == "negative_rose")
        .unwrap();
    // 0 of 20 negative before; 12 of 32 now.
    assert_eq!(neg["before"], 0.0);
    assert_eq!(neg["after"], 37.5);
    assert_eq!(neg["reviews_after"], 32);

    // Cron: a distinct exit code only when asked, and CSV for the mail.
    let o = e.run(&["report", "changes", "--fail-on-alert", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(3));
    let mut rdr = csv::Reader::from_reader(&o.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "asin");
    assert_eq!(&headers[2], "alert");
    assert_eq!(rdr.records().count(), alerts.len());
    assert_eq!(e.run(&["report", "changes"]).status.code(), Some(0));

    // The same alerts as JSON Lines and as a page.
    let jsonl = e.ok(&["report", "changes", "--format", "jsonl"]);
    assert_eq!(jsonl.lines().count(), alerts.len());
    for line in jsonl.lines() {
        let a: Value = serde_json::from_str(line).unwrap();
        assert!(a["asin"] == "BWORSE0001" || a["asin"].is_null(), "{a}");
    }
    let page = e.ok(&["report", "changes", "--format", "html"]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert_eq!(page.matches("<tr>").count(), alerts.len() + 1);
    assert!(page.contains("negative_rose") && page.contains("+37.5"));

    // A higher threshold, or a minimum the product does not reach, silences it.
    let o = e.run(&["report", "changes", "--fail-on-alert", "--threshold", "50"]);
    assert_eq!(o.status.code(), Some(0));
    // --min-reviews leaves out the product's alert; its brand and issue alerts stay.
    let c: Value =
        serde_json::from_str(&e.ok(&["report", "changes", "--min-reviews", "40", "-f", "json"]))
            .unwrap();
    let levels: Vec<&str> = c["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["level"].as_str().unwrap())
        .collect();
    assert!(
        !levels.contains(&"product") && levels.contains(&"brand"),
        "{levels:?}"
    );

    // --since: the alerts of every run finished since then (both runs; the first has none).
    let o = e.run(&[
        "report",
        "changes",
        "--fail-on-alert",
        "--since",
        "2000-01-01",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stdout).contains("runs 2, 1"));
    // No run since then: nothing to list, which is not a failure.
    let o = e.run(&[
        "report",
        "changes",
        "--since",
        "2999-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let c: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        c["base_run"].is_null() && c["alerts"] == serde_json::json!([]),
        "{c}"
    );

    // Nothing new, everything recomputed: nothing changed since the run before.
    e.ok(&["-q", "analyze", "--full"]);
    let o = e.run(&["report", "changes", "--fail-on-alert"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn overview_ranks_by_impact_in_every_format() {
    let e = two_runs();
    let table = e.ok(&["report"]);
    assert!(table.contains("need attention"));
    assert!(table.contains("Top issues"));
    assert!(table.contains("Brands"));
    let first_row = table
        .lines()
        .find(|l| l.contains("BWORSE0001") || l.contains("BSTEADY001"))
        .unwrap();
    assert!(first_row.contains("BWORSE0001"), "{table}");

    let v: Value = serde_json::from_str(&e.ok(&["report", "--format", "json"])).unwrap();
    let att = v["attention"].as_array().unwrap();
    assert_eq!(att[0]["asin"], "BWORSE0001");
    assert!(att[0]["impact"].as_f64().unwrap() > att[1]["impact"].as_f64().unwrap());
    assert_eq!(v["issues"][0]["code"], "leaks");
    assert_eq!(v["brands"][0]["brand"], "Acme");
    // --min-reviews keeps small products off the list.
    let v: Value =
        serde_json::from_str(&e.ok(&["report", "--format", "json", "--min-reviews", "33"]))
            .unwrap();
    assert_eq!(v["attention"].as_array().unwrap().len(), 0);

    let csv_out = e.ok(&["report", "--format", "csv"]);
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    assert_eq!(&rdr.headers().unwrap()[5], "impact");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "BWORSE0001");
    assert_eq!(
        rows[0][5].parse::<f64>().unwrap(),
        att[0]["impact"].as_f64().unwrap()
    );

    let page = e.ok(&["report", "--format", "html"]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "self-contained"
    );
    assert!(page.contains("<svg"), "charts");
    assert!(
        page.contains("data-metric=\"reviews\">54<"),
        "54 reviews in all"
    );
    assert!(
        page.contains("The lid leaks"),
        "issue highlight with a quote"
    );
}

#[test]
fn a_product_page_says_first_run_where_no_change_is_known() {
    let e = Env::new();
    let f = e.file(
        "one.jsonl",
        jsonl_records(12, "BFIRST0001", 5, "Great bottle, keeps water cold.", "F").as_bytes(),
    );
    e.ok(&["-q", "analyze", p(&f)]);
    let page = e.ok(&["report", "product", "BFIRST0001", "--format", "html"]);
    // No number to read, and words saying why rather than a blank card.
    assert_eq!(metric(&page, "neg_delta"), "");
    assert!(page.contains("first run: no previous run"), "{page}");
    // Once there is a previous run, the change is shown and the words are gone.
    let later = two_runs();
    let page = later.ok(&["report", "product", "BWORSE0001", "--format", "html"]);
    assert_ne!(metric(&page, "neg_delta"), "");
    assert!(!page.contains("first run: no previous run"));
}

/// The number a `data-metric` element shows.
fn metric<'a>(page: &'a str, name: &str) -> &'a str {
    let tag = format!("data-metric=\"{name}\">");
    let start = page.find(&tag).unwrap_or_else(|| panic!("no {name}")) + tag.len();
    &page[start..start + page[start..].find('<').unwrap()]
}

#[test]
fn product_view_in_every_format_agrees_with_itself() {
    let e = two_runs();
    let v: Value =
        serde_json::from_str(&e.ok(&["report", "product", "BWORSE0001", "--format", "json"]))
            .unwrap();
    assert_eq!(v["review_count"], 32);
    assert_eq!(v["issues"][0]["code"], "leaks");
    assert_eq!(v["history"].as_array().unwrap().len(), 2);

    let page = e.ok(&["report", "product", "bworse0001", "--format", "html"]);
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    for k in [
        "review_count",
        "avg_rating",
        "pct_positive",
        "pct_negative",
        "neg_delta",
    ] {
        let shown = metric(&page, k);
        let want = match &v[k] {
            Value::Null => String::new(),
            x => x.to_string(),
        };
        assert_eq!(shown, want, "{k}");
    }
    let leaks = &v["issues"][0];
    assert_eq!(
        metric(&page, "issue.leaks.count"),
        leaks["count"].to_string()
    );
    assert_eq!(
        metric(&page, "issue.leaks.share"),
        leaks["share"].to_string()
    );
    assert!(page.contains(leaks["examples"][0]["text"].as_str().unwrap()));

    let table = e.ok(&["report", "product", "BWORSE0001"]);
    assert!(table.contains("Leaks") && table.contains("32"));
    let csv_out = e.ok(&["report", "product", "BWORSE0001", "--format", "csv"]);
    assert!(csv_out.starts_with("field,value\n"));

    let o = e.run(&["report", "product", "BNOTHERE00"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no product BNOTHERE00"));
}

#[test]
fn list_views_in_every_format() {
    let e = two_runs();
    for (view, key_header, json_key) in [
        ("products", "asin", "asin"),
        ("brands", "brand", "brand"),
        ("issues", "code", "code"),
        ("runs", "run", "id"),
        ("reviews", "review_id", "review_id"),
    ] {
        let csv_out = e.ok(&["report", view, "--format", "csv"]);
        let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
        assert_eq!(&rdr.headers().unwrap()[0], key_header, "{view}");
        let csv_rows = rdr.records().count();
        assert!(csv_rows > 0, "{view}");

        let json: Value =
            serde_json::from_str(&e.ok(&["report", view, "--format", "json"])).unwrap();
        let arr = json.as_array().unwrap();
        assert_eq!(arr.len(), csv_rows, "{view}");
        assert!(arr[0].get(json_key).is_some(), "{view}: {}", arr[0]);

        let jsonl = e.ok(&["report", view, "--format", "jsonl"]);
        assert_eq!(jsonl.lines().count(), csv_rows, "{view}");
        for line in jsonl.lines() {
            serde_json::from_str::<Value>(line).unwrap();
        }

        let page = e.ok(&["report", view, "--format", "html"]);
        assert!(
            page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"),
            "{view}"
        );
        assert_eq!(
            page.matches("<tr>").count(),
            csv_rows + 1,
            "{view}: header and rows"
        );

        let table = e.ok(&["report", view]);
        let first = match &arr[0][json_key] {
            Value::String(x) => x.clone(),
            x => x.to_string(),
        };
        assert!(table.contains(&first), "{view}: {first} not in\n{table}");
    }
    // Filters and limits.
    let v: Value = serde_json::from_str(
        &e.ok(&["report", "products", "--issue", "leaks", "--format", "json"]),
    )
    .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let v: Value = serde_json::from_str(&e.ok(&[
        "report",
        "reviews",
        "--asin",
        "BWORSE0001",
        "--limit",
        "5",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    let out = e.dir.path().join("p.csv");
    e.ok(&["report", "products", "--format", "csv", "-o", p(&out)]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("asin,"));
}

#[test]
fn report_json_has_the_api_shapes() {
    let e = two_runs();
    let report: Value = serde_json::from_str(&e.ok(&[
        "report", "products", "--sort", "negative", "--format", "json",
    ]))
    .unwrap();
    let product: Value =
        serde_json::from_str(&e.ok(&["report", "product", "BWORSE0001", "--format", "json"]))
            .unwrap();
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/products?sort=negative&limit=500");
    assert_eq!(report, api["data"]);
    let api_product = srv.ok("/api/v1/products/BWORSE0001");
    assert_eq!(product, api_product["data"]);
}

#[test]
fn empty_database_reports_clearly() {
    let e = Env::new();
    let o = e.run(&["report"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    let empty = e.file("empty.jsonl", b"");
    e.run(&["-q", "ingest", p(&empty)]);
    let o = e.run(&["report"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no analysis yet"));
    let v: Value =
        serde_json::from_str(&e.ok(&["report", "products", "--format", "json"])).unwrap();
    assert_eq!(v, serde_json::json!([]));
    let o = e.run(&["report", "changes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no analysis yet"));
}

/// Issue 21 item 16: the CLI refused nothing the API refuses; it printed an empty or wrong result
/// with exit 0. Now each bad value is a usage error (exit 2) that says what is allowed.
#[test]
fn bad_report_options_exit_2_with_the_allowed_values() {
    let e = two_runs();
    for (args, says) in [
        (
            &["report", "products", "--issue", "leak"][..],
            "leaks, smell",
        ),
        (&["report", "reviews", "--issue", "leak"], "leaks, smell"),
        (
            &["report", "products", "--sort", "price"],
            "reviews, rating",
        ),
        (&["report", "brands", "--sort", "asin"], "reviews, products"),
        // Options of other views are not silently ignored.
        (&["report", "brands", "--issue", "leaks"], "--issue"),
        (&["report", "issues", "--limit", "0"], "at least 1"),
        (&["report", "reviews", "--sort", "rating"], "--sort"),
        (&["report", "changes", "--since", "garbage"], "YYYY-MM-DD"),
        (
            &["report", "changes", "--since", "2026-13-45"],
            "YYYY-MM-DD",
        ),
        (&["report", "changes", "--threshold", "NaN"], "0 to 100"),
        (&["report", "products", "--limit", "0"], "at least 1"),
        (&["report", "brands", "--limit", "0"], "at least 1"),
        (&["report", "reviews", "--limit", "0"], "at least 1"),
        (&["report", "--limit", "0"], "at least 1"),
        (&["report", "products", "--brand", ""], "empty"),
        (&["report", "products", "--min-reviews", "-1"], "-1"),
    ] {
        let o = e.run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    // A product that does not exist is a failure (exit 1), as `report product NOPE` and the API's 404.
    let o = e.run(&["report", "reviews", "--asin", "NOPE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no product NOPE"));
    // Any letter case finds it, as in the API.
    let v: Value =
        serde_json::from_str(&e.ok(&["report", "reviews", "--asin", "bworse0001", "-f", "json"]))
            .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 32);
    // Good dates still work, RFC 3339 with an offset included.
    e.ok(&["report", "changes", "--since", "2026-11-01T08:00:00+02:00"]);
}

#[test]
fn each_view_help_lists_only_its_own_options_with_examples() {
    let e = Env::new();
    for (view, has, lacks) in [
        (
            "products",
            &[
                "--brand",
                "--min-reviews",
                "--issue",
                "--limit",
                "--sort",
                "--order",
                "--since",
                "--until",
                "--compare",
            ][..],
            &["--asin", "--fail-on-alert"][..],
        ),
        (
            "brands",
            &[
                "--brand", "--limit", "--sort", "--order", "--since", "--until",
            ],
            &["--issue", "--asin", "--min-reviews", "--fail-on-alert"],
        ),
        (
            "issues",
            &[
                "--brand",
                "--sort",
                "--limit",
                "--since",
                "--until",
                "--compare",
            ],
            &["--issue", "--asin", "--min-reviews"],
        ),
        (
            "reviews",
            &[
                "--asin", "--brand", "--issue", "--limit", "--since", "--until",
            ],
            &["--sort", "--min-reviews", "--compare"],
        ),
        (
            "changes",
            &[
                "--since",
                "--threshold",
                "--min-reviews",
                "--brand",
                "--fail-on-alert",
            ],
            &["--issue", "--asin", "--sort", "--limit"],
        ),
        ("product", &[], &["--brand", "--issue", "--limit"]),
        (
            "runs",
            &["--since", "--until"],
            &["--brand", "--issue", "--limit", "--compare"],
        ),
    ] {
        let help = e.ok(&["report", view, "--help"]);
        assert!(help.contains("Examples:"), "{view}: {help}");
        assert!(
            help.contains(&format!("prodinsight report {view}")),
            "{view}"
        );
        for o in has {
            assert!(help.contains(&format!("{o} ")), "{view} lacks {o}: {help}");
            let example = help[help.find("Examples:").unwrap()..].contains(o);
            assert!(example, "{view}: no example uses {o}");
        }
        for o in lacks {
            assert!(!help.contains(o), "{view} shows {o}: {help}");
        }
    }
}

/// Brands match ignoring case, in the CLI and the API, and not only for ASCII.
#[test]
fn brands_match_ignoring_case_in_report_and_api() {
    let e = two_runs();
    let more = e.file(
        "oe.jsonl",
        "{\"REVIEW_ID\":\"O1\",\"CHILD_ASIN\":\"BOEKO00001\",\"PRODUCT_BRAND\":\"Ökoträum\",\"rating\":2,\"text\":\"It leaks.\"}\n"
            .as_bytes(),
    );
    e.ok(&["-q", "analyze", p(&more)]);
    let json = |args: &[&str]| -> Value { serde_json::from_str(&e.ok(args)).unwrap() };
    let exact = json(&["report", "products", "--brand", "Acme", "-f", "json"]);
    assert_eq!(exact.as_array().unwrap().len(), 2);
    for spelling in ["ACME", "acme", "aCmE"] {
        assert_eq!(
            json(&["report", "products", "--brand", spelling, "-f", "json"]),
            exact,
            "{spelling}"
        );
        let b = json(&["report", "brands", "--brand", spelling, "-f", "json"]);
        assert_eq!(b[0]["brand"], "Acme", "{spelling}");
        let r = json(&["report", "reviews", "--brand", spelling, "-f", "json"]);
        assert_eq!(r.as_array().unwrap().len(), 54, "{spelling}");
        let i = json(&["report", "issues", "--brand", spelling, "-f", "json"]);
        assert_eq!(i[0]["code"], "leaks", "{spelling}");
        let o = json(&["report", "--brand", spelling, "-f", "json"]);
        assert_eq!(o["attention"].as_array().unwrap().len(), 2, "{spelling}");
    }
    let oe = json(&["report", "products", "--brand", "ÖKOTRÄUM", "-f", "json"]);
    assert_eq!(oe[0]["asin"], "BOEKO00001");
    assert_eq!(
        json(&["report", "products", "--brand", "nobody", "-f", "json"]),
        serde_json::json!([])
    );

    let srv = Server::start(&e);
    for path in [
        "/api/v1/products?brand=ACME",
        "/api/v1/products?brand=acme&sort=asin&limit=1",
        "/api/v1/products?brand=aCmE&brand=nobody&min_reviews=1",
    ] {
        let v = srv.ok(path);
        assert_eq!(v["meta"]["total"], 2, "{path}");
        assert_eq!(v["data"][0]["brand"], "Acme", "{path}");
    }
    let v = srv.ok("/api/v1/products?brand=%C3%B6kotr%C3%A4um");
    assert_eq!(v["data"][0]["asin"], "BOEKO00001");
    let v = srv.ok("/api/v1/brands?brand=ACME");
    assert_eq!(v["data"][0]["brand"], "Acme");
    let v = srv.ok("/api/v1/issues?brand=acme");
    assert_eq!(v["data"][0]["code"], "leaks");
}

/// A review's issues have one shape, `{code, evidence}`, in `report reviews -f json` and the API;
/// and the product list has one default sort in both.
#[test]
fn report_and_api_share_review_and_list_shapes() {
    let e = two_runs();
    let report: Value =
        serde_json::from_str(&e.ok(&["report", "reviews", "--asin", "BWORSE0001", "-f", "json"]))
            .unwrap();
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/products/BWORSE0001/reviews?limit=500");
    let api = api["data"].as_array().unwrap();
    let mut compared = 0;
    for r in report.as_array().unwrap() {
        let a = api
            .iter()
            .find(|a| a["review_id"] == r["review_id"])
            .unwrap();
        assert_eq!(r["issues"], a["issues"], "{r}");
        for issue in r["issues"].as_array().unwrap() {
            assert!(issue["code"].is_string() && issue["evidence"].is_string());
            compared += 1;
        }
        for k in [
            "rating",
            "sentiment",
            "text_score",
            "aspects",
            "title",
            "text",
        ] {
            assert_eq!(r[k], a[k], "{k}");
        }
    }
    assert!(compared >= 12, "{compared} issues compared");
    let jsonl = e.ok(&["report", "reviews", "--asin", "BWORSE0001", "-f", "jsonl"]);
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(first["issues"].is_array());

    // One default sort: `report products -f json` is the API's default first page.
    let list: Value =
        serde_json::from_str(&e.ok(&["report", "products", "--format", "json"])).unwrap();
    let api = srv.ok("/api/v1/products");
    assert_eq!(api["meta"]["sort"], "reviews");
    assert_eq!(list, api["data"]);
    let brands: Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--format", "json"])).unwrap();
    assert_eq!(brands, srv.ok("/api/v1/brands")["data"]);
}
