//! Intake: a family and its imprisoned member taken in by a social worker, and the exact look-up
//! by national code that finds a family already on file.

use super::*;

pub async fn intake_options(state: &AppState, who: &Authed) -> Result<IntakeOptions, AppError> {
    let provinces = province::Entity::find()
        .order_by_asc(province::Column::SortOrder)
        .all(&state.db)
        .await?;
    let prisons = prison::Entity::find()
        .order_by_asc(prison::Column::Code)
        .all(&state.db)
        .await?;
    Ok(IntakeOptions {
        provinces: provinces
            .into_iter()
            .filter(|p| {
                who.covers(p.id, None) || who.scopes.iter().any(|s| s.province_id == Some(p.id))
            })
            .map(|p| (p.code, p.name_fa, p.name_en))
            .collect(),
        prisons: prisons
            .into_iter()
            .filter(|p| who.covers(p.province_id, Some(p.id)))
            .map(|p| (p.code, p.name_fa, p.name_en))
            .collect(),
    })
}

/// An intake form read and checked (the order of the checks is the order of the form's fields).
struct Intake {
    prov: province::Model,
    prison: prison::Model,
    head_name: String,
    national_code: Option<String>,
    phone: Option<String>,
    size: i32,
    prisoner_name: String,
    prisoner_nc: Option<String>,
    members: Vec<String>,
}

async fn read_intake(
    db: &sea_orm::DatabaseConnection,
    form: &IntakeForm,
) -> Result<Intake, AppError> {
    let prov = province::Entity::find()
        .filter(province::Column::Code.eq(form.province.trim()))
        .one(db)
        .await?
        .ok_or_else(|| invalid("province", "staff.province_invalid"))?;
    let prison = match opt(&form.prison) {
        None => None,
        Some(code) => Some(
            prison::Entity::find()
                .filter(prison::Column::Code.eq(code))
                .filter(prison::Column::ProvinceId.eq(prov.id))
                .one(db)
                .await?
                .ok_or_else(|| invalid("prison", "staff.prison_invalid"))?,
        ),
    };
    let head_name =
        validation::display_name(&form.head_name).map_err(|k| invalid("head_name", k))?;
    let national_code = match opt(&form.national_code) {
        Some(v) => Some(validation::national_code(&v).map_err(|k| invalid("national_code", k))?),
        None => None,
    };
    let phone = match opt(&form.phone) {
        Some(v) => Some(validation::mobile(&v).map_err(|k| invalid("phone", k))?),
        None => None,
    };
    let size: i32 = validation::latin_digits(form.household_size.trim())
        .parse()
        .ok()
        .filter(|n| (1..=30).contains(n))
        .ok_or_else(|| invalid("household_size", "staff.household_size_invalid"))?;
    let prisoner_name =
        validation::display_name(&form.prisoner_name).map_err(|k| invalid("prisoner_name", k))?;
    let prisoner_nc = match opt(&form.prisoner_national_code) {
        Some(v) => {
            Some(validation::national_code(&v).map_err(|k| invalid("prisoner_national_code", k))?)
        }
        None => None,
    };
    if !OFFENCES.contains(&form.offence.as_str()) {
        return Err(invalid("offence", "staff.offence_invalid"));
    }
    let prison = prison.ok_or_else(|| invalid("prison", "staff.prison_invalid"))?;
    let members: Vec<String> = form
        .members
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(normalize_persian)
        .filter(|l| !l.is_empty())
        .collect();
    if members.len() > 30 || members.iter().any(|m| validation::display_name(m).is_err()) {
        return Err(invalid("members", "staff.members_invalid"));
    }
    Ok(Intake {
        prov,
        prison,
        head_name,
        national_code,
        phone,
        size,
        prisoner_name,
        prisoner_nc,
        members,
    })
}

pub async fn intake(state: &AppState, who: &Authed, form: &IntakeForm) -> Result<String, AppError> {
    let Intake {
        prov,
        prison,
        head_name,
        national_code,
        phone,
        size,
        prisoner_name,
        prisoner_nc,
        members,
    } = read_intake(&state.db, form).await?;
    // The record's scope is known before anything is written: a province's staff take in only
    // their own province's families.
    check_scope(
        who,
        Permission::IntakeFamily,
        "intake",
        prov.id,
        Some(prison.id),
    )
    .await?;

    let sealer = &state.sealer;
    let bidx = national_code
        .as_deref()
        .map(|c| sealer.blind_index("national_code", c));
    if let Some(b) = &bidx {
        let exists = family::Entity::find()
            .filter(family::Column::NationalCodeBidx.eq(b.as_str()))
            .one(&state.db)
            .await?;
        if let Some(existing) = exists {
            tracing::info!(family = %existing.public_code, "intake of a family already on file");
            return Err(invalid("national_code", "staff.family_exists"));
        }
    }
    let consent = form.consent_publish.is_some();
    let now = Utc::now();
    let code = crate::platform::public_code("F", 8);
    let txn = audit::begin(&state.db).await?;
    let fam = family::ActiveModel {
        public_code: Set(code.clone()),
        province_id: Set(prov.id),
        prison_id: Set(Some(prison.id)),
        head_name_enc: Set(sealer.seal("families.head_name", &head_name)),
        national_code_enc: Set(national_code
            .as_deref()
            .map(|v| sealer.seal("families.national_code", v))),
        national_code_bidx: Set(bidx),
        phone_enc: Set(phone.as_deref().map(|v| sealer.seal("families.phone", v))),
        address_enc: Set(opt(&form.address).map(|v| sealer.seal("families.address", &v))),
        situation_enc: Set(opt(&form.situation).map(|v| sealer.seal("families.situation", &v))),
        key_id: Set(sealer.key_id().into()),
        household_size: Set(size),
        status: Set(FamilyStatus::Active),
        consent_publish: Set(consent),
        consent_recorded_at: Set(consent.then_some(now)),
        consent_withdrawn_at: Set(None),
        created_by: Set(Some(who.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    add_members(&txn, sealer, fam.id, &members).await?;
    let p = NewPrisoner {
        name: &prisoner_name,
        national_code: prisoner_nc.as_deref(),
        offence: &form.offence,
    };
    add_prisoner(&txn, sealer, &fam, &prison, p, now).await?;
    audit::record(
        &txn,
        audit_entry(who, "family.intake", "family", &code, serde_json::json!({
            "province": prov.code, "household_size": size, "members": members.len(), "consent_publish": consent,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

async fn add_members(
    txn: &DatabaseTransaction,
    sealer: &crate::privacy::Sealer,
    family_id: i64,
    members: &[String],
) -> Result<(), AppError> {
    for m in members {
        household_member::ActiveModel {
            family_id: Set(family_id),
            name_enc: Set(sealer.seal("household_members.name", m)),
            national_code_enc: Set(None),
            national_code_bidx: Set(None),
            key_id: Set(sealer.key_id().into()),
            relation: Set("member".into()),
            birth_year: Set(None),
            is_child: Set(false),
            school_grade: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The imprisoned member as the intake form gives him.
struct NewPrisoner<'a> {
    name: &'a str,
    national_code: Option<&'a str>,
    offence: &'a str,
}

/// The imprisoned member's record: sealed name and national code, no consent to anything yet.
async fn add_prisoner(
    txn: &DatabaseTransaction,
    sealer: &crate::privacy::Sealer,
    fam: &family::Model,
    prison: &prison::Model,
    p: NewPrisoner<'_>,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    prisoner::ActiveModel {
        public_code: Set(crate::platform::public_code("P", 8)),
        family_id: Set(Some(fam.id)),
        prison_id: Set(prison.id),
        name_enc: Set(sealer.seal("prisoners.name", p.name)),
        national_code_bidx: Set(p
            .national_code
            .map(|c| sealer.blind_index("national_code", c))),
        national_code_enc: Set(p
            .national_code
            .map(|v| sealer.seal("prisoners.national_code", v))),
        key_id: Set(sealer.key_id().into()),
        offence_category: Set(p.offence.to_string()),
        sentence_start: Set(now.date_naive()),
        sentence_end: Set(None),
        conduct: Set("unknown".into()),
        skills: Set("[]".into()),
        prior_conviction: Set(false),
        consent_work: Set(false),
        consent_work_at: Set(None),
        consent_campaign: Set(false),
        consent_campaign_at: Set(None),
        consent_jobs_after_release: Set(false),
        released_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Finds a family by national code through the blind index (exact match only).
pub async fn find_by_national_code(
    state: &AppState,
    who: &Authed,
    national_code: &str,
) -> Result<Option<String>, AppError> {
    let nc = validation::national_code(national_code).map_err(|k| invalid("national_code", k))?;
    let b = state.sealer.blind_index("national_code", &nc);
    let Some(f) = family::Entity::find()
        .filter(family::Column::NationalCodeBidx.eq(b))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if !who.covers(f.province_id, f.prison_id) {
        return Ok(None);
    }
    Ok(Some(f.public_code))
}
