//! The HTTP side of an OpenAI-compatible API: requests with a timeout, transient faults retried with
//! jittered exponential backoff (honouring `retry-after`), and the faults that retrying cannot fix
//! (a refused key, a bad request, an exhausted quota) reported as fatal.

use std::time::{Duration, Instant};

use serde_json::Value;

/// An API key: never printed, logged or stored. Debug shows only that there is one.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
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
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Option<Secret>,
    policy: RetryPolicy,
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
    ) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("prodinsight/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            key,
            policy,
        })
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

    /// POST /chat/completions; the reply's JSON body.
    pub async fn chat(&self, body: &Value) -> Result<Value, CallError> {
        let text = self
            .send(|| {
                self.auth(self.http.post(self.url("chat/completions")))
                    .json(body)
            })
            .await?;
        serde_json::from_str(&text).map_err(|e| {
            CallError::Garbage(format!("the reply is not JSON ({e}): {}", snippet(&text)))
        })
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, CallError> {
        let text = self
            .send(|| self.auth(self.http.get(self.url(path))))
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Garbage(format!("GET {path}: not JSON ({e})")))
    }

    pub async fn get_text(&self, path: &str) -> Result<String, CallError> {
        self.send(|| self.auth(self.http.get(self.url(path)))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, CallError> {
        let text = self
            .send(|| self.auth(self.http.post(self.url(path))).json(body))
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| CallError::Garbage(format!("POST {path}: not JSON ({e})")))
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

    /// Sends until a success, a fatal answer, or the policy gives up.
    async fn send(&self, build: impl Fn() -> reqwest::RequestBuilder) -> Result<String, CallError> {
        let started = Instant::now();
        let mut last = String::new();
        for attempt in 0..self.policy.max_attempts.max(1) {
            let outcome = match build().send().await {
                Err(e) => Attempt::Retry(network_error(&e), None),
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
                        Err(e) => Attempt::Retry(network_error(&e), None),
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

fn network_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "cannot connect to the server".into()
    } else {
        // Without the URL: it is ours, and the error is about the transport.
        format!("network error: {e}")
    }
}

/// The API's error message, if the body is its error JSON.
fn api_message(text: &str) -> (String, String) {
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
    (message, code)
}

fn classify(status: u16, text: &str, retry_after: Option<Duration>) -> Attempt {
    let (message, code) = api_message(text);
    match status {
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
    use super::*;

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
        let j: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(j.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(j.windows(2).any(|w| w[0] != w[1]));
    }
}
