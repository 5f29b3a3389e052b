//! A window's figures and their comparison with the window before: rows (products, brands, the
//! portfolio), issues with their star impact, liked aspects; computed from integer counts through
//! `numbers`, rounded once.

use std::collections::HashMap;

use serde::Serialize;

use super::window_days::Counts;
use super::window_evidence::WindowQuote;
use super::windows::IssueCounts;
use crate::numbers::{avg, pct, pct_delta, star_figures, StarImpact};
use crate::store::views::{AspectQuote, IssueSort};

/// A window's figures, from counts: shares and the average are null when the window holds no
/// (rated) reviews, never NaN.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Figures {
    pub reviews: i64,
    /// null for brands and the portfolio (see `Counts::products`)
    pub products: Option<i64>,
    pub rated: i64,
    pub avg_rating: Option<f64>,
    pub pct_positive: Option<f64>,
    pub pct_neutral: Option<f64>,
    pub pct_negative: Option<f64>,
    pub negative: i64,
}

impl Figures {
    pub fn from_counts(c: &Counts) -> Figures {
        let share = |k: i64| (c.reviews > 0).then(|| pct(k, c.reviews));
        Figures {
            reviews: c.reviews,
            products: c.products,
            rated: c.rated,
            avg_rating: avg(c.rating_sum, c.rated),
            pct_positive: share(c.positive),
            pct_neutral: share(c.neutral),
            pct_negative: share(c.negative),
            negative: c.negative,
        }
    }
}

/// A product's, brand's or the portfolio's figures in the window and, with `--compare previous`,
/// in the window before with the changes (Δ reviews, Δ average stars, Δ negative share in points).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowRow {
    /// The ASIN, the brand, or "portfolio".
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Figures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_avg_rating: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_pct_negative: Option<f64>,
    #[serde(skip)]
    pub counts: Counts,
}

/// An issue in the window: reviews reporting it, their share of the scope's reviews, the average
/// stars of the rated reviews with and without it and the stars gained if fixed (from
/// `numbers::MIN_IMPACT_REVIEWS` reporting it), and the change in share since the window before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowIssue {
    pub code: String,
    pub label: String,
    pub reviews: i64,
    pub negative_neutral: i64,
    /// products reporting it: for one product only (null for brands and the portfolio)
    pub products: Option<i64>,
    pub share: Option<f64>,
    pub avg_with: Option<f64>,
    pub avg_without: Option<f64>,
    pub impact: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
    /// Up to 3 quotes (stars, language) from the window's reviews reporting it, newest first (over
    /// brands or the portfolio: newest day, then ASIN descending, then newest review; on the first
    /// 50 issues of the list); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<WindowQuote>,
    #[serde(skip)]
    pub exact_impact: Option<StarImpact>,
}

/// How many liked aspects a window lists (as many as a product's own).
pub const WINDOW_LIKED: usize = 20;

/// A liked aspect in the window: reviews praising it, their share of the scope's reviews, and
/// the change in share since the window before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WindowLiked {
    pub term: String,
    pub reviews: i64,
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_reviews: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_share: Option<f64>,
    /// A sentence praising it from a review dated in the window, with the review's stars and
    /// language (one whose stars agree with the praise when there is one), as all-time liked
    /// aspects carry; null when none is found.
    pub quote: Option<AspectQuote>,
}

/// The scope's most praised terms in the window (ties by term), given its reviews in the window
/// (`all`) and, when compared, the counts and reviews of the window before.
pub fn window_liked(
    now: HashMap<String, i64>,
    all: i64,
    before: Option<(HashMap<String, i64>, i64)>,
) -> Vec<WindowLiked> {
    let mut ranked: Vec<(String, i64)> = now.into_iter().filter(|(_, k)| *k > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(WINDOW_LIKED);
    ranked
        .into_iter()
        .map(|(term, k)| {
            let prev = before
                .as_ref()
                .map(|(b, n)| (b.get(&term).copied().unwrap_or(0), *n));
            WindowLiked {
                reviews: k,
                share: (all > 0).then(|| pct(k, all)),
                previous_reviews: prev.map(|p| p.0),
                delta_share: prev.and_then(|p| pct_delta((k, all), Some(p))),
                quote: None,
                term,
            }
        })
        .collect()
}

/// Rows in the window, with the window before when asked for.
pub fn window_rows(
    now: Vec<(String, Counts)>,
    before: Option<Vec<(String, Counts)>>,
) -> Vec<WindowRow> {
    let before: Option<HashMap<String, Counts>> = before.map(|b| b.into_iter().collect());
    now.into_iter()
        .map(|(key, c)| {
            let prev = before
                .as_ref()
                .map(|b| b.get(&key).copied().unwrap_or_default());
            WindowRow {
                figures: Figures::from_counts(&c),
                previous: prev.as_ref().map(Figures::from_counts),
                delta_reviews: prev.map(|p| c.reviews - p.reviews),
                delta_avg_rating: prev.and_then(|p| avg_change(&c, &p)),
                delta_pct_negative: prev.and_then(|p| {
                    pct_delta((c.negative, c.reviews), Some((p.negative, p.reviews)))
                }),
                key,
                counts: c,
            }
        })
        .collect()
}

/// The change in average stars to 0.01, from the exact averages.
fn avg_change(now: &Counts, before: &Counts) -> Option<f64> {
    if now.rated == 0 || before.rated == 0 {
        return None;
    }
    let num = 100
        * (now.rating_sum as i128 * before.rated as i128
            - before.rating_sum as i128 * now.rated as i128);
    let den = now.rated as i128 * before.rated as i128;
    let q = (2 * num.abs() + den) / (2 * den);
    Some((if num < 0 { -q } else { q }) as f64 / 100.0)
}

/// The issues of a scope in the window, in `sort`'s order, given the scope's own counts (`all`).
pub fn window_issues(
    now: HashMap<String, IssueCounts>,
    all: &Counts,
    before: Option<(HashMap<String, IssueCounts>, Counts)>,
    sort: IssueSort,
    labels: &crate::topics::Labels,
) -> Vec<WindowIssue> {
    let mut out: Vec<WindowIssue> = now
        .into_iter()
        .filter(|(_, c)| c.reviews > 0)
        .map(|(code, c)| {
            let with = (c.rated_with, c.rating_sum_with);
            let stars = star_figures(with, (all.rated, all.rating_sum));
            let prev = before.as_ref().map(|(b, bc)| {
                let k = b.get(&code).map_or(0, |p| p.reviews);
                (k, bc.reviews)
            });
            WindowIssue {
                label: labels.label(&code),
                reviews: c.reviews,
                negative_neutral: c.negative_neutral,
                products: c.products,
                share: (all.reviews > 0).then(|| pct(c.reviews, all.reviews)),
                avg_with: stars.with,
                avg_without: stars.without,
                impact: stars.gained,
                previous_reviews: prev.map(|p| p.0),
                delta_share: prev.and_then(|p| pct_delta((c.reviews, all.reviews), Some(p))),
                exact_impact: StarImpact::new(with, (all.rated, all.rating_sum)),
                examples: Vec::new(),
                code,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        match sort {
            IssueSort::Reviews => {
                (b.negative_neutral, b.reviews).cmp(&(a.negative_neutral, a.reviews))
            }
            IssueSort::Impact => match (&a.exact_impact, &b.exact_impact) {
                (Some(x), Some(y)) => y.cmp(x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        }
        .then_with(|| a.code.cmp(&b.code))
    });
    out
}
