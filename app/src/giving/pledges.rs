//! Monthly pledges: created with the first gift, active once it settles, cancelled in one click
//! from the receipt or the reminder (a link token, no account needed). A sponsorship is a pledge
//! to one family (`family_id`): starting and ending it moves the family's sponsor count in the
//! same transaction (`giving::sponsorship`).

use super::gift::{Contact, ValidGift};
use crate::error::AppError;
use crate::platform::entity::status::{PledgeStatus, SponsorshipEnd};
use crate::platform::entity::{family, pledge};
use crate::state::AppState;
use chrono::{Datelike, Months, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::TransactionTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use sha2::{Digest, Sha256};

/// The next due date a month after `from`, on the same day (clamped to the month's length).
pub fn next_due(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(1)).unwrap_or(from)
}

fn token_hash(state: &AppState, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(state.config.secret_key.as_bytes());
    h.update(b"pledge-cancel:");
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

/// The cancel token is derived from the pledge's public code, so the receipt can show the link
/// again without storing the token itself.
pub fn cancel_token(state: &AppState, public_code: &str) -> String {
    let mut h = Sha256::new();
    h.update(state.config.secret_key.as_bytes());
    h.update(b"pledge-token:");
    h.update(public_code.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A sponsorship of `months` from `today`: the due date of its last month.
pub fn last_month(today: NaiveDate, months: Option<u32>) -> Option<NaiveDate> {
    months
        .filter(|m| *m > 0)
        .and_then(|m| today.checked_add_months(Months::new(m - 1)))
}

pub async fn create(
    state: &AppState,
    gift: &ValidGift,
    donor_user_id: Option<i64>,
    family_id: Option<i64>,
) -> Result<i64, AppError> {
    let contact = gift
        .contact
        .as_ref()
        .ok_or_else(|| AppError::invalid("contact", "give.monthly_needs_contact"))?;
    let code = crate::platform::public_code("M", 10);
    let today = Utc::now().date_naive();
    let category = match gift.target_kind {
        "category_fund" => gift.target_code.clone().map(|c| c.to_lowercase()),
        _ => None,
    };
    let row = pledge::ActiveModel {
        public_code: Set(code.clone()),
        donor_user_id: Set(donor_user_id),
        target_kind: Set(gift.target_kind.to_string()),
        need_id: Set(None),
        campaign_id: Set(None),
        category: Set(category),
        amount_rials: Set(gift.amount_rials),
        day_of_month: Set(today.day().min(28) as i32),
        status: Set(PledgeStatus::Pending),
        cancel_token_hash: Set(token_hash(state, &cancel_token(state, &code))),
        contact_enc: Set(Some(
            state
                .sealer
                .seal("pledges.contact", Contact::value(contact)),
        )),
        key_id: Set(state.sealer.key_id().to_string()),
        next_due_on: Set(next_due(today)),
        created_at: Set(Utc::now()),
        cancelled_at: Set(None),
        intention: Set(gift.intention),
        family_id: Set(family_id),
        ends_on: Set(last_month(today, gift.months)),
        end_reason: Set(None),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok(row.id)
}

/// A sponsorship's family, as a subquery (no row for another pledge, so nothing moves).
fn family_of(pledge_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(pledge::Column::FamilyId)
        .from(pledge::Entity)
        .and_where(pledge::Column::Id.eq(pledge_id))
        .to_owned()
}

/// Moves a sponsored family's count of sponsors by `by` (none for another pledge).
async fn count_sponsor(db: &impl ConnectionTrait, pledge_id: i64, by: i32) -> Result<(), AppError> {
    use sea_orm::sea_query::ExprTrait;
    family::Entity::update_many()
        .col_expr(
            family::Column::Sponsors,
            Expr::col(family::Column::Sponsors).add(by),
        )
        .filter(family::Column::Id.in_subquery(family_of(pledge_id)))
        .exec(db)
        .await?;
    Ok(())
}

/// Pending → active when its first gift settles; a sponsorship now counts for its family.
pub async fn activate(db: &impl ConnectionTrait, pledge_id: i64) -> Result<(), AppError> {
    let moved = pledge::Entity::update_many()
        .col_expr(pledge::Column::Status, Expr::value(PledgeStatus::Active))
        .filter(pledge::Column::Id.eq(pledge_id))
        .filter(pledge::Column::Status.eq(PledgeStatus::Pending))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if moved {
        count_sponsor(db, pledge_id, 1).await?;
    }
    Ok(())
}

/// Ends a pledge for `reason` (exactly once: false when it had already ended). An active
/// sponsorship stops counting for its family in the same transaction.
pub async fn end(
    db: &impl ConnectionTrait,
    pledge_id: i64,
    reason: SponsorshipEnd,
) -> Result<bool, AppError> {
    let now = Utc::now();
    for from in [PledgeStatus::Active, PledgeStatus::Pending] {
        let moved = pledge::Entity::update_many()
            .col_expr(pledge::Column::Status, Expr::value(PledgeStatus::Cancelled))
            .col_expr(pledge::Column::CancelledAt, Expr::value(now))
            .col_expr(pledge::Column::EndReason, Expr::value(reason))
            .filter(pledge::Column::Id.eq(pledge_id))
            .filter(pledge::Column::Status.eq(from))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if moved {
            if from == PledgeStatus::Active {
                count_sponsor(db, pledge_id, -1).await?;
            }
            return Ok(true);
        }
    }
    Ok(false)
}

/// The pledge a link token opens (a receipt's, a reminder's): not found for a wrong token.
pub async fn by_token(
    state: &AppState,
    public_code: &str,
    token: &str,
) -> Result<pledge::Model, AppError> {
    if public_code.len() > 20
        || !crate::platform::tokens_match(&cancel_token(state, public_code), token)
    {
        return Err(AppError::NotFound);
    }
    pledge::Entity::find()
        .filter(pledge::Column::PublicCode.eq(public_code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The contact a pledge's reminders (and a sponsorship's reports) go to, opened from its seal.
pub fn contact_of(state: &AppState, p: &pledge::Model) -> Result<Option<String>, AppError> {
    p.contact_enc
        .as_ref()
        .map(|sealed| {
            state
                .sealer
                .open("pledges.contact", sealed)
                .map_err(|e| AppError::internal("open pledge contact", e))
        })
        .transpose()
}

/// Cancels the pledge a link token belongs to. Cancelling twice is fine.
pub async fn cancel(state: &AppState, public_code: &str, token: &str) -> Result<(), AppError> {
    stopped_by_donor(state, &by_token(state, public_code, token).await?).await
}

/// The donor ends a pledge already opened by its token (a sponsorship's "stop" too).
pub async fn stopped_by_donor(state: &AppState, p: &pledge::Model) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    let changed = end(&txn, p.id, SponsorshipEnd::Donor).await?;
    txn.commit().await?;
    tracing::info!(pledge = %p.public_code, changed, family = ?p.family_id, "pledge cancelled by its donor");
    Ok(())
}

/// Queues this month's reminder for every active pledge that has fallen due and moves its due
/// date a month on. Each pledge is claimed by a conditional update on its due date, so several
/// instances (or a rerun) never remind twice. Returns how many reminders were queued.
pub async fn send_reminders(state: &AppState, today: NaiveDate) -> Result<usize, AppError> {
    let db = &state.db;
    let due = pledge::Entity::find()
        .filter(pledge::Column::Status.eq(PledgeStatus::Active))
        .filter(pledge::Column::NextDueOn.lte(today))
        .order_by_asc(pledge::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let mut sent = 0;
    for p in due {
        let Some(contact) = contact_of(state, &p)? else {
            continue;
        };
        let txn = db.begin().await?;
        // A sponsorship whose last month has passed ends instead (its sponsor is thanked).
        if p.ends_on.is_some_and(|last| p.next_due_on > last) {
            if end(&txn, p.id, SponsorshipEnd::Completed).await? {
                crate::giving::sponsorship_service::tell_ended(
                    state,
                    &txn,
                    &p,
                    &contact,
                    SponsorshipEnd::Completed,
                )
                .await?;
            }
            txn.commit().await?;
            continue;
        }
        // Moving the due date is the claim: another instance (or a rerun) finds it moved.
        let claimed = pledge::Entity::update_many()
            .col_expr(
                pledge::Column::NextDueOn,
                Expr::value(next_due(p.next_due_on.max(today))),
            )
            .filter(pledge::Column::Id.eq(p.id))
            .filter(pledge::Column::NextDueOn.eq(p.next_due_on))
            .filter(pledge::Column::Status.eq(PledgeStatus::Active))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            txn.rollback().await?;
            continue;
        }
        let (template, payload) = reminder(state, &p);
        crate::notify::enqueue(
            &txn,
            &state.sealer,
            &contact,
            template,
            crate::i18n::Locale::Fa,
            payload,
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// This month's reminder: a sponsorship's page (pay or stop there), or the gift form opened as
/// the first gift was given, its intention chosen, with the one-click cancel link.
fn reminder(state: &AppState, p: &pledge::Model) -> (&'static str, serde_json::Value) {
    let code = &p.public_code;
    let token = cancel_token(state, code);
    if p.family_id.is_some() {
        return (
            "sponsor_reminder",
            serde_json::json!({
                "pledge": code,
                "amount_rials": p.amount_rials,
                "url": crate::giving::sponsorship_url(code, &token),
            }),
        );
    }
    let mut give = match &p.category {
        Some(c) => format!("/give?category={c}"),
        None => "/give".to_string(),
    };
    if let Some(i) = p.intention {
        give.push(if give.contains('?') { '&' } else { '?' });
        give.push_str(&format!("intention={i}"));
    }
    (
        "pledge_reminder",
        serde_json::json!({
            "pledge": code,
            "amount_rials": p.amount_rials,
            "url": give,
            "cancel_url": format!("/pledge/cancel?code={code}&token={token}"),
        }),
    )
}
