use sea_orm::entity::prelude::*;

/// A consenting prisoner assigned to a contract, known outside the prison only by `worker_code`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "worker_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_id: i64,
    pub prisoner_id: i64,
    pub worker_code: String,
    /// `active` or `ended`.
    pub status: super::status::AssignmentStatus,
    pub consent_at: DateTimeUtc,
    pub assigned_by: Option<i64>,
    pub rating: Option<i32>,
    pub created_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
