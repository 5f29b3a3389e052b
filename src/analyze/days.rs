//! Each product's reviews per day, for time windows (`store::windows`): counts by overall
//! sentiment and stars, and per issue code. A review counts on its date; an undated one on the day
//! of the analysis run in which it first appeared.

use std::collections::{BTreeMap, HashSet};

use crate::model::{overall_sentiment as overall, Sentiment};
use crate::names::Names;
use crate::store::insights::ReviewRow;
use crate::store::windows::{
    Counts, DayAspectRow, DayIssueRow, DayLikedRow, DayRow, DaySliceRow, ProductDays,
};

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
    /// Per marketplace and per language (and issue code in each, '' for the slice itself):
    /// reviews, rated, stars summed, negative, negative or neutral.
    slices: BTreeMap<(Key, &'static str, String, String), [i64; 5]>,
    names: Names,
}

/// A breakdown's key for an unknown marketplace or language, as the roll-up names it.
const UNKNOWN: &str = "unknown";

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
        self.add_slices(r, &key, all, stars);
        self.add_liked(r, key);
    }

    /// Counts the review in its marketplace's and its language's slices of its day, as the
    /// roll-up's breakdowns count it (`rollup::add_breakdowns`), so a window over every day sums
    /// to the all-time breakdowns.
    fn add_slices(&mut self, r: &ReviewRow, key: &Key, all: Sentiment, stars: Option<i64>) {
        let market = r.marketplace.as_deref().unwrap_or(UNKNOWN);
        let lang = r.language.as_deref().unwrap_or(UNKNOWN);
        let nn = i64::from(all != Sentiment::Positive);
        for (dimension, name) in [("marketplace", market), ("language", lang)] {
            let e = (self.slices)
                .entry((key.clone(), dimension, name.to_string(), String::new()))
                .or_default();
            e[0] += 1;
            if let Some(x) = stars {
                e[1] += 1;
                e[2] += x;
            }
            e[3] += i64::from(all == Sentiment::Negative);
            e[4] += nn;
            for hit in &r.issues {
                let e = (self.slices)
                    .entry((key.clone(), dimension, name.to_string(), hit.code.clone()))
                    .or_default();
                e[0] += 1;
                e[4] += nn;
            }
        }
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
        let slices = std::mem::take(&mut self.slices)
            .into_iter()
            .map(|(((day, dated), dimension, key, code), c)| DaySliceRow {
                day,
                dated,
                dimension,
                key,
                code,
                reviews: c[0],
                rated: c[1],
                rating_sum: c[2],
                negative: c[3],
                negative_neutral: c[4],
            })
            .collect();
        ProductDays {
            asin: asin.to_string(),
            brand: brand.unwrap_or("(no brand)").to_string(),
            days,
            issues,
            liked,
            aspects,
            slices,
        }
    }
}
