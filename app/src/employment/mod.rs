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
#[cfg(feature = "ssr")]
pub mod service;
pub mod wages;

pub use pages::*;

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
    pub status: String,
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
    pub status: String,
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
    pub status: String,
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
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRow {
    pub code: String,
    pub product: String,
    pub company: String,
    pub workshop_fa: String,
    pub workshop_en: String,
    pub status: String,
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

// ---------------------------------------------------------------- server functions

#[cfg(feature = "ssr")]
use crate::auth::ssr::with_permission as staff;

/// Signed in as an entrepreneur (any status: the dashboard shows a pending one its status).
#[cfg(feature = "ssr")]
async fn entrepreneur<T>(
    f: impl AsyncFnOnce(crate::platform::AppState, service::Owner) -> Result<T, AppError>,
) -> Result<T, AppError> {
    async {
        let who = crate::auth::ssr::require(&[crate::auth::Role::Entrepreneur]).await?;
        let state = crate::platform::use_state()?;
        let owner = service::owner(&state, &who).await?;
        f(state, owner).await
    }
    .await
    .map_err(AppError::with_status)
}

/// An entrepreneur (their own records) or staff with `p` (records in scope).
#[cfg(feature = "ssr")]
async fn either<T>(
    p: crate::auth::Permission,
    f: impl AsyncFnOnce(crate::platform::AppState, service::Viewer) -> Result<T, AppError>,
) -> Result<T, AppError> {
    async {
        let state = crate::platform::use_state()?;
        let viewer = match crate::auth::ssr::current().await? {
            Some(a) if a.role() == crate::auth::Role::Entrepreneur => {
                service::Viewer::Owner(service::owner(&state, &a).await?)
            }
            _ => service::Viewer::Staff(crate::auth::ssr::authorize(p).await?),
        };
        f(state, viewer).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "employment/workshops")]
pub async fn workshop_catalogue(
    province: Option<String>,
    kind: Option<String>,
) -> Result<Vec<WorkshopCard>, AppError> {
    async {
        let state = crate::platform::use_state()?;
        service::catalogue(&state, province.as_deref(), kind.as_deref()).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "employment/register")]
pub async fn register_entrepreneur(form: RegisterForm) -> Result<String, AppError> {
    async {
        let state = crate::platform::use_state()?;
        let (user, code) = service::register(&state, &form).await?;
        crate::auth::server_fns::start_session(&state, user, crate::auth::Role::Entrepreneur)
            .await?;
        Ok(code)
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "employment/dashboard")]
pub async fn entrepreneur_dashboard() -> Result<Dashboard, AppError> {
    entrepreneur(async |s, me| service::dashboard(&s, &me).await).await
}

#[server(prefix = "/api", endpoint = "employment/propose")]
pub async fn propose_contract(form: ContractForm) -> Result<String, AppError> {
    entrepreneur(async |s, me| {
        let code = service::propose(&s, &me, &form).await?;
        leptos_axum::redirect(&format!("/employment/contracts/{code}"));
        Ok(code)
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/amend")]
pub async fn amend_contract(code: String, form: ContractForm) -> Result<i32, AppError> {
    entrepreneur(async |s, me| service::amend(&s, &me, &code, &form).await).await
}

#[server(prefix = "/api", endpoint = "employment/contract")]
pub async fn get_contract(code: String) -> Result<ContractView, AppError> {
    either(crate::auth::Permission::ViewEmployment, async |s, v| {
        service::contract_view(&s, &v, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/payslips")]
pub async fn payslips(code: String, period: String) -> Result<Vec<Payslip>, AppError> {
    either(crate::auth::Permission::ViewEmployment, async |s, v| {
        service::payslips(&s, &v, &code, &period).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/dispute")]
pub async fn dispute_log(code: String, log: i64, note: String) -> Result<(), AppError> {
    either(crate::auth::Permission::ManageWorkers, async |s, v| {
        service::dispute(&s, &v, &code, log, &note).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/queue")]
pub async fn employment_queue() -> Result<StaffQueue, AppError> {
    staff(crate::auth::Permission::ViewEmployment, async |s, who| {
        service::queue(&s, &who).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/verify-entrepreneur")]
pub async fn verify_entrepreneur(
    code: String,
    approve: bool,
    reason: Option<String>,
) -> Result<(), AppError> {
    staff(
        crate::auth::Permission::VerifyEntrepreneur,
        async |s, who| {
            service::verify_entrepreneur(&s, &who, &code, approve, reason.as_deref()).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "employment/review")]
pub async fn review_contract(
    code: String,
    approve: bool,
    reason: Option<String>,
) -> Result<String, AppError> {
    staff(crate::auth::Permission::ReviewContract, async |s, who| {
        service::review(&s, &who, &code, approve, reason.as_deref()).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/transition")]
pub async fn transition_contract(code: String, to: String, reason: String) -> Result<(), AppError> {
    staff(crate::auth::Permission::ManageContract, async |s, who| {
        service::transition(&s, &who, &code, &to, &reason).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/matches")]
pub async fn contract_matches(code: String) -> Result<Vec<Candidate>, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        service::matches(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/assign")]
pub async fn assign_worker(code: String, prisoner: String) -> Result<String, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        service::assign(&s, &who, &code, &prisoner).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/work-consent")]
pub async fn record_work_consent(prisoner: String, consent: bool) -> Result<u64, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        service::work_consent(&s, &who, &prisoner, consent).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/log")]
pub async fn log_production(form: ProductionForm) -> Result<i64, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        service::log_production(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/resolve")]
pub async fn resolve_dispute(code: String, log: i64, note: String) -> Result<(), AppError> {
    staff(crate::auth::Permission::ManageContract, async |s, who| {
        service::resolve(&s, &who, &code, log, &note).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/invoice")]
pub async fn issue_invoice(code: String, period: String) -> Result<InvoiceView, AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::issue_invoice(&s, &who, &code, &period).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/invoice-paid")]
pub async fn invoice_paid(invoice: String) -> Result<(), AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::invoice_paid(&s, &who, &invoice).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/wage-run")]
pub async fn wage_run(period: String) -> Result<WageRunReport, AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::wage_run(&s, Some(&who), &period).await
    })
    .await
}

/// A wage rule as staff see it: shares and cap in basis points (1 % = 100), minimums in rials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WageRuleRow {
    pub name: String,
    pub family_bp: i64,
    pub release_bp: i64,
    pub restitution_bp: i64,
    pub savings_bp: i64,
    pub cap_bp: i64,
    pub min_hourly_rials: i64,
    pub min_piece_rials: i64,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    /// The rule wages are computed by today.
    pub in_force: bool,
}

/// A new wage rule: percentages (`30`, `12.5`, any digits) and minimums in tomans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WageRuleForm {
    pub name: String,
    pub family: String,
    pub release: String,
    pub restitution: String,
    pub savings: String,
    pub cap: String,
    pub min_hourly: String,
    pub min_piece: String,
    /// Today or later (a date as typed, [`crate::validation::date_field`]): wages already
    /// computed keep their rule.
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub effective_from: String,
}

#[server(prefix = "/api", endpoint = "employment/wage-rules")]
pub async fn wage_rules() -> Result<Vec<WageRuleRow>, AppError> {
    staff(crate::auth::Permission::ViewEmployment, async |s, _who| {
        service::wage_rules(&s).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/set-wage-rule")]
pub async fn set_wage_rule(form: WageRuleForm) -> Result<(), AppError> {
    staff(crate::auth::Permission::ManageStaff, async |s, who| {
        service::set_wage_rule(&s, &who, &form).await
    })
    .await
}

/// What a payout paid: workers' net wages into their prison accounts, and savings to those released.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutReport {
    pub workers: i64,
    pub wages_rials: i64,
    pub released: i64,
    pub savings_rials: i64,
}

#[server(prefix = "/api", endpoint = "employment/pay-workers")]
pub async fn pay_workers(reference: String) -> Result<PayoutReport, AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::pay_workers(&s, &who, &reference).await
    })
    .await
}

// ---------------------------------------------------------------- training and after release

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeForm {
    pub prison: String,
    pub title: String,
    pub skill: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeRow {
    pub code: String,
    pub prison: String,
    pub title: String,
    pub skill: String,
    pub hours: i32,
    pub enrolled: i64,
    pub certified: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingStatus {
    pub hours_completed: i32,
    pub hours_required: i32,
    pub certified: bool,
}

/// One stretch of workshop work on a passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkRecord {
    pub product: String,
    pub months: i64,
    pub rating: Option<i32>,
}

/// A released person's skills passport, under a pseudonym (`R-…`): what an employer may know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passport {
    pub code: String,
    pub skills: Vec<String>,
    pub training_hours: i64,
    /// (title, skill, issued on).
    pub certificates: Vec<(String, String, String)>,
    pub work: Vec<WorkRecord>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobForm {
    pub title: String,
    pub province: String,
    /// As `ContractForm::required_skills`.
    #[serde(default, deserialize_with = "crate::validation::one_or_many")]
    pub skills: Option<String>,
    /// Monthly pay in tomans.
    pub pay: String,
    /// Days during which only workers the entrepreneur had under contract may apply.
    pub early_hire_days: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCard {
    pub code: String,
    pub title: String,
    pub company: String,
    pub province_fa: String,
    pub province_en: String,
    pub skills: Vec<String>,
    pub pay_rials: i64,
    pub early_hire_until: Option<String>,
}

#[server(prefix = "/api", endpoint = "employment/programmes")]
pub async fn training_programmes() -> Result<Vec<ProgrammeRow>, AppError> {
    staff(crate::auth::Permission::ViewEmployment, async |s, who| {
        after_release::programmes(&s, &who).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/programme")]
pub async fn create_programme(form: ProgrammeForm) -> Result<String, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        after_release::create_programme(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/training")]
pub async fn record_training(
    programme: String,
    prisoner: String,
    hours: String,
) -> Result<TrainingStatus, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        after_release::record_training(&s, &who, &programme, &prisoner, &hours).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/jobs")]
pub async fn job_posts(province: Option<String>) -> Result<Vec<JobCard>, AppError> {
    async {
        let state = crate::platform::use_state()?;
        after_release::jobs(&state, province.as_deref()).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "employment/post-job")]
pub async fn post_job(form: JobForm) -> Result<String, AppError> {
    entrepreneur(async |s, me| after_release::post_job(&s, &me, &form).await).await
}

#[server(prefix = "/api", endpoint = "employment/apply")]
pub async fn apply_for_job(job: String, prisoner: String) -> Result<String, AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        after_release::apply(&s, &who, &job, &prisoner).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/applicants")]
pub async fn job_applicants(job: String) -> Result<Vec<(String, Passport)>, AppError> {
    entrepreneur(async |s, me| after_release::applicants(&s, &me, &job).await).await
}

#[server(prefix = "/api", endpoint = "employment/decide-application")]
pub async fn decide_application(job: String, passport: String, hire: bool) -> Result<(), AppError> {
    entrepreneur(async |s, me| after_release::decide(&s, &me, &job, &passport, hire).await).await
}

#[server(prefix = "/api", endpoint = "employment/end-assignment")]
pub async fn end_assignment(code: String, worker: String, rating: String) -> Result<(), AppError> {
    staff(crate::auth::Permission::ManageWorkers, async |s, who| {
        service::end_assignment(&s, &who, &code, &worker, &rating).await
    })
    .await
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
