use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub family_id: i64,
    pub name_enc: Vec<u8>,
    pub national_code_enc: Option<Vec<u8>>,
    pub national_code_bidx: Option<String>,
    pub key_id: String,
    pub relation: String,
    pub birth_year: Option<i32>,
    pub is_child: bool,
    pub school_grade: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
