use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "release_campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub prisoner_id: i64,
    pub province_id: i64,
    /// `debt`, `diyeh` or `dower`.
    pub offence_category: String,
    pub total_owed_rials: i64,
    pub forgiveness_rials: i64,
    pub creditor_enc: Option<Vec<u8>>,
    pub key_id: String,
    pub eligibility: String,
    pub public_title: String,
    pub public_story: String,
    pub status: super::status::CampaignStatus,
    pub court_account_ref: Option<String>,
    pub author_id: Option<i64>,
    pub verifier_id: Option<i64>,
    pub published_at: Option<DateTimeUtc>,
    pub funded_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub released_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Consent withdrawn after funding: off every public surface, work goes on privately.
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
