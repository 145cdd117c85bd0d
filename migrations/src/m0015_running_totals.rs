//! Running totals for the background work that used to read every gift on each pass.
//!
//! Each table holds what was counted before a watermark in `settings` (`app::platform::watermark`,
//! ten minutes behind the clock); each pass adds only the gifts settled since and moves it.
//! * `reconciled_totals` (`reconcile.through`): per gateway, the settled gifts and the gift
//!   debits of its clearing account, so the five-minute reconciler no longer sums a million rows.
//!   `karamat reconcile --full` still recounts everything and compares.
//! * `gift_totals` (`gift_totals.through`): settled gifts and rials per Solar Hijri month,
//!   category and province (of the need or campaign; `province_hidden` when the need's card
//!   hides it), from which the public figures (home, `/transparency`, `/api/v1/*`) and the staff
//!   KPIs take what was raised.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYS: &str = "'reconcile.through', 'gift_totals.through'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("reconciled_totals");
        t.col(string("gateway"))
            .col(bigint_default("settled_count", 0))
            .col(bigint_default("settled_rials", 0))
            .col(bigint_default("ledger_rials", 0))
            .col(timestamp("updated_at"));
        create(m, t, vec![unique("reconciled_totals", &["gateway"])]).await?;
        let mut t = table("gift_totals");
        // `category` '' and `province_id` 0 for none: a unique key must not hold NULLs (two
        // NULLs never conflict, so the upsert would add a row each time).
        t.col(string("period"))
            .col(string_default("category", ""))
            .col(bigint_default("province_id", 0))
            .col(boolean("province_hidden", false))
            .col(bigint_default("gifts", 0))
            .col(bigint_default("rials", 0))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![unique(
                "gift_totals",
                &["period", "category", "province_id", "province_hidden"],
            )],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(&format!("DELETE FROM settings WHERE key IN ({KEYS})"))
            .await?;
        drop_all(m, &["reconciled_totals", "gift_totals"]).await
    }
}
