//! Contracts: proposal, amendment (a new version back to review), review and the status changes
//! of a running contract.

use super::*;

/// Validates a proposal's terms against the workshop and the wage rule in force.
pub(super) async fn terms_from(
    state: &AppState,
    form: &ContractForm,
    capacity: i32,
) -> Result<Terms, AppError> {
    let product = normalize_persian(&form.product);
    if !(2..=200).contains(&product.chars().count()) {
        return Err(AppError::invalid("product", "employment.product_invalid"));
    }
    let quantity = parse_count(&form.quantity, "quantity", 10_000_000)?;
    if quantity == 0 {
        return Err(AppError::invalid("quantity", "employment.count"));
    }
    let price_tomans = validation::amount_rials(&form.unit_price)
        .map_err(|k| AppError::invalid("unit_price", k))?;
    if price_tomans > 10_000_000_000 {
        return Err(AppError::invalid("unit_price", "validation.amount"));
    }
    let model = WageModel::parse(form.wage_model.trim())
        .ok_or_else(|| AppError::invalid("wage_model", "employment.wage_model_invalid"))?;
    let rate_tomans =
        validation::amount_rials(&form.wage_rate).map_err(|k| AppError::invalid("wage_rate", k))?;
    if rate_tomans > 1_000_000_000 {
        return Err(AppError::invalid("wage_rate", "validation.amount"));
    }
    let rate = rate_tomans * 10;
    let (_, rule) = rule_in_force(&state.db, today()).await?;
    if rate < rule.minimum(model) {
        return Err(AppError::invalid("wage_rate", "employment.below_minimum"));
    }
    let headcount = parse_count(&form.headcount, "headcount", 10_000)? as i32;
    if headcount == 0 || headcount > capacity {
        return Err(AppError::invalid(
            "headcount",
            "employment.headcount_invalid",
        ));
    }
    let required_skills = parse_skills(form.required_skills.as_deref(), "required_skills")?;
    let required_certificates = parse_skills(
        form.required_certificates.as_deref(),
        "required_certificates",
    )?;
    let starts = parse_date(&form.starts_on, "starts_on")?;
    let ends = parse_date(&form.ends_on, "ends_on")?;
    if ends <= starts || ends - starts > Duration::days(3 * 366) {
        return Err(AppError::invalid("ends_on", "employment.schedule_invalid"));
    }
    Ok(Terms {
        product,
        quantity,
        unit_price_rials: price_tomans * 10,
        wage_model: model.as_str().into(),
        wage_rate_rials: rate,
        headcount,
        required_skills,
        required_certificates,
        starts_on: starts.to_string(),
        ends_on: ends.to_string(),
        materials_supplied: form.materials_supplied.is_some(),
    })
}

pub(super) fn terms_of(c: &contract::Model) -> Terms {
    Terms {
        product: c.product.clone(),
        quantity: c.quantity,
        unit_price_rials: c.unit_price_rials,
        wage_model: c.wage_model.clone(),
        wage_rate_rials: c.wage_rate_rials,
        headcount: c.headcount,
        required_skills: skills_of(&c.required_skills),
        required_certificates: skills_of(&c.required_certificates),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        materials_supplied: c.materials_supplied,
    }
}

pub(super) fn snapshot(t: &Terms) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

pub(super) fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub async fn propose(
    state: &AppState,
    me: &Owner,
    form: &ContractForm,
) -> Result<String, AppError> {
    if me.entrepreneur.status != EntrepreneurStatus::Verified {
        return Err(AppError::invalid("entrepreneur", "employment.not_verified"));
    }
    let w = workshop::Entity::find()
        .filter(workshop::Column::PublicCode.eq(form.workshop.trim()))
        .filter(workshop::Column::Status.eq(WorkshopStatus::Open))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("workshop", "employment.workshop_invalid"))?;
    let t = terms_from(state, form, w.capacity).await?;
    let code = crate::platform::public_code("K", 8);
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let c = contract::ActiveModel {
        public_code: Set(code.clone()),
        entrepreneur_id: Set(me.entrepreneur.id),
        workshop_id: Set(w.id),
        product: Set(t.product.clone()),
        quantity: Set(t.quantity),
        unit_price_rials: Set(t.unit_price_rials),
        wage_model: Set(t.wage_model.clone()),
        wage_rate_rials: Set(t.wage_rate_rials),
        headcount: Set(t.headcount),
        required_skills: Set(json_list(&t.required_skills)),
        required_certificates: Set(json_list(&t.required_certificates)),
        starts_on: Set(parse_date(&t.starts_on, "starts_on")?),
        ends_on: Set(parse_date(&t.ends_on, "ends_on")?),
        materials_supplied: Set(t.materials_supplied),
        status: Set(ContractStatus::Proposed),
        status_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    contract_version::ActiveModel {
        contract_id: Set(c.id),
        version: Set(1),
        snapshot: Set(snapshot(&t)),
        created_by: Set(Some(me.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(me.user_id),
            "contract.proposed",
            "contract",
            &code,
            serde_json::json!({ "workshop": w.public_code, "rate": t.wage_rate_rials, "model": t.wage_model }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// An amendment: the new terms become the next version and go back to review; the old ones stay
/// in `contract_versions`.
pub async fn amend(
    state: &AppState,
    me: &Owner,
    code: &str,
    form: &ContractForm,
) -> Result<i32, AppError> {
    let (c, place) = contract_for(
        state,
        &Viewer::Owner(me.clone()),
        Permission::ViewEmployment,
        code,
    )
    .await?;
    if !c.status.may_be_amended() {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    let t = terms_from(state, form, place.workshop.capacity).await?;
    let next = c.version + 1;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let res = contract::Entity::update_many()
        .col_expr(contract::Column::Product, Expr::value(t.product.clone()))
        .col_expr(contract::Column::Quantity, Expr::value(t.quantity))
        .col_expr(
            contract::Column::UnitPriceRials,
            Expr::value(t.unit_price_rials),
        )
        .col_expr(
            contract::Column::WageModel,
            Expr::value(t.wage_model.clone()),
        )
        .col_expr(
            contract::Column::WageRateRials,
            Expr::value(t.wage_rate_rials),
        )
        .col_expr(contract::Column::Headcount, Expr::value(t.headcount))
        .col_expr(
            contract::Column::RequiredSkills,
            Expr::value(json_list(&t.required_skills)),
        )
        .col_expr(
            contract::Column::RequiredCertificates,
            Expr::value(json_list(&t.required_certificates)),
        )
        .col_expr(
            contract::Column::StartsOn,
            Expr::value(parse_date(&t.starts_on, "starts_on")?),
        )
        .col_expr(
            contract::Column::EndsOn,
            Expr::value(parse_date(&t.ends_on, "ends_on")?),
        )
        .col_expr(
            contract::Column::MaterialsSupplied,
            Expr::value(t.materials_supplied),
        )
        .col_expr(
            contract::Column::Status,
            Expr::value(ContractStatus::Proposed),
        )
        .col_expr(contract::Column::StatusReason, Expr::value("amended"))
        .col_expr(contract::Column::Version, Expr::value(next))
        .col_expr(contract::Column::UpdatedAt, Expr::value(now))
        .filter(contract::Column::Id.eq(c.id))
        .filter(contract::Column::Version.eq(c.version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    contract_version::ActiveModel {
        contract_id: Set(c.id),
        version: Set(next),
        snapshot: Set(snapshot(&t)),
        created_by: Set(Some(me.user_id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(me.user_id),
            "contract.amended",
            "contract",
            &c.public_code,
            serde_json::json!({ "version": next, "was": c.status }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// Conditional status change: exactly one row in `from` moves to `to`, or nothing changes.
pub(super) async fn advance(
    txn: &DatabaseTransaction,
    id: i64,
    from: ContractStatus,
    to: ContractStatus,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let res = contract::Entity::update_many()
        .col_expr(contract::Column::Status, Expr::value(to))
        .col_expr(
            contract::Column::StatusReason,
            Expr::value(reason.map(str::to_string)),
        )
        .col_expr(contract::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(contract::Column::Id.eq(id))
        .filter(contract::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    Ok(())
}

/// A review: the prison officer reviews a proposal first (capacity of his workshop), then the
/// provincial manager, who must be someone else. Returns the new status.
pub async fn review(
    state: &AppState,
    who: &Authed,
    code: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<String, AppError> {
    let (c, place) = staff_contract(state, who, Permission::ReviewContract, code).await?;
    let role = who.role();
    let officer_step = c.status == ContractStatus::Proposed;
    let manager_step = c.status == ContractStatus::OfficerApproved;
    if !officer_step && !manager_step {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    let may = if officer_step {
        matches!(role, Role::PrisonOfficer | Role::NationalAdmin)
    } else {
        matches!(role, Role::AssociationManager | Role::NationalAdmin)
    };
    if !may {
        return Err(AppError::invalid("status", "employment.review_step"));
    }
    let reason = reason.map(normalize_persian).filter(|r| !r.is_empty());
    if !approve && reason.is_none() {
        return Err(AppError::invalid("reason", "employment.reason_required"));
    }
    if manager_step {
        let officer = contract_review::Entity::find()
            .filter(contract_review::Column::ContractId.eq(c.id))
            .filter(contract_review::Column::Version.eq(c.version))
            .filter(contract_review::Column::Decision.eq("approved"))
            .all(&state.db)
            .await?;
        if officer.iter().any(|r| r.reviewer_id == who.user_id) {
            return Err(AppError::invalid("reviewer", "staff.four_eyes"));
        }
    }
    if approve && officer_step {
        // The workshop must have room: the headcounts of its running contracts plus this one.
        let busy: i64 = contract::Entity::find()
            .filter(contract::Column::WorkshopId.eq(place.workshop.id))
            .filter(
                contract::Column::Status
                    .is_in([ContractStatus::Active, ContractStatus::OfficerApproved]),
            )
            .filter(contract::Column::Id.ne(c.id))
            .all(&state.db)
            .await?
            .iter()
            .map(|o| o.headcount as i64)
            .sum();
        if busy + c.headcount as i64 > place.workshop.capacity as i64 {
            return Err(AppError::invalid("headcount", "employment.over_capacity"));
        }
    }
    let to = match (approve, officer_step) {
        (false, _) => ContractStatus::Rejected,
        (true, true) => ContractStatus::OfficerApproved,
        (true, false) => ContractStatus::Active,
    };
    let txn = audit::begin(&state.db).await?;
    advance(&txn, c.id, c.status, to, reason.as_deref()).await?;
    contract_review::ActiveModel {
        contract_id: Set(c.id),
        version: Set(c.version),
        reviewer_id: Set(who.user_id),
        reviewer_role: Set(role.as_str().into()),
        decision: Set(if approve { "approved" } else { "rejected" }.into()),
        reason: Set(reason.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "contract.reviewed",
            "contract",
            &c.public_code,
            serde_json::json!({ "from": c.status, "to": to, "version": c.version }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(to.into())
}

/// Suspend (`active` → `suspended`), resume (`suspended` → `active`), complete or terminate
/// (from either). Suspension and termination need a reason; ending a contract ends its workers'
/// assignments.
pub async fn transition(
    state: &AppState,
    who: &Authed,
    code: &str,
    to: &str,
    reason: &str,
) -> Result<(), AppError> {
    use crate::platform::entity::status::ContractStatus::{
        Active, Completed, Suspended, Terminated,
    };
    let (c, _) = staff_contract(state, who, Permission::ManageContract, code).await?;
    let to = ContractStatus::parse(to)
        .ok_or_else(|| AppError::invalid("status", "employment.bad_transition"))?;
    let allowed = matches!(
        (c.status, to),
        (Active, Suspended)
            | (Suspended, Active)
            | (Active | Suspended, Completed)
            | (Active | Suspended, Terminated)
    );
    if !allowed {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    let reason = normalize_persian(reason);
    if matches!(to, Suspended | Terminated) && reason.chars().count() < 3 {
        return Err(AppError::invalid("reason", "employment.reason_required"));
    }
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        c.status,
        to,
        Some(reason.as_str()).filter(|r| !r.is_empty()),
    )
    .await?;
    if matches!(to, Completed | Terminated) {
        worker_assignment::Entity::update_many()
            .col_expr(
                worker_assignment::Column::Status,
                Expr::value(AssignmentStatus::Ended),
            )
            .col_expr(worker_assignment::Column::EndedAt, Expr::value(Utc::now()))
            .filter(worker_assignment::Column::ContractId.eq(c.id))
            .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "contract.status",
            "contract",
            &c.public_code,
            serde_json::json!({ "from": c.status, "to": to, "reason": reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
