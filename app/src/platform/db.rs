//! Connecting to SQLite or PostgreSQL with settings that keep payments safe.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

/// Connects and, for SQLite, turns on WAL, foreign keys and a generous busy timeout so a burst of
/// writers waits instead of failing with "database is locked".
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url) {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| DbErr::Custom(e.to_string()))?;
            }
        }
    }
    let mut opt = ConnectOptions::new(url.to_owned());
    // KARAMAT_SQL_LOG=1 logs every statement with its duration (target `sqlx::query`): for finding where a slow page spends its time. Off by default.
    opt.sqlx_logging(std::env::var_os("KARAMAT_SQL_LOG").is_some_and(|v| v == "1"))
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        opt.max_connections(8).min_connections(1);
        opt.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    } else {
        opt.max_connections(32).min_connections(2);
    }
    Database::connect(opt).await
}

/// The file behind a `sqlite://` URL, if it is one and not in memory.
pub fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgresql",
        DbBackend::MySql => "mysql",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

/// Answers whether the database responds, with the number of applied migrations.
pub async fn applied_migrations(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no answer".into()))?;
    row.try_get::<i64>("", "n")
}

/// The UTC day of a timestamp (or date) column as `YYYY-MM-DD` text, on either database.
pub fn day_expr(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({col}, 'YYYY-MM-DD')"),
        _ => format!("substr({col}, 1, 10)"),
    }
}

/// Every row a raw SQL statement returns (reports written as SQL for both databases).
pub async fn rows(
    db: &DatabaseConnection,
    sql: String,
) -> Result<Vec<sea_orm::QueryResult>, crate::error::AppError> {
    Ok(db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?)
}

/// A raw statement written once, with `?` placeholders, for either database: for PostgreSQL they
/// are numbered here (`$1`, `$2`, …). The one placeholder style of the raw SQL in this codebase
/// (a value used twice is passed twice). The SQL must hold no literal `?`.
pub fn stmt(
    backend: DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = sea_orm::Value>,
) -> sea_orm::Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_string()
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::{sqlite_file, stmt};
    use sea_orm::DbBackend;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_file("sqlite://data/k.db?mode=rwc"),
            Some("data/k.db".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }

    #[test]
    fn one_placeholder_style_for_both_databases() {
        let sql = "UPDATE t SET a = ? WHERE id = ? AND b > ?";
        let pg = stmt(
            DbBackend::Postgres,
            sql,
            [1i64.into(), 2i64.into(), 3i64.into()],
        );
        assert_eq!(pg.sql, "UPDATE t SET a = $1 WHERE id = $2 AND b > $3");
        let lite = stmt(
            DbBackend::Sqlite,
            sql,
            [1i64.into(), 2i64.into(), 3i64.into()],
        );
        assert_eq!(lite.sql, sql);
        assert_eq!(pg.values.map(|v| v.0.len()), Some(3));
    }
}
