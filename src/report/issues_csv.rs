//! `report issues -f csv`: the same columns all time and in a window (compared or not), so a
//! spreadsheet or script reads both alike; a cell is empty where the figure does not apply (all
//! time has no share, window before or quote; a window counts no products per issue).

use super::output::Tabular;
use super::{delta, opt_num};
use crate::store::views::IssueRow;
use crate::store::windows::{WindowIssue, WindowReport};

pub const COLUMNS: [&str; 14] = [
    "code",
    "issue",
    "reviews",
    "products",
    "negative or neutral reviews",
    "avg rating with",
    "avg rating without",
    "stars gained if fixed",
    "% of reviews",
    "reviews before",
    "Δ % of reviews",
    "quote",
    "quote stars",
    "quote language",
];

/// All time: the figures `/issues` lists.
pub fn all_time(rows: &[IssueRow]) -> Tabular {
    let rows = (rows.iter())
        .map(|r| {
            let mut cells = vec![
                r.code.clone(),
                r.label.to_string(),
                r.reviews.to_string(),
                r.products.to_string(),
                r.reviews_negative_neutral.to_string(),
                opt_num(r.avg_rating_with),
                opt_num(r.avg_rating_without),
                opt_num(r.stars_gained),
            ];
            cells.resize(COLUMNS.len(), String::new());
            cells
        })
        .collect();
    Tabular {
        headers: COLUMNS.to_vec(),
        rows,
    }
}

/// In a window: its issues, the window before's reviews and change when compared, and the
/// newest quote.
pub fn window(r: &WindowReport) -> Tabular {
    let compared = r.previous_from.is_some();
    let rows = (r.issues.iter())
        .map(|i| window_cells(i, compared))
        .collect();
    Tabular {
        headers: COLUMNS.to_vec(),
        rows,
    }
}

fn window_cells(i: &WindowIssue, compared: bool) -> Vec<String> {
    let q = i.examples.first();
    vec![
        i.code.clone(),
        i.label.clone(),
        i.reviews.to_string(),
        i.products.map_or(String::new(), |n| n.to_string()),
        i.negative_neutral.to_string(),
        opt_num(i.avg_with),
        opt_num(i.avg_without),
        opt_num(i.impact),
        opt_num(i.share),
        match compared {
            true => i.previous_reviews.unwrap_or(0).to_string(),
            false => String::new(),
        },
        delta(i.delta_share),
        q.map_or(String::new(), |q| q.text.clone()),
        q.and_then(|q| q.rating)
            .map_or(String::new(), |s| s.to_string()),
        q.and_then(|q| q.language.clone()).unwrap_or_default(),
    ]
}
