//! The README's nightly job, run as written, over nights of a seller export without review ids or
//! dates: edits, removals, a night with nothing new, a brand-wide rise, and the same night again.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Env, BIN};

/// The nightly line, read from the README so the test and the documentation cannot drift apart.
fn nightly_line() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    readme
        .lines()
        .find(|l| l.starts_with("prodinsight analyze --snapshot exports/ &&"))
        .expect("the README's nightly job")
        .to_string()
}

struct Review {
    asin: String,
    brand: &'static str,
    stars: u8,
    title: String,
    text: String,
}

fn review(asin: String, brand: &'static str, stars: u8, title: &str, text: &str) -> Review {
    Review {
        asin,
        brand,
        stars,
        title: title.into(),
        text: text.into(),
    }
}

/// 150 small products of Acme and 50 of Beta, two reviews each, mostly happy.
fn base() -> Vec<Review> {
    let mut v = Vec::new();
    for (brand, n, prefix) in [("Acme", 150, "B0ACME"), ("Beta", 50, "B0BETA")] {
        for i in 0..n {
            let asin = format!("{prefix}{i:04}");
            v.push(review(
                asin.clone(),
                brand,
                5,
                &format!("Great case {i}"),
                "Fits the phone well, solid grip.",
            ));
            let (stars, text) = match i % 10 {
                0 => (1, "Arrived broken, the clip snapped off."),
                _ => (4, "Nice colour and good value for money."),
            };
            v.push(review(asin, brand, stars, &format!("Good {i}"), text));
        }
    }
    v
}

fn write_export(dir: &Path, reviews: &[Review]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut s = String::new();
    for r in reviews {
        s.push_str(
            &serde_json::json!({
                "PRODUCT_BRAND": r.brand,
                "CHILD_ASIN": r.asin,
                "CUSTOMER_REVIEW_RATING": r.stars,
                "CUSTOMER_REVIEW_TITLE": r.title,
                "CUSTOMER_REVIEW_DESCRIPTION": r.text,
            })
            .to_string(),
        );
        s.push('\n');
    }
    std::fs::write(dir.join("export.jsonl"), s).unwrap();
}

/// Runs the nightly line in `e`'s directory; its exit code and alerts.csv.
fn night(e: &Env, line: &str) -> (i32, String) {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let _ = std::fs::remove_file(e.dir.path().join("alerts.csv"));
    let out = Command::new("sh")
        .args(["-c", line])
        .current_dir(e.dir.path())
        .env("PATH", path)
        .env("PRODINSIGHT_DB", e.db())
        .env("PRODINSIGHT_QUIET", "1")
        .output()
        .unwrap();
    let csv = std::fs::read_to_string(e.dir.path().join("alerts.csv")).unwrap_or_default();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 3,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, csv)
}

fn alert_rows(csv: &str) -> usize {
    csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn the_readme_nightly_job_raises_each_change_once() {
    let e = Env::new();
    let line = nightly_line();
    let exports = e.dir.path().join("exports");
    let mut reviews = base();

    // Night 1: the first export; nothing to compare with.
    write_export(&exports, &reviews);
    assert_eq!(night(&e, &line).0, 0);

    // Night 2: one review edited from 4 to 2 stars with new text, eight new happy reviews. An edit
    // is a new version, not a second review, and one review is no alert.
    reviews[3].stars = 2;
    reviews[3].text = "Nice colour, but the edge started to peel after two weeks.".into();
    for i in 0..8 {
        reviews.push(review(
            format!("B0BETA{i:04}"),
            "Beta",
            5,
            &format!("Love it {i}"),
            "Perfect fit, no complaints.",
        ));
    }
    write_export(&exports, &reviews);
    let (code, csv) = night(&e, &line);
    assert_eq!(code, 0, "{csv}");
    assert_eq!(e.count("SELECT count(*) FROM review_versions"), 1);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE retired_run IS NULL"),
        reviews.len() as i64
    );

    // Night 3: the same export again: nothing new, nothing raised.
    assert_eq!(night(&e, &line).0, 0);

    // Night 4: two reviews gone from the export: retired, not counted, no alert.
    reviews.truncate(reviews.len() - 2);
    write_export(&exports, &reviews);
    assert_eq!(night(&e, &line).0, 0);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE retired_run IS NOT NULL"),
        2
    );

    // Night 5: 300 one-star "cracked" reviews over Acme's small products: a brand-level alert.
    for i in 0..300 {
        let asin = format!("B0ACME{:04}", i % 150);
        reviews.push(review(
            asin,
            "Acme",
            1,
            &format!("Cracked {i}"),
            "The case cracked after a week, useless.",
        ));
    }
    write_export(&exports, &reviews);
    let (code, csv) = night(&e, &line);
    assert_eq!(code, 3, "no alert for a brand-wide rise");
    assert!(alert_rows(&csv) >= 1);
    let brand_alert = csv
        .lines()
        .any(|l| l.contains("brand") && l.contains("Acme") && l.contains("negative_rose"));
    assert!(brand_alert, "{csv}");
    assert!(!csv.contains("Beta"), "Beta did not change: {csv}");

    // Night 6: the same export again: the change was raised once.
    let (code, csv) = night(&e, &line);
    assert_eq!(code, 0, "{csv}");
}
