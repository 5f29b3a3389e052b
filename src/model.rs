//! Plain data types shared by the commands. No I/O here.

use serde::Serialize;

/// One review as ingest understood it, before it is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewRecord {
    pub source_review_id: Option<String>,
    pub asin: String,
    pub brand: Option<String>,
    pub rating: Option<u8>,
    pub title: Option<String>,
    pub body: Option<String>,
    /// ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SSZ` when the source had a time.
    pub review_date: Option<String>,
    pub marketplace: Option<String>,
    pub product_title: Option<String>,
    /// The source's other fields as a JSON object, so nothing it had is lost.
    pub extra: Option<String>,
}

pub type Hash = [u8; 16];

/// The languages the offline analyzer reads. A text in any other language (Japanese, Russian, …)
/// is named but left neutral with no issues; its stars still count.
pub const OFFLINE_LANGUAGES: [&str; 8] = ["en", "de", "fr", "it", "es", "nl", "pl", "sv"];

/// The languages the analyzer whose results are stored under `key` ("offline/1.9/t4") reads, or
/// None when it reads every language (an LLM).
pub fn languages_read(key: &str) -> Option<&'static [&'static str]> {
    key.starts_with("offline/")
        .then_some(&OFFLINE_LANGUAGES[..])
}

/// Of the reviews per language, those in a language the analyzer `key` names but cannot read
/// ("unknown" is no language named).
pub fn languages_not_read(
    key: &str,
    langs: &std::collections::BTreeMap<String, i64>,
) -> std::collections::BTreeMap<String, i64> {
    let Some(read) = languages_read(key) else {
        return Default::default();
    };
    (langs.iter())
        .filter(|(l, _)| l.as_str() != "unknown" && !read.contains(&l.as_str()))
        .map(|(l, n)| (l.clone(), *n))
        .collect()
}

/// The summary of reviews in languages not analyzed, most first; None when there are none.
pub fn not_analyzed_line(langs: &std::collections::BTreeMap<String, i64>) -> Option<String> {
    let total: i64 = langs.values().sum();
    if total == 0 {
        return None;
    }
    let mut by: Vec<_> = langs.iter().collect();
    by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = by.iter().map(|(l, n)| format!("{l} {n}")).collect();
    Some(format!(
        "{total} review{} in languages not analyzed: {}",
        if total == 1 { "" } else { "s" },
        list.join(", ")
    ))
}

/// Where a review's stars put it, as the offline analyzer reads its text: a customer who gives
/// one or two stars is complaining, and a four- or five-star review needs a clear problem report
/// before it gets an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StarBucket {
    Low,
    Middle,
    High,
}

impl StarBucket {
    /// The bucket of a rating (1-2, 3, 4-5); None for no rating or one out of range.
    pub fn of(rating: Option<u8>) -> Option<StarBucket> {
        match rating? {
            1 | 2 => Some(StarBucket::Low),
            3 => Some(StarBucket::Middle),
            4 | 5 => Some(StarBucket::High),
            _ => None,
        }
    }
}

/// A text to analyze: its hash, title and body, and the star rating of (one of) its reviews.
#[derive(Debug, Clone)]
pub struct TextRow {
    pub hash: Hash,
    pub title: Option<String>,
    pub body: Option<String>,
    pub rating: Option<u8>,
}

/// A record with its identity and hashes, computed where it is parsed (ingest's parser thread)
/// rather than where it is written.
#[derive(Debug, Clone)]
pub struct Keyed {
    pub record: ReviewRecord,
    pub key: String,
    pub content_hash: Hash,
    pub text_hash: Hash,
}

impl From<ReviewRecord> for Keyed {
    fn from(record: ReviewRecord) -> Keyed {
        Keyed {
            key: record.review_key(),
            content_hash: record.content_hash(),
            text_hash: record.text_hash(),
            record,
        }
    }
}

impl ReviewRecord {
    /// The identity of the review: the source's id, or a hash of product and content.
    pub fn review_key(&self) -> String {
        match &self.source_review_id {
            Some(id) => {
                let mut k = String::with_capacity(id.len() + 3);
                k.push_str("id:");
                k.push_str(id);
                k
            }
            None => {
                let h = hash_fields(&[
                    self.asin.as_bytes(),
                    &[self.rating.unwrap_or(0)],
                    opt(&self.title),
                    opt(&self.body),
                ]);
                format!("h:{}", hex::encode(h))
            }
        }
    }

    /// Changes when an edit to the review should be recorded as a new version.
    pub fn content_hash(&self) -> Hash {
        hash_fields(&[
            &[self.rating.unwrap_or(0)],
            opt(&self.title),
            opt(&self.body),
            opt(&self.review_date),
        ])
    }

    /// What the analyzers read: the same text shares one result whatever product it is on.
    pub fn text_hash(&self) -> Hash {
        text_hash(self.title.as_deref(), self.body.as_deref(), self.rating)
    }
}

/// The text and its star bucket (`StarBucket`): the offline analyzer reads "too small" in a
/// one-star review and in a five-star one differently, so each bucket has its own result. Ratings
/// within one bucket share it.
pub fn text_hash(title: Option<&str>, body: Option<&str>, rating: Option<u8>) -> Hash {
    let bucket = match StarBucket::of(rating) {
        None => 0u8,
        Some(StarBucket::Low) => 1,
        Some(StarBucket::Middle) => 2,
        Some(StarBucket::High) => 3,
    };
    hash_fields(&[
        title.unwrap_or("").as_bytes(),
        body.unwrap_or("").as_bytes(),
        &[bucket],
    ])
}

fn opt(s: &Option<String>) -> &[u8] {
    s.as_deref().unwrap_or("").as_bytes()
}

/// BLAKE3 over length-prefixed fields (so `("ab","c")` and `("a","bc")` differ), cut to 128 bits.
/// Most reviews fit a stack buffer, hashed in one call (BLAKE3's one-chunk fast path, the same
/// digest as feeding the pieces one by one); longer ones are streamed.
fn hash_fields(fields: &[&[u8]]) -> Hash {
    let len: usize = fields.iter().map(|f| f.len() + 8).sum();
    let digest = if len <= 1024 {
        let mut buf = [0u8; 1024];
        let mut at = 0;
        for f in fields {
            buf[at..at + 8].copy_from_slice(&(f.len() as u64).to_le_bytes());
            buf[at + 8..at + 8 + f.len()].copy_from_slice(f);
            at += 8 + f.len();
        }
        blake3::hash(&buf[..at])
    } else {
        let mut h = blake3::Hasher::new();
        for f in fields {
            h.update(&(f.len() as u64).to_le_bytes());
            h.update(f);
        }
        h.finalize()
    };
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest.as_bytes()[..16]);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }

    pub fn parse(s: &str) -> Option<Sentiment> {
        match s {
            "positive" => Some(Sentiment::Positive),
            "neutral" => Some(Sentiment::Neutral),
            "negative" => Some(Sentiment::Negative),
            _ => None,
        }
    }

    /// Stars decide where there are stars: 4-5 positive, 1-2 negative; 3 or none leave it to the text.
    pub fn from_rating(rating: Option<u8>) -> Option<Sentiment> {
        match rating {
            Some(4..=5) => Some(Sentiment::Positive),
            Some(1..=2) => Some(Sentiment::Negative),
            _ => None,
        }
    }
}

/// Stars decide where there are stars (4-5, 1-2); the text decides for 3 stars or none.
pub fn overall_sentiment(rating: Option<u8>, text: Option<Sentiment>) -> Sentiment {
    Sentiment::from_rating(rating).unwrap_or(text.unwrap_or(Sentiment::Neutral))
}

/// Stars and text point opposite ways: a 5-star review that complains hides an issue.
pub fn stars_text_disagree(rating: Option<u8>, text: Option<Sentiment>) -> bool {
    matches!(
        (Sentiment::from_rating(rating), text),
        (Some(Sentiment::Positive), Some(Sentiment::Negative))
            | (Some(Sentiment::Negative), Some(Sentiment::Positive))
    )
}

/// Whether two quotes say the same, but for letter case and spacing: the same review posted on
/// two marketplaces is one quote, wherever quotes are chosen.
pub fn same_quote(a: &str, b: &str) -> bool {
    a == b || {
        let words = |s: &'_ str| {
            s.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        words(a) == words(b)
    }
}

/// An issue found in a review, with the sentence that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IssueHit {
    #[schema(value_type = crate::filters::schema::IssueCode, inline)]
    pub code: String,
    /// the words of the review that report it
    pub evidence: String,
}

/// An aspect a review praises ("sound quality"), with the sentence that praises it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LikedAspect {
    pub term: String,
    pub evidence: String,
}

/// What an analyzer says about one review text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextAnalysis {
    pub language: Option<String>,
    pub sentiment: Sentiment,
    pub score: f64,
    pub issues: Vec<IssueHit>,
    /// Complaint aspects: what its negative sentences criticise.
    pub aspects: Vec<String>,
    /// What its positive sentences praise.
    pub liked: Vec<LikedAspect>,
    /// Words the text uses as names of a maker, brand or model (lower case): the product's
    /// roll-up leaves out aspect terms that its reviews name this way.
    pub names: Vec<String>,
}

/// Counts from ingesting one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestCounts {
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub duplicates: u64,
    pub rejected: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> ReviewRecord {
        ReviewRecord {
            source_review_id: None,
            asin: "B0X".into(),
            brand: Some("Acme".into()),
            rating: Some(5),
            title: Some("Great".into()),
            body: Some("Works".into()),
            review_date: None,
            marketplace: None,
            product_title: None,
            extra: None,
        }
    }

    #[test]
    fn key_is_stable_and_content_sensitive() {
        let a = rec();
        assert_eq!(a.review_key(), rec().review_key());
        let mut b = rec();
        b.body = Some("Broke".into());
        assert_ne!(a.review_key(), b.review_key());
        let mut c = rec();
        c.source_review_id = Some("R1".into());
        assert_eq!(c.review_key(), "id:R1");
    }

    #[test]
    fn field_boundaries_matter() {
        let mut a = rec();
        a.title = Some("ab".into());
        a.body = Some("c".into());
        let mut b = rec();
        b.title = Some("a".into());
        b.body = Some("bc".into());
        assert_ne!(a.text_hash(), b.text_hash());
    }

    #[test]
    fn the_text_hash_keeps_the_star_bucket_apart_and_ratings_within_one_together() {
        let with = |rating| ReviewRecord { rating, ..rec() };
        assert_eq!(with(Some(4)).text_hash(), with(Some(5)).text_hash());
        assert_eq!(with(Some(1)).text_hash(), with(Some(2)).text_hash());
        assert_ne!(with(Some(2)).text_hash(), with(Some(3)).text_hash());
        assert_ne!(with(Some(3)).text_hash(), with(Some(4)).text_hash());
        assert_ne!(with(None).text_hash(), with(Some(5)).text_hash());
    }
}
