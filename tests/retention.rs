//! Disk: `check` says what snapshots cost, `prune --keep-runs N` deletes the old runs' snapshots
//! (keeping the newest N, the last run of each month and the runs alerts compare with) without
//! changing any current figure or the monthly trend, and `--vacuum` gives the space back.

mod common;

use common::{p, Env};
use serde_json::{json, Value};

/// One run's new reviews: `neg` one-star leak reviews and `pos` five-star ones per product, dated.
fn export(tag: &str, neg: u32, pos: u32) -> String {
    let mut out = String::new();
    for asin in ["B0PRUNE001", "B0PRUNE002"] {
        for i in 0..neg + pos {
            let (rating, text) = if i < neg {
                (
                    1,
                    format!("It leaks everywhere, water all over the counter ({tag}{i})."),
                )
            } else {
                (5, format!("Great product, works perfectly ({tag}{i})."))
            };
            let r = json!({
                "REVIEW_ID": format!("R{tag}{asin}{i}"), "CHILD_ASIN": asin, "PRODUCT_BRAND": "Pruned",
                "CUSTOMER_REVIEW_RATING": rating, "CUSTOMER_REVIEW_TITLE": "Review",
                "CUSTOMER_REVIEW_DESCRIPTION": text,
                "REVIEW_DATE": format!("2026-0{}-15", 1 + tag.len() % 5),
            });
            out.push_str(&format!("{r}\n"));
        }
    }
    out
}

/// Five analyze runs, each with new reviews; runs 1 and 2 dated to an earlier month.
fn five_runs() -> Env {
    let e = Env::new();
    for (k, tag) in ["a", "bb", "ccc", "dddd", "eeeee"].iter().enumerate() {
        let f = e.file(
            &format!("{tag}.jsonl"),
            export(tag, 1 + k as u32, 3).as_bytes(),
        );
        e.ok(&["analyze", p(&f), "-q"]);
    }
    let c = rusqlite::Connection::open(e.db()).unwrap();
    c.execute(
        "UPDATE analysis_runs SET started_at = '2025-11-0' || id || 'T00:00:00Z' WHERE id <= 2",
        [],
    )
    .unwrap();
    e
}

fn snapshot_runs(e: &Env, table: &str) -> Vec<i64> {
    let c = rusqlite::Connection::open(e.db()).unwrap();
    let mut st = c
        .prepare(&format!("SELECT DISTINCT run_id FROM {table} ORDER BY 1"))
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn json_of(e: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&e.ok(args)).unwrap()
}

#[test]
fn prune_keeps_the_newest_runs_each_months_last_and_alert_bases_and_changes_no_figure() {
    let e = five_runs();
    assert_eq!(snapshot_runs(&e, "product_snapshots"), [1, 2, 3, 4, 5]);
    let base: i64 = e.count("SELECT alert_base_run FROM analysis_runs WHERE id = 5");
    assert_eq!(base, 4);
    let views: [&[&str]; 4] = [
        &["report", "products", "-f", "json"],
        &["report", "brands", "-f", "json"],
        &["report", "changes", "-f", "json"],
        &["report", "issues", "-f", "json"],
    ];
    let before: Vec<Value> = views.iter().map(|v| json_of(&e, v)).collect();
    let product_before = json_of(&e, &["report", "product", "B0PRUNE001", "-f", "json"]);

    let out = e.run(&["prune", "--keep-runs", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // Run 5 (newest), 4 (its alerts' base), 2 (last of 2025-11); 1 and 3 go.
    assert!(
        err.contains("deleted the snapshots of 2 runs (4 product rows, 2 brand rows)"),
        "{err}"
    );
    assert_eq!(snapshot_runs(&e, "product_snapshots"), [2, 4, 5]);
    assert_eq!(snapshot_runs(&e, "brand_snapshots"), [2, 4, 5]);

    // Every current figure, the changes since the last run and the monthly trend are unchanged;
    // the brands' run-by-run history keeps the kept runs.
    let mut after: Vec<Value> = views.iter().map(|v| json_of(&e, v)).collect();
    let brand_runs = |v: &mut Value| -> Vec<i64> {
        let h = v[0]["history"].take();
        (h.as_array().unwrap().iter())
            .map(|x| x["run_id"].as_i64().unwrap())
            .collect()
    };
    let mut before = before;
    assert_eq!(brand_runs(&mut before[1]), [1, 2, 3, 4, 5]);
    assert_eq!(brand_runs(&mut after[1]), [2, 4, 5]);
    assert_eq!(before, after);
    let mut product_after = json_of(&e, &["report", "product", "B0PRUNE001", "-f", "json"]);
    assert_eq!(product_before["trend"], product_after["trend"]);
    assert!(product_after["trend"]
        .as_array()
        .is_some_and(|m| m.len() == 5));
    // The run-by-run history keeps the kept runs' points, with the same figures.
    let runs = |h: &Value| -> Vec<i64> {
        h.as_array()
            .unwrap()
            .iter()
            .map(|x| x["run_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(runs(&product_before["history"]), [1, 2, 3, 4, 5]);
    assert_eq!(runs(&product_after["history"]), [2, 4, 5]);
    let kept: Vec<Value> = (product_before["history"].as_array().unwrap().iter())
        .filter(|h| [2, 4, 5].contains(&h["run_id"].as_i64().unwrap()))
        .cloned()
        .collect();
    assert_eq!(product_after["history"].take(), Value::Array(kept));

    // A second prune with the same N has nothing left to delete.
    let again = e.run(&["prune", "--keep-runs", "1"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("snapshots of 0 runs"));
}

#[test]
fn check_reports_snapshot_space_and_vacuum_gives_it_back() {
    let e = Env::new();
    // Enough products that snapshots take pages of their own.
    for tag in ["a", "bb", "ccc", "dddd"] {
        let mut s = String::new();
        for i in 0..400 {
            let r = json!({
                "REVIEW_ID": format!("R{tag}{i}"), "CHILD_ASIN": format!("B0{i:08}"),
                "PRODUCT_BRAND": "Big", "CUSTOMER_REVIEW_RATING": 1 + i % 5,
                "CUSTOMER_REVIEW_DESCRIPTION": format!("The lid leaks after {i} days ({tag})"),
            });
            s.push_str(&format!("{r}\n"));
        }
        let f = e.file(&format!("{tag}.jsonl"), s.as_bytes());
        e.ok(&["analyze", p(&f), "-q"]);
    }
    let check = json_of(&e, &["check", "--quick", "-f", "json"]);
    let space = &check["space"];
    assert_eq!(space["snapshot_runs"], 4);
    let snap = space["snapshot_bytes"].as_i64().unwrap();
    assert!(snap > 0, "{space}");
    assert_eq!(
        space["bytes_per_review"].as_i64().unwrap(),
        space["used_bytes"].as_i64().unwrap() / 1600
    );
    let tables: Vec<&str> = (space["tables"].as_array().unwrap().iter())
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert!(
        tables.contains(&"product_snapshot_spans") && tables.contains(&"reviews"),
        "{tables:?}"
    );
    let text = e.ok(&["check", "--quick"]);
    assert!(text.contains("of snapshots from 4 runs"), "{text}");

    let size = || std::fs::metadata(e.db()).unwrap().len();
    let before = size();
    let out = e.run(&["prune", "--keep-runs", "1", "--vacuum"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("vacuumed"));
    assert!(size() < before, "{} !< {before}", size());
    let after = json_of(&e, &["check", "--quick", "-f", "json"]);
    assert_eq!(after["problems"], check["problems"]);
    assert_eq!(after["space"]["snapshot_runs"], 2);
    assert!(after["space"]["snapshot_bytes"].as_i64().unwrap() < snap);
    assert_eq!(after["space"]["free_bytes"], 0);
}

#[test]
fn keep_runs_must_be_at_least_one() {
    let e = Env::new();
    let out = e.run(&["prune", "--keep-runs", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
