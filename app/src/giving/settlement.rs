//! Starting a gift and settling it exactly once.
//!
//! * `start` records a pending donation under the form's idempotency key (one per rendering of
//!   the form: a double submit starts one gift), asks the gateway for an authority and returns the
//!   gateway's page.
//! * `settle` runs when the gateway sends the payer back. It asks the gateway itself whether the
//!   authority was paid for the recorded amount, then, in one database transaction, moves the
//!   donation from `pending` to `settled` with a conditional update (only one caller can win it),
//!   allocates the money to the target up to what it still needs, sends the rest to the published
//!   overflow fund, and posts one balanced ledger transaction. Replayed and concurrent callbacks
//!   all return the same receipt and post nothing more.
//!
//! Locking: the transaction's first statement writes the target's row. On SQLite that takes the
//! database's write lock before anything is read (no stale snapshot, and the busy timeout waits
//! instead of failing); on PostgreSQL it is a row lock that serialises gifts to one target.

use super::gift::*;
use super::CATEGORIES;
use crate::error::AppError;
use crate::ledger::{self, credit, debit, Account, Posting};
use crate::payments::{PaymentRequest, Verification};
use crate::platform::entity::{donation, finance_flag, need, release_campaign};
use crate::platform::AppState;
use chrono::Utc;
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use sha2::Sha256;

// ---------------------------------------------------------------- request helpers

async fn parts() -> Option<http::request::Parts> {
    leptos_axum::extract::<http::request::Parts>().await.ok()
}

/// A form posted by a browser without our script (it asks for HTML back).
pub async fn is_plain_form_post() -> bool {
    parts().await.is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// `scheme://host[:port]` that browsers use to reach us: always the configured public origin
/// (development defaults it to the listening address). The request's `Host` and forwarded headers
/// never decide where the bank sends a payer back.
pub fn public_origin(state: &AppState) -> Result<String, AppError> {
    let o = state.config.public_origin.trim_end_matches('/');
    if o.is_empty() {
        return Err(AppError::internal(
            "origin",
            "KARAMAT_PUBLIC_ORIGIN is not set",
        ));
    }
    Ok(o.to_string())
}

/// Without our script a failed form post would land back on the page with no message. This
/// sends the browser back to the page it came from with the error (and the typed amount) in the
/// query, where the page shows it.
/// Returns whether it redirected.
pub async fn back_with_error(e: &AppError, form: &GiftForm) -> bool {
    let Some(p) = parts().await else { return false };
    let Some(referer) = p
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    // Only a path on this site, never an absolute URL elsewhere.
    let after_scheme = referer.split_once("://").map(|(_, r)| r).unwrap_or(referer);
    let path_and_query = match after_scheme.find('/') {
        Some(i) => &after_scheme[i..],
        None => "/",
    };
    if path_and_query.starts_with("//") {
        return false;
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|kv| {
            !kv.is_empty()
                && !["error=", "field=", "custom="]
                    .iter()
                    .any(|p| kv.starts_with(p))
        })
        .map(str::to_string)
        .collect();
    pairs.push(format!("error={}", e.message_key()));
    if let AppError::Invalid { field, .. } = e {
        pairs.push(format!("field={}", super::encode_query_value(field)));
    }
    if let Some(c) = form
        .custom
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() < 30)
    {
        pairs.push(format!("custom={}", super::encode_query_value(c)));
    }
    leptos_axum::redirect(&format!("{path}?{}", pairs.join("&")));
    true
}

// ---------------------------------------------------------------- codes and tokens

fn attempt_key() -> String {
    let mut rng = rand::thread_rng();
    (0..24)
        .map(|_| {
            let i = rng.gen_range(0..36u8);
            char::from(if i < 10 { b'0' + i } else { b'a' + i - 10 })
        })
        .collect()
}

/// A 12-digit tracking code (کد پیگیری), never starting with 0.
fn tracking_code() -> String {
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(12);
    s.push(char::from(b'1' + rng.gen_range(0..9u8)));
    for _ in 0..11 {
        s.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    s
}

/// The token in a receipt's link: a keyed hash of its tracking code.
pub fn receipt_token(state: &AppState, tracking_code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(state.config.secret_key.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(b"receipt:");
    mac.update(tracking_code.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..12])
}

// ---------------------------------------------------------------- targets

/// A target that can take a gift now.
enum Target {
    Need(need::Model),
    Campaign(release_campaign::Model),
    Category(&'static str),
    Urgent,
}

async fn find_need(db: &DatabaseConnection, code: &str) -> Result<Option<need::Model>, AppError> {
    Ok(need::Entity::find()
        .filter(need::Column::PublicCode.eq(code))
        .filter(super::service::visible_need())
        .one(db)
        .await?)
}

async fn find_campaign(
    db: &DatabaseConnection,
    code: &str,
) -> Result<Option<release_campaign::Model>, AppError> {
    Ok(release_campaign::Entity::find()
        .filter(release_campaign::Column::PublicCode.eq(code))
        .filter(super::campaign_service::visible_campaign())
        .one(db)
        .await?)
}

async fn open_target(
    db: &DatabaseConnection,
    kind: &str,
    code: Option<&str>,
) -> Result<Target, AppError> {
    let code = code.map(|c| crate::validation::latin_digits(c.trim()).to_uppercase());
    match (kind, code.as_deref()) {
        ("need", Some(c)) => match find_need(db, c).await? {
            Some(n) if n.status == "published" => Ok(Target::Need(n)),
            Some(_) => Err(AppError::invalid("target", "give.need_closed")),
            None => Err(AppError::NotFound),
        },
        ("campaign", Some(c)) => match find_campaign(db, c).await? {
            Some(k) if k.status == "published" && super::is_eligible(&k.eligibility) => {
                Ok(Target::Campaign(k))
            }
            Some(_) => Err(AppError::invalid("target", "give.campaign_closed")),
            None => Err(AppError::NotFound),
        },
        ("category_fund", Some(c)) => CATEGORIES
            .iter()
            .find(|x| x.eq_ignore_ascii_case(c))
            .map(|x| Target::Category(x))
            .ok_or(AppError::NotFound),
        ("urgent", _) => Ok(Target::Urgent),
        _ => Err(AppError::invalid("target", "give.bad_target")),
    }
}

async fn held(db: &impl ConnectionTrait, account: &Account) -> Result<i64, AppError> {
    let id = ledger::account_id(db, account).await?;
    ledger::fund_balance(db, id).await
}

pub async fn target_for_form(
    state: &AppState,
    kind: &str,
    code: Option<&str>,
) -> Result<GiftTarget, AppError> {
    let db = &state.db;
    let target = open_target(db, kind, code).await?;
    let test_bank = state.gateways.active().is_test();
    let attempt = attempt_key();
    Ok(match target {
        Target::Need(n) => {
            let raised = held(db, &Account::Need(n.id)).await?;
            GiftTarget {
                kind: "need".into(),
                code: Some(n.public_code),
                title: n.public_title,
                category: Some(n.category),
                goal_rials: Some(n.goal_rials),
                remaining_rials: Some((n.goal_rials - raised).max(0)),
                attempt,
                test_bank,
            }
        }
        Target::Campaign(c) => {
            let to_raise = c.total_owed_rials - c.forgiveness_rials;
            let raised = held(db, &Account::Campaign(c.id)).await?;
            GiftTarget {
                kind: "campaign".into(),
                code: Some(c.public_code),
                title: c.public_title,
                category: Some(c.offence_category),
                goal_rials: Some(to_raise),
                remaining_rials: Some((to_raise - raised).max(0)),
                attempt,
                test_bank,
            }
        }
        Target::Category(c) => GiftTarget {
            kind: "category_fund".into(),
            code: Some(c.to_string()),
            title: String::new(),
            category: Some(c.to_string()),
            goal_rials: None,
            remaining_rials: None,
            attempt,
            test_bank,
        },
        Target::Urgent => GiftTarget {
            kind: "urgent".into(),
            code: None,
            title: String::new(),
            category: None,
            goal_rials: None,
            remaining_rials: None,
            attempt,
            test_bank,
        },
    })
}

// ---------------------------------------------------------------- start

/// What the bank's payment page shows the payer: in Persian, as every Iranian gateway's page is.
fn description(kind: &str) -> &'static str {
    match kind {
        "need" => "کرامت: کمک به نیاز یک خانواده",
        "campaign" => "کرامت: کمک به پویش آزادی",
        _ => "کرامت: کمک به صندوق حمایت",
    }
}

/// Records the gift as pending and returns where to send the giver (the gateway's page).
pub async fn start(
    state: &AppState,
    gift: &ValidGift,
    donor_user_id: Option<i64>,
    origin: &str,
) -> Result<String, AppError> {
    let db = &state.db;
    // The same form submitted again: the same gift.
    if let Some(existing) = donation::Entity::find()
        .filter(donation::Column::IdempotencyKey.eq(&gift.attempt))
        .one(db)
        .await?
    {
        return Ok(match (&existing.status[..], &existing.gateway_authority) {
            ("pending", Some(authority)) => state
                .gateways
                .get(&existing.gateway)
                .filter(|g| g.name() == crate::payments::sandbox::NAME)
                .map(|_| format!("{}{authority}", crate::payments::sandbox::PAGE_PREFIX))
                .unwrap_or_else(|| {
                    receipt_url(
                        &existing.tracking_code,
                        &receipt_token(state, &existing.tracking_code),
                    )
                }),
            _ => receipt_url(
                &existing.tracking_code,
                &receipt_token(state, &existing.tracking_code),
            ),
        });
    }
    let target = open_target(db, gift.target_kind, gift.target_code.as_deref()).await?;
    let gateway = state.gateways.active();
    let (need_id, campaign_id, category) = match &target {
        Target::Need(n) => (Some(n.id), None, Some(n.category.clone())),
        Target::Campaign(c) => (None, Some(c.id), None),
        Target::Category(c) => (None, None, Some(c.to_string())),
        Target::Urgent => (None, None, None),
    };
    let sealer = &state.sealer;
    let pledge_id = if gift.monthly {
        Some(super::pledges::create(state, gift, donor_user_id).await?)
    } else {
        None
    };
    let mut inserted = None;
    for _ in 0..4 {
        let code = tracking_code();
        let row = donation::ActiveModel {
            tracking_code: Set(code.clone()),
            target_kind: Set(gift.target_kind.into()),
            need_id: Set(need_id),
            campaign_id: Set(campaign_id),
            category: Set(category.clone()),
            amount_rials: Set(gift.amount_rials),
            overflow_rials: Set(0),
            anonymous: Set(gift.display_name.is_none()),
            display_name: Set(gift.display_name.clone()),
            dedication_kind: Set(gift.dedication.as_ref().map(|d| d.0.to_string())),
            dedication_text: Set(gift.dedication.as_ref().map(|d| d.1.clone())),
            contact_enc: Set(gift
                .contact
                .as_ref()
                .map(|c| sealer.seal("donations.contact", c.value()))),
            contact_hint: Set(gift.contact.as_ref().map(Contact::hint)),
            key_id: Set(sealer.key_id().to_string()),
            donor_user_id: Set(donor_user_id),
            pledge_id: Set(pledge_id),
            status: Set("pending".into()),
            gateway: Set(gateway.name().into()),
            gateway_authority: Set(None),
            gateway_ref: Set(None),
            idempotency_key: Set(gift.attempt.clone()),
            created_at: Set(Utc::now()),
            settled_at: Set(None),
            ..Default::default()
        };
        match donation::Entity::insert(row).exec(db).await {
            Ok(r) => {
                inserted = Some((r.last_insert_id, code));
                break;
            }
            Err(e) => {
                // A concurrent double submit of the same form won the idempotency key.
                if let Some(existing) = donation::Entity::find()
                    .filter(donation::Column::IdempotencyKey.eq(&gift.attempt))
                    .one(db)
                    .await?
                {
                    return Ok(receipt_url(
                        &existing.tracking_code,
                        &receipt_token(state, &existing.tracking_code),
                    ));
                }
                tracing::warn!(error = %e, "donation insert failed; retrying with a new tracking code");
            }
        }
    }
    let (donation_id, code) =
        inserted.ok_or_else(|| AppError::internal("donation", "no free tracking code"))?;
    let callback_url = format!("{origin}/give/callback/{}", gateway.name());
    let req = PaymentRequest {
        amount_rials: gift.amount_rials,
        callback_url,
        description: description(gift.target_kind).into(),
        mobile: match &gift.contact {
            Some(Contact::Mobile(m)) => Some(m.clone()),
            _ => None,
        },
        email: match &gift.contact {
            Some(Contact::Email(e)) => Some(e.clone()),
            _ => None,
        },
    };
    match gateway.request(&req).await {
        Ok(started) => {
            donation::Entity::update_many()
                .col_expr(
                    donation::Column::GatewayAuthority,
                    Expr::value(started.authority.clone()),
                )
                .filter(donation::Column::Id.eq(donation_id))
                .exec(db)
                .await?;
            tracing::info!(tracking = %code, gateway = gateway.name(), amount = gift.amount_rials, "gift started");
            crate::platform::metrics::gift("started");
            Ok(started.redirect_url)
        }
        Err(e) => {
            tracing::error!(tracking = %code, gateway = gateway.name(), error = %e, "payment request failed");
            crate::platform::metrics::gift("gateway_refused");
            mark(db, donation_id, &["pending"], "failed").await?;
            Err(AppError::invalid("gateway", "give.gateway_unavailable"))
        }
    }
}

/// Moves a gift from one of the states `from` to `status` (conditional: one caller wins).
async fn mark(
    db: &impl ConnectionTrait,
    donation_id: i64,
    from: &[&str],
    status: &str,
) -> Result<bool, AppError> {
    let r = donation::Entity::update_many()
        .col_expr(donation::Column::Status, Expr::value(status))
        .filter(donation::Column::Id.eq(donation_id))
        .filter(donation::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

// ---------------------------------------------------------------- settle

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
pub const OPEN_STATES: [&str; 3] = ["pending", "cancelled", "failed"];

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
    if !OPEN_STATES.contains(&d.status.as_str()) {
        return done(Settled::Already(d.status.clone()));
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
            let status = if status_ok { "failed" } else { "cancelled" };
            tracing::info!(tracking = %d.tracking_code, code, %detail, browser_ok = status_ok, "gift not paid");
            mark(db, d.id, &["pending"], status).await?;
            crate::platform::metrics::gift("not_paid");
            done(Settled::NotPaid)
        }
        Verification::AmountMismatch { detail } => {
            let txn = db.begin().await?;
            if mark(&txn, d.id, &OPEN_STATES, "flagged").await? {
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

/// Takes the target's lock as the transaction's first write.
async fn lock_target(txn: &DatabaseTransaction, d: &donation::Model) -> Result<(), AppError> {
    let now = Utc::now();
    if let Some(id) = d.need_id {
        need::Entity::update_many()
            .col_expr(need::Column::UpdatedAt, Expr::value(now))
            .filter(need::Column::Id.eq(id))
            .exec(txn)
            .await?;
    } else if let Some(id) = d.campaign_id {
        release_campaign::Entity::update_many()
            .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
            .filter(release_campaign::Column::Id.eq(id))
            .exec(txn)
            .await?;
    } else {
        // Funds without a target row: the donation row itself is the first write.
        donation::Entity::update_many()
            .col_expr(
                donation::Column::Status,
                Expr::col(donation::Column::Status).into(),
            )
            .filter(donation::Column::Id.eq(d.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn settle_paid(
    state: &AppState,
    d: &donation::Model,
    gateway_name: &str,
    ref_id: &str,
    fee_rials: i64,
) -> Result<Settled, AppError> {
    let db = &state.db;
    // Accounts are created outside the money transaction (idempotent, race-safe).
    let gateway_acct = ledger::account_id(db, &Account::Gateway(gateway_name.into())).await?;
    let fee_acct = if fee_rials > 0 {
        Some(ledger::account_id(db, &Account::GatewayFees).await?)
    } else {
        None
    };
    let (target_acct, overflow_acct) = match (d.need_id, d.campaign_id, d.target_kind.as_str()) {
        (Some(id), _, _) => (
            Some(ledger::account_id(db, &Account::Need(id)).await?),
            ledger::account_id(
                db,
                &Account::Category(d.category.clone().unwrap_or_else(|| "food".into())),
            )
            .await?,
        ),
        (_, Some(id), _) => (
            Some(ledger::account_id(db, &Account::Campaign(id)).await?),
            ledger::account_id(db, &Account::Release).await?,
        ),
        (_, _, "category_fund") => (
            None,
            ledger::account_id(
                db,
                &Account::Category(d.category.clone().unwrap_or_else(|| "food".into())),
            )
            .await?,
        ),
        _ => (None, ledger::account_id(db, &Account::General).await?),
    };

    let txn = db.begin().await?;
    lock_target(&txn, d).await?;
    let won = donation::Entity::update_many()
        .col_expr(donation::Column::Status, Expr::value("settled"))
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
            .map(|x| x.status)
            .unwrap_or_default();
        return Ok(Settled::Already(now));
    }

    // How much the target still needs, read under the lock.
    let (allocated, newly_met) = match (d.need_id, d.campaign_id, target_acct) {
        (Some(id), _, Some(acct)) => {
            let n = need::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::internal("settle", "need vanished"))?;
            let room = if n.status == "published" {
                (n.goal_rials - ledger::fund_balance(&txn, acct).await?).max(0)
            } else {
                0
            };
            let a = d.amount_rials.min(room);
            (a, room > 0 && a == room)
        }
        (_, Some(id), Some(acct)) => {
            let c = release_campaign::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::internal("settle", "campaign vanished"))?;
            let room = if c.status == "published" {
                (c.total_owed_rials
                    - c.forgiveness_rials
                    - ledger::fund_balance(&txn, acct).await?)
                    .max(0)
            } else {
                0
            };
            let a = d.amount_rials.min(room);
            (a, room > 0 && a == room)
        }
        _ => (0, false),
    };
    let overflow = d.amount_rials - allocated;
    let mut lines = vec![debit(gateway_acct, d.amount_rials)];
    if allocated > 0 {
        lines.push(credit(
            target_acct.expect("allocated only with a target"),
            allocated,
        ));
    }
    if overflow > 0 {
        lines.push(credit(overflow_acct, overflow));
    }
    // The gateway keeps its fee: our clearing account will receive that much less, and the
    // association bears it as an expense; the donor's whole gift is allocated above.
    if let Some(fee_acct) = fee_acct {
        lines.push(debit(fee_acct, fee_rials));
        lines.push(credit(gateway_acct, fee_rials));
    }
    ledger::post(
        &txn,
        Posting {
            kind: "gift",
            memo: if overflow > 0 && target_acct.is_some() {
                "gift received; overflow to the fund by the published rule"
            } else {
                "gift received"
            },
            donation_id: Some(d.id),
            created_by: None,
        },
        &lines,
    )
    .await?;
    if overflow > 0 && target_acct.is_some() {
        donation::Entity::update_many()
            .col_expr(donation::Column::OverflowRials, Expr::value(overflow))
            .filter(donation::Column::Id.eq(d.id))
            .exec(&txn)
            .await?;
    }
    let now = Utc::now();
    if newly_met {
        if let Some(id) = d.need_id {
            need::Entity::update_many()
                .col_expr(need::Column::Status, Expr::value("funded"))
                .col_expr(need::Column::FundedAt, Expr::value(now))
                .filter(need::Column::Id.eq(id))
                .filter(need::Column::Status.eq("published"))
                .exec(&txn)
                .await?;
        } else if let Some(id) = d.campaign_id {
            release_campaign::Entity::update_many()
                .col_expr(release_campaign::Column::Status, Expr::value("funded"))
                .col_expr(release_campaign::Column::FundedAt, Expr::value(now))
                .filter(release_campaign::Column::Id.eq(id))
                .filter(release_campaign::Column::Status.eq("published"))
                .exec(&txn)
                .await?;
        }
    }
    if let Some(pid) = d.pledge_id {
        super::pledges::activate(&txn, pid).await?;
    }
    if let Some(sealed) = &d.contact_enc {
        queue(state, &txn, d, sealed, "receipt").await?;
    }
    txn.commit().await?;
    tracing::info!(tracking = %d.tracking_code, amount = d.amount_rials, allocated, overflow, "gift settled");
    Ok(Settled::Now)
}

/// Puts a message about a gift (its receipt, news of what it funded) in the outbox, in the same
/// transaction as the event.
async fn queue(
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
    owner: super::service::Owner,
    id: i64,
    template: &str,
    extra: serde_json::Value,
) -> Result<usize, AppError> {
    let by = match owner {
        super::service::Owner::Need => donation::Column::NeedId.eq(id),
        super::service::Owner::Campaign => donation::Column::CampaignId.eq(id),
    };
    let donors = donation::Entity::find()
        .filter(by)
        .filter(donation::Column::Status.eq("settled"))
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
                "url": receipt_url(&d.tracking_code, &receipt_token(state, &d.tracking_code)),
            });
            if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
                p.extend(e.clone());
            }
            payload
        },
    )
    .await
}

// ---------------------------------------------------------------- receipts

pub async fn receipt(state: &AppState, code: &str, token: &str) -> Result<Receipt, AppError> {
    let code = crate::validation::latin_digits(code.trim());
    if code.len() > 20 || !crate::platform::tokens_match(&receipt_token(state, &code), token.trim())
    {
        return Err(AppError::NotFound);
    }
    let d = donation::Entity::find()
        .filter(donation::Column::TrackingCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    receipt_of(state, d).await
}

/// The receipt of a donation already in hand (its holder's view: no personal data of anyone else).
async fn receipt_of(state: &AppState, d: donation::Model) -> Result<Receipt, AppError> {
    let db = &state.db;
    let (target_code, target_title, target_status) = if let Some(id) = d.need_id {
        // Read through the public condition: a card whose family withdrew consent (or never gave
        // it) names nothing on a receipt either.
        let n = need::Entity::find_by_id(id)
            .filter(super::service::visible_need())
            .one(db)
            .await?;
        match n {
            Some(n) => (Some(n.public_code), n.public_title, Some(n.status)),
            _ => (None, String::new(), None),
        }
    } else if let Some(id) = d.campaign_id {
        match release_campaign::Entity::find_by_id(id)
            .filter(super::campaign_service::visible_campaign())
            .one(db)
            .await?
        {
            Some(c) => (Some(c.public_code), c.public_title, Some(c.status)),
            _ => (None, String::new(), None),
        }
    } else {
        (d.category.clone(), String::new(), None)
    };
    let pledge = match d.pledge_id {
        Some(pid) => db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT public_code, status FROM pledges WHERE id = $1"
                    }
                    _ => "SELECT public_code, status FROM pledges WHERE id = ?",
                },
                [pid.into()],
            ))
            .await?
            .map(|r| -> Result<(String, String), sea_orm::DbErr> {
                Ok((r.try_get("", "public_code")?, r.try_get("", "status")?))
            })
            .transpose()?,
        None => None,
    };
    // Impact updates reach only the people who funded the need or campaign: the receipt is the
    // donor's key to them (its URL carries the token).
    let updates = if d.status == "settled" && target_code.is_some() {
        use crate::platform::entity::impact_update;
        use sea_orm::QueryOrder;
        let q = impact_update::Entity::find();
        let q = match (d.need_id, d.campaign_id) {
            (Some(n), _) => q.filter(impact_update::Column::NeedId.eq(n)),
            (_, Some(c)) => q.filter(impact_update::Column::CampaignId.eq(c)),
            _ => q.filter(impact_update::Column::Id.eq(-1)),
        };
        q.order_by_asc(impact_update::Column::CreatedAt)
            .limit(20)
            .all(db)
            .await?
            .into_iter()
            .map(|u| super::ImpactNote {
                kind: u.kind,
                body: u.body_public,
                at: u.created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    let overflow_fund = (d.overflow_rials > 0).then(|| {
        if d.campaign_id.is_some() {
            "release".to_string()
        } else {
            d.category.clone().unwrap_or_default()
        }
    });
    Ok(Receipt {
        token: receipt_token(state, &d.tracking_code),
        tracking_code: d.tracking_code,
        status: d.status,
        amount_rials: d.amount_rials,
        overflow_rials: d.overflow_rials,
        overflow_fund,
        target_kind: d.target_kind,
        target_code,
        target_title,
        category: d.category,
        target_status,
        display_name: d.display_name,
        dedication_kind: d.dedication_kind,
        dedication_text: d.dedication_text,
        contact_hint: d.contact_hint,
        test_bank: state
            .gateways
            .get(&d.gateway)
            .map(|g| g.is_test())
            .unwrap_or(d.gateway == crate::payments::sandbox::NAME),
        gateway: d.gateway,
        gateway_ref: d.gateway_ref,
        created_at: d.created_at,
        settled_at: d.settled_at,
        monthly: d.pledge_id.is_some(),
        pledge: pledge
            .as_ref()
            .map(|(code, _)| (code.clone(), super::pledges::cancel_token(state, code))),
        pledge_active: pledge
            .as_ref()
            .is_some_and(|(_, status)| status == "active"),
        updates,
    })
}

/// A donor's gifts (signed in when giving), newest first.
pub async fn history(state: &AppState, user_id: i64) -> Result<Vec<GiftLine>, AppError> {
    use sea_orm::QueryOrder;
    let rows = donation::Entity::find()
        .filter(donation::Column::DonorUserId.eq(user_id))
        .filter(donation::Column::Status.is_in(["settled", "pending", "flagged"]))
        .order_by_desc(donation::Column::CreatedAt)
        .limit(100)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let r = receipt_of(state, d.clone()).await?;
        out.push(GiftLine {
            receipt_url: receipt_url(&d.tracking_code, &r.token),
            tracking_code: d.tracking_code,
            amount_rials: d.amount_rials,
            status: d.status,
            target_kind: d.target_kind,
            target_title: r.target_title,
            target_status: r.target_status,
            created_at: d.created_at,
        });
    }
    Ok(out)
}

/// Tracking code + (last 4+ digits of the phone | the e-mail) → the receipt's URL.
pub async fn find_receipt(state: &AppState, code: &str, contact: &str) -> Result<String, AppError> {
    let code = crate::validation::latin_digits(code.trim());
    let contact = contact.trim();
    if code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("code", "receipt.bad_code"));
    }
    if contact.is_empty() || contact.len() > 254 {
        return Err(AppError::invalid("contact", "receipt.bad_contact"));
    }
    crate::auth::ssr::limit(
        &state.db,
        &format!("receipt:{code}"),
        crate::auth::ssr::RECEIPT_LOOKUPS,
    )
    .await?;
    let not_found = || AppError::invalid("code", "receipt.not_found");
    let d = donation::Entity::find()
        .filter(donation::Column::TrackingCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    let sealed = d.contact_enc.as_ref().ok_or_else(not_found)?;
    let stored = state
        .sealer
        .open("donations.contact", sealed)
        .map_err(|e| AppError::internal("open contact", e))?;
    let given = crate::validation::latin_digits(contact);
    let ok = if stored.contains('@') {
        crate::platform::tokens_match(&stored, &given.to_lowercase())
    } else {
        let digits: String = given.chars().filter(char::is_ascii_digit).collect();
        digits.len() >= 4 && digits.len() == given.trim().len() && stored.ends_with(&digits)
    };
    if !ok {
        return Err(not_found());
    }
    Ok(receipt_url(
        &d.tracking_code,
        &receipt_token(state, &d.tracking_code),
    ))
}

// ---------------------------------------------------------------- reconciliation

/// Gateway-settled totals against the ledger, per gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayTotals {
    pub gateway: String,
    /// Settled donations, as recorded.
    pub settled_count: i64,
    pub settled_rials: i64,
    /// Debits to the gateway's clearing account from gift transactions.
    pub ledger_rials: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Pending gifts asked about again (their callback never came, or verify failed).
    pub retried: usize,
    pub settled_now: usize,
    /// Gifts that never reached a bank (the server stopped between recording the gift and the
    /// bank's answer, so the donor was never sent to pay): closed as `failed`.
    pub closed_unstarted: usize,
    pub still_pending: usize,
    pub totals: Vec<GatewayTotals>,
    pub open_flags: i64,
}

impl Reconciliation {
    /// Gateways whose settled total differs from what the ledger holds for them.
    pub fn mismatched(&self) -> usize {
        self.totals
            .iter()
            .filter(|t| t.settled_rials != t.ledger_rials)
            .count()
    }

    pub fn balanced(&self) -> bool {
        self.mismatched() == 0
    }
}

/// How far back the reconciler looks for gifts left `cancelled` or `failed`: a gateway's payment
/// page expires long before this, so a gift not paid by then never will be.
pub const RECHECK_WINDOW_HOURS: i64 = 48;

/// Asks the gateways again about every gift still open (pending, or cancelled/failed within
/// [`RECHECK_WINDOW_HOURS`]) and older than `older_than`: a payer who closed the browser after
/// paying, or paid after a forged "cancelled", still has the gift settled. Then compares what
/// gateways settled with what the ledger holds.
pub async fn reconcile(
    state: &AppState,
    older_than: chrono::Duration,
) -> Result<Reconciliation, AppError> {
    let db = &state.db;
    let mut report = Reconciliation::default();
    let now = Utc::now();
    let stale = donation::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(donation::Column::Status.eq("pending"))
                .add(
                    sea_orm::Condition::all()
                        .add(donation::Column::Status.is_in(["cancelled", "failed"]))
                        .add(donation::Column::RecheckedAt.is_null())
                        .add(
                            donation::Column::CreatedAt
                                .gt(now - chrono::Duration::hours(RECHECK_WINDOW_HOURS)),
                        ),
                ),
        )
        .filter(donation::Column::GatewayAuthority.is_not_null())
        .filter(donation::Column::CreatedAt.lt(now - older_than))
        .all(db)
        .await?;
    // Recorded, but the bank's authority never stored: the donor was never redirected to pay,
    // and nothing can settle it. Left alone they would stay pending for ever.
    report.closed_unstarted = donation::Entity::update_many()
        .col_expr(donation::Column::Status, Expr::value("failed"))
        .col_expr(donation::Column::RecheckedAt, Expr::value(now))
        .filter(donation::Column::Status.eq("pending"))
        .filter(donation::Column::GatewayAuthority.is_null())
        .filter(donation::Column::CreatedAt.lt(now - older_than))
        .exec(db)
        .await?
        .rows_affected as usize;
    if report.closed_unstarted > 0 {
        tracing::info!(
            gifts = report.closed_unstarted,
            "gifts that never reached a bank closed"
        );
    }
    for d in stale {
        let Some(authority) = d.gateway_authority.clone() else {
            continue;
        };
        report.retried += 1;
        match settle(state, &d.gateway, &authority, d.status == "pending").await {
            Ok(r) if r.outcome == Settled::Now => report.settled_now += 1,
            Ok(r) if r.outcome == Settled::Pending => report.still_pending += 1,
            Ok(_) if d.status != "pending" => {
                // Asked once more and still not paid: closed for good.
                donation::Entity::update_many()
                    .col_expr(donation::Column::RecheckedAt, Expr::value(Utc::now()))
                    .filter(donation::Column::Id.eq(d.id))
                    .filter(donation::Column::Status.is_in(["cancelled", "failed"]))
                    .exec(db)
                    .await?;
            }
            Ok(_) => {}
            Err(e) => {
                report.still_pending += 1;
                tracing::warn!(tracking = %d.tracking_code, error = %e, "reconcile: settle failed");
            }
        }
    }
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT gateway, CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) AS s \
             FROM donations WHERE status = 'settled' GROUP BY gateway ORDER BY gateway",
        ))
        .await?;
    for r in rows {
        let gateway: String = r.try_get("", "gateway")?;
        let code = Account::Gateway(gateway.clone()).code();
        let ledger_rials = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) AS s FROM ledger_entries e \
                         JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.transaction_id \
                         WHERE a.code = $1 AND t.kind = 'gift' AND e.amount_rials > 0"
                    }
                    _ => {
                        "SELECT COALESCE(SUM(e.amount_rials), 0) AS s FROM ledger_entries e \
                         JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.transaction_id \
                         WHERE a.code = ? AND t.kind = 'gift' AND e.amount_rials > 0"
                    }
                },
                [code.into()],
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "s"))
            .transpose()?
            .unwrap_or(0);
        report.totals.push(GatewayTotals {
            gateway,
            settled_count: r.try_get("", "n")?,
            settled_rials: r.try_get("", "s")?,
            ledger_rials,
        });
    }
    report.open_flags = finance_flag::Entity::find()
        .filter(finance_flag::Column::ResolvedAt.is_null())
        .count(db)
        .await? as i64;
    crate::platform::metrics::reconciled(
        report.retried,
        report.settled_now,
        report.mismatched(),
        report.open_flags,
    );
    Ok(report)
}

// ---------------------------------------------------------------- expired needs

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
        .filter(need::Column::Status.eq("published"))
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
            .filter(need::Column::Status.eq("published"))
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
            .col_expr(need::Column::Status, Expr::value("expired"))
            .col_expr(need::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(need::Column::Id.eq(n.id))
            .filter(need::Column::Status.eq("published"))
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
            need::Entity::update_many()
                .col_expr(need::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(need::Column::Id.eq(t.id))
                .exec(&txn)
                .await?;
            let room = (t.goal_rials - ledger::fund_balance(&txn, tacct).await?).max(0);
            to_need = held_now.min(room);
            to_fund = held_now - to_need;
            if to_need > 0 && to_need == room {
                need::Entity::update_many()
                    .col_expr(need::Column::Status, Expr::value("funded"))
                    .col_expr(need::Column::FundedAt, Expr::value(Utc::now()))
                    .filter(need::Column::Id.eq(t.id))
                    .filter(need::Column::Status.eq("published"))
                    .exec(&txn)
                    .await?;
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
            super::service::Owner::Need,
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
