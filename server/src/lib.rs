//! The `karamat` server: HTTP router and middleware, command-line tasks and the seed data.

pub mod api_v1;
pub mod assets;
pub mod backup;
pub mod http;
pub mod metrics;
pub mod page_cache;
pub mod payments;
pub mod seed;

use app::platform::{db, Config};
use app::state::AppState;
use leptos::prelude::LeptosOptions;
use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

/// Connects to the configured database and applies every pending migration.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(&config.database_url).await?;
    Migrator::up(&conn, None).await?;
    Ok(conn)
}

/// Stops a production start that would run on development keys, the sandbox bank by accident or
/// without a public origin, naming every setting to fix (see `.env.example`).
pub fn refuse_unsafe_production() -> anyhow::Result<()> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let problems = app::platform::production_problems(&get, &app::privacy::Sealer::is_dev_key);
    if problems.is_empty() {
        return Ok(());
    }
    for p in &problems {
        tracing::error!("unsafe production setting: {p}");
        eprintln!("karamat: {p}");
    }
    anyhow::bail!(
        "refusing to start in production with {} unsafe setting(s) (KARAMAT_ENV=dev is for development only)",
        problems.len()
    )
}

/// The listening socket for `serve`, with `TCP_NODELAY` set on every accepted connection:
/// without it Nagle's algorithm meets the client's delayed ACK and every keep-alive response
/// waits about 40 ms (measured: a 10 KB static file at 900 req/s, p50 44 ms, at 32 connections).
pub async fn bind(addr: std::net::SocketAddr) -> std::io::Result<Listener> {
    use axum::serve::ListenerExt;
    Ok(tokio::net::TcpListener::bind(addr)
        .await?
        .tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// What [`bind`] returns (a concrete type, so `axum::serve` can still read the peer address).
pub type Listener = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

fn no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

/// Leptos options for tests and tools that do not go through cargo-leptos.
pub fn plain_leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("karamat")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build()
}

/// The application state over an already-migrated connection.
pub fn state(options: LeptosOptions, conn: DatabaseConnection, config: Config) -> AppState {
    AppState::new(options, conn, config)
}

/// The application state as the environment configures it: field keys and payment gateways.
pub fn state_from_env(
    options: LeptosOptions,
    conn: DatabaseConnection,
    config: Config,
) -> anyhow::Result<AppState> {
    let sealer = app::privacy::Sealer::from_env()?;
    let gateways =
        app::payments::Gateways::from_env(conn.clone()).map_err(|e| anyhow::anyhow!(e))?;
    Ok(AppState::new(options, conn, config)
        .with_sealer(sealer)
        .with_gateways(gateways))
}
