//! Payments: the sandbox bank's own book of card payments, and the flags finance staff must
//! look at (an amount the gateway disagrees with, a payment that could not be settled).

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["sandbox_payments", "finance_flags"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // What a real bank would hold: the authority it issued, the amount it was asked for,
        // where to send the payer back, and the outcome of the card page.
        let mut t = table("sandbox_payments");
        t.col(string("authority"))
            .col(bigint("amount_rials"))
            .col(text("callback_url"))
            .col(string("description"))
            .col(string("status"))
            .col(string_null("ref_id"))
            .col(int_default("verify_count", 0))
            .col(timestamp("created_at"))
            .col(timestamp_null("decided_at"));
        create(m, t, vec![unique("sandbox_payments", &["authority"])]).await?;

        // Callbacks find their donation by the gateway's authority.
        m.create_index(index("donations", &["gateway", "gateway_authority"]))
            .await?;

        let mut t = table("finance_flags");
        t.col(string("kind"));
        references_null(&mut t, "finance_flags", "donation_id", "donations");
        t.col(text("detail"))
            .col(timestamp("created_at"))
            .col(timestamp_null("resolved_at"));
        references_null(&mut t, "finance_flags", "resolved_by", "users");
        create(
            m,
            t,
            vec![
                index("finance_flags", &["resolved_at"]),
                index("finance_flags", &["donation_id"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_donations_gateway_gateway_authority")
                .table(id("donations"))
                .to_owned(),
        )
        .await?;
        drop_all(m, TABLES).await
    }
}
