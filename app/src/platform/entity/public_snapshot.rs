use sea_orm::entity::prelude::*;

/// Public figures computed on a schedule (`transparency::snapshot`): a cache, never a source of
/// truth. `body` is the JSON of what the pages and the API show.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub body: String,
    pub taken_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
