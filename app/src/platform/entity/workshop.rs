use sea_orm::entity::prelude::*;

/// A prison workshop (public: kind, capacity, equipment, shifts; never who works there).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshops")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub prison_id: i64,
    pub kind: String,
    pub name_fa: String,
    pub name_en: String,
    pub capacity: i32,
    /// JSON array of strings.
    pub equipment: String,
    pub shifts: String,
    pub status: super::status::WorkshopStatus,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
