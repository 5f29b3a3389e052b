//! A model's reply is untrusted input: it is checked field by field before anything is stored.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{IssueHit, LikedAspect, Sentiment, TextAnalysis};
use crate::taxonomy;
use crate::topics::Topics;

/// Tokens one reply cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt: u64,
    pub cached: u64,
    pub completion: u64,
}

impl Usage {
    pub fn add(&mut self, o: Usage) {
        self.prompt += o.prompt;
        self.cached += o.cached;
        self.completion += o.completion;
    }
}

const MAX_EVIDENCE_CHARS: usize = 300;
const MAX_ASPECTS: usize = 10;
const MAX_ASPECT_CHARS: usize = 40;
/// A liked aspect's quote is stored with every review that praises it: kept short (as offline).
const MAX_QUOTE_CHARS: usize = 200;

pub fn usage(body: &Value) -> Usage {
    let u = &body["usage"];
    Usage {
        prompt: u["prompt_tokens"].as_u64().unwrap_or(0),
        cached: u["prompt_tokens_details"]["cached_tokens"]
            .as_u64()
            .unwrap_or(0),
        completion: u["completion_tokens"].as_u64().unwrap_or(0),
    }
}

/// The analyses in a chat-completion reply, by the ids sent. Ids the reply leaves out are simply
/// absent (the caller retries them); anything else wrong rejects the whole reply, because a model
/// that invents ids or labels cannot be trusted with the rest of that reply either.
#[cfg(test)]
pub fn parse(body: &Value, sent: &[String]) -> Result<HashMap<String, TextAnalysis>, String> {
    parse_with(body, sent, &Topics::default())
}

/// `parse` for a request whose schema also listed custom topics' codes.
pub fn parse_with(
    body: &Value,
    sent: &[String],
    topics: &Topics,
) -> Result<HashMap<String, TextAnalysis>, String> {
    let choice = &body["choices"][0];
    if choice.is_null() {
        return Err("no choices in the reply".into());
    }
    match choice["finish_reason"].as_str() {
        Some("length") => return Err("the reply was cut off (finish_reason: length)".into()),
        Some("content_filter") => return Err("the reply was filtered (content_filter)".into()),
        _ => {}
    }
    if let Some(r) = choice["message"]["refusal"].as_str() {
        if !r.trim().is_empty() {
            return Err(format!("the model refused: {}", cut(r, 200)));
        }
    }
    let content = choice["message"]["content"]
        .as_str()
        .ok_or("the reply has no message content")?;
    let doc: Value = json_content(content)
        .map_err(|e| format!("the reply is not valid JSON ({e}): {}", cut(content, 120)))?;
    let items = doc["reviews"]
        .as_array()
        .ok_or("the reply has no `reviews` array")?;
    let mut out = HashMap::new();
    for item in items {
        let id = item["id"].as_str().ok_or("a result without an id")?;
        if !sent.iter().any(|s| s == id) {
            return Err(format!(
                "the reply has an id that was not sent: {}",
                cut(id, 40)
            ));
        }
        if out.contains_key(id) {
            return Err(format!("the reply repeats id {id}"));
        }
        out.insert(
            id.to_string(),
            analysis(item, topics).map_err(|e| format!("id {id}: {e}"))?,
        );
    }
    Ok(out)
}

fn analysis(v: &Value, topics: &Topics) -> Result<TextAnalysis, String> {
    let sentiment = v["sentiment"]
        .as_str()
        .and_then(Sentiment::parse)
        .ok_or_else(|| {
            format!(
                "sentiment {} is not positive, neutral or negative",
                v["sentiment"]
            )
        })?;
    let score = v["score"]
        .as_f64()
        .filter(|s| s.is_finite() && (-1.0..=1.0).contains(s))
        .ok_or_else(|| format!("score {} is not a number from -1 to 1", v["score"]))?;
    let language = v["language"]
        .as_str()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()));
    let mut issues: Vec<IssueHit> = Vec::new();
    for i in v["issues"].as_array().ok_or("issues is not an array")? {
        let code = i["code"].as_str().unwrap_or_default();
        if !taxonomy::is_code(code) && !topics.is_code(code) {
            return Err(format!("unknown issue code {}", cut(code, 40)));
        }
        if issues.iter().any(|h| h.code == code) {
            continue;
        }
        issues.push(IssueHit {
            code: code.to_string(),
            evidence: cut(
                i["evidence"].as_str().unwrap_or_default().trim(),
                MAX_EVIDENCE_CHARS,
            ),
        });
    }
    let mut aspects: Vec<String> = Vec::new();
    for a in v["aspects"].as_array().ok_or("aspects is not an array")? {
        let a = a
            .as_str()
            .ok_or("an aspect is not a string")?
            .trim()
            .to_lowercase();
        if !a.is_empty() && a.chars().count() <= MAX_ASPECT_CHARS && !aspects.contains(&a) {
            aspects.push(a);
        }
    }
    aspects.truncate(MAX_ASPECTS);
    Ok(TextAnalysis {
        language,
        sentiment,
        score,
        issues,
        aspects,
        liked: liked(&v["liked"])?,
        names: Vec::new(),
    })
}

/// The praised aspects, each once, as the offline analyzer stores them. A reply without them (a
/// server that does not enforce the schema) praises nothing; anything but a list is an error.
fn liked(v: &Value) -> Result<Vec<LikedAspect>, String> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let mut out: Vec<LikedAspect> = Vec::new();
    for l in v.as_array().ok_or("liked is not an array")? {
        let term = (l["term"].as_str())
            .ok_or("a liked aspect has no term")?
            .trim()
            .to_lowercase();
        if term.is_empty()
            || term.chars().count() > MAX_ASPECT_CHARS
            || out.iter().any(|x| x.term == term)
        {
            continue;
        }
        let evidence = l["evidence"].as_str().unwrap_or_default().trim();
        out.push(LikedAspect {
            term,
            evidence: cut(evidence, MAX_QUOTE_CHARS),
        });
    }
    out.truncate(MAX_ASPECTS);
    Ok(out)
}

/// A reply's JSON content. Small models write raw line breaks and tabs inside strings, which
/// JSON forbids: when the strict parse fails, control characters inside strings are escaped and
/// it is parsed once more (nothing else is repaired).
pub fn json_content(content: &str) -> serde_json::Result<Value> {
    serde_json::from_str(content).or_else(|e| {
        let (mut out, mut in_string, mut escaped) =
            (String::with_capacity(content.len()), false, false);
        for c in content.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '\u{0}'..='\u{1f}' if in_string => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                    continue;
                }
                _ => {}
            }
            out.push(c);
        }
        serde_json::from_str(&out).map_err(|_| e)
    })
}

fn cut(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn raw_line_breaks_inside_strings_are_read_and_nothing_else_is_repaired() {
        let v = json_content("{\"summary\": \"Good lid.\nWeak strap.\t\"}").unwrap();
        assert_eq!(v["summary"], "Good lid.\nWeak strap.\t");
        let v = json_content("{\n  \"a\": \"x\\\"\ny\"\n}").unwrap();
        assert_eq!(v["a"], "x\"\ny");
        assert!(json_content("{\"a\": \"unterminated\n}").is_err());
        assert!(json_content("{\"a\": 1,}").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_parsed_or_refused_and_valid_json_is_read_as_is(s in "\\PC*", raw in proptest::collection::vec(proptest::char::any(), 0..40)) {
            let raw: String = raw.into_iter().collect();
            let _ = json_content(&raw);
            let _ = json_content(&format!("{{\"a\": \"{raw}\"}}"));
            let valid = serde_json::json!({ "a": s }).to_string();
            proptest::prop_assert_eq!(json_content(&valid).unwrap(), serde_json::from_str::<Value>(&valid).unwrap());
        }
    }
    use super::*;
    use serde_json::json;

    fn reply(content: &str, finish: &str) -> Value {
        json!({"choices": [{"message": {"content": content, "refusal": null}, "finish_reason": finish}],
               "usage": {"prompt_tokens": 100, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 64}}})
    }

    fn ids() -> Vec<String> {
        vec!["1".into(), "2".into()]
    }

    #[test]
    fn valid_reply() {
        let c = json!({"reviews": [
            {"id": "1", "language": "DE", "sentiment": "negative", "score": -0.8,
             "issues": [{"code": "leaks", "evidence": "Der Deckel ist undicht"}], "aspects": ["Lid", "lid"]}
        ]})
        .to_string();
        let body = reply(&c, "stop");
        let out = parse(&body, &ids()).unwrap();
        assert_eq!(out.len(), 1, "id 2 left out: retried by the caller");
        let a = &out["1"];
        assert_eq!(a.language.as_deref(), Some("de"));
        assert_eq!(a.issues[0].code, "leaks");
        assert_eq!(a.aspects, vec!["lid"]);
        assert!(
            a.liked.is_empty(),
            "a reply without `liked` praises nothing"
        );
        assert_eq!(
            usage(&body),
            Usage {
                prompt: 100,
                cached: 64,
                completion: 20
            }
        );
    }

    #[test]
    fn liked_aspects_are_lower_case_once_each_with_their_quote() {
        let c = json!({"reviews": [
            {"id": "1", "language": "en", "sentiment": "positive", "score": 0.8, "issues": [],
             "aspects": [], "liked": [{"term": "Sound Quality", "evidence": " Great sound. "},
                                      {"term": "sound quality", "evidence": "again"},
                                      {"term": " ", "evidence": "blank"}]},
            {"id": "2", "language": "en", "sentiment": "positive", "score": 0.8, "issues": [],
             "aspects": [], "liked": "everything"}
        ]})
        .to_string();
        let err = parse(&reply(&c, "stop"), &ids()).unwrap_err();
        assert!(err.contains("liked is not an array"), "{err}");
        let c = c.replace("\"everything\"", "[]");
        let out = parse(&reply(&c, "stop"), &ids()).unwrap();
        let liked = &out["1"].liked;
        assert_eq!(liked.len(), 1, "{liked:?}");
        assert_eq!(
            (liked[0].term.as_str(), liked[0].evidence.as_str()),
            ("sound quality", "Great sound.")
        );
    }

    #[test]
    fn invalid_replies_are_not_data() {
        let ok_item = json!({"id": "1", "language": "en", "sentiment": "positive", "score": 0.5, "issues": [], "aspects": []});
        let mut cases = vec![
            reply("not json", "stop"),
            reply(&json!({"reviews": [ok_item]}).to_string(), "length"),
            reply(&json!({"result": []}).to_string(), "stop"),
            json!({"choices": [{"message": {"content": null, "refusal": "I can't help"}, "finish_reason": "stop"}]}),
            json!({"error": "x"}),
        ];
        for bad in [
            json!({"id": "9"}),
            json!({"id": "1", "language": "en", "sentiment": "great", "score": 0.5, "issues": [], "aspects": []}),
            json!({"id": "1", "language": "en", "sentiment": "positive", "score": 7, "issues": [], "aspects": []}),
            json!({"id": "1", "language": "en", "sentiment": "positive", "score": 0.1, "issues": [{"code": "bogus", "evidence": ""}], "aspects": []}),
        ] {
            cases.push(reply(&json!({"reviews": [bad]}).to_string(), "stop"));
        }
        cases.push(reply(
            &json!({"reviews": [ok_item, ok_item]}).to_string(),
            "stop",
        ));
        for c in cases {
            assert!(parse(&c, &ids()).is_err(), "{c}");
        }
    }
}
