//! Employment and entrepreneurship: entrepreneurs register and are verified, see the public
//! workshop catalogue and propose production contracts; the prison officer and the provincial
//! manager review them; consenting prisoners are matched and assigned (known outside the prison
//! only by a worker code); production is logged per worker; invoices and wages are computed per
//! Solar Hijri month, and each wage is split under the capped rule straight into the family's
//! support fund and the worker's release campaign through the ledger.
//!
//! Every server function authorises first: staff through a [`crate::auth::Permission`] and the
//! record's scope; entrepreneurs through their role and ownership of the record (anything else
//! answers "not found").

#[cfg(feature = "ssr")]
pub mod after_release;
mod pages;
pub mod restitution;
mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
pub mod wages;

pub use pages::*;
pub use restitution::*;
pub use server_fns::*;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Skills a prisoner can have, a contract can require and a certificate can attest.
pub const SKILLS: &[&str] = &[
    "sewing",
    "carpentry",
    "welding",
    "assembly",
    "farming",
    "cooking",
    "weaving",
    "it",
    "electrical",
    "painting",
];

/// Sectors an entrepreneur registers under.
pub const SECTORS: &[&str] = &[
    "textile",
    "furniture",
    "electronics",
    "agriculture",
    "food",
    "handicraft",
    "software",
];

/// Kinds of prison workshop.
pub const WORKSHOP_KINDS: &[&str] = &[
    "sewing",
    "carpentry",
    "assembly",
    "agriculture",
    "food",
    "handicraft",
    "it",
];

/// What an entrepreneur fills in to register (the account and the company at once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterForm {
    pub company_name: String,
    pub national_company_id: String,
    pub economic_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub sector: String,
    pub province: String,
    pub email: String,
    pub password: String,
}

/// A workshop in the public catalogue: no person, only counts of available workers by skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkshopCard {
    pub code: String,
    pub kind: String,
    pub name_fa: String,
    pub name_en: String,
    pub province_fa: String,
    pub province_en: String,
    pub capacity: i32,
    pub equipment: Vec<String>,
    pub shifts: String,
    /// (skill, consenting prisoners of that prison with it who are not assigned). Counts below
    /// [`MIN_PUBLIC_COUNT`] are shown as that floor's "fewer than" so nobody is singled out.
    pub available: Vec<(String, i64)>,
    pub active_contracts: i64,
}

/// Counts of available workers below this are published as "fewer than 3" (shown as 0 with a
/// flag in the page): a count of one in a small prison would point at a person.
pub const MIN_PUBLIC_COUNT: i64 = 3;

/// A contract proposal or amendment, as a form sends it (money in tomans).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractForm {
    pub workshop: String,
    pub product: String,
    pub quantity: String,
    pub unit_price: String,
    pub wage_model: String,
    pub wage_rate: String,
    pub headcount: String,
    /// Skill codes: ticked boxes (`form[required_skills][]=sewing`), or one string separated by
    /// commas or spaces.
    #[serde(default, deserialize_with = "crate::validation::one_or_many")]
    pub required_skills: Option<String>,
    pub required_certificates: Option<String>,
    /// Dates as typed, in either calendar ([`crate::validation::date_field`]).
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub starts_on: String,
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub ends_on: String,
    pub materials_supplied: Option<String>,
}

/// The terms of a contract (what a version snapshot holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub product: String,
    pub quantity: i64,
    pub unit_price_rials: i64,
    pub wage_model: String,
    pub wage_rate_rials: i64,
    pub headcount: i32,
    pub required_skills: Vec<String>,
    pub required_certificates: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub materials_supplied: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerView {
    /// Pseudonymous: the only name an entrepreneur ever sees.
    pub worker_code: String,
    pub skills: Vec<String>,
    pub status: crate::platform::status::AssignmentStatus,
    /// Staff only: the worker's family file, where his family share lands. Never sent to the
    /// entrepreneur.
    pub family_code: Option<String>,
    /// 1–5, given when the assignment ended.
    pub rating: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogView {
    pub id: i64,
    pub date: String,
    pub quantity: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub minutes: i64,
    pub disputed: bool,
    pub dispute_note: Option<String>,
    pub resolution_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub code: String,
    pub period: String,
    pub accepted_units: i64,
    pub amount_rials: i64,
    pub status: crate::platform::status::InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub version: i32,
    pub role: String,
    pub decision: String,
    pub reason: Option<String>,
    pub at: String,
}

/// A contract as its entrepreneur or the staff in scope see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView {
    pub code: String,
    pub status: crate::platform::status::ContractStatus,
    pub status_reason: Option<String>,
    pub version: i32,
    pub workshop_code: String,
    pub workshop_fa: String,
    pub workshop_en: String,
    pub company: String,
    pub terms: Terms,
    pub workers: Vec<WorkerView>,
    pub logs: Vec<LogView>,
    pub invoices: Vec<InvoiceView>,
    pub reviews: Vec<ReviewView>,
    /// The asker is this contract's entrepreneur (not staff).
    pub own: bool,
    /// This Solar Hijri month (`YYYY-MM`), the default period of the forms.
    pub current_period: String,
}

/// One reason behind a candidate's rank, with the points it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// A translation key under `employment.reason.`.
    pub key: String,
    /// What it is about (a skill code, a number of days, a rating…).
    pub detail: String,
    pub points: i64,
}

/// A prisoner proposed for a contract (staff only: the prisoner's code, never a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub prisoner_code: String,
    pub skills: Vec<String>,
    pub certificates: Vec<String>,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// A worker's payslip for one month on one contract: every line, the cap and what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payslip {
    pub worker_code: String,
    pub contract_code: String,
    pub period: String,
    pub wage_model: String,
    pub rate_rials: i64,
    pub minutes: i64,
    pub pieces: i64,
    pub cap_bp: i64,
    pub split: wages::Split,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WageRunReport {
    pub period: String,
    pub payments: i64,
    /// Workers already paid for the period (a second run pays nobody twice).
    pub already_paid: i64,
    pub gross_rials: i64,
    pub family_rials: i64,
    pub release_rials: i64,
    pub restitution_rials: i64,
    pub savings_rials: i64,
    pub net_rials: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrepreneurRow {
    pub code: String,
    pub company: String,
    pub sector: String,
    pub province_fa: String,
    pub province_en: String,
    pub status: crate::platform::status::EntrepreneurStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRow {
    pub code: String,
    pub product: String,
    pub company: String,
    pub workshop_fa: String,
    pub workshop_en: String,
    pub status: crate::platform::status::ContractStatus,
    pub headcount: i32,
    pub workers: i64,
}

/// What staff have to do in employment, within their scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffQueue {
    pub entrepreneurs_pending: Vec<EntrepreneurRow>,
    pub contracts_to_review: Vec<ContractRow>,
    pub active_contracts: Vec<ContractRow>,
    /// (contract code, log id, work date).
    pub disputes: Vec<(String, i64, String)>,
    /// This Solar Hijri month (`YYYY-MM`), the default period of the wage run.
    pub current_period: String,
}

/// An entrepreneur's own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub me: EntrepreneurRow,
    pub contracts: Vec<ContractRow>,
    pub invoices: Vec<(String, InvoiceView)>,
    /// Workshops an entrepreneur may propose to: (code, Persian, English name).
    pub workshops: Vec<(String, String, String)>,
    /// The company's province code (where its job posts go).
    pub province: String,
    /// What each contract produced and was invoiced, newest contract first.
    pub output: Vec<OutputRow>,
    /// The company's open job posts with their applications.
    pub jobs: Vec<OwnJob>,
}

/// One contract's output to date: production days, units accepted and rejected by quality,
/// logs under dispute, and what was invoiced and paid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRow {
    pub contract: String,
    pub product: String,
    pub days: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub disputed: i64,
    pub invoiced_rials: i64,
    pub paid_rials: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnJob {
    pub card: JobCard,
    pub applications: i64,
    /// Applications not answered yet.
    pub awaiting: i64,
}

/// One worker's day on a production log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerDay {
    pub worker: String,
    /// Hours, e.g. `7.5` or `۷٫۵`.
    pub hours: String,
    /// Accepted pieces this worker made (piece-rate contracts).
    pub pieces: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductionForm {
    pub contract: String,
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub date: String,
    pub quantity: String,
    pub accepted: String,
    pub rejected: String,
    /// Absent when a form has no worker rows (answered "enter some hours", not a transport error).
    #[serde(default)]
    pub entries: Vec<WorkerDay>,
}

#[cfg(test)]
mod form_tests {
    use super::*;

    /// The query-string reader server functions use for forms (server_fn's `PostUrl`).
    fn form<T: serde::de::DeserializeOwned>(body: &str) -> T {
        #[derive(Deserialize)]
        struct Args<T> {
            form: T,
        }
        serde_qs::Config::new(5, false)
            .deserialize_str::<Args<T>>(body)
            .unwrap()
            .form
    }

    #[test]
    fn skills_arrive_as_ticked_boxes_or_as_one_string() {
        let ticked: JobForm = form(
            "form[title]=x&form[province]=THR&form[pay]=1&form[skills][]=sewing&form[skills][]=assembly",
        );
        assert_eq!(ticked.skills.as_deref(), Some("sewing,assembly"));
        let typed: JobForm =
            form("form[title]=x&form[province]=THR&form[pay]=1&form[skills]=welding");
        assert_eq!(typed.skills.as_deref(), Some("welding"));
        let none: JobForm = form("form[title]=x&form[province]=THR&form[pay]=1");
        assert_eq!(none.skills, None);
        assert_eq!(
            service::parse_skills(ticked.skills.as_deref(), "skills").unwrap(),
            vec!["assembly".to_string(), "sewing".to_string()]
        );
    }
}
