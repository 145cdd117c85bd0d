//! The HTTP surface: Leptos pages and server functions, health, language choice, and the
//! middleware that refuses cross-site posts and keeps non-staff out of the staff area.

use app::auth::ssr::authed_from_headers;
use app::i18n::{translate, Locale, LOCALE_COOKIE};
use app::platform::{db, AppState};
use app::{shell, App};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use serde_json::json;
use tower_http::{
    compression::CompressionLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/locale", post(set_locale))
        .merge(crate::api_v1::routes())
        .route("/give/callback/{gateway}", get(crate::payments::callback))
        .route("/staff/kpis.csv", get(staff_kpis_csv))
        .route("/staff/queues.csv", get(staff_queues_csv))
        .route("/staff/audit.csv", get(staff_audit_csv))
        .route(
            "/sandbox-bank/{authority}/decide",
            post(crate::payments::sandbox_decide),
        )
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            staff_area_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            need_page_status,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cross_site_guard,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /healthz`: 200 with the backend and applied migrations when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let backend = db::backend_name(&state.db);
    match db::applied_migrations(&state.db).await {
        Ok(n) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": backend, "migrations_applied": n })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}

#[derive(Deserialize)]
struct LocaleForm {
    lang: String,
}

/// The no-JavaScript language switch: remember the choice and go back where the visitor was.
async fn set_locale(headers: HeaderMap, Form(form): Form<LocaleForm>) -> Response {
    let locale = Locale::from_code(&form.lang).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(same_site_path)
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.code()
    );
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// The path part of a URL, only if it is a local path (no scheme-relative tricks).
fn same_site_path(url: &str) -> Option<String> {
    let path = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map(|j| &after[j..]).unwrap_or("/")
        }
        None => url,
    };
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
}

fn host_of(origin: &str) -> &str {
    origin
        .split("://")
        .nth(1)
        .unwrap_or(origin)
        .trim_end_matches('/')
}

/// Refuses state-changing requests that a browser marks as cross-site, or whose `Origin` is not
/// this site's. Requests without those headers (curl, other servers) pass: they carry no
/// visitor's cookies by accident.
async fn cross_site_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        tracing::warn!(path = %req.uri().path(), "refused cross-site post (sec-fetch-site)");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let expected = match &state.config.public_origin {
            Some(o) => host_of(o).to_string(),
            None => headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
        };
        if origin == "null" || host_of(origin) != expected {
            tracing::warn!(path = %req.uri().path(), %origin, "refused cross-origin post");
            return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        }
    }
    next.run(req).await
}

/// The staff area is for staff: anonymous visitors go to sign in, others are refused.
async fn staff_area_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path == "/staff" || path.starts_with("/staff/")) {
        return next.run(req).await;
    }
    match authed_from_headers(&state, req.headers()).await {
        Ok(Some(a)) if a.role().is_staff() => next.run(req).await,
        Ok(Some(a)) => {
            tracing::warn!(user = %a.user.public_id, role = a.role().as_str(), %path, "staff area refused");
            let locale = req
                .headers()
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_cookie_header)
                .unwrap_or_default();
            forbidden_page(locale)
        }
        Ok(None) => Redirect::to("/sign-in").into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    }
}

/// A need or campaign page streams its content; whether the need is public is known here, before streaming,
/// so a draft, withdrawn or unknown need answers 404 (with the page's own "not found" text).
async fn need_page_status(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let (kind, code) = match (path.strip_prefix("/needs/"), path.strip_prefix("/release/")) {
        (Some(c), _) => ("need", c),
        (_, Some(c)) => ("campaign", c),
        _ => return next.run(req).await,
    };
    if code.is_empty() || code.contains('/') || req.method() != Method::GET {
        return next.run(req).await;
    }
    let code = code.to_string();
    let public = if kind == "need" {
        app::giving::service::is_public(&state.db, &code).await
    } else {
        app::giving::campaign_service::is_public(&state.db, &code).await
    };
    let mut res = next.run(req).await;
    match public {
        Ok(true) => {}
        Ok(false) => *res.status_mut() = StatusCode::NOT_FOUND,
        Err(_) => *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
    }
    res
}

fn forbidden_page(locale: Locale) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>403 — {}</title></head><body><h1>{}</h1><p><a href=\"/\">{}</a></p></body></html>",
        locale.code(),
        locale.dir(),
        translate(locale, "site.name"),
        translate(locale, "error.forbidden"),
        translate(locale, "nav.home"),
    );
    Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::FORBIDDEN.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referer_paths_stay_on_site() {
        assert_eq!(
            same_site_path("http://127.0.0.1:3000/sign-in?x=1"),
            Some("/sign-in?x=1".into())
        );
        assert_eq!(same_site_path("https://k.ir"), Some("/".into()));
        assert_eq!(same_site_path("//evil.example/x"), None);
        assert_eq!(same_site_path("/account"), Some("/account".into()));
        assert_eq!(host_of("https://k.ir/"), "k.ir");
    }
}

/// The staff member behind a CSV download, if the role may `p` (the staff-area guard has already
/// refused everyone who is not staff; this refuses the wrong role and logs it).
async fn csv_reader(
    state: &AppState,
    headers: &HeaderMap,
    p: app::auth::Permission,
    what: &str,
) -> Result<app::auth::ssr::Authed, Response> {
    let who = match authed_from_headers(state, headers).await {
        Ok(Some(a)) => a,
        Ok(None) => return Err(StatusCode::UNAUTHORIZED.into_response()),
        Err(e) => return Err(e.status().into_response()),
    };
    if !p.allows(who.role()) {
        app::auth::ssr::deny(&who, p, Some(what)).await;
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    if !who.two_factor {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    Ok(who)
}

fn csv_download(name: &str, body: Result<String, app::error::AppError>) -> Response {
    match body {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"karamat-{name}.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            // A byte-order mark, so spreadsheet programs read the Persian as UTF-8.
            format!("\u{feff}{body}"),
        )
            .into_response(),
        Err(e) => e.status().into_response(),
    }
}

/// The staff KPIs as CSV: the same rows the page shows, for the provinces this person may see.
async fn staff_kpis_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    use app::auth::Permission;
    let who = match csv_reader(&state, &headers, Permission::ViewCases, "kpis.csv").await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let k = app::casework::kpis::kpis(&state, &who, None).await;
    csv_download("kpis", k.map(|k| app::casework::kpis::csv(&k.provinces)))
}

/// The work queues as CSV: what this person's page shows, scoped the same way.
async fn staff_queues_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    use app::auth::Permission;
    let who = match csv_reader(&state, &headers, Permission::ViewCases, "queues.csv").await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let q = app::casework::service::queues(&state, &who).await;
    csv_download("queues", q.map(|q| app::casework::service::queues_csv(&q)))
}

#[derive(Deserialize)]
struct AuditFilter {
    action: Option<String>,
    before: Option<i64>,
}

/// The audit log as CSV with the page's filter, up to 10,000 entries (older ones with `before`).
async fn staff_audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(f): axum::extract::Query<AuditFilter>,
) -> Response {
    use app::auth::Permission;
    use app::casework::service;
    if let Err(r) = csv_reader(&state, &headers, Permission::ReadAudit, "audit.csv").await {
        return r;
    }
    let rows = service::audit_rows(
        &state,
        f.action.as_deref(),
        f.before,
        service::AUDIT_CSV_ROWS,
    )
    .await;
    csv_download("audit", rows.map(|r| service::audit_csv(&r)))
}
