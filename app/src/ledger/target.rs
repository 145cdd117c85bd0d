//! What a gift or a payment out is for: a family's need or a prisoner's release campaign.
//!
//! The two are different rows (a need has a goal; a campaign owes an amount less what the
//! creditor forgave) but money meets them the same way: take the row's lock, ask how much it
//! still lacks, mark it funded when a gift fills it. Those differences live here once, so the
//! gift, the expiry reallocation, the wage run and the payments out do not each branch on which
//! of the two they hold.

use super::{fund_balance, Account};
use crate::error::AppError;
use crate::platform::entity::status::{CampaignStatus, NeedStatus};
use crate::platform::entity::{need, release_campaign};
use chrono::{DateTime, Utc};
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A need or a release campaign, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundTarget {
    Need(i64),
    Campaign(i64),
}

/// What scope checks and audit entries need to know of a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRow {
    pub province_id: i64,
    pub public_code: String,
}

impl FundTarget {
    /// The target named by a row's `need_id` and `campaign_id` (a gift, a disbursement); none
    /// for a gift to a pooled fund.
    pub fn of(need_id: Option<i64>, campaign_id: Option<i64>) -> Option<Self> {
        match (need_id, campaign_id) {
            (Some(id), _) => Some(FundTarget::Need(id)),
            (None, Some(id)) => Some(FundTarget::Campaign(id)),
            (None, None) => None,
        }
    }

    /// The fund that holds what was given to it.
    pub fn account(self) -> Account {
        match self {
            FundTarget::Need(id) => Account::Need(id),
            FundTarget::Campaign(id) => Account::Campaign(id),
        }
    }

    pub fn need_id(self) -> Option<i64> {
        match self {
            FundTarget::Need(id) => Some(id),
            FundTarget::Campaign(_) => None,
        }
    }

    pub fn campaign_id(self) -> Option<i64> {
        match self {
            FundTarget::Campaign(id) => Some(id),
            FundTarget::Need(_) => None,
        }
    }

    /// `need` or `campaign`: the word audit entries use for it.
    pub fn kind(self) -> &'static str {
        match self {
            FundTarget::Need(_) => "need",
            FundTarget::Campaign(_) => "campaign",
        }
    }

    /// Takes the row's lock as the transaction's first write (an update of `updated_at`), so two
    /// gifts to it settle one after the other and each reads what the other left.
    pub async fn lock<C: ConnectionTrait>(
        self,
        txn: &C,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        match self {
            FundTarget::Need(id) => {
                need::Entity::update_many()
                    .col_expr(need::Column::UpdatedAt, Expr::value(now))
                    .filter(need::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
            }
            FundTarget::Campaign(id) => {
                release_campaign::Entity::update_many()
                    .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
                    .filter(release_campaign::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
            }
        }
        Ok(())
    }

    /// How much it still lacks, read under its lock: the goal (for a campaign, what is owed less
    /// what the creditor forgave) less what its fund `account` holds; nothing once it is no
    /// longer published.
    pub async fn lacks<C: ConnectionTrait>(self, txn: &C, account: i64) -> Result<i64, AppError> {
        let goal = match self {
            FundTarget::Need(id) => need::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal("fund target", "need vanished"))
                .map(|n| (n.status == NeedStatus::Published).then_some(n.goal_rials))?,
            FundTarget::Campaign(id) => release_campaign::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal("fund target", "campaign vanished"))
                .map(|c| {
                    (c.status == CampaignStatus::Published)
                        .then_some(c.total_owed_rials - c.forgiveness_rials)
                })?,
        };
        Ok(match goal {
            Some(goal) => (goal - fund_balance(txn, account).await?).max(0),
            None => 0,
        })
    }

    /// Published → funded, with the time; false when it was no longer published.
    pub async fn mark_funded<C: ConnectionTrait>(
        self,
        txn: &C,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let moved = match self {
            FundTarget::Need(id) => {
                need::Entity::update_many()
                    .col_expr(need::Column::Status, Expr::value(NeedStatus::Funded))
                    .col_expr(need::Column::FundedAt, Expr::value(now))
                    .filter(need::Column::Id.eq(id))
                    .filter(need::Column::Status.eq(NeedStatus::Published))
                    .exec(txn)
                    .await?
            }
            FundTarget::Campaign(id) => {
                release_campaign::Entity::update_many()
                    .col_expr(
                        release_campaign::Column::Status,
                        Expr::value(CampaignStatus::Funded),
                    )
                    .col_expr(release_campaign::Column::FundedAt, Expr::value(now))
                    .filter(release_campaign::Column::Id.eq(id))
                    .filter(release_campaign::Column::Status.eq(CampaignStatus::Published))
                    .exec(txn)
                    .await?
            }
        };
        Ok(moved.rows_affected == 1)
    }

    /// Its province and public code; none when the row is gone.
    pub async fn row<C: ConnectionTrait>(self, db: &C) -> Result<Option<TargetRow>, AppError> {
        Ok(match self {
            FundTarget::Need(id) => {
                need::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map(|n| TargetRow {
                        province_id: n.province_id,
                        public_code: n.public_code,
                    })
            }
            FundTarget::Campaign(id) => release_campaign::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|c| TargetRow {
                    province_id: c.province_id,
                    public_code: c.public_code,
                }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_names_its_target_need_first() {
        assert_eq!(FundTarget::of(Some(3), None), Some(FundTarget::Need(3)));
        assert_eq!(FundTarget::of(None, Some(4)), Some(FundTarget::Campaign(4)));
        assert_eq!(FundTarget::of(None, None), None);
        assert_eq!(FundTarget::Need(3).account(), Account::Need(3));
        assert_eq!(FundTarget::Campaign(4).account().code(), "fund:campaign:4");
        assert_eq!(FundTarget::Campaign(4).kind(), "campaign");
        assert_eq!(FundTarget::Need(3).campaign_id(), None);
    }
}
