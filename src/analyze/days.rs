//! Each product's reviews per day, for time windows (`store::windows`): counts by overall
//! sentiment and stars, and per issue code. A review counts on its date; an undated one on the day
//! of the analysis run in which it first appeared.

use std::collections::{BTreeMap, HashSet};

use crate::model::{overall_sentiment as overall, Sentiment};
use crate::names::Names;
use crate::store::insights::ReviewRow;
use crate::store::windows::{Counts, DayAspectRow, DayIssueRow, DayLikedRow, DayRow, ProductDays};

/// The day an undated review counts on: that of the first earlier analysis run whose watermark
/// covers the ingest run that brought it, else this run's.
pub struct RunDays {
    /// (watermark, day), both rising.
    runs: Vec<(i64, String)>,
    today: String,
}

impl RunDays {
    pub fn new(runs: Vec<(i64, String)>, today: String) -> RunDays {
        RunDays { runs, today }
    }

    fn day(&self, first_run: i64) -> &str {
        let i = self.runs.partition_point(|(w, _)| *w < first_run);
        self.runs
            .get(i)
            .map_or(self.today.as_str(), |r| r.1.as_str())
    }
}

/// A review's date as `YYYY-MM-DD`, when it starts with a valid one.
fn review_day(d: Option<&str>) -> Option<&str> {
    let day = d?.get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(|_| day)
}

type Key = (String, bool);

/// One product's days being counted.
#[derive(Default)]
pub struct DayAcc {
    days: BTreeMap<Key, Counts>,
    issues: BTreeMap<(Key, String), [i64; 4]>,
    /// Reviews praising each term per day.
    liked: BTreeMap<(Key, String), i64>,
    /// Reviews naming each complaint-aspect term per day: all, rated, stars summed.
    aspects: BTreeMap<(Key, String), [i64; 3]>,
    names: Names,
}

/// A stored liked aspect's term (`model::LikedAspect`), borrowed from the stored JSON.
#[derive(serde::Deserialize)]
struct LikedTerm<'a> {
    #[serde(borrow)]
    term: std::borrow::Cow<'a, str>,
}

impl DayAcc {
    pub fn add(&mut self, r: &ReviewRow, runs: &RunDays) {
        let key: Key = match review_day(r.review_date.as_deref()) {
            Some(d) => (d.to_string(), true),
            None => (runs.day(r.first_run).to_string(), false),
        };
        let text = r.text_sentiment.as_deref().and_then(Sentiment::parse);
        let all = overall(r.rating, text);
        let stars = r.rating.filter(|x| (1..=5).contains(x)).map(i64::from);
        let c = self.days.entry(key.clone()).or_default();
        c.reviews += 1;
        if let Some(x) = stars {
            c.rated += 1;
            c.rating_sum += x;
        }
        match all {
            Sentiment::Positive => c.positive += 1,
            Sentiment::Neutral => c.neutral += 1,
            Sentiment::Negative => c.negative += 1,
        }
        for hit in &r.issues {
            let e = self
                .issues
                .entry((key.clone(), hit.code.clone()))
                .or_default();
            e[0] += 1;
            if all != Sentiment::Positive {
                e[1] += 1;
            }
            if let Some(x) = stars {
                e[2] += 1;
                e[3] += x;
            }
        }
        self.add_aspects(r, &key, stars);
        self.add_liked(r, key);
    }

    /// Counts the review's complaint-aspect terms on its day (a term once per review).
    fn add_aspects(&mut self, r: &ReviewRow, key: &Key, stars: Option<i64>) {
        for (i, term) in r.aspects.iter().enumerate() {
            if r.aspects[..i].contains(term) {
                continue;
            }
            let e = self.aspects.entry((key.clone(), term.clone())).or_default();
            e[0] += 1;
            if let Some(x) = stars {
                e[1] += 1;
                e[2] += x;
            }
        }
    }

    /// Counts the review's liked terms on its day (a term once per review).
    fn add_liked(&mut self, r: &ReviewRow, key: Key) {
        if r.liked.len() <= 2 {
            return;
        }
        // Results the analyzer wrote; one that does not parse praises nothing, as in the roll-up.
        let items: Vec<LikedTerm<'_>> = serde_json::from_str(&r.liked).unwrap_or_default();
        let mut seen: Vec<&str> = Vec::with_capacity(items.len());
        for l in &items {
            if seen.contains(&l.term.as_ref()) {
                continue;
            }
            seen.push(l.term.as_ref());
            *self
                .liked
                .entry((key.clone(), l.term.to_string()))
                .or_default() += 1;
        }
    }

    /// The product's rows; the accumulator is empty again for the next product.
    /// `named`: the words the product's reviews use as names (`ProductAcc::product_names`).
    pub fn take(
        &mut self,
        asin: &str,
        brand: Option<&str>,
        named: &HashSet<String>,
    ) -> ProductDays {
        let days = std::mem::take(&mut self.days)
            .into_iter()
            .map(|((day, dated), counts)| DayRow { day, dated, counts })
            .collect();
        let issues = std::mem::take(&mut self.issues)
            .into_iter()
            .map(|(((day, dated), code), e)| DayIssueRow {
                day,
                dated,
                code,
                reviews: e[0],
                negative_neutral: e[1],
                rated_with: e[2],
                rating_sum_with: e[3],
            })
            .collect();
        let liked = std::mem::take(&mut self.liked)
            .into_iter()
            .filter(|((_, term), _)| !self.names.is_product_name_term(brand, named, term))
            .map(|(((day, dated), term), reviews)| DayLikedRow {
                day,
                dated,
                term,
                reviews,
            })
            .collect();
        let aspects = std::mem::take(&mut self.aspects)
            .into_iter()
            .filter(|((_, term), _)| !self.names.is_product_name_term(brand, named, term))
            .map(|(((day, dated), term), c)| DayAspectRow {
                day,
                dated,
                term,
                reviews: c[0],
                rated: c[1],
                rating_sum: c[2],
            })
            .collect();
        ProductDays {
            asin: asin.to_string(),
            brand: brand.unwrap_or("(no brand)").to_string(),
            days,
            issues,
            liked,
            aspects,
        }
    }
}
