//! `karamat`: serve the site, migrate the database, load seed data, create an admin.

mod commands;
mod load;

use anyhow::Context;

use app::platform::{db, Config};
use clap::{Parser, Subcommand};
use commands::MigrateCmd;
use server::seed::Scale;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "karamat",
    version,
    about = "Karamat: dignified support for prisoners' families"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default). Applies pending migrations first.
    Serve,
    /// Apply, roll back or list migrations.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        direction: MigrateCmd,
        /// For `down`: how many migrations to roll back (default: all).
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Load generated data into an empty database (deterministic for a given --seed).
    Seed {
        #[arg(long, value_enum, default_value = "demo")]
        scale: Scale,
        #[arg(long, default_value_t = 1405)]
        seed: u64,
        /// Do nothing (successfully) when the database already holds data.
        #[arg(long)]
        if_empty: bool,
    },
    /// Ask the gateways again about gifts left pending, then compare gateway-settled totals with
    /// the ledger. Exits non-zero when they disagree or the books do not balance.
    Reconcile {
        /// Only gifts pending for longer than this many minutes.
        #[arg(long, default_value_t = 30)]
        older_than_minutes: i64,
        /// Also recount every settled gift and gift entry from scratch and compare the running
        /// totals the five-minute pass keeps with that count (an audit; it reads the whole ledger).
        #[arg(long)]
        full: bool,
    },
    /// Measure confirmed gifts per second through the whole HTTP flow (form, sandbox bank,
    /// callback, receipt) against a running server with the sandbox gateway: `make bench` runs it.
    /// Every gift is real money in that database's ledger: never point it at production.
    LoadGifts {
        /// The server under test, e.g. http://127.0.0.1:3190
        #[arg(long)]
        base: String,
        #[arg(long, default_value_t = 2000)]
        gifts: usize,
        /// Gifts in flight at once.
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
    /// Take the staff KPIs again from the source tables now (`serve` does it every five minutes),
    /// e.g. after a bulk import.
    KpiRefresh,
    /// Write brotli and gzip forms beside the site's static files (`make build` runs it; `serve`
    /// checks at start), so they are compressed once instead of per request.
    Precompress {
        #[arg(long, default_value = "target/site/pkg")]
        dir: std::path::PathBuf,
    },
    /// Walk the audit log's hash chain and report the first edited, removed or missing entry.
    /// Exits non-zero when the chain does not verify.
    AuditVerify,
    /// Re-seal every personal field under the current key (KARAMAT_FIELD_KEY_ID/KARAMAT_FIELD_KEY);
    /// the keys being retired go in KARAMAT_FIELD_KEYS_OLD=id:hex,… until this has run.
    RotateKeys,
    /// SQLite: write a consistent copy of the live database (while `serve` runs) to FILE, checked
    /// before it is kept (integrity, foreign keys, ledger balance, audit chain). Never overwrites.
    Backup {
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// SQLite: check a backup and put it in place as DATABASE_URL's database (stop the server
    /// first). An existing database is refused unless --replace, then kept as NAME.before-restore.
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
        #[arg(long)]
        replace: bool,
    },
    /// Check the database of DATABASE_URL as a restore must leave it: migrations applied, ledger
    /// balanced, audit chain intact. Exits non-zero otherwise (e.g. after a PostgreSQL restore).
    RestoreCheck,
    /// Create a national administrator (asks for the password, or reads KARAMAT_ADMIN_PASSWORD).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

fn init_tracing() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn,tower_http=info")
    });
    if std::env::var("KARAMAT_LOG_FORMAT").is_ok_and(|v| v == "json") {
        fmt().with_env_filter(filter).json().init();
    } else {
        fmt().with_env_filter(filter).init();
    }
}

fn main() -> anyhow::Result<()> {
    tune_allocator();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// glibc's allocator, left to itself, held 480 MB after ten seconds of 32 connections rendering
/// the needs list afresh (national data, 2 cores; `make bench` measures it): each thread that
/// meets contention gets an arena of its own (up to eight per core), and the threshold above
/// which a block is mapped (and given back when freed) grows with the largest block freed, so
/// rendered pages stay in the heap. With one arena per core and fixed 128 KB thresholds the same
/// load peaked at 114 MB and ran faster. Set before the runtime starts its threads.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // SAFETY: `mallopt` only changes the allocator's parameters; called once, before any
        // other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.max(2) as libc::c_int);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
        }
    }
}

async fn run() -> anyhow::Result<()> {
    // A local `.env` (see `.env.example`) fills in what the environment does not set.
    let _ = dotenvy::dotenv();
    init_tracing();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    // Outside development nothing runs on the keys in the source or the sandbox bank by
    // accident: every unsafe setting is named and the process stops (migrations need no keys).
    if !matches!(
        command,
        Command::Migrate { .. } | Command::Precompress { .. } | Command::LoadGifts { .. }
    ) {
        server::refuse_unsafe_production()?;
    }
    let config = Config::from_env();
    app::audit::set_key(&config.audit_key);
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate { direction, steps } => commands::migrate(&config, direction, steps).await,
        Command::Seed {
            scale,
            seed,
            if_empty,
        } => commands::seed(&config, scale, seed, if_empty).await,
        Command::Precompress { dir } => commands::precompress(&dir),
        Command::Backup { to } => commands::backup(&config, &to).await,
        Command::Restore { from, replace } => commands::restore(&config, &from, replace).await,
        Command::RestoreCheck => commands::restore_check(&config).await,
        Command::AuditVerify => commands::audit_verify(&config).await,
        Command::RotateKeys => commands::rotate_keys(&config).await,
        Command::KpiRefresh => commands::kpi_refresh(&config).await,
        Command::LoadGifts {
            base,
            gifts,
            clients,
        } => load::gifts(&base, gifts, clients).await,
        Command::Reconcile {
            older_than_minutes,
            full,
        } => commands::reconcile(config, older_than_minutes, full).await,
        Command::CreateAdmin { email, name } => {
            commands::create_admin(&config, &email, &name).await
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Running the binary directly (not under cargo-leptos): find the site and its hashed files.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        let hash_file = std::env::current_exe()?.with_file_name("hash.txt");
        if hash_file.exists() {
            std::env::set_var("LEPTOS_HASH_FILES", "true");
        }
    }
    let leptos =
        leptos::prelude::get_configuration(None).context("reading Leptos configuration")?;
    let options = leptos.leptos_options;
    let addr = options.site_addr;
    let conn = server::connect_and_migrate(&config)
        .await
        .context("connecting to the database")?;
    tracing::info!(backend = db::backend_name(&conn), "database ready");
    spawn_session_sweeper(conn.clone());
    let mut state = server::state_from_env(options, conn, config)?;
    if let Some(url) = state.config.database_read_url.clone() {
        // A replica only answers reads: no migrations, and nothing here writes through it.
        let read = db::connect(&url)
            .await
            .context("connecting to DATABASE_READ_URL")?;
        tracing::info!(
            backend = db::backend_name(&read),
            "public lists read the replica"
        );
        state = state.with_read(read);
    }
    spawn_reconciler(state.clone());
    spawn_dispatcher(state.clone());
    // Static files built since the last `karamat precompress` get their compressed forms.
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    tokio::task::spawn_blocking(move || match server::assets::precompress(&pkg_dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "static files compressed"),
        Err(e) => tracing::warn!(error = %e, "static files not compressed"),
    });
    // Needs written before search folding existed become searchable.
    let db = state.db.clone();
    tokio::spawn(async move {
        match app::giving::service::fold_missing_search_text(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(needs = n, "search text folded"),
            Err(e) => tracing::warn!(error = %e, "search text not folded"),
        }
    });
    // Fresh public figures before the first visitor asks (readers refresh them afterwards).
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = app::transparency::snapshot::refresh(&db).await {
            tracing::warn!(error = %e, "public figures refresh failed");
        }
    });
    // `/metrics`: its own address, or on the site behind a token, or not at all.
    let exposure = server::metrics::Exposure::from_env()?;
    let handle = server::metrics::install();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
    if let Some(metrics_addr) = exposure.addr {
        let endpoint = server::metrics::endpoint(state.clone(), exposure.token.clone());
        let listener = server::bind(metrics_addr)
            .await
            .with_context(|| format!("binding {metrics_addr} for /metrics"))?;
        tracing::info!("metrics on http://{metrics_addr}/metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, endpoint).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let mut app = server::http::router(state.clone());
    match (&exposure.addr, &exposure.token) {
        (None, Some(token)) => {
            app = app.merge(server::metrics::endpoint(state, Some(token.clone())));
            tracing::info!(
                "metrics on the site at /metrics, for the bearer of KARAMAT_METRICS_TOKEN"
            );
        }
        (None, None) => tracing::info!(
            "no /metrics (set KARAMAT_METRICS_ADDR or KARAMAT_METRICS_TOKEN to expose it)"
        ),
        _ => {}
    }
    let listener = server::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Every five minutes (`Config::jobs_every`), asks the gateways about gifts pending for more than 30 minutes (a payer
/// who paid and closed the browser still has the gift settled), moves the money of needs whose
/// deadline passed unmet by the published rule, and takes the staff KPIs again.
fn spawn_reconciler(state: app::state::AppState) {
    use app::platform::metrics::timed;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.jobs_every);
        loop {
            tick.tick().await;
            match timed(
                "reconcile",
                app::giving::settlement::reconcile(&state, chrono::Duration::minutes(30)),
            )
            .await
            {
                Ok(r) if r.retried > 0 => tracing::info!(
                    retried = r.retried,
                    settled = r.settled_now,
                    pending = r.still_pending,
                    "reconciled pending gifts"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reconciliation failed"),
            }
            let today = app::i18n::tehran_today();
            match timed(
                "pledge_reminders",
                app::giving::pledges::send_reminders(&state, today),
            )
            .await
            {
                Ok(n) if n > 0 => tracing::info!(reminders = n, "pledge reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pledge reminders failed"),
            }
            match timed(
                "expiry",
                app::giving::settlement::reallocate_expired(
                    &state,
                    chrono::Utc::now().date_naive(),
                ),
            )
            .await
            {
                Ok(moved) if !moved.is_empty() => {
                    tracing::info!(needs = moved.len(), "expired needs reallocated")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reallocation failed"),
            }
            match app::giving::matching_service::close_ended(&state.db, today).await {
                Ok(n) if n > 0 => {
                    tracing::info!(offers = n, "match offers past their end date closed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "closing ended match offers failed"),
            }
            // Another app server may have just taken them: only when older than four minutes.
            match app::casework::kpis::refresh_if_older(&state.db, chrono::Duration::minutes(4))
                .await
            {
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "KPI refresh failed"),
            }
        }
    });
}

/// Sends queued notifications every 15 seconds (`Config::outbox_every`) through the configured adapters.
fn spawn_dispatcher(state: app::state::AppState) {
    tokio::spawn(async move {
        let channels = app::notify::channels_from_env(state.config.is_dev());
        let mut tick = tokio::time::interval(state.config.outbox_every);
        loop {
            tick.tick().await;
            let sent = app::platform::metrics::timed(
                "outbox",
                app::notify::dispatch(&state.db, &state.sealer, &channels, 100),
            );
            if let Err(e) = sent.await {
                tracing::warn!(error = %e, "notification dispatch failed");
            }
        }
    });
}

/// Deletes expired sessions, sign-up links and ended attempt counters once an hour, so those
/// tables hold only live rows.
fn spawn_session_sweeper(conn: sea_orm::DatabaseConnection) {
    use app::platform::entity::session;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match session::Entity::delete_many()
                .filter(session::Column::ExpiresAt.lt(chrono::Utc::now()))
                .exec(&conn)
                .await
            {
                Ok(r) if r.rows_affected > 0 => {
                    tracing::info!(removed = r.rows_affected, "expired sessions removed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session sweep failed"),
            }
            match app::auth::sign_up::prune_expired(&conn).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sign-up links removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sign-up link sweep failed"),
            }
            // Limiter windows last at most an hour; pruning after a day leaves a wide margin.
            if let Err(e) = app::platform::rate_limit::prune(&conn, 86_400).await {
                tracing::warn!(error = %e, "rate-limit prune failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
    // Give in-flight requests a bounded time; axum stops accepting new ones now.
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(20)).await;
        tracing::warn!("shutdown grace period over");
        std::process::exit(0);
    });
}
