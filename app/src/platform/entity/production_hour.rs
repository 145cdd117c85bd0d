use sea_orm::entity::prelude::*;

/// One worker's minutes and accepted pieces on one production day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "production_hours")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub log_id: i64,
    pub assignment_id: i64,
    pub minutes: i64,
    pub pieces: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
