//! Employment's server functions: each authorises (staff by permission and scope, entrepreneurs by
//! role and ownership), then calls one service function.

use super::*;

#[cfg(feature = "ssr")]
use crate::auth::ssr::with_permission as staff;

/// Signed in as an entrepreneur (any status: the dashboard shows a pending one its status).
#[cfg(feature = "ssr")]
async fn entrepreneur<T>(
    f: impl AsyncFnOnce(crate::state::AppState, service::Owner) -> Result<T, AppError>,
) -> Result<T, AppError> {
    async {
        let who = crate::auth::ssr::require(&[crate::auth::Role::Entrepreneur]).await?;
        let state = crate::state::use_state()?;
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
    f: impl AsyncFnOnce(crate::state::AppState, service::Viewer) -> Result<T, AppError>,
) -> Result<T, AppError> {
    async {
        let state = crate::state::use_state()?;
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
        let state = crate::state::use_state()?;
        service::catalogue(&state, province.as_deref(), kind.as_deref()).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "employment/register")]
pub async fn register_entrepreneur(form: RegisterForm) -> Result<String, AppError> {
    async {
        let state = crate::state::use_state()?;
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
        let state = crate::state::use_state()?;
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
pub async fn job_applicants(
    job: String,
) -> Result<Vec<(crate::platform::status::JobApplicationStatus, Passport)>, AppError> {
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
