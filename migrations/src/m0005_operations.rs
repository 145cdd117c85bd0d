//! The notification outbox and the hash-chained, append-only audit log.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["notification_outbox", "audit_log"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("notification_outbox");
        t.col(string("channel"))
            .col(sealed("recipient_enc"))
            .col(string("key_id"))
            .col(string("template"))
            .col(string("locale"))
            .col(text("payload"))
            .col(string("status"))
            .col(int_default("attempts", 0))
            .col(timestamp("next_attempt_at"))
            .col(text_null("last_error"))
            .col(timestamp("created_at"))
            .col(timestamp_null("sent_at"));
        create(
            m,
            t,
            vec![index("notification_outbox", &["status", "next_attempt_at"])],
        )
        .await?;

        let mut t = table("audit_log");
        t.col(timestamp("at"));
        references_null(&mut t, "audit_log", "actor_user_id", "users");
        t.col(string("action"))
            .col(string("subject_kind"))
            .col(string_null("subject_id"))
            .col(text("detail"))
            .col(string("prev_hash"))
            .col(string("hash"));
        create(
            m,
            t,
            vec![
                index("audit_log", &["action", "at"]),
                index("audit_log", &["actor_user_id"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, TABLES).await
    }
}
