//! Consent withdrawn after a card was funded. A need or release campaign still raising goes to
//! `withdrawn` (its money to the pooled fund by the published rule), but one already funded must
//! still be bought, delivered or paid to the court: the money was given for it. Such a card keeps
//! its status and carries `withdrawn_at`, which takes it off every public surface while staff
//! finish the work privately.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["needs", "release_campaigns"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            m.alter_table(
                Table::alter()
                    .table(id(t))
                    .add_column(timestamp_null("withdrawn_at"))
                    .to_owned(),
            )
            .await?;
        }
        // Before this, a funded need whose family withdrew consent went to `withdrawn` with its
        // dates kept; give it back its place in the work and hide it instead.
        m.get_connection()
            .execute_unprepared(
                "UPDATE needs SET withdrawn_at = updated_at, status = CASE \
                   WHEN delivered_at IS NOT NULL THEN 'delivered' \
                   WHEN purchased_at IS NOT NULL THEN 'purchased' ELSE 'funded' END \
                 WHERE status = 'withdrawn' AND funded_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            m.alter_table(
                Table::alter()
                    .table(id(t))
                    .drop_column(id("withdrawn_at"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
