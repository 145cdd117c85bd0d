use sea_orm::entity::prelude::*;

/// A released person's application to a job post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub posting_id: i64,
    pub prisoner_id: i64,
    pub status: super::status::JobApplicationStatus,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
