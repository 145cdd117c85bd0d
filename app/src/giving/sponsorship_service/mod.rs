//! Sponsorships as their sponsors meet them: the chooser, a sponsorship's page, paying a month and
//! stopping; and how one ends for a whole family (consent withdrawn, the prisoner released).
//! Staff's side (opening a family, reports, coverage) is `casework::service::sponsorship`.

use crate::error::AppError;
use crate::giving::sponsorship::*;
use crate::giving::{Contact, ValidGift, CATEGORIES};
use crate::platform::entity::status::{
    DonationStatus, FamilyStatus, PledgeStatus, SponsorReportKind, SponsorshipEnd,
};
use crate::platform::entity::{donation, family, need, pledge, province, sponsor_report};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// A family sponsors may choose and give to now: its file open, its consent current, offered by
/// staff. (Release and consent withdrawal take the offer down.)
fn offered() -> Condition {
    Condition::all()
        .add(family::Column::Status.eq(FamilyStatus::Active))
        .add(family::Column::ConsentPublish.eq(true))
        .add(family::Column::SponsorStory.is_not_null())
}

/// The family a sponsor's gift names, if it can take one now.
pub async fn open_family(db: &DatabaseConnection, code: &str) -> Result<family::Model, AppError> {
    let by_code = family::Entity::find().filter(family::Column::PublicCode.eq(code));
    if let Some(f) = by_code.clone().filter(offered()).one(db).await? {
        return Ok(f);
    }
    // Not offered: an unknown code, or a family no longer offered.
    match by_code.one(db).await? {
        Some(_) => Err(AppError::invalid("family", "sponsor.family_unavailable")),
        None => Err(AppError::NotFound),
    }
}

async fn province_names(db: &impl ConnectionTrait) -> Result<Vec<province::Model>, AppError> {
    Ok(province::Entity::find().all(db).await?)
}

fn card(f: family::Model, provinces: &[province::Model]) -> FamilyCard {
    FamilyCard {
        province: provinces
            .iter()
            .find(|p| p.id == f.province_id)
            .map(crate::giving::service::province_name)
            .unwrap_or_default(),
        code: f.public_code,
        kind: f.sponsor_kind.unwrap_or_default(),
        household_band: crate::platform::household_band(f.household_size).into(),
        story: f.sponsor_story.unwrap_or_default(),
        sponsors: f.sponsors,
    }
}

/// Up to [`CHOICES`] families in the province and kind asked for (either may be empty: any), the
/// fewest sponsors first, then the longest waiting. Read from the chooser's index.
pub async fn choices(
    state: &AppState,
    province_code: Option<&str>,
    kind: Option<&str>,
) -> Result<SponsorChoice, AppError> {
    let db = &state.db;
    let provinces = province_names(db).await?;
    let mut q = family::Entity::find().filter(offered());
    if let Some(code) = province_code.map(str::trim).filter(|c| !c.is_empty()) {
        let p = provinces
            .iter()
            .find(|p| p.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| AppError::invalid("province", "sponsor.bad_filter"))?;
        q = q.filter(family::Column::ProvinceId.eq(p.id));
    }
    if let Some(k) = kind.map(str::trim).filter(|k| !k.is_empty()) {
        let k = CATEGORIES
            .iter()
            .find(|c| **c == k)
            .ok_or_else(|| AppError::invalid("kind", "sponsor.bad_filter"))?;
        q = q.filter(family::Column::SponsorKind.eq(*k));
    }
    let families = q
        .order_by_asc(family::Column::Sponsors)
        .order_by_asc(family::Column::SponsorOpenedAt)
        .order_by_asc(family::Column::Id)
        .limit(CHOICES)
        .all(db)
        .await?;
    Ok(SponsorChoice {
        families: families.into_iter().map(|f| card(f, &provinces)).collect(),
        attempt: crate::giving::settlement::fresh_attempt(),
        test_bank: state.gateways.active().is_test(),
    })
}

/// A sponsorship by its link token; not found for any other pledge.
async fn by_token(state: &AppState, code: &str, token: &str) -> Result<pledge::Model, AppError> {
    let code = crate::validation::latin_digits(code).to_uppercase();
    let p = crate::giving::pledges::by_token(state, &code, token).await?;
    if p.family_id.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// A sponsorship's page: the family (while it consents), the months paid and the reports sent
/// while it ran.
pub async fn view(state: &AppState, code: &str, token: &str) -> Result<SponsorshipView, AppError> {
    let db = &state.db;
    let p = by_token(state, code, token).await?;
    let f = family::Entity::find_by_id(p.family_id.unwrap_or_default())
        .filter(family::Column::ConsentPublish.eq(true))
        .one(db)
        .await?;
    let months = donation::Entity::find()
        .filter(donation::Column::PledgeId.eq(p.id))
        .order_by_desc(donation::Column::CreatedAt)
        .limit(36)
        .all(db)
        .await?
        .into_iter()
        .map(|d| SponsoredMonth {
            receipt_url: crate::giving::settlement::signed_receipt_url(state, &d.tracking_code),
            tracking_code: d.tracking_code,
            amount_rials: d.amount_rials,
            status: d.status,
            at: d.settled_at.unwrap_or(d.created_at),
        })
        .collect();
    let reports = match &f {
        Some(f) => reports_during(db, f.id, p.created_at, p.cancelled_at).await?,
        None => Vec::new(),
    };
    let provinces = province_names(db).await?;
    Ok(SponsorshipView {
        token: crate::giving::pledges::cancel_token(state, &p.public_code),
        code: p.public_code,
        family: f.map(|f| card(f, &provinces)),
        amount_rials: p.amount_rials,
        status: p.status,
        end_reason: p.end_reason,
        started_on: p.created_at.date_naive(),
        ends_on: p.ends_on,
        next_due_on: p.next_due_on,
        months,
        reports,
        attempt: crate::giving::settlement::fresh_attempt(),
        test_bank: state.gateways.active().is_test(),
    })
}

/// The family's reports sent while this sponsorship ran, newest first.
async fn reports_during(
    db: &DatabaseConnection,
    family_id: i64,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ReportNote>, AppError> {
    let mut q = sponsor_report::Entity::find()
        .filter(sponsor_report::Column::FamilyId.eq(family_id))
        .filter(sponsor_report::Column::CreatedAt.gte(from));
    if let Some(to) = to {
        q = q.filter(sponsor_report::Column::CreatedAt.lte(to));
    }
    Ok(q.order_by_desc(sponsor_report::Column::CreatedAt)
        .limit(40)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ReportNote {
            code: r.public_code,
            kind: r.kind,
            body: r.body,
            thanks: r.thanks,
            bought: serde_json::from_str(&r.bought).unwrap_or_default(),
            at: r.created_at,
        })
        .collect())
}

/// Pays this month of a sponsorship: a gift to the family's fund under the pledge, through the
/// gateway like any other. Refused once it has ended, and when a month was paid in the last 20
/// days (a second tap is not a second month).
pub async fn pay(
    state: &AppState,
    code: &str,
    token: &str,
    attempt: &str,
    origin: &str,
) -> Result<String, AppError> {
    let db = &state.db;
    let p = by_token(state, code, token).await?;
    if p.status == PledgeStatus::Cancelled {
        return Err(AppError::invalid("pledge", "sponsor.ended"));
    }
    let f = family::Entity::find_by_id(p.family_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let recent = donation::Entity::find()
        .filter(donation::Column::PledgeId.eq(p.id))
        .filter(donation::Column::Status.eq(DonationStatus::Settled))
        .filter(donation::Column::SettledAt.gt(Utc::now() - Duration::days(20)))
        .one(db)
        .await?;
    if recent.is_some() {
        return Err(AppError::invalid("pledge", "sponsor.paid_this_month"));
    }
    let contact = crate::giving::pledges::contact_of(state, &p)?
        .map(|c| Contact::parse(&c))
        .transpose()
        .map_err(|_| AppError::internal("pledge contact", "unreadable"))?;
    if attempt.len() < 16
        || attempt.len() > 64
        || !attempt.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(AppError::invalid("attempt", "give.stale_form"));
    }
    let gift = ValidGift {
        target_kind: "family",
        target_code: Some(f.public_code),
        attempt: attempt.to_string(),
        amount_rials: p.amount_rials,
        display_name: None,
        dedication: None,
        contact,
        monthly: false,
        intention: None,
        nazr_purpose: None,
        months: None,
        pledge_id: Some(p.id),
    };
    crate::giving::settlement::start(state, &gift, p.donor_user_id, origin).await
}

/// The sponsor stops: the pledge ends (the family keeps what was given), once.
pub async fn stop(state: &AppState, code: &str, token: &str) -> Result<(), AppError> {
    let p = by_token(state, code, token).await?;
    crate::giving::pledges::stopped_by_donor(state, &p).await
}

/// Tells a sponsor that the sponsorship ended and why, with the link to its page.
pub async fn tell_ended(
    state: &AppState,
    txn: &impl ConnectionTrait,
    p: &pledge::Model,
    contact: &str,
    reason: SponsorshipEnd,
) -> Result<(), AppError> {
    let token = crate::giving::pledges::cancel_token(state, &p.public_code);
    crate::notify::enqueue(
        txn,
        &state.sealer,
        contact,
        "sponsorship_ended",
        crate::i18n::Locale::Fa,
        serde_json::json!({
            "pledge": p.public_code,
            "reason": reason.as_str(),
            "url": sponsorship_url(&p.public_code, &token),
        }),
    )
    .await
}

/// Ends every sponsorship of a family (consent withdrawn, the prisoner released), tells each
/// sponsor, and takes the family off the chooser, in the caller's transaction. Returns how many
/// ended.
pub async fn end_family(
    state: &AppState,
    txn: &DatabaseTransaction,
    family_id: i64,
    reason: SponsorshipEnd,
) -> Result<usize, AppError> {
    let running = pledge::Entity::find()
        .filter(pledge::Column::FamilyId.eq(family_id))
        .filter(pledge::Column::Status.is_in([PledgeStatus::Pending, PledgeStatus::Active]))
        .all(txn)
        .await?;
    let mut ended = 0;
    for p in &running {
        if !crate::giving::pledges::end(txn, p.id, reason).await? {
            continue;
        }
        ended += 1;
        if let Some(contact) = crate::giving::pledges::contact_of(state, p)? {
            tell_ended(state, txn, p, &contact, reason).await?;
        }
    }
    family::Entity::update_many()
        .col_expr(
            family::Column::SponsorStory,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            family::Column::SponsorKind,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            family::Column::SponsorOpenedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(family::Column::Id.eq(family_id))
        .exec(txn)
        .await?;
    tracing::info!(family_id, %reason, ended, "sponsorships of a family ended");
    Ok(ended)
}

/// Public titles of the family's needs delivered since `since` (what a report says was bought).
pub async fn bought_since(
    db: &impl ConnectionTrait,
    family_id: i64,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<String>, AppError> {
    let since = since.unwrap_or_else(|| Utc::now() - Duration::days(REPORT_EVERY_DAYS + 2));
    Ok(need::Entity::find()
        .filter(need::Column::FamilyId.eq(family_id))
        .filter(need::Column::DeliveredAt.gt(since))
        .filter(need::Column::WithdrawnAt.is_null())
        .order_by_asc(need::Column::DeliveredAt)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.public_title)
        .collect())
}

/// When the family's last report went out.
pub async fn last_report(
    db: &impl ConnectionTrait,
    family_id: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(sponsor_report::Entity::find()
        .filter(sponsor_report::Column::FamilyId.eq(family_id))
        .order_by_desc(sponsor_report::Column::CreatedAt)
        .one(db)
        .await?
        .map(|r| r.created_at))
}

/// Stores a report and tells every running sponsor of the family; returns how many were told.
pub async fn file_report(
    state: &AppState,
    txn: &DatabaseTransaction,
    family_id: i64,
    kind: SponsorReportKind,
    body: String,
    thanks: Option<String>,
    author_id: i64,
) -> Result<(String, i32), AppError> {
    let since = last_report(txn, family_id).await?;
    let bought = bought_since(txn, family_id, since).await?;
    let running = pledge::Entity::find()
        .filter(pledge::Column::FamilyId.eq(family_id))
        .filter(pledge::Column::Status.eq(PledgeStatus::Active))
        .all(txn)
        .await?;
    let code = crate::platform::public_code("SR", 8);
    sponsor_report::Entity::insert(sponsor_report::ActiveModel {
        public_code: Set(code.clone()),
        family_id: Set(family_id),
        kind: Set(kind),
        body: Set(body),
        thanks: Set(thanks),
        bought: Set(serde_json::to_string(&bought).unwrap_or_else(|_| "[]".into())),
        sponsors_told: Set(running.len() as i32),
        author_id: Set(Some(author_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    // A closing report is announced with the sponsorship's end (`end_family`), in one message.
    if kind == SponsorReportKind::Quarterly {
        for p in &running {
            let Some(contact) = crate::giving::pledges::contact_of(state, p)? else {
                continue;
            };
            let token = crate::giving::pledges::cancel_token(state, &p.public_code);
            crate::notify::enqueue(
                txn,
                &state.sealer,
                &contact,
                "sponsor_report",
                crate::i18n::Locale::Fa,
                serde_json::json!({
                    "pledge": p.public_code,
                    "url": sponsorship_url(&p.public_code, &token),
                }),
            )
            .await?;
        }
    }
    Ok((code, running.len() as i32))
}

/// The prisoner of a family was released: its sponsors get a closing report and their
/// sponsorships end, in the release's transaction. Nothing happens for a family no one sponsors.
pub async fn close_on_release(
    state: &AppState,
    txn: &DatabaseTransaction,
    family_id: i64,
    by: i64,
) -> Result<usize, AppError> {
    let running = pledge::Entity::find()
        .filter(pledge::Column::FamilyId.eq(family_id))
        .filter(pledge::Column::Status.is_in([PledgeStatus::Pending, PledgeStatus::Active]))
        .count(txn)
        .await?;
    if running > 0 {
        file_report(
            state,
            txn,
            family_id,
            SponsorReportKind::Closing,
            String::new(),
            None,
            by,
        )
        .await?;
    }
    end_family(state, txn, family_id, SponsorshipEnd::Released).await
}
