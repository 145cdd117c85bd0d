use sea_orm::entity::prelude::*;

/// One gift attempt, from the form to the gateway's final word.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "donations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tracking_code: String,
    /// `need`, `campaign`, `category_fund` or `urgent`.
    pub target_kind: String,
    pub need_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub category: Option<String>,
    pub amount_rials: i64,
    /// The part that went to the category (or release) fund because the target was already met.
    pub overflow_rials: i64,
    pub anonymous: bool,
    pub display_name: Option<String>,
    pub dedication_kind: Option<String>,
    pub dedication_text: Option<String>,
    pub contact_enc: Option<Vec<u8>>,
    pub contact_hint: Option<String>,
    pub key_id: String,
    pub donor_user_id: Option<i64>,
    pub pledge_id: Option<i64>,
    /// `pending`, `settled`, `failed`, `cancelled` or `flagged`.
    pub status: super::status::DonationStatus,
    pub gateway: String,
    pub gateway_authority: Option<String>,
    pub gateway_ref: Option<String>,
    pub idempotency_key: String,
    pub created_at: DateTimeUtc,
    pub settled_at: Option<DateTimeUtc>,
    /// A `cancelled`/`failed` gift the reconciler has asked the gateway about once more.
    pub rechecked_at: Option<DateTimeUtc>,
    /// The intention the donor named (`giving::intention`), if any.
    pub intention: Option<super::status::Intention>,
    /// A nazr's purpose in the donor's words, sealed (`donations.nazr_purpose`): staff only.
    pub nazr_purpose_enc: Option<Vec<u8>>,
    /// The match offer this gift drew on, if any (`giving::matching`).
    pub match_offer_id: Option<i64>,
    /// What the sponsor added to this gift (0 when not matched), posted in the gift's own
    /// ledger group.
    pub matched_rials: i64,
    /// A sponsorship's month: the family whose support fund it reaches (`target_kind` `family`).
    pub family_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
