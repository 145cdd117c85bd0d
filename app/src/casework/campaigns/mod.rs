//! Release campaigns on the staff side: drafted from a prisoner's file with the private debt and
//! creditor details and the eligibility checklist, verified by another person, published only when
//! every published rule holds and the prisoner consented, paid to the court's enforcement account
//! once funded (one ledger group), then released (donors told) and closed.

use super::service::{disburse, move_balance, pay_out, reallocate, Disburse};
use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::giving::{is_eligible, ELIGIBILITY_RULES};
use crate::ledger::{self, Account, FundTarget};
use crate::platform::entity::status::*;
use crate::platform::entity::{
    disbursement, family, impact_update, prison, prisoner, release_campaign,
};
use crate::privacy::pii::{scan, Known};
use crate::state::AppState;
use crate::validation::{self, normalize_persian};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

mod consent;
mod court;
mod lifecycle;

pub use consent::{record_consent, record_forgiveness};
pub(in crate::casework) use court::pay;
pub use court::{close, pay_court, record_release};
use lifecycle::advance;
pub use lifecycle::{case, draft, publish, verify};

fn invalid(field: &str, key: &str) -> AppError {
    AppError::invalid(field, key)
}

fn entry<'a>(who: &Authed, action: &'a str, id: &str, detail: serde_json::Value) -> Entry<'a> {
    Entry {
        actor_user_id: Some(who.user_id),
        action,
        subject_kind: "campaign",
        subject_id: Some(id.to_string()),
        detail,
    }
}

async fn campaign_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(release_campaign::Model, prisoner::Model), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let c = release_campaign::Entity::find()
        .filter(release_campaign::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pr = prisoner::Entity::find_by_id(c.prisoner_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, c.province_id, Some(pr.prison_id)).await?;
    Ok((c, pr))
}

/// The privacy guard's list for a prisoner: their own name, their family's names, prisons.
async fn known_for_prisoner(
    state: &AppState,
    pr: &prisoner::Model,
    creditor: Option<&str>,
) -> Result<Known, AppError> {
    let s = &state.sealer;
    let mut names = vec![s
        .open("prisoners.name", &pr.name_enc)
        .map_err(|e| AppError::internal("open prisoner", e))?];
    if let Some(fid) = pr.family_id {
        if let Some(f) = family::Entity::find_by_id(fid).one(&state.db).await? {
            names.push(
                s.open("families.head_name", &f.head_name_enc)
                    .map_err(|e| AppError::internal("open head name", e))?,
            );
        }
    }
    let prisons = prison::Entity::find().all(&state.db).await?;
    Ok(Known {
        person_names: names,
        prison_names: prisons
            .into_iter()
            .flat_map(|p| [p.name_fa, p.name_en])
            .collect(),
        // A creditor is often a business whose name is made of ordinary words.
        phrases: creditor.map(str::to_string).into_iter().collect(),
    })
}

fn tomans(field: &str, input: &str, allow_zero: bool) -> Result<i64, AppError> {
    let trimmed = input.trim();
    if allow_zero && (trimmed.is_empty() || validation::latin_digits(trimmed) == "0") {
        return Ok(0);
    }
    let t = validation::amount_rials(trimmed).map_err(|k| invalid(field, k))?;
    if t > 100_000_000_000 {
        return Err(invalid(field, "staff.goal_range"));
    }
    Ok(t * 10)
}
