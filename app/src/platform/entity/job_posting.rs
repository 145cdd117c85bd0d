use sea_orm::entity::prelude::*;

/// A job offered by an entrepreneur to released people.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_postings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub entrepreneur_id: i64,
    pub province_id: i64,
    pub title: String,
    /// JSON array of skill codes.
    pub skills: String,
    pub pay_rials: i64,
    pub status: super::status::JobPostingStatus,
    /// Until then only workers the entrepreneur had under contract may apply.
    pub early_hire_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
