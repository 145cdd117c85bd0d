//! Employment on the server. Each function takes the state and the already-authorised person,
//! loads its record, checks ownership (entrepreneurs) or scope (staff), validates with the shared
//! rules, and writes its change, its ledger group and its audit entry in one transaction.

use super::wages::{self, Rule, WageModel, DEFAULT_RULE};
use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::{Permission, Role};
use crate::i18n::JalaliDate;
use crate::ledger::{self, credit, debit, Account, FundTarget, Posting};
use crate::platform::entity::status::*;
use crate::platform::entity::{
    certificate, contract, contract_review, contract_version, entrepreneur, invoice, prison,
    prisoner, production_hour, production_log, province, release_campaign, user, wage_payment,
    wage_rule, worker_assignment, workshop,
};
use crate::state::AppState;
use crate::validation::{self, normalize_persian};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, Value,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod contracts;
mod entrepreneurs;
mod matching;
mod payroll;
mod production;
pub mod restitution;
mod rules;
mod views;

use contracts::terms_of;
pub use contracts::{amend, propose, review, transition};
pub use entrepreneurs::{catalogue, parse_skills, register, verify_entrepreneur};
pub use matching::{assign, end_assignment, matches, work_consent};
pub use payroll::{pay_workers, payslips, wage_run};
use production::invoice_view;
pub use production::{dispute, invoice_paid, issue_invoice, log_production, parse_hours, resolve};
use rules::rule_row;
pub use rules::{percent_bp, period_of, period_range, rule_in_force, set_wage_rule, wage_rules};
pub use views::{contract_view, dashboard, queue};

/// An entrepreneur acting on their own records.
#[derive(Debug, Clone)]
pub struct Owner {
    pub user_id: i64,
    pub entrepreneur: entrepreneur::Model,
}

/// Whoever reads a contract: its entrepreneur, or staff in scope.
pub enum Viewer {
    Owner(Owner),
    Staff(Authed),
}

pub async fn owner(state: &AppState, who: &Authed) -> Result<Owner, AppError> {
    let e = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::UserId.eq(who.user_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Owner {
        user_id: who.user_id,
        entrepreneur: e,
    })
}

use crate::platform::db::stmt;

pub(super) fn skills_of(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

struct Place {
    workshop: workshop::Model,
    prison: prison::Model,
}

async fn place_of(state: &AppState, workshop_id: i64) -> Result<Place, AppError> {
    let workshop = workshop::Entity::find_by_id(workshop_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("contract", "workshop missing"))?;
    let prison = prison::Entity::find_by_id(workshop.prison_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("contract", "prison missing"))?;
    Ok(Place { workshop, prison })
}

/// Loads a contract the viewer may see: the entrepreneur's own, or one in the staff's scope.
/// Anything else is "not found".
async fn contract_for(
    state: &AppState,
    viewer: &Viewer,
    p: Permission,
    code: &str,
) -> Result<(contract::Model, Place), AppError> {
    let c = contract::Entity::find()
        .filter(contract::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let place = place_of(state, c.workshop_id).await?;
    match viewer {
        Viewer::Owner(o) if o.entrepreneur.id == c.entrepreneur_id => {}
        Viewer::Owner(o) => {
            tracing::warn!(entrepreneur = %o.entrepreneur.public_code, contract = %c.public_code, "entrepreneur asked for another's contract");
            return Err(AppError::NotFound);
        }
        Viewer::Staff(a) => {
            check_scope(
                a,
                p,
                &c.public_code,
                place.prison.province_id,
                Some(place.prison.id),
            )
            .await?
        }
    }
    Ok((c, place))
}

async fn staff_contract(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(contract::Model, Place), AppError> {
    contract_for(state, &Viewer::Staff(who.clone()), p, code).await
}

fn parse_count(input: &str, field: &str, max: i64) -> Result<i64, AppError> {
    let s: String = validation::latin_digits(input)
        .chars()
        .filter(|c| !matches!(c, ',' | '٬' | ' '))
        .collect();
    match s.parse::<i64>() {
        Ok(v) if (0..=max).contains(&v) => Ok(v),
        _ => Err(AppError::invalid(field, "employment.count")),
    }
}

fn parse_date(input: &str, field: &str) -> Result<NaiveDate, AppError> {
    validation::parse_date(input).ok_or_else(|| AppError::invalid(field, "employment.date_invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_every_form() {
        assert_eq!(parse_hours("8").unwrap(), 480);
        assert_eq!(parse_hours("7.5").unwrap(), 450);
        assert_eq!(parse_hours("۷٫۵").unwrap(), 450);
        assert_eq!(parse_hours("7:30").unwrap(), 450);
        assert_eq!(parse_hours("0.25").unwrap(), 15);
        for bad in ["0", "13", "-1", "7:75", "abc", "", "7.555"] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn solar_hijri_months_map_to_gregorian_ranges() {
        let (p, from, to) = period_range("۱۴۰۵-۰۹").unwrap();
        assert_eq!(p, "1405-09");
        assert_eq!(from, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert_eq!(to, NaiveDate::from_ymd_opt(2026, 12, 22).unwrap());
        let (_, from, to) = period_range("1404-12").unwrap();
        assert_eq!(to, NaiveDate::from_ymd_opt(2026, 3, 21).unwrap());
        assert!(from < to);
        assert_eq!(
            period_of(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
            "1405-09"
        );
        for bad in ["1405", "1405-13", "x-1", "1405-00"] {
            assert!(period_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn skills_must_be_known() {
        assert_eq!(
            parse_skills(Some("sewing, Assembly،sewing"), "s").unwrap(),
            vec!["assembly".to_string(), "sewing".to_string()]
        );
        assert!(parse_skills(Some("juggling"), "s").is_err());
        assert!(parse_skills(None, "s").unwrap().is_empty());
    }
}
