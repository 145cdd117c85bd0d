use sea_orm::entity::prelude::*;

/// A production contract between an entrepreneur and a workshop.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub entrepreneur_id: i64,
    pub workshop_id: i64,
    pub product: String,
    pub quantity: i64,
    pub unit_price_rials: i64,
    /// `hourly` or `piece`.
    pub wage_model: String,
    pub wage_rate_rials: i64,
    pub headcount: i32,
    /// JSON array of skill codes.
    pub required_skills: String,
    /// JSON array of skill codes a certificate must cover.
    pub required_certificates: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub materials_supplied: bool,
    /// `proposed`, `officer_approved`, `active`, `suspended`, `completed`, `terminated`, `rejected`.
    pub status: super::status::ContractStatus,
    pub status_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
