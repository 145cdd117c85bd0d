use sea_orm::entity::prelude::*;

/// A monthly pledge to a kind's fund (or "where most urgent"): reminded each month, confirmed by
/// the donor through the gateway like any gift, cancelled by its link.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pledges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub donor_user_id: Option<i64>,
    /// `category_fund` or `urgent`.
    pub target_kind: String,
    pub need_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub category: Option<String>,
    pub amount_rials: i64,
    /// 1–28: the day of the month the reminder goes out.
    pub day_of_month: i32,
    /// `pending` (its first gift not yet settled), `active` or `cancelled`.
    pub status: super::status::PledgeStatus,
    pub cancel_token_hash: String,
    pub contact_enc: Option<Vec<u8>>,
    pub key_id: String,
    pub next_due_on: Date,
    pub created_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
    /// The intention of the first gift, carried into each month's reminder.
    pub intention: Option<super::status::Intention>,
    /// A sponsorship: the family whose support fund each month's gift reaches.
    pub family_id: Option<i64>,
    /// A sponsorship's last month (none: until the donor stops).
    pub ends_on: Option<Date>,
    /// Why a sponsorship ended.
    pub end_reason: Option<super::status::SponsorshipEnd>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
