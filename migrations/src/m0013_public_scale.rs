//! The public face at national scale.
//!
//! * `public_snapshots`: the public figures (home totals, transparency, `/api/v1` aggregates)
//!   computed in the background and read by one primary-key look-up per request.
//! * `donations (status, settled_at)`: the figures' sums by day read settled gifts in that order.
//! * Needs in each order the public list offers, so a page reads its dozen cards from an index
//!   instead of sorting every visible need: "most urgent" (still raising first, then by deadline,
//!   undated last — the same expressions as `giving::service::list_needs`, which both SQLite and
//!   PostgreSQL match against an expression index), "newest" and "smallest".

use crate::dsl::*;
use sea_orm_migration::prelude::*;

/// The "most urgent" order as an expression index (same text on both databases).
const URGENT_INDEX: &str = "CREATE INDEX IF NOT EXISTS ix_needs_urgent ON needs (\
    (CASE WHEN status = 'published' THEN 0 ELSE 1 END), \
    (CASE WHEN deadline IS NULL THEN 1 ELSE 0 END), deadline, id)";

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
        m.create_index(index("needs", &["published_at"])).await?;
        m.create_index(index("needs", &["goal_rials"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("needs", "ix_needs_urgent"),
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
