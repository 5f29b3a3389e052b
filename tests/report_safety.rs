//! What `report` writes is safe to open: `-o` never destroys the database or leaves half a file,
//! CSV cells do not run as formulas in a spreadsheet, and no review text steers the terminal.

mod common;

use common::*;
use serde_json::json;

/// A database whose review carries hostile text in every field a report shows.
fn hostile() -> Env {
    let e = Env::new();
    let rows = [
        json!({"REVIEW_ID": "h1", "CHILD_ASIN": "B0HOSTILE1", "PRODUCT_BRAND": "+cmd|' /C calc'!A0",
               "rating": 1, "title": "=HYPERLINK(\"http://evil.example\",\"click\")",
               "text": "Broke after a day.\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m @SUM(A1)", "date": "2026-01-05"}),
        json!({"REVIEW_ID": "h2", "CHILD_ASIN": "B0HOSTILE1", "PRODUCT_BRAND": "+cmd|' /C calc'!A0",
               "rating": 5, "title": "-2+3", "text": "Works great, love it.", "date": "2026-01-06"}),
    ];
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    let f = e.file("hostile.jsonl", body.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    e
}

#[test]
fn report_refuses_to_write_over_its_database() {
    let e = hostile();
    let before = std::fs::read(e.db()).unwrap();
    let db = e.db();
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let link = e.dir.path().join("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let relative = std::path::Path::new(".").join(db.file_name().unwrap());
    for target in [
        db.clone(),
        wal.into(),
        link.clone(),
        e.dir.path().join(&relative),
    ] {
        let o = e.run(&["report", "reviews", "-f", "csv", "-o", p(&target)]);
        assert_eq!(o.status.code(), Some(2), "{target:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("database"), "{err}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
}

#[test]
fn a_failed_report_leaves_the_previous_file_and_no_temporary_one() {
    let e = hostile();
    let out = e.file("out.csv", b"yesterday's report\n");
    let o = e.run(&[
        "report",
        "product",
        "B0NOTTHERE",
        "-f",
        "csv",
        "-o",
        p(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&out).unwrap(), b"yesterday's report\n");
    // A successful one replaces it whole.
    e.ok(&["report", "reviews", "-f", "csv", "-o", p(&out)]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("B0HOSTILE1"), "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .filter_map(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_neutralised() {
    let e = hostile();
    for view in [vec!["reviews"], vec!["brands"], vec!["products"]] {
        let mut args = vec!["report"];
        args.extend(&view);
        args.extend(["-f", "csv"]);
        let csv = e.ok(&args);
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let mut cells = 0;
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                cells += 1;
                let first = cell.chars().next();
                let numeric = cell[cell.len().min(1)..]
                    .trim_end_matches('%')
                    .parse::<f64>()
                    .is_ok();
                let formula = matches!(first, Some('=' | '@' | '\t' | '\r'))
                    || (matches!(first, Some('+' | '-')) && !numeric);
                assert!(!formula, "{view:?}: {cell:?}");
            }
        }
        assert!(cells > 0, "{view:?}: {csv}");
    }
    let reviews = e.ok(&["report", "reviews", "-f", "csv"]);
    assert!(reviews.contains("'=HYPERLINK("), "{reviews}");
    assert!(reviews.contains("'+cmd|"), "{reviews}");
    assert!(reviews.contains("'-2+3"), "{reviews}");
    // Programs can ask for the cells as they are.
    let raw = e.ok(&["report", "reviews", "-f", "csv", "--raw-csv"]);
    assert!(
        raw.contains(",\"=HYPERLINK(") || raw.contains(",=HYPERLINK("),
        "{raw}"
    );
    assert!(!raw.contains("'=HYPERLINK("), "{raw}");
}

#[test]
fn no_escape_sequence_reaches_the_terminal() {
    let e = hostile();
    for args in [
        vec!["report", "reviews"],
        vec!["report", "brands"],
        vec!["report", "product", "B0HOSTILE1"],
        vec!["report"],
        vec!["report", "reviews", "-f", "json"],
        vec!["report", "reviews", "-f", "jsonl"],
        vec!["report", "product", "B0HOSTILE1", "-f", "json"],
    ] {
        let out = e.ok(&args);
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n' && c != ' '),
            "{args:?}: {out:?}"
        );
    }
    let table = e.ok(&["report", "reviews"]);
    assert!(table.contains("\\x1b"), "{table}");
    // JSON keeps the value: escaped, not dropped.
    let json = e.ok(&["report", "reviews", "-f", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.to_string().contains("\\u001b[2J"), "{v}");
    assert!(json.contains("\\u009b"), "{json}");
}

/// CSV and HTML go to the terminal too (`report reviews -f csv | less`, no `-o`): a review's escape
/// sequences are shown escaped there as in tables, newlines kept; `--raw-csv` keeps the bytes.
#[test]
fn csv_and_html_carry_no_escape_sequence() {
    let e = hostile();
    for args in [
        vec!["report", "reviews", "-f", "csv"],
        vec!["report", "product", "B0HOSTILE1", "-f", "csv"],
        vec!["report", "reviews", "-f", "html"],
        vec!["report", "product", "B0HOSTILE1", "-f", "html"],
        vec!["report", "issues", "-f", "html"],
    ] {
        let out = e.ok(&args);
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n' && c != ' '),
            "{args:?}: {out:?}"
        );
    }
    let csv = e.ok(&["report", "reviews", "-f", "csv"]);
    assert!(csv.contains("\\x1b[2J"), "{csv}");
    let html = e.ok(&["report", "reviews", "-f", "html"]);
    assert!(html.contains("\\x1b[2J"), "{html}");
    let raw = e.ok(&["report", "reviews", "-f", "csv", "--raw-csv"]);
    assert!(raw.contains("\u{1b}[2J"), "{raw:?}");
    // A Windows line end is layout, not an escape: kept in CSV.
    let crlf =
        serde_json::json!({"asin": "B0CRLF0001", "rating": 4, "text": "line one\r\nline two"});
    let f = e.file("crlf.jsonl", format!("{crlf}\n").as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    let out = e.ok(&["report", "reviews", "-f", "csv"]);
    assert!(out.contains("line one\r\nline two"), "{out:?}");
}

fn mkfifo(path: &std::path::Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success(), "mkfifo failed");
}

fn is_fifo(path: &std::path::Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// `-o` a FIFO (or `/dev/null`, `/dev/stdout`: not tested here, a regression run as root would
/// replace the system's) is written into, not renamed over: the rename put a regular file in place
/// of the device. A symlink to a report keeps being a symlink; `backup` refuses a non-file.
#[test]
fn report_o_writes_into_a_fifo_or_through_a_symlink_and_never_replaces_them() {
    let e = hostile();
    let fifo = e.dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap_or_default())
    };
    let o = e.run(&["report", "reviews", "-f", "csv", "-o", p(&fifo)]);
    assert!(is_fifo(&fifo), "the FIFO was replaced by a file");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(reader.join().unwrap().contains("B0HOSTILE1"));

    let real = e.file("real.csv", b"old\n");
    let link = e.dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    e.ok(&["report", "reviews", "-f", "csv", "-o", p(&link)]);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("B0HOSTILE1"));

    let o = e.run(&["backup", "--force", p(&fifo)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(is_fifo(&fifo), "backup replaced the FIFO by a file");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pipe") && err.contains("not a regular file"),
        "{err}"
    );
}

/// A report that cannot be written names its `-o` file (it said only "output: No space left on
/// device"), exits 1, and a full device is the example.
#[test]
fn a_write_that_fails_names_the_output_file() {
    if !std::path::Path::new("/dev/full").exists() {
        return; // not Linux
    }
    let e = hostile();
    let out = e.run(&["report", "reviews", "-f", "csv", "-o", "/dev/full"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/dev/full") && err.contains("No space left"),
        "{err}"
    );
}
