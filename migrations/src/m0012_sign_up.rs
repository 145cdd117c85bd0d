//! Sign-up by e-mail confirmation.
//!
//! `pending_sign_ups`: an account asked for and not yet confirmed. The account itself is made
//! only when the link sent to the address is followed, so the sign-up form answers the same
//! whether or not the address is registered, and nobody can hold an address they cannot read.
//! Several pending rows may name one address (each link stands alone); they expire in a day.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("pending_sign_ups");
        // Keyed hash of the link's token, like a session's; the token itself is never stored.
        t.col(string("token_hash"))
            .col(string("email"))
            .col(string("display_name"))
            .col(string("password_hash"))
            .col(string("role"))
            .col(string("locale"))
            .col(timestamp("created_at"))
            .col(timestamp("expires_at"));
        create(
            m,
            t,
            vec![
                unique("pending_sign_ups", &["token_hash"]),
                index("pending_sign_ups", &["expires_at"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["pending_sign_ups"]).await
    }
}
