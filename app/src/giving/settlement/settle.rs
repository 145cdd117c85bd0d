//! Settling a gift exactly once, and telling the donors of a target what became of it.

use super::*;

/// What a callback did (for logs and tests); the caller always shows the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// This call settled the gift.
    Now,
    /// The gift was already in a final state; nothing was posted.
    Already(String),
    /// Not paid (failed or cancelled).
    NotPaid,
    /// The gateway disagreed about the amount: flagged for finance staff.
    Flagged,
    /// The gateway could not be asked; the gift stays pending and will be verified later.
    Pending,
}

pub struct CallbackResult {
    pub tracking_code: String,
    pub outcome: Settled,
}

pub async fn find_by_authority(
    db: &DatabaseConnection,
    gateway: &str,
    authority: &str,
) -> Result<Option<donation::Model>, AppError> {
    if authority.is_empty() || authority.len() > 64 {
        return Ok(None);
    }
    Ok(donation::Entity::find()
        .filter(donation::Column::Gateway.eq(gateway))
        .filter(donation::Column::GatewayAuthority.eq(authority))
        .one(db)
        .await?)
}

/// States a gift can still leave: a browser said "not paid" (`cancelled`) or the gateway did
/// (`failed`) at one moment, but a payer can still pay that authority afterwards, so these are
/// asked about again and may still settle. `settled` and `flagged` are final.
pub const OPEN_STATES: [DonationStatus; 3] = [
    DonationStatus::Pending,
    DonationStatus::Cancelled,
    DonationStatus::Failed,
];

/// Handles a gateway's callback (or a reconciliation retry) for one authority.
///
/// The browser's word never changes a gift by itself: `Status=NOK` is a hint that comes through
/// the payer's browser and anyone can forge it, so the gateway is asked either way. Only its
/// answer moves the gift, and only a verified payment posts money.
pub async fn settle(
    state: &AppState,
    gateway_name: &str,
    authority: &str,
    status_ok: bool,
) -> Result<CallbackResult, AppError> {
    let db = &state.db;
    let d = find_by_authority(db, gateway_name, authority)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = |outcome| {
        Ok(CallbackResult {
            tracking_code: d.tracking_code.clone(),
            outcome,
        })
    };
    if !OPEN_STATES.contains(&d.status) {
        return done(Settled::Already(d.status.to_string()));
    }
    let gateway = state.gateways.get(gateway_name).ok_or_else(|| {
        AppError::internal("settle", format!("gateway {gateway_name} not configured"))
    })?;
    let verification = match gateway.verify(authority, d.amount_rials).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(tracking = %d.tracking_code, error = %e, "verify failed; gift left for the reconciler");
            crate::platform::metrics::gift("pending");
            return done(Settled::Pending);
        }
    };
    match verification {
        Verification::Paid { ref_id, fee_rials }
        | Verification::AlreadyVerified { ref_id, fee_rials } => {
            let outcome = settle_paid(state, &d, gateway_name, &ref_id, fee_rials).await?;
            if outcome == Settled::Now {
                crate::platform::metrics::gift("settled");
                crate::platform::metrics::gift_settled_after(
                    (Utc::now() - d.created_at).num_milliseconds() as f64 / 1000.0,
                );
            }
            done(outcome)
        }
        Verification::NotPaid { code, detail } => {
            // Not paid *now*: the browser said so (cancelled) or the bank refused (failed). Both
            // stay open; a later callback or the reconciler can still find it paid.
            let status = if status_ok {
                DonationStatus::Failed
            } else {
                DonationStatus::Cancelled
            };
            tracing::info!(tracking = %d.tracking_code, code, %detail, browser_ok = status_ok, "gift not paid");
            mark(db, d.id, &[DonationStatus::Pending], status).await?;
            crate::platform::metrics::gift("not_paid");
            done(Settled::NotPaid)
        }
        Verification::AmountMismatch { detail } => {
            let txn = db.begin().await?;
            if mark(&txn, d.id, &OPEN_STATES, DonationStatus::Flagged).await? {
                finance_flag::Entity::insert(finance_flag::ActiveModel {
                    kind: Set("amount_mismatch".into()),
                    donation_id: Set(Some(d.id)),
                    detail: Set(format!("{gateway_name} {authority}: {detail}")),
                    created_at: Set(Utc::now()),
                    resolved_at: Set(None),
                    resolved_by: Set(None),
                    ..Default::default()
                })
                .exec(&txn)
                .await?;
            }
            txn.commit().await?;
            tracing::error!(tracking = %d.tracking_code, %detail, "amount mismatch: flagged for finance");
            crate::platform::metrics::gift("flagged");
            done(Settled::Flagged)
        }
    }
}

/// Takes the target's lock as the transaction's first write; a gift to a fund has no target row,
/// so the donation row itself is the first write.
pub(super) async fn lock_target(
    txn: &DatabaseTransaction,
    d: &donation::Model,
) -> Result<(), AppError> {
    match FundTarget::of(d.need_id, d.campaign_id) {
        Some(t) => t.lock(txn, Utc::now()).await,
        None => {
            donation::Entity::update_many()
                .col_expr(
                    donation::Column::Status,
                    Expr::col(donation::Column::Status),
                )
                .filter(donation::Column::Id.eq(d.id))
                .exec(txn)
                .await?;
            Ok(())
        }
    }
}

pub(super) async fn settle_paid(
    state: &AppState,
    d: &donation::Model,
    gateway_name: &str,
    ref_id: &str,
    fee_rials: i64,
) -> Result<Settled, AppError> {
    let db = &state.db;
    let accts = GiftAccounts::of(db, d, gateway_name, fee_rials).await?;

    let txn = db.begin().await?;
    lock_target(&txn, d).await?;
    let won = donation::Entity::update_many()
        .col_expr(
            donation::Column::Status,
            Expr::value(DonationStatus::Settled),
        )
        .col_expr(donation::Column::GatewayRef, Expr::value(ref_id))
        .col_expr(donation::Column::SettledAt, Expr::value(Utc::now()))
        .filter(donation::Column::Id.eq(d.id))
        .filter(donation::Column::Status.is_in(OPEN_STATES))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        txn.rollback().await?;
        let now = donation::Entity::find_by_id(d.id)
            .one(db)
            .await?
            .map(|x| x.status.to_string())
            .unwrap_or_default();
        return Ok(Settled::Already(now));
    }

    let (allocated, room) = allocation(&txn, d, accts.target).await?;
    // A sponsor's match, up to what the target still lacks after the donor's own gift; the
    // offer is locked after the target (the one lock order of every gift).
    let drawn = match accts.target {
        Some(_) => crate::giving::matching_service::draw(&txn, d, room - allocated).await?,
        None => None,
    };
    let matched = drawn.as_ref().map_or(0, |m| m.rials);
    let newly_met = room > 0 && allocated + matched == room;
    let overflow = d.amount_rials - allocated;
    post_gift(&txn, d, &accts, allocated, fee_rials, drawn.as_ref()).await?;
    if overflow > 0 && accts.target.is_some() {
        donation::Entity::update_many()
            .col_expr(donation::Column::OverflowRials, Expr::value(overflow))
            .filter(donation::Column::Id.eq(d.id))
            .exec(&txn)
            .await?;
    }
    if let (true, Some(t)) = (newly_met, FundTarget::of(d.need_id, d.campaign_id)) {
        t.mark_funded(&txn, Utc::now()).await?;
    }
    if let Some(pid) = d.pledge_id {
        crate::giving::pledges::activate(&txn, pid).await?;
    }
    if let Some(sealed) = &d.contact_enc {
        queue(state, &txn, d, sealed, "receipt").await?;
    }
    txn.commit().await?;
    tracing::info!(tracking = %d.tracking_code, amount = d.amount_rials, allocated, overflow, matched, offer = drawn.map(|m| m.offer_id), "gift settled");
    Ok(Settled::Now)
}

/// The ledger accounts one gift touches.
struct GiftAccounts {
    gateway: i64,
    fee: Option<i64>,
    /// The need's or campaign's fund; none for a gift to a fund.
    target: Option<i64>,
    /// Where what the target cannot use goes, by the published rule (for a gift to a fund, the
    /// fund itself).
    overflow: i64,
}

impl GiftAccounts {
    /// Created outside the money transaction (idempotent, race-safe).
    async fn of(
        db: &DatabaseConnection,
        d: &donation::Model,
        gateway_name: &str,
        fee_rials: i64,
    ) -> Result<Self, AppError> {
        let category = || Account::Category(d.category.clone().unwrap_or_else(|| "food".into()));
        let target = FundTarget::of(d.need_id, d.campaign_id);
        let overflow = match (target, d.target_kind.as_str(), d.family_id) {
            (Some(FundTarget::Campaign(_)), _, _) => Account::Release,
            (Some(FundTarget::Need(_)), _, _) | (None, "category_fund", _) => category(),
            // A sponsor's month: the whole gift is the family's (its support fund).
            (None, "family", Some(family)) => Account::Family(family),
            (None, _, _) => Account::General,
        };
        let gateway = Account::Gateway(gateway_name.into());
        let target = target.map(|t| t.account());
        let mut wanted = vec![&gateway, &overflow];
        wanted.extend(target.as_ref());
        if fee_rials > 0 {
            wanted.push(&Account::GatewayFees);
        }
        // One read for all of them (the money path's statements are counted: issue 13).
        let ids = ledger::account_ids(db, &wanted).await?;
        let mut rest = ids[2..].iter().copied();
        Ok(GiftAccounts {
            gateway: ids[0],
            overflow: ids[1],
            target: target.as_ref().and_then(|_| rest.next()),
            fee: rest.next(),
        })
    }
}

/// How much of the gift the target takes and what it lacked before it (read under the lock;
/// nothing once it is no longer published).
async fn allocation(
    txn: &DatabaseTransaction,
    d: &donation::Model,
    target_acct: Option<i64>,
) -> Result<(i64, i64), AppError> {
    let (Some(t), Some(acct)) = (FundTarget::of(d.need_id, d.campaign_id), target_acct) else {
        return Ok((0, 0));
    };
    let room = t.lacks(txn, acct).await?;
    Ok((d.amount_rials.min(room), room))
}

/// The gift's one balanced ledger group: the gateway's clearing account to the target and the
/// overflow fund, the sponsor's match (owed by the sponsor) to the target, and the gateway's fee
/// as the association's expense.
async fn post_gift(
    txn: &DatabaseTransaction,
    d: &donation::Model,
    accts: &GiftAccounts,
    allocated: i64,
    fee_rials: i64,
    matched: Option<&crate::giving::matching_service::Drawn>,
) -> Result<(), AppError> {
    let overflow = d.amount_rials - allocated;
    let mut lines = vec![debit(accts.gateway, d.amount_rials)];
    let to_target = allocated + matched.map_or(0, |m| m.rials);
    if let Some(m) = matched {
        lines.push(debit(m.account, m.rials));
    }
    if to_target > 0 {
        lines.push(credit(
            accts.target.expect("allocated only with a target"),
            to_target,
        ));
    }
    if overflow > 0 {
        lines.push(credit(accts.overflow, overflow));
    }
    // The gateway keeps its fee: our clearing account will receive that much less, and the
    // association bears it as an expense; the donor's whole gift is allocated above.
    if let Some(fee_acct) = accts.fee {
        lines.push(debit(fee_acct, fee_rials));
        lines.push(credit(accts.gateway, fee_rials));
    }
    ledger::post(
        txn,
        Posting {
            kind: "gift",
            memo: if overflow > 0 && accts.target.is_some() {
                "gift received; overflow to the fund by the published rule"
            } else if matched.is_some() {
                "gift received, matched by its sponsor"
            } else {
                "gift received"
            },
            donation_id: Some(d.id),
            created_by: None,
        },
        &lines,
    )
    .await?;
    Ok(())
}

/// Puts a message about a gift (its receipt, news of what it funded) in the outbox, in the same
/// transaction as the event.
pub(super) async fn queue(
    state: &AppState,
    txn: &DatabaseTransaction,
    d: &donation::Model,
    sealed_contact: &[u8],
    template: &str,
) -> Result<(), AppError> {
    queue_with(
        state,
        txn,
        d,
        sealed_contact,
        template,
        serde_json::json!({}),
    )
    .await
}

/// Queues `template` to every donor of a need or campaign who left a contact, in the caller's
/// transaction; returns how many were told.
pub(crate) async fn queue_to_donors(
    state: &AppState,
    txn: &DatabaseTransaction,
    owner: crate::giving::service::Owner,
    id: i64,
    template: &str,
    extra: serde_json::Value,
) -> Result<usize, AppError> {
    let by = match owner {
        crate::giving::service::Owner::Need => donation::Column::NeedId.eq(id),
        crate::giving::service::Owner::Campaign => donation::Column::CampaignId.eq(id),
    };
    let donors = donation::Entity::find()
        .filter(by)
        .filter(donation::Column::Status.eq(DonationStatus::Settled))
        .filter(donation::Column::ContactEnc.is_not_null())
        .all(txn)
        .await?;
    for d in &donors {
        if let Some(sealed) = &d.contact_enc {
            queue_with(state, txn, d, sealed, template, extra.clone()).await?;
        }
    }
    Ok(donors.len())
}

/// [`queue`] with more fields in the message's payload.
pub(crate) async fn queue_with(
    state: &AppState,
    txn: &DatabaseTransaction,
    d: &donation::Model,
    sealed_contact: &[u8],
    template: &str,
    extra: serde_json::Value,
) -> Result<(), AppError> {
    let contact = state
        .sealer
        .open("donations.contact", sealed_contact)
        .map_err(|e| AppError::internal("open contact", e))?;
    crate::notify::enqueue(
        txn,
        &state.sealer,
        &contact,
        template,
        crate::i18n::Locale::Fa,
        {
            let mut payload = serde_json::json!({
                "tracking_code": d.tracking_code,
                "amount_rials": d.amount_rials,
                "url": signed_receipt_url(state, &d.tracking_code),
            });
            if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
                p.extend(e.clone());
            }
            payload
        },
    )
    .await
}
