//! What customers like and what they complain about, per product: `liked_aspects` and
//! `complaint_aspects` in `report product` (every format) and the API, without makers' names.

mod common;

use common::*;
use serde_json::Value;

fn product(e: &Env, asin: &str) -> Value {
    serde_json::from_str(&e.ok(&["report", "product", asin, "--format", "json"])).unwrap()
}

fn terms(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["term"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn report_product_json_carries_liked_aspects_on_sample_data() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let d = product(&e, "B08C0F4912");
    let liked = d["liked_aspects"].as_array().unwrap();
    assert!(liked.len() >= 3, "{liked:?}");
    let counts: Vec<i64> = liked.iter().map(|a| a["count"].as_i64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {counts:?}"
    );
    let n = d["review_count"].as_f64().unwrap();
    for a in liked {
        let share = a["share"].as_f64().unwrap();
        let expect = (1000.0 * a["count"].as_f64().unwrap() / n).round() / 10.0;
        assert!((share - expect).abs() < 0.051, "{a}");
        let q = &a["quote"];
        assert!(!q["text"].as_str().unwrap().is_empty(), "{a}");
        assert!((1..=5).contains(&q["stars"].as_i64().unwrap()), "{a}");
        assert!(q["language"].is_string(), "{a}");
    }
    // Praise in other languages counts under the English term ("le joint est excellent": seal).
    let languages: Vec<&str> = liked
        .iter()
        .map(|a| a["quote"]["language"].as_str().unwrap())
        .collect();
    assert!(languages.iter().any(|l| *l != "en"), "{languages:?}");
    // The same, beside the complaint aspects, in the table, CSV and HTML.
    let top = liked[0]["term"].as_str().unwrap();
    let table = e.ok(&["report", "product", "B08C0F4912"]);
    assert!(table.contains("liked") && table.contains("complaint aspect"));
    let csv = e.ok(&["report", "product", "B08C0F4912", "--format", "csv"]);
    assert!(csv.contains("liked,reviews,% of reviews,quote,complaint aspect,reviews"));
    let html = e.ok(&["report", "product", "B08C0F4912", "--format", "html"]);
    assert!(html.contains("What customers like"));
    assert!(html.contains(&format!("data-aspect=\"{top}\"")));
}

#[test]
fn liked_aspects_come_from_praise_and_never_name_the_maker() {
    let e = Env::new();
    let rows = [
        (
            5,
            "The sound quality is amazing and the battery life is excellent.",
        ),
        (
            5,
            "I love my Zorblat. The sound quality is superb, the Zorblat app is fine.",
        ),
        (
            4,
            "Great sound quality, better than my old Sony. Easy to use.",
        ),
        (
            5,
            "Battery life is great and the screen is bright and clear.",
        ),
        (
            2,
            "The headband broke after a week. The Zorblat support was useless.",
        ),
        (
            1,
            "The headband cracked and the cable is flimsy. Canon makes better stuff.",
        ),
        (
            5,
            "La calidad de sonido es excelente y la batería dura muchísimo.",
        ),
    ];
    let mut jsonl = String::new();
    for (i, (stars, text)) in rows.iter().enumerate() {
        // No brand field: names are found from the text alone.
        jsonl.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"CHILD_ASIN\":\"BZORB00001\",\"rating\":{stars},\"text\":\"{text}\"}}\n"
        ));
    }
    let f = e.file("zorblat.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let d = product(&e, "BZORB00001");
    let liked = terms(&d, "liked_aspects");
    let complaints = terms(&d, "complaint_aspects");
    assert_eq!(
        liked.first().map(String::as_str),
        Some("sound quality"),
        "{liked:?}"
    );
    assert!(liked.contains(&"battery life".to_string()), "{liked:?}");
    assert!(
        liked.contains(&"battery".to_string()),
        "Spanish praise: {liked:?}"
    );
    assert!(!liked.contains(&"headband".to_string()), "{liked:?}");
    assert!(
        complaints.contains(&"headband".to_string()),
        "{complaints:?}"
    );
    for t in liked.iter().chain(&complaints) {
        for name in ["zorblat", "sony", "canon"] {
            assert!(!t.split(' ').any(|w| w == name), "{t} names a maker");
        }
    }
}

#[test]
fn the_brand_field_and_model_codes_are_never_aspects() {
    let e = Env::new();
    let mut jsonl = String::new();
    for i in 0..4 {
        jsonl.push_str(&format!(
            "{{\"REVIEW_ID\":\"R{i}\",\"CHILD_ASIN\":\"BQUUX00001\",\"brand\":\"Quuxtone\",\"rating\":5,\
             \"text\":\"the quuxtone qx500 has great speakers and the quuxtone remote is excellent\"}}\n"
        ));
    }
    let f = e.file("quux.jsonl", jsonl.as_bytes());
    e.ok(&["-q", "analyze", p(&f)]);
    let liked = terms(&product(&e, "BQUUX00001"), "liked_aspects");
    assert!(liked.contains(&"speaker".to_string()), "{liked:?}");
    assert!(liked.contains(&"remote".to_string()), "{liked:?}");
    assert!(
        !liked
            .iter()
            .any(|t| t.split(' ').all(|w| w == "quuxtone" || w == "qx500")),
        "{liked:?}"
    );
}

#[test]
fn the_api_product_detail_carries_liked_aspects() {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    let srv = Server::start(&e);
    let d = srv.ok("/api/v1/products/B08C0F4912");
    let liked = d["data"]["liked_aspects"].as_array().unwrap();
    assert!(!liked.is_empty());
    assert!(liked[0]["term"].is_string() && liked[0]["share"].is_number());
    assert!(liked[0]["quote"]["text"].is_string());
    let doc = srv.ok("/api/v1/openapi.json");
    let s = doc.to_string();
    assert!(s.contains("liked_aspects"), "the OpenAPI document names it");
}
