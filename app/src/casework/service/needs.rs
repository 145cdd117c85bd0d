//! Needs: drafted and edited behind the privacy guard, checked for k-anonymity, verified and
//! published.

use super::*;

pub(super) fn check_public_text(title: &str, story: &str) -> Result<(String, String), AppError> {
    let title = normalize_persian(title);
    let story = story.trim().to_string();
    if !(5..=120).contains(&title.chars().count()) {
        return Err(invalid("title", "staff.title_length"));
    }
    if !(20..=2000).contains(&story.chars().count()) {
        return Err(invalid("story", "staff.story_length"));
    }
    Ok((title, story))
}

/// The goal (tomans), public title and story, and deadline of a need, as drafted or corrected.
pub(super) fn check_need_fields(
    goal: &str,
    title: &str,
    story: &str,
    deadline: &Option<String>,
) -> Result<(i64, String, String, Option<NaiveDate>), AppError> {
    let tomans = validation::amount_rials(goal).map_err(|k| invalid("goal", k))?;
    if !(10_000..=10_000_000_000).contains(&tomans) {
        return Err(invalid("goal", "staff.goal_range"));
    }
    let (title, story) = check_public_text(title, story)?;
    let deadline = match opt(deadline) {
        None => None,
        Some(d) => Some(
            validation::parse_date(&d)
                .filter(|d| *d > Utc::now().date_naive())
                .ok_or_else(|| invalid("deadline", "staff.deadline_invalid"))?,
        ),
    };
    Ok((tomans, title, story, deadline))
}

pub async fn draft_need(
    state: &AppState,
    who: &Authed,
    form: &NeedForm,
) -> Result<DraftOutcome, AppError> {
    let f = family_in_scope(state, who, Permission::DraftNeed, &form.family).await?;
    if !CATEGORIES.contains(&form.category.as_str()) {
        return Err(invalid("category", "staff.category_invalid"));
    }
    let (tomans, title, story, deadline) =
        check_need_fields(&form.goal, &form.title, &form.story, &form.deadline)?;
    let occasion = match opt(&form.occasion) {
        None => None,
        Some(o) => Some(
            crate::giving::OCCASION_KEYS
                .iter()
                .find(|k| **k == o)
                .filter(|_| form.category == "gift")
                .ok_or_else(|| invalid("occasion", "staff.occasion_invalid"))?
                .to_string(),
        ),
    };
    let known = known_for(state, &f).await?;
    let findings = scan(&format!("{title}\n{story}"), &known);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let now = Utc::now();
    let code = crate::platform::public_code("N", 8);
    let txn = audit::begin(&state.db).await?;
    need::ActiveModel {
        public_code: Set(code.clone()),
        family_id: Set(f.id),
        province_id: Set(f.province_id),
        category: Set(form.category.clone()),
        search_text: Set(Some(crate::validation::search_text(&format!(
            "{title} {story}"
        )))),
        public_title: Set(title),
        public_story: Set(story),
        private_notes_enc: Set(
            opt(&form.private_notes).map(|v| state.sealer.seal("needs.private_notes", &v))
        ),
        key_id: Set(state.sealer.key_id().into()),
        goal_rials: Set(tomans * 10),
        household_band: Set(household_band(f.household_size).into()),
        age_band: Set(None),
        occasion: Set(occasion.clone()),
        deadline: Set(deadline),
        status: Set(NeedStatus::AwaitingVerification),
        fulfilment_method: Set("vendor".into()),
        hide_province: Set(false),
        author_id: Set(Some(who.user_id)),
        verifier_id: Set(None),
        published_at: Set(None),
        funded_at: Set(None),
        purchased_at: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "need.drafted",
            "need",
            &code,
            serde_json::json!({
                "family": f.public_code, "category": form.category, "goal_rials": tomans * 10,
                "occasion": occasion,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved { code })
}

/// Corrects a need before it is verified (or after the privacy guard held it): goal, public
/// text, deadline, private notes. The same checks as drafting run again, the privacy scan
/// included. Whoever corrects the public text becomes its author, so the four-eyes rule still
/// holds: the person who wrote what the public will read never verifies it.
pub(super) const EDITABLE_NEED_STATUSES: [NeedStatus; 1] = [NeedStatus::AwaitingVerification];

pub async fn edit_need(
    state: &AppState,
    who: &Authed,
    form: &NeedEdit,
) -> Result<DraftOutcome, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::DraftNeed, &form.code).await?;
    if !EDITABLE_NEED_STATUSES.contains(&n.status) {
        return Err(invalid("status", "staff.not_editable"));
    }
    let (tomans, title, story, deadline) =
        check_need_fields(&form.goal, &form.title, &form.story, &form.deadline)?;
    let known = known_for(state, &f).await?;
    let findings = scan(&format!("{title}\n{story}"), &known);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let (title_changed, story_changed) = (title != n.public_title, story != n.public_story);
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let mut q = need::Entity::update_many()
        .col_expr(need::Column::GoalRials, Expr::value(tomans * 10))
        .col_expr(
            need::Column::SearchText,
            Expr::value(crate::validation::search_text(&format!("{title} {story}"))),
        )
        .col_expr(need::Column::PublicTitle, Expr::value(title))
        .col_expr(need::Column::PublicStory, Expr::value(story))
        .col_expr(need::Column::Deadline, Expr::value(deadline))
        .col_expr(need::Column::AuthorId, Expr::value(who.user_id))
        .col_expr(need::Column::UpdatedAt, Expr::value(now));
    let notes_replaced = match opt(&form.private_notes) {
        Some(v) => {
            q = q
                .col_expr(
                    need::Column::PrivateNotesEnc,
                    Expr::value(state.sealer.seal("needs.private_notes", &v)),
                )
                .col_expr(need::Column::KeyId, Expr::value(state.sealer.key_id()));
            true
        }
        None => false,
    };
    // Conditional on the status read: a need verified meanwhile is not changed under its verifier.
    let res = q
        .filter(need::Column::Id.eq(n.id))
        .filter(need::Column::Status.eq(n.status))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.not_editable"));
    }
    audit::record(
        &txn,
        audit_entry(
            who,
            "need.edited",
            "need",
            &n.public_code,
            serde_json::json!({
                "goal_rials": [n.goal_rials, tomans * 10],
                "title_changed": title_changed,
                "story_changed": story_changed,
                "private_notes_replaced": notes_replaced,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved {
        code: n.public_code,
    })
}

pub async fn need_case(state: &AppState, who: &Authed, code: &str) -> Result<CaseNeed, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::ViewCases, code).await?;
    case_need(state, who, &n, &f.public_code).await
}

/// How many distinct families share a card's public attributes (all cases on file, whatever
/// their status: the crowd a card hides in is everyone it could be).
pub async fn families_sharing(
    db: &impl ConnectionTrait,
    n: &need::Model,
    offence: Option<&str>,
    with_province: bool,
) -> Result<u64, AppError> {
    let mut q = Query::select();
    q.expr(Expr::col((need::Entity, need::Column::FamilyId)).count_distinct())
        .from(need::Entity)
        .and_where(Expr::col((need::Entity, need::Column::Category)).eq(n.category.as_str()))
        .and_where(
            Expr::col((need::Entity, need::Column::HouseholdBand)).eq(n.household_band.as_str()),
        );
    if let Some(age) = &n.age_band {
        q.and_where(Expr::col((need::Entity, need::Column::AgeBand)).eq(age.as_str()));
    }
    if with_province {
        q.and_where(Expr::col((need::Entity, need::Column::ProvinceId)).eq(n.province_id));
    }
    if let Some(o) = offence {
        q.inner_join(
            prisoner::Entity,
            Expr::col((prisoner::Entity, prisoner::Column::FamilyId))
                .equals((need::Entity, need::Column::FamilyId)),
        )
        .and_where(Expr::col((prisoner::Entity, prisoner::Column::OffenceCategory)).eq(o));
    }
    let row = db
        .query_one_raw(db.get_database_backend().build(&q))
        .await?
        .ok_or_else(|| AppError::internal("k-anonymity", "no row"))?;
    let n: i64 = row.try_get_by_index(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Verifies someone else's draft and publishes it past both guards, or says why not.
pub async fn verify_and_publish(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<PublishOutcome, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::VerifyNeed, code).await?;
    if n.status != NeedStatus::AwaitingVerification {
        return Err(invalid("status", "staff.not_awaiting_verification"));
    }
    if n.author_id == Some(who.user_id) {
        return Err(invalid("verifier", "staff.four_eyes"));
    }
    if !f.consent_publish {
        return Err(invalid("consent", "staff.no_consent"));
    }
    let known = known_for(state, &f).await?;
    let findings = scan(&format!("{}\n{}", n.public_title, n.public_story), &known);
    if !findings.is_empty() {
        return Ok(PublishOutcome::Blocked { findings });
    }
    let offence = prisoner::Entity::find()
        .filter(prisoner::Column::FamilyId.eq(f.id))
        .one(&state.db)
        .await?
        .map(|p| p.offence_category);
    let in_province = families_sharing(&state.db, &n, offence.as_deref(), true).await?;
    let hide_province = if in_province >= K_ANONYMITY {
        false
    } else {
        let national = families_sharing(&state.db, &n, offence.as_deref(), false).await?;
        if national < K_ANONYMITY {
            let txn = audit::begin(&state.db).await?;
            audit::record(
                &txn,
                audit_entry(
                    who,
                    "need.held",
                    "need",
                    &n.public_code,
                    serde_json::json!({ "families_sharing": national, "k": K_ANONYMITY }),
                ),
            )
            .await?;
            txn.commit().await?;
            return Ok(PublishOutcome::Held { families: national });
        }
        true
    };
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let res = need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value(NeedStatus::Published))
        .col_expr(need::Column::VerifierId, Expr::value(who.user_id))
        .col_expr(need::Column::PublishedAt, Expr::value(now))
        .col_expr(need::Column::HideProvince, Expr::value(hide_province))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .filter(need::Column::Status.eq(NeedStatus::AwaitingVerification))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.not_awaiting_verification"));
    }
    audit::record(&txn, audit_entry(who, "need.published", "need", &n.public_code,
        serde_json::json!({ "province_hidden": hide_province, "families_sharing_in_province": in_province }))).await?;
    txn.commit().await?;
    Ok(PublishOutcome::Published {
        code: n.public_code,
        province_hidden: hide_province,
    })
}
