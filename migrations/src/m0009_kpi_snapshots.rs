//! Staff KPIs read from a snapshot instead of aggregating a million gifts on every request: one
//! row per province and Solar Hijri month (`1405-09`) plus one `all` row per province holding the
//! totals and the median days to fund over the last year, and the same rows for the whole country
//! (no province). The snapshot is rebuilt from the source
//! tables by `casework::kpis::refresh` (the five-minute loop in `serve`, or a staff member's
//! "refresh now"); it is a cache, never a source of truth. Also the indexes the work queues sort
//! by (status, then oldest first).

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["kpi_snapshots"];

const COUNTERS: &[&str] = &[
    "families",
    "needs_published",
    "needs_funded",
    "needs_delivered",
    "raised_rials",
    "disbursed_rials",
    "prisoners_freed",
    "forgiveness_rials",
    "workers",
    "wages_rials",
    "family_share_rials",
    "prisoners_held",
];

fn queue_indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("needs", &["status", "updated_at"]),
        index("release_campaigns", &["status", "updated_at"]),
        index("disbursements", &["status", "created_at"]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("kpi_snapshots");
        // No province = the whole country (its medians cannot be summed from the provinces').
        references_null(&mut t, "kpi_snapshots", "province_id", "provinces");
        t.col(string("period"));
        for c in COUNTERS {
            t.col(bigint_default(c, 0));
        }
        t.col(bigint_null("median_days_to_fund"))
            .col(timestamp("refreshed_at"));
        create(
            m,
            t,
            vec![unique("kpi_snapshots", &["province_id", "period"])],
        )
        .await?;
        for i in queue_indexes() {
            m.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in [
            ("needs", ["status", "updated_at"]),
            ("release_campaigns", ["status", "updated_at"]),
            ("disbursements", ["status", "created_at"]),
        ] {
            m.drop_index(
                Index::drop()
                    .name(format!("ix_{table}_{}", cols.join("_")))
                    .table(id(table))
                    .to_owned(),
            )
            .await?;
        }
        drop_all(m, TABLES).await
    }
}
