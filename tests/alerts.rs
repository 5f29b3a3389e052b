//! Issue 20: alerts a cron job can trust, on exports without review ids or dates. `analyze`
//! decides each run's alerts once (product, brand, issue); `report changes` shows the latest run's.

mod common;

use common::*;
use serde_json::Value;

/// One review line of an export without id or date; `n` keeps otherwise equal texts apart (a
/// review's key is a hash of its product and content).
fn line(asin: &str, brand: &str, stars: u8, text: &str, n: usize) -> String {
    format!(
        "{{\"CHILD_ASIN\":\"{asin}\",\"PRODUCT_BRAND\":\"{brand}\",\"rating\":{stars},\"text\":\"{text} (order {n})\"}}\n"
    )
}

/// `count` reviews of one product, numbered from `from`.
fn reviews(asin: &str, brand: &str, stars: u8, text: &str, count: usize, from: usize) -> String {
    (from..from + count)
        .map(|n| line(asin, brand, stars, text, n))
        .collect()
}

const GOOD: &str = "Great case, fits well";
const BAD: &str = "Bad, the case cracked after two days";

/// Ingests and analyzes one night's export; returns analyze's stderr.
fn night(e: &Env, name: &str, export: &str) -> String {
    let f = e.file(name, export.as_bytes());
    let o = e.run(&["analyze", p(&f)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn changes(e: &Env, extra: &[&str]) -> Value {
    let mut args = vec!["report", "changes", "-f", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&e.ok(&args)).unwrap()
}

fn alerts(c: &Value) -> Vec<Value> {
    c["alerts"].as_array().unwrap().clone()
}

fn fail_on_alert(e: &Env) -> Option<i32> {
    e.run(&["report", "changes", "--fail-on-alert"])
        .status
        .code()
}

/// A product of 310 reviews, 40 one-star, that gets 80 new ones, 30 one-star: 40/310 → 70/390 is
/// +5.045 points (+5.0 shown), credible on 80 new reviews.
fn exact_threshold_env() -> Env {
    let e = Env::new();
    let mut first = reviews("BEXACT0001", "Exacta", 1, BAD, 40, 0);
    first.push_str(&reviews("BEXACT0001", "Exacta", 5, GOOD, 270, 100));
    night(&e, "n1.jsonl", &first);
    let mut second = reviews("BEXACT0001", "Exacta", 1, BAD, 30, 1000);
    second.push_str(&reviews("BEXACT0001", "Exacta", 5, GOOD, 50, 2000));
    night(&e, "n2.jsonl", &second);
    e
}

#[test]
fn a_nothing_new_night_raises_nothing_and_exits_0() {
    let e = exact_threshold_env();
    assert_eq!(fail_on_alert(&e), Some(3));
    // The next night the same export again (cron ran, nothing came): nothing new, exit 0.
    let again = e.dir.path().join("n2.jsonl");
    let o = e.run(&["analyze", p(&again)]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && stderr.contains("nothing new"),
        "{stderr}"
    );
    assert_eq!(fail_on_alert(&e), Some(0));
    let c = changes(&e, &[]);
    assert_eq!(c["current_run"]["status"], "unchanged");
    assert!(alerts(&c).is_empty(), "{c}");
    // A new export that only repeats known reviews, then one with new reviews that change
    // nothing: new runs, still no alert.
    night(
        &e,
        "n3.jsonl",
        &reviews("BEXACT0001", "Exacta", 5, GOOD, 50, 2000),
    );
    assert_eq!(fail_on_alert(&e), Some(0));
    night(
        &e,
        "n4.jsonl",
        &reviews("BEXACT0001", "Exacta", 5, GOOD, 20, 3000),
    );
    assert_eq!(fail_on_alert(&e), Some(0));
    assert_eq!(changes(&e, &[])["current_run"]["status"], "ok");
}

#[test]
fn the_exact_threshold_counts_and_the_summary_names_exactly_the_alerts() {
    let e = Env::new();
    let mut first = reviews("BEXACT0001", "Exacta", 1, BAD, 40, 0);
    first.push_str(&reviews("BEXACT0001", "Exacta", 5, GOOD, 270, 100));
    night(&e, "n1.jsonl", &first);
    let mut second = reviews("BEXACT0001", "Exacta", 1, BAD, 30, 1000);
    second.push_str(&reviews("BEXACT0001", "Exacta", 5, GOOD, 50, 2000));
    let stderr = night(&e, "n2.jsonl", &second);
    let c = changes(&e, &[]);
    let product: Vec<&Value> = c["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["level"] == "product")
        .collect();
    assert_eq!(product.len(), 1, "{c}");
    let a = product[0];
    assert_eq!(a["asin"], "BEXACT0001");
    assert_eq!(a["kind"], "negative_rose");
    assert_eq!(
        (a["before_k"].as_i64(), a["before_n"].as_i64()),
        (Some(40), Some(310))
    );
    assert_eq!(
        (a["after_k"].as_i64(), a["after_n"].as_i64()),
        (Some(70), Some(390))
    );
    assert_eq!(
        (a["new_k"].as_i64(), a["new_n"].as_i64()),
        (Some(30), Some(80))
    );
    // 12.903… → 17.948…: shown rounded, change from the exact values.
    assert_eq!(
        (a["before"].as_f64(), a["after"].as_f64()),
        (Some(12.9), Some(17.9))
    );
    assert_eq!(a["change"].as_f64(), Some(5.0));
    assert!(a["p_value"].as_f64().unwrap() < 0.01, "{a}");
    // The summary's "negative share rose" lines are the negative-share alerts, no more.
    let negative = c["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "negative_rose")
        .count();
    assert_eq!(
        stderr.matches("negative share rose").count(),
        negative,
        "{stderr}"
    );
    assert!(
        stderr.contains("BEXACT0001 (Exacta) 12.9% → 17.9%"),
        "{stderr}"
    );
    // 69 of 390 would be +4.79: below the minimum, no alert and no summary line.
    let e = Env::new();
    night(&e, "n1.jsonl", &first);
    let mut second = reviews("BEXACT0001", "Exacta", 1, BAD, 29, 1000);
    second.push_str(&reviews("BEXACT0001", "Exacta", 5, GOOD, 51, 2000));
    let stderr = night(&e, "n2.jsonl", &second);
    let c = changes(&e, &[]);
    assert!(
        alerts(&c).iter().all(|a| a["kind"] != "negative_rose"),
        "{c}"
    );
    assert!(!stderr.contains("negative share rose"), "{stderr}");
}

/// A brand of 600 two-review products, 20 % negative; then 300 one-star "case cracked" reviews
/// over 150 of them (2 each): no product reaches 10 reviews, the brand alerts, and so does the
/// durability issue within the brand.
fn brand_env() -> (Env, Value) {
    let e = Env::new();
    let mut first = String::new();
    for i in 0..600 {
        let asin = format!("BR{i:08}");
        let stars = if i % 5 == 0 { 1 } else { 5 };
        first.push_str(&line(
            &asin,
            "Rhino",
            stars,
            if stars == 1 { "Awful" } else { GOOD },
            2 * i,
        ));
        first.push_str(&line(&asin, "Rhino", 5, GOOD, 2 * i + 1));
    }
    first.push_str(&reviews("BOTHER0001", "Other", 5, GOOD, 100, 0));
    night(&e, "n1.jsonl", &first);
    let mut second = String::new();
    for i in 0..150 {
        let asin = format!("BR{:08}", i * 4 + 1);
        second.push_str(&reviews(&asin, "Rhino", 1, BAD, 2, 10_000 + 2 * i));
    }
    night(&e, "n2.jsonl", &second);
    let c = changes(&e, &[]);
    (e, c)
}

#[test]
fn a_brand_alerts_when_its_small_products_together_get_worse() {
    let (e, c) = brand_env();
    let all = alerts(&c);
    assert!(all.iter().all(|a| a["level"] != "product"), "{c}");
    let brand = all
        .iter()
        .find(|a| a["level"] == "brand")
        .unwrap_or_else(|| panic!("no brand alert: {c}"));
    assert_eq!(brand["brand"], "Rhino");
    assert_eq!(brand["subject"], "Rhino");
    assert!(brand["asin"].is_null());
    // 120/1200 → 420/1500: 10 % → 28 %.
    assert_eq!(
        (brand["before_k"].as_i64(), brand["before_n"].as_i64()),
        (Some(120), Some(1200))
    );
    assert_eq!(
        (brand["after_k"].as_i64(), brand["after_n"].as_i64()),
        (Some(420), Some(1500))
    );
    assert_eq!(brand["change"].as_f64(), Some(18.0));
    let quotes = brand["quotes"].as_array().unwrap();
    assert_eq!(quotes.len(), 3);
    // From three different products: a brand's quotes show its spread.
    let mut asins: Vec<&str> = quotes.iter().map(|q| q["asin"].as_str().unwrap()).collect();
    asins.dedup();
    assert_eq!(asins.len(), 3, "{quotes:?}");
    for q in quotes {
        assert_eq!(q["stars"], 1);
        assert_eq!(q["language"], "en");
        assert!(q["text"].as_str().unwrap().contains("cracked"), "{q}");
    }
    assert_eq!(fail_on_alert(&e), Some(3));
    // --brand narrows the list to that brand's alerts (portfolio-wide ones are no brand's).
    let other = changes(&e, &["--brand", "other"]);
    assert!(alerts(&other).is_empty(), "{other}");
    let rhino = alerts(&changes(&e, &["--brand", "RHINO"]));
    assert!(
        !rhino.is_empty() && rhino.iter().all(|a| a["brand"] == "Rhino"),
        "{rhino:?}"
    );
    let o = e.run(&["report", "changes", "--fail-on-alert", "--brand", "Other"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn an_issue_alerts_within_its_brand_and_the_portfolio() {
    let (_, c) = brand_env();
    let issue = |scope: &str| {
        alerts(&c)
            .into_iter()
            .find(|a| a["level"] == "issue" && a["issue"] == "durability" && a["scope"] == scope)
            .unwrap_or_else(|| panic!("no durability alert in {scope}: {c}"))
    };
    let b = issue("brand");
    assert_eq!(b["brand"], "Rhino");
    assert_eq!(b["subject"], "durability in Rhino");
    assert_eq!(
        (b["after_k"].as_i64(), b["after_n"].as_i64()),
        (Some(300), Some(1500))
    );
    assert_eq!(b["before_n"].as_i64(), Some(1200));
    assert_eq!(b["kind"], "new_issue");
    let p = issue("portfolio");
    assert!(p["brand"].is_null());
    assert_eq!(p["after_n"].as_i64(), Some(1600));
    // change = after − before from the exact values: 0/1300 → 300/1600 = +18.75, shown +18.8.
    assert_eq!(p["change"].as_f64(), Some(18.8));
    assert_eq!(p["after"].as_f64(), Some(18.8));
}

#[test]
fn an_issue_share_can_rise_while_the_negative_share_does_not() {
    let e = Env::new();
    night(
        &e,
        "n1.jsonl",
        &reviews("BBATT00001", "Volt", 5, GOOD, 200, 0),
    );
    // Three-star reviews are not negative, but they report the battery.
    let stderr = night(
        &e,
        "n2.jsonl",
        &reviews(
            "BBATT00001",
            "Volt",
            3,
            "Battery drains fast, okay otherwise",
            40,
            1000,
        ),
    );
    let c = changes(&e, &[]);
    let all = alerts(&c);
    assert!(all.iter().all(|a| a["kind"] != "negative_rose"), "{c}");
    assert!(
        all.iter()
            .any(|a| a["level"] == "issue" && a["issue"] == "battery" && a["brand"] == "Volt"),
        "{c}"
    );
    assert!(!stderr.contains("negative share rose"), "{stderr}");
    assert!(stderr.contains("issue alert(s)"), "{stderr}");
}

#[test]
fn a_small_product_going_from_1_of_5_to_3_of_7_does_not_alert() {
    let e = Env::new();
    let mut first = reviews("BSMALL0001", "Tiny", 1, BAD, 1, 0);
    first.push_str(&reviews("BSMALL0001", "Tiny", 5, GOOD, 4, 10));
    first.push_str(&reviews("BBIG000001", "Tiny", 5, GOOD, 150, 100));
    first.push_str(&reviews("BBIG000001", "Tiny", 1, BAD, 15, 400));
    night(&e, "n1.jsonl", &first);
    let mut second = reviews("BSMALL0001", "Tiny", 1, BAD, 2, 1000);
    second.push_str(&reviews("BBIG000001", "Tiny", 5, GOOD, 10, 2000));
    let stderr = night(&e, "n2.jsonl", &second);
    let c = changes(&e, &[]);
    assert!(alerts(&c).is_empty(), "{c}");
    assert!(!stderr.contains("negative share rose"), "{stderr}");
    assert_eq!(fail_on_alert(&e), Some(0));
}

#[test]
fn since_a_bad_date_is_a_usage_error() {
    let e = exact_threshold_env();
    for bad in ["2026-02-30", "yesterday", "2026-13-01"] {
        let o = e.run(&["report", "changes", "--since", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("is not a date") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
        assert!(o.stdout.is_empty());
    }
    // A good one lists every run since: here both, and the second's alerts.
    let c = changes(&e, &["--since", "2000-01-01"]);
    assert_eq!(c["runs"], serde_json::json!([2, 1]));
    assert!(!alerts(&c).is_empty());
}

#[test]
fn json_csv_and_the_api_carry_level_counts_evidence_and_quotes() {
    let (e, c) = brand_env();
    let n = alerts(&c).len();
    assert!(n >= 3, "{c}");
    // CSV: the old columns first, then level, counts, evidence and quotes.
    let o = e.run(&["report", "changes", "-f", "csv"]);
    let mut rdr = csv::Reader::from_reader(&o.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    for h in [
        "asin",
        "brand",
        "alert",
        "level",
        "subject",
        "before k/n",
        "now k/n",
        "p value",
        "quotes",
    ] {
        assert!(headers.iter().any(|x| x == h), "{h} not in {headers:?}");
    }
    let col = |name: &str| headers.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), n);
    let brand_row = rows.iter().find(|r| &r[col("level")] == "brand").unwrap();
    assert_eq!(&brand_row[col("before k/n")], "120/1200");
    assert_eq!(&brand_row[col("now k/n")], "420/1500");
    assert!(brand_row[col("quotes")].contains("1★ en"), "{brand_row:?}");
    // JSON Lines: one alert a line, the same as JSON's.
    let jsonl = e.ok(&["report", "changes", "-f", "jsonl"]);
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, alerts(&c));
    // Table and HTML name the level and the evidence.
    let table = e.ok(&["report", "changes"]);
    assert!(
        table.contains("brand") && table.contains("Rhino"),
        "{table}"
    );
    let html = e.ok(&["report", "changes", "-f", "html"]);
    assert!(html.contains("durability in Rhino") && html.contains("120/1200"));
    // The API: the same document.
    let s = Server::start(&e);
    let api = s.ok("/api/v1/changes");
    assert_eq!(api["data"], c);
    assert_eq!(api["meta"]["alerts"], n);
    let a = &api["data"]["alerts"][0];
    for field in [
        "level", "scope", "subject", "before_k", "after_n", "p_value", "evidence", "quotes",
    ] {
        assert!(!a[field].is_null(), "{field} missing: {a}");
    }
}
