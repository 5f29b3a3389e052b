//! How the windowed products, brands and issues lists are ordered and paged: a figure in the
//! window, then the key; a page after the cursor's row, cut to its limit.

use super::window_figures::{WindowIssue, WindowRow};
use super::windows::{ListKey, ListPage, WindowView};
use crate::error::{Error, Result};
use crate::store::pages::{BrandSort, ProductSort};
use crate::store::views::issue_page;

/// The issues view's page (see `views::issue_page`); a cursor whose issue is no longer listed is
/// a bad `cursor`.
pub(super) fn page_issues(
    issues: &mut Vec<WindowIssue>,
    after: &Option<String>,
    limit: usize,
) -> Result<ListPage> {
    let p = issue_page(issues, |i| i.code.as_str(), after.as_deref(), limit).ok_or_else(|| {
        Error::BadParam {
            param: "cursor".into(),
            message: "its issue is no longer in this list; start again without a cursor".into(),
        }
    })?;
    Ok(ListPage {
        total: p.total,
        next: p.next.map(|key| ListKey { value: None, key }),
    })
}

/// A row's figure that a list is sorted by.
type Figure = fn(&WindowRow) -> Option<f64>;

/// How a list view orders and cuts its rows: the figure, descending, the page size, the row to
/// continue after, and whether the order is by key alone.
struct ListOrder<'a> {
    value: Figure,
    descending: bool,
    limit: usize,
    after: Option<&'a ListKey>,
    by_key: bool,
}

/// The list order of a products or brands view (products under `min_reviews` in the window
/// dropped from `rows`); None for the other views.
fn list_order<'a>(rows: &mut Vec<WindowRow>, view: &'a WindowView) -> Option<ListOrder<'a>> {
    Some(match view {
        WindowView::Products {
            min_reviews,
            sort,
            descending,
            limit,
            after,
            ..
        } => {
            rows.retain(|r| r.figures.reviews >= min_reviews.unwrap_or(0));
            let f: Figure = match sort {
                ProductSort::Reviews => |r| Some(r.figures.reviews as f64),
                ProductSort::Rating => |r| r.figures.avg_rating,
                ProductSort::Negative => |r| r.figures.pct_negative,
                ProductSort::Trend => |r| r.delta_pct_negative,
                ProductSort::Asin => |_| None,
            };
            let by_key = *sort == ProductSort::Asin;
            (f, *descending, *limit, after.as_ref(), by_key)
        }
        WindowView::Brands {
            sort,
            descending,
            limit,
            after,
            ..
        } => {
            let f: Figure = match sort {
                BrandSort::Reviews => |r| Some(r.figures.reviews as f64),
                BrandSort::Products => |r| r.figures.products.map(|p| p as f64),
                BrandSort::Rating => |r| r.figures.avg_rating,
                BrandSort::Negative => |r| r.figures.pct_negative,
                BrandSort::Brand => |_| None,
            };
            let by_key = *sort == BrandSort::Brand;
            (f, *descending, *limit, after.as_ref(), by_key)
        }
        _ => return None,
    })
    .map(|(value, descending, limit, after, by_key)| ListOrder {
        value,
        descending,
        limit,
        after,
        by_key,
    })
}

impl ListOrder<'_> {
    /// The total order of rows (keys are unique): by the figure (rows without it last), then by
    /// key; by key alone, descending reverses it.
    fn cmp(&self, a: (Option<f64>, &str), b: (Option<f64>, &str)) -> std::cmp::Ordering {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let ord = match (a.0, b.0) {
            (Some(x), Some(y)) if self.descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => Equal,
        }
        .then(a.1.cmp(b.1));
        if self.by_key && self.descending {
            ord.reverse()
        } else {
            ord
        }
    }

    fn place<'r>(&self, r: &'r WindowRow) -> (Option<f64>, &'r str) {
        ((self.value)(r), r.key.as_str())
    }
}

/// Products and brands in the view's order, from the row after its cursor, cut to its limit;
/// returns the page (None for other views).
pub(super) fn sort_rows(rows: &mut Vec<WindowRow>, view: &WindowView) -> Option<ListPage> {
    let o = list_order(rows, view)?;
    let total = rows.len();
    if let Some(k) = o.after {
        rows.retain(|r| o.cmp(o.place(r), (k.value, &k.key)).is_gt());
    }
    let more = rows.len() > o.limit;
    let order = |a: &WindowRow, b: &WindowRow| o.cmp(o.place(a), o.place(b));
    // Only the first `limit` rows need sorting: a page of a long products list is picked in
    // linear time.
    if o.limit == 0 {
        rows.clear();
    } else if o.limit < rows.len() {
        rows.select_nth_unstable_by(o.limit - 1, order);
        rows.truncate(o.limit);
    }
    rows.sort_by(order);
    let next = (more && !rows.is_empty()).then(|| rows.last()).flatten();
    Some(ListPage {
        total,
        next: next.map(|r| ListKey {
            value: (o.value)(r),
            key: r.key.clone(),
        }),
    })
}
