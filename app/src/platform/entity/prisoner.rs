use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prisoners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub family_id: Option<i64>,
    pub prison_id: i64,
    pub name_enc: Vec<u8>,
    pub national_code_enc: Option<Vec<u8>>,
    pub national_code_bidx: Option<String>,
    pub key_id: String,
    pub offence_category: String,
    pub sentence_start: Date,
    pub sentence_end: Option<Date>,
    pub conduct: String,
    pub skills: String,
    pub prior_conviction: bool,
    pub consent_work: bool,
    pub consent_work_at: Option<DateTimeUtc>,
    pub consent_campaign: bool,
    pub consent_campaign_at: Option<DateTimeUtc>,
    pub consent_jobs_after_release: bool,
    pub released_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
