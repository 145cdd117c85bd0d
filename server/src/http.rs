//! The HTTP surface: Leptos pages and server functions, health, language choice, and the
//! middleware that refuses cross-site posts and keeps non-staff out of the staff area.

use app::auth::ssr::authed_from_headers;
use app::i18n::{translate, Locale, LOCALE_COOKIE};
use app::platform::{db, host_of};
use app::state::AppState;
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
    // A test bank (the sandbox: in development, or with KARAMAT_TEST_PAYMENTS=1) is announced on
    // every page.
    let test_payments = shell::TestPayments(state.gateways.active().is_test());
    let page_context = move || {
        leptos::prelude::provide_context(test_payments);
        content_security_policy();
    };
    // The bundle, its JavaScript and the style sheet: served in the brotli or gzip form made at
    // build time (`crate::assets`), cached by `cache_and_transport`.
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    Router::new()
        .nest_service(
            &format!("/{}", state.leptos_options.site_pkg_dir),
            tower_http::services::ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
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
        .leptos_routes_with_context(&state, routes, page_context, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            cache_and_transport,
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
        // Pages and API answers compressed per response at a quick level (the static assets come
        // compressed already and pass through untouched).
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(4)))
        // Outside the compression: a kept page is kept compressed, as it was sent.
        .layer(middleware::from_fn_with_state(
            crate::page_cache::PageCache::new(state.config.page_cache),
            crate::page_cache::layer,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
        // Outermost: counts every answer, the timeouts' and the guards' included.
        .layer(middleware::from_fn(crate::metrics::track))
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

/// Whether `url` (an `Origin` or a `Referer`) is this site: the configured public origin's host,
/// or in development the `Host` the browser used (127.0.0.1 and localhost both work there).
fn is_own(state: &AppState, headers: &HeaderMap, url: &str) -> bool {
    if url == "null" || url.is_empty() {
        return false;
    }
    let host = host_of(url);
    host == state.config.public_host()
        || (state.config.is_dev()
            && headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|h| h == host))
}

fn refuse_cross_site(path: &str, why: &str) -> Response {
    tracing::warn!(%path, why, "refused cross-site post");
    (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
}

/// Refuses state-changing requests that a browser marks as cross-site or whose `Origin` is not
/// this site's. A request that carries cookies must show where it comes from (`Origin` or
/// `Sec-Fetch-Site`, which every current browser sends on a POST; a same-origin `Referer` may
/// stand in): a cookie-bearing POST with none of them could be a forged form on another site in
/// an old browser. Requests without cookies and without those headers (curl, other servers)
/// pass: they act for nobody.
async fn cross_site_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let path = req.uri().path().to_string();
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match fetch_site.as_deref() {
        Some("cross-site") => return refuse_cross_site(&path, "sec-fetch-site"),
        // A sibling subdomain: only with this site's own Origin.
        Some("same-site")
            if !headers
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|o| is_own(&state, headers, o)) =>
        {
            return refuse_cross_site(&path, "sec-fetch-site")
        }
        _ => {}
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(origin) = origin {
        if !is_own(&state, headers, origin) {
            return refuse_cross_site(&path, "origin");
        }
    } else if fetch_site.is_none() && headers.contains_key(header::COOKIE) {
        let referer_ok = headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|r| is_own(&state, headers, r));
        if !referer_ok {
            return refuse_cross_site(&path, "cookie without origin");
        }
    }
    next.run(req).await
}

/// Leptos's per-response context for pages: the Content-Security-Policy with this response's
/// nonce (Leptos mints one per request and puts it on its hydration and streaming scripts).
/// Scripts run only with the nonce (and what they load, `strict-dynamic`); wasm needs
/// `wasm-unsafe-eval`; inline `style` attributes (progress bars) need `unsafe-inline` for styles.
fn content_security_policy() {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(v) = HeaderValue::from_str(&csp(Some(&nonce))) {
            res.insert_header(header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// The policy, with a nonce for pages; without one (JSON, CSV, files) no script runs at all.
pub fn csp(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("'nonce-{n}' 'strict-dynamic' 'wasm-unsafe-eval'"),
        None => "'none'".into(),
    };
    format!(
        "default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

/// The policy of every answer that is not a page (made once, sent with most responses).
static NO_SCRIPT_CSP: std::sync::LazyLock<HeaderValue> =
    std::sync::LazyLock::new(|| HeaderValue::from_str(&csp(None)).expect("the policy is ASCII"));

/// Paths whose answers are about one person (account, staff work, receipts, sign-in) even
/// without a cookie; with a session cookie every dynamic answer is treated so.
const PRIVATE_PREFIXES: [&str; 9] = [
    "/staff",
    "/account",
    "/sign-in",
    "/sign-up",
    "/receipt",
    "/pledge",
    "/employment/dashboard",
    "/api/",
    "/give/callback",
];

/// A file of the site rather than a page: under `/pkg/`, or at the root with a file extension.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || (path.matches('/').count() == 1
            && path.rsplit_once('.').is_some_and(|(_, ext)| {
                matches!(ext, "svg" | "ico" | "png" | "txt" | "webmanifest" | "woff2")
            }))
}

/// Response headers about caching and transport: `no-store` on every answer that may carry
/// personal or account data (so no shared or browser cache keeps it), a CSP on answers that did
/// not set their own, and HSTS outside development.
async fn cache_and_transport(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let signed_in =
        app::auth::ssr::cookie_value(req.headers(), app::auth::ssr::SESSION_COOKIE).is_some();
    let mut res = next.run(req).await;
    let public_data = path.starts_with("/api/v1/") || path.starts_with("/pkg/");
    let private =
        !public_data && (signed_in || PRIVATE_PREFIXES.iter().any(|p| path.starts_with(p)));
    let ok = res.status().is_success();
    let h = res.headers_mut();
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if ok && is_static_asset(&path) {
        h.insert(header::CACHE_CONTROL, crate::assets::cache_control(&path));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, NO_SCRIPT_CSP.clone());
    }
    if !state.config.is_dev() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
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
        app::auth::ssr::deny_with(&state.db, &who, p, Some(what)).await;
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
