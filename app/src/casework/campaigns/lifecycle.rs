//! A campaign drafted, read as a case, verified by a second person and published.

use super::*;

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
    let ccode = crate::platform::public_code("C", 8);
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
        status: Set(CampaignStatus::Draft),
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
        intention_gifts: crate::giving::intention::rules::gifts_with(
            state,
            crate::giving::service::Owner::Campaign,
            c.id,
        )
        .await?,
    })
}

/// Moves a campaign from one status to the next with a conditional update (so two people
/// clicking at once move it once), plus extra columns.
pub(super) async fn advance(
    txn: &sea_orm::DatabaseTransaction,
    id: i64,
    from: CampaignStatus,
    to: CampaignStatus,
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
    if c.status != CampaignStatus::Draft {
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
        CampaignStatus::Draft,
        CampaignStatus::Verified,
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
        CampaignStatus::Verified,
        CampaignStatus::Published,
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
