//! Monthly pledges: created with the first gift, active once it settles, cancelled in one click
//! from the receipt or the reminder (a link token, no account needed).

use super::gift::{Contact, ValidGift};
use crate::error::AppError;
use crate::platform::entity::pledge;
use crate::platform::entity::status::PledgeStatus;
use crate::state::AppState;
use chrono::{Datelike, Months, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
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

pub async fn create(
    state: &AppState,
    gift: &ValidGift,
    donor_user_id: Option<i64>,
) -> Result<i64, AppError> {
    let contact = gift
        .contact
        .as_ref()
        .ok_or_else(|| AppError::invalid("contact", "give.monthly_needs_contact"))?;
    let code = crate::platform::public_code("M", 10);
    let today = Utc::now().date_naive();
    let category = if gift.target_kind == "category_fund" {
        gift.target_code.clone().map(|c| c.to_lowercase())
    } else {
        None
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
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok(row.id)
}

pub async fn activate(db: &impl ConnectionTrait, pledge_id: i64) -> Result<(), AppError> {
    pledge::Entity::update_many()
        .col_expr(pledge::Column::Status, Expr::value(PledgeStatus::Active))
        .filter(pledge::Column::Id.eq(pledge_id))
        .filter(pledge::Column::Status.eq(PledgeStatus::Pending))
        .exec(db)
        .await?;
    Ok(())
}

/// Cancels the pledge a link token belongs to. Cancelling twice is fine.
pub async fn cancel(state: &AppState, public_code: &str, token: &str) -> Result<(), AppError> {
    if !crate::platform::tokens_match(&cancel_token(state, public_code), token) {
        return Err(AppError::NotFound);
    }
    let r = pledge::Entity::update_many()
        .col_expr(pledge::Column::Status, Expr::value(PledgeStatus::Cancelled))
        .col_expr(pledge::Column::CancelledAt, Expr::value(Utc::now()))
        .filter(pledge::Column::PublicCode.eq(public_code))
        .filter(pledge::Column::Status.ne(PledgeStatus::Cancelled))
        .exec(&state.db)
        .await?;
    tracing::info!(pledge = %public_code, changed = r.rows_affected, "pledge cancelled");
    Ok(())
}

/// Queues this month's reminder for every active pledge that has fallen due and moves its due
/// date a month on. Each pledge is claimed by a conditional update on its due date, so several
/// instances (or a rerun) never remind twice. Returns how many reminders were queued.
pub async fn send_reminders(state: &AppState, today: NaiveDate) -> Result<usize, AppError> {
    use sea_orm::TransactionTrait;
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
        let (id, code, category, amount, was, intention) = (
            p.id,
            p.public_code,
            p.category,
            p.amount_rials,
            p.next_due_on,
            p.intention,
        );
        let Some(sealed) = p.contact_enc else {
            continue;
        };
        let contact = state
            .sealer
            .open("pledges.contact", &sealed)
            .map_err(|e| AppError::internal("open pledge contact", e))?;
        let txn = db.begin().await?;
        // Moving the due date is the claim: another instance (or a rerun) finds it moved.
        let claimed = pledge::Entity::update_many()
            .col_expr(
                pledge::Column::NextDueOn,
                Expr::value(next_due(was.max(today))),
            )
            .filter(pledge::Column::Id.eq(id))
            .filter(pledge::Column::NextDueOn.eq(was))
            .filter(pledge::Column::Status.eq(PledgeStatus::Active))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            txn.rollback().await?;
            continue;
        }
        // The form opens as the first gift was given, its intention chosen.
        let mut give = match category {
            Some(c) => format!("/give?category={c}"),
            None => "/give".to_string(),
        };
        if let Some(i) = intention {
            give.push(if give.contains('?') { '&' } else { '?' });
            give.push_str(&format!("intention={i}"));
        }
        crate::notify::enqueue(
            &txn,
            &state.sealer,
            &contact,
            "pledge_reminder",
            crate::i18n::Locale::Fa,
            serde_json::json!({
                "pledge": code,
                "amount_rials": amount,
                "url": give,
                "cancel_url": format!("/pledge/cancel?code={code}&token={}", cancel_token(state, &code)),
            }),
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
