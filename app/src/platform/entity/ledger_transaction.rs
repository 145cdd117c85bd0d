use sea_orm::entity::prelude::*;

/// One balanced group of entries: its entries sum to zero.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_transactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    /// `gift`, `fee`, `allocation`, `overflow`, `reallocation`, `disbursement`, `refund`, `correction`.
    pub kind: String,
    pub memo: String,
    pub donation_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
