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
    kill_when_running(&e, &["-q", "ingest", p(&f)]);
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
    // A snapshot command is one transaction for all its files: killed, it is recorded so too.
    kill_when_running(&e, &["-q", "ingest", "--snapshot", "--force", p(&f)]);
    let snapshot = last_ingest(&e);
    assert_eq!(snapshot["status"], "interrupted", "{snapshot}");
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE retired_run IS NOT NULL"),
        0
    );
    e.ok(&["-q", "ingest", "--snapshot", "--force", p(&f)]);
    assert_eq!(last_ingest(&e)["status"], "ok");
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE finished_at IS NULL"),
        2
    );
}

/// Starts the command, waits until `check` shows an ingest running, and kills it with -9.
fn kill_when_running(e: &Env, args: &[&str]) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(args)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen_running = false;
    while start.elapsed() < Duration::from_secs(30) && child.try_wait().unwrap().is_none() {
        if last_ingest(e)["status"] == "running" {
            seen_running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(seen_running, "{args:?} never showed as running");
}

fn record(id: &str, rating: &str, date: &str) -> String {
    format!(
        "{{\"CHILD_ASIN\":\"B000000001\",\"REVIEW_ID\":{id:?},\"CUSTOMER_REVIEW_RATING\":{rating},\
         \"CUSTOMER_REVIEW_DESCRIPTION\":\"Works.\",\"REVIEW_DATE\":{date:?}}}\n"
    )
}

/// A rating is exactly one of 1-5: "4.9999999999999999999" was rounded to 5 by the float parser
/// and stored as five stars. Fullwidth digits, as Japanese exports write them ("５",
/// "５つ星のうち４．０", "２０２４年３月５日"), were refused; they are read as their ASCII forms. A
/// date line that holds two different dates took the Japanese one: it is refused, as a record
/// naming a field twice with two values is.
#[test]
fn ratings_are_exact_fullwidth_digits_are_read_and_two_dates_are_refused() {
    let e = Env::new();
    let rows = [
        record("R1", "\"4.9999999999999999999\"", "2024-03-05"),
        record("R2", "\"5.0000000000000000001\"", "2024-03-05"),
        record("R3", "\"５\"", "2024-03-05"),
        record("R4", "\"５つ星のうち４．０\"", "2024-03-05"),
        record("R5", "3", "２０２４年３月５日に日本でレビュー済み"),
        record("R6", "3", "２０２４-０３-０６"),
        record(
            "R7",
            "2",
            "Reviewed in the United States on March 5, 2024 (2024年4月1日に日本でレビュー済み)",
        ),
        record("R8", "2", "Reviewed on March 5, 2024, 2024年3月5日"),
        record("R9", "\"4.000\"", "2024-03-05"),
    ]
    .concat();
    let f = e.file("odd.jsonl", rows.as_bytes());
    let out = e.run(&["ingest", p(&f)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    let stored: Vec<(String, Option<i64>, Option<String>)> = conn
        .prepare("SELECT source_review_id, rating, review_date FROM reviews ORDER BY 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let want = [
        ("R3", 5, "2024-03-05"),
        ("R4", 4, "2024-03-05"),
        ("R5", 3, "2024-03-05"),
        ("R6", 3, "2024-03-06"),
        ("R8", 2, "2024-03-05"),
        ("R9", 4, "2024-03-05"),
    ];
    let want: Vec<(String, Option<i64>, Option<String>)> = want
        .iter()
        .map(|(id, r, d)| (id.to_string(), Some(*r), Some(d.to_string())))
        .collect();
    assert_eq!(stored, want, "{err}");
    let reasons: Vec<String> = conn
        .prepare("SELECT reason FROM rejected_records ORDER BY record_no")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("4.9999999999999999999"), "{reasons:?}");
    assert!(reasons[1].contains("5.0000000000000000001"), "{reasons:?}");
    assert!(reasons[2].contains("2024年4月1日"), "{reasons:?}");
}

/// Brands stored in two letter cases before ingest merged spellings ("Rhino USA", "RHINO USA")
/// stayed two brands until those very products were ingested again. The next ingest of any file
/// merges them under the first spelling, and the next analyze reports what a database that never
/// split them reports.
#[test]
fn brand_spellings_stored_before_the_merge_rule_are_merged_by_the_next_ingest() {
    let a = [
        review("R1", "B000000001", "Rhino USA", 1, "Broke after a day."),
        review("R2", "B000000001", "Rhino USA", 5, "Works perfectly."),
        review("R3", "B000000002", "Rhino USA", 2, "Stopped working."),
        review("R4", "B000000002", "Rhino USA", 4, "Works well."),
    ]
    .concat();
    let c = review("R5", "B000000003", "Other", 3, "It is fine.");
    let (old, twin) = (Env::new(), Env::new());
    let (fa, fc) = (
        old.file("a.jsonl", a.as_bytes()),
        old.file("c.jsonl", c.as_bytes()),
    );
    for e in [&old, &twin] {
        e.ok(&["-q", "ingest", p(&fa)]);
    }
    // What a database written before the merge rule holds: the second product in capitals.
    let conn = rusqlite::Connection::open(old.db()).unwrap();
    conn.execute_batch(
        "UPDATE products SET brand = 'RHINO USA', first_seen = '2030-01-01T00:00:00Z'
             WHERE asin = 'B000000002';
         UPDATE reviews SET brand = 'RHINO USA' WHERE asin = 'B000000002';",
    )
    .unwrap();
    drop(conn);
    old.ok(&["-q", "analyze"]);
    let brands = |e: &Env| -> Value {
        serde_json::from_str(&e.ok(&["report", "brands", "-f", "json"])).unwrap()
    };
    assert_eq!(brands(&old).as_array().unwrap().len(), 2, "the premise");
    for e in [&old, &twin] {
        e.ok(&["-q", "ingest", p(&fc)]);
        e.ok(&["-q", "analyze"]);
    }
    let (merged, want) = (brands(&old), brands(&twin));
    let names = |v: &Value| -> Vec<String> {
        let rows = v.as_array().unwrap().iter();
        rows.map(|b| b["brand"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&merged), ["Rhino USA", "Other"], "{merged}");
    assert_eq!(names(&merged), names(&want));
    for (m, w) in merged
        .as_array()
        .unwrap()
        .iter()
        .zip(want.as_array().unwrap())
    {
        for k in [
            "brand",
            "products",
            "review_count",
            "avg_rating",
            "pct_negative",
        ] {
            assert_eq!(m[k], w[k], "{k}: {merged} vs {want}");
        }
    }
    let product: Value =
        serde_json::from_str(&old.ok(&["report", "product", "B000000002", "-f", "json"])).unwrap();
    assert!(product.to_string().contains("Rhino USA"), "{product}");
    assert_eq!(
        old.count("SELECT count(*) FROM reviews WHERE brand = 'RHINO USA'"),
        0
    );
    assert_eq!(
        old.count("SELECT count(*) FROM review_versions"),
        0,
        "no edit"
    );
}

/// Exports with distinct review ids: the database they make does not depend on their order.
fn soak_files(e: &Env) -> Vec<std::path::PathBuf> {
    let texts = [
        (1, "The lid leaks, water everywhere."),
        (2, "Stopped working after a week."),
        (3, "It is fine, nothing special."),
        (4, "Works well, sturdy."),
        (5, "Love it, perfect size."),
    ];
    (0..6)
        .map(|f| {
            let mut rows = String::new();
            for i in 0..1500 {
                let (stars, text) = texts[(i * 7 + f) % 5];
                let asin = (i * 13 + f) % 40;
                // A product's brand is the same in every file: the latest read would win.
                let brand = ["Acme", "Rhino USA", "Kurtzy"][asin % 3];
                rows.push_str(&format!(
                    "{{\"PRODUCT_BRAND\":{brand:?},\"CUSTOMER_REVIEW_RATING\":{stars},\
                     \"CUSTOMER_REVIEW_DESCRIPTION\":\"{text} #{i}\",\"CHILD_ASIN\":\"B{:09}\",\
                     \"REVIEW_ID\":\"F{f}R{i}\",\"REVIEW_DATE\":\"2025-{:02}-{:02}\"}}\n",
                    asin,
                    1 + (i + f) % 12,
                    1 + i % 28
                ));
            }
            e.file(&format!("part{f}.jsonl"), rows.as_bytes())
        })
        .collect()
}

/// What a report says, without what depends on how many runs led to it (changes since the
/// previous run, run ids and times).
fn figures(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    ![
                        "delta", "previous", "history", "run", "_at", "trend", "alerts", "moves",
                    ]
                    .iter()
                    .any(|w| k.contains(w))
                })
                .map(|(k, v)| (k.clone(), figures(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(figures).collect()),
        other => other.clone(),
    }
}

/// `ingest` (two at once, in opposite orders, and again with --force), `analyze`, `prune` and
/// `serve` on one database for a while (PRODINSIGHT_SOAK_SECS, 20 by default): every command
/// succeeds and no one sees "database is locked"; afterwards `check` is clean and the reports
/// equal a twin database loaded serially.
#[test]
fn ingest_analyze_prune_and_serve_at_once_agree_with_a_serial_twin() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let secs: u64 = std::env::var("PRODINSIGHT_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let (e, twin) = (Env::new(), Env::new());
    let files = soak_files(&e);
    e.ok(&["-q", "ingest", p(&files[0])]);
    let srv = Server::start(&e);
    let stop = Arc::new(AtomicBool::new(false));
    let db = e.db();
    let run = move |db: &std::path::Path, args: Vec<String>| {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success() && !err.contains("locked"),
            "{args:?}: {err}"
        );
    };
    let loops: Vec<Vec<Vec<String>>> = vec![
        files
            .iter()
            .map(|f| vec!["-q".into(), "ingest".into(), p(f).into()])
            .collect(),
        files
            .iter()
            .rev()
            .map(|f| vec!["-q".into(), "ingest".into(), "--force".into(), p(f).into()])
            .collect(),
        vec![vec!["-q".into(), "analyze".into()]],
        vec![vec![
            "-q".into(),
            "prune".into(),
            "--keep-runs".into(),
            "1".into(),
        ]],
        vec![vec!["check".into(), "--quick".into(), "-q".into()]],
    ];
    let mut threads = Vec::new();
    for commands in loops {
        let (stop, db) = (stop.clone(), db.clone());
        threads.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                run(&db, commands[n % commands.len()].clone());
                n += 1;
            }
            n
        }));
    }
    let client = srv.client.clone();
    let stop_api = stop.clone();
    threads.push(std::thread::spawn(move || {
        let mut n = 0;
        while !stop_api.load(Ordering::Relaxed) {
            for path in [
                "/api/v1/overview?from=2025-03-01",
                "/api/v1/brands?from=2025-01-01&to=2025-06-30&compare=previous",
                "/api/v1/products",
                "/api/v1/runs",
            ] {
                let (status, _, body) = client.call("GET", path);
                assert!(
                    status == 200 && !body.contains("locked"),
                    "{path}: {status} {body}"
                );
                n += 1;
            }
        }
        n
    }));
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    let counts: Vec<usize> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    eprintln!("commands run by each loop: {counts:?}");
    drop(srv);
    // Whatever the last ingest left for it, then the same files serially into the twin.
    e.ok(&["-q", "analyze"]);
    let out = e.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for f in &files {
        twin.ok(&["-q", "ingest", p(f)]);
    }
    twin.ok(&["-q", "analyze"]);
    for view in [
        &["report"][..],
        &["report", "brands"],
        &["report", "products", "--limit", "100"],
    ] {
        let json = |env: &Env| -> Value {
            let args: Vec<&str> = view.iter().copied().chain(["-f", "json"]).collect();
            figures(&serde_json::from_str(&env.ok(&args)).unwrap())
        };
        assert_eq!(json(&e), json(&twin), "{view:?}");
    }
}
