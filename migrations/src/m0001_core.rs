//! Places, people who sign in, their scopes and their sessions; settings.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "provinces",
    "prisons",
    "users",
    "user_scopes",
    "sessions",
    "settings",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("provinces");
        t.col(string("code"))
            .col(string("name_fa"))
            .col(string("name_en"))
            .col(int("sort_order"));
        create(m, t, vec![unique("provinces", &["code"])]).await?;

        let mut t = table("prisons");
        references(&mut t, "prisons", "province_id", "provinces");
        t.col(string("code"))
            .col(string("name_fa"))
            .col(string("name_en"))
            .col(string("kind"))
            .col(int_default("capacity", 0));
        create(
            m,
            t,
            vec![
                unique("prisons", &["code"]),
                index("prisons", &["province_id"]),
            ],
        )
        .await?;

        let mut t = table("users");
        t.col(string("public_id"))
            .col(string_null("email"))
            .col(string_null("phone"))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(string("role"))
            .col(boolean("is_active", true))
            .col(sealed_null("totp_secret_enc"))
            .col(boolean("totp_enabled", false))
            .col(string_default("locale", "fa"))
            .col(timestamp("created_at"))
            .col(timestamp_null("last_login_at"));
        create(
            m,
            t,
            vec![
                unique("users", &["public_id"]),
                unique("users", &["email"]),
                index("users", &["role"]),
            ],
        )
        .await?;

        let mut t = table("user_scopes");
        references(&mut t, "user_scopes", "user_id", "users");
        references_null(&mut t, "user_scopes", "province_id", "provinces");
        references_null(&mut t, "user_scopes", "prison_id", "prisons");
        create(m, t, vec![index("user_scopes", &["user_id"])]).await?;

        let mut t = table("sessions");
        references(&mut t, "sessions", "user_id", "users");
        t.col(string("token_hash"))
            .col(timestamp("created_at"))
            .col(timestamp("expires_at"))
            .col(timestamp("last_seen_at"))
            .col(string_null("user_agent"));
        create(
            m,
            t,
            vec![
                unique("sessions", &["token_hash"]),
                index("sessions", &["user_id"]),
                index("sessions", &["expires_at"]),
            ],
        )
        .await?;

        let mut t = table("settings");
        t.col(string("key"))
            .col(text("value"))
            .col(timestamp("updated_at"));
        create(m, t, vec![unique("settings", &["key"])]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, TABLES).await
    }
}
