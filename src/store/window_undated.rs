//! Where undated reviews fall in a window: on the day of the analysis run in which they first
//! appeared, as the per-day counts place them; and the SQL condition that a review counts in a
//! window (for the views that read reviews: quotes, aspects, review lists).

use rusqlite::types::Value as SqlValue;

use super::windows::Window;
use super::Store;
use crate::error::Result;

/// Earlier successful analysis runs as (highest ingest run they covered, day they started),
/// keeping only runs that covered something new, so both columns rise.
fn run_days_of(conn: &rusqlite::Connection) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT ingest_watermark, substr(started_at, 1, 10) FROM analysis_runs
         WHERE status IN ('ok', 'unchanged') ORDER BY id",
    )?;
    let all = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for (w, d) in all {
        if out.last().is_none_or(|l| w > l.0) {
            out.push((w, d));
        }
    }
    Ok(out)
}

impl super::insights::Reader {
    /// See `run_days_of`.
    pub fn run_days(&self) -> Result<Vec<(i64, String)>> {
        run_days_of(&self.conn)
    }
}

/// The ingest runs (`first_run`, exclusive low and inclusive high) whose undated reviews count
/// in the window: those first analyzed by a run that started on a day in it (`runs` as
/// `run_days_of` gives them), or by none yet when `today` is in it, as `analyze::days` counts.
pub(super) fn undated_runs(
    runs: &[(i64, String)],
    from: &str,
    to: &str,
    today: &str,
) -> (i64, i64) {
    let i0 = runs.partition_point(|(_, d)| d.as_str() < from);
    let i1 = runs.partition_point(|(_, d)| d.as_str() <= to);
    let lo = if i0 == 0 { i64::MIN } else { runs[i0 - 1].0 };
    let hi = if i1 == runs.len() && from <= today && today <= to {
        i64::MAX
    } else if i1 == 0 {
        i64::MIN
    } else {
        runs[i1 - 1].0
    };
    (lo, hi)
}

impl Store {
    /// The SQL condition that review `r` (aliased so) counts in the window: its own date when it
    /// has a valid one, else the day of the analysis run in which it first appeared (as the
    /// per-day counts place it). Its values are pushed onto `args`.
    pub(super) fn review_in_window(&self, w: &Window, args: &mut Vec<SqlValue>) -> Result<String> {
        let (from, to) = w.bounds();
        let today = chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let (lo, hi) = undated_runs(&run_days_of(&self.conn)?, &from, &to, &today);
        let n = args.len();
        args.extend([
            SqlValue::Text(from),
            SqlValue::Text(to),
            SqlValue::Integer(lo),
            SqlValue::Integer(hi),
        ]);
        Ok(format!(
            "(CASE WHEN date(substr(r.review_date, 1, 10)) = substr(r.review_date, 1, 10)
                   THEN substr(r.review_date, 1, 10) BETWEEN ?{} AND ?{}
                   ELSE r.first_run > ?{} AND r.first_run <= ?{} END)",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::undated_runs;
    use crate::store::windows::Window;
    use chrono::NaiveDate;

    /// Undated reviews count on the day of the first run whose watermark covers their ingest run
    /// (after the last run: today), so a window takes a range of ingest runs.
    #[test]
    fn the_previous_window_never_starts_before_year_zero() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let w = |from| Window {
            from: Some(from),
            to: None,
            compare_previous: true,
        };
        let today = d(2026, 12, 4);
        let p = w(d(1, 1, 1)).previous(today).unwrap();
        assert_eq!((p.from, p.to), (Some(d(0, 1, 1)), Some(d(0, 12, 31))));
        assert_eq!(w(d(0, 1, 1)).previous(today), None);
        let p = w(d(2026, 11, 5)).previous(today).unwrap();
        assert_eq!((p.from, p.to), (Some(d(2026, 10, 6)), Some(d(2026, 11, 4))));
    }

    #[test]
    fn a_window_takes_the_ingest_runs_whose_first_analysis_fell_in_it() {
        let runs: Vec<(i64, String)> = [(2, "2024-01-10"), (5, "2024-01-20"), (7, "2024-02-01")]
            .iter()
            .map(|(w, d)| (*w, d.to_string()))
            .collect();
        let today = "2024-03-01";
        let r = |from: &str, to: &str| undated_runs(&runs, from, to, today);
        assert_eq!(
            r("", "9999-12-31"),
            (i64::MIN, i64::MAX),
            "all time: every review"
        );
        assert_eq!(
            r("2024-01-10", "2024-01-10"),
            (i64::MIN, 2),
            "ingest runs 1-2"
        );
        assert_eq!(r("2024-01-11", "2024-01-31"), (2, 5), "ingest runs 3-5");
        assert_eq!(r("2024-01-11", "2024-02-15"), (2, 7));
        assert_eq!(r("2024-02-02", "2024-02-28"), (7, 7), "no run: none");
        assert_eq!(
            r("2024-02-02", today),
            (7, i64::MAX),
            "not analyzed yet: today"
        );
        assert_eq!(
            r("", "2024-01-09"),
            (i64::MIN, i64::MIN),
            "before the first run: none"
        );
    }
}
