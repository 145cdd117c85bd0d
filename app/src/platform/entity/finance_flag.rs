use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finance_flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `amount_mismatch`, `settlement_failed`.
    pub kind: String,
    pub donation_id: Option<i64>,
    pub detail: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
