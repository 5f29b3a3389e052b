//! Ingest against hostile or surprising input: bad ASINs, files from which nothing loads, FIFOs and
//! symlink loops, UTF-16, control characters in messages, a database path that is no database.

mod common;

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs the binary with `args` (after `--db`), killing it and failing the test if it takes longer
/// than `limit`: the bugs pinned here made ingest hang.
fn run_within(e: &Env, args: &[&str], limit: Duration) -> Output {
    let out = e.dir.path().join("stdout.txt");
    let err = e.dir.path().join("stderr.txt");
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{args:?} still running after {limit:?}; stderr: {}",
                String::from_utf8_lossy(&std::fs::read(&err).unwrap_or_default())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read(&err).unwrap(),
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(st.success(), "mkfifo failed");
}

const GOOD: &str = "{\"asin\":\"B0GOOD0001\",\"rating\":5,\"text\":\"fine\"}\n";

#[test]
fn asins_are_validated_at_ingest() {
    let e = Env::new();
    let long = "B".repeat(100_000);
    let body = format!(
        "{GOOD}{{\"asin\":\"B0\\u0000NUL\",\"rating\":4}}\n{{\"asin\":\"{long}\",\"rating\":3}}\n\
         {{\"asin\":\"B0 SPACE\",\"rating\":3}}\n{{\"asin\":\"B0\\u001b[31m\",\"rating\":3}}\n\
         {{\"asin\":true,\"rating\":3}}\n{{\"asin\":\" b0lower01 \",\"rating\":2}}\n\
         {{\"asin\":123456789,\"rating\":1}}\n{{\"asin\":\"B1\",\"rating\":1}}\n"
    );
    let f = e.file("asins.jsonl", body.as_bytes());
    let out = e.run(&["ingest", p(&f)]);
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("9 read, 4 new") && log.contains("5 rejected"),
        "{log}"
    );
    // Real ASINs load as they are (trimmed, case kept); numeric ones keep their ISBN zeros.
    for asin in ["B0GOOD0001", "b0lower01", "0123456789", "B1"] {
        assert_eq!(
            e.count(&format!(
                "SELECT count(*) FROM products WHERE asin = '{asin}'"
            )),
            1,
            "{asin}"
        );
    }
    assert_eq!(e.count("SELECT count(*) FROM products"), 4);
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 5);
    assert_eq!(
        e.count(
            "SELECT count(*) FROM rejected_records
             WHERE reason LIKE '%asin%not an ASIN%' AND raw IS NOT NULL"
        ),
        5
    );
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%100000 characters%'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%letters and digits%'"),
        3
    );
    // The reasons neither repeat the 100,000 characters nor carry the control characters.
    assert!(log.len() < 5_000, "{} bytes of log", log.len());
    assert_eq!(
        e.count(
            "SELECT count(*) FROM rejected_records
             WHERE length(reason) > 300 OR instr(reason, char(0)) OR instr(reason, char(27))"
        ),
        0
    );
    assert!(!log.contains('\u{1b}') && !log.contains('\0'), "{log:?}");
}

#[test]
fn a_file_from_which_nothing_loads_fails_and_says_why() {
    let e = Env::new();
    let good = e.file("good.jsonl", GOOD.as_bytes());
    e.ok(&["ingest", p(&good)]);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not-an-export.json",
            br#"{"reviews": "none", "count": 3}"#.to_vec(),
            "no review fields",
        ),
        ("deep.json", deep.into_bytes(), "nested too deeply"),
        (
            "all-bad.jsonl",
            b"{\"asin\":\"B1\",\"rating\":9}\n{\"asin\":\"\",\"rating\":5}\n".to_vec(),
            "1 to 5",
        ),
    ];
    for (name, bytes, why) in cases {
        let f = e.file(name, &bytes);
        let out = run_within(&e, &["ingest", p(&f)], Duration::from_secs(30));
        let log = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {log}");
        assert!(
            log.contains(name) && log.contains("no record loaded") && log.contains(why),
            "{name}: {log}"
        );
        assert!(!log.contains("panicked"), "{log}");
        let failed = e.count(&format!(
            "SELECT count(*) FROM ingest_runs WHERE status = 'failed' AND source LIKE '%{name}'
             AND error LIKE '%no record loaded%'"
        ));
        assert_eq!(failed, 1, "{name}");
        // The rejected records stay, for diagnosis, under the failed run.
        let kept = e.count(&format!(
            "SELECT count(*) FROM rejected_records JOIN ingest_runs r ON r.id = ingest_run_id
             WHERE r.source LIKE '%{name}'"
        ));
        assert!(kept >= 1, "{name}");
    }
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1);
    assert_eq!(e.count("SELECT count(*) FROM products"), 1);
    // A file that cannot even be opened is recorded as failed too.
    let out = e.run(&["ingest", "/nonexistent/export.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        e.count(
            "SELECT count(*) FROM ingest_runs WHERE status = 'failed'
             AND source = '/nonexistent/export.json' AND error LIKE 'cannot open%'"
        ),
        1
    );
    // All duplicates of stored reviews did load: re-ingest is idempotent and succeeds.
    let out = e.run(&["ingest", "--force", p(&good)]);
    assert!(out.status.success(), "{}", stderr(&out));
    // An export with no records is empty, not wrong: it succeeds with nothing read.
    let empty = e.file("none-today.json", b"[]\n");
    let out = e.run(&["ingest", p(&empty)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("0 read"), "{}", stderr(&out));
    // In a batch, the failed file fails the run, the good ones are kept.
    let other = e.file("other.jsonl", b"{\"asin\":\"B0OTHER001\",\"rating\":4}\n");
    let bad = e.dir.path().join("not-an-export.json");
    let out = e.run(&["ingest", p(&bad), p(&other)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
}

#[test]
fn a_fifo_in_a_directory_is_skipped_and_a_fifo_path_is_read_as_a_stream() {
    let e = Env::new();
    let dir = e.dir.path().join("exports");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.jsonl"), GOOD).unwrap();
    mkfifo(&dir.join("pipe.jsonl"));
    let out = run_within(&e, &["ingest", p(&dir)], Duration::from_secs(20));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(e.count("SELECT count(*) FROM ingest_runs"), 1);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1);

    // Given as the path, a FIFO is read like stdin.
    let fifo = e.dir.path().join("stream.jsonl");
    mkfifo(&fifo);
    let writer_path = fifo.clone();
    std::thread::spawn(move || {
        let mut w = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        for i in 0..1000 {
            let line = format!(
                "{{\"asin\":\"B0FIFO{:04}\",\"rating\":4,\"text\":\"r{i}\"}}\n",
                i % 7
            );
            if std::io::Write::write_all(&mut w, line.as_bytes()).is_err() {
                return; // the reader gave up: the test says why
            }
        }
    });
    let out = run_within(&e, &["ingest", p(&fifo)], Duration::from_secs(20));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1000 read, 1000 new"),
        "{}",
        stderr(&out)
    );

    // So is a process substitution, `<(…)`.
    let script = format!(
        "exec \"$0\" --db '{}' ingest <(printf '%s\\n' '{{\"asin\":\"B0SUBST001\",\"rating\":5}}')",
        p(&e.db())
    );
    let out = Command::new("bash")
        .args(["-c", &script, BIN])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE asin = 'B0SUBST001'"),
        1
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once_per_real_directory() {
    use std::os::unix::fs::symlink;
    let e = Env::new();
    let dir = e.dir.path().join("exports");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.join("a.jsonl"), GOOD).unwrap();
    std::fs::write(
        sub.join("b.jsonl"),
        b"{\"asin\":\"B0SUB00001\",\"rating\":4}\n",
    )
    .unwrap();
    symlink("..", sub.join("up1")).unwrap();
    symlink("..", sub.join("up2")).unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink("a.jsonl", dir.join("alias.jsonl")).unwrap();
    symlink("missing.jsonl", dir.join("dangling.jsonl")).unwrap();
    let out = run_within(&e, &["ingest", p(&dir)], Duration::from_secs(20));
    assert!(out.status.success(), "{}", stderr(&out));
    // Each real file once: two runs, not one per path that reaches it.
    assert_eq!(e.count("SELECT count(*) FROM ingest_runs"), 2);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    let e = Env::new();
    let json = "[{\"CHILD_ASIN\":\"B0UTF16J01\",\"CUSTOMER_REVIEW_RATING\":5,\"CUSTOMER_REVIEW_DESCRIPTION\":\"Très bien 👍\"},\n {\"CHILD_ASIN\":\"B0UTF16J02\",\"CUSTOMER_REVIEW_RATING\":2}]\n";
    let csv = "CHILD_ASIN,CUSTOMER_REVIEW_RATING,CUSTOMER_REVIEW_DESCRIPTION\r\nB0UTF16C01,4,\"Schön, 😀\"\r\nB0UTF16C02,1,kaputt\r\n";
    for (be, tag) in [(false, "le"), (true, "be")] {
        let j = e.file(&format!("{tag}.json"), &utf16(json, be));
        let c = e.file(&format!("{tag}.csv"), &utf16(csv, be));
        for f in [j, c] {
            let out = e.run(&["ingest", "--force", p(&f)]);
            assert!(out.status.success(), "{}: {}", p(&f), stderr(&out));
            assert!(stderr(&out).contains("2 read"), "{}", stderr(&out));
        }
    }
    // The same reviews in either byte order: 4, each text intact.
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 4);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE body IN ('Très bien 👍', 'Schön, 😀')"),
        2
    );
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 0);
    // Without a byte order mark, UTF-16 is recognised and refused with advice.
    let f = e.file("nobom.csv", &utf16(csv, false)[2..]);
    let out = e.run(&["ingest", p(&f)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("UTF-16LE") && stderr(&out).contains("convert it to UTF-8"),
        "{}",
        stderr(&out)
    );
    // A UTF-8 byte order mark is no part of the first column's name.
    let f = e.file("bom.csv", b"\xEF\xBB\xBFasin,rating\nB0BOM00001,5\n");
    e.ok(&["ingest", p(&f)]);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE asin = 'B0BOM00001'"),
        1
    );
}

#[test]
fn control_characters_in_messages_are_escaped() {
    let e = Env::new();
    let f = e.file("hdr.csv", b"brand,\x1b[2J\x1b[31mrating\x00\nA,5\n");
    let out = e.run(&["ingest", p(&f)]);
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(!log.contains('\u{1b}') && !log.contains('\0'), "{log:?}");
    assert!(log.contains("\\x1b[2J\\x1b[31mrating\\x00"), "{log}");
    // The path too: a file name may hold them.
    let f = e.file("evil\x1b]0;owned\x07.json", b"[{\"asin\": tru}] x");
    let out = e.run(&["ingest", p(&f)]);
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(!log.contains('\u{1b}') && !log.contains('\u{7}'), "{log:?}");
    assert!(log.contains("evil\\x1b]0;owned\\x07.json"), "{log}");
    let err: String = rusqlite::Connection::open(e.db())
        .unwrap()
        .query_row(
            "SELECT error FROM ingest_runs WHERE status = 'failed' ORDER BY id DESC",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn a_database_path_that_is_no_database_is_named() {
    let e = Env::new();
    std::fs::write(e.db(), "this is a text file, not SQLite\n".repeat(200)).unwrap();
    let f = e.file("good.jsonl", GOOD.as_bytes());
    for args in [vec!["ingest", p(&f)], vec!["report"]] {
        let out = e.run(&args);
        let log = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {log}");
        assert!(
            log.contains(p(&e.db())) && log.contains("not a database"),
            "{args:?}: {log}"
        );
    }
}

#[test]
fn a_failed_file_is_reported_once() {
    let e = Env::new();
    let f = e.file(
        "trunc.json",
        b"[{\"asin\":\"B1\",\"rating\":5},\n{\"asin\":\"B2\",\"te",
    );
    for args in [vec!["ingest", p(&f)], vec!["analyze", p(&f)]] {
        let out = e.run(&args);
        let log = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {log}");
        assert_eq!(log.matches("truncated").count(), 1, "{args:?}: {log}");
        assert_eq!(log.matches("trunc.json").count(), 1, "{args:?}: {log}");
    }
    // Several files: each failure once, then how many failed.
    let g = e.file("good.jsonl", GOOD.as_bytes());
    let out = e.run(&["ingest", p(&f), p(&g)]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert_eq!(log.matches("truncated").count(), 1, "{log}");
    assert!(log.contains("1 of 2 inputs failed"), "{log}");
}

/// One 16 MB review (a hostile or broken export) took the offline analyzer about a minute and
/// 200 MB per 16 MB in a debug build (100 MB: 5.5 minutes, 1.3 GB). It reads the first 100,000
/// characters (more than any real review); the stored text stays whole.
#[test]
fn a_huge_review_is_analyzed_in_bounded_time() {
    let e = Env::new();
    let words = "The lid cracked and it leaks everywhere, sehr schlecht. ".repeat(300_000);
    let body = format!(
        "{}\n{}\n",
        serde_json::json!({"asin": "B0HUGE0001", "rating": 1, "text": words}),
        serde_json::json!({"asin": "B0HUGE0002", "rating": 5, "text": "Works great."})
    );
    let f = e.file("huge.jsonl", body.as_bytes());
    let o = run_within(&e, &["-q", "ingest", p(&f)], Duration::from_secs(60));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_within(&e, &["-q", "analyze"], Duration::from_secs(20));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 2);
    assert_eq!(
        e.count("SELECT length(body) FROM reviews WHERE asin = 'B0HUGE0001'"),
        words.len() as i64
    );
    let json = e.ok(&["report", "product", "B0HUGE0001", "-f", "json"]);
    assert!(json.contains("leaks"), "{json}");
}

/// A JSON record that names the same field twice (`"rating": 5, …, "rating": 1`) was read with the
/// first value while Python, JavaScript and jq read the last: the same file gave other numbers
/// elsewhere. A repeat with a different value rejects the record, named; an equal repeat is fine.
#[test]
fn a_field_repeated_with_another_value_rejects_the_record() {
    let e = Env::new();
    let f = e.file(
        "dup.jsonl",
        concat!(
            "{\"asin\":\"B0DUP00001\",\"rating\":5,\"text\":\"fine\",\"rating\":1}\n",
            "{\"asin\":\"B0DUP00001\",\"asin\":\"B0DUP00002\",\"rating\":4,\"text\":\"ok\"}\n",
            "{\"asin\":\"B0DUP00001\",\"rating\":3,\"rating\":\"3\",\"text\":\"same\"}\n",
            "{\"asin\":\"B0DUP00001\",\"rating\":2,\"text\":\"alias kept\",\"CUSTOMER_REVIEW_RATING\":4}\n",
        )
        .as_bytes(),
    );
    let o = e.run(&["ingest", p(&f)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2 rejected"), "{err}");
    assert!(
        err.contains("record 1 (line 1)") && err.contains("rating appears twice"),
        "{err}"
    );
    assert!(
        err.contains("record 2 (line 2)") && err.contains("asin appears twice"),
        "{err}"
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE rating = 1 OR rating = 5"),
        0
    );
}

/// One stray `"` opening a CSV field made the rest of the file one field of one rejected record:
/// 1,000 reviews vanished with exit 0 ("2 read, 1 rejected"). A quote still open at the end of
/// the file is a malformed file, like a truncated JSON array: exit 1, the quote's line named,
/// nothing kept.
#[test]
fn an_unmatched_quote_in_a_csv_fails_the_file() {
    let e = Env::new();
    let mut csv = String::from("asin,rating,title,text\nB0CSV00001,5,ok,fine\n");
    csv.push_str("B0CSV00001,2,\"bad,it broke\n");
    for i in 0..1000 {
        csv.push_str(&format!("B0CSV00001,4,t{i},good {i}\n"));
    }
    let f = e.file("stray.csv", csv.as_bytes());
    let o = e.run(&["ingest", p(&f)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("stray.csv") && err.contains("line 3"), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
    // Quoted fields with newlines, doubled quotes and a quote inside a plain field still load.
    let good = e.file(
        "good.csv",
        b"asin,rating,title,text\nB0CSV00001,5,\"a \"\"b\"\"\",\"two\nlines\"\nB0CSV00001,4,5\" screen,ok\n",
    );
    let o = e.run(&["ingest", p(&good)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
}

/// A write the disk refuses (full, or here a file-size limit) was printed as "database: disk I/O
/// error": neither the file being loaded nor the database was named.
#[test]
fn a_database_write_failure_names_the_file_and_the_database() {
    let e = Env::new();
    let mut big = String::new();
    for i in 0..30_000 {
        big.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"asin\":\"B0FULL{:04}\",\"rating\":{},\"text\":\"review number {i} of a long export that fills the disk\"}}\n",
            i % 500,
            i % 5 + 1
        ));
    }
    let f = e.file("nightly.jsonl", big.as_bytes());
    let first = sample().join("export-1-2025-h1.json");
    // Writes past the limit fail with EFBIG instead of killing the process (SIGXFSZ ignored).
    let o = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 4000; exec \"$@\"", "sh", BIN])
        .arg("--db")
        .arg(e.db())
        .args(["ingest", p(&first), p(&f)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("I/O error") || l.contains("full"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("nightly.jsonl"), "{err}");
    assert!(line.contains("t.db"), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1445);
}

/// A "word" of tens of thousands of letters made the offline analyzer's lexicon try every length
/// of it as a prefix and every ending as a German compound: quadratic, 94 s for 40,000 "ﬁ"
/// ligatures in a debug build. Each review here took 20-50 s before.
#[test]
fn a_review_of_one_endless_word_is_analyzed_in_bounded_time() {
    let e = Env::new();
    let body = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"asin": "B0WORD0001", "rating": 1, "text": "ﬁ".repeat(30_000)}),
        serde_json::json!({"asin": "B0WORD0002", "rating": 2, "text": "abc".repeat(30_000)}),
        serde_json::json!({"asin": "B0WORD0003", "rating": 1, "text": format!("Schlecht. {}", "ß".repeat(30_000))}),
    );
    let f = e.file("words.jsonl", body.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    let o = run_within(&e, &["-q", "analyze"], Duration::from_secs(15));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 3);
}

#[test]
fn a_latin_1_record_is_rejected_as_not_utf_8_with_where() {
    let e = Env::new();
    let mut bytes = b"{\"CHILD_ASIN\":\"B0LATIN001\",\"CUSTOMER_REVIEW_RATING\":5,\"CUSTOMER_REVIEW_DESCRIPTION\":\"caf".to_vec();
    bytes.push(0xE9); // "é" in latin-1
    bytes.extend_from_slice(b"\"}\n{\"CHILD_ASIN\":\"B0LATIN002\",\"CUSTOMER_REVIEW_RATING\":4}\n");
    let f = e.file("latin.jsonl", &bytes);
    let out = e.run(&["ingest", p(&f)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    let reason: String = conn
        .query_row("SELECT reason FROM rejected_records", [], |r| r.get(0))
        .unwrap();
    assert!(
        reason.contains("not UTF-8") && reason.contains("byte 0xE9"),
        "{reason}"
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1);
}
