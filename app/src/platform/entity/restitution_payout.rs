use sea_orm::entity::prelude::*;

/// One payment from `fund:restitution` to a claim: requested by one person, decided by another.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "restitution_payouts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub claim_id: i64,
    /// The claim's prisoner, kept here so his payouts are summed without a join.
    pub prisoner_id: i64,
    pub amount_rials: i64,
    /// The bank transfer's reference.
    pub reference: String,
    pub status: super::status::PayoutStatus,
    pub requested_by: i64,
    pub decided_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub transaction_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
