//! Job posts, applications made by staff on a released person's behalf, and hiring decisions.

use super::*;

pub async fn post_job(
    state: &AppState,
    me: &service::Owner,
    form: &JobForm,
) -> Result<String, AppError> {
    if me.entrepreneur.status != EntrepreneurStatus::Verified {
        return Err(AppError::invalid("entrepreneur", "employment.not_verified"));
    }
    let title = normalize_persian(&form.title);
    if !(2..=200).contains(&title.chars().count()) {
        return Err(AppError::invalid("title", "employment.title_invalid"));
    }
    let prov = province::Entity::find()
        .filter(province::Column::Code.eq(form.province.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("province", "staff.province_invalid"))?;
    let skills = service::parse_skills(form.skills.as_deref(), "skills")?;
    let pay = validation::amount_rials(&form.pay).map_err(|k| AppError::invalid("pay", k))?;
    if pay > 10_000_000_000 {
        return Err(AppError::invalid("pay", "validation.amount"));
    }
    let early_days: i64 = match form
        .early_hire_days
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 0,
        Some(d) => validation::latin_digits(d)
            .parse()
            .ok()
            .filter(|d| (0..=90).contains(d))
            .ok_or_else(|| AppError::invalid("early_hire_days", "employment.early_days"))?,
    };
    let code = crate::platform::public_code("J", 8);
    let txn = audit::begin(&state.db).await?;
    job_posting::ActiveModel {
        public_code: Set(code.clone()),
        entrepreneur_id: Set(me.entrepreneur.id),
        province_id: Set(prov.id),
        title: Set(title),
        skills: Set(serde_json::to_string(&skills).unwrap_or_else(|_| "[]".into())),
        pay_rials: Set(pay * 10),
        status: Set(JobPostingStatus::Open),
        early_hire_until: Set(
            (early_days > 0).then(|| Utc::now().date_naive() + Duration::days(early_days))
        ),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(me.user_id),
            "job.posted",
            "job",
            &code,
            serde_json::json!({ "province": prov.code }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// Open job posts, newest first (public).
pub async fn jobs(state: &AppState, province_code: Option<&str>) -> Result<Vec<JobCard>, AppError> {
    open_jobs(state, province_code, None).await
}

/// An entrepreneur's own open posts with how many applied and how many wait for an answer.
pub async fn own_jobs(state: &AppState, entrepreneur_id: i64) -> Result<Vec<OwnJob>, AppError> {
    let cards = open_jobs(state, None, Some(entrepreneur_id)).await?;
    let posts: HashMap<String, i64> = job_posting::Entity::find()
        .filter(job_posting::Column::EntrepreneurId.eq(entrepreneur_id))
        .filter(job_posting::Column::Status.eq(JobPostingStatus::Open))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.public_code, p.id))
        .collect();
    let apps = job_application::Entity::find()
        .filter(
            job_application::Column::PostingId.is_in(posts.values().copied().collect::<Vec<_>>()),
        )
        .all(&state.db)
        .await?;
    Ok(cards
        .into_iter()
        .map(|card| {
            let id = posts.get(&card.code).copied().unwrap_or(-1);
            let mine = apps.iter().filter(|a| a.posting_id == id);
            OwnJob {
                applications: mine.clone().count() as i64,
                awaiting: mine
                    .filter(|a| a.status == JobApplicationStatus::Applied)
                    .count() as i64,
                card,
            }
        })
        .collect())
}

pub(super) async fn open_jobs(
    state: &AppState,
    province_code: Option<&str>,
    entrepreneur_id: Option<i64>,
) -> Result<Vec<JobCard>, AppError> {
    let db = &state.db;
    let provinces: HashMap<i64, province::Model> = province::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut q =
        job_posting::Entity::find().filter(job_posting::Column::Status.eq(JobPostingStatus::Open));
    if let Some(e) = entrepreneur_id {
        q = q.filter(job_posting::Column::EntrepreneurId.eq(e));
    }
    if let Some(pc) = province_code.map(str::trim).filter(|s| !s.is_empty()) {
        let id = provinces
            .values()
            .find(|p| p.code == pc)
            .map(|p| p.id)
            .unwrap_or(-1);
        q = q.filter(job_posting::Column::ProvinceId.eq(id));
    }
    let posts = q
        .order_by_desc(job_posting::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let companies: HashMap<i64, String> = entrepreneur::Entity::find()
        .filter(
            entrepreneur::Column::Id
                .is_in(posts.iter().map(|p| p.entrepreneur_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.company_name))
        .collect();
    Ok(posts
        .into_iter()
        .map(|p| {
            let prov = provinces.get(&p.province_id);
            JobCard {
                code: p.public_code,
                title: p.title,
                company: companies
                    .get(&p.entrepreneur_id)
                    .cloned()
                    .unwrap_or_default(),
                province_fa: prov.map(|p| p.name_fa.clone()).unwrap_or_default(),
                province_en: prov.map(|p| p.name_en.clone()).unwrap_or_default(),
                skills: service::skills_of(&p.skills),
                pay_rials: p.pay_rials,
                early_hire_until: p.early_hire_until.map(|d| d.to_string()),
            }
        })
        .collect())
}

/// Staff apply for a released person who opted in. During the early-hire window only people the
/// entrepreneur had under contract may apply.
pub async fn apply(
    state: &AppState,
    who: &Authed,
    job_code: &str,
    prisoner_code: &str,
) -> Result<String, AppError> {
    let (pr, _) = prisoner_in_scope(state, who, Permission::ManageWorkers, prisoner_code).await?;
    if !pr.consent_jobs_after_release {
        return Err(AppError::invalid("prisoner", "employment.no_job_consent"));
    }
    let post = job_posting::Entity::find()
        .filter(job_posting::Column::PublicCode.eq(job_code.trim()))
        .filter(job_posting::Column::Status.eq(JobPostingStatus::Open))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("job", "employment.job_invalid"))?;
    let today = Utc::now().date_naive();
    let in_window = post.early_hire_until.is_some_and(|d| today <= d);
    if in_window {
        let theirs: Vec<i64> = contract::Entity::find()
            .filter(contract::Column::EntrepreneurId.eq(post.entrepreneur_id))
            .all(&state.db)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        let worked = worker_assignment::Entity::find()
            .filter(worker_assignment::Column::PrisonerId.eq(pr.id))
            .filter(worker_assignment::Column::ContractId.is_in(theirs))
            .one(&state.db)
            .await?
            .is_some();
        if !worked {
            return Err(AppError::invalid("job", "employment.early_hire_only"));
        }
    } else if pr.released_on.is_none() {
        // Before release a person can only be hired early by someone he worked for.
        return Err(AppError::invalid("prisoner", "employment.not_released"));
    }
    let txn = audit::begin(&state.db).await?;
    let exists = job_application::Entity::find()
        .filter(job_application::Column::PostingId.eq(post.id))
        .filter(job_application::Column::PrisonerId.eq(pr.id))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(AppError::invalid("job", "employment.already_applied"));
    }
    job_application::ActiveModel {
        posting_id: Set(post.id),
        prisoner_id: Set(pr.id),
        status: Set(JobApplicationStatus::Applied),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let passport = passport_code(state, &pr.public_code);
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "job.applied",
            "job",
            &post.public_code,
            serde_json::json!({ "prisoner": pr.public_code }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(passport)
}

/// One of the entrepreneur's own job posts with its applications (oldest first) and the people
/// behind them (never sent out: callers turn them into passports).
pub(super) async fn own_post_applications(
    state: &AppState,
    me: &service::Owner,
    job_code: &str,
) -> Result<
    (
        job_posting::Model,
        Vec<(job_application::Model, prisoner::Model)>,
    ),
    AppError,
> {
    let post = job_posting::Entity::find()
        .filter(job_posting::Column::PublicCode.eq(job_code.trim()))
        .filter(job_posting::Column::EntrepreneurId.eq(me.entrepreneur.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let apps = job_application::Entity::find()
        .filter(job_application::Column::PostingId.eq(post.id))
        .order_by_asc(job_application::Column::Id)
        .all(&state.db)
        .await?;
    let mut people: HashMap<i64, prisoner::Model> = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(apps.iter().map(|a| a.prisoner_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let pairs = apps
        .into_iter()
        .filter_map(|a| people.remove(&a.prisoner_id).map(|p| (a, p)))
        .collect();
    Ok((post, pairs))
}

/// An entrepreneur's applicants: passports only.
pub async fn applicants(
    state: &AppState,
    me: &service::Owner,
    job_code: &str,
) -> Result<Vec<(JobApplicationStatus, Passport)>, AppError> {
    let (_, apps) = own_post_applications(state, me, job_code).await?;
    let mut out = Vec::new();
    for (a, p) in apps {
        out.push((a.status, passport(state, &p).await?));
    }
    Ok(out)
}

/// The employer's answer to an application, by the applicant's passport code: `accepted` or
/// `declined` (once; an answer is not changed). The applicants list shows it.
pub async fn decide(
    state: &AppState,
    me: &service::Owner,
    job_code: &str,
    passport: &str,
    hire: bool,
) -> Result<(), AppError> {
    let (post, apps) = own_post_applications(state, me, job_code).await?;
    let wanted = passport.trim().to_uppercase();
    let (app, _) = apps
        .iter()
        .find(|(_, p)| passport_code(state, &p.public_code) == wanted)
        .ok_or_else(|| AppError::invalid("passport", "employment.application_invalid"))?;
    let to = if hire {
        JobApplicationStatus::Accepted
    } else {
        JobApplicationStatus::Declined
    };
    let txn = audit::begin(&state.db).await?;
    let res = job_application::Entity::update_many()
        .col_expr(job_application::Column::Status, Expr::value(to))
        .filter(job_application::Column::Id.eq(app.id))
        .filter(job_application::Column::Status.eq(JobApplicationStatus::Applied))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("passport", "employment.already_decided"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(me.user_id),
            if hire { "job.accepted" } else { "job.declined" },
            "job",
            &post.public_code,
            serde_json::json!({ "passport": wanted }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
