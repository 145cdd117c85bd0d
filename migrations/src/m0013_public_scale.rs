//! The public face at national scale.
//!
//! * `public_snapshots`: the public figures (home totals, transparency, `/api/v1` aggregates)
//!   computed in the background and read by one primary-key look-up per request.
//! * `donations (status, settled_at)`: the figures' sums by day read settled gifts in that order.
//! * Needs in each order the public list offers, so a page reads its dozen cards from an index
//!   instead of sorting every visible need: "most urgent" (still raising first, then by deadline,
//!   undated last — the same expressions as `giving::service::list_needs`, which both SQLite and
//!   PostgreSQL match against an expression index), "newest" and "smallest"; campaigns likewise.
//! * `needs.search_text`: title and story folded for search (written by the application, which
//!   folds Persian text the same way for the query), indexed for substring search: on SQLite an
//!   FTS5 table with the trigram tokenizer over that column (kept by triggers), on PostgreSQL a
//!   pg_trgm GIN index. Both answer `LIKE '%…%'` from the index. Rows written before this
//!   migration are folded by `serve` at start (`giving::service::fold_missing_search_text`).

use crate::dsl::*;
use sea_orm_migration::prelude::*;

/// The "most urgent" order as an expression index (same text on both databases).
const URGENT_INDEX: &str = "CREATE INDEX IF NOT EXISTS ix_needs_urgent ON needs (\
    (CASE WHEN status = 'published' THEN 0 ELSE 1 END), \
    (CASE WHEN deadline IS NULL THEN 1 ELSE 0 END), deadline, id)";

/// SQLite's search index: an external-content FTS5 table over `needs.search_text` with the
/// trigram tokenizer (substring `LIKE` answered from the index), and the three triggers that
/// keep it in step with the column.
const SQLITE_FTS: [&str; 4] = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS needs_fts USING fts5(\
       search_text, content='needs', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS needs_fts_ai AFTER INSERT ON needs BEGIN \
       INSERT INTO needs_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS needs_fts_ad AFTER DELETE ON needs BEGIN \
       INSERT INTO needs_fts(needs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS needs_fts_au AFTER UPDATE OF search_text ON needs BEGIN \
       INSERT INTO needs_fts(needs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); \
       INSERT INTO needs_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
];

/// The public campaign list's order (open first, newest first), as an expression index.
const CAMPAIGN_ORDER_INDEX: &str = "CREATE INDEX IF NOT EXISTS ix_release_campaigns_order ON \
    release_campaigns ((CASE WHEN status = 'published' THEN 0 ELSE 1 END), published_at DESC, id)";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("public_snapshots"))
                .if_not_exists()
                .col(
                    ColumnDef::new(id("name"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(text("body"))
                .col(timestamp("taken_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("donations", &["status", "settled_at"]))
            .await?;
        m.get_connection().execute_unprepared(URGENT_INDEX).await?;
        m.get_connection()
            .execute_unprepared(CAMPAIGN_ORDER_INDEX)
            .await?;
        m.create_index(index("needs", &["published_at"])).await?;
        m.create_index(index("needs", &["goal_rials"])).await?;
        m.alter_table(
            Table::alter()
                .table(id("needs"))
                .add_column(text_null("search_text"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS ix_needs_search_text ON needs \
                     USING gin (search_text gin_trgm_ops)",
                )
                .await?;
            }
            _ => {
                for sql in SQLITE_FTS {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_needs_search_text")
                    .await?;
            }
            _ => {
                for t in ["needs_fts_ai", "needs_fts_ad", "needs_fts_au"] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}"))
                        .await?;
                }
                db.execute_unprepared("DROP TABLE IF EXISTS needs_fts")
                    .await?;
            }
        }
        m.alter_table(
            Table::alter()
                .table(id("needs"))
                .drop_column(id("search_text"))
                .to_owned(),
        )
        .await?;
        for (table, name) in [
            ("needs", "ix_needs_urgent"),
            ("release_campaigns", "ix_release_campaigns_order"),
            ("needs", "ix_needs_published_at"),
            ("needs", "ix_needs_goal_rials"),
        ] {
            m.drop_index(Index::drop().name(name).table(id(table)).to_owned())
                .await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_donations_status_settled_at")
                .table(id("donations"))
                .to_owned(),
        )
        .await?;
        drop_all(m, &["public_snapshots"]).await
    }
}
