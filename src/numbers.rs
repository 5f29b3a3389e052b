//! The figures every view shows, computed from integer counts so that each is exact before it is
//! rounded: `x * 10` of an inexact float can land either side of a half (301/763 is 39.449…%, and
//! a float detour can make it 39.5). Shared by `analyze` (which stores them) and the store's
//! roll-ups (which sum counts, never rounded shares).
//!
//! Definitions: an average rating is over rated reviews only; a share (% positive, neutral,
//! negative, an issue's share) is over all reviews; a change (Δ) is the difference of the exact
//! shares; each is rounded once, at the end, half away from zero: shares and changes to 0.1
//! point, averages to 0.01 star.

use std::cmp::Ordering;

/// `a / b` rounded half away from zero (`b` > 0).
fn round_div(a: i128, b: i128) -> i128 {
    let q = (2 * a.abs() + b) / (2 * b);
    if a < 0 {
        -q
    } else {
        q
    }
}

/// `part` of `whole` in percent, to 0.1 (0 when `whole` is 0).
pub fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    round_div(1000 * part as i128, whole as i128) as f64 / 10.0
}

/// `sum / n` to 0.01: the average rating of `n` rated reviews whose stars add up to `sum`.
pub fn avg(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| round_div(100 * sum as i128, n as i128) as f64 / 100.0)
}

/// The change from `before` = (part, whole) to `now`, in percentage points to 0.1, from the exact
/// shares. None without a before, or when either whole is empty.
pub fn pct_delta(now: (i64, i64), before: Option<(i64, i64)>) -> Option<f64> {
    let (k1, n1) = now;
    let (k0, n0) = before?;
    if n1 <= 0 || n0 <= 0 {
        return None;
    }
    let num = 1000 * (k1 as i128 * n0 as i128 - k0 as i128 * n1 as i128);
    Some(round_div(num, n1 as i128 * n0 as i128) as f64 / 10.0)
}

/// A product's impact: negative reviews × (1 + rise / 10), where the rise is the change in % negative
/// since the previous run in points when it went up (0 when it went down or there is no previous
/// run), held as an exact fraction so that ranking never depends on rounding.
#[derive(Debug, Clone, Copy)]
pub struct Impact {
    num: i128,
    den: i128,
}

impl Impact {
    /// `negative` of `reviews` now; `before` = (negative, reviews) at the previous run.
    pub fn new(negative: i64, reviews: i64, before: Option<(i64, i64)>) -> Impact {
        let neg = negative as i128;
        match before {
            Some((k0, n0)) if reviews > 0 && n0 > 0 => {
                let (n1, k0, n0) = (reviews as i128, k0 as i128, n0 as i128);
                // rise / 10 = 10 · (neg/n1 − k0/n0) = 10 · (neg·n0 − k0·n1) / (n1·n0)
                let rise = (neg * n0 - k0 * n1).max(0);
                let den = n1 * n0;
                Impact {
                    num: neg * (den + 10 * rise),
                    den,
                }
            }
            _ => Impact { num: neg, den: 1 },
        }
    }

    /// Rounded to 0.1, half away from zero.
    pub fn rounded(self) -> f64 {
        round_div(10 * self.num, self.den) as f64 / 10.0
    }
}

impl Ord for Impact {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

// Equal as values (4/1 = 8/2), as `Ord` compares them: a derived field-wise equality broke ties.
impl PartialEq for Impact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Impact {}

impl PartialOrd for Impact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Fewer rated reviews reporting an issue than this, and its star impact is not shown (null): a
/// handful of reviews would rank it by chance.
pub const MIN_IMPACT_REVIEWS: i64 = 5;

/// What fixing an issue would earn in stars: with `with` = (rated reviews reporting it, their
/// stars summed) out of `all` = (rated reviews, stars summed) of the product, brand or portfolio,
/// (avg without − avg with) × share of rated reviews reporting it = (S·r − s·R) / (R·(R − r)),
/// held exact so that ranking never depends on rounding. None below `MIN_IMPACT_REVIEWS` or when
/// every rated review reports it (there is no "without").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StarImpact {
    num: i128,
    den: i128,
}

impl StarImpact {
    pub fn new(with: (i64, i64), all: (i64, i64)) -> Option<StarImpact> {
        let (r, s) = (with.0 as i128, with.1 as i128);
        let (big_r, big_s) = (all.0 as i128, all.1 as i128);
        if with.0 < MIN_IMPACT_REVIEWS || big_r <= r {
            return None;
        }
        Some(StarImpact {
            num: big_s * r - s * big_r,
            den: big_r * (big_r - r),
        })
    }

    /// Rounded to 0.01 star, half away from zero.
    pub fn rounded(self) -> f64 {
        round_div(100 * self.num, self.den) as f64 / 100.0
    }
}

impl Ord for StarImpact {
    fn cmp(&self, other: &Self) -> Ordering {
        // Both denominators are positive.
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

impl PartialOrd for StarImpact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The average rating of the rated reviews reporting an issue (`with`) and of the others in
/// `all`, each to 0.01; None below `MIN_IMPACT_REVIEWS` reporting it, as its impact.
pub fn avg_with_without(with: (i64, i64), all: (i64, i64)) -> (Option<f64>, Option<f64>) {
    if with.0 < MIN_IMPACT_REVIEWS {
        return (None, None);
    }
    (avg(with.1, with.0), avg(all.1 - with.1, all.0 - with.0))
}

/// An issue's star impact as reports show it: the average rating with it and without it, and the
/// stars gained if it were fixed (rounded); all None below `MIN_IMPACT_REVIEWS` reporting it.
pub struct StarFigures {
    pub with: Option<f64>,
    pub without: Option<f64>,
    pub gained: Option<f64>,
}

pub fn star_figures(with: (i64, i64), all: (i64, i64)) -> StarFigures {
    let (avg_with, avg_without) = avg_with_without(with, all);
    StarFigures {
        with: avg_with,
        without: avg_without,
        gained: StarImpact::new(with, all).map(StarImpact::rounded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_from_the_exact_ratio() {
        assert_eq!(pct(301, 763), 39.4); // 39.449…
        assert_eq!(pct(4, 31), 12.9); // 12.903…
        assert_eq!(pct(1, 8), 12.5);
        assert_eq!(pct(1, 16), 6.3); // exactly 6.25: half away from zero
        assert_eq!(pct(1, 1600), 0.1); // exactly 0.0625 → 0.1
        assert_eq!(pct(3, 2000), 0.2); // exactly 0.15
        assert_eq!(pct(0, 0), 0.0);
    }

    #[test]
    fn averages_round_half_away_from_zero_to_a_hundredth() {
        assert_eq!(avg(7331, 1508), Some(4.86)); // 4.8614…
        assert_eq!(avg(9, 8), Some(1.13)); // exactly 1.125
        assert_eq!(avg(0, 0), None);
    }

    #[test]
    fn changes_come_from_exact_shares() {
        // 4/31 → 7/39: 17.948… − 12.903… = 5.045… (rounded shares would say 17.9 − 12.9 = 5.0)
        assert_eq!(pct_delta((7, 39), Some((4, 31))), Some(5.0));
        assert_eq!(pct_delta((23, 35), Some((17, 28))), Some(5.0));
        // 1/8 → 0: exactly −12.5, away from zero
        assert_eq!(pct_delta((0, 8), Some((1, 8))), Some(-12.5));
        assert_eq!(pct_delta((1, 8), None), None);
    }

    /// Equal impacts are equal whatever their fraction (a product with no previous run against
    /// one whose share held): ties then rank by ASIN, as the attention walk inserts them.
    #[test]
    fn impacts_of_equal_value_are_equal() {
        let plain = Impact::new(4, 10, None);
        let held = Impact::new(4, 10, Some((2, 5)));
        assert_eq!(plain.cmp(&held), Ordering::Equal);
        assert_eq!(plain, held);
        assert_ne!(plain, Impact::new(5, 10, None));
    }

    #[test]
    fn impact_is_negatives_weighted_by_their_rise() {
        // 8 of 20 now, 5 of 20 before: +15 points, 8 × 2.5 = 20
        assert_eq!(Impact::new(8, 20, Some((5, 20))).rounded(), 20.0);
        // A fall weighs nothing: 8 × 1
        assert_eq!(Impact::new(8, 20, Some((10, 20))).rounded(), 8.0);
        assert_eq!(Impact::new(8, 20, None).rounded(), 8.0);
        // Equal negatives and rises are equal, whatever the rounding of their shares.
        assert_eq!(
            Impact::new(3, 7, Some((1, 7))).cmp(&Impact::new(3, 7, Some((1, 7)))),
            Ordering::Equal
        );
        assert!(Impact::new(9, 100, Some((8, 100))) > Impact::new(9, 100, None));
    }

    #[test]
    fn star_impact_is_the_gap_times_the_share_reporting_it() {
        // 10 of 100 rated reviews report it, averaging 2.0; the other 90 average 4.5:
        // (4.5 − 2.0) × 10 % = 0.25
        let i = StarImpact::new((10, 20), (100, 425)).unwrap();
        assert_eq!(i.rounded(), 0.25);
        assert_eq!(
            avg_with_without((10, 20), (100, 425)),
            (Some(2.0), Some(4.5))
        );
        // Below the minimum, or with nothing left without it: not shown.
        assert_eq!(StarImpact::new((4, 4), (100, 425)), None);
        assert_eq!(StarImpact::new((10, 20), (10, 20)), None);
        assert_eq!(avg_with_without((4, 4), (100, 425)), (None, None));
        // Reviews reporting it that rate above the rest: a negative impact.
        assert!(StarImpact::new((10, 50), (100, 300)).unwrap().rounded() < 0.0);
        assert!(StarImpact::new((20, 40), (100, 425)) > StarImpact::new((10, 20), (100, 425)));
    }
}
