use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disbursements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub need_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub payee_id: Option<i64>,
    pub amount_rials: i64,
    pub purpose: String,
    pub reference: Option<String>,
    pub evidence_ref: Option<String>,
    pub status: super::status::DisbursementStatus,
    pub requested_by: Option<i64>,
    pub transaction_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
