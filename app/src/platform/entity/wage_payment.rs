use sea_orm::entity::prelude::*;

/// One worker's wage for one month on one contract, with every share.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wage_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub prisoner_id: i64,
    pub rule_id: i64,
    pub period: String,
    pub gross_rials: i64,
    pub family_rials: i64,
    pub release_rials: i64,
    pub restitution_rials: i64,
    pub savings_rials: i64,
    pub net_rials: i64,
    pub transaction_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub minutes: i64,
    pub pieces: i64,
    pub rate_rials: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
