use sea_orm::entity::prelude::*;

/// A message waiting to be sent (or sent) through a channel adapter.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    pub recipient_enc: Vec<u8>,
    pub key_id: String,
    pub template: String,
    pub locale: String,
    pub payload: String,
    /// `pending`, `sent`, `failed`.
    pub status: super::status::NotificationStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
