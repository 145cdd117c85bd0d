use sea_orm::entity::prelude::*;

/// A contract's monthly invoice (Solar Hijri month `YYYY-MM`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub contract_id: i64,
    pub period: String,
    pub accepted_units: i64,
    pub amount_rials: i64,
    /// `issued` or `paid`.
    pub status: super::status::InvoiceStatus,
    pub transaction_id: Option<i64>,
    pub paid_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
