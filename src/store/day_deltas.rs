//! What a night changes in the brands' per-day sums (issue 19): each rolled-up product's new day
//! rows minus its stored ones, kept only where they differ. Taking every changed product's days out
//! of its brands' and adding them back (two passes over their rows, and an update of every brand
//! day they touch) cost a night about as much as the few days that actually changed.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

use super::window_days::ProductDays;
use crate::error::Result;

/// The five per-day tables, as indexes into `DayDeltas::sums`.
const DAYS: usize = 0;
const ISSUES: usize = 1;
const LIKED: usize = 2;
const ASPECTS: usize = 3;
const SLICES: usize = 4;

/// A brand table's key: brand, day and the rest of its key: the code or term (none for
/// `brand_days`), or a slice's dimension, key and code.
type Key = (String, String, [String; 3]);

/// Per table, each brand row's change (the table's counts in column order; unused ones 0).
#[derive(Debug, Default)]
pub struct DayDeltas {
    sums: [BTreeMap<Key, [i64; 6]>; 5],
}

/// The rest of a row's key, borrowed ("" where the table has fewer columns).
type Extra<'a> = [&'a str; 3];

/// One product's change, borrowed from its rows: (table, brand, day, rest of the key) → counts.
type ProductDelta<'a> = BTreeMap<(usize, &'a str, &'a str, Extra<'a>), [i64; 6]>;

fn add<'a>(
    d: &mut ProductDelta<'a>,
    key: (usize, &'a str, &'a str, Extra<'a>),
    sign: i64,
    v: [i64; 6],
) {
    let e = d.entry(key).or_default();
    for (x, y) in e.iter_mut().zip(v) {
        *x += sign * y;
    }
}

/// Adds a product's rows to `d` with `sign` (+1 new, -1 stored), under the product's brand.
fn add_rows<'a>(d: &mut ProductDelta<'a>, p: &'a ProductDays, sign: i64) {
    let b = p.brand.as_str();
    for r in &p.days {
        let c = &r.counts;
        let v = [
            c.reviews,
            c.rated,
            c.rating_sum,
            c.positive,
            c.neutral,
            c.negative,
        ];
        add(d, (DAYS, b, &r.day, ["", "", ""]), sign, v);
    }
    for r in &p.issues {
        let v = [
            r.reviews,
            r.negative_neutral,
            r.rated_with,
            r.rating_sum_with,
            0,
            0,
        ];
        add(d, (ISSUES, b, &r.day, [&r.code, "", ""]), sign, v);
    }
    for r in &p.liked {
        add(
            d,
            (LIKED, b, &r.day, [&r.term, "", ""]),
            sign,
            [r.reviews, 0, 0, 0, 0, 0],
        );
    }
    for r in &p.aspects {
        let v = [r.reviews, r.rated, r.rating_sum, 0, 0, 0];
        add(d, (ASPECTS, b, &r.day, [&r.term, "", ""]), sign, v);
    }
    for r in &p.slices {
        let v = [
            r.reviews,
            r.rated,
            r.rating_sum,
            r.negative,
            r.negative_neutral,
            0,
        ];
        add(
            d,
            (SLICES, b, &r.day, [r.dimension, &r.key, &r.code]),
            sign,
            v,
        );
    }
}

/// Adds each brand row's change to its table (a row new to the brand is inserted).
const UPSERTS: [&str; 5] = [
    "INSERT INTO brand_days (brand, day, reviews, rated, rating_sum, positive, neutral, negative)
     VALUES (?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (brand, day) DO UPDATE SET reviews = reviews + excluded.reviews,
         rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum,
         positive = positive + excluded.positive, neutral = neutral + excluded.neutral,
         negative = negative + excluded.negative",
    "INSERT INTO brand_day_issues (brand, day, code, reviews, negative_neutral, rated_with,
         rating_sum_with) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (brand, day, code) DO UPDATE SET reviews = reviews + excluded.reviews,
         negative_neutral = negative_neutral + excluded.negative_neutral,
         rated_with = rated_with + excluded.rated_with,
         rating_sum_with = rating_sum_with + excluded.rating_sum_with",
    "INSERT INTO brand_day_liked (brand, day, term, reviews) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (brand, day, term) DO UPDATE SET reviews = reviews + excluded.reviews",
    "INSERT INTO brand_day_aspects (brand, day, term, reviews, rated, rating_sum)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (brand, day, term) DO UPDATE SET reviews = reviews + excluded.reviews,
         rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum",
    "INSERT INTO brand_day_slices (brand, day, dimension, key, code, reviews, rated, rating_sum,
         negative, negative_neutral) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (brand, day, dimension, key, code) DO UPDATE SET
         reviews = reviews + excluded.reviews, rated = rated + excluded.rated,
         rating_sum = rating_sum + excluded.rating_sum, negative = negative + excluded.negative,
         negative_neutral = negative_neutral + excluded.negative_neutral",
];

impl DayDeltas {
    /// Records a rolled-up product's change: its new rows (`new`) minus its stored ones (`old`,
    /// under the brand they were stored with). Rows equal in both cancel here, so what is kept
    /// grows with the days that changed, not with the changed products' days.
    pub fn product(&mut self, old: &ProductDays, new: &ProductDays) {
        let mut d = ProductDelta::new();
        add_rows(&mut d, old, -1);
        add_rows(&mut d, new, 1);
        for ((table, brand, day, extra), v) in d {
            if v == [0; 6] {
                continue;
            }
            let key = (
                brand.to_string(),
                day.to_string(),
                extra.map(str::to_string),
            );
            let e = self.sums[table].entry(key).or_default();
            for (x, y) in e.iter_mut().zip(v) {
                *x += y;
            }
        }
    }

    /// The (brand, month 'YYYY-MM') whose slices change: their month sums are summed again.
    pub fn slice_months(&self) -> BTreeSet<(String, String)> {
        (self.sums[SLICES].keys())
            .filter_map(|(brand, day, _)| Some((brand.clone(), day.get(..7)?.to_string())))
            .collect()
    }

    /// Adds the changes to the brand tables (rows left with no review are deleted by the caller).
    pub fn apply(self, tx: &rusqlite::Connection) -> Result<()> {
        for (table, sums) in self.sums.into_iter().enumerate() {
            let mut st = tx.prepare_cached(UPSERTS[table])?;
            for ((brand, day, extra), v) in sums.into_iter().filter(|(_, v)| *v != [0; 6]) {
                // `brand_days` has no code or term: its statement leaves ?3 out.
                let (b, d, x) = (brand.as_str(), day.as_str(), extra[0].as_str());
                match table {
                    DAYS => st.execute(params![b, d, x, v[0], v[1], v[2], v[3], v[4], v[5]]),
                    ISSUES => st.execute(params![b, d, x, v[0], v[1], v[2], v[3]]),
                    LIKED => st.execute(params![b, d, x, v[0]]),
                    SLICES => {
                        let (k, c) = (extra[1].as_str(), extra[2].as_str());
                        st.execute(params![b, d, x, k, c, v[0], v[1], v[2], v[3], v[4]])
                    }
                    _ => st.execute(params![b, d, x, v[0], v[1], v[2]]),
                }?;
            }
        }
        Ok(())
    }
}
