use sea_orm::entity::prelude::*;

/// An account asked for on the sign-up form and not yet confirmed from the e-mail link.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_sign_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Keyed SHA-256 of the link's token (as for sessions); the token is only in the e-mail.
    pub token_hash: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub locale: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
