//! Release campaigns on the staff side: drafted from a prisoner's file with the private debt and
//! creditor details and the eligibility checklist, verified by another person, published only when
//! every published rule holds and the prisoner consented, paid to the court's enforcement account
//! once funded (one ledger group), then released (donors told) and closed.

use super::service::{
    move_balance, pay_out, reallocate, request_disbursement, DisbursementRequest,
};
use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::giving::{is_eligible, ELIGIBILITY_RULES};
use crate::ledger::{self, Account};
use crate::platform::entity::{
    disbursement, family, impact_update, prison, prisoner, release_campaign,
};
use crate::platform::AppState;
use crate::privacy::pii::{scan, Known};
use crate::validation::{self, normalize_persian};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

fn invalid(field: &str, key: &str) -> AppError {
    AppError::invalid(field, key)
}

fn entry<'a>(who: &Authed, action: &'a str, id: &str, detail: serde_json::Value) -> Entry<'a> {
    Entry {
        actor_user_id: Some(who.user_id),
        action,
        subject_kind: "campaign",
        subject_id: Some(id.to_string()),
        detail,
    }
}

async fn campaign_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(release_campaign::Model, prisoner::Model), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let c = release_campaign::Entity::find()
        .filter(release_campaign::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pr = prisoner::Entity::find_by_id(c.prisoner_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, c.province_id, Some(pr.prison_id)).await?;
    Ok((c, pr))
}

/// The privacy guard's list for a prisoner: their own name, their family's names, prisons.
async fn known_for_prisoner(
    state: &AppState,
    pr: &prisoner::Model,
    creditor: Option<&str>,
) -> Result<Known, AppError> {
    let s = &state.sealer;
    let mut names = vec![s
        .open("prisoners.name", &pr.name_enc)
        .map_err(|e| AppError::internal("open prisoner", e))?];
    if let Some(fid) = pr.family_id {
        if let Some(f) = family::Entity::find_by_id(fid).one(&state.db).await? {
            names.push(
                s.open("families.head_name", &f.head_name_enc)
                    .map_err(|e| AppError::internal("open head name", e))?,
            );
        }
    }
    let prisons = prison::Entity::find().all(&state.db).await?;
    Ok(Known {
        person_names: names,
        prison_names: prisons
            .into_iter()
            .flat_map(|p| [p.name_fa, p.name_en])
            .collect(),
        // A creditor is often a business whose name is made of ordinary words.
        phrases: creditor.map(str::to_string).into_iter().collect(),
    })
}

fn tomans(field: &str, input: &str, allow_zero: bool) -> Result<i64, AppError> {
    let trimmed = input.trim();
    if allow_zero && (trimmed.is_empty() || validation::latin_digits(trimmed) == "0") {
        return Ok(0);
    }
    let t = validation::amount_rials(trimmed).map_err(|k| invalid(field, k))?;
    if t > 100_000_000_000 {
        return Err(invalid(field, "staff.goal_range"));
    }
    Ok(t * 10)
}

pub async fn draft(
    state: &AppState,
    who: &Authed,
    form: &CampaignForm,
) -> Result<DraftOutcome, AppError> {
    let code = validation::public_code(&form.prisoner).ok_or(AppError::NotFound)?;
    let pr = prisoner::Entity::find()
        .filter(prisoner::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let prison = prison::Entity::find_by_id(pr.prison_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(
        who,
        Permission::DraftCampaign,
        &code,
        prison.province_id,
        Some(prison.id),
    )
    .await?;
    let owed = tomans("total_owed", &form.total_owed, false)?;
    let forgiven = tomans(
        "forgiveness",
        form.forgiveness.as_deref().unwrap_or(""),
        true,
    )?;
    if forgiven >= owed {
        return Err(invalid("forgiveness", "staff.forgiveness_too_large"));
    }
    let creditor = normalize_persian(&form.creditor);
    if !(2..=120).contains(&creditor.chars().count()) {
        return Err(invalid("creditor", "staff.creditor_invalid"));
    }
    let title = normalize_persian(&form.title);
    let story = form.story.trim().to_string();
    if !(5..=120).contains(&title.chars().count()) {
        return Err(invalid("title", "staff.title_length"));
    }
    if !(20..=2000).contains(&story.chars().count()) {
        return Err(invalid("story", "staff.story_length"));
    }
    let known = known_for_prisoner(state, &pr, Some(&creditor)).await?;
    let findings = scan(&format!("{title}\n{story}"), &known);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let eligibility = serde_json::json!({
        "eligible_offence": crate::giving::OFFENCES.contains(&pr.offence_category.as_str()),
        "no_prior_conviction": !pr.prior_conviction,
        "conduct_certified": form.conduct_certified.is_some(),
        "means_tested": form.means_tested.is_some(),
    });
    let now = Utc::now();
    let ccode = crate::auth::ssr::public_code("C", 8);
    let txn = audit::begin(&state.db).await?;
    if form.prisoner_consent.is_some() && !pr.consent_campaign {
        prisoner::Entity::update_many()
            .col_expr(prisoner::Column::ConsentCampaign, Expr::value(true))
            .col_expr(prisoner::Column::ConsentCampaignAt, Expr::value(now))
            .filter(prisoner::Column::Id.eq(pr.id))
            .exec(&txn)
            .await?;
    }
    release_campaign::ActiveModel {
        public_code: Set(ccode.clone()),
        prisoner_id: Set(pr.id),
        province_id: Set(prison.province_id),
        offence_category: Set(pr.offence_category.clone()),
        total_owed_rials: Set(owed),
        forgiveness_rials: Set(forgiven),
        creditor_enc: Set(Some(
            state.sealer.seal("release_campaigns.creditor", &creditor),
        )),
        key_id: Set(state.sealer.key_id().into()),
        eligibility: Set(eligibility.to_string()),
        public_title: Set(title),
        public_story: Set(story),
        status: Set("draft".into()),
        court_account_ref: Set(None),
        author_id: Set(Some(who.user_id)),
        verifier_id: Set(None),
        published_at: Set(None),
        funded_at: Set(None),
        paid_at: Set(None),
        released_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, entry(who, "release_campaign.drafted", &ccode, serde_json::json!({
        "prisoner": pr.public_code, "total_owed_rials": owed, "forgiveness_rials": forgiven, "eligibility": eligibility,
    })))
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved { code: ccode })
}

pub async fn case(state: &AppState, who: &Authed, code: &str) -> Result<CampaignCase, AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::ViewCases, code).await?;
    let acct = ledger::account_id(&state.db, &Account::Campaign(c.id)).await?;
    let rules: serde_json::Value = serde_json::from_str(&c.eligibility).unwrap_or_default();
    Ok(CampaignCase {
        code: c.public_code,
        prisoner_code: pr.public_code,
        status: c.status,
        title: c.public_title,
        story: c.public_story,
        offence: c.offence_category,
        total_owed_rials: c.total_owed_rials,
        forgiveness_rials: c.forgiveness_rials,
        balance_rials: ledger::fund_balance(&state.db, acct).await?,
        eligibility: ELIGIBILITY_RULES
            .iter()
            .map(|r| {
                (
                    r.to_string(),
                    rules.get(r).and_then(|v| v.as_bool()).unwrap_or(false),
                )
            })
            .collect(),
        consent: pr.consent_campaign,
        mine: c.author_id == Some(who.user_id),
        court_ref: c.court_account_ref,
        released_on: c.released_on.map(|d| d.to_string()),
        withdrawn: c.withdrawn_at.is_some(),
    })
}

/// Moves a campaign from one status to the next with a conditional update (so two people
/// clicking at once move it once), plus extra columns.
async fn advance(
    txn: &sea_orm::DatabaseTransaction,
    id: i64,
    from: &str,
    to: &str,
    extra: Vec<(release_campaign::Column, sea_orm::sea_query::SimpleExpr)>,
) -> Result<(), AppError> {
    let mut q = release_campaign::Entity::update_many()
        .col_expr(release_campaign::Column::Status, Expr::value(to))
        .col_expr(release_campaign::Column::UpdatedAt, Expr::value(Utc::now()));
    for (col, v) in extra {
        q = q.col_expr(col, v);
    }
    let res = q
        .filter(release_campaign::Column::Id.eq(id))
        .filter(release_campaign::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.bad_transition"));
    }
    Ok(())
}

/// Another person checks the draft: eligible by every rule, consented, nothing identifying.
pub async fn verify(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<PublishOutcome, AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::VerifyCampaign, code).await?;
    if c.status != "draft" {
        return Err(invalid("status", "staff.bad_transition"));
    }
    if c.author_id == Some(who.user_id) {
        return Err(invalid("verifier", "staff.four_eyes"));
    }
    if !is_eligible(&c.eligibility) {
        return Err(invalid("eligibility", "staff.not_eligible"));
    }
    if !pr.consent_campaign {
        return Err(invalid("consent", "staff.no_consent"));
    }
    let creditor = c
        .creditor_enc
        .as_deref()
        .map(|b| state.sealer.open("release_campaigns.creditor", b))
        .transpose()
        .map_err(|e| AppError::internal("open creditor", e))?;
    let known = known_for_prisoner(state, &pr, creditor.as_deref()).await?;
    let findings = scan(&format!("{}\n{}", c.public_title, c.public_story), &known);
    if !findings.is_empty() {
        return Ok(PublishOutcome::Blocked { findings });
    }
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        "draft",
        "verified",
        vec![(
            release_campaign::Column::VerifierId,
            Expr::value(who.user_id),
        )],
    )
    .await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.verified",
            &c.public_code,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(PublishOutcome::Published {
        code: c.public_code,
        province_hidden: false,
    })
}

/// Publishes a verified campaign (rules and consent are checked again: either may have changed).
pub async fn publish(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::VerifyCampaign, code).await?;
    if !is_eligible(&c.eligibility) {
        return Err(invalid("eligibility", "staff.not_eligible"));
    }
    if !pr.consent_campaign {
        return Err(invalid("consent", "staff.no_consent"));
    }
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        "verified",
        "published",
        vec![(
            release_campaign::Column::PublishedAt,
            Expr::value(Utc::now()),
        )],
    )
    .await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.published",
            &c.public_code,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Pays what the campaign raised to the court's enforcement account (one ledger group from the
/// campaign's fund out of the bank). Above the disbursement threshold a manager approves first.
pub async fn pay_court(
    state: &AppState,
    who: &Authed,
    code: &str,
    court_ref: &str,
) -> Result<FulfilOutcome, AppError> {
    let (c, _pr) = campaign_in_scope(state, who, Permission::Fulfil, code).await?;
    if c.status != "funded" {
        return Err(invalid("status", "staff.not_funded"));
    }
    let court_ref = normalize_persian(court_ref);
    if !(3..=60).contains(&court_ref.chars().count()) {
        return Err(invalid("court_ref", "staff.evidence_invalid"));
    }
    let pending = disbursement::Entity::find()
        .filter(disbursement::Column::CampaignId.eq(c.id))
        .filter(disbursement::Column::Status.is_in(["awaiting_approval", "paid"]))
        .one(&state.db)
        .await?;
    if pending.is_some() {
        return Err(invalid("status", "staff.disbursement_pending"));
    }
    let acct = ledger::account_id(&state.db, &Account::Campaign(c.id)).await?;
    let amount = ledger::fund_balance(&state.db, acct).await?;
    if amount <= 0 {
        return Err(invalid("status", "staff.nothing_to_pay"));
    }
    let txn = audit::begin(&state.db).await?;
    let d = request_disbursement(
        &txn,
        who,
        DisbursementRequest {
            need_id: None,
            campaign_id: Some(c.id),
            payee_id: None,
            amount,
            purpose: "court".into(),
            reference: Some(court_ref.clone()),
            evidence: court_ref,
            subject: ("campaign", c.public_code.clone()),
        },
    )
    .await?;
    let dcode = d.public_code.clone();
    let out = if d.status == "awaiting_approval" {
        FulfilOutcome::AwaitingApproval {
            disbursement: dcode,
        }
    } else {
        pay(&txn, who, &d, &c).await?;
        FulfilOutcome::Paid {
            disbursement: dcode,
        }
    };
    txn.commit().await?;
    Ok(out)
}

/// Pays a campaign's disbursement to the court out of its fund and moves it to `paid_to_court`
/// (also used by the approval).
pub(super) async fn pay(
    txn: &sea_orm::DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    c: &release_campaign::Model,
) -> Result<(), AppError> {
    let now = pay_out(
        txn,
        who,
        d,
        Account::Campaign(c.id),
        "paid to the court's enforcement account",
        ("campaign", &c.public_code),
    )
    .await?;
    advance(
        txn,
        c.id,
        "funded",
        "paid_to_court",
        vec![
            (release_campaign::Column::PaidAt, Expr::value(now)),
            (
                release_campaign::Column::CourtAccountRef,
                Expr::value(d.reference.clone()),
            ),
        ],
    )
    .await
}

/// The prisoner walked free: the campaign shows "released", its donors are told (those who left
/// a contact), with a redacted update on their receipts.
pub async fn record_release(
    state: &AppState,
    who: &Authed,
    code: &str,
    date: &str,
) -> Result<(), AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::RecordRelease, code).await?;
    let date = crate::validation::parse_date(date)
        .filter(|d| *d <= Utc::now().date_naive())
        .ok_or_else(|| invalid("date", "staff.release_date_invalid"))?;
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        "paid_to_court",
        "released",
        vec![(release_campaign::Column::ReleasedOn, Expr::value(date))],
    )
    .await?;
    prisoner::Entity::update_many()
        .col_expr(prisoner::Column::ReleasedOn, Expr::value(date))
        .filter(prisoner::Column::Id.eq(pr.id))
        .exec(&txn)
        .await?;
    let body =
        "آزاد شد. سپاس از همراهی شما. / Released. Thank you for standing with him.".to_string();
    impact_update::ActiveModel {
        public_code: Set(crate::auth::ssr::public_code("U", 8)),
        need_id: Set(None),
        campaign_id: Set(Some(c.id)),
        kind: Set("released".into()),
        body_public: Set(body.clone()),
        author_id: Set(Some(who.user_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let donors_told = crate::giving::settlement::queue_to_donors(
        state,
        &txn,
        crate::giving::service::Owner::Campaign,
        c.id,
        "campaign_released",
        serde_json::json!({}),
    )
    .await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.released",
            &c.public_code,
            serde_json::json!({ "donors_told": donors_told }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn close(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let (c, _) = campaign_in_scope(state, who, Permission::RecordRelease, code).await?;
    let txn = audit::begin(&state.db).await?;
    advance(&txn, c.id, "released", "closed", vec![]).await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.closed",
            &c.public_code,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The prisoner gives (true) or withdraws (false) his consent to a public campaign, recorded on
/// one of his campaigns' files. Withdrawal takes every campaign of his out of public view in the
/// same transaction: one still raising goes to `withdrawn` and what it had raised to the pooled
/// release fund (the published rule for what a campaign cannot use), one not yet public simply
/// goes to `withdrawn`; one already funded keeps its status, hidden (`withdrawn_at`), because
/// the money was given to free him and is still paid to the court. Returns how many campaigns
/// were taken down.
pub async fn record_consent(
    state: &AppState,
    who: &Authed,
    code: &str,
    consent: bool,
) -> Result<u64, AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::RecordConsent, code).await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    prisoner::Entity::update_many()
        .col_expr(prisoner::Column::ConsentCampaign, Expr::value(consent))
        .col_expr(
            prisoner::Column::ConsentCampaignAt,
            Expr::value(consent.then_some(now)),
        )
        .filter(prisoner::Column::Id.eq(pr.id))
        .exec(&txn)
        .await?;
    let mut taken_down = 0;
    if !consent {
        let his = release_campaign::Entity::find()
            .filter(release_campaign::Column::PrisonerId.eq(pr.id))
            .filter(release_campaign::Column::WithdrawnAt.is_null())
            .filter(release_campaign::Column::Status.is_not_in(["withdrawn", "closed"]))
            .all(&txn)
            .await?;
        for x in his {
            let hide = release_campaign::Entity::update_many()
                .col_expr(release_campaign::Column::WithdrawnAt, Expr::value(now))
                .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
                .filter(release_campaign::Column::Id.eq(x.id));
            // Written before the balance is read: a gift settling now locks the same row first.
            let not_funded = hide
                .clone()
                .col_expr(release_campaign::Column::Status, Expr::value("withdrawn"))
                .filter(release_campaign::Column::Status.is_in(["draft", "verified", "published"]))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if not_funded {
                move_balance(
                    &txn,
                    &Account::Campaign(x.id),
                    &Account::Release,
                    "consent withdrawn: moved to the release fund by the published rule",
                    who.user_id,
                )
                .await?;
            } else {
                hide.exec(&txn).await?;
            }
            taken_down += 1;
        }
    }
    audit::record(
        &txn,
        entry(
            who,
            if consent {
                "prisoner.consent_recorded"
            } else {
                "prisoner.consent_withdrawn"
            },
            &c.public_code,
            serde_json::json!({ "prisoner": pr.public_code, "campaigns_taken_down": taken_down }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(taken_down)
}

/// A creditor forgave more after the campaign was drafted or published (a signed letter, a
/// court minute: `evidence` names it). The public campaign shows the larger match at once and
/// asks donors only for the rest; if what was raised now covers the rest, the campaign is funded
/// and what it holds beyond that goes to the pooled release fund (the published rule).
pub async fn record_forgiveness(
    state: &AppState,
    who: &Authed,
    code: &str,
    forgiveness: &str,
    evidence: &str,
) -> Result<(), AppError> {
    let (c, _pr) = campaign_in_scope(state, who, Permission::DraftCampaign, code).await?;
    if !["draft", "verified", "published"].contains(&c.status.as_str()) || c.withdrawn_at.is_some()
    {
        return Err(invalid("status", "staff.bad_transition"));
    }
    let forgiven = tomans("forgiveness", forgiveness, false)?;
    if forgiven <= c.forgiveness_rials {
        return Err(invalid("forgiveness", "staff.forgiveness_not_more"));
    }
    if forgiven >= c.total_owed_rials {
        return Err(invalid("forgiveness", "staff.forgiveness_too_large"));
    }
    let evidence = normalize_persian(evidence);
    if !(3..=120).contains(&evidence.chars().count()) {
        return Err(invalid("evidence", "staff.evidence_invalid"));
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    // Conditional on what was read: two people recording at once record once.
    let res = release_campaign::Entity::update_many()
        .col_expr(
            release_campaign::Column::ForgivenessRials,
            Expr::value(forgiven),
        )
        .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
        .filter(release_campaign::Column::Id.eq(c.id))
        .filter(release_campaign::Column::Status.eq(c.status.as_str()))
        .filter(release_campaign::Column::ForgivenessRials.eq(c.forgiveness_rials))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.bad_transition"));
    }
    let mut funded = false;
    let mut to_release_fund = 0;
    if c.status == "published" {
        let acct = ledger::account_id(&txn, &Account::Campaign(c.id)).await?;
        let held = ledger::fund_balance(&txn, acct).await?;
        let to_raise = c.total_owed_rials - forgiven;
        if held >= to_raise {
            funded = true;
            to_release_fund = held - to_raise;
            reallocate(
                &txn,
                acct,
                &Account::Release,
                to_release_fund,
                "creditor forgave more: the surplus to the release fund by the published rule",
                who.user_id,
            )
            .await?;
            advance(
                &txn,
                c.id,
                "published",
                "funded",
                vec![(release_campaign::Column::FundedAt, Expr::value(now))],
            )
            .await?;
        }
    }
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.forgiveness",
            &c.public_code,
            serde_json::json!({
                "from_rials": c.forgiveness_rials, "to_rials": forgiven, "evidence": evidence,
                "funded": funded, "to_release_fund_rials": to_release_fund,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
