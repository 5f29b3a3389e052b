//! A simulation that measures the alert rule on generated portfolios shaped like real exports
//! (a few products with many reviews, thousands with one or two; 5 brands): how often it alerts
//! when nothing changed, and how often it catches a real 10-point rise. It runs the real
//! `decide`; the unit tests assert the bounds, `examples/alerts_sim.rs` prints the full figures.

use super::{decide, Count, RULE};

/// splitmix64: small, fast, and reproducible from a seed (no dependency for a simulation).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn bern(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn binomial(&mut self, n: i64, p: f64) -> i64 {
        (0..n).map(|_| i64::from(self.bern(p))).sum()
    }
}

pub const BRANDS: usize = 5;
/// Products with 10 or more reviews, and with one or two, in the real export the issue describes
/// (5,999 ASINs, 9,601 reviews).
pub const LARGE_PRODUCTS: usize = 58;
pub const SMALL_PRODUCTS: usize = 5_941;
const BRAND_WEIGHTS: [f64; BRANDS] = [0.40, 0.25, 0.15, 0.12, 0.08];

/// One generated product: its brand, reviews before the window, and true share of negatives.
pub struct Product {
    pub brand: usize,
    pub reviews: i64,
    pub rate: f64,
}

/// A portfolio: 58 products with 10–120 reviews (log-uniform), 5,941 with one (85 %) or two;
/// negative rates uniform in 3–30 %; brands by weight.
pub fn portfolio(rng: &mut Rng) -> Vec<Product> {
    let mut out = Vec::with_capacity(LARGE_PRODUCTS + SMALL_PRODUCTS);
    for i in 0..LARGE_PRODUCTS + SMALL_PRODUCTS {
        let reviews = if i < LARGE_PRODUCTS {
            (10f64.ln() + rng.unit() * 12f64.ln()).exp().round() as i64
        } else if rng.bern(0.85) {
            1
        } else {
            2
        };
        let (mut pick, mut brand) = (rng.unit(), 0);
        while brand + 1 < BRANDS && pick >= BRAND_WEIGHTS[brand] {
            pick -= BRAND_WEIGHTS[brand];
            brand += 1;
        }
        let rate = 0.03 + 0.27 * rng.unit();
        out.push(Product {
            brand,
            reviews,
            rate,
        });
    }
    out
}

/// Alerts raised with no real change, per level.
#[derive(Debug, Default, Clone)]
pub struct FalseAlarms {
    pub portfolios: usize,
    pub reviews: i64,
    /// Products the rule judges: enough reviews now, and new ones in the window.
    pub products_eligible: i64,
    pub product_alerts: i64,
    /// Brands with new reviews in the window.
    pub brands_eligible: i64,
    pub brand_alerts: i64,
}

impl FalseAlarms {
    pub fn product_rate(&self) -> f64 {
        self.product_alerts as f64 / self.products_eligible.max(1) as f64
    }

    pub fn brand_rate(&self) -> f64 {
        self.brand_alerts as f64 / self.brands_eligible.max(1) as f64
    }
}

/// `portfolios` nights with nothing changed: each earlier review brings a new one with probability
/// `growth`, negative at the product's unchanged rate.
pub fn false_alarms(portfolios: usize, growth: f64, seed: u64) -> FalseAlarms {
    let mut rng = Rng::new(seed);
    let mut fa = FalseAlarms {
        portfolios,
        ..Default::default()
    };
    for _ in 0..portfolios {
        let mut brands = [(Count::default(), Count::default()); BRANDS];
        for p in portfolio(&mut rng) {
            let before = Count {
                k: rng.binomial(p.reviews, p.rate),
                n: p.reviews,
            };
            let m = rng.binomial(p.reviews, growth);
            let after = Count {
                k: before.k + rng.binomial(m, p.rate),
                n: before.n + m,
            };
            fa.reviews += after.n;
            let b = &mut brands[p.brand];
            (b.0.k, b.0.n, b.1.k, b.1.n) = (
                b.0.k + before.k,
                b.0.n + before.n,
                b.1.k + after.k,
                b.1.n + after.n,
            );
            if after.n >= RULE.product_min_reviews && m > 0 {
                fa.products_eligible += 1;
                fa.product_alerts += i64::from(decide(&RULE, before, after).is_some());
            }
        }
        for (before, after) in brands {
            if after.n > before.n {
                fa.brands_eligible += 1;
                fa.brand_alerts += i64::from(decide(&RULE, before, after).is_some());
            }
        }
    }
    fa
}

#[derive(Debug, Default, Clone)]
pub struct Detection {
    pub trials: usize,
    pub caught: usize,
}

impl Detection {
    pub fn rate(&self) -> f64 {
        self.caught as f64 / self.trials.max(1) as f64
    }
}

/// The new reviews' negative rate that raises the expected % negative by 10 points once the window
/// adds `growth` × the earlier reviews: base + 10 × (1 + growth) / growth points.
fn risen_rate(base: f64, growth: f64) -> f64 {
    (base + 0.10 * (1.0 + growth) / growth).min(1.0)
}

/// A product with `size` reviews (true negative rate uniform in 5–25 %) whose window adds
/// `growth` × `size` reviews with a real rise: 10 points more negative after than before, expected.
pub fn detection(size: i64, growth: f64, trials: usize, seed: u64) -> Detection {
    let mut rng = Rng::new(seed);
    let mut d = Detection { trials, caught: 0 };
    for _ in 0..trials {
        let base = 0.05 + 0.20 * rng.unit();
        let before = Count {
            k: rng.binomial(size, base),
            n: size,
        };
        let m = (growth * size as f64).round() as i64;
        let after = Count {
            k: before.k + rng.binomial(m, risen_rate(base, growth)),
            n: size + m,
        };
        d.caught += usize::from(decide(&RULE, before, after).is_some());
    }
    d
}

/// A brand of `size` reviews spread over products of one or two reviews (each its own rate, 5–25 %),
/// whose window adds `growth` × `size` reviews spread over them, each product's rate risen as in
/// `detection`: the brand's roll-up must catch what no product can.
pub fn brand_detection(size: i64, growth: f64, trials: usize, seed: u64) -> Detection {
    let mut rng = Rng::new(seed);
    let mut d = Detection { trials, caught: 0 };
    for _ in 0..trials {
        let (mut before, mut rates) = (Count::default(), Vec::new());
        while before.n < size {
            let (n, rate) = (
                if rng.bern(0.85) { 1 } else { 2 }.min(size - before.n),
                0.05 + 0.20 * rng.unit(),
            );
            before.k += rng.binomial(n, rate);
            before.n += n;
            rates.push(rate);
        }
        let mut after = before;
        for _ in 0..(growth * size as f64).round() as i64 {
            let rate = rates[(rng.unit() * rates.len() as f64) as usize % rates.len()];
            after.add(rng.bern(risen_rate(rate, growth)));
        }
        d.caught += usize::from(decide(&RULE, before, after).is_some());
    }
    d
}
