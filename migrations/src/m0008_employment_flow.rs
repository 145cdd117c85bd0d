//! What the employment workflow needs beyond m0004: each review decision on a contract (who, as
//! which role, approve or reject, why), the hours and pieces of each worker on a production day,
//! and the inputs of a payslip on the wage payment and how a dispute was resolved. (With no wage
//! rule in the table the code's default applies: `employment::wages::DEFAULT_RULE`.)

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["contract_reviews", "production_hours"];

const WAGE_PAYMENT_COLUMNS: &[&str] = &["minutes", "pieces", "rate_rials"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("contract_reviews");
        references(&mut t, "contract_reviews", "contract_id", "contracts");
        t.col(int("version"));
        references(&mut t, "contract_reviews", "reviewer_id", "users");
        t.col(string("reviewer_role"))
            .col(string("decision"))
            .col(text_null("reason"))
            .col(timestamp("created_at"));
        create(m, t, vec![index("contract_reviews", &["contract_id"])]).await?;

        let mut t = table("production_hours");
        references(&mut t, "production_hours", "log_id", "production_logs");
        references(
            &mut t,
            "production_hours",
            "assignment_id",
            "worker_assignments",
        );
        t.col(bigint("minutes")).col(bigint("pieces"));
        create(
            m,
            t,
            vec![
                unique("production_hours", &["log_id", "assignment_id"]),
                index("production_hours", &["assignment_id"]),
            ],
        )
        .await?;

        // SQLite adds one column per ALTER.
        for col in WAGE_PAYMENT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(id("wage_payments"))
                    .add_column(bigint_default(col, 0))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(id("production_logs"))
                .add_column(text_null("resolution_note"))
                .to_owned(),
        )
        .await?;

        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["resolution_note"] {
            m.alter_table(
                Table::alter()
                    .table(id("production_logs"))
                    .drop_column(id(col))
                    .to_owned(),
            )
            .await?;
        }
        for col in WAGE_PAYMENT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(id("wage_payments"))
                    .drop_column(id(col))
                    .to_owned(),
            )
            .await?;
        }
        drop_all(m, TABLES).await
    }
}
