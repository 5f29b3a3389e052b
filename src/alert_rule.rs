//! The alert rule: when a rise in a share (negative reviews, or reviews reporting an issue) over an
//! analysis run's window is an alert. Pure arithmetic on exact counts, shared by `analyze` (which
//! decides and stores the alerts) and by the simulation that measures the rule (`sim`).
//!
//! - **before** = the reviews that were already there at the previous analysis run, **after** = all
//!   current reviews, **new** = after − before (the window's reviews). Both are read with current
//!   labels, so re-analysis or an edit of an old review never raises an alert by itself.
//! - A rise is an alert when the change after − before, from exact counts, is at least
//!   `min_change_tenths` tenths of a point, and the new reviews' share is credibly higher than the
//!   earlier reviews' share: one-sided Fisher exact test (hypergeometric), p ≤ `max_p`. The two
//!   sets are disjoint, so the test is valid even though the cumulative before and after overlap.

pub mod sim;

use serde::Serialize;

/// `k` of `n` reviews have the property (negative, or reporting an issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Count {
    pub k: i64,
    pub n: i64,
}

impl Count {
    pub fn add(&mut self, hit: bool) {
        self.n += 1;
        self.k += i64::from(hit);
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// Smallest change after − before, in tenths of a percentage point (50 = 5 points).
    pub min_change_tenths: i64,
    /// Largest one-sided p-value that is credible (0.01 = 99 % confidence).
    pub max_p: f64,
    /// Products with fewer reviews now get no product alert (they count in their brand).
    pub product_min_reviews: i64,
}

/// The rule `analyze` applies.
pub const RULE: Rule = Rule {
    min_change_tenths: 50,
    max_p: 0.01,
    product_min_reviews: 10,
};

/// The p-value of a rise that is an alert under `rule`, or None.
pub fn decide(rule: &Rule, before: Count, after: Count) -> Option<f64> {
    if before.n <= 0 || after.n <= 0 {
        return None;
    }
    let new = Count {
        k: after.k - before.k,
        n: after.n - before.n,
    };
    // Before is a subset of after; anything else (corrupt counts) is no evidence.
    if new.n <= 0 || new.k < 0 || new.k > new.n || before.k < 0 || before.k > before.n {
        return None;
    }
    if !change_at_least(before, after, rule.min_change_tenths) {
        return None;
    }
    let p = fisher_greater(new, before);
    (p <= rule.max_p).then_some(p)
}

/// Whether k1/n1 − k0/n0 ≥ tenths/1000, exactly (integers, no floating point).
pub fn change_at_least(before: Count, after: Count, tenths: i64) -> bool {
    let (k0, n0, k1, n1) = wide(before, after);
    1000 * (k1 * n0 - k0 * n1) >= i128::from(tenths) * n0 * n1
}

fn wide(before: Count, after: Count) -> (i128, i128, i128, i128) {
    (
        i128::from(before.k),
        i128::from(before.n),
        i128::from(after.k),
        i128::from(after.n),
    )
}

/// num / den rounded half away from zero (den > 0).
fn round_div(num: i128, den: i128) -> i128 {
    if num >= 0 {
        (2 * num + den) / (2 * den)
    } else {
        -((-2 * num + den) / (2 * den))
    }
}

/// k/n as a percentage rounded half away from zero to 0.1 (0 when n is 0).
pub fn pct1(c: Count) -> f64 {
    if c.n <= 0 {
        return 0.0;
    }
    round_div(1000 * i128::from(c.k), i128::from(c.n)) as f64 / 10.0
}

/// after − before in percentage points, from the exact values, rounded half away from zero to 0.1.
pub fn change1(before: Count, after: Count) -> f64 {
    if before.n <= 0 || after.n <= 0 {
        return pct1(after) - pct1(before);
    }
    let (k0, n0, k1, n1) = wide(before, after);
    round_div(1000 * (k1 * n0 - k0 * n1), n0 * n1) as f64 / 10.0
}

/// ln(n!): exact sum below 64, Stirling's series above (relative error far below 1e-12).
fn ln_factorial(n: i64) -> f64 {
    if n < 64 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

fn ln_choose(n: i64, k: i64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// One-sided Fisher exact test: the probability, with both sets' reviews pooled and the property's
/// total fixed, that the new set gets `new.k` or more of them by chance.
pub fn fisher_greater(new: Count, earlier: Count) -> f64 {
    let (m, n_all) = (new.n, new.n + earlier.n);
    let hits = new.k + earlier.k;
    let (lo, hi) = ((m - (n_all - hits)).max(0), m.min(hits));
    if new.k <= lo {
        return 1.0;
    }
    let misses = n_all - hits;
    let mut x = new.k;
    let mut term = (ln_choose(hits, x) + ln_choose(misses, m - x) - ln_choose(n_all, m)).exp();
    let mut sum = 0.0;
    while x <= hi {
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        // P(x+1) / P(x) for the hypergeometric distribution.
        let ratio = ((hits - x) * (m - x)) as f64 / ((x + 1) * (misses - m + x + 1)) as f64;
        term *= ratio;
        x += 1;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(k: i64, n: i64) -> Count {
        Count { k, n }
    }

    #[test]
    fn thresholds_are_exact() {
        // 4/31 → 7/39 is +5.05 points; 17/28 → 23/35 exactly +5.
        assert!(change_at_least(c(4, 31), c(7, 39), 50));
        assert!(change_at_least(c(17, 28), c(23, 35), 50));
        assert!(!change_at_least(c(17, 28), c(23, 35), 51));
        assert_eq!(change1(c(4, 31), c(7, 39)), 5.0); // +5.045: shown +5.0, and an alert
        assert_eq!(change1(c(17, 28), c(23, 35)), 5.0);
        // The float difference of the rounded shares is not what decides.
        let float = |k: i64, n: i64| 100.0 * k as f64 / n as f64;
        assert!(float(23, 35) - float(17, 28) < 5.0);
    }

    #[test]
    fn rounding_is_half_away_from_zero_from_exact_values() {
        assert_eq!(pct1(c(1, 8)), 12.5);
        assert_eq!(pct1(c(1, 16)), 6.3); // 6.25
        assert_eq!(pct1(c(301, 763)), 39.4);
        assert_eq!(pct1(c(0, 0)), 0.0);
        assert_eq!(change1(c(1, 16), c(0, 16)), -6.3);
        // An issue alert's change is after − before, not a difference of rounded shares.
        assert_eq!(change1(c(96, 1000), c(302, 1000)), 20.6);
    }

    #[test]
    fn fisher_matches_hand_computed_tails() {
        // 1/5 → 3/7: the 2 new are both negative; P = C(3,2)/C(7,2) = 3/21.
        let p = fisher_greater(c(2, 2), c(1, 5));
        assert!((p - 3.0 / 21.0).abs() < 1e-12, "{p}");
        // 0/10 then 1 negative new review of 1: 1/11.
        assert!((fisher_greater(c(1, 1), c(0, 10)) - 1.0 / 11.0).abs() < 1e-12);
        // No rise at all: p = 1 or near.
        assert!(fisher_greater(c(0, 10), c(5, 10)) >= 0.99);
        // Large counts stay finite and tiny.
        let p = fisher_greater(c(300, 300), c(2000, 10000));
        assert!(p > 0.0 && p < 1e-100, "{p}");
    }

    #[test]
    fn decide_needs_both_the_effect_and_the_evidence() {
        // The small product: 1/5 → 3/7 is +22.9 points but proves nothing.
        assert_eq!(decide(&RULE, c(1, 5), c(3, 7)), None);
        // +5.05 points on many new reviews: an alert.
        assert!(decide(&RULE, c(40, 310), c(70, 390)).is_some());
        // Credible but below 5 points (a big product absorbing a small bad window).
        assert_eq!(decide(&RULE, c(100, 1000), c(140, 1100)), None);
        // Nothing new, or no before: nothing to say.
        assert_eq!(decide(&RULE, c(1, 10), c(4, 10)), None);
        assert_eq!(decide(&RULE, c(0, 0), c(40, 40)), None);
        // Not nested (fewer negatives after than before): no alert.
        assert_eq!(decide(&RULE, c(10, 20), c(5, 100)), None);
    }

    /// The simulation's fast version: the rule's measured bounds, on real-export-shaped portfolios.
    #[test]
    fn simulated_false_alarms_and_detection_meet_the_bounds() {
        let calm = sim::false_alarms(40, 0.10, 7);
        assert!(calm.product_rate() <= 0.01, "{calm:?}");
        assert!(calm.brand_rate() <= 0.01, "{calm:?}");
        assert!(calm.products_eligible > 1000, "{calm:?}");
        for (size, min_rate) in [(100, 0.90), (200, 0.90)] {
            let d = sim::detection(size, 0.5, 400, 11);
            assert!(d.rate() >= min_rate, "size {size}: {d:?}");
        }
        // Brands: the rise spread over one-or-two-review products, rolled up.
        let d = sim::brand_detection(200, 0.5, 400, 13);
        assert!(d.rate() >= 0.90, "{d:?}");
    }
}
