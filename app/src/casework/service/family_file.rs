//! The family file: its needs with their balances, the sealed personal fields read on purpose
//! (and audited), household members and documents.

use super::*;

async fn balance(db: &impl ConnectionTrait, need_id: i64) -> Result<i64, AppError> {
    let id = ledger::account_id(db, &Account::Need(need_id)).await?;
    ledger::fund_balance(db, id).await
}

pub(super) async fn case_need(
    state: &AppState,
    who: &Authed,
    n: &need::Model,
    family_code: &str,
) -> Result<CaseNeed, AppError> {
    let mut row = case_row(who, n, family_code, balance(&state.db, n.id).await?);
    row.intention_gifts = crate::giving::intention::rules::gifts_with(
        state,
        crate::giving::service::Owner::Need,
        n.id,
    )
    .await?;
    Ok(row)
}

pub(super) fn case_row(
    who: &Authed,
    n: &need::Model,
    family_code: &str,
    balance_rials: i64,
) -> CaseNeed {
    CaseNeed {
        code: n.public_code.clone(),
        family_code: family_code.to_string(),
        category: n.category.clone(),
        status: n.status,
        title: n.public_title.clone(),
        story: n.public_story.clone(),
        goal_rials: n.goal_rials,
        balance_rials,
        hide_province: n.hide_province,
        mine: n.author_id == Some(who.user_id),
        withdrawn: n.withdrawn_at.is_some(),
        deadline: n.deadline.map(|d| d.to_string()),
        intention_gifts: Vec::new(),
    }
}

pub async fn family_file(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<FamilyFile, AppError> {
    let f = family_in_scope(state, who, Permission::ViewCases, code).await?;
    let prov = province::Entity::find_by_id(f.province_id)
        .one(&state.db)
        .await?;
    let pr = prisoner::Entity::find()
        .filter(prisoner::Column::FamilyId.eq(f.id))
        .one(&state.db)
        .await?;
    let needs = need::Entity::find()
        .filter(need::Column::FamilyId.eq(f.id))
        .order_by_desc(need::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?;
    let balances =
        ledger::need_balances(&state.db, &needs.iter().map(|n| n.id).collect::<Vec<_>>()).await?;
    let cases = needs
        .iter()
        .map(|n| {
            case_row(
                who,
                n,
                &f.public_code,
                balances.get(&n.id).copied().unwrap_or(0),
            )
        })
        .collect();
    Ok(FamilyFile {
        code: f.public_code,
        province: prov.map(|p| p.code).unwrap_or_default(),
        household_size: f.household_size,
        consent_publish: f.consent_publish,
        consent_withdrawn: f.consent_withdrawn_at.is_some(),
        prisoner_code: pr.as_ref().map(|p| p.public_code.clone()),
        offence: pr.map(|p| p.offence_category),
        needs: cases,
        support_fund_rials: crate::ledger::family_fund(&state.db, f.id).await?,
        sponsorship: FamilySponsorship {
            last_report: crate::giving::sponsorship_service::last_report(&state.db, f.id).await?,
            kind: f.sponsor_kind,
            sponsors: f.sponsors,
        },
    })
}

/// Opens a family's personal fields for this reader and writes the read to the audit log first.
pub async fn read_personal(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<Personal, AppError> {
    let f = family_in_scope(state, who, Permission::ReadPersonal, code).await?;
    let txn = audit::begin(&state.db).await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "personal.read",
            "family",
            &f.public_code,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    let s = &state.sealer;
    let open = |col: &str, v: &Option<Vec<u8>>| -> Result<Option<String>, AppError> {
        v.as_deref()
            .map(|b| {
                s.open(col, b)
                    .map_err(|e| AppError::internal("open personal field", e))
            })
            .transpose()
    };
    let members = household_member::Entity::find()
        .filter(household_member::Column::FamilyId.eq(f.id))
        .order_by_asc(household_member::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(Member {
                name: s
                    .open("household_members.name", &m.name_enc)
                    .map_err(|e| AppError::internal("open member", e))?,
                relation: m.relation,
                birth_year: m.birth_year,
                is_child: m.is_child,
                school_grade: m.school_grade,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let documents = family_document::Entity::find()
        .filter(family_document::Column::FamilyId.eq(f.id))
        .order_by_desc(family_document::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| {
            Ok(DocumentRef {
                reference: s
                    .open("family_documents.reference", &d.reference_enc)
                    .map_err(|e| AppError::internal("open document", e))?,
                kind: d.kind,
                added_on: d.created_at.date_naive().to_string(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let pr = prisoner::Entity::find()
        .filter(prisoner::Column::FamilyId.eq(f.id))
        .one(&state.db)
        .await?;
    Ok(Personal {
        head_name: s
            .open("families.head_name", &f.head_name_enc)
            .map_err(|e| AppError::internal("open head name", e))?,
        national_code: open("families.national_code", &f.national_code_enc)?,
        phone: open("families.phone", &f.phone_enc)?,
        address: open("families.address", &f.address_enc)?,
        situation: open("families.situation", &f.situation_enc)?,
        members,
        documents,
        prisoner_name: pr
            .map(|p| s.open("prisoners.name", &p.name_enc))
            .transpose()
            .map_err(|e| AppError::internal("open prisoner", e))?,
    })
}

/// Adds a household member after intake (a child born, a parent moved in). The family's household
/// size grows if the named members no longer fit in it (future cards use the new band; published
/// ones keep theirs). The name joins what the privacy guard looks for.
pub async fn add_member(state: &AppState, who: &Authed, form: &MemberForm) -> Result<(), AppError> {
    let f = family_in_scope(state, who, Permission::IntakeFamily, &form.family).await?;
    let name = normalize_persian(&form.name);
    if !(2..=80).contains(&name.chars().count()) {
        return Err(invalid("name", "staff.name_invalid"));
    }
    let relation = RELATIONS
        .iter()
        .find(|r| **r == form.relation)
        .ok_or_else(|| invalid("relation", "staff.relation_invalid"))?;
    let this_year = crate::i18n::JalaliDate::from_gregorian(Utc::now().date_naive())
        .map(|d| d.year)
        .ok_or_else(|| AppError::internal("member", "calendar"))?;
    let birth_year = match opt(&form.birth_year) {
        None => None,
        Some(y) => Some(
            validation::latin_digits(&y)
                .parse::<i32>()
                .ok()
                .filter(|y| (this_year - 120..=this_year).contains(y))
                .ok_or_else(|| invalid("birth_year", "staff.birth_year_invalid"))?,
        ),
    };
    let school_grade = opt(&form.school_grade);
    if school_grade
        .as_ref()
        .is_some_and(|g| g.chars().count() > 40)
    {
        return Err(invalid("school_grade", "staff.school_grade_invalid"));
    }
    let is_child = *relation == "child"
        || *relation == "grandchild"
        || birth_year.is_some_and(|y| this_year - y < 18);
    let txn = audit::begin(&state.db).await?;
    household_member::ActiveModel {
        family_id: Set(f.id),
        name_enc: Set(state.sealer.seal("household_members.name", &name)),
        national_code_enc: Set(None),
        national_code_bidx: Set(None),
        key_id: Set(state.sealer.key_id().into()),
        relation: Set(relation.to_string()),
        birth_year: Set(birth_year),
        is_child: Set(is_child),
        school_grade: Set(school_grade),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let named = household_member::Entity::find()
        .filter(household_member::Column::FamilyId.eq(f.id))
        .count(&txn)
        .await? as i32;
    // The head of the household plus everyone named.
    if named + 1 > f.household_size {
        family::Entity::update_many()
            .col_expr(family::Column::HouseholdSize, Expr::value(named + 1))
            .col_expr(family::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(family::Column::Id.eq(f.id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        audit_entry(
            who,
            "family.member_added",
            "family",
            &f.public_code,
            serde_json::json!({ "relation": relation, "is_child": is_child }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records where a document of the family's is kept (a file number, a scan's reference), sealed
/// like every personal field: documents themselves never enter the system.
pub async fn add_document(
    state: &AppState,
    who: &Authed,
    family_code: &str,
    kind: &str,
    reference: &str,
) -> Result<(), AppError> {
    let f = family_in_scope(state, who, Permission::IntakeFamily, family_code).await?;
    let kind = DOCUMENT_KINDS
        .iter()
        .find(|k| **k == kind)
        .ok_or_else(|| invalid("kind", "staff.document_kind_invalid"))?;
    let reference = normalize_persian(reference);
    if !(3..=200).contains(&reference.chars().count()) {
        return Err(invalid("reference", "staff.document_reference_invalid"));
    }
    let txn = audit::begin(&state.db).await?;
    family_document::ActiveModel {
        family_id: Set(f.id),
        kind: Set(kind.to_string()),
        reference_enc: Set(state.sealer.seal("family_documents.reference", &reference)),
        key_id: Set(state.sealer.key_id().into()),
        added_by: Set(Some(who.user_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "family.document_added",
            "family",
            &f.public_code,
            serde_json::json!({ "kind": kind }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What the privacy guard must look for in a family's public texts: its people's own names and
/// every prison's name.
pub(super) async fn known_for(state: &AppState, f: &family::Model) -> Result<Known, AppError> {
    let s = &state.sealer;
    let mut names = vec![s
        .open("families.head_name", &f.head_name_enc)
        .map_err(|e| AppError::internal("open head name", e))?];
    for m in household_member::Entity::find()
        .filter(household_member::Column::FamilyId.eq(f.id))
        .all(&state.db)
        .await?
    {
        names.push(
            s.open("household_members.name", &m.name_enc)
                .map_err(|e| AppError::internal("open member", e))?,
        );
    }
    for p in prisoner::Entity::find()
        .filter(prisoner::Column::FamilyId.eq(f.id))
        .all(&state.db)
        .await?
    {
        names.push(
            s.open("prisoners.name", &p.name_enc)
                .map_err(|e| AppError::internal("open prisoner", e))?,
        );
    }
    let prisons = prison::Entity::find().all(&state.db).await?;
    Ok(Known {
        person_names: names,
        prison_names: prisons
            .into_iter()
            .flat_map(|p| [p.name_fa, p.name_en])
            .collect(),
        phrases: Vec::new(),
    })
}
