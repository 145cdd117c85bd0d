use sea_orm::entity::prelude::*;

/// One day's production on a contract.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "production_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contract_id: i64,
    pub work_date: Date,
    pub quantity: i64,
    pub accepted: i64,
    pub rejected: i64,
    /// Kept for the record; the rows of `production_hours` are what wages read.
    pub hours_by_worker: String,
    pub logged_by: Option<i64>,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub resolution_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
