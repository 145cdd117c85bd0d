//! Case work on the server: every function takes the state and the already-authorised person,
//! loads its record, checks the record's scope, validates with the shared rules, and writes its
//! change and its audit entry in one transaction.

use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::giving::CATEGORIES;
use crate::ledger::{self, credit, debit, Account, Posting};
use crate::platform::entity::{
    audit_log, disbursement, disbursement_approval, family, family_document, household_member,
    impact_update, need, payee, prison, prisoner, province, user,
};
use crate::platform::AppState;
use crate::privacy::pii::{scan, Known};
use crate::validation::{self, normalize_persian};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A card is published only when at least this many families share its public attributes.
pub const K_ANONYMITY: u64 = 5;

/// Disbursements above this many rials need a second person (manager) to approve them.
/// `KARAMAT_DISBURSEMENT_THRESHOLD_RIALS` changes it (default 500,000,000 rials = 50M tomans).
pub fn disbursement_threshold() -> i64 {
    std::env::var("KARAMAT_DISBURSEMENT_THRESHOLD_RIALS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(500_000_000)
}

fn invalid(field: &str, key: &str) -> AppError {
    AppError::invalid(field, key)
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(normalize_persian)
        .filter(|v| !v.is_empty())
}

/// The household-size band shown on a card.
pub fn household_band(size: i32) -> &'static str {
    match size {
        ..=2 => "1-2",
        3..=4 => "3-4",
        _ => "5+",
    }
}

// ---------------------------------------------------------------- loading with scope

async fn family_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<family::Model, AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let f = family::Entity::find()
        .filter(family::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, f.province_id, f.prison_id).await?;
    Ok(f)
}

async fn need_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(need::Model, family::Model), AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let n = need::Entity::find()
        .filter(need::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = family::Entity::find_by_id(n.family_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(who, p, &code, n.province_id, f.prison_id).await?;
    Ok((n, f))
}

fn audit_entry<'a>(
    who: &Authed,
    action: &'a str,
    kind: &'a str,
    id: &str,
    detail: serde_json::Value,
) -> Entry<'a> {
    Entry {
        actor_user_id: Some(who.user_id),
        action,
        subject_kind: kind,
        subject_id: Some(id.to_string()),
        detail,
    }
}

// ---------------------------------------------------------------- intake

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

pub async fn intake(state: &AppState, who: &Authed, form: &IntakeForm) -> Result<String, AppError> {
    let prov = province::Entity::find()
        .filter(province::Column::Code.eq(form.province.trim()))
        .one(&state.db)
        .await?
        .ok_or_else(|| invalid("province", "staff.province_invalid"))?;
    let prison = match opt(&form.prison) {
        None => None,
        Some(code) => Some(
            prison::Entity::find()
                .filter(prison::Column::Code.eq(code))
                .filter(prison::Column::ProvinceId.eq(prov.id))
                .one(&state.db)
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
    let code = crate::auth::ssr::public_code("F", 8);
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
        status: Set("active".into()),
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
    for m in &members {
        household_member::ActiveModel {
            family_id: Set(fam.id),
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
        .insert(&txn)
        .await?;
    }
    prisoner::ActiveModel {
        public_code: Set(crate::auth::ssr::public_code("P", 8)),
        family_id: Set(Some(fam.id)),
        prison_id: Set(prison.id),
        name_enc: Set(sealer.seal("prisoners.name", &prisoner_name)),
        national_code_bidx: Set(prisoner_nc
            .as_deref()
            .map(|c| sealer.blind_index("national_code", c))),
        national_code_enc: Set(prisoner_nc
            .as_deref()
            .map(|v| sealer.seal("prisoners.national_code", v))),
        key_id: Set(sealer.key_id().into()),
        offence_category: Set(form.offence.clone()),
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
    .insert(&txn)
    .await?;
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

// ---------------------------------------------------------------- reading

async fn balance(db: &impl ConnectionTrait, need_id: i64) -> Result<i64, AppError> {
    let id = ledger::account_id(db, &Account::Need(need_id)).await?;
    ledger::fund_balance(db, id).await
}

async fn case_need(
    state: &AppState,
    who: &Authed,
    n: &need::Model,
    family_code: &str,
) -> Result<CaseNeed, AppError> {
    Ok(case_row(
        who,
        n,
        family_code,
        balance(&state.db, n.id).await?,
    ))
}

fn case_row(who: &Authed, n: &need::Model, family_code: &str, balance_rials: i64) -> CaseNeed {
    CaseNeed {
        code: n.public_code.clone(),
        family_code: family_code.to_string(),
        category: n.category.clone(),
        status: n.status.clone(),
        title: n.public_title.clone(),
        story: n.public_story.clone(),
        goal_rials: n.goal_rials,
        balance_rials,
        hide_province: n.hide_province,
        mine: n.author_id == Some(who.user_id),
        withdrawn: n.withdrawn_at.is_some(),
        deadline: n.deadline.map(|d| d.to_string()),
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
        support_fund_rials: crate::employment::service::family_fund(&state.db, f.id).await?,
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
async fn known_for(state: &AppState, f: &family::Model) -> Result<Known, AppError> {
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

// ---------------------------------------------------------------- consent

/// Records (true) or withdraws (false) a family's consent to publish. Withdrawal takes every card
/// of the family out of public view in the same transaction: a card still raising goes to
/// `withdrawn` and what it had raised to its category's fund (the published rule), so nothing is
/// lost; a card already funded keeps its status and is only hidden (`withdrawn_at`), because what
/// donors gave must still be bought and delivered for the family. Cards taken down stay down if
/// consent is given again (staff publish new ones). Returns the number of cards taken down.
pub async fn record_consent(
    state: &AppState,
    who: &Authed,
    code: &str,
    publish: bool,
) -> Result<u64, AppError> {
    let f = family_in_scope(state, who, Permission::RecordConsent, code).await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let mut am: family::ActiveModel = f.clone().into();
    am.consent_publish = Set(publish);
    if publish {
        am.consent_recorded_at = Set(Some(now));
        am.consent_withdrawn_at = Set(None);
    } else {
        am.consent_withdrawn_at = Set(Some(now));
    }
    am.updated_at = Set(now);
    am.update(&txn).await?;
    let mut taken_down = 0;
    if !publish {
        let public = need::Entity::find()
            .filter(need::Column::FamilyId.eq(f.id))
            .filter(crate::giving::service::card_is_up())
            .all(&txn)
            .await?;
        for n in public {
            // The row is written before its balance is read: a gift settling at the same moment
            // locks the same row first, so either it lands before and is moved, or it finds the
            // card withdrawn and goes to the overflow fund.
            let hide = need::Entity::update_many()
                .col_expr(need::Column::WithdrawnAt, Expr::value(now))
                .col_expr(need::Column::UpdatedAt, Expr::value(now))
                .filter(need::Column::Id.eq(n.id));
            let still_raising = hide
                .clone()
                .col_expr(need::Column::Status, Expr::value("withdrawn"))
                .filter(need::Column::Status.eq("published"))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if still_raising {
                move_balance(
                    &txn,
                    &Account::Need(n.id),
                    &Account::Category(n.category.clone()),
                    "consent withdrawn: moved to the category fund by the published rule",
                    who.user_id,
                )
                .await?;
            } else {
                // Funded (perhaps a moment ago): hidden, and still bought for the family.
                hide.exec(&txn).await?;
            }
            taken_down += 1;
        }
    }
    audit::record(
        &txn,
        audit_entry(
            who,
            if publish {
                "consent.recorded"
            } else {
                "consent.withdrawn"
            },
            "family",
            &f.public_code,
            serde_json::json!({ "cards_taken_down": taken_down }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(taken_down)
}

/// Moves `amount` from one fund to another by a published rule, one `reallocation` group
/// (nothing when the amount is 0).
pub(super) async fn reallocate(
    txn: &DatabaseTransaction,
    from: i64,
    to: &Account,
    amount: i64,
    memo: &str,
    by: i64,
) -> Result<(), AppError> {
    if amount <= 0 {
        return Ok(());
    }
    let to = ledger::account_id(txn, to).await?;
    ledger::post(
        txn,
        Posting {
            kind: "reallocation",
            memo,
            donation_id: None,
            created_by: Some(by),
        },
        &[debit(from, amount), credit(to, amount)],
    )
    .await?;
    Ok(())
}

/// Moves all a fund holds to another (a card taken down: its money goes where the rule says).
pub(super) async fn move_balance(
    txn: &DatabaseTransaction,
    from: &Account,
    to: &Account,
    memo: &str,
    by: i64,
) -> Result<(), AppError> {
    let from = ledger::account_id(txn, from).await?;
    let held = ledger::fund_balance(txn, from).await?;
    reallocate(txn, from, to, held, memo, by).await
}

// ---------------------------------------------------------------- needs

fn check_public_text(title: &str, story: &str) -> Result<(String, String), AppError> {
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
fn check_need_fields(
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
    let code = crate::auth::ssr::public_code("N", 8);
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
        status: Set("awaiting_verification".into()),
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
const EDITABLE_NEED_STATUSES: [&str; 1] = ["awaiting_verification"];

pub async fn edit_need(
    state: &AppState,
    who: &Authed,
    form: &NeedEdit,
) -> Result<DraftOutcome, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::DraftNeed, &form.code).await?;
    if !EDITABLE_NEED_STATUSES.contains(&n.status.as_str()) {
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
        .filter(need::Column::Status.eq(n.status.as_str()))
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
    if n.status != "awaiting_verification" {
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
        .col_expr(need::Column::Status, Expr::value("published"))
        .col_expr(need::Column::VerifierId, Expr::value(who.user_id))
        .col_expr(need::Column::PublishedAt, Expr::value(now))
        .col_expr(need::Column::HideProvince, Expr::value(hide_province))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .filter(need::Column::Status.eq("awaiting_verification"))
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

// ---------------------------------------------------------------- fulfilment

const PAYEE_KINDS: [&str; 6] = [
    "vendor", "landlord", "school", "pharmacy", "utility", "court",
];

/// What a disbursement pays for, before it exists.
pub(super) struct DisbursementRequest {
    pub need_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub payee_id: Option<i64>,
    pub amount: i64,
    pub purpose: String,
    pub reference: Option<String>,
    pub evidence: String,
    /// What it pays for, for the audit log: `("need", "N-…")` or `("campaign", "C-…")`.
    pub subject: (&'static str, String),
}

fn subject_detail(subject: (&str, &str), more: serde_json::Value) -> serde_json::Value {
    let mut detail = serde_json::Map::new();
    detail.insert(subject.0.to_string(), subject.1.into());
    if let serde_json::Value::Object(m) = more {
        detail.extend(m);
    }
    serde_json::Value::Object(detail)
}

/// Records a requested disbursement with the requester's row and its audit entry, inside the
/// caller's audited transaction. Above the threshold it waits for a second person's approval.
pub(super) async fn request_disbursement(
    txn: &DatabaseTransaction,
    who: &Authed,
    r: DisbursementRequest,
) -> Result<disbursement::Model, AppError> {
    let now = Utc::now();
    let needs_approval = r.amount > disbursement_threshold();
    let d = disbursement::ActiveModel {
        public_code: Set(crate::auth::ssr::public_code("D", 8)),
        need_id: Set(r.need_id),
        campaign_id: Set(r.campaign_id),
        payee_id: Set(r.payee_id),
        amount_rials: Set(r.amount),
        purpose: Set(r.purpose),
        reference: Set(r.reference),
        evidence_ref: Set(Some(r.evidence)),
        status: Set(if needs_approval {
            "awaiting_approval"
        } else {
            "approved"
        }
        .into()),
        requested_by: Set(Some(who.user_id)),
        transaction_id: Set(None),
        created_at: Set(now),
        paid_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    approval_row(txn, &d, who, "requested").await?;
    audit::record(
        txn,
        audit_entry(
            who,
            "disbursement.requested",
            "disbursement",
            &d.public_code,
            subject_detail(
                (r.subject.0, &r.subject.1),
                serde_json::json!({ "amount_rials": r.amount, "needs_approval": needs_approval }),
            ),
        ),
    )
    .await?;
    Ok(d)
}

/// Pays a disbursement out of `from`: one balanced ledger group (the fund debited, the bank
/// credited), the disbursement marked paid exactly once, audited. Returns when it was paid; the
/// caller moves its need or campaign on in the same transaction.
pub(super) async fn pay_out(
    txn: &DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    from: Account,
    memo: &str,
    subject: (&str, &str),
) -> Result<chrono::DateTime<Utc>, AppError> {
    let from = ledger::account_id(txn, &from).await?;
    let bank = ledger::account_id(txn, &Account::Bank).await?;
    let tid = ledger::post(
        txn,
        Posting {
            kind: "disbursement",
            memo,
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[debit(from, d.amount_rials), credit(bank, d.amount_rials)],
    )
    .await?;
    let now = Utc::now();
    let res = disbursement::Entity::update_many()
        .col_expr(disbursement::Column::Status, Expr::value("paid"))
        .col_expr(disbursement::Column::TransactionId, Expr::value(tid))
        .col_expr(disbursement::Column::PaidAt, Expr::value(now))
        .filter(disbursement::Column::Id.eq(d.id))
        .filter(disbursement::Column::Status.is_in(["approved", "awaiting_approval"]))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.disbursement_pending"));
    }
    audit::record(
        txn,
        audit_entry(
            who,
            "disbursement.paid",
            "disbursement",
            &d.public_code,
            subject_detail(
                subject,
                serde_json::json!({ "amount_rials": d.amount_rials, "ledger_transaction": tid }),
            ),
        ),
    )
    .await?;
    Ok(now)
}

/// Records the purchase of a funded need from a payee. The whole fund is paid out; above the
/// threshold the disbursement waits for a manager (not the requester) to approve it.
pub async fn record_purchase(
    state: &AppState,
    who: &Authed,
    code: &str,
    payee_kind: &str,
    payee_name: &str,
    evidence: &str,
) -> Result<FulfilOutcome, AppError> {
    let (n, _f) = need_in_scope(state, who, Permission::Fulfil, code).await?;
    if n.status != "funded" {
        return Err(invalid("status", "staff.not_funded"));
    }
    if !PAYEE_KINDS.contains(&payee_kind) {
        return Err(invalid("payee_kind", "staff.payee_kind_invalid"));
    }
    let payee_name = normalize_persian(payee_name);
    if !(2..=120).contains(&payee_name.chars().count()) {
        return Err(invalid("payee_name", "staff.payee_name_invalid"));
    }
    let evidence = normalize_persian(evidence);
    if !(3..=120).contains(&evidence.chars().count()) {
        return Err(invalid("evidence", "staff.evidence_invalid"));
    }
    let pending = disbursement::Entity::find()
        .filter(disbursement::Column::NeedId.eq(n.id))
        .filter(disbursement::Column::Status.eq("awaiting_approval"))
        .one(&state.db)
        .await?;
    if pending.is_some() {
        return Err(invalid("status", "staff.disbursement_pending"));
    }
    let amount = balance(&state.db, n.id).await?;
    if amount <= 0 {
        return Err(invalid("status", "staff.nothing_to_pay"));
    }
    let txn = audit::begin(&state.db).await?;
    let p = payee::ActiveModel {
        public_code: Set(crate::auth::ssr::public_code("Y", 8)),
        kind: Set(payee_kind.into()),
        name: Set(payee_name),
        province_id: Set(n.province_id),
        account_enc: Set(None),
        key_id: Set(state.sealer.key_id().into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let d = request_disbursement(
        &txn,
        who,
        DisbursementRequest {
            need_id: Some(n.id),
            campaign_id: None,
            payee_id: Some(p.id),
            amount,
            purpose: n.category.clone(),
            reference: None,
            evidence,
            subject: ("need", n.public_code.clone()),
        },
    )
    .await?;
    let dcode = d.public_code.clone();
    let out = if d.status == "awaiting_approval" {
        FulfilOutcome::AwaitingApproval {
            disbursement: dcode,
        }
    } else {
        pay(&txn, who, &d, &n).await?;
        FulfilOutcome::Paid {
            disbursement: dcode,
        }
    };
    txn.commit().await?;
    Ok(out)
}

/// Pays a need's disbursement out of its fund and marks the need purchased.
async fn pay(
    txn: &DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    n: &need::Model,
) -> Result<(), AppError> {
    let now = pay_out(
        txn,
        who,
        d,
        Account::Need(n.id),
        "paid to the payee for a need",
        ("need", &n.public_code),
    )
    .await?;
    need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value("purchased"))
        .col_expr(need::Column::PurchasedAt, Expr::value(now))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .exec(txn)
        .await?;
    Ok(())
}

fn check_approvable(d: &disbursement::Model, who: &Authed) -> Result<(), AppError> {
    if d.status != "awaiting_approval" {
        return Err(invalid("status", "staff.not_awaiting_approval"));
    }
    if d.requested_by == Some(who.user_id) {
        return Err(invalid("approver", "staff.four_eyes"));
    }
    Ok(())
}

/// One person's part in a disbursement: `requested` or `approved`.
async fn approval_row(
    txn: &DatabaseTransaction,
    d: &disbursement::Model,
    who: &Authed,
    decision: &str,
) -> Result<(), AppError> {
    disbursement_approval::ActiveModel {
        disbursement_id: Set(d.id),
        approver_id: Set(who.user_id),
        role: Set(who.role().as_str().into()),
        decision: Set(decision.into()),
        note: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The second pair of eyes on a large disbursement: a manager who did not request it.
pub async fn approve(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<FulfilOutcome, AppError> {
    let code = validation::public_code(code).ok_or(AppError::NotFound)?;
    let d = disbursement::Entity::find()
        .filter(disbursement::Column::PublicCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(cid) = d.campaign_id {
        let c = crate::platform::entity::release_campaign::Entity::find_by_id(cid)
            .one(&state.db)
            .await?
            .ok_or(AppError::NotFound)?;
        check_scope(
            who,
            Permission::ApproveDisbursement,
            &code,
            c.province_id,
            None,
        )
        .await?;
        check_approvable(&d, who)?;
        let txn = audit::begin(&state.db).await?;
        approval_row(&txn, &d, who, "approved").await?;
        super::campaigns::pay(&txn, who, &d, &c).await?;
        txn.commit().await?;
        return Ok(FulfilOutcome::Paid { disbursement: code });
    }
    let n = need::Entity::find_by_id(d.need_id.ok_or(AppError::NotFound)?)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_scope(
        who,
        Permission::ApproveDisbursement,
        &code,
        n.province_id,
        None,
    )
    .await?;
    check_approvable(&d, who)?;
    let txn = audit::begin(&state.db).await?;
    approval_row(&txn, &d, who, "approved").await?;
    pay(&txn, who, &d, &n).await?;
    txn.commit().await?;
    Ok(FulfilOutcome::Paid { disbursement: code })
}

/// Marks a purchased need delivered with a redacted impact update (the same privacy guard runs
/// over it) and tells the need's donors who left a contact, in one transaction.
pub async fn record_delivery(
    state: &AppState,
    who: &Authed,
    code: &str,
    update: &str,
) -> Result<DraftOutcome, AppError> {
    let (n, f) = need_in_scope(state, who, Permission::Fulfil, code).await?;
    if n.status != "purchased" {
        return Err(invalid("status", "staff.not_purchased"));
    }
    let update = update.trim().to_string();
    if !(10..=1000).contains(&update.chars().count()) {
        return Err(invalid("update", "staff.update_length"));
    }
    let known = known_for(state, &f).await?;
    let findings = scan(&update, &known);
    if !findings.is_empty() {
        return Ok(DraftOutcome::Blocked { findings });
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let res = need::Entity::update_many()
        .col_expr(need::Column::Status, Expr::value("delivered"))
        .col_expr(need::Column::DeliveredAt, Expr::value(now))
        .col_expr(need::Column::UpdatedAt, Expr::value(now))
        .filter(need::Column::Id.eq(n.id))
        .filter(need::Column::Status.eq(n.status.as_str()))
        .filter(need::Column::DeliveredAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.not_purchased"));
    }
    let ucode = crate::auth::ssr::public_code("U", 8);
    impact_update::ActiveModel {
        public_code: Set(ucode.clone()),
        need_id: Set(Some(n.id)),
        campaign_id: Set(None),
        kind: Set("delivered".into()),
        body_public: Set(update.clone()),
        author_id: Set(Some(who.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let donors_told = crate::giving::settlement::queue_to_donors(
        state,
        &txn,
        crate::giving::service::Owner::Need,
        n.id,
        "need_delivered",
        serde_json::json!({ "update": update }),
    )
    .await?;
    audit::record(
        &txn,
        audit_entry(
            who,
            "need.delivered",
            "need",
            &n.public_code,
            serde_json::json!({ "impact_update": ucode, "donors_told": donors_told }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DraftOutcome::Saved {
        code: n.public_code,
    })
}

// ---------------------------------------------------------------- queues and audit

fn in_provinces(who: &Authed) -> Condition {
    match who.province_filter() {
        None => Condition::all(),
        Some(ids) => Condition::all().add(need::Column::ProvinceId.is_in(ids)),
    }
}

async fn need_items(
    state: &AppState,
    who: &Authed,
    status: &str,
) -> Result<Vec<QueueItem>, AppError> {
    let rows = need::Entity::find()
        .filter(need::Column::Status.eq(status))
        .filter(in_provinces(who))
        .order_by_asc(need::Column::UpdatedAt)
        .limit(50)
        .all(&state.db)
        .await?;
    let fam_ids: Vec<i64> = rows.iter().map(|n| n.family_id).collect();
    let fams: std::collections::HashMap<i64, String> = family::Entity::find()
        .filter(family::Column::Id.is_in(fam_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.public_code))
        .collect();
    Ok(rows
        .into_iter()
        .map(|n| QueueItem {
            family_code: fams.get(&n.family_id).cloned().unwrap_or_default(),
            code: n.public_code,
            title: n.public_title,
            category: n.category,
            amount_rials: n.goal_rials,
        })
        .collect())
}

async fn campaign_items(
    state: &AppState,
    who: &Authed,
    statuses: &[&str],
) -> Result<Vec<QueueItem>, AppError> {
    use crate::platform::entity::release_campaign;
    let mut q = release_campaign::Entity::find()
        .filter(release_campaign::Column::Status.is_in(statuses.iter().copied()))
        .order_by_asc(release_campaign::Column::UpdatedAt)
        .limit(50);
    if let Some(ids) = who.province_filter() {
        q = q.filter(release_campaign::Column::ProvinceId.is_in(ids));
    }
    Ok(q.all(&state.db)
        .await?
        .into_iter()
        .map(|c| QueueItem {
            code: c.public_code,
            family_code: String::new(),
            title: c.public_title,
            category: c.offence_category,
            amount_rials: c.total_owed_rials - c.forgiveness_rials,
        })
        .collect())
}

pub async fn queues(state: &AppState, who: &Authed) -> Result<Queues, AppError> {
    use crate::platform::entity::release_campaign;
    // A fixed number of queries whatever the row counts: the pending disbursements, then their
    // needs and campaigns in one query each.
    // Scoped in the query, not after it: fifty other provinces' payments must not hide ours.
    let mut pending =
        disbursement::Entity::find().filter(disbursement::Column::Status.eq("awaiting_approval"));
    if let Some(ids) = who.province_filter() {
        pending = pending.filter(
            Condition::any()
                .add(
                    disbursement::Column::NeedId.in_subquery(
                        Query::select()
                            .column(need::Column::Id)
                            .from(need::Entity)
                            .and_where(need::Column::ProvinceId.is_in(ids.clone()))
                            .to_owned(),
                    ),
                )
                .add(
                    disbursement::Column::CampaignId.in_subquery(
                        Query::select()
                            .column(release_campaign::Column::Id)
                            .from(release_campaign::Entity)
                            .and_where(release_campaign::Column::ProvinceId.is_in(ids))
                            .to_owned(),
                    ),
                ),
        );
    }
    let pending = pending
        .order_by_asc(disbursement::Column::CreatedAt)
        .limit(50)
        .all(&state.db)
        .await?;
    let need_ids: Vec<i64> = pending.iter().filter_map(|d| d.need_id).collect();
    let campaign_ids: Vec<i64> = pending.iter().filter_map(|d| d.campaign_id).collect();
    let needs: std::collections::HashMap<i64, need::Model> = need::Entity::find()
        .filter(need::Column::Id.is_in(need_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let campaigns: std::collections::HashMap<i64, release_campaign::Model> =
        release_campaign::Entity::find()
            .filter(release_campaign::Column::Id.is_in(campaign_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let awaiting_approval = pending
        .into_iter()
        .filter_map(|d| {
            let (province, title, kind) = match (d.need_id, d.campaign_id) {
                (Some(n), _) => needs
                    .get(&n)
                    .map(|n| (n.province_id, n.public_title.clone(), n.category.clone()))?,
                (_, Some(c)) => campaigns
                    .get(&c)
                    .map(|c| (c.province_id, c.public_title.clone(), "court".to_string()))?,
                _ => return None,
            };
            who.covers(province, None).then(|| QueueItem {
                code: d.public_code,
                family_code: String::new(),
                title,
                category: kind,
                amount_rials: d.amount_rials,
            })
        })
        .collect();
    Ok(Queues {
        campaigns_to_verify: campaign_items(state, who, &["draft", "verified"]).await?,
        campaigns_to_pay: campaign_items(state, who, &["funded"]).await?,
        awaiting_verification: need_items(state, who, "awaiting_verification").await?,
        to_purchase: need_items(state, who, "funded").await?,
        to_deliver: need_items(state, who, "purchased").await?,
        awaiting_approval,
    })
}

/// The audit page's page size; the CSV takes up to [`AUDIT_CSV_ROWS`] at once.
pub const AUDIT_PAGE_ROWS: u64 = 100;
pub const AUDIT_CSV_ROWS: u64 = 10_000;

/// Audit entries newest first, optionally those whose action starts with `action` and older than
/// entry `before`, at most `limit`.
pub async fn audit_rows(
    state: &AppState,
    action: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditRow>, AppError> {
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(a) = action.map(str::trim).filter(|a| !a.is_empty()) {
        q = q.filter(audit_log::Column::Action.starts_with(a));
    }
    if let Some(b) = before {
        q = q.filter(audit_log::Column::Id.lt(b));
    }
    let rows = q.all(&state.db).await?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    let actors: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.public_id))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            id: r.id,
            at: r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: r.actor_user_id.and_then(|id| actors.get(&id).cloned()),
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            detail: r.detail,
        })
        .collect())
}

/// The work queues as CSV (one row per item, the queue's name first), what the page shows.
pub fn queues_csv(q: &Queues) -> String {
    use crate::transparency::csv_field;
    let mut out = String::from("queue,code,family,title,category,amount_rials\n");
    for (name, items) in [
        ("awaiting_verification", &q.awaiting_verification),
        ("to_purchase", &q.to_purchase),
        ("to_deliver", &q.to_deliver),
        ("awaiting_approval", &q.awaiting_approval),
        ("campaigns_to_verify", &q.campaigns_to_verify),
        ("campaigns_to_pay", &q.campaigns_to_pay),
    ] {
        for i in items {
            out.push_str(&format!(
                "{name},{},{},{},{},{}\n",
                csv_field(&i.code),
                csv_field(&i.family_code),
                csv_field(&i.title),
                csv_field(&i.category),
                i.amount_rials
            ));
        }
    }
    out
}

/// Audit entries as CSV (the verify command checks the chain itself, in the database).
pub fn audit_csv(rows: &[AuditRow]) -> String {
    use crate::transparency::csv_field;
    let mut out = String::from("id,at_utc,actor,action,subject_kind,subject_id,detail\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.id,
            csv_field(&r.at),
            csv_field(r.actor.as_deref().unwrap_or("")),
            csv_field(&r.action),
            csv_field(&r.subject_kind),
            csv_field(r.subject_id.as_deref().unwrap_or("")),
            csv_field(&r.detail),
        ));
    }
    out
}
