//! Case work and staff security: the audit chain's head (so a deleted last entry is noticed and appends are serial),
//! the documents kept as references on a family's file, and the reasons a publication was blocked.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["audit_head", "family_documents", "recovery_codes"];

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row: how many entries the chain has and the hash of the last one. Every append
        // updates it first, which also serialises appends on both databases.
        let mut t = table("audit_head");
        t.col(bigint_default("entries", 0)).col(string("last_hash"));
        create(m, t, vec![]).await?;
        m.exec_stmt(
            Query::insert()
                .into_table(id("audit_head"))
                .columns([id("id"), id("entries"), id("last_hash")])
                .values_panic([1i64.into(), 0i64.into(), GENESIS.into()])
                .to_owned(),
        )
        .await?;

        let mut t = table("family_documents");
        references(&mut t, "family_documents", "family_id", "families");
        t.col(string("kind"))
            .col(sealed("reference_enc"))
            .col(string("key_id"));
        references_null(&mut t, "family_documents", "added_by", "users");
        t.col(timestamp("created_at"));
        create(m, t, vec![index("family_documents", &["family_id"])]).await?;

        // Two-factor sign-in: single-use recovery codes (hashed), and the last time step a code
        // was accepted, so a code cannot be replayed within its window.
        let mut t = table("recovery_codes");
        references(&mut t, "recovery_codes", "user_id", "users");
        t.col(string("code_hash"))
            .col(timestamp("created_at"))
            .col(timestamp_null("used_at"));
        create(m, t, vec![index("recovery_codes", &["user_id"])]).await?;
        m.alter_table(
            Table::alter()
                .table(id("users"))
                .add_column(bigint_null("totp_last_step"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(id("users"))
                .drop_column(id("totp_last_step"))
                .to_owned(),
        )
        .await?;
        drop_all(m, TABLES).await
    }
}
