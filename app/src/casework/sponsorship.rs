//! Family sponsorship as staff work it (`/staff/sponsorships`): coverage by province, the
//! families waiting for a first sponsor, the reports due, and the two forms (offer a family,
//! send a report). The sponsor's side is `giving::sponsorship`.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Coverage in one province, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub province: crate::giving::ProvinceName,
    /// Consenting families not yet offered to sponsors.
    pub not_offered: i64,
    /// Offered and waiting for a first sponsor.
    pub waiting: i64,
    pub sponsored: i64,
    pub sponsorships: i64,
}

/// A family's sponsorship on its file: offered or not, under which kind, how many sponsor it,
/// and when its last report went out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilySponsorship {
    pub kind: Option<String>,
    pub sponsors: i32,
    pub last_report: Option<DateTime<Utc>>,
}

/// A family on the staff page (by code only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsoredFamily {
    pub code: String,
    pub kind: Option<String>,
    pub province: crate::giving::ProvinceName,
    pub sponsors: i32,
    pub last_report: Option<DateTime<Utc>>,
}

/// `/staff/sponsorships`: coverage by province, families waiting, reports due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub provinces: Vec<CoverageRow>,
    pub waiting: Vec<SponsoredFamily>,
    pub reports_due: Vec<SponsoredFamily>,
}

/// Coverage, families waiting for a sponsor and reports due, in this person's scope.
#[server(prefix = "/api", endpoint = "staff/sponsorships")]
pub async fn sponsorship_coverage() -> Result<Coverage, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::ViewCases, async |s, who| {
        super::service::sponsorship::coverage(&s, &who).await
    })
    .await
}

/// Offers a consenting family to sponsors (or changes its story): the privacy guard reads it.
#[server(prefix = "/api", endpoint = "staff/open-sponsorship")]
pub async fn open_sponsorship(
    code: String,
    kind: String,
    story: String,
) -> Result<super::DraftOutcome, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::DraftNeed, async |s, who| {
        super::service::sponsorship::open(&s, &who, &code, &kind, &story).await
    })
    .await
}

/// Sends a family's quarterly report to its sponsors, past the privacy guard.
#[server(prefix = "/api", endpoint = "staff/sponsor-report")]
pub async fn send_sponsor_report(
    code: String,
    body: String,
    thanks: Option<String>,
) -> Result<super::DraftOutcome, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::DraftNeed, async |s, who| {
        super::service::sponsorship::report(&s, &who, &code, &body, thanks.as_deref()).await
    })
    .await
}
