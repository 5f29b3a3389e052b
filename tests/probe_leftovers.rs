//! A second hostile probe: ingests killed mid-file, odd ratings and dates, brand spellings stored
//! before the merge rule, and hostile windows.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn review(id: &str, asin: &str, brand: &str, stars: u8, text: &str) -> String {
    format!(
        "{{\"PRODUCT_BRAND\":{brand:?},\"CUSTOMER_REVIEW_RATING\":{stars},\
         \"CUSTOMER_REVIEW_DESCRIPTION\":{text:?},\"CHILD_ASIN\":{asin:?},\
         \"REVIEW_ID\":{id:?},\"REVIEW_DATE\":\"2025-06-01\"}}\n"
    )
}

fn last_ingest(e: &Env) -> Value {
    let out = e.run(&["check", "--quick", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["last_ingest"].clone()
}

/// An ingest killed with -9 rolls its file back, and used to leave no trace: `check` named the
/// ingest before it. The attempt is now recorded when it starts, so it shows as running while its
/// process lives and as interrupted (nothing of it kept) once it is gone.
#[test]
fn a_killed_ingest_shows_as_interrupted_in_check() {
    let e = Env::new();
    let small = e.file(
        "small.jsonl",
        review("R0", "B000000001", "Acme", 5, "Fine").as_bytes(),
    );
    e.ok(&["-q", "ingest", p(&small)]);
    let before = last_ingest(&e);
    assert_eq!(before["status"], "ok", "{before}");
    let mut big = String::new();
    for i in 1..250_000 {
        big.push_str(&review(
            &format!("R{i}"),
            &format!("B{:09}", i % 3000),
            "Acme",
            4,
            &format!("review number {i}"),
        ));
    }
    let f = e.file("big.jsonl", big.as_bytes());
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["-q", "ingest", p(&f)])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen_running = false;
    while start.elapsed() < Duration::from_secs(30) && child.try_wait().unwrap().is_none() {
        if last_ingest(&e)["status"] == "running" {
            seen_running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(seen_running, "the ingest never showed as running");
    let after = last_ingest(&e);
    assert_eq!(after["status"], "interrupted", "{after}");
    assert!(after["id"].as_i64() > before["id"].as_i64(), "{after}");
    assert_eq!(after["finished_at"], Value::Null, "{after}");
    let text = e.ok(&["check", "--quick"]);
    assert!(text.contains("interrupted"), "{text}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1);
    // It is not taken for an earlier read of the file: the next ingest reads it whole.
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 250_000);
    assert_eq!(last_ingest(&e)["status"], "ok");
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE finished_at IS NULL"),
        1,
        "the killed attempt stays recorded, the finished one leaves no attempt behind"
    );
}
