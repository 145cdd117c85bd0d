//! Case work on the server: every function takes the state and the already-authorised person,
//! loads its record, checks the record's scope, validates with the shared rules, and writes its
//! change and its audit entry in one transaction.

use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::giving::CATEGORIES;
use crate::ledger::{self, credit, debit, Account, FundTarget, Posting};
use crate::platform::entity::status::*;
use crate::platform::entity::{
    audit_log, disbursement, disbursement_approval, family, family_document, household_member,
    impact_update, need, payee, prison, prisoner, province, user,
};
use crate::privacy::pii::{scan, Known};
use crate::state::AppState;
use crate::validation::{self, normalize_persian};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

mod consent;
mod disbursements;
mod family_file;
mod intake;
mod needs;
mod queues;
pub mod sponsorship;

pub use consent::record_consent;
pub(in crate::casework) use consent::{move_balance, reallocate};
pub use disbursements::{approve, record_delivery, record_purchase};
pub(in crate::casework) use disbursements::{disburse, pay_out, Disburse};
pub use family_file::{add_document, add_member, family_file, read_personal};
use family_file::{case_need, known_for};
pub use intake::{find_by_national_code, intake, intake_options};
pub use needs::{draft_need, edit_need, families_sharing, need_case, verify_and_publish};
pub use queues::{audit_csv, audit_rows, queues, queues_csv, AUDIT_CSV_ROWS, AUDIT_PAGE_ROWS};

/// A card is published only when at least this many families share its public attributes.
pub const K_ANONYMITY: u64 = 5;

/// Disbursements above this many rials need a second person (manager) to approve them.
/// `KARAMAT_DISBURSEMENT_THRESHOLD_RIALS` changes it (default 500,000,000 rials = 50M tomans).
pub fn disbursement_threshold() -> i64 {
    std::env::var("KARAMAT_DISBURSEMENT_THRESHOLD_RIALS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(500_000_000)
}

fn invalid(field: &str, key: &str) -> AppError {
    AppError::invalid(field, key)
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(normalize_persian)
        .filter(|v| !v.is_empty())
}

pub use crate::platform::household_band;

async fn family_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<family::Model, AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let f = family::Entity::find()
        .filter(family::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, f.province_id, f.prison_id).await?;
    Ok(f)
}

async fn need_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(need::Model, family::Model), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let n = need::Entity::find()
        .filter(need::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = family::Entity::find_by_id(n.family_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, n.province_id, f.prison_id).await?;
    Ok((n, f))
}

fn audit_entry<'a>(
    who: &Authed,
    action: &'a str,
    kind: &'a str,
    id: &str,
    detail: serde_json::Value,
) -> Entry<'a> {
    Entry {
        actor_user_id: Some(who.user_id),
        action,
        subject_kind: kind,
        subject_id: Some(id.to_string()),
        detail,
    }
}
