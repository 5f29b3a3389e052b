//! An incremental night (issue 19): `analyze` rolls up again only the products whose reviews
//! changed since the run of the current insights, and every view then equals what a full roll-up
//! of the same database writes.

mod common;

use std::collections::BTreeMap;

use common::{p, sample, Env, Server};
use serde_json::{json, Value};

/// The sample export's records by ASIN.
fn records() -> BTreeMap<String, Vec<Value>> {
    let text = std::fs::read_to_string(sample().join("export-2-2026-q1.jsonl")).unwrap();
    let mut by: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let asin = v["CHILD_ASIN"].as_str().unwrap().to_string();
        by.entry(asin).or_default().push(v);
    }
    by
}

fn jsonl(rows: &[Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

/// The night's files: new reviews of two products (one undated), an edit of a third's review,
/// a snapshot of a fourth without one of its reviews, and an edit that moves a fifth's review to
/// the first product. Returns (night, snapshot, the five).
fn night(by: &BTreeMap<String, Vec<Value>>) -> (Vec<u8>, Vec<u8>, [String; 5]) {
    let asins: Vec<&String> = by.keys().collect();
    let four = [0, 5, 10, 20, 25].map(|i| asins[i].clone());
    let mut rows = Vec::new();
    for (i, r) in by[&four[0]].iter().take(3).enumerate() {
        let mut x = r.clone();
        x["REVIEW_ID"] = json!(format!("RNEW{i}"));
        x["CUSTOMER_REVIEW_RATING"] = json!(1);
        x["CUSTOMER_REVIEW_DESCRIPTION"] =
            json!("It broke after a week and the lid leaks. Stopped working.");
        rows.push(x);
    }
    let mut undated = by[&four[1]][0].clone();
    undated["REVIEW_ID"] = json!("RNEW9");
    undated.as_object_mut().unwrap().remove("REVIEW_DATE");
    undated["CUSTOMER_REVIEW_DESCRIPTION"] = json!("Love the battery life, great value.");
    rows.push(undated);
    let mut edit = by[&four[2]][0].clone();
    edit["CUSTOMER_REVIEW_RATING"] = json!(1);
    edit["CUSTOMER_REVIEW_DESCRIPTION"] = json!("Edited: it stopped working after two days.");
    rows.push(edit);
    let mut moved = by[&four[4]][0].clone();
    moved["CHILD_ASIN"] = json!(four[0]);
    moved["CUSTOMER_REVIEW_DESCRIPTION"] = json!("Moved here, and it leaks.");
    rows.push(moved);
    (jsonl(&rows), jsonl(&by[&four[3]][1..]), four)
}

/// A database with the sample export analyzed, then the night ingested (not analyzed yet).
fn after_night(by: &BTreeMap<String, Vec<Value>>) -> Env {
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
    e.ok(&["-q", "analyze"]);
    let (n, snap, _) = night(by);
    e.ok(&["-q", "ingest", p(&e.file("night.jsonl", &n))]);
    e.ok(&[
        "-q",
        "ingest",
        "--snapshot",
        p(&e.file("snapshot.jsonl", &snap)),
    ]);
    e
}

/// `analyze`'s stderr.
fn analyze(e: &Env, args: &[&str]) -> String {
    let o = e.run(&[&["analyze"], args].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stderr).unwrap()
}

/// The value without what differs between two runs of the same work: times and durations.
fn strip(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| !(k == "at" || k.ends_with("_at") || k.starts_with("duration")))
                .map(|(k, v)| (k, strip(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip).collect()),
        v => v,
    }
}

/// Every view a person or program reads, as JSON, times stripped.
fn views(e: &Env, asins: &[String]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut report = |name: String, args: Vec<&str>| {
        let text = e.ok(&[&["report"], &args[..], &["--format", "json"]].concat());
        out.insert(name, strip(serde_json::from_str(&text).unwrap()));
    };
    report("overview".into(), vec![]);
    for view in ["products", "brands", "issues", "liked", "changes"] {
        report(view.into(), vec![view]);
    }
    report("liked by brand".into(), vec!["liked", "--by-brand"]);
    report("window".into(), vec!["products", "--since", "2025-06-01"]);
    for a in asins {
        report(format!("product {a}"), vec!["product", a]);
    }
    let s = Server::start(e);
    let mut paths = vec![
        "/api/v1/products".to_string(),
        "/api/v1/products?sort=trend".into(),
        "/api/v1/brands".into(),
        "/api/v1/issues".into(),
        "/api/v1/overview".into(),
        "/api/v1/changes".into(),
    ];
    for a in asins {
        paths.push(format!("/api/v1/products/{a}"));
        paths.push(format!("/api/v1/products/{a}/insights"));
    }
    for path in paths {
        let (status, body) = s.get(&path);
        assert_eq!(status, 200, "{path}: {body}");
        out.insert(path, strip(body));
    }
    out
}

/// The stored insight tables, row by row (run ids included: both databases ran the same runs).
fn tables(e: &Env) -> BTreeMap<String, Vec<String>> {
    let c = rusqlite::Connection::open(e.db()).unwrap();
    let mut out = BTreeMap::new();
    for t in [
        "product_insights",
        "product_details",
        "product_issues",
        "product_months",
        "product_snapshots",
        "product_days",
        "product_day_issues",
        "product_day_liked",
        "product_day_aspects",
        "product_day_slices",
        "product_rollups",
        "brand_insights",
        "brand_snapshots",
        "brand_breakdowns",
        "brand_liked",
        "brand_days",
        "brand_day_issues",
        "brand_day_liked",
        "brand_day_aspects",
        "brand_day_slices",
        "brand_month_slices",
        "alerts",
    ] {
        let mut st = c.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(cells.join("|"))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.sort();
        out.insert(t.to_string(), rows);
    }
    out
}

#[test]
fn an_incremental_night_equals_a_full_roll_up() {
    let by = records();
    let (_, _, four) = night(&by);
    let incremental = after_night(&by);
    let full = after_night(&by);
    let spans = "SELECT count(*) FROM product_snapshot_spans";
    let before = incremental.count(spans);
    let said = analyze(&incremental, &[]);
    assert!(
        said.contains("rolled up 5 of 36 products (changed since run 1)"),
        "{said}"
    );
    // Only the products rolled up get a snapshot row (one moved review leaves its product: 5
    // rolled up, all still current); the 31 others' spans go on to this run.
    assert_eq!(incremental.count(spans), before + 5);
    assert_eq!(
        incremental.count("SELECT count(*) FROM product_snapshots WHERE run_id = 2"),
        36
    );
    // --full analyzes every text again (the offline analyzer gives the same results) and rolls
    // every product up: what the incremental run must equal.
    let said = analyze(&full, &["--full"]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
    // The night raised an alert (three new one-star reviews): alerts are compared too.
    let alerts = incremental.count("SELECT count(*) FROM alerts WHERE run_id = 2");
    assert!(alerts > 0, "the night raises an alert");
    let unchanged = by.keys().nth(30).unwrap().clone();
    let asins: Vec<String> = four.iter().cloned().chain([unchanged]).collect();
    let (a, b) = (views(&incremental, &asins), views(&full, &asins));
    for (name, v) in &a {
        assert_eq!(Some(v), b.get(name), "{name} differs");
    }
    let (a, b) = (tables(&incremental), tables(&full));
    for (t, rows) in &a {
        assert!(!rows.is_empty(), "{t} is empty");
        assert_eq!(rows, &b[t], "{t} differs");
    }
    // A second night on both: the one the first night changed is now the base.
    for e in [&incremental, &full] {
        let mut r = by[&four[1]][1].clone();
        r["REVIEW_ID"] = json!("RNEXT");
        e.ok(&["-q", "ingest", p(&e.file("next.jsonl", &jsonl(&[r])))]);
    }
    let said = analyze(&incremental, &[]);
    assert!(
        said.contains("rolled up 1 of 36 products (changed since run 2)"),
        "{said}"
    );
    analyze(&full, &["--full"]);
    assert_eq!(tables(&incremental), tables(&full));
    assert_eq!(views(&incremental, &asins), views(&full, &asins));
}

/// What a full roll-up needs is never taken from a run that left something undone, nor from
/// one whose kept products' snapshots are gone.
#[test]
fn an_unfinished_base_or_missing_snapshots_roll_every_product_up() {
    let by = records();
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
    e.ok(&["-q", "analyze"]);
    let c = rusqlite::Connection::open(e.db()).unwrap();
    let night = |name: &str, id: &str| {
        let mut r = by.values().next().unwrap()[0].clone();
        r["REVIEW_ID"] = json!(id);
        e.ok(&["-q", "ingest", p(&e.file(name, &jsonl(&[r])))]);
    };
    // A run that failed on a text: the next one rolls everything up.
    c.execute("UPDATE analysis_runs SET texts_failed = 1 WHERE id = 1", [])
        .unwrap();
    night("a.jsonl", "RA");
    let said = analyze(&e, &[]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
    // Then incremental again.
    night("b.jsonl", "RB");
    let said = analyze(&e, &[]);
    assert!(
        said.contains("rolled up 1 of 36 products (changed since run 2)"),
        "{said}"
    );
    // The base run's snapshots pruned away: every product again.
    c.execute("DELETE FROM product_snapshot_runs WHERE run_id = 3", [])
        .unwrap();
    night("c.jsonl", "RC");
    let said = analyze(&e, &[]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
    // A run that was interrupted after the base run.
    c.execute(
        "INSERT INTO analysis_runs (started_at, status, analyzer, analyzer_version,
             taxonomy_version, schema_version)
         SELECT started_at, 'interrupted', analyzer, analyzer_version, taxonomy_version,
             schema_version FROM analysis_runs WHERE id = 4",
        [],
    )
    .unwrap();
    night("d.jsonl", "RD");
    let said = analyze(&e, &[]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
}

#[test]
fn a_night_with_nothing_changed_rolls_up_nothing() {
    let by = records();
    let e = Env::new();
    let twin = Env::new();
    for x in [&e, &twin] {
        x.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
        x.ok(&["-q", "analyze"]);
        // A file whose one review is already stored as it is: a new ingest run, nothing changed.
        let first = by.values().next().unwrap()[0].clone();
        x.ok(&["-q", "ingest", p(&x.file("same.jsonl", &jsonl(&[first])))]);
    }
    let said = analyze(&e, &[]);
    assert!(
        said.contains("rolled up 0 of 36 products (changed since run 1)"),
        "{said}"
    );
    analyze(&twin, &["--full"]);
    assert_eq!(tables(&e), tables(&twin));
    // Without any ingest since, the run changes nothing at all.
    let said = analyze(&e, &[]);
    assert!(said.contains("nothing new since run 2"), "{said}");
}

#[test]
fn changed_topics_roll_every_product_up() {
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
    e.ok(&["-q", "analyze"]);
    let topics = e.file(
        "topics.toml",
        b"[[topic]]\ncode = \"lid_leaks\"\nlabel = \"Lid leaks\"\nphrases.en = [\"lid leaks\"]\n",
    );
    let said = analyze(&e, &["--topics", p(&topics)]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
    // The same topics again, after a new review: incremental under the new definitions.
    let by = records();
    let mut r = by.values().next().unwrap()[0].clone();
    r["REVIEW_ID"] = json!("RTOPIC");
    e.ok(&["-q", "ingest", p(&e.file("n.jsonl", &jsonl(&[r])))]);
    let said = analyze(&e, &["--topics", p(&topics)]);
    assert!(
        said.contains("rolled up 1 of 36 products (changed since run 2)"),
        "{said}"
    );
    // And back to the built-in taxonomy: every product again.
    let said = analyze(&e, &[]);
    assert!(said.contains("rolled up 36 of 36 products\n"), "{said}");
}

#[test]
fn a_product_whose_brand_changed_is_rolled_up_again() {
    let by = records();
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
    e.ok(&["-q", "analyze"]);
    let (asin, rows) = by.iter().nth(7).unwrap();
    let mut r = rows[0].clone();
    r["PRODUCT_BRAND"] = json!("Renamed Brand");
    e.ok(&["-q", "ingest", p(&e.file("brand.jsonl", &jsonl(&[r])))]);
    let said = analyze(&e, &[]);
    assert!(said.contains("rolled up 1 of 36 products"), "{said}");
    let product: Value =
        serde_json::from_str(&e.ok(&["report", "product", asin, "--format", "json"])).unwrap();
    assert_eq!(product["brand"], "Renamed Brand", "{product}");
    let brands = e.ok(&["report", "brands", "--format", "json"]);
    assert!(brands.contains("Renamed Brand"), "{brands}");
}

/// A night on which a product loses every review (each moved to another product by an edit) and
/// another product changes only some of its days: the brands' per-day sums, changed by what the
/// products' days changed, equal a full roll-up's.
#[test]
fn a_product_left_without_reviews_leaves_its_brands_days() {
    let by = records();
    let (gone, rows) = (by.iter())
        .filter(|(_, rows)| rows.len() > 1)
        .min_by_key(|(_, rows)| rows.len())
        .unwrap();
    let (to, _) = by.iter().find(|(a, _)| *a != gone).unwrap();
    let mut night: Vec<Value> = rows.clone();
    for r in &mut night {
        r["CHILD_ASIN"] = json!(to);
    }
    let (e, twin) = (Env::new(), Env::new());
    for x in [&e, &twin] {
        x.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
        x.ok(&["-q", "analyze"]);
        x.ok(&["-q", "ingest", p(&x.file("night.jsonl", &jsonl(&night)))]);
    }
    let said = analyze(&e, &[]);
    // A night (not a full roll-up): the product left with no review is no longer counted.
    assert!(
        said.contains("rolled up 1 of 35 products (changed since run 1)"),
        "{said}"
    );
    let left = format!("SELECT count(*) FROM product_days WHERE asin = '{gone}'");
    assert_eq!(e.count(&left), 0);
    analyze(&twin, &["--full"]);
    assert_eq!(tables(&e), tables(&twin));
    // The product left with none has no view of its own (`report product` says why).
    let asins = [to.clone()];
    assert_eq!(views(&e, &asins), views(&twin, &asins));
}

/// A review whose only change is its marketplace or its brand is an edit (its breakdowns move, a
/// version is kept) whose text is not analyzed again; the night equals a full roll-up.
#[test]
fn a_review_whose_marketplace_or_brand_changed_is_an_edit() {
    let by = records();
    let (asin, rows) = by.iter().next().unwrap();
    let mut moved = rows[0].clone();
    moved["MARKETPLACE"] = json!("amazon.co.jp");
    let other = by.values().nth(3).unwrap();
    let mut rebranded = other[0].clone();
    rebranded["PRODUCT_BRAND"] = json!("Relabelled Brand");
    let night = jsonl(&[moved.clone(), rebranded.clone()]);
    let (e, twin) = (Env::new(), Env::new());
    for x in [&e, &twin] {
        x.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
        x.ok(&["-q", "analyze"]);
        let said = x.run(&["ingest", p(&x.file("night.jsonl", &night))]);
        let said = String::from_utf8_lossy(&said.stderr).to_string();
        assert!(said.contains("2 updated"), "{said}");
    }
    let id = moved["REVIEW_ID"].as_str().unwrap();
    let sql = |col: &str, id: &str| {
        format!("SELECT count(*) FROM reviews WHERE source_review_id = '{id}' AND {col}")
    };
    assert_eq!(e.count(&sql("marketplace = 'amazon.co.jp'", id)), 1);
    let rid = rebranded["REVIEW_ID"].as_str().unwrap();
    assert_eq!(e.count(&sql("brand = 'Relabelled Brand'", rid)), 1);
    // Kept in history like other edits; the text is the same, so its result is reused.
    assert_eq!(e.count("SELECT count(*) FROM review_versions"), 2);
    let said = analyze(&e, &[]);
    assert!(said.contains(" 0 texts analyzed"), "{said}");
    assert!(
        said.contains("rolled up 2 of 36 products (changed since run 1)"),
        "{said}"
    );
    let product: Value =
        serde_json::from_str(&e.ok(&["report", "product", asin, "--format", "json"])).unwrap();
    let by_market = product["breakdowns"]["by_marketplace"].as_array().unwrap();
    let jp = by_market.iter().find(|m| m["key"] == "amazon.co.jp");
    assert_eq!(
        jp.map(|m| m["reviews"].clone()),
        Some(json!(1)),
        "{product}"
    );
    // The same records again (in another order, so the file is read) change nothing.
    let again = jsonl(&[rebranded, moved]);
    let said = e.run(&["ingest", p(&e.file("again.jsonl", &again))]);
    let said = String::from_utf8_lossy(&said.stderr).to_string();
    assert!(said.contains("2 unchanged"), "{said}");
    analyze(&twin, &["--full"]);
    assert_eq!(tables(&e), tables(&twin));
    let asins = [
        asin.clone(),
        other[0]["CHILD_ASIN"].as_str().unwrap().into(),
    ];
    assert_eq!(views(&e, &asins), views(&twin, &asins));
}

/// A night that keeps most products keeps SQLite's statistics (ANALYZE reads every product's row
/// and index entry) while the number of products is within a tenth of what they counted; beyond
/// that it gathers them again.
#[test]
fn a_night_keeps_the_statistics_unless_the_products_grew() {
    let by = records();
    let e = Env::new();
    e.ok(&["-q", "ingest", p(&sample().join("export-2-2026-q1.jsonl"))]);
    e.ok(&["-q", "analyze"]);
    let c = rusqlite::Connection::open(e.db()).unwrap();
    let stat = || -> String {
        c.query_row(
            "SELECT stat FROM sqlite_stat1 WHERE idx = 'product_insights_brand'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let analyzed = stat();
    assert!(analyzed.starts_with("36 "), "{analyzed}");
    let night = |id: &str| {
        let mut r = by.values().next().unwrap()[0].clone();
        r["REVIEW_ID"] = json!(id);
        e.ok(&[
            "-q",
            "ingest",
            p(&e.file(&format!("{id}.jsonl"), &jsonl(&[r]))),
        ]);
        let said = analyze(&e, &[]);
        assert!(said.contains("rolled up 1 of 36 products ("), "{said}");
    };
    // Marked: a night that gathered statistics again would overwrite the mark.
    c.execute(
        "UPDATE sqlite_stat1 SET stat = '34 7' WHERE idx = 'product_insights_brand'",
        [],
    )
    .unwrap();
    night("RS1");
    assert_eq!(stat(), "34 7");
    // Counted 30 of 36 products: more than a tenth off, gathered again.
    c.execute(
        "UPDATE sqlite_stat1 SET stat = '30 7' WHERE tbl = 'product_insights'",
        [],
    )
    .unwrap();
    night("RS2");
    assert_eq!(stat(), analyzed);
}
