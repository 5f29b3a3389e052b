//! Who may read: with a token configured, every request but `/healthz` (and CORS preflights) must
//! carry it, as `Authorization: Bearer TOKEN` (programs) or the `prodinsight_token` cookie (the
//! dashboard in a browser, set once by opening `/?token=TOKEN`).

use sha2::{Digest, Sha256};

/// The shortest token accepted: shorter ones can be guessed over the network.
pub const MIN_TOKEN_LEN: usize = 16;
pub const COOKIE: &str = "prodinsight_token";

/// A secret that is never printed: `Debug` shows only that it is set.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A token from its text, trimmed of surrounding whitespace (a file's final newline).
    pub fn new(text: &str) -> Result<Token, String> {
        let t = text.trim();
        if t.chars().count() < MIN_TOKEN_LEN {
            return Err(format!(
                "the API token must be at least {MIN_TOKEN_LEN} characters"
            ));
        }
        if t.chars()
            .any(|c| c.is_control() || c == ' ' || c == ';' || c == ',')
        {
            return Err("the API token may not hold spaces, control characters, ';' or ','".into());
        }
        Ok(Token {
            digest: Sha256::digest(t.as_bytes()).into(),
        })
    }

    /// Compares digests in constant time: how long a wrong guess takes says nothing about how
    /// much of it was right (hashing first also hides the token's length).
    pub fn matches(&self, candidate: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        let diff = d
            .iter()
            .zip(self.digest.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}

/// Whether a request with these headers carries the token.
pub fn authorized<'h>(
    token: &Token,
    mut headers: impl Iterator<Item = (&'h str, &'h str)>,
) -> bool {
    headers.any(|(name, value)| {
        if name.eq_ignore_ascii_case("authorization") {
            let mut parts = value.trim().splitn(2, ' ');
            let scheme = parts.next().unwrap_or("");
            let cred = parts.next().unwrap_or("").trim();
            scheme.eq_ignore_ascii_case("bearer") && token.matches(cred)
        } else if name.eq_ignore_ascii_case("cookie") {
            value.split(';').any(|pair| {
                let (k, v) = pair.trim().split_once('=').unwrap_or(("", ""));
                k == COOKIE && token.matches(v)
            })
        } else {
            false
        }
    })
}

/// The `token` query parameter of a dashboard URL, if any.
pub fn token_in_query(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// The URL as logged: any `token` parameter's value replaced, so the access log holds no secret.
pub fn redact(url: &str) -> std::borrow::Cow<'_, str> {
    let Some((path, query)) = url.split_once('?') else {
        return url.into();
    };
    if !query
        .split('&')
        .any(|p| p == "token" || p.starts_with("token="))
    {
        return url.into();
    }
    let kept: Vec<&str> = query
        .split('&')
        .map(|p| match p == "token" || p.starts_with("token=") {
            true => "token=REDACTED",
            false => p,
        })
        .collect();
    format!("{path}?{}", kept.join("&")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_cookie_match_only_the_token() {
        let t = Token::new("s3cret-token-0123456789\n").unwrap();
        let ok = |h: &[(&str, &str)]| authorized(&t, h.iter().copied());
        assert!(ok(&[("Authorization", "Bearer s3cret-token-0123456789")]));
        assert!(ok(&[(
            "authorization",
            "bearer   s3cret-token-0123456789 "
        )]));
        assert!(ok(&[(
            "Cookie",
            "a=b; prodinsight_token=s3cret-token-0123456789"
        )]));
        assert!(!ok(&[("Authorization", "Bearer s3cret-token-012345678")]));
        assert!(!ok(&[("Authorization", "Basic s3cret-token-0123456789")]));
        assert!(!ok(&[("Cookie", "prodinsight_token=")]));
        assert!(!ok(&[("X-Token", "s3cret-token-0123456789")]));
        assert!(!ok(&[]));
    }

    #[test]
    fn short_or_odd_tokens_are_refused_and_never_shown() {
        assert!(Token::new("short").is_err());
        assert!(Token::new("has a space in it, long enough").is_err());
        let t = Token::new("abcdefghijklmnopq").unwrap();
        assert!(!format!("{t:?}").contains("abcdef"));
    }

    #[test]
    fn the_log_never_holds_the_token() {
        assert_eq!(redact("/?token=abc&x=1"), "/?token=REDACTED&x=1");
        assert_eq!(
            redact("/api/v1/products?q=token"),
            "/api/v1/products?q=token"
        );
        assert_eq!(token_in_query("/?x=1&token=a%2Bb").as_deref(), Some("a+b"));
    }
}
