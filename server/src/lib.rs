//! The `karamat` server: HTTP router and middleware, command-line tasks and the seed data.

pub mod http;
pub mod seed;

use app::platform::{db, AppState, Config};
use leptos::prelude::LeptosOptions;
use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

/// Connects to the configured database and applies every pending migration.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(&config.database_url).await?;
    Migrator::up(&conn, None).await?;
    Ok(conn)
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
