//! Benchmark of the staff pages and work queues on national-scale data, through the whole router
//! with a signed-in (two-factor enrolled) session: the staff home with its queues, the queues
//! server function, the KPI page and CSV, a family's file, a need's case and the audit log, for a
//! province-scoped social worker and for a national admin, and the time to take the KPI snapshot
//! the KPI page reads. Percentiles, not a pass/fail test.
//!
//! Database: `KARAMAT_BENCH_DATABASE_URL` (an already seeded national database, SQLite or
//! PostgreSQL), else a temporary SQLite file seeded at national scale first.
//! `KARAMAT_BENCH_ROUNDS` (requests per case, default 20).
//!
//!     cargo bench -p server --bench staff
//!     KARAMAT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/karamat_bench cargo bench -p server --bench staff

use app::platform::Config;
use axum::body::Body;
use axum::http::{header, Request};
use sea_orm::{ConnectionTrait, Statement};
use server::seed::{self, Scale};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn first(conn: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<String> {
    Ok(conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row: {sql}"))?
        .try_get_by_index::<String>(0)?)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let _keep = tempfile::tempdir()?;
    let url = match std::env::var("KARAMAT_BENCH_DATABASE_URL") {
        Ok(u) => u,
        Err(_) => {
            let url = format!("sqlite://{}/bench.db?mode=rwc", _keep.path().display());
            let conn = server::connect_and_migrate(&Config::for_tests(&url)).await?;
            eprintln!("seeding a national-scale SQLite database (set KARAMAT_BENCH_DATABASE_URL to reuse one)…");
            let r = seed::run(&conn, Scale::National, 1405).await?;
            eprintln!("seeded {} rows in {:.0} s", r.total_rows(), r.seconds);
            conn.close().await?;
            url
        }
    };
    let config = Config::for_tests(&url);
    let conn = server::connect_and_migrate(&config).await?;
    let backend = app::platform::db::backend_name(&conn);
    let family = first(&conn, "SELECT f.public_code FROM families f JOIN user_scopes s ON s.province_id = f.province_id JOIN users u ON u.id = s.user_id WHERE u.role = 'social_worker' ORDER BY f.id LIMIT 1").await?;
    let need = first(&conn, "SELECT n.public_code FROM needs n JOIN user_scopes s ON s.province_id = n.province_id JOIN users u ON u.id = s.user_id WHERE u.role = 'social_worker' ORDER BY n.id LIMIT 1").await?;
    let state = server::state(server::plain_leptos_options(), conn.clone(), config.clone());
    let app = server::http::router(state.clone());
    let rounds: usize = std::env::var("KARAMAT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    println!("backend: {backend}; {rounds} requests per case");
    // The KPI page reads a snapshot; taking it is the work `serve` does every five minutes.
    let t = Instant::now();
    let rows = app::casework::kpis::refresh(&conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "KPI snapshot refresh: {rows} rows in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for email in ["social.worker@demo.karamat.ir", "admin@demo.karamat.ir"] {
        let id: i64 = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT id FROM users WHERE email = '{email}'"),
            ))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no {email}"))?
            .try_get_by_index(0)?;
        let token = app::auth::ssr::create_session(&conn, &config, id, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let cookie = format!("karamat_session={token}");
        println!("\n{email}");
        println!(
            "{:<28} {:>9} {:>9} {:>9}",
            "case", "p50 ms", "p95 ms", "max ms"
        );
        let cases: Vec<(&str, &str, String)> = vec![
            ("staff home (queues)", "GET", "/staff".into()),
            ("queues server fn", "POST", "/api/staff/queues".into()),
            ("KPI page", "GET", "/staff/kpis".into()),
            ("KPI CSV", "GET", "/staff/kpis.csv".into()),
            ("family file", "GET", format!("/staff/families/{family}")),
            ("need case", "GET", format!("/staff/needs/{need}")),
            ("audit log", "GET", "/staff/audit".into()),
        ];
        for (name, method, path) in cases {
            let mut times = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let req = Request::builder()
                    .method(method)
                    .uri(&path)
                    .header(header::HOST, "127.0.0.1:3000")
                    .header(header::COOKIE, &cookie)
                    .header(
                        header::ACCEPT,
                        if method == "POST" {
                            "application/json"
                        } else {
                            "text/html"
                        },
                    )
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::empty())?;
                let t = Instant::now();
                let res = app.clone().oneshot(req).await?;
                let status = res.status();
                let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
                times.push(t.elapsed());
                if !(status.is_success()) {
                    println!("  {name}: HTTP {status}");
                    break;
                }
            }
            times.sort();
            println!(
                "{:<28} {:>9.1} {:>9.1} {:>9.1}",
                name,
                pct(&times, 0.5),
                pct(&times, 0.95),
                pct(&times, 1.0)
            );
        }
    }
    Ok(())
}
