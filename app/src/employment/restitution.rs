//! Restitution paid out: the pooled restitution share of wages (`fund:restitution`) reaches the
//! victims and creditors a court named. Finance registers who is owed by which prisoner (the
//! claimant's name and Sheba sealed), asks for a payout, and a second person with
//! [`Permission::ApproveDisbursement`](crate::auth::Permission) pays or refuses it. A payout
//! never passes what the claim is still owed, nor what the prisoner's own wages have put into the
//! pool less what has been paid or asked for in his name. A worker's record shows how much of his
//! restitution has been paid.
//!
//! Staff only, scoped by the prisoner's prison and province; no public, donor or entrepreneur
//! surface shows any of it.

use super::*;
use crate::platform::status::{ClaimStatus, PayoutStatus};

#[cfg(feature = "ssr")]
use crate::auth::ssr::with_permission as staff;

/// A victim (diyeh, damages) or a creditor.
pub const CLAIM_KINDS: [&str; 2] = ["victim", "creditor"];

/// A claim as finance registers it from the court's judgment (money in tomans).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimForm {
    /// The prisoner's code (`P-…`).
    pub prisoner: String,
    /// One of [`CLAIM_KINDS`].
    pub kind: String,
    pub claimant_name: String,
    /// The claimant's Sheba (`IR` and 24 digits).
    pub claimant_account: String,
    /// The court's case or judgment number.
    pub court_ref: String,
    /// What the court says is owed, in tomans.
    pub owed: String,
}

/// Who is owed, opened for the staff who pay (finance and the approvers) and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimant {
    pub name: String,
    pub account: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRow {
    pub code: String,
    pub prisoner_code: String,
    pub kind: String,
    /// None for those who only see the register (prison officers, auditors).
    pub claimant: Option<Claimant>,
    pub court_ref: String,
    pub owed_rials: i64,
    pub paid_rials: i64,
    /// Asked for and waiting for a second person.
    pub awaiting_rials: i64,
    pub status: ClaimStatus,
}

impl ClaimRow {
    /// Still owed and not yet asked for.
    pub fn open_rials(&self) -> i64 {
        (self.owed_rials - self.paid_rials - self.awaiting_rials).max(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutRow {
    pub code: String,
    pub claim_code: String,
    pub prisoner_code: String,
    pub amount_rials: i64,
    pub reference: String,
    pub status: PayoutStatus,
    /// The reader asked for it (and so may not decide it).
    pub mine: bool,
    pub requested_on: chrono::NaiveDate,
    pub reject_reason: Option<String>,
}

/// A worker's restitution: what his wages withheld into the pool, what has been paid from it to
/// those he owes, what waits for approval, and his claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerRestitution {
    pub prisoner_code: String,
    pub withheld_rials: i64,
    pub paid_rials: i64,
    pub awaiting_rials: i64,
    /// What his claims are still owed (registered less paid).
    pub owed_rials: i64,
    pub claims: Vec<ClaimRow>,
    pub payouts: Vec<PayoutRow>,
}

impl WorkerRestitution {
    /// What may still be paid out in his name.
    pub fn available_rials(&self) -> i64 {
        (self.withheld_rials - self.paid_rials - self.awaiting_rials).max(0)
    }
}

/// The register in the reader's scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestitutionRegister {
    /// `fund:restitution`'s balance (the national pool; shown to national staff only).
    pub fund_rials: Option<i64>,
    /// Claims with something still owed first, newest first; at most [`BOOK_ROWS`].
    pub claims: Vec<ClaimRow>,
    /// Payouts waiting for a second person.
    pub awaiting: Vec<PayoutRow>,
    /// The latest payouts decided.
    pub decided: Vec<PayoutRow>,
}

/// Rows of each list on the register's page.
pub const BOOK_ROWS: u64 = 100;

#[server(prefix = "/api", endpoint = "employment/restitution")]
pub async fn restitution_book() -> Result<RestitutionRegister, AppError> {
    staff(crate::auth::Permission::ViewEmployment, async |s, who| {
        service::restitution::book(&s, &who).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/restitution-worker")]
pub async fn restitution_worker(prisoner: String) -> Result<WorkerRestitution, AppError> {
    staff(crate::auth::Permission::ViewEmployment, async |s, who| {
        service::restitution::worker(&s, &who, &prisoner).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/restitution-claim")]
pub async fn register_claim(form: ClaimForm) -> Result<String, AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::restitution::register(&s, &who, &form).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/restitution-payout")]
pub async fn request_payout(
    claim: String,
    amount: String,
    reference: String,
) -> Result<String, AppError> {
    staff(crate::auth::Permission::PayWages, async |s, who| {
        service::restitution::request(&s, &who, &claim, &amount, &reference).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "employment/restitution-decide")]
pub async fn decide_payout(
    code: String,
    approve: bool,
    reason: Option<String>,
) -> Result<(), AppError> {
    staff(
        crate::auth::Permission::ApproveDisbursement,
        async |s, who| {
            service::restitution::decide(&s, &who, &code, approve, reason.as_deref()).await
        },
    )
    .await
}
