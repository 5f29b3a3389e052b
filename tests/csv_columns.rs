//! CSV gaps: `report breakdowns` is the CSV of the overview's and brands' breakdowns (JSON had
//! them, no CSV did), and `report issues -f csv` has the same columns all time and in a window.

mod common;

use common::{p, sample, Env};
use serde_json::Value;

fn analyzed() -> Env {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    e
}

fn json(e: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&e.ok(&[args, &["-f", "json"]].concat())).unwrap()
}

/// A CSV's header and rows.
fn csv(e: &Env, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = e.ok(&[args, &["-f", "csv"]].concat());
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = (r.records())
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// A JSON breakdowns object as the CSV's long rows: by, key, reviews, % negative.
fn long_rows(b: &Value, brand: Option<&str>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (by, dim) in [
        ("marketplace", "by_marketplace"),
        ("language", "by_language"),
    ] {
        for r in b[dim].as_array().unwrap() {
            let mut row = vec![
                by.to_string(),
                r["key"].as_str().unwrap().to_string(),
                r["reviews"].to_string(),
                r["pct_negative"].to_string(),
            ];
            if let Some(b) = brand {
                row.insert(0, b.to_string());
            }
            out.push(row);
        }
    }
    out
}

fn first_cells(rows: &[Vec<String>], n: usize) -> Vec<Vec<String>> {
    rows.iter().map(|r| r[..n].to_vec()).collect()
}

#[test]
fn breakdowns_csv_is_what_the_overview_and_brands_json_carry() {
    let e = analyzed();
    let window = ["--since", "2026-07-01", "--until", "2026-09-30"];
    // The portfolio, all time and in a window.
    let (headers, rows) = csv(&e, &["report", "breakdowns"]);
    assert_eq!(&headers[..2], ["by", "marketplace or language"]);
    let overview = json(&e, &["report"]);
    assert!(rows.len() > 5, "{rows:?}");
    assert_eq!(
        first_cells(&rows, 4),
        long_rows(&overview["breakdowns"], None)
    );
    let (_, rows) = csv(&e, &[&["report", "breakdowns"][..], &window].concat());
    let windowed = json(&e, &[&["report"][..], &window].concat());
    assert_eq!(
        first_cells(&rows, 4),
        long_rows(&windowed["breakdowns"], None)
    );
    assert_ne!(windowed["breakdowns"], overview["breakdowns"]);
    // Some brands summed, and one row per brand, as `report brands` gives each brand's.
    let some = ["--brand", "rhino usa", "--brand", "KURTZY"];
    let (_, rows) = csv(&e, &[&["report", "breakdowns"][..], &some].concat());
    let summed = json(&e, &[&["report"][..], &some].concat());
    assert_eq!(
        first_cells(&rows, 4),
        long_rows(&summed["breakdowns"], None)
    );
    let (headers, rows) = csv(&e, &["report", "breakdowns", "--by-brand"]);
    assert_eq!(&headers[..3], ["brand", "by", "marketplace or language"]);
    let brands = json(&e, &["report", "brands"]);
    let want: Vec<Vec<String>> = (brands.as_array().unwrap().iter())
        .flat_map(|b| long_rows(&b["breakdowns"], b["brand"].as_str()))
        .collect();
    assert_eq!(first_cells(&rows, 5), want);
    let (_, rows) = csv(
        &e,
        &[&["report", "breakdowns", "--by-brand"][..], &window].concat(),
    );
    let mut want = Vec::new();
    for b in brands.as_array().unwrap() {
        let name = b["brand"].as_str().unwrap();
        let w = json(
            &e,
            &[&["report", "brands", "--brand", name][..], &window].concat(),
        );
        want.extend(long_rows(&w["breakdowns"], Some(name)));
    }
    assert_eq!(first_cells(&rows, 5), want);
    // JSON: the same rows, each with its brand (with --by-brand) and dimension.
    let j = json(&e, &["report", "breakdowns", "--by-brand"]);
    assert_eq!(j.as_array().unwrap().len(), rows.len());
    assert!(j[0]["brand"].is_string() && j[0]["by"] == "marketplace");
}

#[test]
fn issues_csv_has_the_same_columns_all_time_and_in_a_window() {
    let e = analyzed();
    let all = csv(&e, &["report", "issues"]);
    let variants: [&[&str]; 4] = [
        &["--since", "2026-07-01"],
        &[
            "--since",
            "2026-07-01",
            "--until",
            "2026-09-30",
            "--compare",
            "previous",
        ],
        &["--brand", "Kurtzy"],
        &[
            "--brand",
            "Kurtzy",
            "--since",
            "2026-10-01",
            "--sort",
            "impact",
        ],
    ];
    for v in variants {
        let (headers, rows) = csv(&e, &[&["report", "issues"][..], v].concat());
        assert_eq!(headers, all.0, "{v:?}");
        assert!(!rows.is_empty(), "{v:?}");
        assert!(rows.iter().all(|r| r.len() == headers.len()), "{v:?}");
    }
    // Each cell under its header says what the JSON says; empty where it does not apply.
    let col = |h: &[String], name: &str| h.iter().position(|x| x == name).unwrap();
    let (h, rows) = &all;
    let j = json(&e, &["report", "issues"]);
    for (r, i) in rows.iter().zip(j.as_array().unwrap()) {
        assert_eq!(r[col(h, "code")], i["code"].as_str().unwrap());
        assert_eq!(r[col(h, "products")], i["products"].to_string());
        assert_eq!(r[col(h, "% of reviews")], "");
    }
    let w = [
        "--since",
        "2026-07-01",
        "--until",
        "2026-09-30",
        "--compare",
        "previous",
    ];
    let (h, rows) = csv(&e, &[&["report", "issues"][..], &w].concat());
    let j = json(&e, &[&["report", "issues"][..], &w].concat());
    for (r, i) in rows.iter().zip(j["issues"].as_array().unwrap()) {
        assert_eq!(r[col(&h, "code")], i["code"].as_str().unwrap());
        assert_eq!(r[col(&h, "% of reviews")], i["share"].to_string());
        assert_eq!(
            r[col(&h, "reviews before")],
            i["previous_reviews"].to_string()
        );
        assert_eq!(r[col(&h, "products")], "");
        let q = &i["examples"][0];
        assert_eq!(r[col(&h, "quote")], q["text"].as_str().unwrap_or_default());
        assert_eq!(
            r[col(&h, "quote stars")],
            q["rating"]
                .as_i64()
                .map_or(String::new(), |s| s.to_string())
        );
    }
}
