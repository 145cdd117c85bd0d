use sea_orm::entity::prelude::*;

/// The sandbox bank's record of a payment it was asked to take.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sandbox_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub authority: String,
    pub amount_rials: i64,
    pub callback_url: String,
    pub description: String,
    /// `pending`, `paid`, `failed` or `cancelled`.
    pub status: super::status::SandboxPaymentStatus,
    pub ref_id: Option<String>,
    pub verify_count: i32,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
