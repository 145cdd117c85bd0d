//! Sponsoring a family (کفالت): a donor supports one anonymous family every month, chosen by
//! province and kind of support, and gets its redacted reports every quarter.
//!
//! * Staff open a consenting family to sponsorship with a redacted story (the privacy guard reads
//!   it as it reads a card). The chooser (`/sponsor`) offers, in the province and kind asked for,
//!   the families with the fewest sponsors: by public code and story, never more.
//! * A sponsorship is a monthly pledge to that family's support fund (`fund:family:{id}`). Each
//!   month is a real payment through the gateway: the first on signing up, the next from the
//!   reminder's link, which opens the sponsorship's page (`/sponsorship?code=…&token=…`; the token
//!   is the pledge's, so no account is needed). No card data is stored.
//! * Staff write a report every quarter (what was bought is listed from the family's delivered
//!   needs, with what staff write and the family's own thanks, each passed by the privacy guard);
//!   each sponsor is told and reads it on the sponsorship's page.
//! * It ends cleanly: the donor stops it in one click, the family withdraws consent, the prisoner
//!   is released (the sponsors get a closing report), or its last month passes. A family never
//!   learns who sponsors it: nothing of a sponsor reaches any family-facing surface.

use crate::error::AppError;
use crate::platform::status::{PledgeStatus, SponsorReportKind, SponsorshipEnd};
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Monthly amounts offered, in tomans.
pub const SPONSOR_PRESETS_TOMAN: [i64; 3] = [500_000, 1_000_000, 2_000_000];
/// How long a sponsor may choose to give: months, 0 for "until I stop".
pub const DURATIONS: [u32; 3] = [6, 12, 0];
/// A family's story as sponsors read it.
pub const STORY_CHARS: std::ops::RangeInclusive<usize> = 40..=600;
/// What staff write in a quarterly report.
pub const REPORT_CHARS: std::ops::RangeInclusive<usize> = 20..=1200;
/// The family's thanks, in staff's words.
pub const THANKS_CHARS: std::ops::RangeInclusive<usize> = 2..=400;
/// A sponsored family without a report for this long is due one.
pub const REPORT_EVERY_DAYS: i64 = 90;
/// How many families the chooser offers at once.
pub const CHOICES: u64 = 3;

/// A family as a sponsor sees it: its public code, kind of support, province, household band and
/// redacted story. Nothing else of it ever reaches a public or donor surface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyCard {
    pub code: String,
    pub kind: String,
    pub province: super::ProvinceName,
    pub household_band: String,
    pub story: String,
    pub sponsors: i32,
}

/// What the chooser shows: families to choose from, and a fresh form key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorChoice {
    pub families: Vec<FamilyCard>,
    pub attempt: String,
    pub test_bank: bool,
}

/// The sponsor form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorForm {
    pub family: String,
    pub attempt: String,
    /// A preset, in tomans, or `other`.
    pub amount: Option<String>,
    /// A custom monthly amount in tomans, any digits.
    pub custom: Option<String>,
    /// Months (`6`, `12`) or `0` for until the sponsor stops.
    pub months: String,
    /// A mobile number or an e-mail address: the monthly reminder and the reports go there.
    pub contact: String,
}

/// A sponsor form that passed every rule: as a gift form would be, monthly, to a family.
pub fn validate_sponsor(f: &SponsorForm) -> Result<super::ValidGift, (&'static str, &'static str)> {
    let family = crate::validation::public_code(f.family.trim())
        .filter(|c| !c.is_empty())
        .ok_or(("family", "sponsor.choose_family"))?;
    let months = f
        .months
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|m| DURATIONS.contains(m))
        .ok_or(("months", "sponsor.bad_months"))?;
    if f.contact.trim().is_empty() {
        return Err(("contact", "sponsor.contact_needed"));
    }
    let mut gift = super::validate_gift(&super::GiftForm {
        target_kind: "urgent".into(),
        attempt: f.attempt.clone(),
        amount: f.amount.clone(),
        custom: f.custom.clone(),
        contact: Some(f.contact.clone()),
        ..Default::default()
    })?;
    gift.target_kind = "family";
    gift.target_code = Some(family);
    gift.monthly = true;
    gift.months = (months > 0).then_some(months);
    Ok(gift)
}

/// One month paid (or being paid) on a sponsorship's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsoredMonth {
    pub tracking_code: String,
    pub receipt_url: String,
    pub amount_rials: i64,
    pub status: crate::platform::status::DonationStatus,
    pub at: DateTime<Utc>,
}

/// A report as a sponsor reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportNote {
    pub code: String,
    pub kind: SponsorReportKind,
    pub body: String,
    pub thanks: Option<String>,
    /// Public titles of the needs delivered to the family since its previous report.
    pub bought: Vec<String>,
    pub at: DateTime<Utc>,
}

/// A sponsorship as its sponsor sees it (the link from the receipt or a reminder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorshipView {
    pub code: String,
    pub token: String,
    /// None once the family has withdrawn its consent: nothing of it is shown any more.
    pub family: Option<FamilyCard>,
    pub amount_rials: i64,
    pub status: PledgeStatus,
    pub end_reason: Option<SponsorshipEnd>,
    pub started_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub next_due_on: NaiveDate,
    pub months: Vec<SponsoredMonth>,
    pub reports: Vec<ReportNote>,
    /// A fresh form key for "pay this month".
    pub attempt: String,
    pub test_bank: bool,
}

/// The families the chooser offers for a province and a kind (either may be empty: any).
#[server(prefix = "/api", endpoint = "sponsor/families")]
pub async fn sponsor_families(
    province: Option<String>,
    kind: Option<String>,
) -> Result<SponsorChoice, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::sponsorship_service::choices(&state, province.as_deref(), kind.as_deref()).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Starts a sponsorship: records it and its first month, and sends the sponsor to the gateway.
/// Works as a plain form post (302) and from the page's script.
#[server(prefix = "/api", endpoint = "sponsor/start")]
pub async fn start_sponsorship(form: SponsorForm) -> Result<String, AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    let result = async {
        let state = crate::state::use_state()?;
        let valid = validate_sponsor(&form).map_err(|(f, k)| AppError::invalid(f, k))?;
        let user = crate::auth::ssr::current().await?;
        let origin = super::settlement::public_origin(&state)?;
        super::settlement::start(&state, &valid, user.map(|u| u.user_id), &origin).await
    }
    .await;
    let back = super::GiftForm {
        custom: form.custom,
        ..Default::default()
    };
    super::settlement::go_on(result, no_js, &back).await
}

/// A sponsorship by its code and the token from its receipt or reminder.
#[server(prefix = "/api", endpoint = "sponsor/view")]
pub async fn sponsorship(code: String, token: String) -> Result<SponsorshipView, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::sponsorship_service::view(&state, code.trim(), token.trim()).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Pays this month of a sponsorship: the gateway's page, as any gift.
#[server(prefix = "/api", endpoint = "sponsor/pay")]
pub async fn pay_sponsorship(
    code: String,
    token: String,
    attempt: String,
) -> Result<String, AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    let result = async {
        let state = crate::state::use_state()?;
        let origin = super::settlement::public_origin(&state)?;
        super::sponsorship_service::pay(&state, code.trim(), token.trim(), attempt.trim(), &origin)
            .await
    }
    .await;
    super::settlement::go_on(result, no_js, &super::GiftForm::default()).await
}

/// Stops a sponsorship in one click (the family keeps what was given).
#[server(prefix = "/api", endpoint = "sponsor/stop")]
pub async fn stop_sponsorship(code: String, token: String) -> Result<(), AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    async move {
        let state = crate::state::use_state()?;
        let (code, token) = (code.trim(), token.trim());
        super::sponsorship_service::stop(&state, code, token).await?;
        if no_js {
            leptos_axum::redirect(&sponsorship_url(code, token));
        }
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The address of a sponsorship's page.
pub fn sponsorship_url(code: &str, token: &str) -> String {
    format!("/sponsorship?code={code}&token={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SponsorForm {
        SponsorForm {
            family: "F-ABC123".into(),
            attempt: "a".repeat(24),
            amount: Some("1000000".into()),
            custom: None,
            months: "12".into(),
            contact: "09123456789".into(),
        }
    }

    #[test]
    fn a_sponsorship_is_a_monthly_gift_to_one_family() {
        let g = validate_sponsor(&form()).unwrap();
        assert_eq!(g.target_kind, "family");
        assert_eq!(g.target_code.as_deref(), Some("F-ABC123"));
        assert!(g.monthly);
        assert_eq!(g.months, Some(12));
        assert_eq!(g.amount_rials, 10_000_000);
        assert_eq!(g.display_name, None, "anonymous");
        let mut f = form();
        f.months = "0".into();
        assert_eq!(validate_sponsor(&f).unwrap().months, None);
        f.months = "7".into();
        assert_eq!(validate_sponsor(&f), Err(("months", "sponsor.bad_months")));
        let mut f = form();
        f.contact = " ".into();
        assert_eq!(
            validate_sponsor(&f),
            Err(("contact", "sponsor.contact_needed"))
        );
        f.contact = "12".into();
        assert_eq!(validate_sponsor(&f), Err(("contact", "validation.contact")));
        let mut f = form();
        f.family = "".into();
        assert_eq!(
            validate_sponsor(&f),
            Err(("family", "sponsor.choose_family"))
        );
        let mut f = form();
        f.amount = Some("other".into());
        f.custom = Some("۵۰۰".into());
        assert_eq!(
            validate_sponsor(&f),
            Err(("custom", "give.amount_too_small"))
        );
    }
}
