//! Vocational programmes and the hours that turn into certificates.

use super::*;

pub async fn create_programme(
    state: &AppState,
    who: &Authed,
    form: &ProgrammeForm,
) -> Result<String, AppError> {
    let jail = prison::Entity::find()
        .filter(prison::Column::Code.eq(form.prison.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("prison", "staff.prison_invalid"))?;
    check_scope(
        who,
        Permission::ManageWorkers,
        &jail.code,
        jail.province_id,
        Some(jail.id),
    )
    .await?;
    let title = normalize_persian(&form.title);
    if !(2..=200).contains(&title.chars().count()) {
        return Err(AppError::invalid("title", "employment.title_invalid"));
    }
    let skill = form.skill.trim().to_ascii_lowercase();
    if !SKILLS.contains(&skill.as_str()) {
        return Err(AppError::invalid("skill", "employment.unknown_skill"));
    }
    let hours: i32 = validation::latin_digits(form.hours.trim())
        .parse()
        .ok()
        .filter(|h| (1..=2000).contains(h))
        .ok_or_else(|| AppError::invalid("hours", "employment.programme_hours"))?;
    let code = crate::platform::public_code("T", 8);
    let txn = audit::begin(&state.db).await?;
    training_programme::ActiveModel {
        public_code: Set(code.clone()),
        prison_id: Set(jail.id),
        title: Set(title),
        skill: Set(skill),
        hours: Set(hours),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "training.created",
            "programme",
            &code,
            serde_json::json!({ "prison": jail.code }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// Records training hours (enrolling on the first); when the programme's hours are reached the
/// prisoner gets its certificate, once.
pub async fn record_training(
    state: &AppState,
    who: &Authed,
    programme_code: &str,
    prisoner_code: &str,
    hours: &str,
) -> Result<TrainingStatus, AppError> {
    let prog = training_programme::Entity::find()
        .filter(training_programme::Column::PublicCode.eq(programme_code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (pr, jail) =
        prisoner_in_scope(state, who, Permission::ManageWorkers, prisoner_code).await?;
    if pr.prison_id != prog.prison_id {
        return Err(AppError::invalid("prisoner", "employment.other_prison"));
    }
    let add: i32 = validation::latin_digits(hours.trim())
        .parse()
        .ok()
        .filter(|h| (0..=200).contains(h))
        .ok_or_else(|| AppError::invalid("hours", "employment.programme_hours"))?;
    let txn = audit::begin(&state.db).await?;
    let existing = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::ProgrammeId.eq(prog.id))
        .filter(training_enrolment::Column::PrisonerId.eq(pr.id))
        .one(&txn)
        .await?;
    let (id, before, status) = match existing {
        Some(e) => (e.id, e.hours_completed, e.status),
        None => {
            let e = training_enrolment::ActiveModel {
                programme_id: Set(prog.id),
                prisoner_id: Set(pr.id),
                hours_completed: Set(0),
                status: Set(EnrolmentStatus::Enrolled),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (e.id, 0, e.status)
        }
    };
    let total = (before + add).min(prog.hours);
    let completed = total >= prog.hours;
    training_enrolment::Entity::update_many()
        .col_expr(
            training_enrolment::Column::HoursCompleted,
            Expr::value(total),
        )
        .col_expr(
            training_enrolment::Column::Status,
            Expr::value(if completed {
                EnrolmentStatus::Completed
            } else {
                EnrolmentStatus::Enrolled
            }),
        )
        .filter(training_enrolment::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let certified = completed && status != EnrolmentStatus::Completed;
    if certified {
        certificate::ActiveModel {
            prisoner_id: Set(pr.id),
            programme_id: Set(Some(prog.id)),
            title: Set(prog.title.clone()),
            skill: Set(prog.skill.clone()),
            issued_on: Set(Utc::now().date_naive()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        Entry::new(Some(who.user_id), "training.hours", "programme", &prog.public_code, serde_json::json!({ "prisoner": pr.public_code, "hours": add, "certified": certified, "prison": jail.code })),
    )
    .await?;
    txn.commit().await?;
    Ok(TrainingStatus {
        hours_completed: total,
        hours_required: prog.hours,
        certified: completed,
    })
}

pub async fn programmes(state: &AppState, who: &Authed) -> Result<Vec<ProgrammeRow>, AppError> {
    let mut prisons = prison::Entity::find();
    if let Some(ids) = who.province_filter() {
        prisons = prisons.filter(prison::Column::ProvinceId.is_in(ids));
    }
    let prisons: HashMap<i64, prison::Model> = prisons
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|p| who.covers(p.province_id, Some(p.id)))
        .map(|p| (p.id, p))
        .collect();
    let progs = training_programme::Entity::find()
        .filter(
            training_programme::Column::PrisonId.is_in(prisons.keys().copied().collect::<Vec<_>>()),
        )
        .order_by_desc(training_programme::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?;
    let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
    for e in training_enrolment::Entity::find()
        .filter(
            training_enrolment::Column::ProgrammeId
                .is_in(progs.iter().map(|p| p.id).collect::<Vec<_>>()),
        )
        .all(&state.db)
        .await?
    {
        let c = counts.entry(e.programme_id).or_default();
        c.0 += 1;
        if e.status == EnrolmentStatus::Completed {
            c.1 += 1;
        }
    }
    Ok(progs
        .into_iter()
        .map(|p| {
            let (enrolled, certified) = counts.get(&p.id).copied().unwrap_or((0, 0));
            ProgrammeRow {
                code: p.public_code,
                prison: prisons
                    .get(&p.prison_id)
                    .map(|j| j.code.clone())
                    .unwrap_or_default(),
                title: p.title,
                skill: p.skill,
                hours: p.hours,
                enrolled,
                certified,
            }
        })
        .collect())
}
