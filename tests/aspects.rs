//! What customers like and what they complain about, per product: `liked_aspects` and
//! `complaint_aspects` in `report product` (every format) and the API, without makers' names.

mod common;

use common::*;
use serde_json::Value;

fn product(e: &Env, asin: &str) -> Value {
    serde_json::from_str(&e.ok(&["report", "product", asin, "--format", "json"])).unwrap()
}

fn terms(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["term"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn report_product_json_carries_liked_aspects_on_sample_data() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let d = product(&e, "B08C0F4912");
    let liked = d["liked_aspects"].as_array().unwrap();
    assert!(liked.len() >= 3, "{liked:?}");
    let counts: Vec<i64> = liked.iter().map(|a| a["count"].as_i64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {counts:?}"
    );
    let n = d["review_count"].as_f64().unwrap();
    for a in liked {
        let share = a["share"].as_f64().unwrap();
        let expect = (1000.0 * a["count"].as_f64().unwrap() / n).round() / 10.0;
        assert!((share - expect).abs() < 0.051, "{a}");
        let q = &a["quote"];
        assert!(!q["text"].as_str().unwrap().is_empty(), "{a}");
        assert!((1..=5).contains(&q["stars"].as_i64().unwrap()), "{a}");
        assert!(q["language"].is_string(), "{a}");
    }
    // Praise in other languages counts under the English term ("le joint est excellent": seal).
    let languages: Vec<&str> = liked
        .iter()
        .map(|a| a["quote"]["language"].as_str().unwrap())
        .collect();
    assert!(languages.iter().any(|l| *l != "en"), "{languages:?}");
    // The same, beside the complaint aspects, in the table, CSV and HTML.
    let top = liked[0]["term"].as_str().unwrap();
    let table = e.ok(&["report", "product", "B08C0F4912"]);
    assert!(table.contains("liked") && table.contains("complaint aspect"));
    let csv = e.ok(&["report", "product", "B08C0F4912", "--format", "csv"]);
    assert!(csv.contains(
        "liked,reviews,% of reviews,Δ reviews since previous run,Δ % of reviews,quote,complaint aspect,reviews"
    ));
    let html = e.ok(&["report", "product", "B08C0F4912", "--format", "html"]);
    assert!(html.contains("What customers like"));
    assert!(html.contains(&format!("data-aspect=\"{top}\"")));
}

#[test]
fn liked_aspects_come_from_praise_and_never_name_the_maker() {
    let e = Env::new();
    let rows = [
        (
            5,
            "The sound quality is amazing and the battery life is excellent.",
        ),
        (
            5,
            "I love my Zorblat. The sound quality is superb, the Zorblat app is fine.",
        ),
        (
            4,
            "Great sound quality, better than my old Sony. Easy to use.",
        ),
        (
            5,
            "Battery life is great and the screen is bright and clear.",
        ),
        (
            2,
            "The headband broke after a week. The Zorblat support was useless.",
        ),
        (
            1,
            "The headband cracked and the cable is flimsy. Canon makes better stuff.",
        ),
        (
            5,
            "La calidad de sonido es excelente y la batería dura muchísimo.",
        ),
    ];
    let mut jsonl = String::new();
    for (i, (stars, text)) in rows.iter().enumerate() {
        // No brand field: names are found from the text alone.
        jsonl.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"CHILD_ASIN\":\"BZORB00001\",\"rating\":{stars},\"text\":\"{text}\"}}\n"
        ));
    }
    let f = e.file("zorblat.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let d = product(&e, "BZORB00001");
    let liked = terms(&d, "liked_aspects");
    let complaints = terms(&d, "complaint_aspects");
    // "Sound quality" counts whole and for the sound, which the Spanish review praises too.
    assert_eq!(
        liked.first().map(String::as_str),
        Some("sound"),
        "{liked:?}"
    );
    assert!(liked.contains(&"sound quality".to_string()), "{liked:?}");
    assert!(liked.contains(&"battery life".to_string()), "{liked:?}");
    assert!(
        liked.contains(&"battery".to_string()),
        "Spanish praise: {liked:?}"
    );
    assert!(!liked.contains(&"headband".to_string()), "{liked:?}");
    assert!(
        complaints.contains(&"headband".to_string()),
        "{complaints:?}"
    );
    for t in liked.iter().chain(&complaints) {
        for name in ["zorblat", "sony", "canon"] {
            assert!(!t.split(' ').any(|w| w == name), "{t} names a maker");
        }
    }
}

#[test]
fn the_brand_field_and_model_codes_are_never_aspects() {
    let e = Env::new();
    let mut jsonl = String::new();
    for i in 0..4 {
        jsonl.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"CHILD_ASIN\":\"BQUUX00001\",\"brand\":\"Quuxtone\",\"rating\":5,\
             \"text\":\"the quuxtone qx500 has great speakers and the quuxtone remote is excellent\"}}\n"
        ));
    }
    let f = e.file("quux.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let liked = terms(&product(&e, "BQUUX00001"), "liked_aspects");
    assert!(liked.contains(&"speaker".to_string()), "{liked:?}");
    assert!(liked.contains(&"remote".to_string()), "{liked:?}");
    assert!(
        !liked
            .iter()
            .any(|t| t.split(' ').all(|w| w == "quuxtone" || w == "qx500")),
        "{liked:?}"
    );
}

#[test]
fn the_api_product_detail_carries_liked_aspects() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let srv = Server::start(&e);
    let d = srv.ok("/api/v1/products/B08C0F4912");
    let liked = d["data"]["liked_aspects"].as_array().unwrap();
    assert!(!liked.is_empty());
    assert!(liked[0]["term"].is_string() && liked[0]["share"].is_number());
    assert!(liked[0]["quote"]["text"].is_string());
    let doc = srv.ok("/api/v1/openapi.json");
    let s = doc.to_string();
    assert!(s.contains("liked_aspects"), "the OpenAPI document names it");
}

/// Reviews of `brand`'s products (all brands if None) whose current analysis praises `term`,
/// counted straight from the stored per-text results.
fn raw_liked(e: &Env, brand: Option<&str>, term: &str) -> i64 {
    let brand_clause = brand.map_or(String::new(), |b| {
        format!(
            " AND coalesce(p.brand, r.brand, '(no brand)') = '{}'",
            b.replace('\'', "''")
        )
    });
    e.count(&format!(
        "SELECT count(*) FROM reviews r JOIN products p ON p.asin = r.asin
         JOIN text_results t ON t.text_hash = r.text_hash
              AND t.analyzer = (SELECT key FROM (SELECT analyzer AS key FROM text_results LIMIT 1))
         WHERE r.retired_run IS NULL{brand_clause}
           AND EXISTS (SELECT 1 FROM json_each(t.liked) j
                       WHERE json_extract(j.value, '$.term') = '{}')",
        term.replace('\'', "''")
    ))
}

/// Checks a list of liked aspects against the raw results: counts, shares of `reviews`, ranking
/// and quotes with stars and language.
fn check_liked(e: &Env, liked: &[Value], brand: Option<&str>, reviews: i64) {
    assert!(liked.len() >= 3, "{brand:?}: {liked:?}");
    let counts: Vec<i64> = liked.iter().map(|a| a["count"].as_i64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {counts:?}"
    );
    for a in liked {
        let (term, count) = (a["term"].as_str().unwrap(), a["count"].as_i64().unwrap());
        assert_eq!(count, raw_liked(e, brand, term), "{brand:?} {term}");
        let expect = (1000.0 * count as f64 / reviews as f64).round() / 10.0;
        assert!((a["share"].as_f64().unwrap() - expect).abs() < 0.051, "{a}");
        let q = &a["quote"];
        assert!(!q["text"].as_str().unwrap().is_empty(), "{a}");
        assert!((1..=5).contains(&q["stars"].as_i64().unwrap()), "{a}");
        assert!(q["language"].is_string(), "{a}");
    }
}

#[test]
fn brands_and_the_portfolio_sum_what_customers_like_from_the_raw_results() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let brands: Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--format", "json"])).unwrap();
    let brands = brands.as_array().unwrap();
    let mut checked = 0;
    for b in brands
        .iter()
        .filter(|b| b["review_count"].as_i64().unwrap() >= 50)
    {
        let name = b["brand"].as_str().unwrap();
        let liked = b["liked_aspects"].as_array().unwrap();
        check_liked(&e, liked, Some(name), b["review_count"].as_i64().unwrap());
        checked += 1;
    }
    assert!(checked >= 2, "{brands:?}");
    let o: Value = serde_json::from_str(&e.ok(&["report", "--format", "json"])).unwrap();
    let total = e.count("SELECT count(*) FROM reviews WHERE retired_run IS NULL");
    let liked = o["liked_aspects"].as_array().unwrap();
    check_liked(&e, liked, None, total);
    // One brand asked for: its own liked aspects, as the brand list shows them.
    let name = brands[0]["brand"].as_str().unwrap();
    let one: Value =
        serde_json::from_str(&e.ok(&["report", "--brand", name, "--format", "json"])).unwrap();
    assert_eq!(one["liked_aspects"], brands[0]["liked_aspects"]);
    // The table and the HTML page show them; so does the API, with an OpenAPI entry.
    let top = liked[0]["term"].as_str().unwrap();
    let table = e.ok(&["report"]);
    assert!(
        table.contains("What customers like across the portfolio"),
        "{table}"
    );
    let html = e.ok(&["report", "--format", "html"]);
    assert!(html.contains(&format!("data-aspect=\"{top}\"")), "{html}");
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/overview");
    assert_eq!(api["data"]["liked_aspects"], o["liked_aspects"]);
    let api = srv.ok(&format!(
        "/api/v1/brands?brand={}",
        name.replace(' ', "%20")
    ));
    assert_eq!(api["data"][0]["liked_aspects"], brands[0]["liked_aspects"]);
    let doc = srv.ok("/api/v1/openapi.json").to_string();
    assert!(doc.contains("liked_aspects across") || doc.contains("what customers like across"));
}

/// The change in share from `before` = (count, reviews) to `now`, in points to 0.1 (as README).
fn points(now: (i64, i64), before: (i64, i64)) -> f64 {
    let exact = 100.0 * (now.0 as f64 / now.1 as f64 - before.0 as f64 / before.1 as f64);
    (exact * 10.0).round() / 10.0
}

#[test]
fn a_product_says_how_its_liked_aspects_and_issues_moved_since_the_previous_run() {
    let e = Env::new();
    let asin = "B08C0F4912";
    e.ok(&["-q", "analyze", p(&sample().join("export-1-2025-h1.json"))]);
    let first = product(&e, asin);
    // The first run has nothing to compare with.
    assert_eq!(first["previous_review_count"], Value::Null);
    assert_eq!(first["liked_aspects"][0]["count_change"], Value::Null);
    assert_eq!(first["issues"][0]["previous_count"], Value::Null);
    e.ok(&["-q", "analyze", p(&sample().join("export-2-2026-q1.jsonl"))]);
    let now = product(&e, asin);
    let (n0, n) = (
        first["review_count"].as_i64().unwrap(),
        now["review_count"].as_i64().unwrap(),
    );
    assert!(n > n0, "the second export adds reviews");
    assert_eq!(now["previous_review_count"].as_i64(), Some(n0));
    let count_then = |key: &str, id: &str, name: &str| -> Option<i64> {
        (first[key].as_array().unwrap().iter())
            .find(|x| x[id] == name)
            .map(|x| x["count"].as_i64().unwrap())
    };
    let mut moved = 0;
    let kinds = [
        ("liked_aspects", "term"),
        ("complaint_aspects", "term"),
        ("issues", "code"),
    ];
    let mut disliked = 0;
    for (key, id) in kinds {
        for x in now[key].as_array().unwrap() {
            let name = x[id].as_str().unwrap();
            let count = x["count"].as_i64().unwrap();
            // A liked aspect not shown then still had its count kept (the snapshot keeps 100, 50
            // complaint aspects); an issue not reported then had none.
            let Some(before) = x["previous_count"].as_i64() else {
                panic!("{key} {name}: no previous count: {x}");
            };
            if let Some(shown) = count_then(key, id, name) {
                assert_eq!(before, shown, "{key} {name}");
            } else if key == "issues" {
                assert_eq!(before, 0, "{key} {name}");
            }
            assert_eq!(x["count_change"].as_i64(), Some(count - before), "{x}");
            let expect = points((count, n), (before, n0));
            assert!(
                (x["share_change"].as_f64().unwrap() - expect).abs() < 0.051,
                "{x}"
            );
            moved += usize::from(count != before);
            disliked += usize::from(key == "complaint_aspects" && count != before);
        }
    }
    assert!(moved >= 3, "the second export moved some counts");
    assert!(
        disliked >= 2,
        "the second export moved some complaint aspects"
    );
    // The table, CSV and HTML say it too; so does the API.
    let csv = e.ok(&["report", "product", asin, "--format", "csv"]);
    assert!(csv.contains("Δ reviews since previous run"), "{csv}");
    let html = e.ok(&["report", "product", asin, "--format", "html"]);
    assert!(html.contains("since the previous run:"), "{html}");
    let srv = Server::start(&e);
    let api = srv.ok(&format!("/api/v1/products/{asin}"));
    assert_eq!(api["data"]["liked_aspects"], now["liked_aspects"]);
    assert_eq!(api["data"]["issues"], now["issues"]);
    assert_eq!(api["data"]["complaint_aspects"], now["complaint_aspects"]);
    // A complaint aspect's change, in the table's and CSV's columns and the HTML's words.
    let lid = (now["complaint_aspects"].as_array().unwrap().iter())
        .find(|a| a["count_change"].as_i64().is_some_and(|c| c != 0))
        .unwrap();
    let (term, moved) = (
        lid["term"].as_str().unwrap(),
        lid["count_change"].as_i64().unwrap(),
    );
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let row = (rows.records().map(Result::unwrap))
        .find(|r| r.len() == 10 && &r[6] == term)
        .unwrap_or_else(|| panic!("{term} in {csv}"));
    assert_eq!(&row[8], &format!("{moved:+}"), "{row:?}");
    let words = format!(
        "{term} ({}; since the previous run {moved:+} reviews",
        lid["count"]
    );
    assert!(html.contains(&words), "{words} in {html}");
    let table = e.ok(&["report", "product", asin]);
    assert!(
        table.matches("Δ reviews since previous run").count() >= 3,
        "{table}"
    );
}

/// `analyze --analyzer llm` against the real OpenAI-compatible server named by
/// PRODINSIGHT_TEST_LLM_BASE_URL (/work/shared/llm/start-local-llm.sh starts one), as tests/llm.rs
/// does; skipped without it. A tiny model's labels are not checked, only the protocol and shape.
fn real_llm(e: &Env, extra: &[&str]) -> Option<std::process::Output> {
    let Ok(url) = std::env::var("PRODINSIGHT_TEST_LLM_BASE_URL") else {
        eprintln!("PRODINSIGHT_TEST_LLM_BASE_URL not set: skipping the real-server test");
        return None;
    };
    let model = std::env::var("PRODINSIGHT_TEST_LLM_MODEL").unwrap_or_else(|_| "smollm2".into());
    let mut c = std::process::Command::new(BIN);
    c.arg("--db").arg(e.db());
    c.args([
        "analyze",
        "--analyzer",
        "llm",
        "--base-url",
        &url,
        "--model",
        &model,
    ]);
    c.args(["--timeout", "120", "--batch-size", "3"])
        .args(extra);
    Some(c.env_remove("OPENAI_API_KEY").output().unwrap())
}

const PRAISE: &str = r#"{"REVIEW_ID":"P1","CHILD_ASIN":"B0PRAISE01","rating":5,"text":"The sound quality is amazing and the battery life is great."}
{"REVIEW_ID":"P2","CHILD_ASIN":"B0PRAISE01","rating":1,"text":"The lid leaks everywhere."}
{"REVIEW_ID":"P3","CHILD_ASIN":"B0PRAISE01","rating":5,"text":"Love the screen, very bright."}
"#;

#[test]
fn the_real_llm_returns_liked_aspects_in_the_offline_shape() {
    let e = Env::new();
    let f = e.file("praise.jsonl", PRAISE.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    let Some(o) = real_llm(&e, &[]) else {
        return;
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    let mut st = conn
        .prepare("SELECT liked FROM text_results WHERE analyzer LIKE 'llm/%/p2/%' AND fallback = 0")
        .unwrap();
    let liked: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!liked.is_empty(), "some text analyzed by the LLM: {err}");
    for l in &liked {
        let v: Value = serde_json::from_str(l).unwrap();
        for a in v.as_array().unwrap() {
            let term = a["term"].as_str().unwrap();
            assert!(!term.is_empty() && term.chars().count() <= 40, "{a}");
            assert_eq!(term, term.to_lowercase().trim(), "{a}");
            assert!(
                a["evidence"].as_str().unwrap().chars().count() <= 201,
                "{a}"
            );
        }
    }
    // Whatever it praised is reported as the offline analyzer's would be.
    let d = product(&e, "B0PRAISE01");
    assert!(d["liked_aspects"].is_array(), "{d}");
}

#[test]
fn summaries_without_the_llm_are_a_usage_error() {
    let e = Env::new();
    let o = e.run(&["analyze", "--summaries", p(&sample())]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--summaries needs --analyzer llm"), "{err}");
    assert!(!e.db().exists(), "refused before any work");
}

#[test]
fn the_real_llm_summarizes_a_product_once_per_evidence() {
    let e = Env::new();
    let f = e.file("praise.jsonl", PRAISE.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    let Some(o) = real_llm(&e, &["--summaries"]) else {
        return;
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("summaries: 1 written"), "{err}");
    let d = product(&e, "B0PRAISE01");
    let text = d["summary"]["text"].as_str().unwrap_or_default();
    assert!(!text.is_empty() && text.chars().count() <= 1501, "{d}");
    assert_eq!(d["summary"]["run_id"], 1);
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/products/B0PRAISE01");
    assert_eq!(api["data"]["summary"], d["summary"]);
    drop(srv);
    // A review of another product: B0PRAISE01's evidence did not change, so it is not sent again
    // (the run's requests: the new review's and the new product's summary).
    let f = e.file(
        "other.jsonl",
        br#"{"REVIEW_ID":"P9","CHILD_ASIN":"B0OTHER001","rating":4,"text":"Nice colour."}"#,
    );
    e.ok(&["-q", "ingest", p(&f)]);
    let o = real_llm(&e, &["--summaries"]).unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("1 unchanged (same evidence, not sent)"),
        "{err}"
    );
    let requests = "SELECT requests FROM analysis_runs WHERE status = 'ok' ORDER BY id DESC";
    assert_eq!(e.count(requests), 2, "{err}");
    assert_eq!(product(&e, "B0PRAISE01")["summary"], d["summary"]);
}

/// The CSV rows of `report liked` as (brand?, term, reviews, share, quote, stars, language).
fn liked_csv(e: &Env, args: &[&str]) -> Vec<Vec<String>> {
    let mut full = vec!["report", "liked", "--format", "csv"];
    full.extend_from_slice(args);
    let text = e.ok(&full);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut rows = vec![rdr.headers().unwrap().iter().map(String::from).collect()];
    rows.extend(
        rdr.records()
            .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>()),
    );
    rows
}

/// One JSON liked aspect as the CSV cells `report liked` writes for it.
fn liked_cells(a: &Value) -> Vec<String> {
    let q = &a["quote"];
    vec![
        a["term"].as_str().unwrap().to_string(),
        a["count"].to_string(),
        format!("{:.1}", a["share"].as_f64().unwrap()),
        q["text"].as_str().unwrap_or_default().to_string(),
        q["stars"].as_i64().map_or(String::new(), |s| s.to_string()),
        q["language"].as_str().unwrap_or_default().to_string(),
    ]
}

#[test]
fn report_liked_is_the_csv_of_the_portfolio_and_brand_liked_aspects() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    // Summed: the overview's list, row for row, the quote's stars and language in cells of their own.
    let overview: Value = serde_json::from_str(&e.ok(&["report", "--format", "json"])).unwrap();
    let liked = overview["liked_aspects"].as_array().unwrap();
    assert!(liked.len() >= 5, "{liked:?}");
    let rows = liked_csv(&e, &[]);
    assert_eq!(
        rows[0],
        [
            "liked",
            "reviews",
            "% of reviews",
            "quote",
            "stars",
            "language"
        ]
    );
    let expect: Vec<Vec<String>> = liked.iter().map(liked_cells).collect();
    assert_eq!(rows[1..], expect[..]);
    // One brand: that brand's list, as `report brands --brand` gives it.
    let brands: Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--format", "json"])).unwrap();
    let brands = brands.as_array().unwrap();
    let first = &brands[0];
    let name = first["brand"].as_str().unwrap();
    let one = liked_csv(&e, &["--brand", &name.to_uppercase()]);
    let expect: Vec<Vec<String>> = (first["liked_aspects"].as_array().unwrap().iter())
        .map(liked_cells)
        .collect();
    assert!(!expect.is_empty());
    assert_eq!(one[1..], expect[..]);
    // Per brand: every brand's list under its name, in the brands' order.
    let per = liked_csv(&e, &["--by-brand"]);
    assert_eq!(per[0][0], "brand");
    let expect: Vec<Vec<String>> = (brands.iter())
        .flat_map(|b| {
            let name = b["brand"].as_str().unwrap().to_string();
            (b["liked_aspects"].as_array().unwrap().iter()).map(move |a| {
                let mut cells = liked_cells(a);
                cells.insert(0, name.clone());
                cells
            })
        })
        .collect();
    assert!(expect.len() > liked.len());
    assert_eq!(per[1..], expect[..]);
    // JSON says which brand a row is of.
    let json: Value =
        serde_json::from_str(&e.ok(&["report", "liked", "--by-brand", "-f", "json"])).unwrap();
    assert_eq!(json[0]["brand"], brands[0]["brand"]);
    assert_eq!(json[0]["term"], brands[0]["liked_aspects"][0]["term"]);
}

#[test]
fn report_liked_before_any_analysis_is_not_found() {
    let e = Env::new();
    e.ok(&["ingest", p(&sample())]);
    let o = e.run(&["report", "liked", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no analysis yet"));
}

/// An export without a brand field whose reviewers write the maker in lower case ("my frumley",
/// "frumley support") and name the model by its code: the maker is never an aspect, in complaints
/// or praise, while the parts reviewers name are.
#[test]
fn a_lower_case_maker_without_a_brand_field_is_never_an_aspect() {
    let e = Env::new();
    let rows = [
        (
            1,
            "my frumley fx-90 died in a week. the frumley is junk and the hinge broke.",
        ),
        (
            2,
            "the hinge cracked. frumley customer service never answered. awful frumley.",
        ),
        (
            1,
            "returned the frumley fx-90, the hinge snapped and the lens is scratched.",
        ),
        (
            2,
            "terrible frumley. the lens fogs up and the hinge is weak.",
        ),
        (
            5,
            "love the frumley! the lens is sharp and the strap is excellent.",
        ),
        (
            5,
            "great frumley fx-90, excellent lens and a comfortable strap.",
        ),
        (
            4,
            "the frumley is great, the strap is nice, but the hinge is stiff.",
        ),
    ];
    let mut jsonl = String::new();
    for (i, (stars, text)) in rows.iter().enumerate() {
        jsonl.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"CHILD_ASIN\":\"BFRUM00001\",\"rating\":{stars},\"text\":\"{text}\"}}\n"
        ));
    }
    let f = e.file("frumley.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let d = product(&e, "BFRUM00001");
    let liked = terms(&d, "liked_aspects");
    let complaints = terms(&d, "complaint_aspects");
    assert!(complaints.contains(&"hinge".to_string()), "{complaints:?}");
    assert!(liked.contains(&"lens".to_string()), "{liked:?}");
    assert!(liked.contains(&"strap".to_string()), "{liked:?}");
    for t in liked.iter().chain(&complaints) {
        assert!(
            !t.split(' ').any(|w| w == "frumley" || w == "fx-90"),
            "{t} names the maker or model: {complaints:?} {liked:?}"
        );
    }
}

/// Lower-cased reviews of one product (as the Hu & Liu texts are: no capitals to go by), with
/// `brand` as the brand field or none.
fn lower_case_reviews(asin: &str, brand: Option<&str>) -> String {
    let texts = [
        (1, "the zorblax hinge snapped and the zorblax battery died. zorblax customer service ignored me."),
        (2, "my zorblax zx-700 is junk: the hinge cracked and the battery drains overnight."),
        (1, "the sony quellor remote broke, the hinge is flimsy. i wish i had kept my old sony quellor."),
        (2, "the zorblax zx-700 hinge is loose and the battery is awful. the zorblax is a waste."),
        (5, "love the zorblax, the screen is gorgeous and the speaker is great."),
        (5, "the screen on my sony quellor is superb and the zorblax speaker is excellent."),
        (4, "great screen, great speaker. the zorblax is wonderful."),
    ];
    let brand = brand.map_or(String::new(), |b| format!("\"brand\":\"{b}\","));
    (texts.iter().enumerate())
        .map(|(i, (stars, text))| {
            format!("{{\"REVIEW_ID\":\"{asin}-{i}\",\"CHILD_ASIN\":\"{asin}\",{brand}\"rating\":{stars},\"text\":\"{text}\"}}\n")
        })
        .collect()
}

#[test]
fn invented_makers_in_lower_case_reviews_are_never_aspects_with_or_without_a_brand_field() {
    let e = Env::new();
    let export =
        lower_case_reviews("BZORBLAX01", Some("Zorblax")) + &lower_case_reviews("BZORBLAX02", None);
    let f = e.file("lower.jsonl", export.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    for asin in ["BZORBLAX01", "BZORBLAX02"] {
        let d = product(&e, asin);
        let complaints = terms(&d, "complaint_aspects");
        let liked = terms(&d, "liked_aspects");
        // The parts are found; the maker (by its model code and helpdesk, or the brand field) and
        // the line after a known maker ("sony quellor", never written alone) are not.
        // "the sony quellor remote broke": the line's next word is still a part.
        for part in ["hinge", "battery", "remote"] {
            assert!(
                complaints.contains(&part.to_string()),
                "{asin}: {complaints:?}"
            );
        }
        for part in ["screen", "speaker"] {
            assert!(liked.contains(&part.to_string()), "{asin}: {liked:?}");
        }
        for t in complaints.iter().chain(&liked) {
            for name in ["zorblax", "quellor", "sony", "zx-700"] {
                assert!(!t.split(' ').any(|w| w == name), "{asin}: {t} is a name");
            }
            // What a subject does is no aspect: "i wish".
            assert_ne!(t, "wish", "{asin}");
        }
    }
}
