//! A failure is printed once, on one `error:` line that names its cause, with the exit code cron
//! relies on.

mod common;

use std::process::{Command, Output};

use common::*;

/// The `error:` lines of a run's stderr.
fn errors(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

/// Exactly one `error:` line, containing each of `words`; the run's exit code is `code`.
fn fails_once(o: &Output, code: i32, words: &[&str]) -> String {
    let lines = errors(o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(lines.len(), 1, "one error line: {stderr}");
    for w in words {
        assert!(lines[0].contains(w), "{w:?} missing: {stderr}");
    }
    assert_eq!(o.status.code(), Some(code), "{stderr}");
    lines[0].clone()
}

#[test]
fn a_missing_file_is_printed_once_with_its_cause() {
    let e = Env::new();
    let missing = e.dir.path().join("nowhere.json");
    let o = e.run(&["ingest", p(&missing)]);
    fails_once(&o, 1, &["nowhere.json", "No such file or directory"]);
}

#[test]
fn a_missing_file_given_to_analyze_is_printed_once() {
    let e = Env::new();
    let missing = e.dir.path().join("nowhere.json");
    let o = e.run(&["-q", "analyze", p(&missing)]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The file's own error where it happened, then what is left to say; the cause once.
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    assert_eq!(o.status.code(), Some(1), "{stderr}");
}

#[test]
fn a_bad_database_is_printed_once_with_its_cause() {
    let e = Env::new();
    std::fs::write(
        e.db(),
        b"this is not SQLite, only some bytes that go on long enough",
    )
    .unwrap();
    let o = e.run(&["report", "products"]);
    fails_once(&o, 1, &["t.db", "not a database"]);
}

#[test]
fn an_unreachable_llm_is_printed_once_with_the_real_cause_and_no_key() {
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("seed-format.json"))]);
    // A port nothing listens on: connections are refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/v1");
    let key = "sk-errtest0123456789abcdefghij";
    let o = Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["-q", "analyze", "--analyzer", "llm", "--model", "m"])
        .args(["--base-url", &base, "--max-attempts", "1"])
        .env("OPENAI_API_KEY", key)
        .env_remove("OPENAI_BASE_URL")
        .output()
        .unwrap();
    let line = fails_once(&o, 4, &[&base, "refused"]);
    assert!(!line.contains("cannot connect to the server"), "{line}");
    assert!(!String::from_utf8_lossy(&o.stderr).contains(key));
}

/// An analyze the disk stops (full, or here a file-size limit) said "database: disk I/O error"
/// without naming the database.
#[test]
fn a_database_write_failure_in_analyze_names_the_database() {
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample())]);
    let size = std::fs::metadata(e.db()).unwrap().len();
    let blocks = (size / 512 + 64).to_string();
    // Writes past the limit fail with EFBIG instead of killing the process (SIGXFSZ ignored).
    let o = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f \"$0\"; exec \"$@\"",
            &blocks,
            BIN,
        ])
        .arg("--db")
        .arg(e.db())
        .args(["-q", "analyze"])
        .output()
        .unwrap();
    fails_once(&o, 1, &["t.db"]);
}
