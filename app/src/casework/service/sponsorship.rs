//! Staff's side of sponsoring a family: offering a consenting family to sponsors with a redacted
//! story, the quarterly report to its sponsors, and coverage by province. The sponsor's side is
//! `giving::sponsorship_service`.

use super::*;
use crate::giving::sponsorship::{REPORT_CHARS, REPORT_EVERY_DAYS, STORY_CHARS, THANKS_CHARS};
use crate::giving::ProvinceName;
use crate::platform::entity::sponsor_report;
use sea_orm::FromQueryResult;

/// Offers a consenting family to sponsors under a kind of support with a redacted story (or
/// changes them). The privacy guard reads the story as it reads a card; a family whose prisoner
/// was released is not offered.
pub async fn open(
    state: &AppState,
    who: &Authed,
    code: &str,
    kind: &str,
    story: &str,
) -> Result<DraftOutcome, AppError> {
    let f = family_in_scope(state, who, Permission::DraftNeed, code).await?;
    if f.status != FamilyStatus::Active || !f.consent_publish {
        return Err(invalid("consent", "staff.no_consent"));
    }
    let released = prisoner::Entity::find()
        .filter(prisoner::Column::FamilyId.eq(f.id))
        .filter(prisoner::Column::ReleasedOn.is_not_null())
        .count(&state.db)
        .await?;
    if released > 0 {
        return Err(invalid("family", "sponsor.released"));
    }
    let kind = *CATEGORIES
        .iter()
        .find(|c| **c == kind.trim())
        .ok_or_else(|| invalid("kind", "sponsor.bad_filter"))?;
    let story = normalize_persian(story.trim());
    if !STORY_CHARS.contains(&story.chars().count()) {
        return Err(invalid("story", "sponsor.story_length"));
    }
    let findings = scan(&story, &known_for(state, &f).await?);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    family::Entity::update_many()
        .col_expr(family::Column::SponsorKind, Expr::value(kind))
        .col_expr(family::Column::SponsorStory, Expr::value(story))
        .col_expr(
            family::Column::SponsorOpenedAt,
            Expr::value(f.sponsor_opened_at.unwrap_or(now)),
        )
        .col_expr(family::Column::UpdatedAt, Expr::value(now))
        .filter(family::Column::Id.eq(f.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "sponsorship.offered",
            "family",
            &f.public_code,
            serde_json::json!({ "kind": kind, "changed": f.sponsor_story.is_some() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved {
        code: f.public_code,
    })
}

/// Sends a family's quarterly report to its sponsors: what staff write and the family's thanks,
/// past the privacy guard, with the needs delivered since the last report.
pub async fn report(
    state: &AppState,
    who: &Authed,
    code: &str,
    body: &str,
    thanks: Option<&str>,
) -> Result<DraftOutcome, AppError> {
    let f = family_in_scope(state, who, Permission::DraftNeed, code).await?;
    let body = normalize_persian(body.trim());
    if !REPORT_CHARS.contains(&body.chars().count()) {
        return Err(invalid("body", "sponsor.report_length"));
    }
    let thanks = match thanks.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let t = normalize_persian(t);
            if !THANKS_CHARS.contains(&t.chars().count()) {
                return Err(invalid("thanks", "sponsor.thanks_length"));
            }
            Some(t)
        }
    };
    if f.sponsors <= 0 {
        return Err(invalid("family", "sponsor.no_sponsors"));
    }
    let text = format!("{body}\n{}", thanks.as_deref().unwrap_or_default());
    let findings = scan(&text, &known_for(state, &f).await?);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let txn = audit::begin(&state.db).await?;
    let (report, told) = crate::giving::sponsorship_service::file_report(
        state,
        &txn,
        f.id,
        SponsorReportKind::Quarterly,
        body,
        thanks,
        who.user_id,
    )
    .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "sponsorship.report",
            "family",
            &f.public_code,
            serde_json::json!({ "report": report, "sponsors_told": told }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved { code: report })
}

#[derive(FromQueryResult)]
struct ProvinceCounts {
    province_id: i64,
    not_offered: i64,
    waiting: i64,
    sponsored: i64,
    sponsorships: i64,
}

/// Coverage by province (consenting families only), the families waiting longest for a first
/// sponsor and the sponsored families due a report, all in this person's scope.
pub async fn coverage(state: &AppState, who: &Authed) -> Result<Coverage, AppError> {
    let db = &state.db;
    let scope = who.province_filter();
    let in_scope = |q: sea_orm::Select<family::Entity>| match &scope {
        Some(ids) => q.filter(family::Column::ProvinceId.is_in(ids.clone())),
        None => q,
    };
    let consenting = family::Entity::find()
        .filter(family::Column::Status.eq(FamilyStatus::Active))
        .filter(family::Column::ConsentPublish.eq(true));
    let counts = in_scope(consenting)
        .select_only()
        .column(family::Column::ProvinceId)
        .expr_as(
            Expr::cust("CAST(SUM(CASE WHEN sponsor_story IS NULL THEN 1 ELSE 0 END) AS BIGINT)"),
            "not_offered",
        )
        .expr_as(
            Expr::cust("CAST(SUM(CASE WHEN sponsor_story IS NOT NULL AND sponsors = 0 THEN 1 ELSE 0 END) AS BIGINT)"),
            "waiting",
        )
        .expr_as(
            Expr::cust("CAST(SUM(CASE WHEN sponsors > 0 THEN 1 ELSE 0 END) AS BIGINT)"),
            "sponsored",
        )
        .expr_as(Expr::cust("CAST(SUM(sponsors) AS BIGINT)"), "sponsorships")
        .group_by(family::Column::ProvinceId)
        .into_model::<ProvinceCounts>()
        .all(db)
        .await?;
    let provinces = province::Entity::find()
        .order_by_asc(province::Column::SortOrder)
        .all(db)
        .await?;
    let name = |id: i64| {
        provinces
            .iter()
            .find(|p| p.id == id)
            .map(crate::giving::service::province_name)
            .unwrap_or_default()
    };
    let rows = provinces
        .iter()
        .filter_map(|p| counts.iter().find(|c| c.province_id == p.id))
        .map(|c| CoverageRow {
            province: name(c.province_id),
            not_offered: c.not_offered,
            waiting: c.waiting,
            sponsored: c.sponsored,
            sponsorships: c.sponsorships,
        })
        .collect();
    let waiting = in_scope(family::Entity::find())
        .filter(family::Column::Status.eq(FamilyStatus::Active))
        .filter(family::Column::ConsentPublish.eq(true))
        .filter(family::Column::SponsorStory.is_not_null())
        .filter(family::Column::Sponsors.eq(0))
        .order_by_asc(family::Column::SponsorOpenedAt)
        .order_by_asc(family::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let cutoff = Utc::now() - chrono::Duration::days(REPORT_EVERY_DAYS);
    let due = in_scope(family::Entity::find())
        .filter(family::Column::Sponsors.gt(0))
        .filter(
            family::Column::Id.not_in_subquery(
                Query::select()
                    .column(sponsor_report::Column::FamilyId)
                    .from(sponsor_report::Entity)
                    .and_where(sponsor_report::Column::CreatedAt.gt(cutoff))
                    .to_owned(),
            ),
        )
        .order_by_asc(family::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let mut reports_due = Vec::with_capacity(due.len());
    for f in due {
        let last_report = crate::giving::sponsorship_service::last_report(db, f.id).await?;
        reports_due.push(listed(f, &name, last_report));
    }
    Ok(Coverage {
        provinces: rows,
        waiting: waiting
            .into_iter()
            .map(|f| listed(f, &name, None))
            .collect(),
        reports_due,
    })
}

fn listed(
    f: family::Model,
    name: &impl Fn(i64) -> ProvinceName,
    last_report: Option<chrono::DateTime<Utc>>,
) -> SponsoredFamily {
    SponsoredFamily {
        province: name(f.province_id),
        code: f.public_code,
        kind: f.sponsor_kind,
        sponsors: f.sponsors,
        last_report,
    }
}
