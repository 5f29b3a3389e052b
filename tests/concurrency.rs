//! Several processes on one database: analyze runs one at a time, ingests into a brand-new database
//! all succeed, a killed analyze is marked interrupted, and one bad text does not sink a run.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const EXIT_BUSY: i32 = 5;

/// `n` reviews of `products` products, each with a text of its own (so each is analyzed once).
fn reviews(n: usize, products: usize, tag: &str) -> Vec<u8> {
    let words = [
        "great",
        "terrible",
        "lid",
        "leaks",
        "broke",
        "after",
        "a",
        "week",
        "works",
        "perfectly",
        "value",
        "cheap",
        "plastic",
        "smells",
        "strong",
        "straps",
        "battery",
        "died",
        "love",
        "it",
    ];
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        let mut text = String::new();
        for _ in 0..14 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.push_str(words[(x % words.len() as u64) as usize]);
            text.push(' ');
        }
        writeln!(
            out,
            "{{\"REVIEW_ID\":\"{tag}{i}\",\"asin\":\"B{:05}\",\"brand\":\"Brand{}\",\"rating\":{},\"text\":\"{text}number {tag}{i}\"}}",
            i % products,
            i % 3,
            1 + i % 5
        )
        .unwrap();
    }
    out
}

fn spawn(e: &Env, args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child, returning its exit code and stderr.
fn finish(mut c: Child) -> (Option<i32>, String) {
    let mut err = String::new();
    c.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = c.wait().unwrap();
    (status.code(), err)
}

fn runs(e: &Env) -> Vec<Value> {
    serde_json::from_str(&e.ok(&["report", "runs", "-f", "json"])).unwrap()
}

fn lock_path(e: &Env) -> std::path::PathBuf {
    let mut p = e.db().into_os_string();
    p.push(".analyze.lock");
    p.into()
}

/// Polls until `sql` (a count) is positive, or panics after `secs`.
fn wait_for(e: &Env, sql: &str, secs: u64) {
    let start = Instant::now();
    loop {
        if e.db().exists() {
            if let Ok(c) = rusqlite::Connection::open(e.db()) {
                if c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0) > 0 {
                    return;
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out: {sql}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn two_analyze_runs_at_once_do_the_work_once() {
    let e = Env::new();
    let f = e.file("r.jsonl", &reviews(3000, 60, "R"));
    e.ok(&["ingest", p(&f)]);
    let a = spawn(&e, &["analyze"]);
    let b = spawn(&e, &["analyze"]);
    let (ca, ea) = finish(a);
    let (cb, eb) = finish(b);
    assert_eq!((ca, cb), (Some(0), Some(0)), "{ea}\n{eb}");
    let runs = runs(&e);
    let analyzed: i64 = runs
        .iter()
        .map(|r| r["reviews_analyzed"].as_i64().unwrap())
        .sum();
    assert_eq!(analyzed, 3000, "the work of one run, not two: {runs:?}");
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE status = 'ok'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE status = 'unchanged'"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM product_snapshots"),
        60,
        "one set of snapshots"
    );
    let log = format!("{ea}{eb}");
    // (The pid in it is checked where the holder is known: below.)
    assert!(log.contains("waiting for another analyze of"), "{log}");
    assert_eq!(log.matches("waiting for another analyze").count(), 1);
    assert!(log.contains("nothing new"), "{log}");
}

#[test]
fn analyze_waits_for_the_lock_holder_and_no_wait_exits_busy() {
    let e = Env::new();
    let f = e.file("r.jsonl", &reviews(200, 10, "R"));
    e.ok(&["ingest", p(&f)]);
    // Another analyze holds the database's lock (here: this test, as pid 4242).
    let mut held = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path(&e))
        .unwrap();
    held.lock().unwrap();
    held.set_len(0).unwrap();
    write!(held, "4242").unwrap();

    let start = Instant::now();
    let busy = e.run(&["analyze", "--no-wait"]);
    let err = String::from_utf8_lossy(&busy.stderr);
    assert_eq!(busy.status.code(), Some(EXIT_BUSY), "{err}");
    assert!(
        err.contains("another analyze") && err.contains("pid 4242") && err.contains("--no-wait"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(5), "--no-wait waited");
    assert_eq!(e.count("SELECT count(*) FROM analysis_runs"), 0);

    // Without --no-wait it waits, says so once, and runs when the lock is released.
    let mut waiting = spawn(&e, &["analyze"]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(waiting.try_wait().unwrap().is_none(), "did not wait");
    assert_eq!(e.count("SELECT count(*) FROM analysis_runs"), 0);
    held.unlock().unwrap();
    drop(held);
    let (code, err) = finish(waiting);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        err.matches("waiting for another analyze of").count(),
        1,
        "{err}"
    );
    assert!(err.contains("(pid 4242)"), "{err}");
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE status = 'ok'"),
        1
    );
}

#[test]
fn four_ingests_into_a_brand_new_database_all_succeed() {
    for round in 0..6 {
        let e = Env::new();
        let files: Vec<_> = (0..4)
            .map(|i| e.file(&format!("f{i}.jsonl"), &reviews(50, 5, &format!("F{i}-"))))
            .collect();
        let children: Vec<Child> = files.iter().map(|f| spawn(&e, &["ingest", p(f)])).collect();
        for c in children {
            let (code, err) = finish(c);
            assert_eq!(code, Some(0), "round {round}: {err}");
        }
        assert_eq!(
            e.count("SELECT count(*) FROM reviews"),
            200,
            "round {round}"
        );
        assert_eq!(
            e.count("SELECT count(*) FROM ingest_runs WHERE status = 'ok'"),
            4
        );
    }
}

/// A first load of 16 MiB or more runs in rollback-journal mode (README, "A first bulk load skips
/// the WAL"); an ingest that opens the database meanwhile must wait for it, not fail at once with
/// "database is locked" when it asks for WAL mode.
#[test]
fn small_ingests_during_a_first_bulk_load_all_succeed() {
    let e = Env::new();
    let big = e.file("big.jsonl", &reviews(120_000, 1200, "G"));
    assert!(std::fs::metadata(&big).unwrap().len() >= 16 << 20);
    let bulk = spawn(&e, &["ingest", p(&big)]);
    std::thread::sleep(Duration::from_millis(400));
    let small: Vec<Child> = (0..3)
        .map(|i| {
            let f = e.file(&format!("s{i}.jsonl"), &reviews(20, 2, &format!("S{i}-")));
            spawn(&e, &["ingest", p(&f)])
        })
        .collect();
    for c in small.into_iter().chain([bulk]) {
        let (code, err) = finish(c);
        assert_eq!(code, Some(0), "{err}");
    }
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 120_060);
    let mode: String = rusqlite::Connection::open(e.db())
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// A writer that holds the database longer than a reader would wait (a big load on a loaded box)
/// makes an ingest wait its turn: it used to give up after 10 s with "database is locked".
#[test]
fn an_ingest_waits_for_a_long_write_to_finish() {
    let e = Env::new();
    let first = e.file("a.jsonl", &reviews(20, 2, "A"));
    e.ok(&["ingest", p(&first)]);
    let holder = rusqlite::Connection::open(e.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let second = e.file("b.jsonl", &reviews(20, 2, "B"));
    let waiting = spawn(&e, &["ingest", p(&second)]);
    std::thread::sleep(Duration::from_secs(12));
    holder.execute_batch("COMMIT").unwrap();
    let (code, err) = finish(waiting);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(e.count("SELECT count(*) FROM reviews"), 40);
}

#[test]
fn a_killed_analyze_is_marked_interrupted_by_the_next_run() {
    let e = Env::new();
    let f = e.file("r.jsonl", &reviews(3000, 60, "R"));
    e.ok(&["ingest", p(&f)]);
    let mut child = spawn(&e, &["analyze"]);
    wait_for(
        &e,
        "SELECT count(*) FROM analysis_runs WHERE status = 'running'",
        60,
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let before = runs(&e);
    assert_eq!(before[0]["status"], "interrupted", "{before:?}");
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE status = 'running'"),
        1
    );
    // Until the next run, `check` and `report` say the run did not finish (no process holds
    // its lock), rather than "running" for ever or nothing at all.
    let check: Value = serde_json::from_str(&e.ok(&["check", "--quick", "-f", "json"])).unwrap();
    assert_eq!(check["last_analysis"]["status"], "interrupted", "{check}");
    let text = e.ok(&["check", "--quick"]);
    assert!(
        text.contains("interrupted") && text.contains("next analyze"),
        "{text}"
    );
    let o = e.run(&["report", "products"]);
    let note = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && note.contains("did not finish (interrupted)"),
        "{note}"
    );
    assert!(e.run(&["-q", "report", "products"]).stderr.is_empty());

    // The kernel released the dead holder's lock: the next run neither waits nor fails.
    let o = e.run(&["analyze", "--no-wait"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let after = runs(&e);
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(after[0]["status"], "interrupted", "{after:?}");
    assert_eq!(after[0]["finished_at"], Value::Null);
    assert_eq!(after[1]["status"], "ok");
    // What the killed run committed is kept and counted; the two runs analyzed each text once.
    let analyzed = after[0]["reviews_analyzed"].as_i64().unwrap()
        + after[1]["reviews_analyzed"].as_i64().unwrap();
    assert_eq!(analyzed, 3000, "{after:?}");
    let table = e.ok(&["report", "runs"]);
    assert!(table.contains("interrupted"), "{table}");
    // Recovered: the last run is the good one, and the report says nothing more.
    let check: Value = serde_json::from_str(&e.ok(&["check", "--quick", "-f", "json"])).unwrap();
    assert_eq!(check["last_analysis"]["status"], "ok", "{check}");
    assert!(e.run(&["report", "products"]).stderr.is_empty());
}

#[test]
fn an_ampersand_before_a_multibyte_character_does_not_crash_the_run() {
    let e = Env::new();
    let f = e.file(
        "amp.jsonl",
        "{\"REVIEW_ID\":\"A1\",\"asin\":\"B1\",\"rating\":5,\"title\":\"Super\",\"text\":\"& ich weiß jetzt, wie es geht.\"}\n\
         {\"REVIEW_ID\":\"A2\",\"asin\":\"B1\",\"rating\":1,\"text\":\"Deckel &é undicht &#128512; &amp;ü &#xyz€\"}\n\
         {\"REVIEW_ID\":\"A3\",\"asin\":\"B1\",\"rating\":4,\"text\":\"&日本語のレビュー&\"}\n"
            .as_bytes(),
    );
    let o = e.run(&["analyze", p(&f)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(e.count("SELECT count(*) FROM text_results"), 3);
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE status = 'ok'"),
        1
    );
}

/// A minimal OpenAI-compatible chat endpoint that takes 300 ms per request and calls every review
/// neutral: enough to see how many requests two runs send.
fn slow_mock_llm() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}/v1", server.server_addr().to_ip().unwrap());
    let chats = Arc::new(AtomicUsize::new(0));
    for _ in 0..4 {
        let (server, chats) = (Arc::clone(&server), Arc::clone(&chats));
        std::thread::spawn(move || {
            while let Ok(mut rq) = server.recv() {
                let mut body = String::new();
                let _ = rq.as_reader().read_to_string(&mut body);
                chats.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(300));
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let user = v["messages"][1]["content"].as_str().unwrap_or("[]");
                let items: Vec<Value> = serde_json::from_str(user).unwrap_or_default();
                let reviews: Vec<Value> = items
                    .iter()
                    .map(|i| {
                        serde_json::json!({"id": i["id"], "language": "en", "sentiment": "neutral",
                                           "score": 0.0, "issues": [], "aspects": []})
                    })
                    .collect();
                let content = serde_json::json!({ "reviews": reviews }).to_string();
                let reply = serde_json::json!({
                    "id": "c", "object": "chat.completion", "model": "mock",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content, "refusal": null}}],
                    "usage": {"prompt_tokens": 1000, "completion_tokens": 50}
                });
                let _ = rq.respond(tiny_http::Response::from_string(reply.to_string()));
            }
        });
    }
    (url, chats)
}

/// Issue 21, item 6 with an LLM: two runs at once sent every request twice and recorded the cost
/// twice. Now the second waits, then finds nothing new and sends nothing.
#[test]
fn two_llm_analyze_runs_at_once_pay_once() {
    let e = Env::new();
    let f = e.file("r.jsonl", &reviews(8, 2, "L"));
    e.ok(&["-q", "ingest", p(&f)]);
    let (url, chats) = slow_mock_llm();
    let args = [
        "analyze",
        "--analyzer",
        "llm",
        "--base-url",
        &url,
        "--model",
        "mock-model",
        "--batch-size",
        "2",
        "--concurrency",
        "1",
        "--price",
        "1,1",
    ];
    let spawn_llm = || {
        Command::new(BIN)
            .arg("--db")
            .arg(e.db())
            .args(args)
            .env_remove("OPENAI_API_KEY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn_llm(), spawn_llm());
    let (ca, ea) = finish(a);
    let (cb, eb) = finish(b);
    assert_eq!((ca, cb), (Some(0), Some(0)), "{ea}\n{eb}");
    let sent = chats.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(sent, 4, "8 reviews, 2 per request, sent once: {ea}\n{eb}");
    assert_eq!(
        e.count("SELECT sum(requests) FROM analysis_runs"),
        4,
        "{:?}",
        runs(&e)
    );
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE cost_usd > 0"),
        1,
        "the cost is recorded once"
    );
}
