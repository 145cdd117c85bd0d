//! Giving: the gift form's rules (shared by browser and server), the receipt, and the server
//! functions that start a gift, show a receipt and find one again.

use crate::error::AppError;
use crate::validation;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Preset amounts, in tomans (what people say); rials are stored.
pub const PRESETS_TOMAN: [i64; 4] = [100_000, 250_000, 500_000, 1_000_000];
/// 10,000 tomans: below this a gateway fee eats the gift.
pub const MIN_GIFT_RIALS: i64 = 100_000;
/// 500 million tomans: the card-payment ceiling of Iranian gateways.
pub const MAX_GIFT_RIALS: i64 = 5_000_000_000;
/// What the gift form may name (a sponsorship's `family` comes from its own form).
pub const TARGET_KINDS: [&str; 4] = ["need", "campaign", "category_fund", "urgent"];
pub const DEDICATIONS: [&str; 2] = ["honour", "memory"];

/// What a gift is for, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftTarget {
    pub kind: String,
    /// Public code of the need or campaign, or the category.
    pub code: Option<String>,
    pub title: String,
    pub category: Option<String>,
    pub goal_rials: Option<i64>,
    pub remaining_rials: Option<i64>,
    /// A fresh idempotency key for this rendering of the form: submitting twice starts one gift.
    pub attempt: String,
    /// The active gateway is a test bank.
    pub test_bank: bool,
    /// The intentions this target can take today, with their rules (the form offers these).
    #[serde(default)]
    pub intentions: Vec<super::IntentionRule>,
    /// A sponsor matches gifts to this need or campaign.
    #[serde(default)]
    pub matched: Option<super::MatchBadge>,
}

/// The gift form exactly as submitted (every field a string, as forms send them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftForm {
    pub target_kind: String,
    pub target_code: Option<String>,
    pub attempt: String,
    /// A preset, in tomans, or `other`.
    pub amount: Option<String>,
    /// A custom amount in tomans, any digits, separators allowed.
    pub custom: Option<String>,
    pub show_name: Option<String>,
    pub display_name: Option<String>,
    pub dedication_kind: Option<String>,
    pub dedication_text: Option<String>,
    /// A mobile number or an e-mail address, for the receipt and look-up.
    pub contact: Option<String>,
    pub monthly: Option<String>,
    /// `none` or one of [`super::Intention`]'s words.
    pub intention: Option<String>,
    /// A nazr's purpose, in the donor's words (read only by staff).
    pub nazr_purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Mobile(String),
    Email(String),
}

impl Contact {
    /// What a receipt may show: enough to recognise, not to read.
    pub fn hint(&self) -> String {
        match self {
            Contact::Mobile(m) => format!("{}•••{}", &m[..4], &m[m.len() - 4..]),
            Contact::Email(e) => {
                let (local, domain) = e.split_once('@').unwrap_or((e, ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}•••@{domain}")
            }
        }
    }
    pub fn value(&self) -> &str {
        match self {
            Contact::Mobile(v) | Contact::Email(v) => v,
        }
    }
    pub fn parse(input: &str) -> Result<Contact, &'static str> {
        let s = input.trim();
        if s.contains('@') {
            validation::email(s).map(Contact::Email)
        } else {
            validation::mobile(s)
                .map(Contact::Mobile)
                .map_err(|_| "validation.contact")
        }
    }
}

/// A gift form that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidGift {
    pub target_kind: &'static str,
    pub target_code: Option<String>,
    pub attempt: String,
    pub amount_rials: i64,
    pub display_name: Option<String>,
    pub dedication: Option<(&'static str, String)>,
    pub contact: Option<Contact>,
    pub monthly: bool,
    pub intention: Option<super::Intention>,
    /// Only with [`super::Intention::Nazr`].
    pub nazr_purpose: Option<String>,
    /// A sponsorship's length in months (none: until the sponsor stops).
    pub months: Option<u32>,
    /// A sponsorship's later month: the pledge it pays (set by the server once the sponsor's
    /// token is checked, never from a form).
    pub pledge_id: Option<i64>,
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|s| matches!(s, "on" | "true" | "1" | "yes"))
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The shared rules of the gift form. Errors name the field and the message key.
pub fn validate_gift(f: &GiftForm) -> Result<ValidGift, (&'static str, &'static str)> {
    let target_kind = *TARGET_KINDS
        .iter()
        .find(|k| **k == f.target_kind)
        .ok_or(("target", "give.bad_target"))?;
    let target_code = match nonempty(&f.target_code) {
        None => None,
        Some(c) => Some(validation::public_code(c).ok_or(("target", "give.bad_target"))?),
    };
    match target_kind {
        "need" | "campaign" | "category_fund" if target_code.is_none() => {
            return Err(("target", "give.bad_target"))
        }
        _ => {}
    }
    let attempt = f.attempt.trim().to_string();
    if attempt.len() < 16
        || attempt.len() > 64
        || !attempt.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(("attempt", "give.stale_form"));
    }
    let toman = match nonempty(&f.amount) {
        Some("other") | None => nonempty(&f.custom)
            .ok_or(("custom", "give.amount_missing"))
            .and_then(|c| {
                validation::amount_rials(c).map_err(|_| ("custom", "validation.amount"))
            })?,
        Some(p) => validation::amount_rials(p).map_err(|_| ("amount", "validation.amount"))?,
    };
    let amount_rials = toman
        .checked_mul(10)
        .ok_or(("custom", "give.amount_too_large"))?;
    if amount_rials < MIN_GIFT_RIALS {
        return Err(("custom", "give.amount_too_small"));
    }
    if amount_rials > MAX_GIFT_RIALS {
        return Err(("custom", "give.amount_too_large"));
    }
    let display_name = if checked(&f.show_name) {
        let name = nonempty(&f.display_name).ok_or(("display_name", "validation.display_name"))?;
        let name = validation::display_name(name).map_err(|k| ("display_name", k))?;
        if name.chars().count() > 40 {
            return Err(("display_name", "validation.display_name"));
        }
        Some(name)
    } else {
        None
    };
    let dedication = match nonempty(&f.dedication_kind) {
        None | Some("none") => None,
        Some(k) => {
            let kind = *DEDICATIONS
                .iter()
                .find(|d| **d == k)
                .ok_or(("dedication_kind", "give.bad_dedication"))?;
            let text = nonempty(&f.dedication_text)
                .map(validation::normalize_persian)
                .filter(|t| (2..=80).contains(&t.chars().count()))
                .ok_or(("dedication_text", "give.dedication_invalid"))?;
            Some((kind, text))
        }
    };
    let contact = match nonempty(&f.contact) {
        None => None,
        Some(c) => Some(Contact::parse(c).map_err(|k| ("contact", k))?),
    };
    let monthly = checked(&f.monthly);
    if monthly && contact.is_none() {
        return Err(("contact", "give.monthly_needs_contact"));
    }
    if monthly && !matches!(target_kind, "category_fund" | "urgent") {
        // A need is met once; a monthly gift goes to a fund that keeps needing.
        return Err(("monthly", "give.monthly_funds_only"));
    }
    let intention = match nonempty(&f.intention) {
        None | Some("none") => None,
        Some(w) => Some(super::Intention::parse(w).ok_or(("intention", "give.bad_intention"))?),
    };
    let nazr_purpose = match intention {
        Some(super::Intention::Nazr) => Some(
            nonempty(&f.nazr_purpose)
                .map(validation::normalize_persian)
                .filter(|t| super::NAZR_PURPOSE_CHARS.contains(&t.chars().count()))
                .ok_or(("nazr_purpose", "give.nazr_purpose_invalid"))?,
        ),
        _ => None,
    };
    Ok(ValidGift {
        target_kind,
        target_code,
        attempt,
        amount_rials,
        display_name,
        dedication,
        contact,
        monthly,
        intention,
        nazr_purpose,
        months: None,
        pledge_id: None,
    })
}

/// A receipt as its holder sees it. No personal data of any family or prisoner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub tracking_code: String,
    /// `pending`, `settled`, `failed`, `cancelled`, `flagged`.
    pub status: crate::platform::status::DonationStatus,
    pub amount_rials: i64,
    /// Part of the gift that went to the category/release fund because the target was already met.
    pub overflow_rials: i64,
    pub overflow_fund: Option<String>,
    pub target_kind: String,
    pub target_code: Option<String>,
    pub target_title: String,
    pub category: Option<String>,
    /// The target's public status (a need's `funded`, `delivered`, …).
    pub target_status: Option<String>,
    pub display_name: Option<String>,
    pub dedication_kind: Option<String>,
    pub dedication_text: Option<String>,
    pub contact_hint: Option<String>,
    pub gateway: String,
    pub test_bank: bool,
    pub gateway_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
    pub monthly: bool,
    /// The monthly pledge this gift started, with the token that cancels it in one click.
    pub pledge: Option<(String, String)>,
    pub pledge_active: bool,
    /// The link token that opens this receipt (part of its URL).
    pub token: String,
    /// Redacted news of what this gift funded (bought, delivered, released), for its donors only.
    pub updates: Vec<ImpactNote>,
    /// The intention the donor named (a nazr's purpose is never shown here: staff only).
    #[serde(default)]
    pub intention: Option<super::Intention>,
    /// The sponsor who matched this gift and what it added.
    #[serde(default)]
    pub matched: Option<(String, i64)>,
}

/// One redacted impact update, shown only to the donors of its need or campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactNote {
    pub kind: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// One line of a donor's giving history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftLine {
    pub tracking_code: String,
    pub receipt_url: String,
    pub amount_rials: i64,
    pub status: crate::platform::status::DonationStatus,
    pub target_kind: String,
    pub target_title: String,
    pub target_status: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The URL of a receipt page.
pub fn receipt_url(tracking_code: &str, token: &str) -> String {
    format!("/receipt/{tracking_code}?t={token}")
}

#[server(prefix = "/api", endpoint = "give/target")]
pub async fn load_gift_target(kind: String, code: Option<String>) -> Result<GiftTarget, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::settlement::target_for_form(&state, &kind, code.as_deref()).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Starts a gift: records it as pending and sends the giver to the gateway. Works as a plain
/// form post (302 to the gateway) and from the page's script (the router follows the redirect).
#[server(prefix = "/api", endpoint = "give/start")]
pub async fn start_gift(form: GiftForm) -> Result<String, AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    let result = async {
        let state = crate::state::use_state()?;
        let valid = validate_gift(&form).map_err(|(f, k)| AppError::invalid(f, k))?;
        let user = crate::auth::ssr::current().await?;
        let origin = super::settlement::public_origin(&state)?;
        super::settlement::start(&state, &valid, user.map(|u| u.user_id), &origin).await
    }
    .await;
    super::settlement::go_on(result, no_js, &form).await
}

#[server(prefix = "/api", endpoint = "give/receipt")]
pub async fn get_receipt(code: String, token: String) -> Result<Receipt, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::settlement::receipt(&state, &code, &token).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Finds a receipt by its tracking code and the last four digits of the phone, or the e-mail,
/// given with the gift. Rate-limited per tracking code and per address.
#[server(prefix = "/api", endpoint = "give/find-receipt")]
pub async fn find_receipt(code: String, contact: String) -> Result<String, AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    let result = async {
        let state = crate::state::use_state()?;
        super::settlement::find_receipt(&state, &code, &contact).await
    }
    .await;
    super::settlement::go_on(result, no_js, &GiftForm::default()).await
}

/// Cancels a monthly pledge with the token from its receipt or reminder. No account needed.
#[server(prefix = "/api", endpoint = "give/cancel-pledge")]
pub async fn cancel_pledge(code: String, token: String) -> Result<(), AppError> {
    let no_js = super::settlement::is_plain_form_post().await;
    async move {
        let state = crate::state::use_state()?;
        super::pledges::cancel(&state, code.trim(), token.trim()).await?;
        if no_js {
            // Without our script, land on a page that says it is done.
            leptos_axum::redirect("/pledge/cancel?done=1");
        }
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The signed-in donor's gifts, newest first, with the state of what they funded.
#[server(prefix = "/api", endpoint = "give/mine")]
pub async fn my_gifts() -> Result<Vec<GiftLine>, AppError> {
    async move {
        let me = crate::auth::ssr::require(&[crate::auth::Role::Donor]).await?;
        let state = crate::state::use_state()?;
        super::settlement::history(&state, me.user_id).await
    }
    .await
    .map_err(AppError::with_status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> GiftForm {
        GiftForm {
            target_kind: "need".into(),
            target_code: Some("N-ABC".into()),
            attempt: "a".repeat(24),
            amount: Some("250000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn presets_and_custom_amounts_in_tomans_become_rials() {
        assert_eq!(validate_gift(&form()).unwrap().amount_rials, 2_500_000);
        let mut f = form();
        f.amount = Some("other".into());
        f.custom = Some("۱۵۰٬۰۰۰".into());
        assert_eq!(validate_gift(&f).unwrap().amount_rials, 1_500_000);
        f.custom = Some("5000".into());
        assert_eq!(validate_gift(&f), Err(("custom", "give.amount_too_small")));
        f.custom = Some("900000000000".into());
        assert_eq!(validate_gift(&f), Err(("custom", "give.amount_too_large")));
        f.custom = Some("99999999999999999999".into());
        assert!(validate_gift(&f).is_err());
        f.custom = Some("-100000".into());
        assert!(validate_gift(&f).is_err());
        f.custom = None;
        assert_eq!(validate_gift(&f), Err(("custom", "give.amount_missing")));
    }

    #[test]
    fn anonymous_by_default_and_names_only_when_asked() {
        let mut f = form();
        f.display_name = Some("Sara".into());
        assert_eq!(validate_gift(&f).unwrap().display_name, None);
        f.show_name = Some("on".into());
        assert_eq!(
            validate_gift(&f).unwrap().display_name.as_deref(),
            Some("Sara")
        );
        f.display_name = None;
        assert!(validate_gift(&f).is_err());
    }

    #[test]
    fn contacts_dedications_and_pledges() {
        let mut f = form();
        f.contact = Some("۰۹۱۲۳۴۵۶۷۸۹".into());
        let v = validate_gift(&f).unwrap();
        assert_eq!(v.contact, Some(Contact::Mobile("09123456789".into())));
        assert_eq!(v.contact.unwrap().hint(), "0912•••6789");
        f.contact = Some("Donor@Example.org".into());
        assert_eq!(
            validate_gift(&f).unwrap().contact.unwrap().hint(),
            "d•••@example.org"
        );
        f.contact = Some("12345".into());
        assert_eq!(validate_gift(&f), Err(("contact", "validation.contact")));
        f.contact = None;
        f.dedication_kind = Some("memory".into());
        assert_eq!(
            validate_gift(&f),
            Err(("dedication_text", "give.dedication_invalid"))
        );
        f.dedication_text = Some("مادرم".into());
        assert_eq!(
            validate_gift(&f).unwrap().dedication,
            Some(("memory", "مادرم".to_string()))
        );
        f.monthly = Some("on".into());
        assert_eq!(
            validate_gift(&f),
            Err(("contact", "give.monthly_needs_contact"))
        );
        f.contact = Some("09123456789".into());
        assert_eq!(
            validate_gift(&f),
            Err(("monthly", "give.monthly_funds_only"))
        );
        f.target_kind = "urgent".into();
        assert!(validate_gift(&f).unwrap().monthly);
    }

    #[test]
    fn intentions_and_a_nazr_purpose() {
        let mut f = form();
        assert_eq!(validate_gift(&f).unwrap().intention, None);
        f.intention = Some("none".into());
        assert_eq!(validate_gift(&f).unwrap().intention, None);
        f.intention = Some("kaffareh".into());
        f.nazr_purpose = Some("ignored".into());
        let v = validate_gift(&f).unwrap();
        assert_eq!(v.intention, Some(crate::giving::Intention::Kaffareh));
        assert_eq!(v.nazr_purpose, None, "a purpose belongs to a nazr only");
        f.intention = Some("tithe".into());
        assert_eq!(validate_gift(&f), Err(("intention", "give.bad_intention")));
        f.intention = Some("nazr".into());
        f.nazr_purpose = Some(" ".into());
        assert_eq!(
            validate_gift(&f),
            Err(("nazr_purpose", "give.nazr_purpose_invalid"))
        );
        f.nazr_purpose = Some("برای شفای پدرم".into());
        assert_eq!(
            validate_gift(&f).unwrap().nazr_purpose.as_deref(),
            Some("برای شفای پدرم")
        );
    }

    #[test]
    fn targets_and_attempts() {
        let mut f = form();
        f.target_kind = "elsewhere".into();
        assert_eq!(validate_gift(&f), Err(("target", "give.bad_target")));
        f.target_kind = "need".into();
        f.target_code = None;
        assert_eq!(validate_gift(&f), Err(("target", "give.bad_target")));
        f.target_kind = "urgent".into();
        assert!(validate_gift(&f).is_ok());
        f.attempt = "short".into();
        assert_eq!(validate_gift(&f), Err(("attempt", "give.stale_form")));
    }
}
