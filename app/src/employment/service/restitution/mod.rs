//! Restitution on the server: the register of who is owed, payouts with four eyes, and a worker's
//! record. Every change runs in an audited transaction ([`audit::begin`] takes the audit chain's
//! lock first), so two payouts never read the same "still available" and both pass: the second
//! waits for the first to commit and reads what it left.

use super::*;
use crate::employment::restitution::{ClaimForm, CLAIM_KINDS};
use crate::platform::entity::{restitution_claim as claim, restitution_payout as payout};

mod views;
pub use views::{book, worker};

/// The AEAD names the claimant's fields are sealed under (`privacy::rotation::SEALED` lists them).
const NAME: &str = "restitution_claims.claimant_name";
const ACCOUNT: &str = "restitution_claims.claimant_account";

/// Whether `who` holds `p` over this prisoner's prison (else "not found", audited).
async fn check_prisoner(
    state: &AppState,
    who: &Authed,
    p: Permission,
    pr: &prisoner::Model,
) -> Result<(), AppError> {
    let prison = prison::Entity::find_by_id(pr.prison_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("restitution", "prison missing"))?;
    check_scope(who, p, &pr.public_code, prison.province_id, Some(prison.id)).await
}

/// A prisoner by code, if `who` holds `p` over his prison.
async fn prisoner_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<prisoner::Model, AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let pr = prisoner::Entity::find()
        .filter(prisoner::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_prisoner(state, who, p, &pr).await?;
    Ok(pr)
}

/// A claim's prisoner, if `who` holds `p` over his prison.
async fn claim_prisoner(
    state: &AppState,
    who: &Authed,
    p: Permission,
    c: &claim::Model,
) -> Result<prisoner::Model, AppError> {
    let pr = prisoner::Entity::find_by_id(c.prisoner_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("restitution", "prisoner missing"))?;
    check_prisoner(state, who, p, &pr).await?;
    Ok(pr)
}

/// A claim by code with its prisoner, if `who` holds `p` over the prisoner's prison.
async fn claim_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(claim::Model, prisoner::Model), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let c = claim::Entity::find()
        .filter(claim::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pr = claim_prisoner(state, who, p, &c).await?;
    Ok((c, pr))
}

/// A prisoner's pool: what his wages withheld, what has been paid to those he owes, and what
/// waits for approval. Read inside the audited transaction when it guards a payout.
async fn pool_of<C: ConnectionTrait>(
    db: &C,
    prisoner_id: i64,
) -> Result<(i64, i64, i64), AppError> {
    // One statement: the three sums read the same snapshot, in one round trip.
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            "SELECT \
               (SELECT CAST(COALESCE(SUM(restitution_rials), 0) AS BIGINT) FROM wage_payments \
                 WHERE prisoner_id = ? AND transaction_id IS NOT NULL), \
               (SELECT CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) FROM restitution_payouts \
                 WHERE prisoner_id = ? AND status = 'paid'), \
               (SELECT CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) FROM restitution_payouts \
                 WHERE prisoner_id = ? AND status = 'awaiting_approval')",
            [prisoner_id.into(), prisoner_id.into(), prisoner_id.into()],
        ))
        .await?
        .ok_or_else(|| AppError::internal("restitution", "pool sums missing"))?;
    Ok((
        row.try_get_by_index(0)?,
        row.try_get_by_index(1)?,
        row.try_get_by_index(2)?,
    ))
}

/// Tomans as typed (any digits, separators) to rials, within `range`.
fn tomans(input: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    validation::toman_rials(input).filter(|r| range.contains(r))
}

/// A text field normalised, between `chars` characters long.
fn text(input: &str, chars: std::ops::RangeInclusive<usize>) -> Option<String> {
    let s = normalize_persian(input.trim());
    chars.contains(&s.chars().count()).then_some(s)
}

/// Finance registers a claim from the court's judgment; the claimant's name and Sheba are sealed.
pub async fn register(
    state: &AppState,
    who: &Authed,
    form: &ClaimForm,
) -> Result<String, AppError> {
    let pr = prisoner_in_scope(state, who, Permission::PayWages, &form.prisoner).await?;
    let kind = CLAIM_KINDS
        .iter()
        .find(|k| **k == form.kind.trim())
        .ok_or_else(|| AppError::invalid("kind", "restitution.bad_kind"))?;
    let name = text(&form.claimant_name, 2..=120)
        .ok_or_else(|| AppError::invalid("claimant_name", "restitution.bad_name"))?;
    let account = validation::sheba(&form.claimant_account)
        .map_err(|k| AppError::invalid("claimant_account", k))?;
    let court_ref = text(&validation::latin_digits(&form.court_ref), 3..=40)
        .ok_or_else(|| AppError::invalid("court_ref", "restitution.bad_court_ref"))?;
    let owed = tomans(&form.owed, 10_000..=10_000_000_000_000)
        .ok_or_else(|| AppError::invalid("owed", "restitution.bad_owed"))?;
    let code = crate::platform::public_code("RC", 8);
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    claim::ActiveModel {
        public_code: Set(code.clone()),
        prisoner_id: Set(pr.id),
        kind: Set(kind.to_string()),
        claimant_name_enc: Set(state.sealer.seal(NAME, &name)),
        claimant_account_enc: Set(state.sealer.seal(ACCOUNT, &account)),
        key_id: Set(state.sealer.key_id().to_string()),
        court_ref: Set(court_ref.clone()),
        owed_rials: Set(owed),
        paid_rials: Set(0),
        status: Set(ClaimStatus::Open),
        created_by: Set(who.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "restitution.claim",
            "restitution_claim",
            &code,
            serde_json::json!({
                "prisoner": pr.public_code, "kind": kind, "court_ref": court_ref, "owed_rials": owed,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(claim = %code, prisoner = %pr.public_code, owed, by = who.user_id, "restitution claim registered");
    Ok(code)
}

/// Finance asks for a payout to a claim. It waits for a second person; meanwhile its amount is
/// held against both the claim and the prisoner's pool, so two requests cannot both spend it.
pub async fn request(
    state: &AppState,
    who: &Authed,
    claim_code: &str,
    amount: &str,
    reference: &str,
) -> Result<String, AppError> {
    let (c, pr) = claim_in_scope(state, who, Permission::PayWages, claim_code).await?;
    let rials = tomans(amount, 10..=i64::MAX / 2)
        .ok_or_else(|| AppError::invalid("amount", "validation.amount"))?;
    let reference = text(&validation::latin_digits(reference), 3..=60)
        .ok_or_else(|| AppError::invalid("reference", "restitution.bad_reference"))?;
    let txn = audit::begin(&state.db).await?;
    // Read again under the audit lock: another request may have been committed since.
    let c = claim::Entity::find_by_id(c.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.status != ClaimStatus::Open {
        return Err(AppError::invalid("claim", "restitution.settled"));
    }
    let claim_awaiting: i64 = payout::Entity::find()
        .filter(payout::Column::ClaimId.eq(c.id))
        .filter(payout::Column::Status.eq(PayoutStatus::AwaitingApproval))
        .all(&txn)
        .await?
        .iter()
        .map(|p| p.amount_rials)
        .sum();
    if rials > c.owed_rials - c.paid_rials - claim_awaiting {
        return Err(AppError::invalid("amount", "restitution.more_than_owed"));
    }
    let (withheld, paid, awaiting) = pool_of(&txn, pr.id).await?;
    if rials > withheld - paid - awaiting {
        return Err(AppError::invalid(
            "amount",
            "restitution.more_than_withheld",
        ));
    }
    let code = crate::platform::public_code("RP", 8);
    payout::ActiveModel {
        public_code: Set(code.clone()),
        claim_id: Set(c.id),
        prisoner_id: Set(pr.id),
        amount_rials: Set(rials),
        reference: Set(reference),
        status: Set(PayoutStatus::AwaitingApproval),
        requested_by: Set(who.user_id),
        decided_by: Set(None),
        reject_reason: Set(None),
        transaction_id: Set(None),
        created_at: Set(Utc::now()),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "restitution.payout_requested",
            "restitution_payout",
            &code,
            serde_json::json!({ "claim": c.public_code, "prisoner": pr.public_code, "amount_rials": rials }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(payout = %code, claim = %c.public_code, rials, by = who.user_id, "restitution payout requested");
    Ok(code)
}

/// The second pair of eyes: someone with `ApproveDisbursement` in scope, who did not ask for it,
/// pays it (one ledger group, `fund:restitution` to the bank, the claim's paid figure moved with
/// it) or refuses it with a reason.
pub async fn decide(
    state: &AppState,
    who: &Authed,
    code: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let p = payout::Entity::find()
        .filter(payout::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = claim::Entity::find_by_id(p.claim_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("restitution", "claim missing"))?;
    claim_prisoner(state, who, Permission::ApproveDisbursement, &c).await?;
    if p.status != PayoutStatus::AwaitingApproval {
        return Err(AppError::invalid("status", "restitution.not_awaiting"));
    }
    if p.requested_by == who.user_id {
        return Err(AppError::invalid("approver", "staff.four_eyes"));
    }
    let reason = match (approve, reason) {
        (true, _) => None,
        (false, r) => Some(
            text(r.unwrap_or_default(), 3..=300)
                .ok_or_else(|| AppError::invalid("reason", "restitution.bad_reason"))?,
        ),
    };
    let now = Utc::now();
    // Two deciders at once: the second waits for the audit lock, and whatever it posts is rolled
    // back when its conditional update below finds the payout no longer waiting.
    let txn = audit::begin(&state.db).await?;
    let tid = if approve {
        Some(pay(&txn, who, &p, &c).await?)
    } else {
        None
    };
    let moved = payout::Entity::update_many()
        .col_expr(
            payout::Column::Status,
            Expr::value(if approve {
                PayoutStatus::Paid
            } else {
                PayoutStatus::Rejected
            }),
        )
        .col_expr(payout::Column::DecidedBy, Expr::value(who.user_id))
        .col_expr(payout::Column::DecidedAt, Expr::value(now))
        .col_expr(payout::Column::TransactionId, Expr::value(tid))
        .col_expr(payout::Column::RejectReason, Expr::value(reason.clone()))
        .filter(payout::Column::Id.eq(p.id))
        .filter(payout::Column::Status.eq(PayoutStatus::AwaitingApproval))
        .exec(&txn)
        .await?
        .rows_affected;
    if moved != 1 {
        txn.rollback().await?;
        return Err(AppError::invalid("status", "restitution.not_awaiting"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            if approve {
                "restitution.paid"
            } else {
                "restitution.rejected"
            },
            "restitution_payout",
            &p.public_code,
            serde_json::json!({
                "claim": c.public_code, "amount_rials": p.amount_rials,
                "ledger_transaction": tid, "reason": reason,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(payout = %p.public_code, approve, by = who.user_id, "restitution payout decided");
    Ok(())
}

/// Pays an awaiting payout inside the caller's audited transaction: the pool checked again, the
/// claim's paid figure moved (never past what is owed; settled when it reaches it), and the
/// ledger group posted (a fund never goes below zero, so the pool itself is checked too).
async fn pay(
    txn: &DatabaseTransaction,
    who: &Authed,
    p: &payout::Model,
    c: &claim::Model,
) -> Result<i64, AppError> {
    let (withheld, paid, _) = pool_of(txn, p.prisoner_id).await?;
    if paid + p.amount_rials > withheld {
        return Err(AppError::invalid(
            "amount",
            "restitution.more_than_withheld",
        ));
    }
    let now = Utc::now();
    let paid_after = sea_orm::ExprTrait::add(Expr::col(claim::Column::PaidRials), p.amount_rials);
    let moved = claim::Entity::update_many()
        .col_expr(claim::Column::PaidRials, paid_after.clone())
        .col_expr(
            claim::Column::Status,
            Expr::case(
                sea_orm::ExprTrait::gte(paid_after.clone(), Expr::col(claim::Column::OwedRials)),
                Expr::value(ClaimStatus::Settled.as_str()),
            )
            .finally(Expr::value(ClaimStatus::Open.as_str()))
            .into(),
        )
        .col_expr(claim::Column::UpdatedAt, Expr::value(now))
        .filter(claim::Column::Id.eq(c.id))
        .filter(sea_orm::ExprTrait::lte(
            paid_after,
            Expr::col(claim::Column::OwedRials),
        ))
        .exec(txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(AppError::invalid("amount", "restitution.more_than_owed"));
    }
    let accounts = ledger::account_ids(txn, &[&Account::Restitution, &Account::Bank]).await?;
    if ledger::fund_balance(txn, accounts[0]).await? < p.amount_rials {
        return Err(AppError::invalid("amount", "restitution.fund_short"));
    }
    let tid = ledger::post(
        txn,
        Posting {
            kind: "restitution",
            memo: "restitution paid to a claimant",
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[
            debit(accounts[0], p.amount_rials),
            credit(accounts[1], p.amount_rials),
        ],
    )
    .await?;
    Ok(tid)
}
