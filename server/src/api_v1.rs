//! The public, read-only JSON API: aggregates and public listings only, the same numbers as the
//! transparency page. Any origin may read it (`Access-Control-Allow-Origin: *`); nothing here
//! changes state or needs a session.

use app::error::AppError;
use app::giving::{campaign_service, service as needs_service, NeedQuery};
use app::state::AppState;
use app::transparency::{self, snapshot};
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/summary", get(summary))
        .route("/api/v1/months", get(months))
        .route("/api/v1/months.csv", get(months_csv))
        .route("/api/v1/provinces", get(provinces))
        .route("/api/v1/provinces.csv", get(provinces_csv))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/categories.csv", get(categories_csv))
        .route("/api/v1/intentions", get(intentions))
        .route("/api/v1/intentions.csv", get(intentions_csv))
        .route("/api/v1/needs", get(needs))
        .route("/api/v1/campaigns", get(campaigns))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            ),
        )
}

fn fail(e: AppError) -> Response {
    let status = e.status();
    (status, Json(json!({ "error": e.message_key() }))).into_response()
}

/// JSON for a good answer, `{"error": key}` with the error's status otherwise.
fn answer<T: serde::Serialize>(r: Result<T, AppError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => fail(e),
    }
}

fn csv_answer(name: &str, r: Result<String, AppError>) -> Response {
    match r {
        Ok(body) => csv(name, body),
        Err(e) => fail(e),
    }
}

fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"karamat-{name}.csv\""),
            ),
        ],
        // A byte-order mark so spreadsheet programs read the Persian names as UTF-8.
        format!("\u{feff}{body}"),
    )
        .into_response()
}

async fn summary(State(s): State<AppState>) -> Response {
    let run = async {
        let r = snapshot::report(&s.db).await?;
        let sum = r.summary;
        Ok::<_, AppError>(json!({
            "raised_rials": sum.raised_rials,
            "disbursed_rials": r.disbursed_rials,
            "families_supported": sum.families_supported,
            "prisoners_freed": sum.prisoners_freed,
            "workers_employed": sum.workers_employed,
        }))
    };
    answer(run.await)
}

async fn months(State(s): State<AppState>) -> Response {
    answer(snapshot::report(&s.db).await.map(|r| r.months))
}

async fn months_csv(State(s): State<AppState>) -> Response {
    csv_answer(
        "months",
        snapshot::report(&s.db)
            .await
            .map(|r| transparency::months_csv(&r.months)),
    )
}

async fn provinces(State(s): State<AppState>) -> Response {
    answer(snapshot::report(&s.db).await.map(|r| r.provinces))
}

async fn provinces_csv(State(s): State<AppState>) -> Response {
    csv_answer(
        "provinces",
        snapshot::report(&s.db)
            .await
            .map(|r| transparency::provinces_csv(&r.provinces)),
    )
}

async fn categories(State(s): State<AppState>) -> Response {
    answer(snapshot::report(&s.db).await.map(|r| r.categories))
}

async fn categories_csv(State(s): State<AppState>) -> Response {
    csv_answer(
        "categories",
        snapshot::report(&s.db)
            .await
            .map(|r| transparency::categories_csv(&r.categories)),
    )
}

async fn intentions(State(s): State<AppState>) -> Response {
    answer(snapshot::report(&s.db).await.map(|r| r.intentions))
}

async fn intentions_csv(State(s): State<AppState>) -> Response {
    csv_answer(
        "intentions",
        snapshot::report(&s.db)
            .await
            .map(|r| transparency::intentions_csv(&r.intentions)),
    )
}

/// A query string that does not parse (`page=abc`, `page=-1`): 400 with the same JSON error body
/// as every other refusal, not axum's plain-text rejection.
fn bad_query(e: QueryRejection) -> Response {
    tracing::debug!(error = %e, "api query refused");
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": "error.bad_request" })),
    )
        .into_response()
}

/// The pages the API document declares (the site's own pages are more forgiving: a hand-edited
/// `page=0` shows the first).
const MAX_API_PAGE: u64 = 1_000_000;

fn page_taken(page: Option<u64>) -> bool {
    page.is_none_or(|p| (1..=MAX_API_PAGE).contains(&p))
}

async fn needs(State(s): State<AppState>, q: Result<Query<NeedQuery>, QueryRejection>) -> Response {
    match q {
        Ok(Query(q)) if !page_taken(q.page) => fail(AppError::invalid("page", "validation.filter")),
        Ok(Query(q)) => answer(needs_service::list_needs(&s.read, &q).await),
        Err(e) => bad_query(e),
    }
}

#[derive(Deserialize)]
struct CampaignQuery {
    offence: Option<String>,
    page: Option<u64>,
}

async fn campaigns(
    State(s): State<AppState>,
    q: Result<Query<CampaignQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) if !page_taken(q.page) => fail(AppError::invalid("page", "validation.filter")),
        Ok(Query(q)) => {
            answer(campaign_service::list(&s.read, q.offence.as_deref(), q.page.unwrap_or(1)).await)
        }
        Err(e) => bad_query(e),
    }
}

/// The OpenAPI 3.1 description of this API. Kept next to the handlers; a test checks that every
/// path it lists answers.
pub fn openapi_document() -> serde_json::Value {
    let int = json!({"type": "integer", "format": "int64"});
    let rials = json!({"type": "integer", "format": "int64", "description": "Amount in rials (10 rials = 1 toman)"});
    let list = |item: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}});
    // A sponsor matching gifts to a card still raising (null otherwise).
    let matched = json!({"type": ["object", "null"], "properties": {
        "sponsor": {"type": "string"}, "ratio": {"type": "integer", "enum": [1, 2]},
        "remaining_rials": rials, "ends_on": {"type": "string", "format": "date"}}});
    // Every status the API answers, each with the JSON error body (the property check in
    // `make test` holds the server to this list).
    let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let failures = || {
        json!({
            "408": {"description": "The answer took longer than the server's request timeout (empty body)"},
            "500": error("Internal error"),
        })
    };
    let with = |mut r: serde_json::Value, more: serde_json::Value| {
        for (k, v) in more.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let ok = |schema: serde_json::Value, what: &str| {
        with(
            json!({"200": {"description": what, "content": {"application/json": {"schema": schema}}}}),
            failures(),
        )
    };
    // Lists also refuse a query string that does not parse (400) or a value they do not take (422).
    let refusals = || {
        json!({
            "400": error("The query string does not parse (e.g. a page that is not a whole number)"),
            "422": error("A filter value the list does not take"),
        })
    };
    let csv_ok = |what: &str| {
        with(
            json!({"200": {"description": what, "content": {"text/csv": {"schema": {"type": "string"}}}}}),
            failures(),
        )
    };
    let provinces: Vec<&str> = crate::seed::PROVINCES
        .iter()
        .map(|(code, _, _)| *code)
        .collect();
    let page = json!({"name": "page", "in": "query",
        "description": "1 for the first page; lists stop counting at 240 matches, so a page past the twentieth answers the twentieth",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_API_PAGE}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Karamat public API",
            "version": "1",
            "description": "Read-only aggregates and public listings of Karamat: gifts raised and paid out by Solar Hijri month, province and kind of need; verified needs and release campaigns as the public sees them. No personal data of any family, prisoner or donor.",
            "license": {"name": "AGPL-3.0-or-later"}
        },
        "paths": {
            "/api/v1/summary": {"get": {"summary": "Totals", "operationId": "summary", "responses": ok(json!({"$ref": "#/components/schemas/Summary"}), "Totals")}},
            "/api/v1/months": {"get": {"summary": "Raised and paid out per Solar Hijri month (last twelve)", "operationId": "months", "responses": ok(list("Month"), "Months, oldest first")}},
            "/api/v1/months.csv": {"get": {"summary": "The same, as CSV", "operationId": "monthsCsv", "responses": csv_ok("CSV")}},
            "/api/v1/provinces": {"get": {"summary": "Raised and needs met per province", "operationId": "provinces", "responses": ok(list("Province"), "The 31 provinces")}},
            "/api/v1/provinces.csv": {"get": {"summary": "The same, as CSV", "operationId": "provincesCsv", "responses": csv_ok("CSV")}},
            "/api/v1/categories": {"get": {"summary": "Raised and needs met per kind of need", "operationId": "categories", "responses": ok(list("Category"), "Kinds of need")}},
            "/api/v1/categories.csv": {"get": {"summary": "The same, as CSV", "operationId": "categoriesCsv", "responses": csv_ok("CSV")}},
            "/api/v1/intentions": {"get": {"summary": "Gifts and rials given with each religious intention (sadaqah, kaffareh, nazr, fitriyeh, zakat)", "operationId": "intentions", "responses": ok(list("Intention"), "The five intentions")}},
            "/api/v1/intentions.csv": {"get": {"summary": "The same, as CSV", "operationId": "intentionsCsv", "responses": csv_ok("CSV")}},
            "/api/v1/needs": {"get": {
                "summary": "Public needs, filtered and paged like /needs", "operationId": "needs",
                "parameters": [
                    {"name": "q", "in": "query", "description": "Words of a need's title or story, in either script", "schema": {"type": "string", "maxLength": 100}},
                    {"name": "province", "in": "query", "schema": {"type": "string", "enum": provinces}, "description": "Province code, e.g. THR"},
                    {"name": "category", "in": "query", "schema": {"type": "string", "enum": app::giving::CATEGORIES}},
                    {"name": "left", "in": "query", "description": "At most this many tomans still to raise (needs still raising only)", "schema": {"type": "integer", "minimum": 1, "maximum": 10_000_000_000i64}},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["urgent", "newest", "smallest"]}},
                    page.clone()
                ],
                "responses": with(ok(json!({"$ref": "#/components/schemas/NeedPage"}), "A page of needs"), refusals())}},
            "/api/v1/campaigns": {"get": {
                "summary": "Public release campaigns", "operationId": "campaigns",
                "parameters": [
                    {"name": "offence", "in": "query", "schema": {"type": "string", "enum": app::giving::OFFENCES}},
                    page
                ],
                "responses": with(ok(json!({"$ref": "#/components/schemas/CampaignPage"}), "A page of campaigns"), refusals())}}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string", "description": "A message key"}}},
            "Summary": {"type": "object", "properties": {
                "raised_rials": rials, "disbursed_rials": rials, "families_supported": int,
                "prisoners_freed": int, "workers_employed": int}},
            "Month": {"type": "object", "properties": {
                "year": {"type": "integer", "description": "Solar Hijri year"}, "month": {"type": "integer", "minimum": 1, "maximum": 12},
                "raised_rials": rials, "disbursed_rials": rials, "gifts": int}},
            "Province": {"type": "object", "properties": {
                "code": {"type": "string"}, "name_fa": {"type": "string"}, "name_en": {"type": "string"},
                "raised_rials": rials, "needs_met": int}},
            "Category": {"type": "object", "properties": {"category": {"type": "string"}, "raised_rials": rials, "needs_met": int}},
            "Intention": {"type": "object", "properties": {"intention": {"type": "string", "enum": app::giving::Intention::ALL.map(|i| i.as_str())}, "gifts": int, "raised_rials": rials}},
            "NeedCard": {"type": "object", "properties": {
                "code": {"type": "string"}, "category": {"type": "string"}, "title": {"type": "string"},
                "province": {"type": ["object", "null"]}, "household_band": {"type": "string"},
                "goal_rials": rials, "raised_rials": rials, "donors": int,
                "deadline": {"type": ["string", "null"], "format": "date"}, "status": {"type": "string"},
                "occasion": {"type": ["string", "null"]}, "matched": matched}},
            "NeedPage": {"type": "object", "properties": {"items": list("NeedCard"), "total": int, "more": {"type": "boolean", "description": "More matched than `total` (counting stops at 240)"}, "page": int, "pages": int}},
            "CampaignCard": {"type": "object", "properties": {
                "code": {"type": "string"}, "offence": {"type": "string"}, "title": {"type": "string"},
                "province": {"type": ["object", "null"]}, "total_owed_rials": rials, "forgiveness_rials": rials,
                "raised_rials": rials, "donors": int, "status": {"type": "string"}, "matched": matched}},
            "CampaignPage": {"type": "object", "properties": {"items": list("CampaignCard"), "total": int, "more": {"type": "boolean", "description": "More matched than `total` (counting stops at 240)"}, "page": int, "pages": int}}
        }}
    })
}

async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}
