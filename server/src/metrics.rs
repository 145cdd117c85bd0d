//! `/metrics` in the Prometheus text format: requests per route template with latency histograms
//! (here), and what the application counts itself (`app::platform::metrics`: gifts, settlement
//! latency, notifications, reconciler, background jobs), plus gauges read at scrape time (the
//! database pool, the outbox backlog, gifts waiting for their bank).
//!
//! It is never on the public site by default: `KARAMAT_METRICS_ADDR` serves it on a separate
//! address (an internal interface), `KARAMAT_METRICS_TOKEN` on the site behind
//! `Authorization: Bearer …`. With neither, there is no `/metrics`.

use app::state::AppState;
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder once (later calls return the same handle).
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            // Latencies from a static file (~1 ms) to a slow report (a minute).
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                60.0,
            ];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
                .expect("buckets are not empty");
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is already global (a test harness): render our own anyway.
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed globally");
                    PrometheusBuilder::new().build_recorder().handle()
                }
            }
        })
        .clone()
}

/// Where `/metrics` is reachable, from the environment.
#[derive(Debug, Clone, Default)]
pub struct Exposure {
    /// `KARAMAT_METRICS_ADDR`: a separate listener serving only `/metrics`.
    pub addr: Option<std::net::SocketAddr>,
    /// `KARAMAT_METRICS_TOKEN`: `/metrics` on the site, for `Authorization: Bearer <token>`.
    pub token: Option<String>,
}

impl Exposure {
    pub fn from_env() -> anyhow::Result<Self> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let addr = match get("KARAMAT_METRICS_ADDR") {
            Some(a) => Some(
                a.trim()
                    .parse()
                    .map_err(|e| anyhow::anyhow!("KARAMAT_METRICS_ADDR={a}: {e}"))?,
            ),
            None => None,
        };
        let token = get("KARAMAT_METRICS_TOKEN").map(|t| t.trim().to_string());
        if token.as_ref().is_some_and(|t| t.len() < 24) {
            anyhow::bail!("KARAMAT_METRICS_TOKEN must be at least 24 characters");
        }
        Ok(Self { addr, token })
    }
}

/// The `/metrics` route alone; with a token, only for a request that presents it.
pub fn endpoint(state: AppState, token: Option<String>) -> Router {
    install();
    Router::new()
        .route(
            "/metrics",
            get(move |State(state): State<AppState>, headers: HeaderMap| {
                let token = token.clone();
                async move { scrape(&state, &headers, token.as_deref()).await }
            }),
        )
        .with_state(state)
}

async fn scrape(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> Response {
    if let Some(expected) = token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !app::platform::tokens_match(presented.trim(), expected) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need a token\n",
            )
                .into_response();
        }
    }
    read_gauges(state).await;
    let handle = install();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Gauges that are a state, not an event: read when scraped, from indexed columns only.
async fn read_gauges(state: &AppState) {
    let db = &state.db;
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle())
        }
        _ => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle())
        }
    };
    gauge!("karamat_db_pool_connections").set(size as f64);
    gauge!("karamat_db_pool_idle").set(idle as f64);
    gauge!("karamat_db_pool_in_use").set(size.saturating_sub(idle as u32) as f64);

    // Zero for a status with no rows, so an alert sees the backlog clear.
    let counts: [(&'static str, &str, &[&'static str]); 2] = [
        (
            "karamat_outbox_messages",
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM notification_outbox \
             WHERE status IN ('pending', 'sending', 'failed') GROUP BY status",
            &["pending", "sending", "failed"],
        ),
        (
            "karamat_gifts_open",
            "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM donations \
             WHERE status IN ('pending', 'flagged') GROUP BY status",
            &["pending", "flagged"],
        ),
    ];
    for (name, sql, statuses) in counts {
        let rows = match db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, metric = name, "metrics gauge not read");
                continue;
            }
        };
        for s in statuses {
            let n = rows
                .iter()
                .find(|r| r.try_get::<String>("", "status").is_ok_and(|v| v == *s))
                .and_then(|r| r.try_get::<i64>("", "n").ok())
                .unwrap_or(0);
            gauge!(name, "status" => *s).set(n as f64);
        }
    }
}

/// Counts every request by its route template (never the path itself: `/needs/{code}` is one
/// series, not one per need), method and status, with its latency until the response head.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    histogram!("karamat_http_request_duration_seconds", "route" => route.clone(), "method" => method.clone())
        .record(started.elapsed().as_secs_f64());
    counter!("karamat_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    res
}
