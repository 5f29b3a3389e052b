//! The HTTP side of an OpenAI-compatible API: requests with a timeout, transient faults retried with
//! jittered exponential backoff (honouring `retry-after`), and the faults that retrying cannot fix
//! (a refused key, a bad request, an exhausted quota) reported as fatal.

use std::time::{Duration, Instant};

use std::sync::Mutex;

use serde_json::Value;

use super::prompt::{self, TokenParam};
use super::redact::redact_secrets;

/// An API key: never printed, logged or stored. Debug shows only that there is one.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }

    /// `text` without this key (nor any other bearer or `sk-` token).
    pub fn redact(&self, text: &str) -> String {
        redact_secrets(text, Some(&self.0))
    }
}

/// `text` without `key` (if any) nor any bearer or `sk-` token: for every message that came from
/// the provider before it is printed, stored or wrapped into an error.
pub fn redact(key: Option<&Secret>, text: &str) -> String {
    redact_secrets(text, key.map(|k| k.0.as_str()))
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Give up on one request after this long, however many attempts are left.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// Retrying cannot help: stop the run (a refused key, a bad request, no quota left).
    Fatal(String),
    /// Transient faults until the attempts or the time ran out.
    Exhausted(String),
    /// A 200 whose body is not JSON: a bad reply, handled like any invalid reply.
    Garbage(String),
    /// A 400 that names a request parameter (or its value) this model does not take: `chat`
    /// changes the request's shape and sends it again; elsewhere it is fatal.
    Unsupported { param: String, message: String },
}

impl CallError {
    pub fn message(&self) -> &str {
        match self {
            CallError::Fatal(m) | CallError::Exhausted(m) | CallError::Garbage(m) => m,
            CallError::Unsupported { message, .. } => message,
        }
    }
}

/// What this server turned out not to take, learned from its 400s and applied to every later
/// request of the run (so only the first requests pay for the lesson).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Adapt {
    pub tokens: Option<TokenParam>,
    pub no_temperature: bool,
    /// Some(None): send no `reasoning_effort`; Some(Some(v)): send v.
    pub effort: Option<Option<String>>,
}

impl Adapt {
    /// `body` as this server takes it.
    pub fn apply(&self, body: &Value) -> Value {
        let mut b = body.clone();
        let Some(o) = b.as_object_mut() else {
            return b;
        };
        match self.tokens {
            Some(TokenParam::MaxCompletionTokens) => {
                if let Some(n) = o.remove("max_tokens").and_then(|v| v.as_u64()) {
                    // A model we know nothing of that wants this field reasons: room for that.
                    let n = n + u64::from(prompt::REASONING_HEADROOM_UNKNOWN);
                    o.insert("max_completion_tokens".into(), n.into());
                }
            }
            Some(TokenParam::MaxTokens) => {
                if let Some(n) = o.remove("max_completion_tokens") {
                    o.insert("max_tokens".into(), n);
                }
            }
            None => {}
        }
        if self.no_temperature {
            o.remove("temperature");
        }
        match &self.effort {
            Some(None) => {
                o.remove("reasoning_effort");
            }
            Some(Some(v)) if o.contains_key("reasoning_effort") => {
                o.insert("reasoning_effort".into(), v.clone().into());
            }
            _ => {}
        }
        b
    }

    /// Learns from a 400 about `param` for the request `sent`; false when there is nothing
    /// left to change (the 400 is then fatal).
    pub fn learn(&mut self, param: &str, message: &str, sent: &Value) -> bool {
        let before = self.clone();
        match param {
            "max_tokens" if sent.get("max_tokens").is_some() => {
                self.tokens = Some(TokenParam::MaxCompletionTokens)
            }
            "max_completion_tokens" if sent.get("max_completion_tokens").is_some() => {
                self.tokens = Some(TokenParam::MaxTokens)
            }
            "temperature" if sent.get("temperature").is_some() => self.no_temperature = true,
            "reasoning_effort" => {
                let current = sent["reasoning_effort"].as_str().unwrap_or_default();
                let m = message.to_ascii_lowercase();
                // A value this model does not take, and 'low' is one it does: ask for 'low'.
                self.effort = if current != "low" && m.contains("value") && m.contains("'low'") {
                    Some(Some("low".into()))
                } else {
                    Some(None)
                };
            }
            _ => {}
        }
        *self != before
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Option<Secret>,
    policy: RetryPolicy,
    adapt: Mutex<Adapt>,
}

/// Why one attempt failed, and whether (and when) to try again.
enum Attempt {
    Retry(String, Option<Duration>),
    Fail(CallError),
}

impl Client {
    pub fn new(
        base: &str,
        key: Option<Secret>,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Result<Client, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("prodinsight/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            key,
            policy,
            adapt: Mutex::new(Adapt::default()),
        })
    }

    /// `text` without the key or anything that looks like one.
    pub fn redact(&self, text: &str) -> String {
        redact(self.key.as_ref(), text)
    }

    /// What the server was found not to take so far.
    pub fn adapt(&self) -> Adapt {
        self.adapt.lock().map(|a| a.clone()).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.key {
            Some(Secret(k)) => rb.bearer_auth(k),
            None => rb,
        }
    }

    /// POST /chat/completions; the reply's JSON body. A 400 that names a parameter this model does
    /// not take (`max_tokens`, `temperature`, `reasoning_effort`, `max_completion_tokens`) changes
    /// the request's shape for this and every later request, and the request is sent again.
    pub async fn chat(&self, body: &Value) -> Result<Value, CallError> {
        let mut lessons = 0;
        loop {
            let sent = self.adapt().apply(body);
            let r = self
                .send(|| {
                    self.auth(self.http.post(self.url("chat/completions")))
                        .json(&sent)
                })
                .await;
            let text = match r {
                Ok(text) => text,
                Err(CallError::Unsupported { param, message }) => {
                    let learned = self
                        .adapt
                        .lock()
                        .map(|mut a| a.learn(&param, &message, &sent))
                        .unwrap_or(false);
                    // Another request may have learned it meanwhile: then the body differs now.
                    let changed = learned || self.adapt().apply(body) != sent;
                    lessons += 1;
                    if changed && lessons <= 4 {
                        continue;
                    }
                    return Err(CallError::Fatal(message));
                }
                Err(e) => return Err(e),
            };
            return serde_json::from_str(&text).map_err(|e| {
                CallError::Garbage(
                    self.redact(&format!("the reply is not JSON ({e}): {}", snippet(&text))),
                )
            });
        }
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, CallError> {
        let text = self
            .send(|| self.auth(self.http.get(self.url(path))))
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Garbage(self.redact(&format!("GET {path}: not JSON ({e})"))))
    }

    pub async fn get_text(&self, path: &str) -> Result<String, CallError> {
        self.send(|| self.auth(self.http.get(self.url(path)))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, CallError> {
        let text = self
            .send(|| self.auth(self.http.post(self.url(path))).json(body))
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Garbage(self.redact(&format!("POST {path}: not JSON ({e})"))))
    }

    /// POST /files with purpose `batch`.
    pub async fn upload_batch_file(&self, name: &str, bytes: Vec<u8>) -> Result<Value, CallError> {
        let text = self
            .send(|| {
                let part = reqwest::multipart::Part::bytes(bytes.clone())
                    .file_name(name.to_string())
                    .mime_str("application/jsonl")
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(bytes.clone()));
                let form = reqwest::multipart::Form::new()
                    .text("purpose", "batch")
                    .part("file", part);
                self.auth(self.http.post(self.url("files"))).multipart(form)
            })
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Garbage(format!("POST /files: not JSON ({e})")))
    }

    /// Sends until a success, a fatal answer, or the policy gives up; every message redacted.
    async fn send(&self, build: impl Fn() -> reqwest::RequestBuilder) -> Result<String, CallError> {
        self.send_raw(build).await.map_err(|e| match e {
            CallError::Fatal(m) => CallError::Fatal(self.redact(&m)),
            CallError::Exhausted(m) => CallError::Exhausted(self.redact(&m)),
            CallError::Garbage(m) => CallError::Garbage(self.redact(&m)),
            CallError::Unsupported { param, message } => CallError::Unsupported {
                param,
                message: self.redact(&message),
            },
        })
    }

    async fn send_raw(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<String, CallError> {
        let started = Instant::now();
        let mut last = String::new();
        for attempt in 0..self.policy.max_attempts.max(1) {
            let outcome = match build().send().await {
                Err(e) => Attempt::Retry(network_error(&e, &self.base), None),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .filter(|s| s.is_finite() && *s >= 0.0)
                        .map(|s| Duration::from_secs_f64(s.min(120.0)));
                    match resp.text().await {
                        Err(e) => Attempt::Retry(network_error(&e, &self.base), None),
                        Ok(text) if (200..300).contains(&status) => return Ok(text),
                        Ok(text) => classify(status, &text, retry_after),
                    }
                }
            };
            match outcome {
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(why, after) => {
                    last = why;
                    if attempt + 1 >= self.policy.max_attempts {
                        break;
                    }
                    let delay = after.unwrap_or_else(|| self.backoff(attempt));
                    if started.elapsed() + delay > self.policy.max_elapsed {
                        break;
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
        Err(CallError::Exhausted(format!(
            "gave up after {:.1} s: {last}",
            started.elapsed().as_secs_f64()
        )))
    }

    /// base × 2^attempt, capped, times a jitter in [0.5, 1.5) so that clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .policy
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.policy.max_delay);
        exp.mul_f64(0.5 + jitter())
    }
}

/// What went wrong on the way to the server, with its real cause (refused, DNS, TLS, timeout) and
/// the base URL without any user info; reqwest's own text names the full URL, which is left out.
/// Callers redact the result, so a key in the base URL's path does not get out either.
fn network_error(e: &reqwest::Error, base: &str) -> String {
    let what = if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "cannot connect to"
    } else {
        "network error from"
    };
    let mut causes: Vec<String> = Vec::new();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let text = c.to_string();
        // hyper wraps the cause in words of its own ("client error (Connect)"); each layer may
        // also repeat the one below.
        if !text.starts_with("client error (") && !causes.iter().any(|p| p.contains(&text)) {
            causes.push(text);
        }
        cause = c.source();
    }
    if causes.is_empty() {
        let text = e.to_string();
        causes.push(match e.url() {
            Some(u) => text.replace(&format!(" for url ({u})"), ""),
            None => text,
        });
    }
    let base = without_userinfo(base);
    match e.is_timeout() {
        true => format!("{what} ({base}): {}", causes.join(": ")),
        false => format!("{what} {base}: {}", causes.join(": ")),
    }
}

/// `http://user:pass@host/…` as `http://host/…`: credentials in a URL are secrets too.
fn without_userinfo(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_string();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => base.to_string(),
    }
}

/// The API's error message, if the body is its error JSON; its code; the parameter it names.
fn api_message(text: &str) -> (String, String, String) {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let e = &v["error"];
    let message = e["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| snippet(text));
    let code = e["code"]
        .as_str()
        .or_else(|| e["type"].as_str())
        .unwrap_or_default()
        .to_string();
    let param = e["param"].as_str().unwrap_or_default().to_string();
    (message, code, param)
}

/// The request parameters whose absence or shape a server may object to, and that `chat` can change.
const ADAPTABLE: [&str; 4] = [
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "reasoning_effort",
];

/// The adaptable parameter a 400 objects to: its `param`, or the first one its message names
/// ("Unsupported parameter: 'max_tokens' … Use 'max_completion_tokens' instead"), when the
/// message says it is not supported or not recognized.
fn unsupported_param(message: &str, code: &str, param: &str) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    let says = code.starts_with("unsupported")
        || [
            "unsupported",
            "not supported",
            "unrecognized",
            "unknown",
            "not permitted",
        ]
        .iter()
        .any(|w| m.contains(w));
    if !says {
        return None;
    }
    if let Some(p) = ADAPTABLE.iter().find(|p| **p == param) {
        return Some(p);
    }
    ADAPTABLE
        .iter()
        .filter_map(|p| {
            // As a word: 'max_tokens' is not inside 'max_completion_tokens', but check the edges.
            m.match_indices(p).find_map(|(i, _)| {
                let before = m[..i].chars().last();
                let after = m[i + p.len()..].chars().next();
                let edge = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                (edge(before) && edge(after)).then_some((i, *p))
            })
        })
        .min()
        .map(|(_, p)| p)
}

fn classify(status: u16, text: &str, retry_after: Option<Duration>) -> Attempt {
    let (message, code, param) = api_message(text);
    match status {
        400 | 422 if unsupported_param(&message, &code, &param).is_some() => {
            Attempt::Fail(CallError::Unsupported {
                param: unsupported_param(&message, &code, &param)
                    .unwrap_or_default()
                    .to_string(),
                message: format!("the LLM server rejected the request ({status}): {message}"),
            })
        }
        401 | 403 => Attempt::Fail(CallError::Fatal(format!(
            "the LLM server refused the API key ({status}): {message}"
        ))),
        429 if code == "insufficient_quota" => Attempt::Fail(CallError::Fatal(format!(
            "the LLM account's quota is exhausted (429 insufficient_quota): {message}"
        ))),
        408 | 409 | 429 | 500..=599 => {
            Attempt::Retry(format!("HTTP {status}: {message}"), retry_after)
        }
        _ => Attempt::Fail(CallError::Fatal(format!(
            "the LLM server rejected the request ({status}): {message}"
        ))),
    }
}

fn snippet(text: &str) -> String {
    let t: String = text.chars().take(160).collect();
    t.replace('\n', " ")
}

/// A number in [0, 1) that differs between calls and processes; good enough to spread retries.
fn jitter() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn base_urls_lose_their_credentials() {
        assert_eq!(
            super::without_userinfo("http://u:k@h:1/v1"),
            "http://h:1/v1"
        );
        assert_eq!(super::without_userinfo("http://h/v1@x"), "http://h/v1@x");
        assert_eq!(super::without_userinfo("no-scheme"), "no-scheme");
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn the_request_shape_adapts_once_per_lesson() {
        let mut a = Adapt::default();
        let body = json!({"model": "x", "max_tokens": 100, "temperature": 0});
        assert!(a.learn("max_tokens", "", &body));
        let b = a.apply(&body);
        assert_eq!(b.get("max_tokens"), None);
        assert_eq!(
            b["max_completion_tokens"],
            100 + prompt::REASONING_HEADROOM_UNKNOWN
        );
        assert!(
            !a.learn("max_tokens", "", &b),
            "nothing left to change: fatal"
        );
        assert!(a.learn("temperature", "", &b));
        assert_eq!(a.apply(&body).get("temperature"), None);
        // 'minimal' refused where 'low' is taken: 'low'; refused again: none at all.
        let r = json!({"reasoning_effort": "minimal", "max_completion_tokens": 5});
        let msg = "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'low', 'medium', and 'high'.";
        let mut a = Adapt::default();
        assert!(a.learn("reasoning_effort", msg, &r));
        let r2 = a.apply(&r);
        assert_eq!(r2["reasoning_effort"], "low");
        assert!(a.learn("reasoning_effort", msg, &r2));
        assert_eq!(a.apply(&r).get("reasoning_effort"), None);
        // And back to `max_tokens` for a server that only knows it.
        let mut a = Adapt::default();
        assert!(a.learn("max_completion_tokens", "", &r));
        assert_eq!(a.apply(&r)["max_tokens"], 5);
    }

    #[test]
    fn faults_are_classified() {
        assert!(matches!(
            classify(401, "{}", None),
            Attempt::Fail(CallError::Fatal(_))
        ));
        assert!(matches!(
            classify(400, "{}", None),
            Attempt::Fail(CallError::Fatal(_))
        ));
        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert!(matches!(
            classify(429, quota, None),
            Attempt::Fail(CallError::Fatal(_))
        ));
        let after = Some(Duration::from_secs(2));
        match classify(
            429,
            r#"{"error":{"message":"slow down","code":"rate_limit_exceeded"}}"#,
            after,
        ) {
            Attempt::Retry(why, a) => {
                assert!(why.contains("slow down"));
                assert_eq!(a, after);
            }
            _ => panic!("429 is retried"),
        }
        assert!(matches!(
            classify(503, "oops", None),
            Attempt::Retry(_, None)
        ));
        assert_eq!(format!("{:?}", Secret::new("sk-123".into())), "Secret(***)");
        // A 400 naming a parameter this model does not take can be adapted to; another cannot.
        let unsupported = r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}"#;
        assert!(matches!(
            classify(400, unsupported, None),
            Attempt::Fail(CallError::Unsupported { ref param, .. }) if param == "max_tokens"
        ));
        let no_param = r#"{"error":{"message":"Unrecognized request argument supplied: max_completion_tokens"}}"#;
        assert!(matches!(
            classify(400, no_param, None),
            Attempt::Fail(CallError::Unsupported { ref param, .. }) if param == "max_completion_tokens"
        ));
        let other = r#"{"error":{"message":"Invalid schema for response_format","param":"response_format"}}"#;
        assert!(matches!(
            classify(400, other, None),
            Attempt::Fail(CallError::Fatal(_))
        ));
        let j: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(j.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(j.windows(2).any(|w| w[0] != w[1]));
    }
}
