//! Prices and estimates. The table is a default to check before relying on it (prices change):
//! `--price IN,OUT` or `--price-file FILE` override it.

use std::path::Path;

use serde::Deserialize;

use super::reply::Usage;
use crate::error::{Error, Result};

/// US dollars per 1M tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Price {
    pub input: f64,
    /// Prompt tokens served from the provider's cache.
    #[serde(default)]
    pub cached_input: Option<f64>,
    pub output: f64,
}

/// Published list prices (input, output) per 1M tokens; cached input at half the input price.
const TABLE: &[(&str, f64, f64)] = &[
    ("gpt-4o-mini", 0.15, 0.60),
    ("gpt-4.1-mini", 0.40, 1.60),
    ("gpt-4.1-nano", 0.10, 0.40),
    ("gpt-5-mini", 0.25, 2.00),
    ("gpt-5-nano", 0.05, 0.40),
];

impl Price {
    /// The table's price for a model (longest matching prefix, so dated snapshots match), or None
    /// for a model it does not know (a local one: free as far as we can tell).
    pub fn for_model(model: &str) -> Option<Price> {
        TABLE
            .iter()
            .filter(|(m, _, _)| model.starts_with(m))
            .max_by_key(|(m, _, _)| m.len())
            .map(|&(_, input, output)| Price {
                input,
                cached_input: None,
                output,
            })
    }

    /// `IN,OUT` in dollars per 1M tokens.
    pub fn parse(s: &str) -> Result<Price> {
        let bad = || {
            Error::Usage(format!(
                "--price {s:?}: expected INPUT,OUTPUT dollars per 1M tokens, e.g. 0.15,0.60"
            ))
        };
        let (a, b) = s.split_once(',').ok_or_else(bad)?;
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        Ok(Price {
            input: num(a).ok_or_else(bad)?,
            cached_input: None,
            output: num(b).ok_or_else(bad)?,
        })
    }

    /// A JSON file `{"MODEL": {"input": …, "cached_input": …, "output": …}, …}`.
    pub fn from_file(path: &Path, model: &str) -> Result<Option<Price>> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path.display().to_string(), e))?;
        let table: std::collections::HashMap<String, Price> = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("{}: not a price table: {e}", path.display())))?;
        Ok(table.get(model).copied())
    }

    pub fn cost(&self, u: Usage) -> f64 {
        let cached_price = self.cached_input.unwrap_or(self.input / 2.0);
        let uncached = u.prompt.saturating_sub(u.cached);
        (uncached as f64 * self.input
            + u.cached as f64 * cached_price
            + u.completion as f64 * self.output)
            / 1_000_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        let p = Price::for_model("gpt-4o-mini-2024-07-18").unwrap();
        assert_eq!(p.input, 0.15);
        assert!(Price::for_model("smollm2").is_none());
        let u = Usage {
            prompt: 1_000_000,
            cached: 0,
            completion: 1_000_000,
        };
        assert!((p.cost(u) - 0.75).abs() < 1e-9);
        let cached = Usage {
            prompt: 1_000_000,
            cached: 1_000_000,
            completion: 0,
        };
        assert!((p.cost(cached) - 0.075).abs() < 1e-9);
        assert_eq!(Price::parse("1,2").unwrap().output, 2.0);
        assert!(Price::parse("x").is_err());
        assert!(Price::parse("-1,2").is_err());
    }
}
