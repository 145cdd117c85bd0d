//! Hardening for a hostile public.
//!
//! * `rate_limits`: attempt counters shared by every app server (sign-in per account and per
//!   client address), one row per bucket and fixed window, pruned by `serve`.
//! * `donations.rechecked_at`: a gift left `cancelled` or `failed` is asked about once more by
//!   the reconciler (a forged "cancelled", or a payer who paid late); this marks that it was.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("rate_limits"))
                .if_not_exists()
                .col(
                    ColumnDef::new(id("bucket"))
                        .string_len(255)
                        .not_null()
                        .primary_key(),
                )
                // Unix seconds at the start of the bucket's current window.
                .col(bigint("window_start"))
                .col(bigint_default("hits", 0))
                .to_owned(),
        )
        .await?;
        m.create_index(index("rate_limits", &["window_start"]))
            .await?;
        m.alter_table(
            Table::alter()
                .table(id("donations"))
                .add_column(timestamp_null("rechecked_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(id("donations"))
                .drop_column(id("rechecked_at"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(id("rate_limits")).to_owned())
            .await?;
        Ok(())
    }
}
