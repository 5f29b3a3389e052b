//! Measures the alert rule (`prodinsight::alert_rule`) by simulation and prints its rates:
//! `cargo run --example alerts_sim [PORTFOLIOS] [TRIALS]` (or `bash bench/alerts-sim.sh`).

use prodinsight::alert_rule::{sim, RULE};

fn arg(i: usize, default: usize) -> usize {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let (portfolios, trials) = (arg(1, 1000), arg(2, 2000));
    println!(
        "rule: change ≥ {} points and one-sided Fisher p ≤ {}; product alerts from {} reviews",
        RULE.min_change_tenths as f64 / 10.0,
        RULE.max_p,
        RULE.product_min_reviews
    );
    println!(
        "\nno real change: {portfolios} portfolios of {} products, 5 brands",
        sim::LARGE_PRODUCTS + sim::SMALL_PRODUCTS
    );
    println!("window adds | reviews/portfolio | products judged | product alerts | rate    | brands judged | brand alerts | rate");
    for growth in [0.05, 0.10, 0.50, 1.00] {
        let f = sim::false_alarms(portfolios, growth, 1);
        println!(
            "{:>10.0} % | {:>17} | {:>15} | {:>14} | {:>6.3} % | {:>13} | {:>12} | {:>6.3} %",
            growth * 100.0,
            f.reviews / portfolios.max(1) as i64,
            f.products_eligible,
            f.product_alerts,
            100.0 * f.product_rate(),
            f.brands_eligible,
            f.brand_alerts,
            100.0 * f.brand_rate()
        );
    }
    println!(
        "\na real 10-point rise (expected % negative after = before + 10), {trials} trials each"
    );
    println!(
        "{:<48} | window adds 25 % | 50 %     | 100 %    | 200 %",
        "subject"
    );
    for size in [50, 100, 200, 500, 1000] {
        let row = |f: &dyn Fn(f64) -> f64| {
            [0.25, 0.5, 1.0, 2.0]
                .map(|g| format!("{:>6.1} %", 100.0 * f(g)))
                .join(" | ")
        };
        let p = row(&|g| sim::detection(size, g, trials, 2).rate());
        let b = row(&|g| sim::brand_detection(size, g, trials, 3).rate());
        let product = format!("product with {size} reviews");
        let brand = format!("brand with {size} reviews in 1–2-review products");
        println!("{product:<48} |         {p}");
        println!("{brand:<48} |         {b}");
    }
}
