//! Matching consenting prisoners to a contract: eligibility, ranking with reasons, assignment,
//! its end, and the prisoner's consent to work.

use super::*;

/// Why a prisoner cannot work on a contract, or `None` when he can.
pub(super) fn ineligible(
    p: &prisoner::Model,
    prison_id: i64,
    busy: &BTreeSet<i64>,
    certs: &[String],
    required_certs: &[String],
) -> Option<&'static str> {
    if p.prison_id != prison_id {
        Some("employment.other_prison")
    } else if p.released_on.is_some() {
        Some("employment.released")
    } else if !p.consent_work {
        Some("employment.no_consent")
    } else if p.conduct == "poor" {
        Some("employment.conduct")
    } else if busy.contains(&p.id) {
        Some("employment.already_assigned")
    } else if required_certs.iter().any(|r| !certs.contains(r)) {
        Some("employment.missing_certificate")
    } else {
        None
    }
}

/// Ranks one eligible prisoner: each reason with its points; the score is their sum.
pub(super) fn rank(
    p: &prisoner::Model,
    skills: &[String],
    certs: &[String],
    terms: &Terms,
    history: (i64, Option<f64>),
    contract_end: NaiveDate,
    today: NaiveDate,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for s in &terms.required_skills {
        if skills.contains(s) || certs.contains(s) {
            reasons.push(Reason {
                key: "employment.reason.skill".into(),
                detail: s.clone(),
                points: 30,
            });
        }
    }
    for s in certs {
        if terms.required_skills.contains(s) || terms.required_certificates.contains(s) {
            reasons.push(Reason {
                key: "employment.reason.certificate".into(),
                detail: s.clone(),
                points: 20,
            });
        }
    }
    let (past, rating) = history;
    if past > 0 {
        reasons.push(Reason {
            key: "employment.reason.experience".into(),
            detail: past.to_string(),
            points: (past * 5).min(20),
        });
    }
    if let Some(r) = rating {
        reasons.push(Reason {
            key: "employment.reason.rating".into(),
            detail: format!("{r:.1}"),
            points: (r * 4.0).round() as i64,
        });
    }
    let contract_days = (contract_end - today).num_days().max(1);
    match p.sentence_end {
        Some(end) if end >= contract_end => reasons.push(Reason {
            key: "employment.reason.stays".into(),
            detail: (end - today).num_days().to_string(),
            points: 15,
        }),
        Some(end) => {
            let left = (end - today).num_days().max(0);
            reasons.push(Reason {
                key: "employment.reason.leaves_early".into(),
                detail: left.to_string(),
                points: 15 * left / contract_days,
            })
        }
        None => reasons.push(Reason {
            key: "employment.reason.stays".into(),
            detail: String::new(),
            points: 15,
        }),
    }
    let conduct = match p.conduct.as_str() {
        "excellent" => 10,
        "good" => 5,
        _ => 0,
    };
    if conduct > 0 {
        reasons.push(Reason {
            key: "employment.reason.conduct".into(),
            detail: p.conduct.clone(),
            points: conduct,
        });
    }
    reasons
}

/// Busy prisoners (an active assignment anywhere) among `ids`.
pub(super) async fn busy_among<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<BTreeSet<i64>, AppError> {
    let mut out = BTreeSet::new();
    for chunk in ids.chunks(500) {
        for a in worker_assignment::Entity::find()
            .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
            .filter(worker_assignment::Column::PrisonerId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.insert(a.prisoner_id);
        }
    }
    Ok(out)
}

pub(super) async fn certificates_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in certificate::Entity::find()
            .filter(certificate::Column::PrisonerId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let v = out.entry(c.prisoner_id).or_default();
            if !v.contains(&c.skill) {
                v.push(c.skill);
            }
        }
    }
    Ok(out)
}

/// Candidates for an active contract: the consenting, unassigned, not released prisoners of its
/// prison holding every required certificate, ranked by skills, certificates, experience and
/// ratings, time left to serve against the contract, and conduct. At most 100.
pub async fn matches(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<Vec<Candidate>, AppError> {
    let (c, place) = staff_contract(state, who, Permission::ManageWorkers, code).await?;
    if !matches!(
        c.status,
        ContractStatus::Active | ContractStatus::OfficerApproved
    ) {
        return Err(AppError::invalid("status", "employment.not_active"));
    }
    let db = &state.db;
    let terms = terms_of(&c);
    let pool = prisoner::Entity::find()
        .filter(prisoner::Column::PrisonId.eq(place.prison.id))
        .filter(prisoner::Column::ConsentWork.eq(true))
        .filter(prisoner::Column::ReleasedOn.is_null())
        .all(db)
        .await?;
    let ids: Vec<i64> = pool.iter().map(|p| p.id).collect();
    let busy = busy_among(db, &ids).await?;
    let certs = certificates_of(db, &ids).await?;
    // Past work: ended assignments and their ratings, one grouped query.
    let mut history: HashMap<i64, (i64, Option<f64>)> = HashMap::new();
    let backend = db.get_database_backend();
    for r in db
        .query_all_raw(stmt(
            backend,
            "SELECT a.prisoner_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(COALESCE(a.rating, 0)) AS BIGINT), \
             CAST(SUM(CASE WHEN a.rating IS NULL THEN 0 ELSE 1 END) AS BIGINT) \
             FROM worker_assignments a JOIN prisoners p ON p.id = a.prisoner_id \
             WHERE p.prison_id = ? AND a.status = 'ended' GROUP BY a.prisoner_id",
            vec![place.prison.id.into()],
        ))
        .await?
    {
        let pid: i64 = r.try_get_by_index(0)?;
        let n: i64 = r.try_get_by_index(1)?;
        let sum: i64 = r.try_get_by_index(2)?;
        let rated: i64 = r.try_get_by_index(3)?;
        history.insert(pid, (n, (rated > 0).then(|| sum as f64 / rated as f64)));
    }
    let now = today();
    let none: Vec<String> = Vec::new();
    let mut out: Vec<Candidate> = pool
        .iter()
        .filter_map(|p| {
            let pc = certs.get(&p.id).unwrap_or(&none);
            if ineligible(p, place.prison.id, &busy, pc, &terms.required_certificates).is_some() {
                return None;
            }
            let skills = skills_of(&p.skills);
            let reasons = rank(
                p,
                &skills,
                pc,
                &terms,
                history.get(&p.id).copied().unwrap_or((0, None)),
                c.ends_on,
                now,
            );
            Some(Candidate {
                prisoner_code: p.public_code.clone(),
                skills,
                certificates: pc.clone(),
                score: reasons.iter().map(|r| r.points).sum(),
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.prisoner_code.cmp(&b.prisoner_code))
    });
    out.truncate(100);
    Ok(out)
}

/// Assigns a consenting prisoner to an active contract; returns his worker code.
pub async fn assign(
    state: &AppState,
    who: &Authed,
    code: &str,
    prisoner_code: &str,
) -> Result<String, AppError> {
    let (c, place) = staff_contract(state, who, Permission::ManageWorkers, code).await?;
    if c.status != ContractStatus::Active {
        return Err(AppError::invalid("status", "employment.not_active"));
    }
    let p = prisoner::Entity::find()
        .filter(prisoner::Column::PublicCode.eq(prisoner_code.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("prisoner", "employment.prisoner"))?;
    let txn = audit::begin(&state.db).await?;
    // Read inside the lock so two assignments cannot both take the last place.
    let busy = busy_among(&txn, &[p.id]).await?;
    let certs = certificates_of(&txn, &[p.id])
        .await?
        .remove(&p.id)
        .unwrap_or_default();
    if let Some(key) = ineligible(
        &p,
        place.prison.id,
        &busy,
        &certs,
        &skills_of(&c.required_certificates),
    ) {
        return Err(AppError::invalid("prisoner", key));
    }
    let taken = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
        .all(&txn)
        .await?
        .len();
    if taken >= c.headcount as usize {
        return Err(AppError::invalid("prisoner", "employment.headcount_full"));
    }
    let worker_code = crate::platform::public_code("WK", 8);
    worker_assignment::ActiveModel {
        contract_id: Set(c.id),
        prisoner_id: Set(p.id),
        worker_code: Set(worker_code.clone()),
        status: Set(AssignmentStatus::Active),
        consent_at: Set(p.consent_work_at.unwrap_or_else(Utc::now)),
        assigned_by: Set(Some(who.user_id)),
        rating: Set(None),
        created_at: Set(Utc::now()),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "worker.assigned",
            "contract",
            &c.public_code,
            serde_json::json!({ "prisoner": p.public_code, "worker": worker_code }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(worker_code)
}

/// The workshop officer ends a worker's assignment (or, for one already ended by consent
/// withdrawal or the contract's end, records it late) with a rating from 1 to 5, given with the
/// entrepreneur. Ratings feed matching and the worker's skills passport.
pub async fn end_assignment(
    state: &AppState,
    who: &Authed,
    code: &str,
    worker_code: &str,
    rating: &str,
) -> Result<(), AppError> {
    let (c, _place) = staff_contract(state, who, Permission::ManageWorkers, code).await?;
    let rating: i32 = validation::latin_digits(rating.trim())
        .parse()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| AppError::invalid("rating", "employment.rating_invalid"))?;
    let a = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .filter(worker_assignment::Column::WorkerCode.eq(worker_code.trim().to_uppercase()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("worker", "employment.worker_invalid"))?;
    if a.rating.is_some() {
        return Err(AppError::invalid("worker", "employment.already_rated"));
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    // Conditional on what was read: two officers at once rate once.
    let res = worker_assignment::Entity::update_many()
        .col_expr(
            worker_assignment::Column::Status,
            Expr::value(AssignmentStatus::Ended),
        )
        .col_expr(worker_assignment::Column::Rating, Expr::value(rating))
        .col_expr(
            worker_assignment::Column::EndedAt,
            Expr::value(a.ended_at.unwrap_or(now)),
        )
        .filter(worker_assignment::Column::Id.eq(a.id))
        .filter(worker_assignment::Column::Status.eq(a.status))
        .filter(worker_assignment::Column::Rating.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("worker", "employment.already_rated"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "worker.rated",
            "contract",
            &c.public_code,
            serde_json::json!({ "worker": a.worker_code, "rating": rating, "was": a.status }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records or withdraws a prisoner's voluntary consent to work. Withdrawal ends every active
/// assignment at once; returns how many ended.
pub async fn work_consent(
    state: &AppState,
    who: &Authed,
    prisoner_code: &str,
    consent: bool,
) -> Result<u64, AppError> {
    let p = prisoner::Entity::find()
        .filter(prisoner::Column::PublicCode.eq(prisoner_code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pr = prison::Entity::find_by_id(p.prison_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("consent", "prison missing"))?;
    check_scope(
        who,
        Permission::ManageWorkers,
        &p.public_code,
        pr.province_id,
        Some(pr.id),
    )
    .await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    prisoner::Entity::update_many()
        .col_expr(prisoner::Column::ConsentWork, Expr::value(consent))
        .col_expr(
            prisoner::Column::ConsentWorkAt,
            Expr::value(consent.then_some(now)),
        )
        .col_expr(prisoner::Column::UpdatedAt, Expr::value(now))
        .filter(prisoner::Column::Id.eq(p.id))
        .exec(&txn)
        .await?;
    let ended = if consent {
        0
    } else {
        worker_assignment::Entity::update_many()
            .col_expr(
                worker_assignment::Column::Status,
                Expr::value(AssignmentStatus::Ended),
            )
            .col_expr(worker_assignment::Column::EndedAt, Expr::value(now))
            .filter(worker_assignment::Column::PrisonerId.eq(p.id))
            .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
            .exec(&txn)
            .await?
            .rows_affected
    };
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            if consent {
                "worker.consent_given"
            } else {
                "worker.consent_withdrawn"
            },
            "prisoner",
            &p.public_code,
            serde_json::json!({ "assignments_ended": ended }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}
