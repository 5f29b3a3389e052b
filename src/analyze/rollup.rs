//! Per-product and per-brand insights from analyzed reviews: counts, shares, top issues with quotes,
//! complaint aspects, languages, and monthly buckets by review date.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Value};

use crate::model::{overall_sentiment as overall, stars_text_disagree as disagrees, Sentiment};
use crate::names::Names;
use crate::numbers::{avg, pct, pct_delta, star_figures};
use crate::store::insights::{
    BrandRow, Counts, IssueCount, LikedQuote, LikedSum, MonthRow, ProductRow, ReviewRow,
};
use crate::store::rollups::{AlertPart, RollupState};
use crate::store::views::{BreakdownCounts, SliceCounts};
use crate::topics::Labels;

const EXAMPLES: usize = 3;
const TOP_ASPECTS: usize = 20;
/// Liked aspects a snapshot keeps counts of: enough that the shown ones' changes are known.
const SNAPSHOT_LIKED: usize = 100;
/// Complaint aspects a snapshot keeps counts of: the 20 shown and those that may rise into them.
const SNAPSHOT_ASPECTS: usize = 50;
/// The language or marketplace of reviews that name none.
const UNKNOWN: &str = "unknown";
/// Reviews that must use a word as a name before the product's aspects leave it out: one
/// reviewer's capitalised "Menu" is not enough.
const NAMED_MIN: i64 = 2;

/// The slice `key` of `slices` (always there), allocating its key only the first time.
fn slice<'a>(
    slices: &'a mut BTreeMap<String, SliceCounts>,
    key: &str,
) -> Option<&'a mut SliceCounts> {
    if !slices.contains_key(key) {
        slices.insert(key.to_string(), SliceCounts::default());
    }
    slices.get_mut(key)
}

#[derive(Default)]
struct IssueAcc {
    count: i64,
    in_negative: i64,
    /// Reviews whose overall label is negative or neutral: what ranks the issue.
    in_negative_neutral: i64,
    /// Rated reviews reporting it and their stars summed: what its star impact comes from.
    rated: i64,
    rating_sum: i64,
    /// Review id, evidence, stars and language of the first few reviews reporting it.
    examples: Vec<(String, String, Option<u8>, Option<String>)>,
}

/// A stored liked aspect (`model::LikedAspect`), borrowed from the stored JSON.
#[derive(serde::Deserialize)]
struct LikedRef<'a> {
    #[serde(borrow)]
    term: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    evidence: std::borrow::Cow<'a, str>,
}

#[derive(Default)]
struct MonthAcc {
    n: i64,
    rated: i64,
    sum: i64,
    neg: i64,
    issues: BTreeMap<String, i64>,
}

/// Accumulates one product's reviews.
#[derive(Default)]
pub struct ProductAcc {
    asin: String,
    brand: Option<String>,
    n: i64,
    rated: i64,
    sum: i64,
    hist: [i64; 5],
    by_stars: [i64; 3],
    by_text: [i64; 3],
    overall: [i64; 3],
    disagree: i64,
    issues: HashMap<String, IssueAcc>,
    /// Per complaint aspect: reviews naming it, the rated ones, their stars summed.
    aspects: HashMap<String, [i64; 3]>,
    liked: HashMap<String, LikedSum>,
    /// Per word: reviews whose text uses it as a name (`TextAnalysis::names`).
    names: HashMap<String, i64>,
    /// The words the product's reviews use as names (`product_names`), set when it finishes.
    named: HashSet<String>,
    langs: BTreeMap<String, i64>,
    last_date: Option<String>,
    months: BTreeMap<String, MonthAcc>,
    breakdowns: BreakdownCounts,
    alerts: Vec<AlertPart>,
}

fn idx(s: Sentiment) -> usize {
    match s {
        Sentiment::Positive => 0,
        Sentiment::Neutral => 1,
        Sentiment::Negative => 2,
    }
}

impl ProductAcc {
    pub fn new(asin: &str, brand: Option<String>) -> ProductAcc {
        ProductAcc {
            asin: asin.to_string(),
            brand,
            ..Default::default()
        }
    }

    pub fn asin(&self) -> &str {
        &self.asin
    }

    pub fn brand(&self) -> Option<&str> {
        self.brand.as_deref()
    }

    pub fn add(&mut self, r: &ReviewRow) {
        self.n += 1;
        let text = r.text_sentiment.as_deref().and_then(Sentiment::parse);
        let all = overall(r.rating, text);
        if let Some(x) = r.rating.filter(|x| (1..=5).contains(x)) {
            self.rated += 1;
            self.sum += x as i64;
            self.hist[x as usize - 1] += 1;
            if let Some(s) = Sentiment::from_rating(Some(x)) {
                self.by_stars[idx(s)] += 1;
            } else {
                self.by_stars[1] += 1;
            }
        }
        if let Some(t) = text {
            self.by_text[idx(t)] += 1;
        }
        self.overall[idx(all)] += 1;
        if disagrees(r.rating, text) {
            self.disagree += 1;
        }
        self.add_issues(r, all);
        let stars = r.rating.filter(|x| (1..=5).contains(x));
        for a in &r.aspects {
            let acc = self.aspects.entry(a.clone()).or_default();
            acc[0] += 1;
            if let Some(x) = stars {
                acc[1] += 1;
                acc[2] += x as i64;
            }
        }
        self.add_liked(r);
        self.add_alert_part(r, all == Sentiment::Negative);
        for w in &r.names {
            *self.names.entry(w.clone()).or_default() += 1;
        }
        let lang = r.language.as_deref().unwrap_or(UNKNOWN);
        *self.langs.entry(lang.to_string()).or_default() += 1;
        self.add_breakdowns(r, all);
        if let Some(d) = &r.review_date {
            if self.last_date.as_deref().is_none_or(|l| d.as_str() > l) {
                self.last_date = Some(d.clone());
            }
            if d.len() >= 7 {
                let m = self.months.entry(d[..7].to_string()).or_default();
                m.n += 1;
                if let Some(x) = r.rating {
                    m.rated += 1;
                    m.sum += x as i64;
                }
                if all == Sentiment::Negative {
                    m.neg += 1;
                }
                for hit in &r.issues {
                    *m.issues.entry(hit.code.clone()).or_default() += 1;
                }
            }
        }
    }

    /// Counts the review's issues (`all`: its overall sentiment) and keeps up to `EXAMPLES`
    /// distinct quotes of each.
    fn add_issues(&mut self, r: &ReviewRow, all: Sentiment) {
        for hit in &r.issues {
            let acc = self.issues.entry(hit.code.clone()).or_default();
            acc.count += 1;
            if all == Sentiment::Negative {
                acc.in_negative += 1;
            }
            if all != Sentiment::Positive {
                acc.in_negative_neutral += 1;
            }
            if let Some(x) = r.rating.filter(|x| (1..=5).contains(x)) {
                acc.rated += 1;
                acc.rating_sum += x as i64;
            }
            // Distinct texts: the same review posted on two marketplaces is quoted once.
            if acc.examples.len() < EXAMPLES
                && !(acc.examples.iter()).any(|e| crate::model::same_quote(&e.1, &hit.evidence))
            {
                acc.examples.push((
                    r.review_id.clone(),
                    hit.evidence.clone(),
                    r.rating,
                    r.language.clone(),
                ));
            }
        }
    }

    /// Counts the review in its marketplace's and its language's slices.
    fn add_breakdowns(&mut self, r: &ReviewRow, all: Sentiment) {
        let lang = r.language.as_deref().unwrap_or(UNKNOWN);
        let market = r.marketplace.as_deref().unwrap_or(UNKNOWN);
        let b = &mut self.breakdowns;
        for slices in [(&mut b.language, lang), (&mut b.marketplace, market)] {
            let Some(c) = slice(slices.0, slices.1) else {
                continue;
            };
            c.reviews += 1;
            if let Some(x) = r.rating.filter(|x| (1..=5).contains(x)) {
                c.rated += 1;
                c.rating_sum += x as i64;
            }
            if all == Sentiment::Negative {
                c.negative += 1;
            }
            for hit in &r.issues {
                let e = c.issues.entry(hit.code.clone()).or_default();
                e.0 += 1;
                if all != Sentiment::Positive {
                    e.1 += 1;
                }
            }
        }
    }

    /// Counts the review as the alerts do: under its own brand, each issue code once.
    fn add_alert_part(&mut self, r: &ReviewRow, negative: bool) {
        let at = match self.alerts.iter().position(|p| p.brand == r.brand) {
            Some(i) => i,
            None => {
                self.alerts.push(AlertPart {
                    brand: r.brand.clone(),
                    ..Default::default()
                });
                self.alerts.len() - 1
            }
        };
        let part = &mut self.alerts[at];
        part.reviews += 1;
        part.negative += i64::from(negative);
        for (i, hit) in r.issues.iter().enumerate() {
            if r.issues[..i].iter().all(|h| h.code != hit.code) {
                *part.issues.entry(hit.code.clone()).or_default() += 1;
            }
        }
    }

    /// Counts the review's liked aspects; allocates only for a new term or a better quote.
    fn add_liked(&mut self, r: &ReviewRow) {
        if r.liked.len() <= 2 {
            return;
        }
        let items: Vec<LikedRef<'_>> = serde_json::from_str(&r.liked).unwrap_or_default();
        for l in items {
            if !self.liked.contains_key(l.term.as_ref()) {
                self.liked.insert(l.term.to_string(), LikedSum::default());
            }
            let Some(acc) = self.liked.get_mut(l.term.as_ref()) else {
                continue;
            };
            acc.count += 1;
            // A quote from a review whose stars agree with the praise, when there is one.
            let agrees = r.rating.is_none_or(|x| x >= 4);
            if acc.quote.as_ref().is_none_or(|q| !q.agrees() && agrees) {
                acc.quote = Some(LikedQuote {
                    text: l.evidence.into_owned(),
                    stars: r.rating,
                    language: r.language.clone(),
                });
            }
        }
    }

    fn negatives(&self) -> i64 {
        self.overall[2]
    }

    /// The product's row; `previous` = (negative reviews, reviews) at the previous run.
    pub fn finish(mut self, previous: Option<(i64, i64)>, labels: &Labels) -> ProductRow {
        self.named = self.product_names();
        let liked = self.ranked_liked();
        let n = self.n;
        let neg = self.negatives();
        let issues = self.ranked_issues();
        let (reported, praise): (Vec<_>, Vec<_>) =
            issues.iter().partition(|(_, a)| a.in_negative_neutral > 0);
        let all = (self.rated, self.sum);
        let (issues_json, praise_json) = (
            issues_json(&reported, n, neg, all, labels),
            issues_json(&praise, n, neg, all, labels),
        );
        let (aspects_json, aspects_snapshot) = self.top_aspects();
        let avg_rating = avg(self.sum, self.rated);
        let pct_negative = pct(neg, n);
        let neg_delta = pct_delta((neg, n), previous);
        let shares = |c: &[i64; 3], total: i64| json!({"positive": pct(c[0], total), "neutral": pct(c[1], total), "negative": pct(c[2], total)});
        let detail = json!({
            "asin": self.asin,
            "brand": self.brand,
            "review_count": n,
            "rated_count": self.rated,
            "avg_rating": avg_rating,
            "rating_histogram": {"1": self.hist[0], "2": self.hist[1], "3": self.hist[2], "4": self.hist[3], "5": self.hist[4]},
            "pct_positive": pct(self.overall[0], n),
            "pct_neutral": pct(self.overall[1], n),
            "pct_negative": pct_negative,
            // No neg_delta: `product_insights` holds it and the reader takes it from there, so a
            // night need not rewrite every kept product's document when its change becomes 0.
            "sentiment_by_stars": shares(&self.by_stars, self.rated),
            "sentiment_by_text": shares(&self.by_text, self.by_text.iter().sum()),
            "stars_text_disagreements": self.disagree,
            "issues": issues_json,
            "complaint_aspects": aspects_json,
            "liked_aspects": liked_json(&liked, n),
            "languages": self.langs,
            "last_review_date": self.last_date,
            "mentioned_in_praise": praise_json,
            "breakdowns": self.breakdowns.rows(labels),
        });
        // Snapshots keep the numbers and issue counts, not the quotes: history stays small.
        let snapshot = json!({
            "review_count": n,
            "avg_rating": avg_rating,
            "pct_negative": pct_negative,
            "rating_histogram": self.hist,
            "issues": issues.iter().map(|(c, a)| (c.to_string(), a.count)).collect::<BTreeMap<_, _>>(),
            "issues_negative_neutral": issues.iter().map(|(c, a)| (c.to_string(), a.in_negative_neutral)).collect::<BTreeMap<_, _>>(),
            "liked": liked_snapshot(&liked),
            "aspects": aspects_snapshot,
        });
        let months = self.month_rows();
        ProductRow {
            asin: self.asin.clone(),
            brand: self.brand.clone(),
            review_count: n,
            rated_count: self.rated,
            avg_rating,
            pct_positive: pct(self.overall[0], n),
            pct_neutral: pct(self.overall[1], n),
            pct_negative,
            neg_delta,
            last_review_date: self.last_date.clone(),
            detail: detail.to_string(),
            snapshot: snapshot.to_string(),
            issues: issue_counts(&issues, n),
            months,
            counts: Counts {
                positive: self.overall[0],
                neutral: self.overall[1],
                negative: neg,
                rating_sum: self.sum,
            },
            previous,
            breakdowns: self.breakdowns,
            liked,
            alerts: self.alerts,
        }
    }

    /// Ranked by what negative and neutral reviews report, then by all reviews; an issue that
    /// only positive reviews mention ("no more rattle") ranks last and is listed apart.
    fn ranked_issues(&self) -> Vec<(&String, &IssueAcc)> {
        let mut issues: Vec<(&String, &IssueAcc)> = self.issues.iter().collect();
        issues.sort_by(|a, b| {
            (b.1.in_negative_neutral.cmp(&a.1.in_negative_neutral))
                .then(b.1.count.cmp(&a.1.count))
                .then(a.0.cmp(b.0))
        });
        issues
    }

    /// Whether an aspect term is only a name (`Names::is_name_term`) for this product's brand,
    /// or made of words its reviews use as names.
    fn is_name(&self, names: &Names, term: &str) -> bool {
        names.is_product_name_term(self.brand.as_deref(), &self.named, term)
    }

    /// The words the product's reviews use as names: by at least `NAMED_MIN` reviews, and by at
    /// least a quarter as many as name the word as a complaint or a liked aspect ("the Menu
    /// button" capitalised twice leaves "menu" an aspect).
    pub fn product_names(&self) -> HashSet<String> {
        (self.names.iter())
            .filter(|(w, &n)| {
                let complaints = self.aspects.get(*w).map_or(0, |a| a[0]);
                let liked = self.liked.get(*w).map_or(0, |l| l.count);
                n >= NAMED_MIN && 4 * n >= complaints.max(liked)
            })
            .map(|(w, _)| w.clone())
            .collect()
    }

    /// Every liked aspect but names, most often praised first.
    fn ranked_liked(&mut self) -> Vec<(String, LikedSum)> {
        let names = Names::new();
        let mut liked: Vec<(String, LikedSum)> = std::mem::take(&mut self.liked)
            .into_iter()
            .filter(|(t, _)| !self.is_name(&names, t))
            .collect();
        liked.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(&b.0)));
        liked
    }

    /// The complaint aspects most often named, without names (`is_name`): a term made only of the
    /// brand's or makers' words is left out. Each with its star impact, as an issue's; and the
    /// run's counts a snapshot keeps (as liked aspects'), for the change at the next run.
    fn top_aspects(&self) -> (Vec<Value>, Value) {
        let names = Names::new();
        let mut aspects: Vec<(&String, &[i64; 3])> = self
            .aspects
            .iter()
            .filter(|(t, _)| !self.is_name(&names, t))
            .collect();
        aspects.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(b.0)));
        let all = (self.rated, self.sum);
        let shown = (aspects.iter().take(TOP_ASPECTS))
            .map(|(t, c)| {
                let f = star_figures((c[1], c[2]), all);
                json!({"term": t, "count": c[0], "avg_rating_with": f.with,
                       "avg_rating_without": f.without, "stars_gained": f.gained})
            })
            .collect();
        let kept: BTreeMap<&str, i64> = (aspects.iter().take(SNAPSHOT_ASPECTS))
            .map(|(t, c)| (t.as_str(), c[0]))
            .collect();
        let below = aspects.get(SNAPSHOT_ASPECTS).map_or(0, |(_, c)| c[0]);
        (shown, json!({"counts": kept, "unlisted_max": below}))
    }

    /// Per month: reviews, average rating, negative share, and issue counts as JSON.
    fn month_rows(&self) -> Vec<MonthRow> {
        self.months
            .iter()
            .map(|(m, a)| MonthRow {
                month: m.clone(),
                reviews: a.n,
                rated: a.rated,
                rating_sum: a.sum,
                negative: a.neg,
                avg_rating: avg(a.sum, a.rated),
                pct_negative: pct(a.neg, a.n),
                issues: serde_json::to_string(&a.issues).unwrap_or_else(|_| "{}".into()),
            })
            .collect()
    }
}

/// The first `TOP_ASPECTS` of the ranked liked aspects, with their share of `n` reviews and quote.
fn liked_json(liked: &[(String, LikedSum)], n: i64) -> Vec<Value> {
    (liked.iter().take(TOP_ASPECTS))
        .map(|(t, a)| {
            let quote = a
                .quote
                .as_ref()
                .map(|q| json!({"text": q.text, "stars": q.stars, "language": q.language}));
            json!({"term": t, "count": a.count, "share": pct(a.count, n), "quote": quote})
        })
        .collect()
}

/// The run's liked counts kept in a snapshot, for the change at the next run: the first
/// `SNAPSHOT_LIKED` terms, and below which count a term not listed may be (0: all are listed).
fn liked_snapshot(liked: &[(String, LikedSum)]) -> Value {
    let kept: BTreeMap<&str, i64> = (liked.iter().take(SNAPSHOT_LIKED))
        .map(|(t, a)| (t.as_str(), a.count))
        .collect();
    let below = liked.get(SNAPSHOT_LIKED).map_or(0, |(_, a)| a.count);
    json!({"counts": kept, "unlisted_max": below})
}

/// The counts stored per issue (`product_issues`), in the order of `issues`.
fn issue_counts(issues: &[(&String, &IssueAcc)], n: i64) -> Vec<IssueCount> {
    issues
        .iter()
        .map(|(c, a)| IssueCount {
            code: c.to_string(),
            count: a.count,
            share: pct(a.count, n),
            negative_neutral: a.in_negative_neutral,
            rated: a.rated,
            rating_sum: a.rating_sum,
        })
        .collect()
}

/// The product's issues, most frequent first, with their shares of its `n` reviews and `neg`
/// negative ones, what each costs in stars of the product's `all` = (rated reviews, stars summed),
/// and example quotes.
fn issues_json(
    issues: &[(&String, &IssueAcc)],
    n: i64,
    neg: i64,
    all: (i64, i64),
    labels: &Labels,
) -> Vec<Value> {
    issues
        .iter()
        .map(|(code, a)| {
            let f = star_figures((a.rated, a.rating_sum), all);
            json!({
                "code": code,
                "label": labels.label(code),
                "count": a.count,
                "share": pct(a.count, n),
                "share_of_negative": pct(a.in_negative, neg),
                "count_negative_neutral": a.in_negative_neutral,
                "rated_with": a.rated,
                "avg_rating_with": f.with,
                "avg_rating_without": f.without,
                "stars_gained": f.gained,
                "examples": a.examples.iter().map(|(id, s, rating, language)| {
                    json!({"review_id": id, "text": s, "rating": rating, "language": language})
                }).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Rolls products up by brand, from their counts (never from their rounded shares).
#[derive(Default)]
pub struct BrandAcc {
    products: i64,
    n: i64,
    rated: i64,
    counts: Counts,
    /// Per issue: reviews, negative or neutral ones, rated ones, their stars summed.
    issues: BTreeMap<String, [i64; 4]>,
    breakdowns: BreakdownCounts,
    liked: BTreeMap<String, LikedSum>,
}

impl BrandAcc {
    pub fn add(&mut self, p: &RollupState) {
        self.products += 1;
        self.n += p.review_count;
        self.rated += p.rated_count;
        self.counts.rating_sum += p.counts.rating_sum;
        self.counts.positive += p.counts.positive;
        self.counts.neutral += p.counts.neutral;
        self.counts.negative += p.counts.negative;
        for i in &p.issues {
            let e = self.issues.entry(i.code.clone()).or_default();
            e[0] += i.count;
            e[1] += i.negative_neutral;
            e[2] += i.rated;
            e[3] += i.rating_sum;
        }
        for (term, l) in &p.liked {
            if let Some(mine) = self.liked.get_mut(term) {
                mine.add(l);
            } else {
                self.liked.insert(term.clone(), l.clone());
            }
        }
        let (mine, theirs) = (&mut self.breakdowns, &p.breakdowns);
        let dims = [
            (&mut mine.marketplace, &theirs.marketplace),
            (&mut mine.language, &theirs.language),
        ];
        for (mine, theirs) in dims {
            for (k, c) in theirs {
                if let Some(s) = slice(mine, k) {
                    s.add(c);
                }
            }
        }
    }

    /// The brand's row; `previous` = (negative reviews, reviews) at the previous run.
    pub fn finish(self, brand: String, previous: Option<(i64, i64)>, labels: &Labels) -> BrandRow {
        // As a product's: by negative and neutral reviews; praise-only issues are left out.
        let mut top: Vec<(&String, &[i64; 4])> =
            self.issues.iter().filter(|(_, c)| c[1] > 0).collect();
        top.sort_by(|a, b| (b.1[1], b.1[0]).cmp(&(a.1[1], a.1[0])).then(a.0.cmp(b.0)));
        let c = self.counts;
        let all = (self.rated, c.rating_sum);
        let issue = |code: &String, i: &[i64; 4]| {
            let f = star_figures((i[2], i[3]), all);
            json!({"code": code, "label": labels.label(code), "count": i[0], "count_negative_neutral": i[1],
                   "avg_rating_with": f.with, "avg_rating_without": f.without, "stars_gained": f.gained})
        };
        let detail = json!({
            "brand": brand,
            "products": self.products,
            "review_count": self.n,
            "avg_rating": avg(c.rating_sum, self.rated),
            "pct_positive": pct(c.positive, self.n),
            "pct_negative": pct(c.negative, self.n),
            "issues": top.iter().map(|(c, i)| issue(c, i)).collect::<Vec<_>>(),
            "rated_count": self.rated,
            "pct_neutral": pct(c.neutral, self.n),
            "neg_delta": pct_delta((c.negative, self.n), previous),
            "previous_review_count": previous.map(|p| p.1),
            "previous_pct_negative": previous.map(|p| pct(p.0, p.1)),
            "breakdowns": self.breakdowns.rows(labels),
            "liked_aspects": liked_json(&ranked_liked(&self.liked), self.n),
        });
        BrandRow {
            brand,
            products: self.products,
            review_count: self.n,
            avg_rating: avg(c.rating_sum, self.rated),
            pct_positive: pct(c.positive, self.n),
            pct_negative: pct(c.negative, self.n),
            negative: c.negative,
            detail: detail.to_string(),
            breakdowns: self.breakdowns,
            liked: self.liked,
        }
    }
}

/// A brand's liked aspects, most often praised first (ties by term).
fn ranked_liked(liked: &BTreeMap<String, LikedSum>) -> Vec<(String, LikedSum)> {
    let mut v: Vec<(&String, &LikedSum)> = liked.iter().collect();
    v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    (v.into_iter().take(TOP_ASPECTS))
        .map(|(t, l)| (t.clone(), l.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(aspects: &[&str]) -> ReviewRow {
        ReviewRow {
            id: 1,
            first_run: 1,
            review_id: "r".into(),
            asin: "B1".into(),
            brand: Some("Apex Digital".into()),
            rating: Some(1),
            review_date: None,
            language: Some("en".into()),
            marketplace: None,
            text_sentiment: Some("negative".into()),
            text_score: Some(-0.5),
            issues: Vec::new(),
            aspects: aspects.iter().map(|a| a.to_string()).collect(),
            liked: String::new(),
            names: Vec::new(),
        }
    }

    fn named(aspects: &[&str], names: &[&str], liked: &str) -> ReviewRow {
        ReviewRow {
            brand: None,
            names: names.iter().map(|a| a.to_string()).collect(),
            liked: liked.into(),
            ..row(aspects)
        }
    }

    fn terms(detail: &Value, key: &str) -> Vec<String> {
        (detail[key].as_array().unwrap().iter())
            .map(|a| a["term"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn words_the_reviews_name_are_no_aspects_without_a_brand() {
        // No brand field: two reviews use "quorvex" as a name ("quorvex q20"), others write it as
        // a complaint or praise; "menu", named by one reviewer only, stays an aspect. A compound
        // with the name goes too: its head ("remote") counts on its own.
        let mut acc = ProductAcc::new("B1", None);
        let praise = r#"[{"term":"quorvex","evidence":"x"},{"term":"screen","evidence":"x"}]"#;
        acc.add(&named(&["quorvex", "remote"], &["quorvex"], praise));
        acc.add(&named(
            &["quorvex remote", "menu"],
            &["quorvex", "menu"],
            "[]",
        ));
        acc.add(&named(&["quorvex", "menu", "remote"], &[], praise));
        let detail: Value =
            serde_json::from_str(&acc.finish(None, &Labels::default()).detail).unwrap();
        assert_eq!(terms(&detail, "complaint_aspects"), vec!["menu", "remote"]);
        assert_eq!(terms(&detail, "liked_aspects"), vec!["screen"]);
    }

    #[test]
    fn a_word_named_far_less_often_than_criticised_stays_an_aspect() {
        let mut acc = ProductAcc::new("B1", None);
        acc.add(&named(&["dial"], &["dial"], "[]"));
        acc.add(&named(&["dial"], &["dial"], "[]"));
        for _ in 0..9 {
            acc.add(&named(&["dial"], &[], "[]"));
        }
        assert!(acc.product_names().is_empty());
    }

    #[test]
    fn the_brand_is_not_a_complaint_aspect() {
        let mut acc = ProductAcc::new("B1", Some("Apex Digital".into()));
        acc.add(&row(&["apex", "remote", "apex remote"]));
        acc.add(&row(&["digital", "remote"]));
        let detail: Value =
            serde_json::from_str(&acc.finish(None, &Labels::default()).detail).unwrap();
        let terms: Vec<String> = detail["complaint_aspects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["term"].as_str().unwrap().to_string())
            .collect();
        // "apex remote" names the brand: the remote counts as "remote".
        assert_eq!(terms, vec!["remote"]);
    }
}
