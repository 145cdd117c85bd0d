//! Benchmarks for the two paths the public hits hardest, on national-scale data:
//! 1. the needs list page (the whole router: SSR of `/needs` with its server-side query),
//!    default, filtered, searched and deep pages — latency percentiles;
//! 2. confirmed gifts per second: start → sandbox bank "pay" → callback settlement, with several
//!    gifts in flight at once, each one verified and posted to the ledger exactly once.
//!
//! Database: `KARAMAT_BENCH_DATABASE_URL` (an already seeded national database, SQLite or
//! PostgreSQL), else a temporary SQLite file seeded at national scale first (about a minute).
//! Knobs: `KARAMAT_BENCH_GIFTS` (default 400), `KARAMAT_BENCH_CONCURRENCY` (default 8),
//! `KARAMAT_BENCH_ROUNDS` (page requests per case, default 20).
//!
//!     cargo bench -p server --bench giving
//!     KARAMAT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/karamat_bench cargo bench -p server --bench giving

use app::giving::{settlement, validate_gift, GiftForm};
use app::payments::sandbox;
use app::platform::Config;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use server::seed::{self, Scale};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing else to parse.
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
    let needs: i64 = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM needs",
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    let state = server::state(server::plain_leptos_options(), conn, config);
    let app = server::http::router(state.clone());
    println!("backend: {backend}, needs: {needs}");

    // 1. The needs list page.
    let rounds = env_usize("KARAMAT_BENCH_ROUNDS", 20);
    println!("\nneeds list page (GET, whole router, {rounds} requests each)");
    println!(
        "{:<34} {:>9} {:>9} {:>9}",
        "case", "p50 ms", "p95 ms", "max ms"
    );
    for (name, path) in [
        ("default (urgent first)", "/needs"),
        ("province + category", "/needs?province=THR&category=rent"),
        (
            "Persian text search",
            "/needs?q=%D8%A7%D8%AC%D8%A7%D8%B1%D9%87",
        ),
        ("newest, page 50", "/needs?sort=newest&page=50"),
        ("need page", "__need__"),
    ] {
        let path = if path == "__need__" {
            let code: String = state
                .db
                .query_one_raw(Statement::from_string(
                    state.db.get_database_backend(),
                    "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
                ))
                .await?
                .map(|r| r.try_get_by_index::<String>(0))
                .transpose()?
                .unwrap_or_default();
            format!("/needs/{code}")
        } else {
            path.to_string()
        };
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let req = Request::get(&path)
                .header(header::HOST, "127.0.0.1:3000")
                .body(Body::empty())?;
            let t0 = Instant::now();
            let res = app.clone().oneshot(req).await?;
            let status = res.status();
            let _ = http_body_util::BodyExt::collect(res.into_body()).await?;
            times.push(t0.elapsed());
            anyhow::ensure!(status == StatusCode::OK, "{path}: {status}");
        }
        times.sort();
        println!(
            "{:<34} {:>9.1} {:>9.1} {:>9.1}",
            name,
            pct(&times, 0.5),
            pct(&times, 0.95),
            pct(&times, 1.0)
        );
    }

    // 2. Confirmed gifts per second, to the general fund and to open needs.
    let gifts = env_usize("KARAMAT_BENCH_GIFTS", 400);
    let concurrency = env_usize("KARAMAT_BENCH_CONCURRENCY", 8).max(1);
    let codes: Vec<String> = state
        .db
        .query_all_raw(Statement::from_string(
            state.db.get_database_backend(),
            "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 50",
        ))
        .await?
        .into_iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    let run = std::process::id();
    let t0 = Instant::now();
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let state = state.clone();
        let codes = codes.clone();
        handles.push(tokio::spawn(async move {
            let mut done = 0usize;
            let mut latencies = Vec::new();
            for i in (w..gifts).step_by(concurrency) {
                let (kind, code) = match (i % 2, codes.get(i % codes.len().max(1))) {
                    (0, Some(c)) => ("need", Some(c.clone())),
                    _ => ("urgent", None),
                };
                let form = GiftForm {
                    target_kind: kind.into(),
                    target_code: code,
                    attempt: format!("bench{run}x{i:012}"),
                    amount: Some("100000".into()),
                    ..Default::default()
                };
                let g0 = Instant::now();
                let Ok(gift) = validate_gift(&form) else {
                    continue;
                };
                let url =
                    match settlement::start(&state, &gift, None, "http://127.0.0.1:3000").await {
                        Ok(u) => u,
                        // A need filled by earlier gifts of this run no longer takes gifts.
                        Err(_) => continue,
                    };
                let authority = url.trim_start_matches(sandbox::PAGE_PREFIX).to_string();
                sandbox::decide(&state.db, &authority, "pay")
                    .await
                    .expect("decide");
                let r = settlement::settle(&state, "sandbox", &authority, true)
                    .await
                    .expect("settle");
                assert_eq!(r.outcome, settlement::Settled::Now);
                latencies.push(g0.elapsed());
                done += 1;
            }
            (done, latencies)
        }));
    }
    let mut confirmed = 0;
    let mut latencies = Vec::new();
    for h in handles {
        let (n, l) = h.await?;
        confirmed += n;
        latencies.extend(l);
    }
    let secs = t0.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "\nconfirmed gifts: {confirmed} in {secs:.1} s = {:.1} gifts/s with {concurrency} in flight \
         (per gift: p50 {:.1} ms, p95 {:.1} ms; start + bank + verify + settle + ledger)",
        confirmed as f64 / secs,
        pct(&latencies, 0.5),
        pct(&latencies, 0.95),
    );
    let health = app::ledger::health(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        health.is_sound(),
        "ledger not sound after the run: {health:?}"
    );
    println!(
        "ledger sound: {} transactions, sum {}",
        health.transactions, health.total
    );
    Ok(())
}
