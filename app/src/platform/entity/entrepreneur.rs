use sea_orm::entity::prelude::*;

/// A company that contracts production work in prison workshops (verified by staff first).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entrepreneurs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub user_id: i64,
    pub province_id: i64,
    pub company_name: String,
    pub national_company_id: String,
    pub economic_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub sector: String,
    /// `pending`, `verified` or `rejected`.
    pub status: super::status::EntrepreneurStatus,
    pub verified_by: Option<i64>,
    pub verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
