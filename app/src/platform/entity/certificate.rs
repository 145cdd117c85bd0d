use sea_orm::entity::prelude::*;

/// A skill certificate a prisoner holds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub prisoner_id: i64,
    pub programme_id: Option<i64>,
    pub title: String,
    pub skill: String,
    pub issued_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
