use sea_orm::entity::prelude::*;

/// What staff told a family's sponsors: public text only, passed by the privacy guard.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsor_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub family_id: i64,
    pub kind: super::status::SponsorReportKind,
    /// What staff wrote (school term passed, health, what changed).
    pub body: String,
    /// The family's own thank-you, in staff's redacted words.
    pub thanks: Option<String>,
    /// The public titles of the family's needs delivered since its last report (a JSON array).
    pub bought: String,
    pub sponsors_told: i32,
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
