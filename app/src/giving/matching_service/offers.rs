//! Staff and match offers: recording one (its sponsor's contact sealed), the second person's
//! approval, closing it early, and what the sponsor paid in; each change with its audit entry.

use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::platform::entity::province;

/// The form's offer, checked: who the sponsor is, a ratio of 1 or 2, a scope that exists (and,
/// for a province's or a campaign's, its province), a cap in tomans and an end date ahead.
struct Checked {
    sponsor_name: String,
    contact: Option<String>,
    ratio: i32,
    scope: MatchScope,
    scope_value: String,
    province_id: Option<i64>,
    cap_rials: i64,
    ends_on: NaiveDate,
}

async fn checked(
    db: &sea_orm::DatabaseConnection,
    form: &MatchOfferForm,
    day: NaiveDate,
) -> Result<Checked, AppError> {
    let sponsor_name = crate::validation::normalize_persian(form.sponsor_name.trim());
    if !SPONSOR_NAME_CHARS.contains(&sponsor_name.chars().count()) {
        return Err(invalid("sponsor_name", "match.bad_sponsor_name"));
    }
    let contact = match form.sponsor_contact.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            crate::giving::Contact::parse(c)
                .map_err(|k| invalid("sponsor_contact", k))?
                .value()
                .to_string(),
        ),
    };
    let ratio = crate::validation::latin_digits(form.ratio.trim())
        .parse::<i32>()
        .ok()
        .filter(|r| RATIOS.contains(r))
        .ok_or_else(|| invalid("ratio", "match.bad_ratio"))?;
    let scope =
        MatchScope::parse(form.scope.trim()).ok_or_else(|| invalid("scope", "match.bad_scope"))?;
    let value = form.scope_value(scope);
    let (scope_value, province_id) = match scope {
        MatchScope::Occasion => (
            crate::giving::OCCASION_KEYS
                .iter()
                .find(|k| **k == value)
                .ok_or_else(|| invalid("scope_value", "match.bad_scope_value"))?
                .to_string(),
            None,
        ),
        MatchScope::Category => (
            crate::giving::CATEGORIES
                .iter()
                .find(|k| **k == value)
                .ok_or_else(|| invalid("scope_value", "match.bad_scope_value"))?
                .to_string(),
            None,
        ),
        MatchScope::Province => {
            let p = province::Entity::find()
                .filter(province::Column::Code.eq(value.to_uppercase()))
                .one(db)
                .await?
                .ok_or_else(|| invalid("scope_value", "match.bad_scope_value"))?;
            (p.code, Some(p.id))
        }
        MatchScope::Campaign => {
            let code = crate::validation::public_code(value)
                .ok_or_else(|| invalid("scope_value", "match.bad_scope_value"))?;
            let c = release_campaign::Entity::find()
                .filter(release_campaign::Column::PublicCode.eq(&code))
                .filter(crate::giving::campaign_service::visible_campaign())
                .one(db)
                .await?
                .ok_or_else(|| invalid("scope_value", "match.bad_scope_value"))?;
            (c.public_code, Some(c.province_id))
        }
    };
    let cap_rials = crate::validation::toman_rials(&form.cap)
        .filter(|r| (1_000_000..=1_000_000_000_000).contains(r))
        .ok_or_else(|| invalid("cap", "match.bad_cap"))?;
    let ends_on = crate::validation::parse_date(&form.ends_on)
        .filter(|d| *d >= day && (*d - day).num_days() <= 366)
        .ok_or_else(|| invalid("ends_on", "match.bad_ends_on"))?;
    Ok(Checked {
        sponsor_name,
        contact,
        ratio,
        scope,
        scope_value,
        province_id,
        cap_rials,
        ends_on,
    })
}

/// Whether `who` may act on an offer of this province (none: a national offer, for national
/// staff only). Out of scope answers "not found".
async fn in_scope(
    who: &Authed,
    p: Permission,
    code: &str,
    province_id: Option<i64>,
) -> Result<(), AppError> {
    match province_id {
        Some(pid) => check_scope(who, p, code, pid, None).await,
        None if who.province_filter().is_none() => Ok(()),
        None => Err(invalid("scope", "match.scope_national")),
    }
}

/// Staff record a sponsor's offer; it waits for another staff member's approval.
pub async fn propose(
    state: &AppState,
    who: &Authed,
    form: &MatchOfferForm,
) -> Result<String, AppError> {
    if !Permission::Fulfil.allows(who.role()) {
        return Err(AppError::Forbidden);
    }
    let c = checked(&state.db, form, today()).await?;
    in_scope(who, Permission::Fulfil, "match offer", c.province_id).await?;
    let code = crate::platform::public_code("M", 8);
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    match_offer::Entity::insert(match_offer::ActiveModel {
        public_code: Set(code.clone()),
        sponsor_name: Set(c.sponsor_name.clone()),
        sponsor_contact_enc: Set(c
            .contact
            .as_ref()
            .map(|v| state.sealer.seal(SPONSOR_CONTACT, v))),
        key_id: Set(state.sealer.key_id().to_string()),
        ratio: Set(c.ratio),
        scope: Set(c.scope),
        scope_value: Set(c.scope_value.clone()),
        province_id: Set(c.province_id),
        cap_rials: Set(c.cap_rials),
        matched_rials: Set(0),
        received_rials: Set(0),
        ends_on: Set(c.ends_on),
        status: Set(MatchOfferStatus::Proposed),
        proposed_by: Set(who.user_id),
        decided_by: Set(None),
        created_at: Set(now),
        decided_at: Set(None),
        closed_at: Set(None),
        close_reason: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "match_offer.propose",
            "match_offer",
            &code,
            serde_json::json!({
                "ratio": c.ratio, "scope": c.scope.as_str(), "scope_value": c.scope_value,
                "cap_rials": c.cap_rials, "ends_on": c.ends_on.to_string(),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(offer = %code, by = who.user_id, "match offer proposed");
    Ok(code)
}

async fn by_code(
    db: &sea_orm::DatabaseConnection,
    code: &str,
) -> Result<match_offer::Model, AppError> {
    let code = crate::validation::public_code(code).ok_or(AppError::NotFound)?;
    match_offer::Entity::find()
        .filter(match_offer::Column::PublicCode.eq(code))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The offer with this code, for someone holding `p` in its scope (out of scope: not found).
async fn offer_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<match_offer::Model, AppError> {
    if !p.allows(who.role()) {
        return Err(AppError::Forbidden);
    }
    let o = by_code(&state.db, code).await?;
    in_scope(who, p, &o.public_code, o.province_id).await?;
    Ok(o)
}

/// One offer moved from `from` to `to`, with its audit entry, in one transaction; refused with
/// `match.not_pending`/`match.not_active` when another person moved it first.
async fn transition(
    state: &AppState,
    who: &Authed,
    o: &match_offer::Model,
    from: MatchOfferStatus,
    to: MatchOfferStatus,
    action: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let mut up = match_offer::Entity::update_many()
        .col_expr(match_offer::Column::Status, Expr::value(to))
        .col_expr(match_offer::Column::UpdatedAt, Expr::value(now))
        .filter(match_offer::Column::Id.eq(o.id))
        .filter(match_offer::Column::Status.eq(from));
    if from == MatchOfferStatus::Proposed {
        up = up
            .col_expr(match_offer::Column::DecidedBy, Expr::value(who.user_id))
            .col_expr(match_offer::Column::DecidedAt, Expr::value(now));
    }
    if to == MatchOfferStatus::Closed {
        up = up
            .col_expr(match_offer::Column::ClosedAt, Expr::value(now))
            .col_expr(
                match_offer::Column::CloseReason,
                Expr::value("closed_by_staff"),
            );
    }
    if up.exec(&txn).await?.rows_affected != 1 {
        txn.rollback().await?;
        return Err(invalid(
            "status",
            if from == MatchOfferStatus::Proposed {
                "match.not_pending"
            } else {
                "match.not_active"
            },
        ));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            action,
            "match_offer",
            &o.public_code,
            serde_json::json!({ "status": to.as_str() }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(offer = %o.public_code, action, by = who.user_id, "match offer moved");
    Ok(())
}

/// The second pair of eyes: a manager who did not record the offer approves or rejects it.
pub async fn decide(
    state: &AppState,
    who: &Authed,
    code: &str,
    approve: bool,
) -> Result<(), AppError> {
    let o = offer_in_scope(state, who, Permission::ApproveDisbursement, code).await?;
    if o.proposed_by == who.user_id {
        return Err(invalid("approver", "staff.four_eyes"));
    }
    if approve && o.ends_on < today() {
        return Err(invalid("ends_on", "match.bad_ends_on"));
    }
    let (to, action) = if approve {
        (MatchOfferStatus::Active, "match_offer.approve")
    } else {
        (MatchOfferStatus::Rejected, "match_offer.reject")
    };
    transition(state, who, &o, MatchOfferStatus::Proposed, to, action).await
}

/// Closes an active offer early (the sponsor withdrew it): what it matched stays matched.
pub async fn close(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let o = offer_in_scope(state, who, Permission::ApproveDisbursement, code).await?;
    transition(
        state,
        who,
        &o,
        MatchOfferStatus::Active,
        MatchOfferStatus::Closed,
        "match_offer.close",
    )
    .await
}

/// Finance records what the sponsor paid in: the bank against the sponsor's receivable, in one
/// ledger group with the offer's running figure and the audit entry. Never more than the
/// matches still unpaid (so a promise never becomes money before a gift draws on it).
pub async fn record_payment(
    state: &AppState,
    who: &Authed,
    code: &str,
    amount: &str,
) -> Result<(), AppError> {
    let o = offer_in_scope(state, who, Permission::Fulfil, code).await?;
    let rials = crate::validation::toman_rials(amount)
        .ok_or_else(|| invalid("amount", "validation.amount"))?;
    let accounts =
        ledger::account_ids(&state.db, &[&Account::Bank, &Account::MatchPledge(o.id)]).await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    // Conditional on what is still owed, so two clerks recording the same transfer cannot both
    // pass the check.
    let moved = match_offer::Entity::update_many()
        .col_expr(
            match_offer::Column::ReceivedRials,
            sea_orm::ExprTrait::add(Expr::col(match_offer::Column::ReceivedRials), rials),
        )
        .col_expr(match_offer::Column::UpdatedAt, Expr::value(now))
        .filter(match_offer::Column::Id.eq(o.id))
        .filter(sea_orm::ExprTrait::lte(
            sea_orm::ExprTrait::add(Expr::col(match_offer::Column::ReceivedRials), rials),
            Expr::col(match_offer::Column::MatchedRials),
        ))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !moved {
        txn.rollback().await?;
        return Err(invalid("amount", "match.payment_too_much"));
    }
    ledger::post(
        &txn,
        Posting {
            kind: "match_payment",
            memo: "match sponsor paid in",
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[debit(accounts[0], rials), credit(accounts[1], rials)],
    )
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "match_offer.payment",
            "match_offer",
            &o.public_code,
            serde_json::json!({ "rials": rials }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(offer = %o.public_code, rials, by = who.user_id, "match sponsor payment recorded");
    Ok(())
}

/// The offers in this person's scope (national offers for national staff), newest first.
pub async fn listed(state: &AppState, who: &Authed) -> Result<Vec<MatchOfferRow>, AppError> {
    let mut q = match_offer::Entity::find().order_by_desc(match_offer::Column::Id);
    if let Some(provinces) = who.province_filter() {
        q = q.filter(match_offer::Column::ProvinceId.is_in(provinces));
    }
    let day = today();
    let mut out = Vec::new();
    for o in q.all(&state.db).await? {
        let gifts = donation::Entity::find()
            .filter(donation::Column::MatchOfferId.eq(o.id))
            .count(&state.db)
            .await? as i64;
        let sponsor_contact = match &o.sponsor_contact_enc {
            Some(sealed) => Some(
                state
                    .sealer
                    .open(SPONSOR_CONTACT, sealed)
                    .map_err(|e| AppError::internal("open sponsor contact", e))?,
            ),
            None => None,
        };
        out.push(MatchOfferRow {
            ended: o.status == MatchOfferStatus::Active && o.ends_on < day,
            mine: o.proposed_by == who.user_id,
            code: o.public_code,
            sponsor_name: o.sponsor_name,
            sponsor_contact,
            ratio: o.ratio,
            scope: o.scope,
            scope_value: o.scope_value,
            cap_rials: o.cap_rials,
            matched_rials: o.matched_rials,
            received_rials: o.received_rials,
            ends_on: o.ends_on,
            status: o.status,
            close_reason: o.close_reason,
            gifts,
        });
    }
    Ok(out)
}
