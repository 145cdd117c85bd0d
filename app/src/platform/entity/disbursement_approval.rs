use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disbursement_approvals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub disbursement_id: i64,
    pub approver_id: i64,
    pub role: String,
    pub decision: String,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
