//! Needs whose deadline passed: what they raised moves to their kind's fund, once.

use super::*;

/// One need whose deadline passed before it was met, and where its money went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reallocation {
    pub from_need: String,
    /// The need that received the money, or `None` when it went to the category fund.
    pub to_need: Option<String>,
    pub to_need_rials: i64,
    pub to_fund_rials: i64,
    pub donors_told: usize,
}

/// The published rule for needs not met by their deadline: the money moves to the most urgent
/// open need of the same kind in the same province (up to what it still needs; anything beyond
/// goes to the kind's fund), the need is marked `expired`, and its donors who left a contact are
/// told. Each need is handled in its own transaction; running it twice moves nothing twice.
pub async fn reallocate_expired(
    state: &AppState,
    today: chrono::NaiveDate,
) -> Result<Vec<Reallocation>, AppError> {
    use sea_orm::QueryOrder;
    let db = &state.db;
    let expired = need::Entity::find()
        .filter(need::Column::Status.eq(NeedStatus::Published))
        .filter(need::Column::Deadline.lt(today))
        .order_by_asc(need::Column::Deadline)
        .limit(500)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for n in expired {
        let from_acct = ledger::account_id(db, &Account::Need(n.id)).await?;
        let fund_acct = ledger::account_id(db, &Account::Category(n.category.clone())).await?;
        let target = need::Entity::find()
            .filter(need::Column::Status.eq(NeedStatus::Published))
            .filter(need::Column::Category.eq(&n.category))
            .filter(need::Column::ProvinceId.eq(n.province_id))
            .filter(need::Column::Id.ne(n.id))
            .filter(
                sea_orm::Condition::any()
                    .add(need::Column::Deadline.gte(today))
                    .add(need::Column::Deadline.is_null()),
            )
            .order_by_asc(need::Column::Deadline)
            .order_by_asc(need::Column::Id)
            .one(db)
            .await?;
        let target_acct = match &target {
            Some(t) => Some(ledger::account_id(db, &Account::Need(t.id)).await?),
            None => None,
        };

        let txn = db.begin().await?;
        // Lock the expiring need first; a gift settling to it right now waits or has finished.
        let claimed = need::Entity::update_many()
            .col_expr(need::Column::Status, Expr::value(NeedStatus::Expired))
            .col_expr(need::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(need::Column::Id.eq(n.id))
            .filter(need::Column::Status.eq(NeedStatus::Published))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            txn.rollback().await?;
            continue;
        }
        let held_now = ledger::fund_balance(&txn, from_acct).await?;
        let (mut to_need, mut to_fund) = (0, held_now);
        if let (Some(t), Some(tacct)) = (&target, target_acct) {
            // Read under the receiving need's lock: what it lacks now, nothing if it was
            // unpublished since it was chosen.
            let to = FundTarget::Need(t.id);
            to.lock(&txn, Utc::now()).await?;
            let room = to.lacks(&txn, tacct).await?;
            to_need = held_now.min(room);
            to_fund = held_now - to_need;
            if to_need > 0 && to_need == room {
                to.mark_funded(&txn, Utc::now()).await?;
            }
        }
        if held_now > 0 {
            let mut lines = vec![debit(from_acct, held_now)];
            if to_need > 0 {
                lines.push(credit(
                    target_acct.expect("to_need only with a target"),
                    to_need,
                ));
            }
            if to_fund > 0 {
                lines.push(credit(fund_acct, to_fund));
            }
            ledger::post(
                &txn,
                Posting {
                    kind: "reallocation",
                    memo: "need expired unmet: moved by the published rule",
                    donation_id: None,
                    created_by: None,
                },
                &lines,
            )
            .await?;
        }
        // Tell the donors who left a contact, in the same transaction.
        let donors_told = queue_to_donors(
            state,
            &txn,
            crate::giving::service::Owner::Need,
            n.id,
            "need_reallocated",
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(need = %n.public_code, held = held_now, to_need, to_fund, "expired need reallocated");
        out.push(Reallocation {
            from_need: n.public_code.clone(),
            to_need: target.filter(|_| to_need > 0).map(|t| t.public_code),
            to_need_rials: to_need,
            to_fund_rials: to_fund,
            donors_told,
        });
    }
    Ok(out)
}
