//! Fulfilment: payees, purchases and payments with four eyes, delivery and the impact update.

use super::*;

pub(super) const PAYEE_KINDS: [&str; 6] = [
    "vendor", "landlord", "school", "pharmacy", "utility", "court",
];

/// A payment out of a need's or a campaign's whole fund, before it exists.
pub(in crate::casework) struct Disburse {
    pub target: FundTarget,
    /// The need's or campaign's public code, for the audit log.
    pub code: String,
    /// The vendor, landlord, school… recorded with it; a court payment has none (the court's
    /// account is its reference).
    pub payee: Option<payee::ActiveModel>,
    pub purpose: String,
    pub reference: Option<String>,
    pub evidence: String,
}

/// What buying a need and paying a court share once their own checks have passed: no payment of
/// it already waiting or made, the whole fund as the amount, the request (with the requester's
/// row and audit entry), and the payment at once when it is not above the threshold.
pub(in crate::casework) async fn disburse(
    state: &AppState,
    who: &Authed,
    mut r: Disburse,
) -> Result<FulfilOutcome, AppError> {
    let of_target = match r.target {
        FundTarget::Need(id) => disbursement::Column::NeedId.eq(id),
        FundTarget::Campaign(id) => disbursement::Column::CampaignId.eq(id),
    };
    let pending = disbursement::Entity::find()
        .filter(of_target)
        .filter(disbursement::Column::Status.is_in([
            DisbursementStatus::AwaitingApproval,
            DisbursementStatus::Paid,
        ]))
        .one(&state.db)
        .await?;
    if pending.is_some() {
        return Err(invalid("status", "staff.disbursement_pending"));
    }
    let acct = ledger::account_id(&state.db, &r.target.account()).await?;
    let amount = ledger::fund_balance(&state.db, acct).await?;
    if amount <= 0 {
        return Err(invalid("status", "staff.nothing_to_pay"));
    }
    let txn = audit::begin(&state.db).await?;
    let payee_id = match r.payee.take() {
        Some(p) => Some(p.insert(&txn).await?.id),
        None => None,
    };
    let d = request_disbursement(&txn, who, &r, payee_id, amount).await?;
    let disbursement = d.public_code.clone();
    let out = if d.status == DisbursementStatus::AwaitingApproval {
        FulfilOutcome::AwaitingApproval { disbursement }
    } else {
        pay_target(&txn, who, &d).await?;
        FulfilOutcome::Paid { disbursement }
    };
    txn.commit().await?;
    Ok(out)
}

/// Pays an approved disbursement out of its target's fund and moves the target on: a need to
/// purchased, a campaign to paid to the court.
async fn pay_target(
    txn: &DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
) -> Result<(), AppError> {
    match FundTarget::of(d.need_id, d.campaign_id) {
        Some(FundTarget::Need(id)) => {
            let n = need::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(AppError::NotFound)?;
            pay(txn, who, d, &n).await
        }
        Some(FundTarget::Campaign(id)) => {
            let c = crate::platform::entity::release_campaign::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(AppError::NotFound)?;
            crate::casework::campaigns::pay(txn, who, d, &c).await
        }
        None => Err(AppError::NotFound),
    }
}

pub(super) fn subject_detail(subject: (&str, &str), more: serde_json::Value) -> serde_json::Value {
    let mut detail = serde_json::Map::new();
    detail.insert(subject.0.to_string(), subject.1.into());
    if let serde_json::Value::Object(m) = more {
        detail.extend(m);
    }
    serde_json::Value::Object(detail)
}

/// Records a requested disbursement with the requester's row and its audit entry, inside the
/// caller's audited transaction. Above the threshold it waits for a second person's approval.
async fn request_disbursement(
    txn: &DatabaseTransaction,
    who: &Authed,
    r: &Disburse,
    payee_id: Option<i64>,
    amount: i64,
) -> Result<disbursement::Model, AppError> {
    let now = Utc::now();
    let needs_approval = amount > disbursement_threshold();
    let d = disbursement::ActiveModel {
        public_code: Set(crate::platform::public_code("D", 8)),
        need_id: Set(r.target.need_id()),
        campaign_id: Set(r.target.campaign_id()),
        payee_id: Set(payee_id),
        amount_rials: Set(amount),
        purpose: Set(r.purpose.clone()),
        reference: Set(r.reference.clone()),
        evidence_ref: Set(Some(r.evidence.clone())),
        status: Set(if needs_approval {
            DisbursementStatus::AwaitingApproval
        } else {
            DisbursementStatus::Approved
        }),
        requested_by: Set(Some(who.user_id)),
        transaction_id: Set(None),
        created_at: Set(now),
        paid_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    approval_row(txn, &d, who, "requested").await?;
    audit::record(
        txn,
        audit_entry(
            who,
            "disbursement.requested",
            "disbursement",
            &d.public_code,
            subject_detail(
                (r.target.kind(), &r.code),
                serde_json::json!({ "amount_rials": amount, "needs_approval": needs_approval }),
            ),
        ),
    )
    .await?;
    Ok(d)
}

/// Pays a disbursement out of `from`: one balanced ledger group (the fund debited, the bank
/// credited), the disbursement marked paid exactly once, audited. Returns when it was paid; the
/// caller moves its need or campaign on in the same transaction.
pub(in crate::casework) async fn pay_out(
    txn: &DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    from: Account,
    memo: &str,
    subject: (&str, &str),
) -> Result<chrono::DateTime<Utc>, AppError> {
    let from = ledger::account_id(txn, &from).await?;
    let bank = ledger::account_id(txn, &Account::Bank).await?;
    let tid = ledger::post(
        txn,
        Posting {
            kind: "disbursement",
            memo,
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[debit(from, d.amount_rials), credit(bank, d.amount_rials)],
    )
    .await?;
    let now = Utc::now();
    let res = disbursement::Entity::update_many()
        .col_expr(
            disbursement::Column::Status,
            Expr::value(DisbursementStatus::Paid),
        )
        .col_expr(disbursement::Column::TransactionId, Expr::value(tid))
        .col_expr(disbursement::Column::PaidAt, Expr::value(now))
        .filter(disbursement::Column::Id.eq(d.id))
        .filter(disbursement::Column::Status.is_in([
            DisbursementStatus::Approved,
            DisbursementStatus::AwaitingApproval,
        ]))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.disbursement_pending"));
    }
    audit::record(
        txn,
        audit_entry(
            who,
            "disbursement.paid",
            "disbursement",
            &d.public_code,
            subject_detail(
                subject,
                serde_json::json!({ "amount_rials": d.amount_rials, "ledger_transaction": tid }),
            ),
        ),
    )
    .await?;
    Ok(now)
}

/// Records the purchase of a funded need from a payee. The whole fund is paid out; above the
/// threshold the disbursement waits for a manager (not the requester) to approve it.
pub async fn record_purchase(
    state: &AppState,
    who: &Authed,
    code: &str,
    payee_kind: &str,
    payee_name: &str,
    evidence: &str,
) -> Result<FulfilOutcome, AppError> {
    let (n, _f) = need_in_scope(state, who, Permission::Fulfil, code).await?;
    if n.status != NeedStatus::Funded {
        return Err(invalid("status", "staff.not_funded"));
    }
    if !PAYEE_KINDS.contains(&payee_kind) {
        return Err(invalid("payee_kind", "staff.payee_kind_invalid"));
    }
    let payee_name = normalize_persian(payee_name);
    if !(2..=120).contains(&payee_name.chars().count()) {
        return Err(invalid("payee_name", "staff.payee_name_invalid"));
    }
    let evidence = normalize_persian(evidence);
    if !(3..=120).contains(&evidence.chars().count()) {
        return Err(invalid("evidence", "staff.evidence_invalid"));
    }
    let payee = payee::ActiveModel {
        public_code: Set(crate::platform::public_code("Y", 8)),
        kind: Set(payee_kind.into()),
        name: Set(payee_name),
        province_id: Set(n.province_id),
        account_enc: Set(None),
        key_id: Set(state.sealer.key_id().into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    disburse(
        state,
        who,
        Disburse {
            target: FundTarget::Need(n.id),
            code: n.public_code.clone(),
            payee: Some(payee),
            purpose: n.category.clone(),
            reference: None,
            evidence,
        },
    )
    .await
}

/// Pays a need's disbursement out of its fund and marks the need purchased.
pub(super) async fn pay(
    txn: &DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    n: &need::Model,
) -> Result<(), AppError> {
    let now = pay_out(
        txn,
        who,
        d,
        Account::Need(n.id),
        "paid to the payee for a need",
        ("need", &n.public_code),
    )
    .await?;
    need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value(NeedStatus::Purchased))
        .col_expr(need::Column::PurchasedAt, Expr::value(now))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .exec(txn)
        .await?;
    Ok(())
}

pub(super) fn check_approvable(d: &disbursement::Model, who: &Authed) -> Result<(), AppError> {
    if d.status != DisbursementStatus::AwaitingApproval {
        return Err(invalid("status", "staff.not_awaiting_approval"));
    }
    if d.requested_by == Some(who.user_id) {
        return Err(invalid("approver", "staff.four_eyes"));
    }
    Ok(())
}

/// One person's part in a disbursement: `requested` or `approved`.
pub(super) async fn approval_row(
    txn: &DatabaseTransaction,
    d: &disbursement::Model,
    who: &Authed,
    decision: &str,
) -> Result<(), AppError> {
    disbursement_approval::ActiveModel {
        disbursement_id: Set(d.id),
        approver_id: Set(who.user_id),
        role: Set(who.role().as_str().into()),
        decision: Set(decision.into()),
        note: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The second pair of eyes on a large disbursement: a manager who did not request it.
pub async fn approve(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<FulfilOutcome, AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let d = disbursement::Entity::find()
        .filter(disbursement::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = FundTarget::of(d.need_id, d.campaign_id)
        .ok_or(AppError::NotFound)?
        .row(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(
        who,
        Permission::ApproveDisbursement,
        &code,
        target.province_id,
        None,
    )
    .await?;
    check_approvable(&d, who)?;
    let txn = audit::begin(&state.db).await?;
    approval_row(&txn, &d, who, "approved").await?;
    pay_target(&txn, who, &d).await?;
    txn.commit().await?;
    Ok(FulfilOutcome::Paid { disbursement: code })
}

/// Marks a purchased need delivered with a redacted impact update (the same privacy guard runs
/// over it) and tells the need's donors who left a contact, in one transaction.
pub async fn record_delivery(
    state: &AppState,
    who: &Authed,
    code: &str,
    update: &str,
) -> Result<DraftOutcome, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::Fulfil, code).await?;
    if n.status != NeedStatus::Purchased {
        return Err(invalid("status", "staff.not_purchased"));
    }
    let update = update.trim().to_string();
    if !(10..=1000).contains(&update.chars().count()) {
        return Err(invalid("update", "staff.update_length"));
    }
    let known = known_for(state, &f).await?;
    let findings = scan(&update, &known);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let res = need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value(NeedStatus::Delivered))
        .col_expr(need::Column::DeliveredAt, Expr::value(now))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .filter(need::Column::Status.eq(n.status))
        .filter(need::Column::DeliveredAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.not_purchased"));
    }
    let ucode = crate::platform::public_code("U", 8);
    impact_update::ActiveModel {
        public_code: Set(ucode.clone()),
        need_id: Set(Some(n.id)),
        campaign_id: Set(None),
        kind: Set("delivered".into()),
        body_public: Set(update.clone()),
        author_id: Set(Some(who.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let donors_told = crate::giving::settlement::queue_to_donors(
        state,
        &txn,
        crate::giving::service::Owner::Need,
        n.id,
        "need_delivered",
        serde_json::json!({ "update": update }),
    )
    .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "need.delivered",
            "need",
            &n.public_code,
            serde_json::json!({ "impact_update": ucode, "donors_told": donors_told }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved {
        code: n.public_code,
    })
}
