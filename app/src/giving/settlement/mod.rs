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
use crate::ledger::{self, credit, debit, Account, FundTarget, Posting};
use crate::payments::{PaymentRequest, Verification};
use crate::platform::entity::status::*;
use crate::platform::entity::{donation, finance_flag, need, release_campaign};
use crate::state::AppState;
use chrono::Utc;
use hmac::{Hmac, Mac};
use rand::Rng;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use sha2::Sha256;

mod expiry;
mod form;
mod receipts;
mod reconcile;
mod settle;
mod start;

pub use expiry::{reallocate_expired, Reallocation};
pub use form::{back_with_error, go_on, is_plain_form_post, public_origin};
pub use receipts::{find_receipt, history, receipt};
pub use reconcile::{
    full_totals, reconcile, reconcile_at, GatewayTotals, Reconciliation, FOLD_AFTER_MINUTES,
    RECHECK_WINDOW_HOURS, THROUGH_KEY,
};
pub(crate) use settle::queue_to_donors;
pub use settle::{find_by_authority, settle, CallbackResult, Settled, OPEN_STATES};
use start::mark;
pub use start::start;
pub use start::NAZR_PURPOSE;

/// A fresh idempotency key for a form rendering (one submit, one gift).
pub fn fresh_attempt() -> String {
    attempt_key()
}

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

/// The receipt's address with its token: where a donor is sent after paying, or back to.
pub fn signed_receipt_url(state: &AppState, tracking_code: &str) -> String {
    receipt_url(tracking_code, &receipt_token(state, tracking_code))
}

/// A target that can take a gift now.
enum Target {
    Need(need::Model),
    Campaign(release_campaign::Model),
    Category(&'static str),
    Urgent,
    /// A sponsored family's support fund.
    Family(crate::platform::entity::family::Model),
}

async fn find_need(db: &DatabaseConnection, code: &str) -> Result<Option<need::Model>, AppError> {
    Ok(need::Entity::find()
        .filter(need::Column::PublicCode.eq(code))
        .filter(crate::giving::service::visible_need())
        .one(db)
        .await?)
}

async fn find_campaign(
    db: &DatabaseConnection,
    code: &str,
) -> Result<Option<release_campaign::Model>, AppError> {
    Ok(release_campaign::Entity::find()
        .filter(release_campaign::Column::PublicCode.eq(code))
        .filter(crate::giving::campaign_service::visible_campaign())
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
            Some(n) if n.status == NeedStatus::Published => Ok(Target::Need(n)),
            Some(_) => Err(AppError::invalid("target", "give.need_closed")),
            None => Err(AppError::NotFound),
        },
        ("campaign", Some(c)) => match find_campaign(db, c).await? {
            Some(k)
                if k.status == CampaignStatus::Published && super::is_eligible(&k.eligibility) =>
            {
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
        ("family", Some(c)) => crate::giving::sponsorship_service::open_family(db, c)
            .await
            .map(Target::Family),
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
    // The sponsor who would match this gift, shown above the amounts.
    let matched = match &target {
        Target::Need(n) => crate::giving::matching_service::need_badges(db, &[n])
            .await?
            .remove(&n.id),
        Target::Campaign(c) => crate::giving::matching_service::campaign_badges(db, &[c])
            .await?
            .remove(&c.id),
        _ => None,
    };
    let mut form = match target {
        // A sponsorship has its own form (`/sponsor`).
        Target::Family(_) => return Err(AppError::invalid("target", "give.bad_target")),
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
                intentions: Vec::new(),
                matched: None,
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
                intentions: Vec::new(),
                matched: None,
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
            intentions: Vec::new(),
            matched: None,
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
            intentions: Vec::new(),
            matched: None,
        },
    };
    // The intentions this target can take today (a campaign's `category` is its offence, which
    // no rule reads).
    let today = crate::giving::intention::rules::today();
    form.matched = matched;
    form.intentions = crate::giving::intention::rules::in_force(db, today)
        .await?
        .into_iter()
        .filter(|r| r.open_on(today) && r.reaches(&form.kind, form.category.as_deref()))
        .collect();
    Ok(form)
}
