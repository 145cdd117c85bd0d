use sea_orm::entity::prelude::*;

/// A victim or creditor a court named, owed by one prisoner (`employment::restitution`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "restitution_claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_code: String,
    pub prisoner_id: i64,
    /// `victim` or `creditor`.
    pub kind: String,
    /// Sealed (`restitution_claims.claimant_name`): a third party's name.
    pub claimant_name_enc: Vec<u8>,
    /// Sealed (`restitution_claims.claimant_account`): the Sheba the payouts go to.
    pub claimant_account_enc: Vec<u8>,
    pub key_id: String,
    /// The court's case or judgment number.
    pub court_ref: String,
    pub owed_rials: i64,
    /// What approved payouts have paid, moved with each payout in its transaction.
    pub paid_rials: i64,
    pub status: super::status::ClaimStatus,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
