//! Runs the real binary against temporary databases.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use rusqlite::Connection;

const SEED: &str = r#"[
 {"PRODUCT_BRAND": "Rhino USA", "CUSTOMER_REVIEW_RATING": 5, "CUSTOMER_REVIEW_TITLE": "Great", "CUSTOMER_REVIEW_DESCRIPTION": "Strong straps", "CHILD_ASIN": "B0BTTL9LTC"},
 {"PRODUCT_BRAND": "Rhino USA", "CUSTOMER_REVIEW_RATING": 1, "CUSTOMER_REVIEW_TITLE": "Broke", "CUSTOMER_REVIEW_DESCRIPTION": NaN, "CHILD_ASIN": "B0BTTL9LTC"},
 {"PRODUCT_BRAND": "Kurtzy", "CUSTOMER_REVIEW_RATING": 4.0, "CUSTOMER_REVIEW_TITLE": "Gut", "CUSTOMER_REVIEW_DESCRIPTION": "Funktioniert", "CHILD_ASIN": 123456789}
]"#;

#[test]
fn reingesting_the_same_exports_changes_nothing() {
    let e = Env::new();
    e.ok(&["ingest", p(&sample())]);
    let reviews = e.count("SELECT count(*) FROM reviews");
    assert!(reviews > 2000);
    let versions = e.count("SELECT count(*) FROM review_versions");
    assert_eq!(versions, 1, "export 2 edits one review of export 1");
    let runs = e.count("SELECT count(*) FROM ingest_runs");
    // Read again record by record: every one is known.
    let out = e.run(&["ingest", "--force", p(&sample())]);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains(" 0 new, 0 updated"), "{log}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), reviews);
    assert_eq!(e.count("SELECT count(*) FROM review_versions"), versions);
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE same_as_run IS NOT NULL"),
        0
    );
    // Without --force, files with the same bytes as an earlier read are not read again; each
    // run says which run it repeats, with that run's counts.
    let out = e.run(&["ingest", p(&sample())]);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("the same bytes as ingest run "), "{log}");
    let files = e.count("SELECT count(*) FROM ingest_runs") - runs * 2;
    assert_eq!(files, runs, "one repeat run per file");
    assert_eq!(
        e.count(
            "SELECT count(*) FROM ingest_runs r JOIN ingest_runs o ON o.id = r.same_as_run
             WHERE r.records_read = o.records_read AND r.sha256 = o.sha256
               AND r.unchanged = o.records_read - o.duplicates - o.rejected AND r.new_reviews = 0"
        ),
        runs
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), reviews);
}

#[test]
fn a_file_of_the_same_size_with_other_bytes_is_read() {
    let e = Env::new();
    let a = e.file(
        "a.jsonl",
        b"{\"REVIEW_ID\":\"R1\",\"CHILD_ASIN\":\"B1\",\"rating\":5,\"text\":\"good\"}\n",
    );
    e.ok(&["ingest", p(&a)]);
    let b = e.file(
        "a.jsonl",
        b"{\"REVIEW_ID\":\"R1\",\"CHILD_ASIN\":\"B1\",\"rating\":1,\"text\":\"good\"}\n",
    );
    let out = e.run(&["ingest", p(&b)]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("1 read, 0 new, 1 updated"), "{log}");
    assert_eq!(e.count("SELECT rating FROM reviews"), 1);
}

#[test]
fn later_export_adds_only_new_and_keeps_history() {
    let e = Env::new();
    let first = e.file("a.jsonl", b"{\"REVIEW_ID\":\"R1\",\"CHILD_ASIN\":\"B1\",\"rating\":5,\"text\":\"good\"}\n{\"REVIEW_ID\":\"R2\",\"CHILD_ASIN\":\"B1\",\"rating\":4,\"text\":\"ok\"}\n");
    let second = e.file("b.jsonl", b"{\"REVIEW_ID\":\"R1\",\"CHILD_ASIN\":\"B1\",\"rating\":2,\"text\":\"broke later\"}\n{\"REVIEW_ID\":\"R2\",\"CHILD_ASIN\":\"B1\",\"rating\":4,\"text\":\"ok\"}\n{\"REVIEW_ID\":\"R3\",\"CHILD_ASIN\":\"B1\",\"rating\":3,\"text\":\"meh\"}\n{\"REVIEW_ID\":\"R3\",\"CHILD_ASIN\":\"B1\",\"rating\":3,\"text\":\"meh\"}\n");
    e.ok(&["ingest", p(&first)]);
    let out = e.run(&["ingest", p(&second)]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("4 read, 1 new, 1 updated, 1 unchanged, 1 duplicate"),
        "{log}"
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 3);
    assert_eq!(
        e.count("SELECT rating FROM reviews WHERE source_review_id = 'R1'"),
        2
    );
    assert_eq!(e.count("SELECT rating FROM review_versions"), 5);
    // The older export, read again, does not revert the edit.
    e.ok(&["ingest", "--force", p(&first)]);
    assert_eq!(
        e.count("SELECT rating FROM reviews WHERE source_review_id = 'R1'"),
        2
    );
}

#[test]
fn seed_format_with_nan_tokens_and_numeric_asin() {
    let e = Env::new();
    let f = e.file("seed.json", SEED.as_bytes());
    e.ok(&["ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 3);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE body IS NULL"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM products WHERE asin = '0123456789'"),
        1
    );
    assert_eq!(
        e.count("SELECT rating FROM reviews WHERE asin = '0123456789'"),
        4
    );
}

#[test]
fn csv_jsonl_gzip_and_stdin() {
    let e = Env::new();
    let csv = e.file(
        "r.csv",
        "\u{feff}CHILD_ASIN,PRODUCT_BRAND,CUSTOMER_REVIEW_RATING,CUSTOMER_REVIEW_DESCRIPTION\r\nB1,Acme,5,\"multi\r\nline, quoted\"\r\nB2,Acme,NaN,fine\r\n".as_bytes(),
    );
    e.ok(&["ingest", p(&csv)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE rating IS NULL"),
        1
    );

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"asin\":\"B3\",\"rating\":\"2\",\"body\":\"bad\"}\n")
        .unwrap();
    let gzf = e.file("r.jsonl.gz", &gz.finish().unwrap());
    e.ok(&["ingest", p(&gzf)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews WHERE asin = 'B3'"), 1);
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE format = 'jsonl+gzip'"),
        1
    );

    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["ingest", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"[{\"asin\":\"B4\",\"rating\":5,\"text\":\"from stdin\"}]")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(e.count("SELECT count(*) FROM reviews WHERE asin = 'B4'"), 1);
}

#[test]
fn bad_records_are_rejected_with_reasons_and_the_rest_kept() {
    let e = Env::new();
    let mut body = b"{\"asin\":\"B1\",\"rating\":5,\"text\":\"ok\"}\n{\"asin\":\"\",\"rating\":5}\n{\"asin\":\"B1\",\"rating\":7}\n{\"asin\":\"B1\",\"title\":[1]}\nnot json\n{\"asin\":\"B1\",\"text\":\"bad \xff utf8\"}\n".to_vec();
    body.extend_from_slice(
        format!(
            "{{\"asin\":\"B2\",\"text\":\"{}\"}}\n",
            "x".repeat(10 << 20)
        )
        .as_bytes(),
    );
    let f = e.file("mixed.jsonl", &body);
    let out = e.run(&["ingest", p(&f)]);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("7 read, 2 new") && log.contains("5 rejected"),
        "{log}"
    );
    assert!(
        log.contains("record 3 (line 3)") && log.contains("1 to 5"),
        "{log}"
    );
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 5);
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE raw LIKE '%\"rating\":7%'"),
        1
    );
    assert_eq!(
        e.count("SELECT length(body) FROM reviews WHERE asin = 'B2'"),
        10 << 20
    );
}

#[test]
fn strict_fails_the_file_and_keeps_nothing() {
    let e = Env::new();
    let f = e.file(
        "s.jsonl",
        b"{\"asin\":\"B1\",\"rating\":5}\n{\"asin\":\"B1\",\"rating\":9}\n",
    );
    let out = e.run(&["ingest", "--strict", p(&f)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s.jsonl")
            && err.contains("record 2")
            && err.contains("nothing from this file was kept"),
        "{err}"
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE status = 'failed'"),
        1
    );
    // Loaded leniently, then the same file with --strict: still a failure, not a repeat.
    e.ok(&["ingest", p(&f)]);
    let out = e.run(&["ingest", "--strict", p(&f)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        e.count("SELECT count(*) FROM ingest_runs WHERE same_as_run IS NOT NULL"),
        0
    );
}

#[test]
fn unreadable_files_fail_clearly_without_partial_writes() {
    let e = Env::new();
    let cases: Vec<(&str, &[u8], &str)> = vec![
        ("empty.json", b"", "empty"),
        (
            "trunc.json",
            b"[{\"asin\":\"B1\",\"rating\":5},\n{\"asin\":\"B2\",\"te",
            "truncated",
        ),
        (
            "obj.json",
            b"[{\"asin\":\"B1\"}] trailing",
            "after the closing",
        ),
        ("nocol.csv", b"brand,rating\nA,5\n", "CHILD_ASIN"),
        ("bad.json.gz", b"\x1f\x8b\x08\x00garbage", "cannot read"),
    ];
    for (name, bytes, want) in cases {
        let f = e.file(name, bytes);
        let out = e.run(&["ingest", p(&f)]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
    let missing = e.run(&["ingest", "/nonexistent/file.json"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn kill_during_ingest_leaves_the_database_as_before_that_file() {
    let e = Env::new();
    let mut big = Vec::new();
    for i in 0..300_000 {
        writeln!(big, "{{\"REVIEW_ID\":\"R{i}\",\"asin\":\"B{}\",\"rating\":5,\"text\":\"review number {i}\"}}", i % 5000).unwrap();
    }
    let f = e.file("big.jsonl", &big);
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["ingest", p(&f)])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    if e.db().exists() {
        let conn = Connection::open(e.db()).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'reviews'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if n == 1 {
            let rows: i64 = conn
                .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
                .unwrap();
            assert!(
                rows == 0 || rows == 300_000,
                "half-written file: {rows} rows"
            );
        }
    }
    e.ok(&["ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 300_000);
    assert_eq!(e.count(REVIEW_INDEX), 1);
}

const REVIEW_INDEX: &str =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'reviews_asin'";

/// A load that adds more reviews than the table held drops the ASIN index for the load and builds
/// it again before commit; a failure in between leaves it (and everything else) as it was.
#[test]
fn a_large_load_rebuilds_the_review_index_and_a_failed_one_keeps_it() {
    let e = Env::new();
    let mut big = Vec::new();
    for i in 0..60_000 {
        writeln!(
            big,
            "{{\"REVIEW_ID\":\"R{i}\",\"asin\":\"B{}\",\"rating\":4,\"text\":\"ok {i}\"}}",
            i % 700
        )
        .unwrap();
    }
    let mut bad = big.clone();
    bad.extend_from_slice(b"{\"asin\":\"B1\",\"rating\":9}\n");
    let bad = e.file("bad.jsonl", &bad);
    let out = e.run(&["ingest", "--strict", p(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
    assert_eq!(e.count(REVIEW_INDEX), 1);

    let f = e.file("big.jsonl", &big);
    e.ok(&["ingest", p(&f)]);
    assert_eq!(e.count(REVIEW_INDEX), 1);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE asin = 'B7'"),
        86
    );
    let conn = Connection::open(e.db()).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM reviews WHERE asin = 'B7' ORDER BY id",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("reviews_asin"), "{plan}");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// A large first load into an empty database bypasses the write-ahead log; afterwards the database
/// is in WAL mode again. With another connection open it cannot leave WAL mode, and loads as usual.
#[test]
fn a_bulk_first_load_returns_to_wal_and_an_open_reader_keeps_the_usual_path() {
    let mut big = Vec::new();
    let mut i = 0;
    while big.len() < 17 << 20 {
        writeln!(
            big,
            "{{\"REVIEW_ID\":\"R{i}\",\"asin\":\"B{}\",\"rating\":3,\"text\":\"a review long enough to fill the file a little faster {i}\"}}",
            i % 900
        )
        .unwrap();
        i += 1;
    }
    let journal_mode = |db: &std::path::Path| -> String {
        Connection::open(db)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };

    // A bulk load that fails commits nothing and leaves WAL mode on.
    let e = Env::new();
    let mut bad = big.clone();
    bad.extend_from_slice(b"{\"asin\":\"B1\",\"rating\":9}\n");
    let bad = e.file("bad.jsonl", &bad);
    assert_eq!(
        e.run(&["ingest", "--strict", p(&bad)]).status.code(),
        Some(1)
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
    assert_eq!(journal_mode(&e.db()), "wal");

    let f = e.file("big.jsonl", &big);
    e.ok(&["ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), i as i64);
    assert_eq!(journal_mode(&e.db()), "wal");
    assert!(!e.dir.path().join("t.db-journal").exists());
    assert_eq!(e.count(REVIEW_INDEX), 1);

    // An empty database (its only record rejected: a failed file) with a reader holding it open.
    let e = Env::new();
    let tiny = e.file("tiny.jsonl", b"{\"rating\":5}\n");
    assert_eq!(e.run(&["ingest", p(&tiny)]).status.code(), Some(1));
    let reader = Connection::open(e.db()).unwrap();
    let before: i64 = reader
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, 0);
    let f = e.file("big.jsonl", &big);
    e.ok(&["ingest", p(&f)]);
    let after: i64 = reader
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, i as i64);
    assert_eq!(journal_mode(&e.db()), "wal");
}

/// A bulk load killed midway leaves a rollback journal. A command that only reads must still work
/// (SQLite lets only a writer undo the journal) and must see the database as before that load.
#[test]
fn a_reader_after_a_killed_bulk_load_sees_the_database_as_before() {
    let e = Env::new();
    let tiny = e.file(
        "tiny.jsonl",
        b"{\"asin\":\"B1\",\"rating\":5,\"text\":\"fine\"}\n",
    );
    e.ok(&["ingest", p(&tiny)]);
    // What a kill leaves: a writer in rollback-journal mode whose small cache has spilled into the
    // file, copied while it still holds its lock.
    let conn = Connection::open(e.db()).unwrap();
    conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA cache_size=5; BEGIN IMMEDIATE;")
        .unwrap();
    for i in 0..5000 {
        conn.execute(
            "INSERT INTO products (asin, first_seen, last_seen) VALUES (?1, 'x', 'x')",
            [format!("X{i:06}")],
        )
        .unwrap();
    }
    let crashed = Env::new();
    let journal = |env: &Env| env.dir.path().join("t.db-journal");
    std::fs::copy(e.db(), crashed.db()).unwrap();
    std::fs::copy(journal(&e), journal(&crashed)).unwrap();
    drop(conn);
    let out = crashed.run(&["report", "reviews", "--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert_eq!(crashed.count("SELECT count(*) FROM products"), 1);
}

#[test]
fn analyze_then_report_the_hooks_the_scorer_uses() {
    let e = Env::new();
    let out = e.run(&["analyze", p(&sample())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv_text = e.ok(&["report", "reviews", "--format", "csv"]);
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    for col in [
        "review_id",
        "asin",
        "brand",
        "rating",
        "language",
        "sentiment",
        "text_sentiment",
        "text_score",
        "issues",
        "aspects",
    ] {
        assert!(headers.iter().any(|h| h == col), "missing column {col}");
    }
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() as i64, e.count("SELECT count(*) FROM reviews"));
    let lang = headers.iter().position(|h| h == "language").unwrap();
    let langs: std::collections::HashSet<&str> = rows.iter().map(|r| &r[lang]).collect();
    for l in ["en", "de", "fr", "it", "es"] {
        assert!(langs.contains(l), "no {l} among {langs:?}");
    }
    // The failing product: leaks top its issues, with quotes, and "lid" tops its aspects.
    let list: serde_json::Value = serde_json::from_str(&e.ok(&[
        "report", "products", "--format", "json", "--sort", "reviews",
    ]))
    .unwrap();
    let asin = list[0]["asin"].as_str().unwrap().to_string();
    let detail: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "product", &asin, "--format", "json"])).unwrap();
    let prod = &detail;
    assert_eq!(prod["issues"][0]["code"], "leaks");
    assert_eq!(prod["issues"][0]["label"], "Leaks");
    assert!(prod["issues"][0]["count"].as_i64().unwrap() > 50);
    assert!(!prod["issues"][0]["examples"][0]["text"]
        .as_str()
        .unwrap()
        .is_empty());
    assert_eq!(prod["complaint_aspects"][0]["term"], "lid");
    let trend = prod["trend"].as_array().unwrap();
    assert!(trend.len() >= 12);
    let first: f64 = trend[..3]
        .iter()
        .map(|m| m["pct_negative"].as_f64().unwrap())
        .sum();
    let last: f64 = trend[trend.len() - 3..]
        .iter()
        .map(|m| m["pct_negative"].as_f64().unwrap())
        .sum();
    assert!(
        last > first,
        "the defect grows over time: {first} -> {last}"
    );
}

#[test]
fn incremental_runs_and_history() {
    let e = Env::new();
    let a = e.file("a.jsonl", b"{\"REVIEW_ID\":\"R1\",\"asin\":\"B1\",\"rating\":5,\"text\":\"Great, works perfectly\"}\n{\"REVIEW_ID\":\"R2\",\"asin\":\"B1\",\"rating\":4,\"text\":\"Good value\"}\n");
    let b = e.file("b.jsonl", b"{\"REVIEW_ID\":\"R3\",\"asin\":\"B1\",\"rating\":1,\"text\":\"Stopped working after a week\"}\n");
    e.ok(&["analyze", p(&a)]);
    let out = e.run(&["analyze"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new"));
    // The nightly job on an export it already loaded: nothing to read, nothing to analyze.
    let out = e.run(&["analyze", p(&a)]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("the same bytes") && log.contains("nothing new"),
        "{log}"
    );
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 2);
    e.ok(&["analyze", p(&b)]);
    assert_eq!(
        e.count("SELECT reviews_analyzed FROM analysis_runs ORDER BY id DESC LIMIT 1"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM product_snapshots WHERE asin = 'B1'"),
        2
    );
    let detail: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "product", "B1", "--format", "json"])).unwrap();
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["pct_negative"], 0.0);
    assert!(history[1]["pct_negative"].as_f64().unwrap() > 30.0);
    assert!(detail["neg_delta"].as_f64().unwrap() > 30.0);
    assert_eq!(detail["issues"][0]["code"], "defective");
    // --full recomputes every text.
    e.ok(&["analyze", "--full"]);
    assert_eq!(
        e.count("SELECT reviews_analyzed FROM analysis_runs ORDER BY id DESC LIMIT 1"),
        3
    );
}

#[test]
fn exit_codes_pipes_and_errors() {
    let e = Env::new();
    assert_eq!(e.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(e.run(&["report"]).status.code(), Some(1), "no database yet");
    e.ok(&["analyze", p(&sample())]);
    let out = e.run(&["report", "product", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no product NOPE"));
    // A reader that stops early is not an error.
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["report", "reviews", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in ["ingest", "analyze", "report"] {
        let out = Command::new(BIN).args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:") && text.contains("prodinsight"),
            "{cmd}: {text}"
        );
    }
}

/// On a terminal that reports no width (a pseudo-terminal nobody sized: `script`, some container
/// runtimes), tables take `COLUMNS` (else 100) instead of squeezing every column to one
/// character. Skipped where util-linux's `script` is missing.
#[test]
fn tables_fit_a_terminal_that_reports_no_width() {
    let has_script = Command::new("script").arg("--version").output();
    if !has_script.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no `script` to run the report on a pseudo-terminal");
        return;
    }
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let shell = format!("'{}' --db '{}' report issues", common::BIN, p(&e.db()));
    for (columns, width) in [(Some("90"), 90), (None, 100)] {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &shell, "/dev/null"])
            .env_remove("COLUMNS");
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        // As wide as the width allows (the issues list has more to show), never wider.
        assert!(
            widest <= width && widest > width - 10,
            "{columns:?}: {widest}\n{text}"
        );
        assert!(
            text.contains("│ code "),
            "{columns:?}: headers split\n{text}"
        );
    }
}
