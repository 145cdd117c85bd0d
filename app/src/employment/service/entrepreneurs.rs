//! Entrepreneurs: registration, verification by staff, and the catalogue of workshops and skills
//! they contract from.

use super::*;

/// Skill codes typed as a list (commas, Persian commas or spaces); each must be known.
pub fn parse_skills(input: Option<&str>, field: &str) -> Result<Vec<String>, AppError> {
    let mut out = BTreeSet::new();
    for s in input
        .unwrap_or_default()
        .split(|c: char| c == ',' || c == '،' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let s = s.to_ascii_lowercase();
        if !SKILLS.contains(&s.as_str()) {
            return Err(AppError::invalid(field, "employment.unknown_skill"));
        }
        out.insert(s);
    }
    Ok(out.into_iter().collect())
}

pub async fn register(
    state: &AppState,
    form: &RegisterForm,
) -> Result<(user::Model, String), AppError> {
    let company = normalize_persian(&form.company_name);
    if !(2..=120).contains(&company.chars().count()) {
        return Err(AppError::invalid(
            "company_name",
            "employment.company_name_invalid",
        ));
    }
    let company_id = validation::national_company_id(&form.national_company_id)
        .map_err(|k| AppError::invalid("national_company_id", k))?;
    let economic = validation::economic_code(&form.economic_code)
        .map_err(|k| AppError::invalid("economic_code", k))?;
    let contact = validation::display_name(&form.contact_name)
        .map_err(|k| AppError::invalid("contact_name", k))?;
    let phone = validation::mobile(&form.contact_phone)
        .map_err(|k| AppError::invalid("contact_phone", k))?;
    if !SECTORS.contains(&form.sector.as_str()) {
        return Err(AppError::invalid("sector", "employment.sector_invalid"));
    }
    let prov = province::Entity::find()
        .filter(province::Column::Code.eq(form.province.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("province", "staff.province_invalid"))?;
    let email = validation::email(&form.email).map_err(|k| AppError::invalid("email", k))?;
    validation::password(&form.password).map_err(|k| AppError::invalid("password", k))?;
    let taken = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::NationalCompanyId.eq(&company_id))
        .one(&state.db)
        .await?
        .is_some();
    if taken {
        return Err(AppError::invalid(
            "national_company_id",
            "employment.company_taken",
        ));
    }
    let password = form.password.clone();
    let hash =
        crate::auth::ssr::hashing(move || crate::auth::ssr::hash_password(&password)).await??;
    let locale = crate::i18n::request_locale().code();
    let txn = audit::begin(&state.db).await?;
    let u = crate::auth::ssr::create_user(
        &txn,
        crate::auth::ssr::NewUser {
            email: Some(&email),
            display_name: &contact,
            password_hash: hash,
            role: Role::Entrepreneur,
            locale,
        },
    )
    .await?;
    let code = crate::platform::public_code("E", 8);
    entrepreneur::ActiveModel {
        public_code: Set(code.clone()),
        user_id: Set(u.id),
        province_id: Set(prov.id),
        company_name: Set(company),
        national_company_id: Set(company_id),
        economic_code: Set(economic),
        contact_name: Set(contact),
        contact_phone: Set(phone),
        sector: Set(form.sector.clone()),
        status: Set(EntrepreneurStatus::Pending),
        verified_by: Set(None),
        verified_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        // Two registrations of one company racing: the unique index answers.
        tracing::warn!(error = %e, "entrepreneur insert refused");
        AppError::invalid("national_company_id", "employment.company_taken")
    })?;
    audit::record(
        &txn,
        Entry::new(
            Some(u.id),
            "entrepreneur.registered",
            "entrepreneur",
            &code,
            serde_json::json!({ "province": prov.code }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(entrepreneur = %code, "entrepreneur registered");
    Ok((u, code))
}

pub async fn verify_entrepreneur(
    state: &AppState,
    who: &Authed,
    code: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let e = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(
        who,
        Permission::VerifyEntrepreneur,
        code,
        e.province_id,
        None,
    )
    .await?;
    if e.status != EntrepreneurStatus::Pending {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    let reason = reason.map(normalize_persian).filter(|r| !r.is_empty());
    if !approve && reason.is_none() {
        return Err(AppError::invalid("reason", "employment.reason_required"));
    }
    let txn = audit::begin(&state.db).await?;
    let res = entrepreneur::Entity::update_many()
        .col_expr(
            entrepreneur::Column::Status,
            Expr::value(if approve {
                EntrepreneurStatus::Verified
            } else {
                EntrepreneurStatus::Rejected
            }),
        )
        .col_expr(entrepreneur::Column::VerifiedBy, Expr::value(who.user_id))
        .col_expr(entrepreneur::Column::VerifiedAt, Expr::value(Utc::now()))
        .filter(entrepreneur::Column::Id.eq(e.id))
        .filter(entrepreneur::Column::Status.eq(EntrepreneurStatus::Pending))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            if approve {
                "entrepreneur.verified"
            } else {
                "entrepreneur.rejected"
            },
            "entrepreneur",
            code,
            serde_json::json!({ "reason": reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn catalogue(
    state: &AppState,
    province_code: Option<&str>,
    kind: Option<&str>,
) -> Result<Vec<WorkshopCard>, AppError> {
    let db = &state.db;
    let backend = db.get_database_backend();
    let mut sql = String::from(
        "SELECT w.id, w.public_code, w.kind, w.name_fa, w.name_en, w.capacity, w.equipment, \
         w.shifts, w.prison_id, p.name_fa, p.name_en FROM workshops w \
         JOIN prisons pr ON pr.id = w.prison_id JOIN provinces p ON p.id = pr.province_id \
         WHERE w.status = 'open'",
    );
    let mut values: Vec<Value> = Vec::new();
    if let Some(pc) = province_code.map(str::trim).filter(|s| !s.is_empty()) {
        sql.push_str(" AND p.code = ?");
        values.push(pc.into());
    }
    if let Some(k) = kind.map(str::trim).filter(|s| !s.is_empty()) {
        if !WORKSHOP_KINDS.contains(&k) {
            return Err(AppError::invalid("kind", "employment.kind_invalid"));
        }
        sql.push_str(" AND w.kind = ?");
        values.push(k.into());
    }
    sql.push_str(" ORDER BY p.sort_order, w.id LIMIT 60");
    let rows = db.query_all_raw(stmt(backend, &sql, values)).await?;
    let mut cards = Vec::with_capacity(rows.len());
    let mut prisons = BTreeSet::new();
    let mut ids = Vec::new();
    for r in rows {
        let prison_id: i64 = r.try_get_by_index(8)?;
        prisons.insert(prison_id);
        ids.push((r.try_get_by_index::<i64>(0)?, prison_id));
        cards.push(WorkshopCard {
            code: r.try_get_by_index(1)?,
            kind: r.try_get_by_index(2)?,
            name_fa: r.try_get_by_index(3)?,
            name_en: r.try_get_by_index(4)?,
            capacity: r.try_get_by_index(5)?,
            equipment: skills_of(&r.try_get_by_index::<String>(6)?),
            shifts: r.try_get_by_index(7)?,
            province_fa: r.try_get_by_index(9)?,
            province_en: r.try_get_by_index(10)?,
            available: Vec::new(),
            active_contracts: 0,
        });
    }
    if cards.is_empty() {
        return Ok(cards);
    }
    // Available workers by skill, per prison: one grouped query (ids are our own integers).
    let prison_list = prisons
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sums = SKILLS
        .iter()
        .map(|s| format!("SUM(CASE WHEN skills LIKE '%\"{s}\"%' THEN 1 ELSE 0 END)"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT prison_id, {sums} FROM prisoners WHERE prison_id IN ({prison_list}) \
         AND consent_work = ? AND released_on IS NULL \
         AND id NOT IN (SELECT prisoner_id FROM worker_assignments WHERE status = 'active') \
         GROUP BY prison_id"
    );
    let mut by_prison: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for r in db
        .query_all_raw(stmt(backend, &sql, vec![true.into()]))
        .await?
    {
        let pid: i64 = r.try_get_by_index(0)?;
        let mut counts = Vec::new();
        for (i, s) in SKILLS.iter().enumerate() {
            let n: i64 = r.try_get_by_index(i + 1)?;
            if n > 0 {
                // Small counts are floored so no single person is pointed at.
                counts.push((s.to_string(), if n < MIN_PUBLIC_COUNT { 0 } else { n }));
            }
        }
        by_prison.insert(pid, counts);
    }
    let ws = ids
        .iter()
        .map(|(id, _)| id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut active: HashMap<i64, i64> = HashMap::new();
    for r in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT workshop_id, CAST(COUNT(*) AS BIGINT) FROM contracts \
                 WHERE workshop_id IN ({ws}) AND status = 'active' GROUP BY workshop_id"
            ),
        ))
        .await?
    {
        active.insert(r.try_get_by_index(0)?, r.try_get_by_index(1)?);
    }
    for (card, (id, prison_id)) in cards.iter_mut().zip(ids) {
        // A prison's workshops share one pool of workers.
        card.available = by_prison.get(&prison_id).cloned().unwrap_or_default();
        card.active_contracts = active.get(&id).copied().unwrap_or(0);
    }
    Ok(cards)
}
