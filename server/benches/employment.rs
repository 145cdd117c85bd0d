//! Benchmark of the employment work that grows with the country: matching for a prison of 2,000
//! prisoners, and a month's wage run over 10,000 active contracts (two workers each, ten logged
//! days), on national-scale data. Figures, not a pass/fail test.
//!
//! The bench reshapes its database first (moves 2,000 consenting prisoners into one prison, makes
//! every contract active and hourly, assigns two workers each and logs ten days of last month), so
//! point it only at a throw-away copy. Database: `KARAMAT_BENCH_DATABASE_URL` (an already seeded
//! national database, SQLite or PostgreSQL), else a temporary SQLite file seeded first.
//! `KARAMAT_BENCH_ROUNDS` (matching rounds, default 20).
//!
//!     cargo bench -p server --bench employment
//!     KARAMAT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/karamat_bench cargo bench -p server --bench employment

use app::auth::ssr::Authed;
use app::auth::{Role, SessionUser};
use app::employment::service;
use app::platform::entity::{production_hour, production_log, worker_assignment};
use app::platform::Config;
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, Statement};
use server::seed::{self, Scale};
use std::time::Instant;

const PRISON_SIZE: i64 = 2_000;
const WORKERS_PER_CONTRACT: i64 = 2;
const DAYS: i64 = 10;

async fn one(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    Ok(db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row: {sql}"))?
        .try_get_by_index::<i64>(0)?)
}

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    db.execute_unprepared(sql).await?;
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
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
    let db = server::connect_and_migrate(&config).await?;
    let backend = app::platform::db::backend_name(&db);
    let state = server::state(server::plain_leptos_options(), db.clone(), config.clone());
    let admin_id = one(
        &db,
        "SELECT id FROM users WHERE role = 'national_admin' ORDER BY id LIMIT 1",
    )
    .await?;
    let admin = Authed {
        user_id: admin_id,
        user: SessionUser {
            public_id: "bench".into(),
            display_name: "bench".into(),
            role: Role::NationalAdmin,
        },
        scopes: Vec::new(),
        two_factor: true,
    };
    println!("backend: {backend}");

    // ---- setup: a prison of 2,000 consenting prisoners, with a sewing contract.
    let started = Instant::now();
    let prison = one(&db, "SELECT prison_id FROM workshops ORDER BY id LIMIT 1").await?;
    let workshop = one(&db, "SELECT id FROM workshops ORDER BY id LIMIT 1").await?;
    let far = (Utc::now().date_naive() + Duration::days(3000)).to_string();
    exec(&db, "DELETE FROM production_hours").await?;
    exec(&db, "DELETE FROM wage_payments").await?;
    exec(&db, "DELETE FROM production_logs").await?;
    exec(&db, "DELETE FROM worker_assignments").await?;
    exec(
        &db,
        &format!(
            "UPDATE prisoners SET prison_id = {prison}, consent_work = TRUE, released_on = NULL, sentence_end = '{far}' \
             WHERE id IN (SELECT id FROM prisoners ORDER BY id DESC LIMIT {PRISON_SIZE})"
        ),
    )
    .await?;
    let in_prison = one(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM prisoners WHERE prison_id = {prison}"),
    )
    .await?;
    // ---- every contract active and hourly over last month.
    let this = service::period_of(Utc::now().date_naive());
    let (_, this_from, _) = service::period_range(&this)?;
    let period = service::period_of(this_from - Duration::days(1));
    let (period, from, to) = service::period_range(&period)?;
    exec(
        &db,
        &format!(
            "UPDATE contracts SET status = 'active', wage_model = 'hourly', wage_rate_rials = 700000, \
             required_skills = '[\"sewing\"]', required_certificates = '[]', starts_on = '{}', ends_on = '{}'",
            from - Duration::days(30),
            to + Duration::days(200)
        ),
    )
    .await?;
    exec(
        &db,
        &format!("UPDATE contracts SET workshop_id = {workshop} WHERE id = 1"),
    )
    .await?;
    let contracts = one(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts").await?;
    let k1 = app::platform::entity::contract::Entity::find_by_id(1)
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no contract 1"))?
        .public_code;

    // ---- matching: p50/p95 over rounds.
    let rounds: usize = std::env::var("KARAMAT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut times = Vec::with_capacity(rounds);
    let mut found = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        found = service::matches(&state, &admin, &k1)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "matching, prison of {in_prison} prisoners: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({found} candidates shown, {rounds} rounds)",
        pct(&times, 0.5),
        pct(&times, 0.95),
        pct(&times, 1.0)
    );

    // ---- two workers on every contract, ten logged days each (outside the timed part).
    let now = Utc::now();
    let prisoners: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT id FROM prisoners ORDER BY id LIMIT {}",
                contracts * WORKERS_PER_CONTRACT
            ),
        ))
        .await?
        .into_iter()
        .map(|r| r.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    let mut assignments = Vec::new();
    for (i, p) in prisoners.iter().enumerate() {
        assignments.push(worker_assignment::ActiveModel {
            contract_id: Set(i as i64 / WORKERS_PER_CONTRACT + 1),
            prisoner_id: Set(*p),
            worker_code: Set(format!("WK-B{i:08}")),
            status: Set(app::platform::entity::status::AssignmentStatus::Active),
            consent_at: Set(now),
            assigned_by: Set(None),
            rating: Set(None),
            created_at: Set(now),
            ended_at: Set(None),
            ..Default::default()
        });
    }
    for chunk in assignments.chunks(1000) {
        worker_assignment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await?;
    }
    let first_assignment = one(&db, "SELECT MIN(id) FROM worker_assignments").await?;
    let mut logs = Vec::new();
    for c in 1..=contracts {
        for d in 0..DAYS {
            logs.push(production_log::ActiveModel {
                contract_id: Set(c),
                work_date: Set(from + Duration::days(d)),
                quantity: Set(20),
                accepted: Set(19),
                rejected: Set(1),
                hours_by_worker: Set("{}".into()),
                logged_by: Set(None),
                disputed: Set(false),
                dispute_note: Set(None),
                resolved_at: Set(None),
                created_at: Set(now),
                resolution_note: Set(None),
                ..Default::default()
            });
        }
    }
    for chunk in logs.chunks(1000) {
        production_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await?;
    }
    let first_log = one(&db, "SELECT MIN(id) FROM production_logs").await?;
    let mut hours = Vec::new();
    for c in 0..contracts {
        for d in 0..DAYS {
            for w in 0..WORKERS_PER_CONTRACT {
                hours.push(production_hour::ActiveModel {
                    log_id: Set(first_log + c * DAYS + d),
                    assignment_id: Set(first_assignment + c * WORKERS_PER_CONTRACT + w),
                    minutes: Set(450),
                    pieces: Set(0),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in hours.chunks(1000) {
        production_hour::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await?;
    }
    println!(
        "setup: {contracts} contracts, {} assignments, {} logs, {} worker-days in {:.0} s",
        assignments.len(),
        logs.len(),
        hours.len(),
        started.elapsed().as_secs_f64()
    );

    // ---- the wage run, then a second run that must pay nobody.
    let t = Instant::now();
    let run = service::wage_run(&state, None, &period)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "wage run {period}: {} payments ({} rials gross, {} to families, {} to campaigns) in {secs:.1} s = {:.0} payments/s",
        run.payments,
        run.gross_rials,
        run.family_rials,
        run.release_rials,
        run.payments as f64 / secs
    );
    let t = Instant::now();
    let again = service::wage_run(&state, None, &period)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "second run: {} payments, {} already paid, in {:.1} s",
        again.payments,
        again.already_paid,
        t.elapsed().as_secs_f64()
    );
    let health = app::ledger::health(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!("ledger sound after the run: {}", health.is_sound());
    Ok(())
}
