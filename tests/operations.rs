//! Operating the database: `backup` while other commands write, `check` on healthy, damaged and
//! foreign databases, and the generated completions and man pages.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{p, sample, Env, BIN};

/// An export of `n` reviews with distinct texts over many products (no ids, no dates).
fn export(e: &Env, n: usize) -> std::path::PathBuf {
    let mut s = String::new();
    for i in 0..n {
        let rating = 1 + i % 5;
        s.push_str(&format!(
            "{{\"PRODUCT_BRAND\":\"Brand {}\",\"CHILD_ASIN\":\"B{:09}\",\"CUSTOMER_REVIEW_RATING\":{rating},\
             \"CUSTOMER_REVIEW_TITLE\":\"Review {i}\",\"CUSTOMER_REVIEW_DESCRIPTION\":\"The lid {} after {i} days, \
             battery ok\"}}\n",
            i % 7,
            i % 997,
            if rating < 3 { "leaks badly" } else { "works well" }
        ));
    }
    e.file("big.jsonl", s.as_bytes())
}

fn check_code(db: &std::path::Path) -> (i32, String, String) {
    let o = Command::new(BIN)
        .args(["--db", p(db), "check", "-f", "json"])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn backups_taken_while_analyze_writes_are_consistent_and_pass_check() {
    let e = Env::new();
    e.ok(&["ingest", p(&sample())]);
    let big = export(&e, 8_000);
    let mut writer = Command::new(BIN)
        .args(["--db", p(&e.db()), "-q", "analyze", p(&big)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut during = 0;
    let mut backups = Vec::new();
    for i in 0..12 {
        let running = writer.try_wait().unwrap().is_none();
        let dest = e.dir.path().join(format!("b{i}.db"));
        let o = Command::new(BIN)
            .args(["--db", p(&e.db()), "-q", "backup", p(&dest)])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        backups.push(dest);
        if !running {
            break;
        }
        during += 1;
    }
    assert!(writer.wait().unwrap().success());
    let after = e.dir.path().join("after.db");
    e.ok(&["-q", "backup", p(&after)]);
    backups.push(after);
    assert!(during >= 1, "no backup was taken while analyze ran");
    eprintln!(
        "{during} backups while analyze ran, {} in all",
        backups.len()
    );
    for b in &backups {
        let (code, out, err) = check_code(b);
        assert_eq!(code, 0, "{}: {out}{err}", b.display());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["integrity"][0], "ok");
        // A copy is one moment of the database: every review it holds belongs to a product it holds.
        let c = rusqlite::Connection::open(b).unwrap();
        let orphans: i64 = c
            .query_row(
                "SELECT count(*) FROM reviews r WHERE NOT EXISTS
                     (SELECT 1 FROM products p WHERE p.asin = r.asin)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
    }
    // The last copy, taken after analyze finished, holds what the database holds.
    let last = backups.last().unwrap();
    let n = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT (SELECT count(*) FROM reviews) * 1000 + (SELECT count(*) FROM analysis_runs)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(n(last), n(&e.db()));
    let report = Command::new(BIN)
        .args(["--db", p(last), "report", "products", "-f", "json"])
        .output()
        .unwrap();
    assert!(report.status.success());
}

#[test]
fn backup_refuses_to_overwrite_or_to_write_over_the_database() {
    let e = Env::new();
    e.ok(&["ingest", p(&sample())]);
    let dest = e.file("taken.db", b"keep me");
    let o = e.run(&["backup", p(&dest)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read(&dest).unwrap(), b"keep me");
    for target in [e.db(), e.dir.path().join("t.db-wal")] {
        let o = e.run(&["backup", "--force", p(&target)]);
        assert_eq!(o.status.code(), Some(2), "{}", target.display());
    }
    assert_eq!(check_code(&e.db()).0, 0);
    e.ok(&["-q", "backup", "--force", p(&dest)]);
    assert_eq!(check_code(&dest).0, 0);
    // Nothing temporary is left beside the copy.
    let stray = std::fs::read_dir(e.dir.path())
        .unwrap()
        .filter(|f| {
            let name = f.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with(".prodinsight-backup-")
        })
        .count();
    assert_eq!(stray, 0);
}

#[test]
fn check_reports_damage_a_foreign_schema_and_a_non_database() {
    let e = Env::new();
    e.ok(&["analyze", p(&sample())]);
    let (code, out, _) = check_code(&e.db());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["counts"]["reviews"].as_i64().unwrap() > 3000);
    assert_eq!(v["last_analysis"]["status"], "ok");
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);

    // A copy from a newer prodinsight.
    let newer = e.dir.path().join("newer.db");
    e.ok(&["-q", "backup", p(&newer)]);
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let (code, _, err) = check_code(&newer);
    assert_eq!(code, 1);
    assert!(err.contains("newer"), "{err}");

    // Damage inside the file: garbage over pages past the first.
    let damaged = e.dir.path().join("damaged.db");
    e.ok(&["-q", "backup", p(&damaged)]);
    let mut bytes = std::fs::read(&damaged).unwrap();
    let page = 16384;
    assert!(bytes.len() > 8 * page);
    for b in &mut bytes[3 * page..6 * page] {
        *b = 0xA5;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let (code, out, err) = check_code(&damaged);
    assert_eq!(code, 1, "{out}{err}");

    let junk = e.file("junk.db", &[b'x'; 5000]);
    let (code, _, err) = check_code(&junk);
    assert_eq!(code, 1);
    assert!(err.contains("junk.db"), "{err}");
}

#[test]
fn completions_for_every_shell_and_man_pages_for_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8(o.stdout).unwrap();
        assert!(
            script.contains("backup") && script.contains("report"),
            "{shell}"
        );
    }
    // The bash script is valid bash.
    let o = Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    bash.stdin.take().unwrap().write_all(&o.stdout).unwrap();
    assert!(bash.wait().unwrap().success());

    let page = Command::new(BIN).arg("man").output().unwrap();
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH prodinsight 1"),
        "{page}"
    );
    let e = Env::new();
    let dir = e.dir.path().join("man1");
    e.ok(&["-q", "man", "--dir", p(&dir)]);
    for name in [
        "prodinsight",
        "prodinsight-ingest",
        "prodinsight-report-changes",
        "prodinsight-backup",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.1"))).unwrap();
        assert!(text.contains(".TH"), "{name}");
    }
}

#[test]
fn every_command_help_has_an_example() {
    let top = Command::new(BIN).arg("--help").output().unwrap();
    let top = String::from_utf8(top.stdout).unwrap();
    let mut commands = vec![];
    let mut in_commands = false;
    for line in top.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            match line.split_whitespace().next() {
                Some("help") | None => break,
                Some(c) => commands.push(c.to_string()),
            }
        }
    }
    assert!(commands.len() >= 8, "{commands:?}");
    for c in commands {
        let o = Command::new(BIN)
            .args([c.as_str(), "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(o.stdout).unwrap();
        assert!(help.contains("Examples:"), "`{c} --help` has no example");
    }
}

#[test]
fn every_environment_variable_in_help_is_in_the_readme_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"))
            .unwrap();
    let table = readme
        .split("**Every setting from the environment.**")
        .nth(1)
        .expect("the environment table");
    let mut seen = 0;
    for cmd in [
        vec!["--help"],
        vec!["ingest", "--help"],
        vec!["analyze", "--help"],
        vec!["serve", "--help"],
        vec!["report", "--help"],
        vec!["backup", "--help"],
        vec!["check", "--help"],
        vec!["healthcheck", "--help"],
    ] {
        let out = Command::new(BIN).args(&cmd).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        for part in help.split("[env: ").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            assert!(
                table.contains(&format!("`{name}`")),
                "{name} ({cmd:?}) is not in the table in docs/operations.md"
            );
            seen += 1;
        }
    }
    assert!(seen >= 20, "only {seen} variables found in --help");
}
