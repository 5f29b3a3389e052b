//! The run's alerts: every review is counted as before (already there at the base run) or new,
//! per product, brand, and issue within a brand or the portfolio; `decide` applies the alert rule
//! (`crate::alert_rule`) to each and keeps up to 3 new reviews per alert as quotes.

use std::collections::{BTreeMap, HashSet};

use crate::alert_rule::{decide, Count, Rule};
use crate::model::{overall_sentiment, Sentiment};
use crate::store::changes::{NewAlert, QuoteRef};
use crate::store::insights::ReviewRow;
use crate::store::rollups::AlertPart;

const QUOTES: usize = 3;

/// Counts before and after for one subject, and the new reviews to quote (with their products).
#[derive(Default)]
struct Tally {
    before: Count,
    after: Count,
    quotes: Vec<(String, QuoteRef)>,
    /// At most one quote per product: a brand's or an issue's quotes then show its spread, not
    /// one product's many reviews.
    spread: bool,
}

impl Tally {
    fn spread() -> Tally {
        Tally {
            spread: true,
            ..Default::default()
        }
    }

    fn add(&mut self, is_new: bool, hit: bool, r: &ReviewRow) {
        self.after.add(hit);
        if !is_new {
            self.before.add(hit);
            return;
        }
        if !hit || (self.spread && self.quotes.iter().any(|(a, _)| *a == r.asin)) {
            return;
        }
        // Lowest stars first; among equals, the first read (ASIN order).
        let stars = |s: Option<u8>| s.unwrap_or(6);
        let at = self
            .quotes
            .partition_point(|(_, x)| stars(x.stars) <= stars(r.rating));
        if at < QUOTES {
            let q = QuoteRef {
                review: r.id,
                stars: r.rating,
                language: r.language.clone(),
            };
            self.quotes.insert(at, (r.asin.clone(), q));
            self.quotes.truncate(QUOTES);
        }
    }

    fn quote_refs(&self) -> Vec<QuoteRef> {
        self.quotes.iter().map(|(_, q)| q.clone()).collect()
    }
}

/// Where an issue's share is counted.
#[derive(PartialEq, Eq, PartialOrd, Ord, Clone)]
enum Scope {
    Brand(String),
    Portfolio,
}

/// All subjects of one run, keyed for a stable order. Reviews arrive grouped by product (in ASIN
/// order), so a product is decided when its last review is counted and only its alert, if any, is
/// kept: memory grows with the alerts, not with the products.
pub struct AlertAcc {
    rule: Rule,
    /// Reviews first ingested after this ingest run are the window's new ones.
    watermark: i64,
    /// The product being counted: ASIN, brand, tally.
    product: Option<(String, Option<String>, Tally)>,
    product_alerts: Vec<NewAlert>,
    brands: BTreeMap<String, Tally>,
    portfolio: Tally,
    /// Reviews reporting each issue; their share is of the scope's reviews.
    issues: BTreeMap<(Scope, String), Tally>,
}

impl AlertAcc {
    pub fn new(rule: Rule, watermark: i64) -> AlertAcc {
        AlertAcc {
            rule,
            watermark,
            product: None,
            product_alerts: Vec::new(),
            brands: BTreeMap::new(),
            portfolio: Tally::spread(),
            issues: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, r: &ReviewRow) {
        let is_new = r.first_run > self.watermark;
        let text = r.text_sentiment.as_deref().and_then(Sentiment::parse);
        let negative = overall_sentiment(r.rating, text) == Sentiment::Negative;
        if self.product.as_ref().is_some_and(|p| p.0 != r.asin) {
            self.close_product();
        }
        let product = self
            .product
            .get_or_insert_with(|| (r.asin.clone(), r.brand.clone(), Tally::default()));
        product.2.add(is_new, negative, r);
        self.portfolio.add(is_new, negative, r);
        let codes: HashSet<&str> = r.issues.iter().map(|h| h.code.as_str()).collect();
        let mut scopes = vec![Scope::Portfolio];
        if let Some(b) = &r.brand {
            self.brands
                .entry(b.clone())
                .or_insert_with(Tally::spread)
                .add(is_new, negative, r);
            scopes.push(Scope::Brand(b.clone()));
        }
        for code in codes {
            for s in &scopes {
                let t = self
                    .issues
                    .entry((s.clone(), code.to_string()))
                    .or_insert_with(Tally::spread);
                t.add(is_new, true, r);
            }
        }
    }

    /// Counts a product none of whose reviews is new (nor changed since the base run): in its
    /// brand's, the portfolio's and its issues' counts, before and after alike. Its own alert
    /// cannot rise without new reviews.
    pub fn add_unchanged(&mut self, p: &AlertPart) {
        let both = |t: &mut Tally, k: i64, n: i64| {
            for c in [&mut t.before, &mut t.after] {
                c.k += k;
                c.n += n;
            }
        };
        both(&mut self.portfolio, p.negative, p.reviews);
        let mut scopes = vec![Scope::Portfolio];
        if let Some(b) = &p.brand {
            let t = self.brands.entry(b.clone()).or_insert_with(Tally::spread);
            both(t, p.negative, p.reviews);
            scopes.push(Scope::Brand(b.clone()));
        }
        for (code, n) in &p.issues {
            for s in &scopes {
                let t = self
                    .issues
                    .entry((s.clone(), code.clone()))
                    .or_insert_with(Tally::spread);
                both(t, *n, *n);
            }
        }
    }

    /// Decides the product being counted.
    fn close_product(&mut self) {
        let Some((asin, brand, t)) = self.product.take() else {
            return;
        };
        if t.after.n < self.rule.product_min_reviews {
            return;
        }
        let kind = "negative_rose";
        if let Some(a) = raise(
            &self.rule, "product", "product", kind, t.before, t.after, &t,
        ) {
            self.product_alerts.push(NewAlert {
                asin: Some(asin),
                brand,
                ..a
            });
        }
    }

    /// The alerts under the rule, largest change first (exactly compared), then by subject.
    pub fn decide(mut self) -> Vec<NewAlert> {
        self.close_product();
        let rule = self.rule;
        let raise = |level, scope, kind, before, after, t: &Tally| {
            raise(&rule, level, scope, kind, before, after, t)
        };
        let mut out = std::mem::take(&mut self.product_alerts);
        for (brand, t) in &self.brands {
            if let Some(a) = raise("brand", "brand", "negative_rose", t.before, t.after, t) {
                out.push(NewAlert {
                    brand: Some(brand.clone()),
                    ..a
                });
            }
        }
        for ((scope, code), t) in self.issues {
            let (scope, of, brand) = match scope {
                Scope::Brand(b) => ("brand", self.brands.get(&b), Some(b)),
                Scope::Portfolio => ("portfolio", Some(&self.portfolio), None),
            };
            let Some(of) = of else { continue };
            // The issue's share is of all the scope's reviews.
            let before = Count {
                k: t.before.k,
                n: of.before.n,
            };
            let after = Count {
                k: t.after.k,
                n: of.after.n,
            };
            let kind = if before.k == 0 {
                "new_issue"
            } else {
                "issue_rose"
            };
            if let Some(a) = raise("issue", scope, kind, before, after, &t) {
                out.push(NewAlert {
                    brand,
                    issue: Some(code),
                    ..a
                });
            }
        }
        out.sort_by_key(|a| std::cmp::Reverse(by_change(a)));
        out
    }
}

/// The alert on one subject, if the rule raises one.
fn raise(
    rule: &Rule,
    level: &'static str,
    scope: &'static str,
    kind: &'static str,
    before: Count,
    after: Count,
    t: &Tally,
) -> Option<NewAlert> {
    let p = decide(rule, before, after)?;
    Some(NewAlert {
        level,
        scope,
        kind,
        asin: None,
        brand: None,
        issue: None,
        before,
        after,
        p_value: p,
        quotes: t.quote_refs(),
    })
}

/// An alert's change as an exact fraction, for ordering: (k1·n0 − k0·n1) / (n0·n1).
struct Change(i128, i128);

impl PartialEq for Change {
    fn eq(&self, o: &Change) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for Change {}
impl PartialOrd for Change {
    fn partial_cmp(&self, o: &Change) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Change {
    fn cmp(&self, o: &Change) -> std::cmp::Ordering {
        (self.0 * o.1).cmp(&(o.0 * self.1))
    }
}

fn by_change(a: &NewAlert) -> Change {
    let (k0, n0, k1, n1) = (
        i128::from(a.before.k),
        i128::from(a.before.n.max(1)),
        i128::from(a.after.k),
        i128::from(a.after.n.max(1)),
    );
    Change(k1 * n0 - k0 * n1, n0 * n1)
}
