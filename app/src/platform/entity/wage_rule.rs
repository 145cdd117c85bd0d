use sea_orm::entity::prelude::*;

/// Deduction shares and minimum rates, in basis points and rials.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wage_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub family_share_bp: i32,
    pub release_share_bp: i32,
    pub restitution_bp: i32,
    pub savings_bp: i32,
    pub cap_bp: i32,
    pub min_hourly_rials: i64,
    pub min_piece_rials: i64,
    pub effective_from: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
