//! Typed rows of the read views (one product in full, brands, issues, runs, portfolio months): one
//! definition that the API serialises and `report` renders as tables, CSV and HTML, so a renamed
//! field fails to compile instead of printing an empty cell. Field order is the JSON order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::numbers::{avg_with_without, StarImpact};
use crate::topics::Labels;

/// Everything about one product (`report product`, `GET /api/v1/products/{id}`). The fields up to
/// `last_review_date` are the document `analyze` stores in `product_details`, in its order; the
/// rest are added on reading.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProductDetail {
    pub asin: String,
    pub brand: Option<String>,
    pub review_count: i64,
    pub rated_count: i64,
    pub avg_rating: Option<f64>,
    pub rating_histogram: RatingHistogram,
    pub pct_positive: f64,
    pub pct_neutral: f64,
    pub pct_negative: f64,
    pub neg_delta: Option<f64>,
    pub sentiment_by_stars: SentimentShares,
    pub sentiment_by_text: SentimentShares,
    pub stars_text_disagreements: i64,
    pub issues: Vec<IssueDetail>,
    pub complaint_aspects: Vec<AspectCount>,
    /// What customers like (absent in documents written before analyzer 1.9).
    #[serde(default)]
    pub liked_aspects: Vec<LikedAspectCount>,
    pub languages: BTreeMap<String, i64>,
    pub last_review_date: Option<String>,
    /// Issues that only positive reviews mention ("no more rattle"): not complaints, so not in
    /// `issues` (which negative and neutral reviews rank).
    #[serde(default)]
    pub mentioned_in_praise: Vec<IssueDetail>,
    /// By marketplace and by language (empty in documents written before them).
    #[serde(default)]
    pub breakdowns: Breakdowns,
    /// The product's reviews at its previous analysis run, which the issues' and liked aspects'
    /// changes compare with (null on its first run; added on reading).
    #[serde(default)]
    pub previous_review_count: Option<i64>,
    /// The LLM's one-paragraph summary (`analyze --summaries`), added on reading; null without.
    #[serde(default)]
    pub summary: Option<ProductSummaryText>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub marketplace: Option<String>,
    #[serde(default)]
    pub trend: Vec<MonthTrend>,
    #[serde(default)]
    pub history: Vec<HistoryPoint>,
}

/// A product's summary as the LLM wrote it from its counts and quotes, with the model and the
/// analysis run that wrote it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ProductSummaryText {
    pub text: String,
    pub model: String,
    pub run_id: i64,
}

/// Reviews per star rating.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct RatingHistogram {
    #[serde(rename = "1")]
    pub one: i64,
    #[serde(rename = "2")]
    pub two: i64,
    #[serde(rename = "3")]
    pub three: i64,
    #[serde(rename = "4")]
    pub four: i64,
    #[serde(rename = "5")]
    pub five: i64,
}

impl RatingHistogram {
    /// The counts from 1 star to 5.
    pub fn counts(&self) -> [i64; 5] {
        [self.one, self.two, self.three, self.four, self.five]
    }
}

/// Shares of positive, neutral and negative, in percent.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct SentimentShares {
    pub positive: f64,
    pub neutral: f64,
    pub negative: f64,
}

/// One issue of a product, with quotes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IssueDetail {
    pub code: String,
    pub label: String,
    pub count: i64,
    pub share: f64,
    pub share_of_negative: f64,
    pub examples: Vec<Quote>,
    /// Negative and neutral reviews reporting it: what ranks the issues.
    #[serde(default)]
    pub count_negative_neutral: i64,
    /// Rated reviews reporting it (absent in documents written before star impact).
    #[serde(default)]
    pub rated_with: i64,
    /// Average rating of the rated reviews reporting it and of the others; null below
    /// `numbers::MIN_IMPACT_REVIEWS` rated reviews reporting it.
    #[serde(default)]
    pub avg_rating_with: Option<f64>,
    #[serde(default)]
    pub avg_rating_without: Option<f64>,
    /// Stars the product's average would gain if it were fixed (`numbers::StarImpact`).
    #[serde(default)]
    pub stars_gained: Option<f64>,
    /// Since the previous analysis run (added on reading).
    #[serde(flatten)]
    pub change: Change,
}

/// How a count moved since the product's previous analysis run: the count then, the change in
/// reviews and in share of the product's reviews (points, from the exact shares). All null on the
/// product's first run, or when the previous run did not keep the count.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Change {
    #[serde(default)]
    pub previous_count: Option<i64>,
    #[serde(default)]
    pub count_change: Option<i64>,
    #[serde(default)]
    pub share_change: Option<f64>,
}

impl Change {
    /// No change is known: none, or one without a previous run. (A flattened `Option` reads back
    /// as `Some` with every field null, so both mean the same.)
    pub fn unknown(c: &Option<Change>) -> bool {
        c.is_none_or(|c| c.previous_count.is_none() && c.share_change.is_none())
    }

    /// From `count` of `n` reviews now and `before` = (count, reviews) at the previous run.
    pub fn new(count: i64, n: i64, before: Option<(i64, i64)>) -> Change {
        Change {
            previous_count: before.map(|b| b.0),
            count_change: before.map(|b| count - b.0),
            share_change: crate::numbers::pct_delta((count, n), before),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Quote {
    pub review_id: String,
    pub text: String,
    /// The review's stars and language (absent in documents written before analyzer 1.8).
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AspectCount {
    pub term: String,
    pub count: i64,
    /// Its star impact, as an issue's (absent in documents written before star impact).
    #[serde(default)]
    pub avg_rating_with: Option<f64>,
    #[serde(default)]
    pub avg_rating_without: Option<f64>,
    #[serde(default)]
    pub stars_gained: Option<f64>,
    /// Since the product's previous analysis run (added on reading); absent when nothing is known
    /// (its first run, or a snapshot written before complaint aspects were kept).
    #[serde(flatten, skip_serializing_if = "Change::unknown")]
    pub change: Option<Change>,
}

/// An aspect customers praise: the reviews that praise it, their share of the product's reviews
/// (percent), and one praising sentence.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LikedAspectCount {
    pub term: String,
    pub count: i64,
    pub share: f64,
    pub quote: Option<AspectQuote>,
    /// Since the product's previous analysis run: a product's only (added on reading); absent
    /// for a brand's or the portfolio's, and when nothing is known (a product's first run).
    #[serde(flatten, skip_serializing_if = "Change::unknown")]
    pub change: Option<Change>,
}

/// A sentence of a review, with the review's stars and language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct AspectQuote {
    pub text: String,
    /// The review's stars (null when it has none).
    #[schema(minimum = 1, maximum = 5)]
    pub stars: Option<u8>,
    /// The review's detected language (null when unknown).
    pub language: Option<String>,
}

/// One month of a product's reviews (by review date).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MonthTrend {
    pub month: String,
    pub reviews: i64,
    pub avg_rating: Option<f64>,
    pub pct_negative: f64,
    /// Reviews per issue code; null if the stored column is unreadable.
    pub issues: Option<BTreeMap<String, i64>>,
}

/// A product as of one analysis run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub run_id: i64,
    pub at: Option<String>,
    pub review_count: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: f64,
    pub pct_negative: f64,
    /// The issues most reviews reported at that run (most first, at most three).
    #[serde(default)]
    pub top_issues: Vec<BrandIssue>,
}

/// A brand as of one analysis run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrandPoint {
    pub run_id: i64,
    pub at: Option<String>,
    pub review_count: i64,
    pub avg_rating: Option<f64>,
    pub pct_negative: f64,
    /// The issues most reviews reported at that run (most first, at most three).
    pub top_issues: Vec<BrandIssue>,
}

/// How many issues a point of history names.
pub const TOP_ISSUES_IN_HISTORY: usize = 3;

/// The first few of (code, count, negative or neutral reviews) with their labels, ranked as top
/// issues are: by negative and neutral reviews (when known: snapshots from before they were
/// counted have only the count), then by count, then by code. Praise-only issues are left out.
pub fn top_issues(mut counts: Vec<(String, i64, Option<i64>)>, labels: &Labels) -> Vec<BrandIssue> {
    counts.retain(|c| c.2 != Some(0));
    counts.sort_by(|a, b| {
        (b.2.unwrap_or(b.1), b.1)
            .cmp(&(a.2.unwrap_or(a.1), a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    counts
        .into_iter()
        .take(TOP_ISSUES_IN_HISTORY)
        .map(|(code, count, nn)| BrandIssue {
            label: labels.label(&code),
            code,
            count,
            count_negative_neutral: nn,
            ..Default::default()
        })
        .collect()
}

/// A brand's roll-up: the document `analyze` stores in `brand_insights`, in its order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrandSummary {
    pub brand: String,
    pub products: i64,
    pub review_count: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: f64,
    pub pct_negative: f64,
    pub issues: Vec<BrandIssue>,
    /// Reviews with stars (the average is over these). Added with exact roll-ups: documents
    /// stored before them read 0 and null here until the next analysis run.
    #[serde(default)]
    pub rated_count: i64,
    #[serde(default)]
    pub pct_neutral: f64,
    /// Change in % negative since the previous analysis run, in points from the exact shares;
    /// null on the brand's first run.
    #[serde(default)]
    pub neg_delta: Option<f64>,
    #[serde(default)]
    pub previous_review_count: Option<i64>,
    #[serde(default)]
    pub previous_pct_negative: Option<f64>,
    /// By marketplace and by language (empty in documents written before them).
    #[serde(default)]
    pub breakdowns: Breakdowns,
    /// What customers like across its products (empty in documents written before it).
    #[serde(default)]
    pub liked_aspects: Vec<LikedAspectCount>,
    /// The brand at each analysis run, oldest first (filled on reading).
    #[serde(default)]
    pub history: Vec<BrandPoint>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrandIssue {
    pub code: String,
    pub label: String,
    pub count: i64,
    /// Negative and neutral reviews reporting it (what ranks a brand's issues); absent in a
    /// run's history, which keeps counts only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_negative_neutral: Option<i64>,
    /// A brand's star impact (as a product's issue's); absent in history and below the minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_rating_with: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_rating_without: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars_gained: Option<f64>,
}

/// An issue ranked across the portfolio (or the brands asked for).
#[derive(Debug, Clone, Serialize)]
pub struct IssueRow {
    pub code: String,
    pub label: String,
    /// Reviews reporting it.
    pub reviews: i64,
    /// Products affected.
    pub products: i64,
    /// Negative and neutral reviews reporting it: what ranks the list. 0: only positive reviews
    /// mention it (the overview lists those apart, as mentioned in praise).
    pub reviews_negative_neutral: i64,
    /// Rated reviews reporting it.
    pub rated_with: i64,
    /// Average rating of the rated reviews reporting it and of all the others in scope; null below
    /// `numbers::MIN_IMPACT_REVIEWS` rated reviews reporting it.
    pub avg_rating_with: Option<f64>,
    pub avg_rating_without: Option<f64>,
    /// Stars the average of every rated review in scope would gain if it were fixed.
    pub stars_gained: Option<f64>,
    #[serde(skip)]
    impact: Option<StarImpact>,
}

/// An issue's sums across products: what `IssueRow` is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueSums {
    pub code: String,
    /// The label, when the store knows it (custom topics'); else the taxonomy's.
    pub label: Option<String>,
    pub reviews: i64,
    pub products: i64,
    pub negative_neutral: i64,
    /// Rated reviews reporting it, their stars summed.
    pub rated_with: i64,
    pub rating_sum_with: i64,
    /// Every rated review in scope (the products of the brands asked for), their stars summed.
    pub rated_all: i64,
    pub rating_sum_all: i64,
}

impl IssueRow {
    pub fn new(s: IssueSums) -> IssueRow {
        let (with, all) = (
            (s.rated_with, s.rating_sum_with),
            (s.rated_all, s.rating_sum_all),
        );
        let (avg_rating_with, avg_rating_without) = avg_with_without(with, all);
        let impact = StarImpact::new(with, all);
        IssueRow {
            label: s
                .label
                .clone()
                .unwrap_or_else(|| crate::taxonomy::label(&s.code).to_string()),
            code: s.code,
            reviews: s.reviews,
            products: s.products,
            reviews_negative_neutral: s.negative_neutral,
            rated_with: s.rated_with,
            avg_rating_with,
            avg_rating_without,
            stars_gained: impact.map(StarImpact::rounded),
            impact,
        }
    }
}

/// How `report issues` and `GET /api/v1/issues` rank issues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IssueSort {
    /// Negative and neutral reviews reporting it, then all reviews, then code.
    #[default]
    Reviews,
    /// Stars gained if fixed (exact), most first; issues without an impact last; then code.
    Impact,
}

impl IssueSort {
    pub const ALL: [IssueSort; 2] = [IssueSort::Reviews, IssueSort::Impact];

    pub fn name(self) -> &'static str {
        match self {
            IssueSort::Reviews => "reviews",
            IssueSort::Impact => "impact",
        }
    }

    pub fn parse(s: &str) -> Option<IssueSort> {
        IssueSort::ALL.into_iter().find(|k| k.name() == s)
    }

    /// `rows` in this order.
    pub fn sort(self, rows: &mut [IssueRow]) {
        match self {
            IssueSort::Reviews => rows.sort_by(|a, b| {
                (b.reviews_negative_neutral, b.reviews)
                    .cmp(&(a.reviews_negative_neutral, a.reviews))
                    .then_with(|| a.code.cmp(&b.code))
            }),
            // None < Some: reversed, the largest impact comes first and None last.
            IssueSort::Impact => {
                rows.sort_by(|a, b| b.impact.cmp(&a.impact).then_with(|| a.code.cmp(&b.code)))
            }
        }
    }
}

/// Where a page of a ranked issue list ended: the issues in the whole list, and the code of the
/// page's last issue when more follow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssuePage {
    pub total: usize,
    pub next: Option<String>,
}

/// Cuts a ranked issue list to the page after the issue `after` (a code), `limit` long. Issues are
/// a few dozen ranked in memory, so a page resumes at that code's place in the ranking; None when
/// the list no longer has it (the insights changed since the cursor was made).
pub fn issue_page<T>(
    rows: &mut Vec<T>,
    code: impl Fn(&T) -> &str,
    after: Option<&str>,
    limit: usize,
) -> Option<IssuePage> {
    let total = rows.len();
    if let Some(a) = after {
        let at = rows.iter().position(|r| code(r) == a)?;
        rows.drain(..=at);
    }
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = (more && !rows.is_empty())
        .then(|| rows.last().map(|r| code(r).to_string()))
        .flatten();
    Some(IssuePage { total, next })
}

/// One analysis run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: String,
    pub analyzer: String,
    pub taxonomy_version: i64,
    pub reviews_total: i64,
    pub reviews_analyzed: i64,
    pub reviews_reused: i64,
    pub products_updated: i64,
    pub duration_ms: Option<i64>,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_usd: f64,
    pub requests: i64,
    pub reviews_fallback: i64,
    pub cached_tokens: i64,
    pub texts_failed: i64,
}

/// The portfolio in one review month.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioMonth {
    pub month: String,
    pub reviews: i64,
    pub avg_rating: Option<f64>,
    pub pct_negative: Option<f64>,
}

/// Reviews by marketplace and by language (`breakdowns` of a product, a brand, the portfolio).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Breakdowns {
    pub by_marketplace: Vec<BreakdownRow>,
    pub by_language: Vec<BreakdownRow>,
}

/// One marketplace or language: its reviews, % negative (of them), average rating (of the rated
/// ones) and top issues; "unknown" when none is known. Rows of a dimension add up to the totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BreakdownRow {
    pub key: String,
    pub reviews: i64,
    pub negative: i64,
    pub pct_negative: f64,
    pub rated_count: i64,
    pub avg_rating: Option<f64>,
    /// At most three, ranked as top issues are (negative and neutral reviews, then all).
    pub top_issues: Vec<BrandIssue>,
}

/// The counts one breakdown row comes from; roll-ups add these, never rounded figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SliceCounts {
    pub reviews: i64,
    pub rated: i64,
    pub rating_sum: i64,
    pub negative: i64,
    /// Per issue code: (reviews reporting it, negative or neutral reviews reporting it).
    pub issues: BTreeMap<String, (i64, i64)>,
}

impl SliceCounts {
    pub fn add(&mut self, o: &SliceCounts) {
        self.reviews += o.reviews;
        self.rated += o.rated;
        self.rating_sum += o.rating_sum;
        self.negative += o.negative;
        for (code, (n, nn)) in &o.issues {
            let e = self.issues.entry(code.clone()).or_default();
            e.0 += n;
            e.1 += nn;
        }
    }

    pub fn row(&self, key: &str, labels: &Labels) -> BreakdownRow {
        let counts = (self.issues.iter())
            .map(|(c, (n, nn))| (c.clone(), *n, Some(*nn)))
            .collect();
        BreakdownRow {
            key: key.to_string(),
            reviews: self.reviews,
            negative: self.negative,
            pct_negative: crate::numbers::pct(self.negative, self.reviews),
            rated_count: self.rated,
            avg_rating: crate::numbers::avg(self.rating_sum, self.rated),
            top_issues: top_issues(counts, labels),
        }
    }
}

/// Counts per marketplace and per language, keyed by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BreakdownCounts {
    pub marketplace: BTreeMap<String, SliceCounts>,
    pub language: BTreeMap<String, SliceCounts>,
}

impl BreakdownCounts {
    /// The rows, most reviews first (ties by name).
    pub fn rows(&self, labels: &Labels) -> Breakdowns {
        let rows = |m: &BTreeMap<String, SliceCounts>| {
            let mut v: Vec<BreakdownRow> = m.iter().map(|(k, c)| c.row(k, labels)).collect();
            v.sort_by(|a, b| b.reviews.cmp(&a.reviews).then_with(|| a.key.cmp(&b.key)));
            v
        };
        Breakdowns {
            by_marketplace: rows(&self.marketplace),
            by_language: rows(&self.language),
        }
    }
}
