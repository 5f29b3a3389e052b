//! The API's handlers: plain functions from (store, method, URL) to a reply, testable without a
//! socket. Every reply is JSON in one envelope: `{"data": …, "meta": …}` or `{"error": …}`.

use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::{json, Value};

use super::openapi;
use super::params::{self, BadParam, Params};
use crate::error::Error;
use crate::store::pages::{BrandKey, Key};
use crate::store::query::Filter;
use crate::store::views::{issue_page, IssueRow};
use crate::store::windows::{ListKey, Window, WindowReport, WindowView};
use crate::store::{Store, SCHEMA_VERSION};

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Set on 405: the methods the path does take.
    pub allow: Option<&'static str>,
    /// Set on 500: what went wrong, for the server's log only; the client gets a generic message.
    pub internal: Option<String>,
}

impl Reply {
    fn ok(data: impl Serialize, meta: Value) -> Reply {
        #[derive(Serialize)]
        struct Envelope<D: Serialize> {
            data: D,
            meta: Value,
        }
        match serde_json::to_string(&Envelope { data, meta }) {
            Ok(body) => Reply {
                status: 200,
                body,
                allow: None,
                internal: None,
            },
            Err(e) => Reply::internal(format!("encoding the reply: {e}")),
        }
    }

    pub fn error(status: u16, code: &str, param: Option<&str>, message: &str) -> Reply {
        let body = json!({"error": {"status": status, "code": code, "parameter": param, "message": message}});
        Reply {
            status,
            body: body.to_string(),
            allow: None,
            internal: None,
        }
    }

    /// A 500: not the client's fault, and its details are for the server's log, not the client.
    pub fn internal(log: String) -> Reply {
        Reply {
            internal: Some(log),
            ..Reply::error(500, "internal", None, "internal error")
        }
    }

    fn bad_param(e: BadParam) -> Reply {
        let message = format!("parameter `{}`: {}", e.param, e.message);
        Reply::error(400, "bad_parameter", Some(&e.param), &message)
    }

    fn from_store(e: Error) -> Reply {
        match e {
            Error::NotFound(m) => Reply::error(404, "not_found", None, &m),
            Error::BadParam { param, message } => Reply::bad_param(BadParam { param, message }),
            Error::Sql(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Reply::error(503, "busy", None, "the database is busy; retry shortly")
            }
            other => Reply::internal(crate::error::chain(&other)),
        }
    }
}

/// Routes a request. `url` is the path with its query string, as the client sent it.
/// The route a path takes, as a template (`/api/v1/products/:id`): a metrics label whose values
/// are few, whatever clients ask for.
pub fn route_name(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments[..] {
        ["healthz"] => "/healthz",
        ["metrics"] => "/metrics",
        ["api", "v1", "openapi.json"] => "/api/v1/openapi.json",
        ["api", "v1", "products"] => "/api/v1/products",
        ["api", "v1", "products", _] => "/api/v1/products/:id",
        ["api", "v1", "products", _, "insights"] => "/api/v1/products/:id/insights",
        ["api", "v1", "products", _, "reviews"] => "/api/v1/products/:id/reviews",
        ["api", "v1", "brands"] => "/api/v1/brands",
        ["api", "v1", "brands", _] => "/api/v1/brands/:brand",
        ["api", "v1", "issues"] => "/api/v1/issues",
        ["api", "v1", "issues", _] => "/api/v1/issues/:code",
        ["api", "v1", "overview"] => "/api/v1/overview",
        ["api", "v1", "changes"] => "/api/v1/changes",
        ["api", "v1", "runs"] => "/api/v1/runs",
        ["api", ..] => "other",
        _ => "dashboard",
    }
}

pub fn handle(store: &Store, method: &str, url: &str) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let route = match segments[..] {
        ["healthz"] => Route::Health,
        ["api", "v1", "openapi.json"] => Route::OpenApi,
        ["api", "v1", "products"] => Route::Products,
        ["api", "v1", "products", id] | ["api", "v1", "products", id, "insights"] => {
            Route::Product(id)
        }
        ["api", "v1", "products", id, "reviews"] => Route::Reviews(id),
        ["api", "v1", "brands"] => Route::Brands,
        ["api", "v1", "brands", name] => Route::Brand(name),
        ["api", "v1", "issues"] => Route::Issues,
        ["api", "v1", "issues", code] => Route::Issue(code),
        ["api", "v1", "overview"] => Route::Overview,
        ["api", "v1", "changes"] => Route::Changes,
        ["api", "v1", "runs"] => Route::Runs,
        _ => {
            return Reply::error(
                404,
                "not_found",
                None,
                &format!("no route {path}; see /api/v1/openapi.json"),
            )
        }
    };
    if method != "GET" && method != "HEAD" {
        let mut r = Reply::error(
            405,
            "method_not_allowed",
            None,
            &format!("{method} is not allowed here; use GET"),
        );
        r.allow = Some("GET, HEAD");
        return r;
    }
    let result = match route {
        Route::Health => health(store, query),
        Route::OpenApi => no_params(query).and_then(|_| openapi_reply(store)),
        Route::Products => products(store, query),
        Route::Product(id) => decode_id(id).and_then(|id| product(store, &id, query)),
        Route::Reviews(id) => decode_id(id).and_then(|id| reviews(store, &id, query)),
        Route::Brands => brands(store, query),
        Route::Brand(name) => brand(store, name, query),
        Route::Issues => issues(store, query),
        Route::Issue(code) => issue(store, code, query),
        Route::Overview => overview(store, query),
        Route::Changes => changes(store, query),
        Route::Runs => runs(store, query),
    };
    result.unwrap_or_else(|r| r)
}

enum Route<'a> {
    Health,
    OpenApi,
    Products,
    Product(&'a str),
    Reviews(&'a str),
    Brands,
    Brand(&'a str),
    Issues,
    Issue(&'a str),
    Overview,
    Changes,
    Runs,
}

type Handled = Result<Reply, Reply>;

fn no_params(query: &str) -> Result<(), Reply> {
    Params::parse(query, &[], &[])
        .map(|_| ())
        .map_err(Reply::bad_param)
}

fn decode_id(id: &str) -> Result<String, Reply> {
    let decoded = percent_decode_str(id)
        .decode_utf8()
        .map_err(|_| Reply::error(404, "not_found", None, "no such product"))?;
    if decoded.is_empty() || decoded.len() > 64 {
        return Err(Reply::error(404, "not_found", None, "no such product"));
    }
    Ok(decoded.into_owned())
}

fn health(store: &Store, query: &str) -> Handled {
    no_params(query)?;
    let analyzer = store.current_analyzer().map_err(Reply::from_store)?;
    Ok(Reply::ok(
        json!({"status": "ok", "schema_version": SCHEMA_VERSION, "analyzer": analyzer}),
        json!({}),
    ))
}

/// A view over a time window: `data` is its report.
fn window_reply(store: &Store, w: &Window, view: &WindowView) -> Handled {
    let r = store.window_report(w, view).map_err(Reply::from_store)?;
    Ok(Reply::ok(r, json!({})))
}

/// A windowed list's paging fields, the unwindowed list's names: `total` rows in the whole list,
/// `count` on this page, and the cursor of the next page.
fn list_meta(
    r: &WindowReport,
    limit: usize,
    sort: &str,
    descending: bool,
    next: Option<String>,
) -> Value {
    json!({
        "total": r.page.as_ref().map_or(0, |p| p.total),
        "count": r.rows.len(),
        "limit": limit,
        "sort": sort,
        "order": if descending { "desc" } else { "asc" },
        "next_cursor": next,
    })
}

/// The OpenAPI document with the issue codes this database knows.
fn openapi_reply(store: &Store) -> Result<Reply, Reply> {
    let labels = store.labels().map_err(Reply::from_store)?;
    let mut codes: Vec<String> = crate::taxonomy::codes()
        .iter()
        .map(|c| c.to_string())
        .collect();
    codes.extend(labels.custom_codes());
    Ok(Reply {
        status: 200,
        body: openapi::document_for(&codes).to_string(),
        allow: None,
        internal: None,
    })
}

fn products(store: &Store, query: &str) -> Handled {
    let q = params::product_query(query).map_err(Reply::bad_param)?;
    known_issue(store, q.issue.as_deref())?;
    let with = ["brand", "min_reviews", "sort", "order", "limit", "cursor"];
    if let Some(w) =
        params::window(query, params::PRODUCT_PARAMS, &with).map_err(Reply::bad_param)?
    {
        let view = WindowView::Products {
            brands: q.brands,
            min_reviews: q.min_reviews,
            sort: q.sort,
            descending: q.descending,
            limit: q.limit,
            after: q.after.map(|k| ListKey {
                value: k.value,
                key: k.asin,
            }),
        };
        let r = store.window_report(&w, &view).map_err(Reply::from_store)?;
        let next = (r.page.as_ref().and_then(|p| p.next.as_ref())).map(|k| {
            let key = Key {
                value: k.value,
                asin: k.key.clone(),
            };
            params::encode_product_cursor(&key, q.sort, q.descending)
        });
        let meta = list_meta(&r, q.limit, q.sort.name(), q.descending, next);
        return Ok(Reply::ok(r, meta));
    }
    let page = store.product_page(&q).map_err(Reply::from_store)?;
    let next = page
        .next
        .as_ref()
        .map(|k| params::encode_product_cursor(k, q.sort, q.descending));
    Ok(Reply::ok(
        &page.items,
        json!({
            "total": page.total,
            "count": page.items.len(),
            "limit": q.limit,
            "sort": q.sort.name(),
            "order": if q.descending { "desc" } else { "asc" },
            "next_cursor": next,
        }),
    ))
}

/// `issue=` names a code the current insights know (built-in or a custom topic's), else 400.
fn known_issue(store: &Store, code: Option<&str>) -> Result<(), Reply> {
    if let Some(c) = code {
        let labels = store.labels().map_err(Reply::from_store)?;
        crate::filters::known_issue("issue", c, &labels).map_err(Reply::bad_param)?;
    }
    Ok(())
}

fn product(store: &Store, id: &str, query: &str) -> Handled {
    let window = params::window(query, params::WINDOW_PARAMS, &[]).map_err(Reply::bad_param)?;
    if let Some(w) = window {
        return window_reply(store, &w, &WindowView::Product(id.to_string()));
    }
    no_params(query)?;
    let p = store.product(id).map_err(Reply::from_store)?;
    Ok(Reply::ok(p, json!({})))
}

fn reviews(store: &Store, id: &str, query: &str) -> Handled {
    let q = params::review_query(id, query).map_err(Reply::bad_param)?;
    known_issue(store, q.issue.as_deref())?;
    let asin = store
        .canonical_asin(id)
        .map_err(Reply::from_store)?
        .ok_or_else(|| Reply::error(404, "not_found", None, &format!("no product {id}")))?;
    let q = crate::store::pages::ReviewQuery { asin, ..q };
    let (items, total, next) = store.review_page(&q).map_err(Reply::from_store)?;
    Ok(Reply::ok(
        &items,
        json!({
            "asin": q.asin,
            "total": total,
            "count": items.len(),
            "limit": q.limit,
            "next_cursor": next.map(params::encode_review_cursor),
        }),
    ))
}

fn brands(store: &Store, query: &str) -> Handled {
    let q = params::brand_query(query).map_err(Reply::bad_param)?;
    let with = ["brand", "sort", "order", "limit", "cursor"];
    if let Some(w) = params::window(query, params::BRAND_PARAMS, &with).map_err(Reply::bad_param)? {
        let view = WindowView::Brands {
            brands: q.brands,
            sort: q.sort,
            descending: q.descending,
            limit: q.limit,
            after: q.after.map(|k| ListKey {
                value: k.value,
                key: k.brand,
            }),
        };
        let r = store.window_report(&w, &view).map_err(Reply::from_store)?;
        let next = (r.page.as_ref().and_then(|p| p.next.as_ref())).map(|k| {
            let key = BrandKey {
                value: k.value,
                brand: k.key.clone(),
            };
            params::encode_brand_cursor(&key, q.sort, q.descending)
        });
        let meta = list_meta(&r, q.limit, q.sort.name(), q.descending, next);
        return Ok(Reply::ok(r, meta));
    }
    let page = store.brand_page(&q).map_err(Reply::from_store)?;
    let next = page
        .next
        .as_ref()
        .map(|k| params::encode_brand_cursor(k, q.sort, q.descending));
    Ok(Reply::ok(
        &page.items,
        json!({
            "total": page.total,
            "count": page.items.len(),
            "limit": q.limit,
            "sort": q.sort.name(),
            "order": if q.descending { "desc" } else { "asc" },
            "next_cursor": next,
        }),
    ))
}

/// One brand in full, its name percent-decoded (any letter case), over a window when asked.
fn brand(store: &Store, name: &str, query: &str) -> Handled {
    let not_found = || Reply::error(404, "not_found", None, "no such brand");
    let name = percent_decode_str(name)
        .decode_utf8()
        .map_err(|_| not_found())?;
    if name.trim().is_empty() {
        return Err(not_found());
    }
    let w = params::window(query, params::WINDOW_PARAMS, &[]).map_err(Reply::bad_param)?;
    if w.is_none() {
        no_params(query)?;
    }
    let d = store
        .brand_detail(&name, &w.unwrap_or_default())
        .map_err(Reply::from_store)?;
    Ok(Reply::ok(d, json!({})))
}

fn issues(store: &Store, query: &str) -> Handled {
    let q = params::issue_query(query).map_err(Reply::bad_param)?;
    let with = ["brand", "sort", "limit", "cursor"];
    let cursor = |k: &str| params::encode_issue_cursor(k, q.sort);
    if let Some(w) = params::window(query, params::ISSUE_PARAMS, &with).map_err(Reply::bad_param)? {
        let view = WindowView::Issues {
            brands: q.filter.brands,
            sort: q.sort,
            limit: q.limit,
            after: q.after.clone(),
        };
        let r = store.window_report(&w, &view).map_err(Reply::from_store)?;
        let next = (r.page.as_ref().and_then(|p| p.next.as_ref())).map(|k| cursor(&k.key));
        let mut meta = list_meta(&r, q.limit, q.sort.name(), true, next);
        meta["count"] = json!(r.issues.len());
        return Ok(Reply::ok(r, meta));
    }
    let mut rows: Vec<IssueRow> = store
        .issues(&q.filter)
        .map_err(Reply::from_store)?
        .into_iter()
        .map(IssueRow::new)
        .collect();
    q.sort.sort(&mut rows);
    let page = issue_page(&mut rows, |r| r.code.as_str(), q.after.as_deref(), q.limit)
        .ok_or_else(|| Reply::bad_param(stale_issue_cursor()))?;
    Ok(Reply::ok(
        &rows,
        json!({
            "total": page.total,
            "count": rows.len(),
            "limit": q.limit,
            "sort": q.sort.name(),
            "order": "desc",
            "next_cursor": page.next.as_deref().map(cursor),
        }),
    ))
}

/// An issue cursor whose issue the list no longer has (the insights changed between pages).
fn stale_issue_cursor() -> BadParam {
    BadParam {
        param: "cursor".into(),
        message: "its issue is no longer in this list; start again without a cursor".into(),
    }
}

fn issue_rows(store: &Store, f: &Filter) -> Result<Vec<Value>, Reply> {
    Ok(store
        .issues(f)
        .map_err(Reply::from_store)?
        .into_iter()
        .filter_map(|row| serde_json::to_value(IssueRow::new(row)).ok())
        .collect())
}

/// One issue across the portfolio: its totals and the brands that report it, ranked.
fn issue(store: &Store, code: &str, query: &str) -> Handled {
    let w = params::one_issue_window(query).map_err(Reply::bad_param)?;
    let not_found = || Reply::error(404, "not_found", None, &format!("no issue code {code}"));
    let code = percent_decode_str(code)
        .decode_utf8()
        .map_err(|_| not_found())?
        .into_owned();
    // Built-in codes, and the custom topics' of the current insights.
    let labels = store.labels().map_err(Reply::from_store)?;
    if !labels.is_code(&code) {
        return Err(not_found());
    }
    if w.is_set() {
        return window_issue(store, &w, &code);
    }
    let f = Filter::default();
    // Its row of `/issues`: totals and what it costs in stars, as the windowed form carries them.
    let row = (store.issues(&f).map_err(Reply::from_store)?)
        .into_iter()
        .find(|i| i.code == code)
        .map(IssueRow::new);
    let (reviews, products) = row.as_ref().map_or((0, 0), |i| (i.reviews, i.products));
    let (avg_with, avg_without, impact) = row.as_ref().map_or((None, None, None), |i| {
        (i.avg_rating_with, i.avg_rating_without, i.stars_gained)
    });
    let examples = store
        .issue_examples(&Window::default(), &code)
        .map_err(Reply::from_store)?;
    let brands: Vec<Value> = store
        .issue_brands(&code)
        .map_err(Reply::from_store)?
        .into_iter()
        .map(|(brand, reviews, products)| json!({"brand": brand, "reviews": reviews, "products": products}))
        .collect();
    Ok(Reply::ok(
        json!({"code": code, "label": labels.label(&code), "reviews": reviews, "products": products,
               "avg_with": avg_with, "avg_without": avg_without, "impact": impact,
               "examples": examples, "brands": brands}),
        json!({}),
    ))
}

/// One issue in a window: as without one, with `from`, `to`, its first products and the shares
/// of the reviews in the window; compared, the window before's counts and the changes.
fn window_issue(store: &Store, w: &Window, code: &str) -> Handled {
    let d = store
        .window_issue_detail(w, code)
        .map_err(Reply::from_store)?;
    Ok(Reply::ok(d, json!({})))
}

/// What `prodinsight report` opens with: the headline numbers, the products that need attention
/// (ranked by impact), the top issues and the brands.
fn overview(store: &Store, query: &str) -> Handled {
    let (brands, min_reviews, limit) = params::overview_query(query).map_err(Reply::bad_param)?;
    if let Some(w) =
        params::window(query, params::OVERVIEW_PARAMS, &["brand"]).map_err(Reply::bad_param)?
    {
        return window_reply(store, &w, &WindowView::Portfolio { brands });
    }
    store.require_analysis().map_err(Reply::from_store)?;
    let summary = store.portfolio_summary().map_err(Reply::from_store)?;
    let attention: Vec<Value> = store
        .attention(&brands, min_reviews, limit)
        .map_err(Reply::from_store)?
        .into_iter()
        .filter_map(|(p, impact)| {
            let mut v = serde_json::to_value(p).ok()?;
            v["impact"] = json!(impact);
            Some(v)
        })
        .collect();
    let filter = Filter {
        brands: brands.clone(),
        ..Default::default()
    };
    // Issues only positive reviews mention are no top issue: listed apart.
    let (mut issues, praise): (Vec<Value>, Vec<Value>) = issue_rows(store, &filter)?
        .into_iter()
        .partition(|r| r["reviews_negative_neutral"].as_i64() != Some(0));
    // Each issue's trend: reviews reporting it now against the previous run's snapshots.
    if let Some(previous) = summary.previous_run_id {
        let before = store
            .issue_counts_at(previous, &brands)
            .map_err(Reply::from_store)?;
        // A custom code defined otherwise at that run has no trend (no change shown), not a jump.
        let same = store.comparison().map_err(Reply::from_store)?;
        let topics_then = store.run_topics(previous).map_err(Reply::from_store)?;
        for row in &mut issues {
            let code = row["code"].as_str().unwrap_or_default();
            if !same.keeps(topics_then.as_deref(), code) {
                continue;
            }
            let then = before.get(code).copied();
            let now = row["reviews"].as_i64().unwrap_or(0);
            row["reviews_before"] = json!(then.unwrap_or(0));
            row["change"] = json!(now - then.unwrap_or(0));
        }
    }
    let brand_rows = store.brands(&brands).map_err(Reply::from_store)?;
    let breakdowns = store.breakdowns(&brands).map_err(Reply::from_store)?;
    let liked = store.liked_aspects(&brands).map_err(Reply::from_store)?;
    Ok(Reply::ok(
        json!({"summary": summary, "attention": attention, "issues": issues, "brands": brand_rows,
               "mentioned_in_praise": praise, "breakdowns": breakdowns, "liked_aspects": liked}),
        json!({"min_reviews": min_reviews, "limit": limit}),
    ))
}

/// What got worse since the previous analysis run: the alerts of `report changes`.
fn changes(store: &Store, query: &str) -> Handled {
    let q = params::change_query(query).map_err(Reply::bad_param)?;
    let c = store.changes(&q).map_err(Reply::from_store)?;
    let n = c.alerts.len();
    Ok(Reply::ok(c, json!({"alerts": n})))
}

/// The analysis runs, oldest first, as `report runs -f json` lists them.
fn runs(store: &Store, query: &str) -> Handled {
    let w = params::run_window(query).map_err(Reply::bad_param)?;
    let rows = store.runs(&w).map_err(Reply::from_store)?;
    let n = rows.len();
    Ok(Reply::ok(rows, json!({"count": n})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A real database with the sample data analyzed; handlers are called directly, no socket.
    fn store(dir: &Path) -> Store {
        let db = dir.join("t.db");
        let mut s = Store::open(&db).unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let quiet = true;
        crate::ingest::run(
            &mut s,
            &[sample],
            crate::ingest::Options {
                format: None,
                strict: false,
                force: false,
                quiet,
                snapshot: false,
            },
        )
        .unwrap();
        crate::analyze::run(
            &mut s,
            &crate::analyze::Options {
                full: false,
                threads: Some(1),
                quiet,
                analyzer: crate::analyze::Analyzer::Offline,
                topics: Default::default(),
            },
        )
        .unwrap();
        Store::open_readonly(&db).unwrap()
    }

    fn body(r: &Reply) -> Value {
        serde_json::from_str(&r.body).unwrap()
    }

    #[test]
    fn a_500_logs_its_cause_and_tells_the_client_nothing_of_it() {
        let e = Error::StoredInsights {
            asin: "B0SECRET00".into(),
            source: serde_json::from_str::<Value>("{").unwrap_err(),
        };
        let r = Reply::from_store(e);
        assert_eq!(r.status, 500);
        let v = body(&r);
        assert_eq!(v["error"]["code"], "internal");
        assert_eq!(v["error"]["message"], "internal error");
        assert!(!r.body.contains("B0SECRET00"), "{}", r.body);
        let log = r.internal.unwrap();
        assert!(
            log.starts_with("stored insights for B0SECRET00 are unreadable: EOF"),
            "{log}"
        );
    }

    #[test]
    fn routes_methods_and_envelopes() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let r = handle(&s, "GET", "/api/v1/products?limit=3&sort=asin");
        assert_eq!(r.status, 200);
        let v = body(&r);
        assert_eq!(v["data"].as_array().unwrap().len(), 3);
        assert!(v["meta"]["next_cursor"].is_string());
        let asins: Vec<&str> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["asin"].as_str().unwrap())
            .collect();
        let mut sorted = asins.clone();
        sorted.sort();
        assert_eq!(asins, sorted);

        let r = handle(&s, "POST", "/api/v1/products");
        assert_eq!((r.status, r.allow), (405, Some("GET, HEAD")));
        assert_eq!(body(&r)["error"]["code"], "method_not_allowed");

        let r = handle(&s, "GET", "/api/v1/products?limit=501");
        assert_eq!(r.status, 400);
        assert_eq!(body(&r)["error"]["parameter"], "limit");

        let r = handle(&s, "GET", "/api/v1/products/B0NOTHERE0");
        assert_eq!(r.status, 404);
        assert_eq!(body(&r)["error"]["code"], "not_found");

        let r = handle(&s, "GET", "/api/v1/products/B08C0F4912/");
        assert_eq!(r.status, 404, "no route with a trailing slash");

        let r = handle(&s, "HEAD", "/healthz");
        assert_eq!(r.status, 200);
    }
}
