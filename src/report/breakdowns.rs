//! `report breakdowns`: the overview's and brands' reviews by marketplace and by language as one
//! table (the CSV those views' JSON carries), in the long format of a product's CSV.

use serde::Serialize;

use super::output::{Out, Tabular};
use super::{breakdowns_table, Format};
use crate::error::Result;
use crate::store::views::{BreakdownRow, Breakdowns};
use crate::store::windows::{Scope, Window};
use crate::store::Store;

/// One marketplace or language of a brand (`--by-brand`) or of the scope.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<&'a str>,
    /// marketplace or language
    by: &'static str,
    #[serde(flatten)]
    row: &'a BreakdownRow,
}

pub fn render(
    store: &Store,
    brands: &[String],
    by_brand: bool,
    w: &Window,
    fmt: Format,
    out: &mut Out,
) -> Result<()> {
    store.require_analysis()?;
    let scoped: Vec<(Option<String>, Breakdowns)> = match by_brand {
        true => (store.brands(brands)?.into_iter())
            .map(|b| {
                let counts = match w.is_set() {
                    true => store.window_scope_breakdowns(w, &one_brand(&b.brand))?,
                    false => b.breakdowns,
                };
                Ok((Some(b.brand), counts))
            })
            .collect::<Result<_>>()?,
        false => vec![(
            None,
            match w.is_set() {
                true => store.window_scope_breakdowns(w, &store.window_brand_scope(brands)?)?,
                false => store.breakdowns(brands)?,
            },
        )],
    };
    let mut rows = Vec::new();
    let mut t = Tabular {
        headers: breakdowns_table(&Breakdowns::default()).headers,
        rows: Vec::new(),
    };
    if by_brand {
        t.headers.insert(0, "brand");
    }
    for (brand, b) in &scoped {
        let mut cells = breakdowns_table(b).rows;
        let dims = (b.by_marketplace.iter().map(|r| ("marketplace", r)))
            .chain(b.by_language.iter().map(|r| ("language", r)));
        for (by, row) in dims {
            rows.push(Row {
                brand: brand.as_deref(),
                by,
                row,
            });
        }
        if let Some(name) = brand {
            cells.iter_mut().for_each(|c| c.insert(0, name.clone()));
        }
        t.rows.extend(cells);
    }
    out.emit(fmt, "By marketplace and by language", &t, &rows)
}

/// The scope of one stored brand.
fn one_brand(brand: &str) -> Scope {
    Scope {
        asin: None,
        brands: vec![brand.to_string()],
    }
}
