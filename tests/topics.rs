//! `analyze --topics FILE`: a team's own issue codes, with labels and phrases per language, found by
//! both analyzers, stored with the run, and shown wherever issues are.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::{json, Value};

const TOPICS: &str = r#"
# A pet food maker's and a clothing brand's topics.
[[topic]]
code = "pet_refuses"
label = "Pet won't eat it"
phrases.en = ["won't eat it", "refuses to eat*"]
phrases.de = ["frisst es nicht"]

[[topic]]
code = "colour_fades"
label = "Colour fades after washing"
phrases.en = ["fade*"]
phrases.de = ["verblasst"]
phrases.fr = ["se décolore"]
"#;

/// Reviews in English, German and French; R3 and R5 use the phrases negated or in praise.
const REVIEWS: &str = r#"{"REVIEW_ID":"R1","asin":"B1","brand":"Acme","rating":1,"title":"Waste","text":"My dog won't eat it. Terrible food, I regret buying it."}
{"REVIEW_ID":"R2","asin":"B1","brand":"Acme","rating":1,"title":"Schlecht","text":"Mein Hund frisst es nicht. Leider ein totaler Fehlkauf, sehr enttäuscht."}
{"REVIEW_ID":"R3","asin":"B1","brand":"Acme","rating":5,"title":"Great","text":"Great food and my picky cat never refuses to eat it. Highly recommend."}
{"REVIEW_ID":"R4","asin":"B2","brand":"Acme","rating":2,"title":"Meh","text":"The colours faded after two washes. Disappointing shirt."}
{"REVIEW_ID":"R5","asin":"B2","brand":"Acme","rating":5,"title":"Lovely","text":"Lovely shirt, the colour doesn't fade at all even after many washes. Love it."}
{"REVIEW_ID":"R6","asin":"B2","brand":"Acme","rating":1,"title":"Nul","text":"Mon chien ne mange pas. Très déçu, produit nul, je ne recommande pas."}
{"REVIEW_ID":"R7","asin":"B2","brand":"Acme","rating":2,"title":"Enttäuscht","text":"Die Farbe verblasst nach dem ersten Waschen. Schade."}
"#;

fn setup() -> (Env, std::path::PathBuf) {
    let e = Env::new();
    let r = e.file("r.jsonl", REVIEWS.as_bytes());
    e.ok(&["-q", "ingest", p(&r)]);
    let t = e.file("topics.toml", TOPICS.as_bytes());
    (e, t)
}

/// Each review's issue codes, as the latest results of any analyzer stored them.
fn codes(e: &Env, key_like: &str) -> HashMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open(e.db()).unwrap();
    let mut st = conn
        .prepare(
            "SELECT r.source_review_id, t.issues FROM reviews r JOIN text_results t ON t.text_hash = r.text_hash
             WHERE t.analyzer LIKE ?1",
        )
        .unwrap();
    st.query_map([key_like], |r| {
        let issues: String = r.get(1)?;
        let v: Vec<Value> = serde_json::from_str(&issues).unwrap();
        let c = v.iter().map(|i| i["code"].as_str().unwrap().to_string());
        Ok((r.get(0)?, c.collect()))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

fn has(c: &HashMap<String, Vec<String>>, review: &str, code: &str) -> bool {
    c[review].iter().any(|x| x == code)
}

#[test]
fn a_custom_topic_is_found_in_its_languages_not_negated_nor_in_praise() {
    let (e, t) = setup();
    e.ok(&["analyze", "--topics", p(&t)]);
    let c = codes(&e, "offline/%");
    assert!(has(&c, "R1", "pet_refuses"), "{c:?}");
    assert!(has(&c, "R2", "pet_refuses"), "German phrase: {c:?}");
    assert!(!has(&c, "R3", "pet_refuses"), "negated: {c:?}");
    assert!(has(&c, "R4", "colour_fades"), "wildcard: {c:?}");
    assert!(!has(&c, "R5", "colour_fades"), "negated praise: {c:?}");
    assert!(has(&c, "R7", "colour_fades"), "German: {c:?}");
    // Phrases count only in their language: the English phrase is not looked for in French.
    assert!(c["R6"].is_empty(), "{c:?}");
}

#[test]
fn a_language_without_phrases_is_named_in_the_summary() {
    let (e, t) = setup();
    let o = e.run(&["analyze", "--topics", p(&t)]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    // pet_refuses has no French phrase, and one review is French; colour_fades has all three.
    assert!(
        err.contains("topic pet_refuses has no phrases in fr (1 review)"),
        "{err}"
    );
    assert!(!err.contains("topic colour_fades"), "{err}");
}

#[test]
fn bad_topics_files_exit_2_naming_the_file_and_the_topic() {
    let (e, _) = setup();
    let good = "[[topic]]\ncode = \"pet_refuses\"\nlabel = \"Pet won't eat it\"\nphrases.en = [\"won't eat it\"]\n";
    let cases: Vec<(&str, String, &str)> = vec![
        ("bad.toml", "[[topic]\ncode = ".into(), "not valid TOML"),
        (
            "dup.toml",
            format!("{good}{good}"),
            "topic `pet_refuses`: defined twice",
        ),
        (
            "builtin.toml",
            good.replace("pet_refuses", "battery"),
            "topic `battery`: the code is a built-in issue code",
        ),
        (
            "empty.toml",
            good.replace("[\"won't eat it\"]", "[]"),
            "topic `pet_refuses`: no phrases",
        ),
        (
            "bad.json",
            "{\"topic\": [{\"code\": \"x\"}]}".into(),
            "not valid JSON",
        ),
        (
            "slug.toml",
            good.replace("pet_refuses", "Pet Refuses"),
            "lowercase letters",
        ),
    ];
    for (name, body, says) in cases {
        let f = e.file(name, body.as_bytes());
        let o = e.run(&["analyze", "--topics", p(&f)]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(p(&f)), "{name} names the file: {err}");
        assert!(err.contains(says), "{name}: {err}");
    }
    let missing = e.run(&["analyze", "--topics", "/nonexistent/topics.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(e.count("SELECT count(*) FROM analysis_runs"), 0);
}

#[test]
fn a_run_stores_its_topics_and_only_a_changed_definition_re_analyzes() {
    let (e, t) = setup();
    e.ok(&["-q", "analyze", "--topics", p(&t)]);
    let stored: String = rusqlite::Connection::open(e.db())
        .unwrap()
        .query_row("SELECT topics FROM analysis_runs WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let v: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(v["topic"][0]["code"], "pet_refuses");
    assert_eq!(v["topic"][1]["phrases"]["fr"][0], "se décolore");

    // The same definitions as JSON, with another layout: nothing to do.
    let as_json = e.file("topics.json", stored.as_bytes());
    let o = e.run(&["analyze", "--topics", p(&as_json)]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing new"));

    // A changed German phrase is a new taxonomy version, under a new key: the German texts are
    // analyzed again, the others' results reused.
    let changed = e.file(
        "changed.toml",
        TOPICS
            .replace(
                "phrases.de = [\"frisst es nicht\"]",
                "phrases.de = [\"Hund\"]",
            )
            .as_bytes(),
    );
    let o = e.run(&["analyze", "--topics", p(&changed)]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "topics differ from run 2's in de: 5 results of texts in other languages reused"
        ),
        "{err}"
    );
    let analyzed = e.count("SELECT reviews_analyzed FROM analysis_runs ORDER BY id DESC LIMIT 1");
    assert_eq!(analyzed, 2);
    let reused = e.count("SELECT reviews_reused FROM analysis_runs ORDER BY id DESC LIMIT 1");
    assert_eq!(reused, 5);
    assert_eq!(
        e.count(
            "SELECT count(DISTINCT analyzer) FROM analysis_runs WHERE analyzer LIKE 'offline/%+%'"
        ),
        2
    );
    let c = codes(&e, "offline/%");
    assert!(c.values().any(|v| v.contains(&"pet_refuses".to_string())));

    // Without topics: the built-in key, no custom codes, and the run stores none.
    e.ok(&["-q", "analyze"]);
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE id = (SELECT max(id) FROM analysis_runs) AND topics IS NULL"),
        1
    );
    assert_eq!(
        e.count("SELECT count(*) FROM product_issues WHERE code = 'pet_refuses'"),
        0
    );
}

#[test]
fn the_environment_names_the_topics_file() {
    let (e, t) = setup();
    let o = std::process::Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args(["-q", "analyze"])
        .env("PRODINSIGHT_TOPICS", &t)
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(
        e.count("SELECT count(*) FROM product_issues WHERE code = 'pet_refuses'"),
        1
    );
}

#[test]
fn reports_and_the_api_show_the_custom_label() {
    let (e, t) = setup();
    e.ok(&["-q", "analyze", "--topics", p(&t)]);
    let issues: Value =
        serde_json::from_str(&e.ok(&["report", "issues", "--format", "json"])).unwrap();
    let pet = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "pet_refuses")
        .unwrap_or_else(|| panic!("{issues}"));
    assert_eq!(pet["label"], "Pet won't eat it");
    assert_eq!(pet["reviews"], 2);
    let csv = e.ok(&[
        "report",
        "products",
        "--issue",
        "colour_fades",
        "--format",
        "csv",
    ]);
    assert!(csv.contains("B2") && !csv.contains("B1"), "{csv}");
    let html = e.ok(&["report", "product", "B1", "--format", "html"]);
    assert!(
        html.contains("Pet won&#39;t eat it")
            || html.contains("Pet won't eat it")
            || html.contains("Pet won&#x27;t eat it"),
        "{html}"
    );
    let brands = e.ok(&["report", "brands"]);
    assert!(brands.contains("Pet won't eat it"), "{brands}");
    // A code no run defined is a usage error, as a typo of a built-in one is.
    let o = e.run(&["report", "products", "--issue", "pet_refuse"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pet_refuses"));

    let srv = Server::start(&e);
    let list = srv.ok("/api/v1/issues");
    let row = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "colour_fades")
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(row["label"], "Colour fades after washing");
    let one = srv.ok("/api/v1/issues/pet_refuses");
    assert_eq!(one["data"]["label"], "Pet won't eat it");
    assert_eq!(one["data"]["reviews"], 2);
    let products = srv.ok("/api/v1/products?issue=pet_refuses");
    assert_eq!(products["data"][0]["asin"], "B1");
    let top = &products["data"][0]["top_issues"][0];
    assert_eq!(top["label"], "Pet won't eat it", "{products}");
    let (status, _) = srv.get("/api/v1/products?issue=pet_refuse");
    assert_eq!(status, 400);
    let (status, _) = srv.get("/api/v1/issues/pet_refuse");
    assert_eq!(status, 404);
    // The served OpenAPI document lists the codes this database knows, custom ones included.
    let doc = srv.ok("/api/v1/openapi.json");
    let params = doc["paths"]["/api/v1/products"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let issue = params.iter().find(|p| p["name"] == "issue").unwrap();
    let codes = issue["schema"]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{issue}"));
    assert!(codes.contains(&Value::from("pet_refuses")), "{issue}");
    assert!(codes.contains(&Value::from("leaks")), "{issue}");
    assert!(!codes.contains(&Value::from("pet_refuse")), "{issue}");
}

/// An OpenAI-compatible mock that records requests and reports `pet_refuses` for every review
/// that says "eat".
struct Mock {
    server: Arc<tiny_http::Server>,
    url: String,
    chats: Arc<Mutex<Vec<Value>>>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

impl Mock {
    fn start() -> Mock {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}/v1", server.server_addr().to_ip().unwrap());
        let chats = Arc::new(Mutex::new(Vec::new()));
        let (s, c) = (Arc::clone(&server), Arc::clone(&chats));
        std::thread::spawn(move || {
            while let Ok(mut rq) = s.recv() {
                let mut body = String::new();
                let _ = rq.as_reader().read_to_string(&mut body);
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let reply = answer(&v);
                c.lock().unwrap().push(v);
                let _ = rq.respond(tiny_http::Response::from_string(reply.to_string()));
            }
        });
        Mock { server, url, chats }
    }
}

fn answer(body: &Value) -> Value {
    let user = body["messages"][1]["content"].as_str().unwrap_or("[]");
    let items: Vec<Value> = serde_json::from_str(user).unwrap_or_default();
    let reviews: Vec<Value> = items
        .iter()
        .map(|i| {
            let text = i["text"].as_str().unwrap_or("");
            let issues = match text.contains("eat") {
                true => json!([{"code": "pet_refuses", "evidence": text}]),
                false => json!([]),
            };
            json!({"id": i["id"], "language": "en", "sentiment": "negative", "score": -0.5,
                   "issues": issues, "aspects": []})
        })
        .collect();
    let content = json!({ "reviews": reviews }).to_string();
    json!({
        "id": "chatcmpl-mock", "object": "chat.completion", "model": "mock",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10}
    })
}

#[test]
fn the_llm_gets_the_topics_in_its_schema_and_their_codes_are_kept() {
    let (e, t) = setup();
    let mock = Mock::start();
    let o = std::process::Command::new(BIN)
        .arg("--db")
        .arg(e.db())
        .args([
            "-q",
            "analyze",
            "--analyzer",
            "llm",
            "--base-url",
            &mock.url,
        ])
        .args(["--model", "mock-model", "--topics", p(&t)])
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("PRODINSIGHT_MODEL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let chats = mock.chats.lock().unwrap().clone();
    assert!(!chats.is_empty());
    let body = &chats[0];
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("- pet_refuses: \"Pet won't eat it\" (for example"),
        "{system}"
    );
    assert!(system.contains("\"frisst es nicht\""), "{system}");
    let schema = &body["response_format"]["json_schema"]["schema"];
    let codes = &schema["properties"]["reviews"]["items"]["properties"]["issues"]["items"]
        ["properties"]["code"]["enum"];
    let codes: Vec<&str> = codes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"pet_refuses")
            && codes.contains(&"colour_fades")
            && codes.contains(&"battery")
    );
    let c = codes_of(&e);
    assert!(has(&c, "R1", "pet_refuses"), "{c:?}");
    let issues: Value =
        serde_json::from_str(&e.ok(&["report", "issues", "--format", "json"])).unwrap();
    assert!(issues.to_string().contains("Pet won't eat it"), "{issues}");
    // The LLM's results are keyed by the topics too.
    assert_eq!(
        e.count("SELECT count(*) FROM analysis_runs WHERE analyzer LIKE 'llm/mock-model/%/t1+%'"),
        1
    );
}

fn codes_of(e: &Env) -> HashMap<String, Vec<String>> {
    codes(e, "llm/%")
}

/// A product's history and the overview's "since last run" compare a custom code only between runs
/// that defined it alike: a changed definition starts its trend afresh.
#[test]
fn trends_never_mix_two_definitions_of_a_code() {
    let (e, t) = setup();
    e.ok(&["-q", "analyze", "--topics", p(&t)]);
    let changed = e.file(
        "changed.toml",
        TOPICS
            .replace("\"won't eat it\", ", "\"won't eat it\", \"picky cat\", ")
            .as_bytes(),
    );
    e.ok(&["-q", "analyze", "--topics", p(&changed)]);
    let history_codes = |e: &Env| -> Vec<Vec<String>> {
        let p: Value =
            serde_json::from_str(&e.ok(&["report", "product", "B1", "--format", "json"])).unwrap();
        p["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (h["top_issues"].as_array().unwrap().iter())
                    .map(|i| i["code"].as_str().unwrap().to_string())
                    .collect()
            })
            .collect()
    };
    let h = history_codes(&e);
    assert_eq!(h.len(), 2, "{h:?}");
    assert!(!h[0].contains(&"pet_refuses".to_string()), "{h:?}");
    assert!(h[1].contains(&"pet_refuses".to_string()), "{h:?}");
    let srv = Server::start(&e);
    let o = srv.ok("/api/v1/overview");
    let row = (o["data"]["issues"].as_array().unwrap().iter())
        .find(|i| i["code"] == "pet_refuses")
        .unwrap_or_else(|| panic!("{o}"));
    assert!(row.get("change").is_none(), "{row}");
    assert!(row.get("reviews_before").is_none(), "{row}");
    drop(srv);

    // The same definitions again: the trend continues, from the run that defined them alike.
    e.ok(&["-q", "analyze", "--full", "--topics", p(&changed)]);
    let h = history_codes(&e);
    assert!(h[1].contains(&"pet_refuses".to_string()) && h[2].contains(&"pet_refuses".to_string()));
    let srv = Server::start(&e);
    let o = srv.ok("/api/v1/overview");
    let row = (o["data"]["issues"].as_array().unwrap().iter())
        .find(|i| i["code"] == "pet_refuses")
        .unwrap();
    assert_eq!(row["change"], 0, "{row}");
}
