//! Case work: staff take in a family, record its consent, draft a need and its public text, another
//! verifies and publishes it past the privacy guards, finance pays and records delivery. Every
//! server function starts with [`crate::auth::ssr::authorize`] (role) and checks the record's
//! scope once it is loaded; out-of-scope records answer "not found".

#[cfg(feature = "ssr")]
pub mod campaigns;
mod family_list;
#[cfg(feature = "ssr")]
pub mod kpis;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
mod sponsorship;

pub use family_list::*;
pub use pages::*;
pub use sponsorship::*;

use crate::error::AppError;
use crate::privacy::pii::Finding;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Offence categories at intake: any prisoner's family gets support; campaigns: debt, diyeh, dower.
pub const OFFENCES: [&str; 4] = ["debt", "diyeh", "dower", "other"];

/// A family's intake form, as submitted (every field a string, as forms send them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeForm {
    pub province: String,
    pub prison: Option<String>,
    pub head_name: String,
    pub national_code: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub situation: Option<String>,
    pub household_size: String,
    /// Other household members' names, one per line.
    pub members: Option<String>,
    pub prisoner_name: String,
    pub prisoner_national_code: Option<String>,
    pub offence: String,
    pub consent_publish: Option<String>,
}

/// A correction to a need not yet verified (its category and occasion stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedEdit {
    pub code: String,
    /// In tomans, any digits, separators allowed.
    pub goal: String,
    pub title: String,
    pub story: String,
    /// Replaces the private notes when given; empty keeps them.
    pub private_notes: Option<String>,
    /// A date as typed ([`crate::validation::date_field`]); empty removes the deadline.
    #[serde(default, deserialize_with = "crate::validation::opt_date_field")]
    pub deadline: Option<String>,
}

/// A need drafted on a family's file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedForm {
    pub family: String,
    pub category: String,
    /// In tomans, any digits, separators allowed.
    pub goal: String,
    pub title: String,
    pub story: String,
    pub private_notes: Option<String>,
    /// A date as typed, in either calendar ([`crate::validation::date_field`]).
    #[serde(default, deserialize_with = "crate::validation::opt_date_field")]
    pub deadline: Option<String>,
    /// A child's gift for an occasion (`mehr`, `yalda`, `nowruz`): category `gift` only. It is
    /// bought and given to the child in the imprisoned parent's name.
    #[serde(default)]
    pub occasion: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftOutcome {
    Saved {
        code: String,
    },
    /// The public text would identify someone; nothing was saved.
    Blocked {
        findings: Vec<Finding>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublishOutcome {
    Published {
        code: String,
        province_hidden: bool,
    },
    Blocked {
        findings: Vec<Finding>,
    },
    /// Fewer than k families share the card's attributes even without the province.
    Held {
        families: u64,
    },
}

/// A family's file without personal fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyFile {
    pub code: String,
    pub province: String,
    pub household_size: i32,
    pub consent_publish: bool,
    pub consent_withdrawn: bool,
    pub prisoner_code: Option<String>,
    pub offence: Option<String>,
    pub needs: Vec<CaseNeed>,
    /// The family's support fund: wage shares of its imprisoned member, sponsors' months.
    pub support_fund_rials: i64,
    pub sponsorship: FamilySponsorship,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNeed {
    pub code: String,
    pub family_code: String,
    pub category: String,
    pub status: crate::platform::status::NeedStatus,
    pub title: String,
    pub story: String,
    pub goal_rials: i64,
    pub balance_rials: i64,
    pub hide_province: bool,
    /// The person asking wrote it (and so may not verify it).
    pub mine: bool,
    /// The family withdrew consent: off every public surface (a funded need is still bought).
    pub withdrawn: bool,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// Settled gifts to this need given with an intention, so staff spend them as it requires;
    /// only on the need's own case page (empty in the family file's list).
    #[serde(default)]
    pub intention_gifts: Vec<crate::giving::intention::IntentionGift>,
}

/// Personal fields of a family, opened for one reader and written to the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    pub head_name: String,
    pub national_code: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub situation: Option<String>,
    pub members: Vec<Member>,
    pub prisoner_name: Option<String>,
    /// References to documents kept on paper or elsewhere (a lease, a school letter), newest first.
    pub documents: Vec<DocumentRef>,
}

/// A household member as the staff record them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// One of [`RELATIONS`] (`member` for those named at intake).
    pub relation: String,
    /// Solar Hijri year.
    pub birth_year: Option<i32>,
    pub is_child: bool,
    pub school_grade: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// One of [`DOCUMENT_KINDS`].
    pub kind: String,
    pub reference: String,
    /// `YYYY-MM-DD`, Gregorian (shown in Solar Hijri).
    pub added_on: String,
}

/// A household member added after intake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberForm {
    pub family: String,
    pub name: String,
    pub relation: String,
    /// Solar Hijri year, any digit script.
    pub birth_year: Option<String>,
    pub school_grade: Option<String>,
}

pub const RELATIONS: [&str; 6] = [
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "other",
];
pub const DOCUMENT_KINDS: [&str; 7] = [
    "identity", "lease", "medical", "school", "court", "income", "other",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub code: String,
    pub family_code: String,
    pub title: String,
    pub category: String,
    pub amount_rials: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queues {
    pub awaiting_verification: Vec<QueueItem>,
    pub to_purchase: Vec<QueueItem>,
    pub to_deliver: Vec<QueueItem>,
    /// Disbursement codes (`D-…`) with the need or campaign they pay for.
    pub awaiting_approval: Vec<QueueItem>,
    /// Release campaigns awaiting verification or publication.
    pub campaigns_to_verify: Vec<QueueItem>,
    /// Funded release campaigns awaiting payment to the court.
    pub campaigns_to_pay: Vec<QueueItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FulfilOutcome {
    Paid { disbursement: String },
    AwaitingApproval { disbursement: String },
}

/// A release campaign drafted from a prisoner's file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignForm {
    pub prisoner: String,
    /// In tomans.
    pub total_owed: String,
    /// What the creditor forgave, in tomans (a match on the public page).
    pub forgiveness: Option<String>,
    /// The creditor (private; sealed).
    pub creditor: String,
    pub conduct_certified: Option<String>,
    pub means_tested: Option<String>,
    pub prisoner_consent: Option<String>,
    pub title: String,
    pub story: String,
}

/// A release campaign as staff see it (no personal fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignCase {
    pub code: String,
    pub prisoner_code: String,
    pub status: crate::platform::status::CampaignStatus,
    pub title: String,
    pub story: String,
    pub offence: String,
    pub total_owed_rials: i64,
    pub forgiveness_rials: i64,
    pub balance_rials: i64,
    /// Each published rule and whether it holds.
    pub eligibility: Vec<(String, bool)>,
    pub consent: bool,
    pub mine: bool,
    pub court_ref: Option<String>,
    pub released_on: Option<String>,
    /// The prisoner withdrew consent: off every public surface (a funded campaign is still paid).
    pub withdrawn: bool,
    #[serde(default)]
    pub intention_gifts: Vec<crate::giving::intention::IntentionGift>,
}

/// One province's KPIs (only provinces in the person's scope), totals since the beginning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiRow {
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
    pub families: i64,
    pub needs_published: i64,
    pub needs_funded: i64,
    pub needs_delivered: i64,
    /// Over needs funded in the last year.
    pub median_days_to_fund: Option<i64>,
    /// Settled gifts to the province's needs and release campaigns.
    pub raised_rials: i64,
    /// Paid to vendors, landlords and court accounts for them.
    pub disbursed_rials: i64,
    pub prisoners_freed: i64,
    pub forgiveness_rials: i64,
    /// Prisoners held in the province's prisons now, and how many of them work under a contract.
    pub prisoners_held: i64,
    pub workers: i64,
    /// Gross wages and the families' share of them.
    pub wages_rials: i64,
    pub family_share_rials: i64,
}

impl KpiRow {
    /// Workers per hundred prisoners held, one decimal (`None` with nobody held).
    pub fn employment_per_mille(&self) -> Option<i64> {
        (self.prisoners_held > 0).then(|| self.workers * 1000 / self.prisoners_held)
    }
}

/// One Solar Hijri month of the person's scope (or of the province asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiMonth {
    /// `1405-09`.
    pub period: String,
    pub families: i64,
    pub needs_published: i64,
    pub needs_funded: i64,
    pub needs_delivered: i64,
    /// Over needs funded that month; only where one snapshot row holds it (one province, or
    /// the whole country): medians do not add up.
    pub median_days_to_fund: Option<i64>,
    pub raised_rials: i64,
    pub disbursed_rials: i64,
    pub prisoners_freed: i64,
    pub forgiveness_rials: i64,
    /// People paid a wage that month.
    pub workers: i64,
    pub wages_rials: i64,
    pub family_share_rials: i64,
}

/// The KPI page: when the figures were taken, the provinces' totals and the last twelve months.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpis {
    /// RFC 3339, UTC.
    pub refreshed_at: String,
    pub provinces: Vec<KpiRow>,
    /// The province the months are for (`None`: everything in scope).
    pub province: Option<String>,
    /// Oldest first.
    pub months: Vec<KpiMonth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<String>,
    pub detail: String,
}

#[cfg(feature = "ssr")]
use crate::auth::ssr::with_permission as run;

#[server(prefix = "/api", endpoint = "staff/queues")]
pub async fn staff_queues() -> Result<Queues, AppError> {
    run(crate::auth::Permission::ViewCases, async |s, who| {
        service::queues(&s, &who).await
    })
    .await
}

/// Provinces and prisons the person may take families in from: (code, Persian name, English name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeOptions {
    pub provinces: Vec<(String, String, String)>,
    pub prisons: Vec<(String, String, String)>,
}

#[server(prefix = "/api", endpoint = "staff/intake-options")]
pub async fn get_intake_options() -> Result<IntakeOptions, AppError> {
    run(crate::auth::Permission::IntakeFamily, async |s, who| {
        service::intake_options(&s, &who).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/intake")]
pub async fn intake_family(form: IntakeForm) -> Result<String, AppError> {
    run(crate::auth::Permission::IntakeFamily, async |s, who| {
        let code = service::intake(&s, &who, &form).await?;
        leptos_axum::redirect(&format!("/staff/families/{code}"));
        Ok(code)
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/family")]
pub async fn get_family_file(code: String) -> Result<FamilyFile, AppError> {
    run(crate::auth::Permission::ViewCases, async |s, who| {
        service::family_file(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/personal")]
pub async fn read_personal(code: String) -> Result<Personal, AppError> {
    run(crate::auth::Permission::ReadPersonal, async |s, who| {
        service::read_personal(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/consent")]
pub async fn record_consent(code: String, publish: bool) -> Result<u64, AppError> {
    run(crate::auth::Permission::RecordConsent, async |s, who| {
        service::record_consent(&s, &who, &code, publish).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/draft-need")]
pub async fn draft_need(form: NeedForm) -> Result<DraftOutcome, AppError> {
    run(crate::auth::Permission::DraftNeed, async |s, who| {
        service::draft_need(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/edit-need")]
pub async fn edit_need(form: NeedEdit) -> Result<DraftOutcome, AppError> {
    run(crate::auth::Permission::DraftNeed, async |s, who| {
        service::edit_need(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/add-member")]
pub async fn add_member(form: MemberForm) -> Result<(), AppError> {
    run(crate::auth::Permission::IntakeFamily, async |s, who| {
        service::add_member(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/add-document")]
pub async fn add_document(family: String, kind: String, reference: String) -> Result<(), AppError> {
    run(crate::auth::Permission::IntakeFamily, async |s, who| {
        service::add_document(&s, &who, &family, &kind, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/need")]
pub async fn need_case(code: String) -> Result<CaseNeed, AppError> {
    run(crate::auth::Permission::ViewCases, async |s, who| {
        service::need_case(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/verify-need")]
pub async fn verify_need(code: String) -> Result<PublishOutcome, AppError> {
    run(crate::auth::Permission::VerifyNeed, async |s, who| {
        service::verify_and_publish(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/purchase")]
pub async fn record_purchase(
    code: String,
    payee_kind: String,
    payee_name: String,
    evidence: String,
) -> Result<FulfilOutcome, AppError> {
    run(crate::auth::Permission::Fulfil, async |s, who| {
        service::record_purchase(&s, &who, &code, &payee_kind, &payee_name, &evidence).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/approve")]
pub async fn approve_disbursement(code: String) -> Result<FulfilOutcome, AppError> {
    run(
        crate::auth::Permission::ApproveDisbursement,
        async |s, who| service::approve(&s, &who, &code).await,
    )
    .await
}

#[server(prefix = "/api", endpoint = "staff/deliver")]
pub async fn record_delivery(code: String, update: String) -> Result<DraftOutcome, AppError> {
    run(crate::auth::Permission::Fulfil, async |s, who| {
        service::record_delivery(&s, &who, &code, &update).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/audit")]
pub async fn audit_log(
    action: Option<String>,
    before: Option<i64>,
) -> Result<Vec<AuditRow>, AppError> {
    run(crate::auth::Permission::ReadAudit, async |s, _who| {
        service::audit_rows(&s, action.as_deref(), before, service::AUDIT_PAGE_ROWS).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-draft")]
pub async fn campaign_draft(form: CampaignForm) -> Result<DraftOutcome, AppError> {
    run(crate::auth::Permission::DraftCampaign, async |s, who| {
        campaigns::draft(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign")]
pub async fn get_campaign_case(code: String) -> Result<CampaignCase, AppError> {
    run(crate::auth::Permission::ViewCases, async |s, who| {
        campaigns::case(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-verify")]
pub async fn campaign_verify(code: String) -> Result<PublishOutcome, AppError> {
    run(crate::auth::Permission::VerifyCampaign, async |s, who| {
        campaigns::verify(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-publish")]
pub async fn campaign_publish(code: String) -> Result<(), AppError> {
    run(crate::auth::Permission::VerifyCampaign, async |s, who| {
        campaigns::publish(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-pay")]
pub async fn campaign_pay_court(
    code: String,
    court_ref: String,
) -> Result<FulfilOutcome, AppError> {
    run(crate::auth::Permission::Fulfil, async |s, who| {
        campaigns::pay_court(&s, &who, &code, &court_ref).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-release")]
pub async fn campaign_release(
    code: String,
    date: crate::validation::DateInput,
) -> Result<(), AppError> {
    run(crate::auth::Permission::RecordRelease, async |s, who| {
        campaigns::record_release(&s, &who, &code, &date.0).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-consent")]
pub async fn campaign_consent(code: String, consent: bool) -> Result<u64, AppError> {
    run(crate::auth::Permission::RecordConsent, async |s, who| {
        campaigns::record_consent(&s, &who, &code, consent).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-forgiveness")]
pub async fn campaign_forgiveness(
    code: String,
    forgiveness: String,
    evidence: String,
) -> Result<(), AppError> {
    run(crate::auth::Permission::DraftCampaign, async |s, who| {
        campaigns::record_forgiveness(&s, &who, &code, &forgiveness, &evidence).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/campaign-close")]
pub async fn campaign_close(code: String) -> Result<(), AppError> {
    run(crate::auth::Permission::RecordRelease, async |s, who| {
        campaigns::close(&s, &who, &code).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff/kpis")]
pub async fn staff_kpis(province: Option<String>) -> Result<Kpis, AppError> {
    run(crate::auth::Permission::ViewCases, async |s, who| {
        kpis::kpis(&s, &who, province.as_deref()).await
    })
    .await
}

/// Takes the figures again now (at most once a minute; else `serve` does it every five minutes).
#[server(prefix = "/api", endpoint = "staff/kpis-refresh")]
pub async fn staff_kpis_refresh() -> Result<(), AppError> {
    run(crate::auth::Permission::ViewCases, async |s, _who| {
        kpis::refresh_if_older(&s.db, chrono::Duration::minutes(1))
            .await
            .map(|_| ())
    })
    .await
}
