use sea_orm::entity::prelude::*;

/// A sponsor's offer to match gifts in one scope up to a cap (`giving::matching`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "match_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    /// Shown on the cards: "matched by …".
    pub sponsor_name: String,
    /// How staff reach the sponsor (sealed, `match_offers.sponsor_contact`).
    pub sponsor_contact_enc: Option<Vec<u8>>,
    pub key_id: String,
    /// Rials matched per rial given: 1 or 2.
    pub ratio: i32,
    pub scope: super::status::MatchScope,
    /// The occasion key, province code, kind of need or campaign code.
    pub scope_value: String,
    /// The province it belongs to (a province's or a campaign's offer), for staff scope.
    pub province_id: Option<i64>,
    pub cap_rials: i64,
    /// What matched gifts have drawn so far; never above the cap.
    pub matched_rials: i64,
    /// What the sponsor has paid in.
    pub received_rials: i64,
    /// The last day gifts are matched (Iran's date).
    pub ends_on: Date,
    pub status: super::status::MatchOfferStatus,
    pub proposed_by: i64,
    pub decided_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// `cap_reached`, `ended` or `closed_by_staff`.
    pub close_reason: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
