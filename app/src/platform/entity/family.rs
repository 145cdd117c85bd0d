use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "families")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub province_id: i64,
    pub prison_id: Option<i64>,
    pub head_name_enc: Vec<u8>,
    pub national_code_enc: Option<Vec<u8>>,
    pub national_code_bidx: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub address_enc: Option<Vec<u8>>,
    pub situation_enc: Option<Vec<u8>>,
    pub key_id: String,
    pub household_size: i32,
    pub status: super::status::FamilyStatus,
    pub consent_publish: bool,
    pub consent_recorded_at: Option<DateTimeUtc>,
    pub consent_withdrawn_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The kind of support a sponsor would give (a need category); set when staff open the
    /// family to sponsorship.
    pub sponsor_kind: Option<String>,
    /// The redacted story a prospective sponsor reads (passed by the privacy guard); none: the
    /// family is not offered to sponsors.
    pub sponsor_story: Option<String>,
    pub sponsor_opened_at: Option<DateTimeUtc>,
    /// Active sponsorships, moved in the same transaction as each starts or ends.
    pub sponsors: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
