//! What each issue costs in stars, checked against a direct SQL computation on the sample data:
//! each current review's stars and issue codes are read from the SQLite file (its issues are in
//! `text_results.issues`, joined by text hash and the current analyzer key), and the average rating
//! with and without each issue and the stars gained if it were fixed are recomputed from them for
//! every product, a brand and the portfolio, then compared with the CLI and the API.

mod common;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use common::{p, sample, Env, Server};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use rusqlite::Connection;
use serde_json::{json, Value};

/// One current review: ASIN, brand, stars (1-5 or none), issue codes, complaint aspects.
type Review = (
    String,
    Option<String>,
    Option<i64>,
    BTreeSet<String>,
    BTreeSet<String>,
);

fn reviews(e: &Env) -> Vec<Review> {
    let c = Connection::open(e.db()).unwrap();
    let analyzer: String = c
        .query_row(
            "SELECT analyzer FROM analysis_runs WHERE status IN ('ok', 'unchanged')
             ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut st = c
        .prepare(
            "SELECT r.id, r.asin, coalesce(p.brand, r.brand), r.rating,
                    json_extract(j.value, '$.code'), NULL
             FROM reviews r JOIN products p ON p.asin = r.asin
             LEFT JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             LEFT JOIN json_each(coalesce(t.issues, '[]')) j
             WHERE r.retired_run IS NULL
             UNION ALL
             SELECT r.id, r.asin, coalesce(p.brand, r.brand), r.rating, NULL, a.value
             FROM reviews r JOIN products p ON p.asin = r.asin
             JOIN text_results t ON t.text_hash = r.text_hash AND t.analyzer = ?1
             JOIN json_each(t.aspects) a
             WHERE r.retired_run IS NULL",
        )
        .unwrap();
    let mut by_id: BTreeMap<i64, Review> = BTreeMap::new();
    let rows = st
        .query_map([&analyzer], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, asin, brand, rating, code, aspect) = row.unwrap();
        let rating = rating.filter(|x| (1..=5).contains(x));
        let e = by_id
            .entry(id)
            .or_insert_with(|| (asin, brand, rating, BTreeSet::new(), BTreeSet::new()));
        e.3.extend(code);
        e.4.extend(aspect);
    }
    by_id.into_values().collect()
}

/// An exact fraction (positive denominator).
#[derive(Debug, Clone, Copy)]
struct Frac(i128, i128);

impl Frac {
    fn cmp(self, o: Frac) -> Ordering {
        (self.0 * o.1).cmp(&(o.0 * self.1))
    }
    /// To `places` decimals, half away from zero.
    fn round(self, places: u32) -> f64 {
        let scale = 10i128.pow(places);
        let q = (2 * (self.0 * scale).abs() + self.1) / (2 * self.1);
        let q = if self.0 < 0 { -q } else { q };
        q as f64 / scale as f64
    }
}

/// The expected figures of each issue among `rs`: code → (avg with, avg without, stars gained,
/// exact gain), all None below 5 rated reviews reporting it.
type Expected = BTreeMap<String, (Option<f64>, Option<f64>, Option<f64>, Option<Frac>)>;

fn expected(rs: &[&Review]) -> Expected {
    expected_of(rs, |r| &r.3)
}

/// As `expected`, for the codes (or terms) `of` gives each review.
fn expected_of(rs: &[&Review], of: impl Fn(&Review) -> &BTreeSet<String>) -> Expected {
    let rated: Vec<(i64, &BTreeSet<String>)> =
        rs.iter().filter_map(|r| r.2.map(|x| (x, of(r)))).collect();
    let (big_r, big_s) = (
        rated.len() as i128,
        rated.iter().map(|r| r.0 as i128).sum::<i128>(),
    );
    let codes: BTreeSet<&String> = rs.iter().flat_map(|r| of(r).iter()).collect();
    codes
        .into_iter()
        .map(|code| {
            let with: Vec<i64> = (rated.iter().filter(|r| r.1.contains(code)))
                .map(|r| r.0)
                .collect();
            let (r, s) = (
                with.len() as i128,
                with.iter().map(|&x| x as i128).sum::<i128>(),
            );
            if r < 5 || r == big_r {
                return (code.clone(), (None, None, None, None));
            }
            // (avg without − avg with) × r / R, as written: ((S−s)/(R−r) − s/r) · r/R
            let gap = Frac((big_s - s) * r - s * (big_r - r), (big_r - r) * r);
            let gain = Frac(gap.0 * r, gap.1 * big_r);
            let avg_with = Frac(s, r).round(2);
            let avg_without = Frac(big_s - s, big_r - r).round(2);
            (
                code.clone(),
                (
                    Some(avg_with),
                    Some(avg_without),
                    Some(gain.round(2)),
                    Some(gain),
                ),
            )
        })
        .collect()
}

fn shown(e: &Expected, code: &str) -> Value {
    let (w, wo, g, _) = e[code];
    json!([w, wo, g])
}

fn got(issue: &Value) -> Value {
    json!([
        issue["avg_rating_with"],
        issue["avg_rating_without"],
        issue["stars_gained"]
    ])
}

fn analyzed() -> Env {
    let e = Env::new();
    e.ok(&["-q", "analyze", p(&sample())]);
    e
}

#[test]
fn every_products_issues_cost_what_sql_says() {
    let e = analyzed();
    let all = reviews(&e);
    let asins: BTreeSet<&String> = all.iter().map(|r| &r.0).collect();
    let (mut checked, mut aspects) = (0, 0);
    for asin in asins {
        let mine: Vec<&Review> = all.iter().filter(|r| &r.0 == asin).collect();
        let want = expected(&mine);
        let detail: Value =
            serde_json::from_str(&e.ok(&["report", "product", asin, "-f", "json"])).unwrap();
        let listed = (detail["issues"].as_array().unwrap().iter())
            .chain(detail["mentioned_in_praise"].as_array().unwrap());
        let mut codes = BTreeSet::new();
        for issue in listed {
            let code = issue["code"].as_str().unwrap();
            assert_eq!(got(issue), shown(&want, code), "{asin} {code}");
            checked += usize::from(!issue["stars_gained"].is_null());
            codes.insert(code.to_string());
        }
        assert_eq!(codes, want.keys().cloned().collect(), "{asin}");
        // Complaint aspects, the same way.
        let want = expected_of(&mine, |r| &r.4);
        for a in detail["complaint_aspects"].as_array().unwrap() {
            let term = a["term"].as_str().unwrap();
            assert_eq!(got(a), shown(&want, term), "{asin} aspect {term}");
            aspects += usize::from(!a["stars_gained"].is_null());
        }
    }
    assert!(checked >= 3, "too few issues with an impact: {checked}");
    assert!(aspects >= 1, "no complaint aspect with an impact");
}

/// The portfolio (and a brand): from summed integers, the same as SQL; `--sort impact` ranks by
/// the exact gain, issues without one last, ties by code; the API says the same.
#[test]
fn the_portfolio_ranks_issues_by_the_stars_they_cost() {
    let e = analyzed();
    let all = reviews(&e);
    let everyone: Vec<&Review> = all.iter().collect();
    let want = expected(&everyone);
    let by_impact: Value =
        serde_json::from_str(&e.ok(&["report", "issues", "--sort", "impact", "-f", "json"]))
            .unwrap();
    let rows = by_impact.as_array().unwrap();
    for row in rows {
        let code = row["code"].as_str().unwrap();
        assert_eq!(got(row), shown(&want, code), "{code}");
    }
    let mut order: Vec<(&String, Option<Frac>)> = want.iter().map(|(c, v)| (c, v.3)).collect();
    order.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => y.cmp(x).then_with(|| a.0.cmp(b.0)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.0.cmp(b.0),
    });
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let want_codes: Vec<&str> = order.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, want_codes);
    assert!(order.iter().filter(|o| o.1.is_some()).count() >= 3);

    // The default order is unchanged: by negative and neutral reviews.
    let default: Value = serde_json::from_str(&e.ok(&["report", "issues", "-f", "json"])).unwrap();
    let nn: Vec<i64> = (default.as_array().unwrap().iter())
        .map(|r| r["reviews_negative_neutral"].as_i64().unwrap())
        .collect();
    assert!(nn.windows(2).all(|w| w[0] >= w[1]), "{nn:?}");

    let server = Server::start(&e);
    assert_eq!(server.ok("/api/v1/issues?sort=impact")["data"], by_impact);
    assert_eq!(server.ok("/api/v1/issues")["data"], default);
    assert_eq!(server.get("/api/v1/issues?sort=stars").0, 400);
    assert_eq!(
        e.run(&["report", "issues", "--sort", "stars"])
            .status
            .code(),
        Some(2)
    );

    // A brand: its own reviews are the scope.
    let brand = all.iter().find_map(|r| r.1.clone()).unwrap();
    let theirs: Vec<&Review> = all
        .iter()
        .filter(|r| r.1.as_ref() == Some(&brand))
        .collect();
    let want = expected(&theirs);
    let cli: Value = serde_json::from_str(&e.ok(&[
        "report", "issues", "--brand", &brand, "--sort", "impact", "-f", "json",
    ]))
    .unwrap();
    for row in cli.as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        assert_eq!(got(row), shown(&want, code), "{brand} {code}");
    }
    // The brand's own issues (its detail) say the same.
    let brands: Value = serde_json::from_str(&e.ok(&["report", "brands", "-f", "json"])).unwrap();
    let theirs = (brands.as_array().unwrap().iter())
        .find(|b| b["brand"] == json!(brand))
        .unwrap();
    for issue in theirs["issues"].as_array().unwrap() {
        let code = issue["code"].as_str().unwrap();
        assert_eq!(
            got(issue),
            shown(&want, code),
            "brand detail {brand} {code}"
        );
    }
    let q = format!(
        "/api/v1/issues?sort=impact&brand={}",
        utf8_percent_encode(&brand, NON_ALPHANUMERIC)
    );
    assert_eq!(server.ok(&q)["data"], cli);
}

/// Table, CSV and HTML show the figures too, for the portfolio and a product.
#[test]
fn every_format_shows_the_stars_gained() {
    let e = analyzed();
    let list: Value =
        serde_json::from_str(&e.ok(&["report", "issues", "--sort", "impact", "-f", "json"]))
            .unwrap();
    let top = &list[0];
    let gain = top["stars_gained"].as_f64().unwrap().to_string();
    for fmt in ["table", "csv", "html"] {
        let out = e.ok(&["report", "issues", "--sort", "impact", "-f", fmt]);
        assert!(out.contains("stars gained if fixed"), "{fmt}: {out}");
        assert!(out.contains(&gain), "{fmt}: {gain} missing in {out}");
    }
    let csv = e.ok(&["report", "issues", "--sort", "impact", "-f", "csv"]);
    // The issue's row starts with its code and has its gain under its header (the columns are
    // the windowed CSV's: those that do not apply all time are empty).
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == "stars gained if fixed");
    assert_eq!(first[0], top["code"].as_str().unwrap(), "{csv}");
    assert_eq!(at.map(|i| first[i]), Some(gain.as_str()), "{csv}");

    // A product with an issue that has an impact.
    let asins: BTreeSet<String> = reviews(&e).into_iter().map(|r| r.0).collect();
    let (asin, issue) = asins
        .iter()
        .find_map(|a| {
            let d: Value =
                serde_json::from_str(&e.ok(&["report", "product", a, "-f", "json"])).unwrap();
            let i = d["issues"]
                .as_array()?
                .iter()
                .find(|i| !i["stars_gained"].is_null())?
                .clone();
            Some((a.clone(), i))
        })
        .unwrap();
    let gain = issue["stars_gained"].as_f64().unwrap().to_string();
    for fmt in ["table", "csv"] {
        let out = e.ok(&["report", "product", &asin, "-f", fmt]);
        assert!(
            out.contains("stars gained if fixed") && out.contains(&gain),
            "{fmt}: {out}"
        );
    }
    let html = e.ok(&["report", "product", &asin, "-f", "html"]);
    let code = issue["code"].as_str().unwrap();
    let metric = format!("data-metric=\"issue.{code}.stars_gained\">{gain}<");
    assert!(html.contains(&metric), "{metric} missing");

    // The overview's page: its top issues (the first ten by negative and neutral reviews) with
    // what each costs the portfolio, as `report issues` says.
    let html = e.ok(&["report", "-f", "html"]);
    let costs = html
        .split_once("What each issue costs in stars")
        .map(|(_, rest)| rest.split("</table>").next().unwrap_or(""))
        .unwrap_or_else(|| panic!("no issue costs in the overview's page: {html}"));
    let default: Value = serde_json::from_str(&e.ok(&["report", "issues", "-f", "json"])).unwrap();
    for i in default.as_array().unwrap().iter().take(10) {
        let code = i["code"].as_str().unwrap();
        let gained = i["stars_gained"]
            .as_f64()
            .map_or(String::new(), |g| format!("{g:.2}"));
        let row = format!("<tr><td>{code}</td>");
        let cells = costs
            .split(&row)
            .nth(1)
            .and_then(|r| r.split("</tr>").next());
        let cells = cells.unwrap_or_else(|| panic!("{code} missing: {costs}"));
        assert!(
            cells.ends_with(&format!("{gained}</td>")),
            "{code} {gained}: {cells}"
        );
    }
}

/// One issue's page (`report issue CODE`, `/api/v1/issues/{code}`) carries what it costs in stars
/// and its quotes without a window as with one: the figures are SQL's, the quotes are reviews
/// reporting it, with their stars and language, and the CLI and the API say the same.
#[test]
fn an_issue_page_costs_and_quotes_all_time() {
    let e = analyzed();
    let all = reviews(&e);
    let everyone: Vec<&Review> = all.iter().collect();
    let want = expected(&everyone);
    let server = Server::start(&e);
    let c = Connection::open(e.db()).unwrap();
    let mut with_impact = 0;
    for code in want.keys() {
        let api = &server.ok(&format!("/api/v1/issues/{code}"))["data"];
        let cli: Value =
            serde_json::from_str(&e.ok(&["report", "issue", code, "-f", "json"])).unwrap();
        let figures = |v: &Value| json!([v["avg_with"], v["avg_without"], v["impact"]]);
        assert_eq!(figures(api), shown(&want, code), "API {code}: {api}");
        assert_eq!(figures(&cli), shown(&want, code), "CLI {code}");
        with_impact += usize::from(!api["impact"].is_null());
        let examples = api["examples"].as_array().unwrap();
        assert_eq!(api["examples"], cli["examples"], "{code}");
        assert!(!examples.is_empty() && examples.len() <= 3, "{code}: {api}");
        for q in examples {
            let id = q["review_id"].as_str().unwrap();
            let (rating, body): (Option<i64>, Option<String>) = c
                .query_row(
                    "SELECT rating, coalesce(title, '') || ' ' || coalesce(body, '') FROM reviews
                     WHERE coalesce(source_review_id, review_key) = ?1 AND retired_run IS NULL",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap_or_else(|err| panic!("{code}: quote {id}: {err}"));
            assert_eq!(q["rating"], json!(rating), "{code} {id}");
            assert!(q["language"].is_string(), "{code} {id}: {q}");
            let text = q["text"].as_str().unwrap();
            assert!(
                body.unwrap_or_default().contains(text),
                "{code} {id}: {text}"
            );
        }
    }
    assert!(with_impact >= 3, "too few issues with an impact");
    // Every format of `report issue` shows them.
    let (code, _) = (want.iter()).find(|(_, v)| v.2.is_some()).unwrap();
    let api = &server.ok(&format!("/api/v1/issues/{code}"))["data"];
    let quote = api["examples"][0]["text"].as_str().unwrap();
    let gain = api["impact"].as_f64().unwrap().to_string();
    for fmt in ["table", "csv", "html"] {
        let out = e.ok(&["report", "issue", code, "-f", fmt]);
        if fmt != "csv" {
            assert!(out.contains(&gain), "{fmt}: {gain} missing in {out}");
        }
        if fmt == "csv" {
            assert_eq!(csv_issue_figures(&out), shown(&want, code), "{out}");
        }
        assert!(
            out.contains(quote) || fmt == "csv",
            "{fmt}: {quote} missing in {out}"
        );
    }
}

/// The star figures of `report issue CODE -f csv`'s issue row (its first), as JSON numbers or null.
fn csv_issue_figures(csv: &str) -> Value {
    let mut lines = csv.lines();
    let headers: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    // The issue row holds numbers and empty cells only: no quoting to undo.
    let row: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(row.first(), Some(&"issue"), "{csv}");
    let cell = |name: &str| {
        let i = headers.iter().position(|h| *h == name);
        let i = i.unwrap_or_else(|| panic!("no {name} column: {csv}"));
        row[i].parse::<f64>().map_or(Value::Null, |x| json!(x))
    };
    json!([
        cell("Avg ★ with"),
        cell("Avg ★ without"),
        cell("★ gained if fixed")
    ])
}

/// In a window, compared or not, the CSV's issue row says what the API's issue says it costs.
#[test]
fn an_issue_csv_costs_what_the_api_says_in_a_window() {
    let e = analyzed();
    let server = Server::start(&e);
    let (from, to) = ("2026-07-01", "2026-09-30");
    let mut shown_impact = 0;
    for code in ["leaks", "quality", "price_value"] {
        for compare in [false, true] {
            let q = if compare { "&compare=previous" } else { "" };
            let api = &server.ok(&format!("/api/v1/issues/{code}?from={from}&to={to}{q}"))["data"];
            let mut args = vec!["report", "issue", code, "--since", from, "--until", to];
            if compare {
                args.extend(["--compare", "previous"]);
            }
            let csv = e.ok(&[&args[..], &["-f", "csv"]].concat());
            let want = json!([api["avg_with"], api["avg_without"], api["impact"]]);
            assert_eq!(csv_issue_figures(&csv), want, "{code} {compare}: {csv}");
            shown_impact += usize::from(!api["impact"].is_null());
        }
    }
    assert!(shown_impact >= 2, "no issue with an impact in the window");
}
