//! Monthly pledges: created with the first gift, active once it settles, cancelled in one click
//! from the receipt or the reminder (a link token, no account needed).

use super::gift::{Contact, ValidGift};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{Datelike, Months, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
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
    let backend = state.db.get_database_backend();
    let sql = "INSERT INTO pledges (public_code, donor_user_id, target_kind, need_id, campaign_id, category, amount_rials, day_of_month, status, cancel_token_hash, contact_enc, key_id, next_due_on, created_at) \
             VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id";
    let category = if gift.target_kind == "category_fund" {
        gift.target_code.clone().map(|c| c.to_lowercase())
    } else {
        None
    };
    let row = state
        .db
        .query_one_raw(crate::platform::db::stmt(
            backend,
            sql,
            [
                code.clone().into(),
                donor_user_id.into(),
                gift.target_kind.into(),
                category.into(),
                gift.amount_rials.into(),
                (today.day().min(28) as i32).into(),
                token_hash(state, &cancel_token(state, &code)).into(),
                state
                    .sealer
                    .seal("pledges.contact", Contact::value(contact))
                    .into(),
                state.sealer.key_id().to_string().into(),
                next_due(today).into(),
                Utc::now().into(),
            ],
        ))
        .await?
        .ok_or_else(|| AppError::internal("pledge", "no id returned"))?;
    Ok(row.try_get::<i64>("", "id")?)
}

pub async fn activate(db: &impl ConnectionTrait, pledge_id: i64) -> Result<(), AppError> {
    db.execute_raw(crate::platform::db::stmt(
        db.get_database_backend(),
        "UPDATE pledges SET status = 'active' WHERE id = ? AND status = 'pending'",
        [pledge_id.into()],
    ))
    .await?;
    Ok(())
}

/// Cancels the pledge a link token belongs to. Cancelling twice is fine.
pub async fn cancel(state: &AppState, public_code: &str, token: &str) -> Result<(), AppError> {
    if !crate::platform::tokens_match(&cancel_token(state, public_code), token) {
        return Err(AppError::NotFound);
    }
    let backend = state.db.get_database_backend();
    let r = state
        .db
        .execute_raw(crate::platform::db::stmt(
            backend,
            "UPDATE pledges SET status = 'cancelled', cancelled_at = ? WHERE public_code = ? AND status <> 'cancelled'",
            [Utc::now().into(), public_code.to_string().into()],
        ))
        .await?;
    tracing::info!(pledge = %public_code, changed = r.rows_affected(), "pledge cancelled");
    Ok(())
}

/// Queues this month's reminder for every active pledge that has fallen due and moves its due
/// date a month on. Each pledge is claimed by a conditional update on its due date, so several
/// instances (or a rerun) never remind twice. Returns how many reminders were queued.
pub async fn send_reminders(state: &AppState, today: NaiveDate) -> Result<usize, AppError> {
    use sea_orm::TransactionTrait;
    let db = &state.db;
    let backend = db.get_database_backend();
    let due = db
        .query_all_raw(crate::platform::db::stmt(
            backend,
            "SELECT id, public_code, target_kind, category, amount_rials, contact_enc, next_due_on FROM pledges \
             WHERE status = 'active' AND next_due_on <= ? ORDER BY id LIMIT 500",
            [today.into()],
        ))
        .await?;
    let mut sent = 0;
    for row in due {
        let id: i64 = row.try_get("", "id")?;
        let code: String = row.try_get("", "public_code")?;
        let category: Option<String> = row.try_get("", "category")?;
        let amount: i64 = row.try_get("", "amount_rials")?;
        let sealed: Option<Vec<u8>> = row.try_get("", "contact_enc")?;
        let was: NaiveDate = row.try_get("", "next_due_on")?;
        let Some(sealed) = sealed else { continue };
        let contact = state
            .sealer
            .open("pledges.contact", &sealed)
            .map_err(|e| AppError::internal("open pledge contact", e))?;
        let txn = db.begin().await?;
        let claimed = txn
            .execute_raw(crate::platform::db::stmt(
                backend,
                "UPDATE pledges SET next_due_on = ? WHERE id = ? AND next_due_on = ? AND status = 'active'",
                [next_due(was.max(today)).into(), id.into(), was.into()],
            ))
            .await?
            .rows_affected()
            == 1;
        if !claimed {
            txn.rollback().await?;
            continue;
        }
        let give = match category {
            Some(c) => format!("/give?category={c}"),
            None => "/give".to_string(),
        };
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
