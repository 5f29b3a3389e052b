//! The OpenAPI 3 description of the API, served at /api/v1/openapi.json. Parameter lists come from
//! the same constants the handlers check, so the document cannot drift from what is accepted.

use serde_json::{json, Value};

use crate::filters::{
    CURSOR_PATTERN, DEFAULT_LIMIT, MAX_BRANDS, MAX_LIMIT, MAX_VALUE_LEN, SENTIMENT_BOUND_PATTERN,
};
use crate::store::pages::{BrandSort, ProductSort};
use crate::taxonomy;

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn limit() -> Value {
    param(
        "limit",
        "Page size.",
        json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    )
}

fn cursor() -> Value {
    param(
        "cursor",
        "The `meta.next_cursor` of the previous page, as is (only with the sort and order that made it).",
        json!({"type": "string", "minLength": 1, "pattern": CURSOR_PATTERN}),
    )
}

/// A text filter: not empty, at most `MAX_VALUE_LEN` characters (as `filters::text` checks).
fn text_schema() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LEN})
}

fn order_param() -> Value {
    param(
        "order",
        "Default: the sort key's natural order (desc for reviews, products, negative, trend; asc for rating, asin, brand).",
        json!({"type": "string", "enum": ["asc", "desc"]}),
    )
}

/// The `meta` of a paginated list.
fn page_meta(sorted: bool) -> Value {
    let mut m = json!({"type": "object", "required": ["total", "count", "limit", "next_cursor"],
        "properties": {
            "total": {"type": "integer", "minimum": 0, "description": "rows matching the filters, over all pages"},
            "count": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "next_cursor": {"type": "string", "nullable": true, "pattern": CURSOR_PATTERN,
                            "description": "pass as `cursor` for the next page; null on the last page"}}});
    if sorted {
        m["required"] = json!(["total", "count", "limit", "sort", "order", "next_cursor"]);
        m["properties"]["sort"] = json!({"type": "string"});
        m["properties"]["order"] = json!({"type": "string", "enum": ["asc", "desc"]});
    }
    m
}

fn issue_param(what: &str) -> Value {
    param(
        "issue",
        &format!("Only {what} with this issue code."),
        json!({"type": "string", "enum": taxonomy::codes()}),
    )
}

fn brand_param() -> Value {
    let mut p = param(
        "brand",
        "Only this brand, in any letter case; repeat for several.",
        json!({"type": "array", "maxItems": MAX_BRANDS, "items": text_schema()}),
    );
    p["style"] = json!("form");
    p["explode"] = json!(true);
    p
}

fn id_param() -> Value {
    json!({"name": "product_id", "in": "path", "required": true, "description": "The product's ASIN.",
           "schema": {"type": "string"}})
}

fn ok(description: &str, data: Value) -> Value {
    ok_with_meta(description, data, json!({"type": "object"}))
}

fn ok_with_meta(description: &str, data: Value, meta: Value) -> Value {
    json!({
        "200": {"description": description, "content": {"application/json": {"schema": {
            "type": "object", "required": ["data", "meta"],
            "properties": {"data": data, "meta": meta}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "405": {"$ref": "#/components/responses/MethodNotAllowed"}
    })
}

fn with_404(mut responses: Value) -> Value {
    responses["404"] = json!({"$ref": "#/components/responses/NotFound"});
    responses
}

pub fn document() -> Value {
    let sorts: Vec<&str> = ProductSort::ALL.iter().map(|s| s.name()).collect();
    let brand_sorts: Vec<&str> = BrandSort::ALL.iter().map(|s| s.name()).collect();
    let count_meta = json!({"type": "object", "required": ["count"],
        "properties": {"count": {"type": "integer", "minimum": 0}}});
    let mut review_meta = page_meta(false);
    review_meta["required"] = json!(["asin", "total", "count", "limit", "next_cursor"]);
    review_meta["properties"]["asin"] = json!({"type": "string"});

    let product_ref = json!({"$ref": "#/components/schemas/ProductSummary"});
    let error_response = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "prodinsight API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Product review insights from the prodinsight SQLite database. Every response \
                            but this document is JSON in one envelope: {data, meta} or {error}."
        },
        "paths": {
            "/healthz": {"get": {"summary": "Liveness and schema version", "operationId": "health",
                "responses": ok("The server can read its database.", json!({"type": "object"}))}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3 document"}}}},
            "/api/v1/products": {"get": {
                "summary": "Products with summarized insights, filtered, sorted and paginated (keyset)",
                "operationId": "listProducts",
                "parameters": [
                    brand_param(),
                    param("q", "Text in the ASIN, brand or title (case-insensitive for ASCII).", text_schema()),
                    param("min_reviews", "At least this many reviews.", json!({"type": "integer", "minimum": 0, "maximum": i64::MAX})),
                    param("min_rating", "Average rating at least this.", json!({"type": "number", "minimum": 1, "maximum": 5})),
                    param("max_rating", "Average rating at most this (below min_rating: no product matches).", json!({"type": "number", "minimum": 1, "maximum": 5})),
                    param("sentiment", "`negative:PCT` (at least PCT % negative, PCT from 0 to 100) or `positive:PCT`; a bare kind means 50.",
                          json!({"type": "string", "pattern": SENTIMENT_BOUND_PATTERN})),
                    issue_param("products"),
                    param("marketplace", "Only this marketplace (case-insensitive for ASCII).", text_schema()),
                    param("sort", "Sort key; products without a value (no rating, no previous run) come last.",
                          json!({"type": "string", "enum": sorts, "default": ProductSort::DEFAULT.name()})),
                    order_param(),
                    limit(),
                    cursor(),
                ],
                "responses": ok_with_meta("A page of products.",
                                json!({"type": "array", "items": product_ref}), page_meta(true))
            }},
            "/api/v1/products/{product_id}": {"get": {
                "summary": "Everything about one product: histogram, issues with quotes, aspects, languages, monthly trend, history per run",
                "operationId": "getProduct", "parameters": [id_param()],
                "responses": with_404(ok("The product's insights.", json!({"$ref": "#/components/schemas/ProductDetail"})))
            }},
            "/api/v1/products/{product_id}/insights": {"get": {
                "summary": "The same as /api/v1/products/{product_id}",
                "operationId": "getProductInsights", "parameters": [id_param()],
                "responses": with_404(ok("The product's insights.", json!({"$ref": "#/components/schemas/ProductDetail"})))
            }},
            "/api/v1/products/{product_id}/reviews": {"get": {
                "summary": "The product's reviews with their analysis, paginated",
                "operationId": "listProductReviews",
                "parameters": [
                    id_param(),
                    param("sentiment", "Only reviews with this overall sentiment.",
                          json!({"type": "string", "enum": ["positive", "neutral", "negative"]})),
                    issue_param("reviews"),
                    limit(),
                    cursor(),
                ],
                "responses": with_404(ok_with_meta("A page of reviews, oldest first.",
                    json!({"type": "array", "items": {"$ref": "#/components/schemas/Review"}}), review_meta))
            }},
            "/api/v1/brands": {"get": {"summary": "The portfolio rolled up by brand, sorted and paginated (keyset) like products",
                "operationId": "listBrands",
                "parameters": [
                    brand_param(),
                    param("sort", "Sort key; brands without a rating come last.",
                          json!({"type": "string", "enum": brand_sorts, "default": BrandSort::default().name()})),
                    order_param(),
                    limit(),
                    cursor(),
                ],
                "responses": ok_with_meta("A page of brands.",
                    json!({"type": "array", "items": {"$ref": "#/components/schemas/Brand"}}), page_meta(true))}},
            "/api/v1/issues": {"get": {"summary": "Issues ranked across all products", "operationId": "listIssues",
                "parameters": [brand_param()],
                "responses": ok_with_meta("Issues, most reported first.",
                    json!({"type": "array", "items": {"$ref": "#/components/schemas/IssueRank"}}), count_meta)}}
        },
        "components": {
            "responses": {
                "BadRequest": error_response("A parameter is wrong; `error.parameter` names it."),
                "NotFound": error_response("No such product or route."),
                "MethodNotAllowed": error_response("Only GET (and HEAD) are served.")
            },
            "schemas": schemas()
        }
    })
}

/// The response schemas: exact (required fields, nullability, enums), so a fuzzer checking responses
/// against them finds any drift.
fn schemas() -> Value {
    let nullable_number = json!({"type": "number", "nullable": true});
    let issue_codes = taxonomy::codes();
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string", "enum": ["bad_parameter", "not_found", "method_not_allowed", "busy", "internal"]},
                "parameter": {"type": "string", "nullable": true},
                "message": {"type": "string"}}}}},
        "IssueCount": {"type": "object", "required": ["code", "label", "count", "share"], "properties": {
            "code": {"type": "string"}, "label": {"type": "string"},
            "count": {"type": "integer"}, "share": {"type": "number", "description": "% of the product's reviews"}}},
        "IssueRank": {"type": "object", "required": ["code", "label", "reviews", "products"], "properties": {
            "code": {"type": "string", "enum": issue_codes}, "label": {"type": "string"},
            "reviews": {"type": "integer"}, "products": {"type": "integer"}}},
        "IssueHit": {"type": "object", "required": ["code", "evidence"], "properties": {
            "code": {"type": "string", "enum": issue_codes},
            "evidence": {"type": "string", "description": "the words of the review that report it"}}},
        "Brand": {"type": "object", "required": ["brand", "products", "review_count", "avg_rating", "pct_positive", "pct_negative", "issues"],
            "properties": {
            "brand": {"type": "string"}, "products": {"type": "integer"}, "review_count": {"type": "integer"},
            "avg_rating": nullable_number, "pct_positive": {"type": "number"}, "pct_negative": {"type": "number"},
            "issues": {"type": "array", "items": {"type": "object", "required": ["code", "label", "count"], "properties": {
                "code": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}}},
        "ProductSummary": {"type": "object",
            "required": ["asin", "brand", "title", "marketplace", "review_count", "rated_count", "avg_rating",
                         "pct_positive", "pct_neutral", "pct_negative", "neg_delta", "last_review_date", "top_issues"],
            "properties": {
            "asin": {"type": "string"}, "brand": {"type": "string", "nullable": true},
            "title": {"type": "string", "nullable": true}, "marketplace": {"type": "string", "nullable": true},
            "review_count": {"type": "integer"}, "rated_count": {"type": "integer"},
            "avg_rating": {"type": "number", "nullable": true},
            "pct_positive": {"type": "number"}, "pct_neutral": {"type": "number"}, "pct_negative": {"type": "number"},
            "neg_delta": {"type": "number", "nullable": true, "description": "change in % negative since the previous analysis run, in points"},
            "last_review_date": {"type": "string", "nullable": true},
            "top_issues": {"type": "array", "items": {"$ref": "#/components/schemas/IssueCount"}}}},
        "ProductDetail": {"type": "object",
            "required": ["asin", "brand", "review_count", "avg_rating", "rating_histogram", "pct_positive",
                         "pct_negative", "issues", "complaint_aspects", "languages", "trend", "history"],
            "properties": {
            "asin": {"type": "string"}, "brand": {"type": "string", "nullable": true},
            "review_count": {"type": "integer"}, "avg_rating": {"type": "number", "nullable": true},
            "rating_histogram": {"type": "object"},
            "pct_positive": {"type": "number"}, "pct_negative": {"type": "number"},
            "issues": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
                "share": {"type": "number"}, "share_of_negative": {"type": "number"},
                "examples": {"type": "array", "items": {"type": "object", "properties": {
                    "review_id": {"type": "string"}, "text": {"type": "string"}}}}}}},
            "complaint_aspects": {"type": "array", "items": {"type": "object", "properties": {
                "term": {"type": "string"}, "count": {"type": "integer"}}}},
            "languages": {"type": "object"},
            "trend": {"type": "array", "description": "monthly buckets by review date", "items": {"type": "object"}},
            "history": {"type": "array", "description": "one point per analysis run", "items": {"type": "object"}}}},
        "Review": {"type": "object",
            "required": ["review_id", "rating", "review_date", "title", "text", "language", "sentiment",
                         "text_sentiment", "text_score", "disagreement", "issues", "aspects"],
            "properties": {
            "review_id": {"type": "string"}, "rating": {"type": "integer", "nullable": true},
            "review_date": {"type": "string", "nullable": true},
            "title": {"type": "string", "nullable": true}, "text": {"type": "string", "nullable": true},
            "language": {"type": "string", "nullable": true},
            "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
            "text_sentiment": {"type": "string", "nullable": true},
            "text_score": {"type": "number", "nullable": true},
            "disagreement": {"type": "boolean"},
            "issues": {"type": "array", "items": {"$ref": "#/components/schemas/IssueHit"}},
            "aspects": {"type": "array", "items": {"type": "string"}}}}
    })
}
