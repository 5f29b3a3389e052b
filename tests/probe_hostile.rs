//! Found by a hostile probe: brands in several letter cases, runs cut short, exotic encodings,
//! read-only WAL databases, and what `serve` answers to odd clients.

mod common;

use common::*;

fn review(id: &str, asin: &str, brand: &str, stars: u8, text: &str) -> String {
    format!(
        "{{\"PRODUCT_BRAND\":{brand:?},\"CUSTOMER_REVIEW_RATING\":{stars},\
         \"CUSTOMER_REVIEW_DESCRIPTION\":{text:?},\"CHILD_ASIN\":{asin:?},\
         \"REVIEW_ID\":{id:?},\"REVIEW_DATE\":\"2025-06-01\"}}\n"
    )
}

/// Listing and filtering agree on brands: `--brand` ignores case, so the list does too. Brands
/// that differ only in letter case are one brand, under the spelling first stored, across files
/// and within one. The filter ignores spaces around the name too, as ingest stores it trimmed.
#[test]
fn brands_differing_only_in_case_are_one_brand() {
    let e = Env::new();
    let first = review("R1", "B000000001", "Acme, Inc.", 1, "Broke after a day.");
    let later = [
        review("R2", "B000000002", "acme, inc.", 5, "Works perfectly."),
        review("R3", "B000000003", "ACME, INC.", 4, "Works well."),
        review("R4", "B000000004", "Ölberg", 4, "Works well."),
        review("R5", "B000000005", "ÖLBERG", 2, "Stopped working."),
    ]
    .concat();
    let a = e.file("a.jsonl", first.as_bytes());
    let b = e.file("b.jsonl", later.as_bytes());
    e.ok(&["-q", "ingest", p(&a)]);
    e.ok(&["-q", "ingest", p(&b)]);
    e.ok(&["-q", "analyze"]);
    let listed: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "brands", "--format", "json"])).unwrap();
    let rows = listed.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["brand"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{listed}");
    assert!(
        names.contains(&"Acme, Inc.") && names.contains(&"Ölberg"),
        "{listed}"
    );
    // What the filter finds is what the list counts.
    let filtered: serde_json::Value = serde_json::from_str(&e.ok(&[
        "report",
        "products",
        "--brand",
        " acme, INC. ",
        "--format",
        "json",
    ]))
    .unwrap();
    let acme = rows.iter().find(|r| r["brand"] == "Acme, Inc.").unwrap();
    assert_eq!(
        filtered.as_array().unwrap().len() as u64,
        acme["products"].as_u64().unwrap()
    );
    assert_eq!(acme["products"], 3, "{acme}");
    let srv = Server::start(&e);
    let api = srv.ok("/api/v1/brands");
    assert_eq!(api["data"].as_array().unwrap().len(), 2, "{api}");
    let api = srv.ok("/api/v1/products?brand=%20%C3%B6lberg%20");
    assert_eq!(api["meta"]["total"], 2, "{api}");
}

fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let chars = bom.then_some('\u{FEFF}').into_iter().chain(text.chars());
    chars
        .flat_map(|c| {
            let n = c as u32;
            if big_endian {
                n.to_be_bytes()
            } else {
                n.to_le_bytes()
            }
        })
        .collect()
}

/// A UTF-32 export, with or without a byte order mark, is refused by name (file and encoding),
/// not as "invalid JSON" records or a header without a product column.
#[test]
fn utf32_files_are_named_with_their_encoding() {
    let e = Env::new();
    let jsonl = "{\"CHILD_ASIN\":\"B000000001\",\"CUSTOMER_REVIEW_RATING\":5,\"text\":\"Great\"}\n";
    let csv = "asin,rating,text\nB000000001,5,Great\n";
    for (text, ext) in [(jsonl, "jsonl"), (csv, "csv")] {
        for be in [false, true] {
            for bom in [false, true] {
                let name = format!("u32-{be}-{bom}.{ext}");
                let f = e.file(&name, &utf32(text, be, bom));
                let o = e.run(&["ingest", p(&f)]);
                let err = String::from_utf8_lossy(&o.stderr);
                let enc = if be { "UTF-32BE" } else { "UTF-32LE" };
                assert!(!o.status.success(), "{name}: {err}");
                assert!(err.contains(&name) && err.contains(enc), "{name}: {err}");
                assert!(!err.contains("invalid JSON"), "{name}: {err}");
            }
        }
    }
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 0);
}

/// Runs the binary on the database with the directory's write permission taken away: as root
/// (whom permissions do not stop) through `setpriv` as nobody.
fn run_unprivileged(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    use std::process::Command;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    cmd.arg("--db").arg(db).args(args).output().unwrap()
}

/// A WAL database in a directory the reader cannot write, with no `-shm` left by the last writer
/// (as on a read-only mount), is read by `report` and `check`: SQLite cannot create the index it
/// reads a WAL through, so the file alone is read.
#[test]
fn a_wal_database_in_a_read_only_directory_is_readable() {
    use std::os::unix::fs::PermissionsExt;
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let db = e.db();
    let mut shm = db.clone().into_os_string();
    shm.push("-shm");
    assert!(
        !std::path::Path::new(&shm).exists(),
        "the last writer removed it"
    );
    let mode: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let dir = e.dir.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let report = run_unprivileged(&db, &["report", "brands", "-f", "json"]);
    let check = run_unprivileged(&db, &["check", "--quick"]);
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&report.stderr);
    assert!(report.status.success(), "{err}");
    let brands: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert!(brands.as_array().is_some_and(|b| !b.is_empty()), "{brands}");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && out.contains("integrity       ok"),
        "{out}"
    );
}

/// A parameter whose percent-encoded bytes are not UTF-8 (an old client encoding Latin-1) is a
/// 400 naming it, not a lossy decoding that matches nothing and answers an empty 200.
#[test]
fn parameters_that_are_not_utf8_are_refused() {
    let e = Env::new();
    let f = e.file(
        "b.jsonl",
        review("R1", "B000000001", "Yael Beauté", 4, "Works well.").as_bytes(),
    );
    e.ok(&["-q", "analyze", p(&f)]);
    let srv = Server::start(&e);
    // The UTF-8 spelling finds the brand; the Latin-1 one is refused, not an empty list.
    let ok = srv.ok("/api/v1/products?brand=Yael+Beaut%C3%A9");
    assert_eq!(ok["meta"]["total"], 1, "{ok}");
    for path in [
        "/api/v1/products?brand=Yael+Beaut%E9",
        "/api/v1/brands?brand=%FF%FE",
        "/api/v1/issues?brand=%C3",
    ] {
        let (status, v) = srv.get(path);
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["error"]["code"], "bad_parameter", "{path}: {v}");
    }
    let (status, v) = srv.get("/api/v1/products?brand=Yael+Beaut%E9");
    assert_eq!(
        (status, &v["error"]["parameter"]),
        (400, &serde_json::json!("brand")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("UTF-8"),
        "{v}"
    );
}

/// Dates no review can have (year 0 or negative, epoch 0 for "missing", 9999-12-31 for
/// "unknown", next year) are rejected with their reason; stored, they opened every trend with a
/// month such as "-0001-0" and became the product's latest review date.
#[test]
fn implausible_review_dates_are_rejected() {
    let e = Env::new();
    let next_year = format!("\"{}-01-01\"", chrono_year() + 1);
    let dates = [
        "\"0000-01-01\"",
        "\"-0001-01-01\"",
        "\"9999-12-31\"",
        "0",
        next_year.as_str(),
        "\"2025-06-01\"",
    ];
    let lines: String = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "{{\"REVIEW_ID\":\"D{i}\",\"CHILD_ASIN\":\"B000000001\",\"CUSTOMER_REVIEW_RATING\":2,\
                 \"CUSTOMER_REVIEW_DESCRIPTION\":\"It leaks, review {i}.\",\"REVIEW_DATE\":{d}}}\n"
            )
        })
        .collect();
    let f = e.file("d.jsonl", lines.as_bytes());
    let o = e.run(&["analyze", p(&f)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1, "{err}");
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 5, "{err}");
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%plausible%'"),
        5
    );
    let product: serde_json::Value =
        serde_json::from_str(&e.ok(&["report", "product", "B000000001", "-f", "json"])).unwrap();
    assert_eq!(product["last_review_date"], "2025-06-01", "{product}");
    let months: Vec<&str> = product["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2025-06"], "{product}");
}

/// This year, from the clock (the test must not age).
fn chrono_year() -> i64 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400;
    // Civil year of a day count (Howard Hinnant's algorithm, the year part).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

/// Exports joined with `cat` keep each one's byte order mark, in the middle of the result: a
/// JSON Lines record after one is read, not rejected as invalid JSON.
#[test]
fn a_byte_order_mark_in_the_middle_of_json_lines_is_skipped() {
    let e = Env::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(review("R1", "B000000001", "Acme", 4, "Works well.").as_bytes());
    bytes.extend(b"\xEF\xBB\xBF");
    bytes.extend(review("R2", "B000000002", "Acme", 2, "Broke.").as_bytes());
    let f = e.file("joined.jsonl", &bytes);
    let o = e.run(&["ingest", p(&f)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2, "{err}");
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 0, "{err}");
}

/// A JSON Lines line longer than 64 MiB is rejected as one record, read past without being held
/// (a gzip of a gigabyte of spaces is a few hundred KiB): the records around it load.
#[test]
fn a_line_longer_than_the_record_cap_is_rejected_and_the_rest_kept() {
    let e = Env::new();
    let mut body = review("R1", "B000000001", "Acme", 4, "Works well.").into_bytes();
    body.extend(b"{\"REVIEW_ID\":\"R2\",\"CHILD_ASIN\":\"B000000002\",\"text\":\"");
    body.extend(std::iter::repeat_n(b'x', 65 << 20));
    body.extend(b"\"}\n");
    body.extend(review("R3", "B000000003", "Acme", 2, "Broke.").into_bytes());
    let f = e.file("long.jsonl", &body);
    drop(body);
    let o = e.run(&["ingest", p(&f)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("2 new") && err.contains("1 rejected"), "{err}");
    assert!(
        err.contains("record 2 (line 2)") && err.contains("64 MiB"),
        "{err}"
    );
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 2);
}

/// A field given twice with different values names the second value once quoted.
#[test]
fn a_repeated_field_quotes_its_second_value_once() {
    let e = Env::new();
    let f = e.file(
        "dup.jsonl",
        b"{\"CHILD_ASIN\":\"B000000001\",\"CHILD_ASIN\":\"B000000009\",\"text\":\"x\"}\n\
          {\"CHILD_ASIN\":\"B000000002\",\"text\":\"y\"}\n",
    );
    let o = e.run(&["ingest", p(&f)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("(the second is \"B000000009\")"), "{err}");
}

/// A workbook, a ZIP or a database given as an export is named for what it is, with what to do;
/// it was read as CSV and failed with "header column 1 is not valid UTF-8".
#[test]
fn files_that_are_no_export_are_named_for_what_they_are() {
    let e = Env::new();
    let mut xlsx = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    xlsx.extend(b"[Content_Types].xml\xff\xfe\x00\x01");
    let cases = [
        ("reviews.xlsx", xlsx.clone(), "ZIP archive"),
        ("reviews.csv", xlsx, "ZIP archive"),
        (
            "old.db",
            b"SQLite format 3\x00\x10\x00\x02\x02".to_vec(),
            "SQLite database",
        ),
        (
            "r.json",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3".to_vec(),
            "PDF document",
        ),
    ];
    for (name, bytes, kind) in cases {
        let f = e.file(name, &bytes);
        let o = e.run(&["ingest", p(&f)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{name}: {err}");
        assert!(err.contains(name) && err.contains(kind), "{name}: {err}");
        assert!(err.contains("not a review export"), "{name}: {err}");
    }
}

/// CSV as Excel writes it where the decimal separator is a comma (German, French, Spanish…): the
/// columns are separated by semicolons. Read by its header, as tab-separated files are; each was
/// one column named "asin;rating;text", so nothing loaded.
#[test]
fn semicolon_and_tab_separated_csv_are_read() {
    let e = Env::new();
    let semi = e.file(
        "de.csv",
        "\u{FEFF}asin;rating;title;text\r\n\
         B000000001;2;\"Gut; aber\";\"Deckel undicht, leider.\"\r\n\
         B000000002;5;Super;Alles bestens, gerne wieder.\r\n"
            .as_bytes(),
    );
    let tab = e.file(
        "fr.csv",
        b"asin\trating\ttext\nB000000003\t4\tBien, merci\n",
    );
    for f in [&semi, &tab] {
        let o = e.run(&["ingest", p(f)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 3);
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 0);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE title = 'Gut; aber' AND body = 'Deckel undicht, leider.' AND rating = 2"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE asin = 'B000000003' AND body = 'Bien, merci'"),
        1
    );
}

/// A directory given as the database is named as one by every command, not "disk I/O error".
#[test]
fn a_directory_given_as_the_database_is_named() {
    let e = Env::new();
    let dir = e.dir.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let export = e.file(
        "r.jsonl",
        review("R1", "B000000001", "Acme", 4, "Fine.").as_bytes(),
    );
    for args in [
        vec!["report"],
        vec!["check"],
        vec!["ingest", p(&export)],
        vec!["analyze"],
    ] {
        let o = std::process::Command::new(BIN)
            .arg("--db")
            .arg(&dir)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?}: {err}");
        assert!(err.contains("is a directory"), "{args:?}: {err}");
    }
}

/// A database in a directory that does not exist: writers named SQLite's "unable to open database
/// file"; now the missing directory is named, and nothing is created.
#[test]
fn a_database_in_a_missing_directory_names_the_directory() {
    let e = Env::new();
    let export = e.file(
        "r.jsonl",
        review("R1", "B000000001", "Acme", 4, "Fine.").as_bytes(),
    );
    let db = e.dir.path().join("no-such-dir").join("x.db");
    for args in [vec!["ingest", p(&export)], vec!["analyze", p(&export)]] {
        let o = std::process::Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no-such-dir") && err.contains("does not exist"),
            "{args:?}: {err}"
        );
    }
    assert!(!e.dir.path().join("no-such-dir").exists());
}

/// Scraped exports copy the rating as Amazon's pages print it, in the marketplace's language and
/// decimal comma; those reviews are read with their stars, and a half star or another scale is
/// still a rejected record with its reason.
#[test]
fn ratings_printed_as_amazon_pages_print_them_are_read() {
    let e = Env::new();
    let csv = "asin,rating,title,text\n\
        B000000001,5.0 out of 5 stars,Great,Works well\n\
        B000000001,\"1,0 von 5 Sternen\",Schlecht,Geht nicht\n\
        B000000001,\"3,0 sur 5 étoiles\",Bof,Moyen\n\
        B000000001,5つ星のうち2.0,微妙,壊れた\n\
        B000000001,4.5 out of 5 stars,Half,Half a star\n\
        B000000001,8 out of 10 stars,Ten,Another scale\n";
    let f = e.file("scraped.csv", csv.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    let stars: Vec<i64> = {
        let rows: serde_json::Value =
            serde_json::from_str(&e.ok(&["report", "reviews", "--format", "json"])).unwrap();
        let mut s: Vec<i64> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rating"].as_i64().unwrap())
            .collect();
        s.sort();
        s
    };
    assert_eq!(stars, vec![1, 2, 3, 5]);
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 2);
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%4.5 out of 5 stars%'"),
        1
    );
}

/// Scraped exports copy the date line of Amazon's page in the marketplace's language; those
/// reviews keep their dates (they were rejected), and an unknown month is still a rejected record.
#[test]
fn review_dates_printed_as_amazon_pages_print_them_are_read() {
    let e = Env::new();
    let csv = "asin,rating,text,date\n\
        B000000001,5,Works well,\"Reviewed in the United States on March 5, 2024\"\n\
        B000000001,1,Geht nicht,Rezension aus Deutschland vom 6. März 2024\n\
        B000000001,2,Cassé,Commenté en France le 7 mars 2024\n\
        B000000001,3,Regular,\"Revisado en España el 8 de marzo de 2024\"\n\
        B000000001,2,壊れた,2024年3月9日に日本でレビュー済み\n\
        B000000001,4,Fine,Reviewed on Smarch 5 2024\n";
    let f = e.file("scraped.csv", csv.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(
        e.count(
            "SELECT count(*) FROM reviews WHERE review_date BETWEEN '2024-03-05' AND '2024-03-09'"
        ),
        5
    );
    assert_eq!(
        e.count("SELECT count(DISTINCT review_date) FROM reviews"),
        5
    );
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%Smarch%'"),
        1
    );
}

/// The McAuley Amazon review datasets (2014: `reviewTime` "02 9, 2014" beside `unixReviewTime`;
/// 2023: `timestamp` in milliseconds) load with their dates instead of being rejected.
#[test]
fn mcauley_amazon_dataset_records_load_with_their_dates() {
    let e = Env::new();
    let jsonl = concat!(
        r#"{"reviewerID":"A1","asin":"B000000001","reviewText":"Broke in a week.","overall":1.0,"summary":"Bad","unixReviewTime":1391904000,"reviewTime":"02 9, 2014"}"#,
        "\n",
        r#"{"rating":5.0,"title":"Great","text":"Works well.","asin":"B000000001","parent_asin":"B000000009","user_id":"U2","timestamp":1588687728923}"#,
        "\n"
    );
    let f = e.file("mcauley.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM rejected_records"), 0);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE review_date LIKE '2014-02-09%'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE review_date LIKE '2020-05-05%'"),
        1
    );
}

/// A CSV cell is text, so epoch seconds or milliseconds in a CSV (`unixReviewTime` of a McAuley
/// dataset saved by pandas) arrive as digits in a string: they are dates, as in JSON, not rejected
/// records; digits that are no plausible epoch still name the field.
#[test]
fn epoch_dates_written_as_text_are_read() {
    let e = Env::new();
    let csv = "asin,rating,text,unixReviewTime\n\
        B000000001,5,Works well,1391904000\n\
        B000000001,1,Broke,1588687728923\n\
        B000000001,2,Odd,99999999999999999999999\n";
    let f = e.file("mcauley.csv", csv.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE review_date LIKE '2014-02-09%'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE review_date LIKE '2020-05-05%'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE 'unixReviewTime %'"),
        1
    );
}

/// A Japanese date line's year is the whole number before 年: "12024年3月5日" is no 2024 date
/// (it was stored as 2024-03-05, its year's last four digits).
#[test]
fn a_japanese_year_of_five_digits_is_not_cut_to_four() {
    let e = Env::new();
    let csv = "asin,rating,text,date\n\
        B000000001,5,Works well,12024年3月5日に日本でレビュー済み\n\
        B000000001,4,Fine,2024年3月6日に日本でレビュー済み\n";
    let f = e.file("ja.csv", csv.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 1);
    assert_eq!(
        e.count("SELECT count(*) FROM reviews WHERE review_date = '2024-03-06'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM rejected_records WHERE reason LIKE '%12024%'"),
        1
    );
}

/// A scraped page's text keeps its no-break spaces: "4.0 out of 5 stars" with U+00A0 between the
/// words is a rating of 4 (it was rejected: only "out of" with an ASCII space was read).
#[test]
fn a_rating_line_with_no_break_spaces_is_read() {
    let e = Env::new();
    let csv = "asin,rating,text\n\
        B000000001,4.0\u{a0}out\u{a0}of\u{a0}5\u{a0}stars,Fine\n";
    let f = e.file("nbsp.csv", csv.as_bytes());
    e.ok(&["-q", "ingest", p(&f)]);
    assert_eq!(e.count("SELECT count(*) FROM reviews WHERE rating = 4"), 1);
}

/// `prune` beside a running `ingest` waits for the writer, as every other command does; it
/// sometimes failed at once with "database c.db: database is locked" (exit 1, 0.00 s).
#[test]
fn prune_waits_for_a_running_ingest() {
    let e = Env::new();
    let mut rows = String::new();
    for i in 0..20_000 {
        rows.push_str(&review(
            &format!("R{i}"),
            "B000000001",
            "Acme",
            4,
            "Works well",
        ));
    }
    let f = e.file("big.jsonl", rows.as_bytes());
    e.ok(&["-q", "analyze", p(&sample())]);
    for _ in 0..5 {
        let mut ingest = std::process::Command::new(BIN)
            .arg("--db")
            .arg(e.db())
            .args(["-q", "ingest", p(&f)])
            .spawn()
            .unwrap();
        while ingest.try_wait().unwrap().is_none() {
            e.ok(&["-q", "prune", "--keep-runs", "1"]);
        }
    }
}

/// A text filter of NUL alone is refused as a blank one is: SQLite's LIKE ends a pattern at NUL, so
/// `q=%00` matched every product (a command line cannot carry NUL).
#[test]
fn a_nul_text_filter_is_refused_not_a_match_for_everything() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let srv = Server::start(&e);
    for q in ["q=%00", "brand=%00", "marketplace=%00%20"] {
        let (status, v) = srv.get(&format!("/api/v1/products?{q}"));
        assert_eq!(status, 400, "{q}: {v}");
        assert_eq!(v["error"]["code"], "bad_parameter", "{q}: {v}");
    }
}
