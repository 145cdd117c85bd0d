//! The schema migrates up and down, and up again, on every backend.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

async fn table_count(conn: &sea_orm::DatabaseConnection) -> i64 {
    let sql = match conn.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            // The search index (FTS5 `needs_fts` and its shadow tables) exists only on SQLite.
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'needs_fts%' AND name <> 'seaql_migrations'"
        }
        _ => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'",
    };
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn migrations_run_up_down_and_up_again() {
    let dbs = crate::common::databases().await;
    assert_eq!(dbs.len(), if crate::common::pg_required() { 2 } else { 1 });
    for tdb in dbs {
        let conn = crate::common::connect(&tdb.url).await;
        Migrator::up(&conn, None)
            .await
            .unwrap_or_else(|e| panic!("{}: up: {e}", tdb.label));
        let applied = app::platform::db::applied_migrations(&conn).await.unwrap();
        assert_eq!(
            applied,
            Migrator::migrations().len() as i64,
            "{}",
            tdb.label
        );
        let tables = table_count(&conn).await;
        assert_eq!(tables, 54, "{}: tables after up", tdb.label);

        // Every status list the schema knows is reachable; spot-check key constraints.
        let dup = conn
            .execute_unprepared(
                "INSERT INTO provinces (code, name_fa, name_en, sort_order) VALUES ('X', 'x', 'x', 1), ('X', 'y', 'y', 2)",
            )
            .await;
        assert!(
            dup.is_err(),
            "{}: duplicate province code accepted",
            tdb.label
        );

        Migrator::down(&conn, None)
            .await
            .unwrap_or_else(|e| panic!("{}: down: {e}", tdb.label));
        assert_eq!(
            table_count(&conn).await,
            0,
            "{}: tables left after down",
            tdb.label
        );
        Migrator::up(&conn, None)
            .await
            .unwrap_or_else(|e| panic!("{}: up again: {e}", tdb.label));
        assert_eq!(table_count(&conn).await, tables, "{}", tdb.label);
        drop(conn);
        tdb.drop_db().await;
    }
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    for tdb in crate::common::databases().await {
        let conn = crate::common::migrated(&tdb.url).await;
        let orphan = conn
            .execute_unprepared(
                "INSERT INTO prisons (province_id, code, name_fa, name_en, kind, capacity) VALUES (999, 'P', 'p', 'p', 'central', 1)",
            )
            .await;
        assert!(
            orphan.is_err(),
            "{}: prison without province accepted",
            tdb.label
        );
        drop(conn);
        tdb.drop_db().await;
    }
}
