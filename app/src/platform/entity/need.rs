use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub family_id: i64,
    pub province_id: i64,
    pub category: String,
    pub public_title: String,
    pub public_story: String,
    pub private_notes_enc: Option<Vec<u8>>,
    pub key_id: String,
    pub goal_rials: i64,
    pub household_band: String,
    pub age_band: Option<String>,
    pub occasion: Option<String>,
    pub deadline: Option<Date>,
    pub status: super::status::NeedStatus,
    pub fulfilment_method: String,
    pub hide_province: bool,
    pub author_id: Option<i64>,
    pub verifier_id: Option<i64>,
    pub published_at: Option<DateTimeUtc>,
    pub funded_at: Option<DateTimeUtc>,
    pub purchased_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Consent withdrawn after funding: off every public surface, work goes on privately.
    pub withdrawn_at: Option<DateTimeUtc>,
    /// Title and story as searched (`validation::search_text`), indexed for substring search
    /// (SQLite: the FTS5 trigram table `needs_fts`; PostgreSQL: a pg_trgm GIN index). Written
    /// with the title and story.
    pub search_text: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
