//! Employment on the server. Each function takes the state and the already-authorised person,
//! loads its record, checks ownership (entrepreneurs) or scope (staff), validates with the shared
//! rules, and writes its change, its ledger group and its audit entry in one transaction.

use super::wages::{self, Rule, WageModel, DEFAULT_RULE};
use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::{Permission, Role};
use crate::i18n::JalaliDate;
use crate::ledger::{self, credit, debit, Account, Posting};
use crate::platform::entity::{
    certificate, contract, contract_review, contract_version, entrepreneur, invoice, prison,
    prisoner, production_hour, production_log, province, release_campaign, user, wage_payment,
    wage_rule, worker_assignment, workshop,
};
use crate::platform::AppState;
use crate::validation::{self, normalize_persian};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An entrepreneur acting on their own records.
#[derive(Debug, Clone)]
pub struct Owner {
    pub user_id: i64,
    pub entrepreneur: entrepreneur::Model,
}

/// Whoever reads a contract: its entrepreneur, or staff in scope.
pub enum Viewer {
    Owner(Owner),
    Staff(Authed),
}

pub async fn owner(state: &AppState, who: &Authed) -> Result<Owner, AppError> {
    let e = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::UserId.eq(who.user_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Owner {
        user_id: who.user_id,
        entrepreneur: e,
    })
}

/// A statement with `?` placeholders, numbered for PostgreSQL.
fn stmt(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DatabaseBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub(super) fn skills_of(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

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

/// A Solar Hijri month `YYYY-MM` (any digits) and its Gregorian range `[from, to)`.
pub fn period_range(input: &str) -> Result<(String, NaiveDate, NaiveDate), AppError> {
    let s = validation::latin_digits(input.trim());
    let bad = || AppError::invalid("period", "employment.period_invalid");
    let (y, m) = s.split_once(['-', '/']).ok_or_else(bad)?;
    let year: i32 = y.trim().parse().map_err(|_| bad())?;
    let month: u8 = m.trim().parse().map_err(|_| bad())?;
    if !(1300..=1500).contains(&year) || !(1..=12).contains(&month) {
        return Err(bad());
    }
    let from = JalaliDate {
        year,
        month,
        day: 1,
    }
    .to_gregorian()
    .ok_or_else(bad)?;
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let to = JalaliDate {
        year: ny,
        month: nm,
        day: 1,
    }
    .to_gregorian()
    .ok_or_else(bad)?;
    Ok((format!("{year:04}-{month:02}"), from, to))
}

/// The Solar Hijri month a date falls in, as `YYYY-MM`.
pub fn period_of(date: NaiveDate) -> String {
    JalaliDate::from_gregorian(date)
        .map(|j| format!("{:04}-{:02}", j.year, j.month))
        .unwrap_or_default()
}

fn rule_of(r: &wage_rule::Model) -> Rule {
    Rule {
        family_bp: r.family_share_bp as i64,
        release_bp: r.release_share_bp as i64,
        restitution_bp: r.restitution_bp as i64,
        savings_bp: r.savings_bp as i64,
        cap_bp: r.cap_bp as i64,
        min_hourly_rials: r.min_hourly_rials,
        min_piece_rials: r.min_piece_rials,
    }
}

/// The rule in force on `on`: the latest in the table, or the built-in default.
pub async fn rule_in_force<C: ConnectionTrait>(
    db: &C,
    on: NaiveDate,
) -> Result<(Option<i64>, Rule), AppError> {
    let r = wage_rule::Entity::find()
        .filter(wage_rule::Column::EffectiveFrom.lte(on))
        .order_by_desc(wage_rule::Column::EffectiveFrom)
        .order_by_desc(wage_rule::Column::Id)
        .one(db)
        .await?;
    Ok(match r {
        Some(r) if rule_of(&r).is_valid() => (Some(r.id), rule_of(&r)),
        Some(r) => {
            tracing::error!(rule = r.id, "wage rule out of range; the default applies");
            (None, DEFAULT_RULE)
        }
        None => (None, DEFAULT_RULE),
    })
}

/// The rule's row id, writing the built-in default the first time wages are paid without one.
async fn rule_row(txn: &DatabaseTransaction, on: NaiveDate) -> Result<(i64, Rule), AppError> {
    if let (Some(id), rule) = rule_in_force(txn, on).await? {
        return Ok((id, rule));
    }
    let r = DEFAULT_RULE;
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(on);
    let row = rule_model(DEFAULT_RULE_NAME, &r, from).insert(txn).await?;
    Ok((row.id, r))
}

const DEFAULT_RULE_NAME: &str = "default (built in)";

fn rule_model(name: &str, r: &Rule, from: NaiveDate) -> wage_rule::ActiveModel {
    wage_rule::ActiveModel {
        name: Set(name.into()),
        family_share_bp: Set(r.family_bp as i32),
        release_share_bp: Set(r.release_bp as i32),
        restitution_bp: Set(r.restitution_bp as i32),
        savings_bp: Set(r.savings_bp as i32),
        cap_bp: Set(r.cap_bp as i32),
        min_hourly_rials: Set(r.min_hourly_rials),
        min_piece_rials: Set(r.min_piece_rials),
        effective_from: Set(from),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

fn rule_view(name: String, r: &Rule, effective_from: String, in_force: bool) -> WageRuleRow {
    WageRuleRow {
        name,
        family_bp: r.family_bp,
        release_bp: r.release_bp,
        restitution_bp: r.restitution_bp,
        savings_bp: r.savings_bp,
        cap_bp: r.cap_bp,
        min_hourly_rials: r.min_hourly_rials,
        min_piece_rials: r.min_piece_rials,
        effective_from,
        in_force,
    }
}

/// A percentage as typed (`30`, `12.5`, `۱۲٫۵`) in basis points, 0–100 %.
pub fn percent_bp(input: &str) -> Option<i64> {
    let s = validation::latin_digits(input.trim()).replace(['٫', '/'], ".");
    let s = s.trim_end_matches('%').trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let bp =
        whole.parse::<i64>().ok()?.checked_mul(100)? + format!("{frac:0<2}").parse::<i64>().ok()?;
    (0..=10_000).contains(&bp).then_some(bp)
}

/// The rule in force today and those set to start later (newest first, at most 20).
pub async fn wage_rules(state: &AppState) -> Result<Vec<WageRuleRow>, AppError> {
    let (in_force, _) = rule_in_force(&state.db, today()).await?;
    let rows = wage_rule::Entity::find()
        .order_by_desc(wage_rule::Column::EffectiveFrom)
        .order_by_desc(wage_rule::Column::Id)
        .limit(20)
        .all(&state.db)
        .await?;
    let mut out: Vec<WageRuleRow> = rows
        .into_iter()
        .filter(|r| r.effective_from > today() || Some(r.id) == in_force)
        .map(|r| {
            let on = Some(r.id) == in_force;
            rule_view(
                r.name.clone(),
                &rule_of(&r),
                r.effective_from.to_string(),
                on,
            )
        })
        .collect();
    if in_force.is_none() {
        out.push(rule_view(
            DEFAULT_RULE_NAME.into(),
            &DEFAULT_RULE,
            String::new(),
            true,
        ));
    }
    Ok(out)
}

/// A national admin sets the wage rule from a date on (today or later: wages already computed
/// keep the rule they were computed by, and contracts already active keep their agreed rate).
pub async fn set_wage_rule(
    state: &AppState,
    who: &Authed,
    form: &WageRuleForm,
) -> Result<(), AppError> {
    if !Permission::ManageStaff.allows(who.role()) {
        return Err(AppError::Forbidden);
    }
    let name = normalize_persian(&form.name);
    if !(3..=80).contains(&name.chars().count()) {
        return Err(AppError::invalid("name", "employment.rule_name_invalid"));
    }
    let pct = |field: &str, v: &str| {
        percent_bp(v).ok_or_else(|| AppError::invalid(field, "employment.percent_invalid"))
    };
    let tomans = |field: &str, v: &str| -> Result<i64, AppError> {
        let t = validation::amount_rials(v).map_err(|k| AppError::invalid(field, k))?;
        if t <= 0 || t > 100_000_000 {
            return Err(AppError::invalid(field, "employment.minimum_invalid"));
        }
        Ok(t * 10)
    };
    let rule = Rule {
        family_bp: pct("family", &form.family)?,
        release_bp: pct("release", &form.release)?,
        restitution_bp: pct("restitution", &form.restitution)?,
        savings_bp: pct("savings", &form.savings)?,
        cap_bp: pct("cap", &form.cap)?,
        min_hourly_rials: tomans("min_hourly", &form.min_hourly)?,
        min_piece_rials: tomans("min_piece", &form.min_piece)?,
    };
    if rule.cap_bp == 0 || !rule.is_valid() {
        return Err(AppError::invalid("cap", "employment.percent_invalid"));
    }
    let from = validation::parse_date(&form.effective_from)
        .filter(|d| *d >= today())
        .ok_or_else(|| AppError::invalid("effective_from", "employment.rule_date_invalid"))?;
    let txn = audit::begin(&state.db).await?;
    rule_model(&name, &rule, from).insert(&txn).await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "wage_rule.set",
            "wage_rule",
            &from.to_string(),
            serde_json::json!({
                "name": name, "family_bp": rule.family_bp, "release_bp": rule.release_bp,
                "restitution_bp": rule.restitution_bp, "savings_bp": rule.savings_bp,
                "cap_bp": rule.cap_bp, "min_hourly_rials": rule.min_hourly_rials,
                "min_piece_rials": rule.min_piece_rials,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

// ---------------------------------------------------------------- registration and verification

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
    let locale = crate::shell::request_locale().code();
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
    let code = crate::auth::ssr::public_code("E", 8);
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
        status: Set("pending".into()),
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
    if e.status != "pending" {
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
            Expr::value(if approve { "verified" } else { "rejected" }),
        )
        .col_expr(entrepreneur::Column::VerifiedBy, Expr::value(who.user_id))
        .col_expr(entrepreneur::Column::VerifiedAt, Expr::value(Utc::now()))
        .filter(entrepreneur::Column::Id.eq(e.id))
        .filter(entrepreneur::Column::Status.eq("pending"))
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

// ---------------------------------------------------------------- the public catalogue

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

// ---------------------------------------------------------------- contracts

struct Place {
    workshop: workshop::Model,
    prison: prison::Model,
}

async fn place_of(state: &AppState, workshop_id: i64) -> Result<Place, AppError> {
    let workshop = workshop::Entity::find_by_id(workshop_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("contract", "workshop missing"))?;
    let prison = prison::Entity::find_by_id(workshop.prison_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("contract", "prison missing"))?;
    Ok(Place { workshop, prison })
}

/// Loads a contract the viewer may see: the entrepreneur's own, or one in the staff's scope.
/// Anything else is "not found".
async fn contract_for(
    state: &AppState,
    viewer: &Viewer,
    p: Permission,
    code: &str,
) -> Result<(contract::Model, Place), AppError> {
    let c = contract::Entity::find()
        .filter(contract::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let place = place_of(state, c.workshop_id).await?;
    match viewer {
        Viewer::Owner(o) if o.entrepreneur.id == c.entrepreneur_id => {}
        Viewer::Owner(o) => {
            tracing::warn!(entrepreneur = %o.entrepreneur.public_code, contract = %c.public_code, "entrepreneur asked for another's contract");
            return Err(AppError::NotFound);
        }
        Viewer::Staff(a) => {
            check_scope(
                a,
                p,
                &c.public_code,
                place.prison.province_id,
                Some(place.prison.id),
            )
            .await?
        }
    }
    Ok((c, place))
}

async fn staff_contract(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(contract::Model, Place), AppError> {
    contract_for(state, &Viewer::Staff(who.clone()), p, code).await
}

fn parse_count(input: &str, field: &str, max: i64) -> Result<i64, AppError> {
    let s: String = validation::latin_digits(input)
        .chars()
        .filter(|c| !matches!(c, ',' | '٬' | ' '))
        .collect();
    match s.parse::<i64>() {
        Ok(v) if (0..=max).contains(&v) => Ok(v),
        _ => Err(AppError::invalid(field, "employment.count")),
    }
}

fn parse_date(input: &str, field: &str) -> Result<NaiveDate, AppError> {
    validation::parse_date(input).ok_or_else(|| AppError::invalid(field, "employment.date_invalid"))
}

/// Validates a proposal's terms against the workshop and the wage rule in force.
async fn terms_from(
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

fn terms_of(c: &contract::Model) -> Terms {
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

fn snapshot(t: &Terms) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub async fn propose(
    state: &AppState,
    me: &Owner,
    form: &ContractForm,
) -> Result<String, AppError> {
    if me.entrepreneur.status != "verified" {
        return Err(AppError::invalid("entrepreneur", "employment.not_verified"));
    }
    let w = workshop::Entity::find()
        .filter(workshop::Column::PublicCode.eq(form.workshop.trim()))
        .filter(workshop::Column::Status.eq("open"))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::invalid("workshop", "employment.workshop_invalid"))?;
    let t = terms_from(state, form, w.capacity).await?;
    let code = crate::auth::ssr::public_code("K", 8);
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
        status: Set("proposed".into()),
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
    if !matches!(
        c.status.as_str(),
        "proposed" | "officer_approved" | "active" | "suspended" | "rejected"
    ) {
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
        .col_expr(contract::Column::Status, Expr::value("proposed"))
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
async fn advance(
    txn: &DatabaseTransaction,
    id: i64,
    from: &str,
    to: &str,
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
    let officer_step = c.status == "proposed";
    let manager_step = c.status == "officer_approved";
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
            .filter(contract::Column::Status.is_in(["active", "officer_approved"]))
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
        (false, _) => "rejected",
        (true, true) => "officer_approved",
        (true, false) => "active",
    };
    let txn = audit::begin(&state.db).await?;
    advance(&txn, c.id, &c.status, to, reason.as_deref()).await?;
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
    let (c, _) = staff_contract(state, who, Permission::ManageContract, code).await?;
    let allowed = matches!(
        (c.status.as_str(), to),
        ("active", "suspended")
            | ("suspended", "active")
            | ("active" | "suspended", "completed")
            | ("active" | "suspended", "terminated")
    );
    if !allowed {
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    let reason = normalize_persian(reason);
    if matches!(to, "suspended" | "terminated") && reason.chars().count() < 3 {
        return Err(AppError::invalid("reason", "employment.reason_required"));
    }
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        &c.status,
        to,
        Some(reason.as_str()).filter(|r| !r.is_empty()),
    )
    .await?;
    if matches!(to, "completed" | "terminated") {
        worker_assignment::Entity::update_many()
            .col_expr(worker_assignment::Column::Status, Expr::value("ended"))
            .col_expr(worker_assignment::Column::EndedAt, Expr::value(Utc::now()))
            .filter(worker_assignment::Column::ContractId.eq(c.id))
            .filter(worker_assignment::Column::Status.eq("active"))
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

// ---------------------------------------------------------------- matching and assignment

/// Why a prisoner cannot work on a contract, or `None` when he can.
fn ineligible(
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
fn rank(
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
async fn busy_among<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<BTreeSet<i64>, AppError> {
    let mut out = BTreeSet::new();
    for chunk in ids.chunks(500) {
        for a in worker_assignment::Entity::find()
            .filter(worker_assignment::Column::Status.eq("active"))
            .filter(worker_assignment::Column::PrisonerId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.insert(a.prisoner_id);
        }
    }
    Ok(out)
}

async fn certificates_of<C: ConnectionTrait>(
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
    if !matches!(c.status.as_str(), "active" | "officer_approved") {
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
    if c.status != "active" {
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
        .filter(worker_assignment::Column::Status.eq("active"))
        .all(&txn)
        .await?
        .len();
    if taken >= c.headcount as usize {
        return Err(AppError::invalid("prisoner", "employment.headcount_full"));
    }
    let worker_code = crate::auth::ssr::public_code("WK", 8);
    worker_assignment::ActiveModel {
        contract_id: Set(c.id),
        prisoner_id: Set(p.id),
        worker_code: Set(worker_code.clone()),
        status: Set("active".into()),
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
        .col_expr(worker_assignment::Column::Status, Expr::value("ended"))
        .col_expr(worker_assignment::Column::Rating, Expr::value(rating))
        .col_expr(
            worker_assignment::Column::EndedAt,
            Expr::value(a.ended_at.unwrap_or(now)),
        )
        .filter(worker_assignment::Column::Id.eq(a.id))
        .filter(worker_assignment::Column::Status.eq(a.status.as_str()))
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
            .col_expr(worker_assignment::Column::Status, Expr::value("ended"))
            .col_expr(worker_assignment::Column::EndedAt, Expr::value(now))
            .filter(worker_assignment::Column::PrisonerId.eq(p.id))
            .filter(worker_assignment::Column::Status.eq("active"))
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

// ---------------------------------------------------------------- production

/// Hours as typed (`8`, `7.5`, `۷٫۵`, `7:30`) in minutes; 0 < h ≤ 12.
pub fn parse_hours(input: &str) -> Result<i64, AppError> {
    let s = validation::latin_digits(input.trim()).replace(['٫', '/'], ".");
    let bad = || AppError::invalid("hours", "employment.hours_invalid");
    let minutes = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = h.trim().parse().map_err(|_| bad())?;
        let m: i64 = m.trim().parse().map_err(|_| bad())?;
        if !(0..60).contains(&m) {
            return Err(bad());
        }
        h * 60 + m
    } else if let Some((h, frac)) = s.split_once('.') {
        let h: i64 = if h.is_empty() {
            0
        } else {
            h.trim().parse().map_err(|_| bad())?
        };
        let frac = frac.trim();
        if frac.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let hundredths: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        h * 60 + hundredths * 60 / 100
    } else {
        s.parse::<i64>().map_err(|_| bad())? * 60
    };
    if minutes <= 0 || minutes > 12 * 60 {
        return Err(bad());
    }
    Ok(minutes)
}

pub async fn log_production(
    state: &AppState,
    who: &Authed,
    form: &ProductionForm,
) -> Result<i64, AppError> {
    let (c, _) = staff_contract(state, who, Permission::ManageWorkers, &form.contract).await?;
    if c.status != "active" {
        return Err(AppError::invalid("status", "employment.not_active"));
    }
    let date = parse_date(&form.date, "date")?;
    if date < c.starts_on || date > c.ends_on || date > today() {
        return Err(AppError::invalid("date", "employment.log_date"));
    }
    let quantity = parse_count(&form.quantity, "quantity", 10_000_000)?;
    let accepted = parse_count(&form.accepted, "accepted", 10_000_000)?;
    let rejected = parse_count(&form.rejected, "rejected", 10_000_000)?;
    if accepted + rejected != quantity {
        return Err(AppError::invalid("quantity", "employment.quality_mismatch"));
    }
    let workers: HashMap<String, worker_assignment::Model> = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .filter(worker_assignment::Column::Status.eq("active"))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.worker_code.clone(), a))
        .collect();
    let mut lines: Vec<(i64, i64, i64)> = Vec::new();
    let mut seen = BTreeSet::new();
    for e in form.entries.iter().filter(|e| !e.hours.trim().is_empty()) {
        let a = workers
            .get(e.worker.trim())
            .ok_or_else(|| AppError::invalid("entries", "employment.unknown_worker"))?;
        if !seen.insert(a.id) {
            return Err(AppError::invalid("entries", "employment.unknown_worker"));
        }
        let minutes = parse_hours(&e.hours)?;
        let pieces = match e.pieces.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => parse_count(p, "pieces", 10_000_000)?,
            None => 0,
        };
        lines.push((a.id, minutes, pieces));
    }
    if lines.is_empty() {
        return Err(AppError::invalid("entries", "employment.no_hours"));
    }
    let pieces: i64 = lines.iter().map(|l| l.2).sum();
    if pieces > accepted {
        return Err(AppError::invalid(
            "entries",
            "employment.pieces_over_accepted",
        ));
    }
    if c.wage_model == "piece" && pieces != accepted {
        return Err(AppError::invalid("entries", "employment.pieces_unassigned"));
    }
    let txn = audit::begin(&state.db).await?;
    let exists = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::WorkDate.eq(date))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(AppError::invalid("date", "employment.log_exists"));
    }
    let by_code: BTreeMap<String, i64> = lines
        .iter()
        .filter_map(|(id, m, _)| {
            workers
                .values()
                .find(|a| a.id == *id)
                .map(|a| (a.worker_code.clone(), *m))
        })
        .collect();
    let log = production_log::ActiveModel {
        contract_id: Set(c.id),
        work_date: Set(date),
        quantity: Set(quantity),
        accepted: Set(accepted),
        rejected: Set(rejected),
        hours_by_worker: Set(serde_json::to_string(&by_code).unwrap_or_default()),
        logged_by: Set(Some(who.user_id)),
        disputed: Set(false),
        dispute_note: Set(None),
        resolved_at: Set(None),
        created_at: Set(Utc::now()),
        resolution_note: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    production_hour::Entity::insert_many(lines.iter().map(|(a, m, p)| {
        production_hour::ActiveModel {
            log_id: Set(log.id),
            assignment_id: Set(*a),
            minutes: Set(*m),
            pieces: Set(*p),
            ..Default::default()
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "production.logged",
            "contract",
            &c.public_code,
            serde_json::json!({ "date": date.to_string(), "accepted": accepted, "rejected": rejected, "workers": lines.len() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(log.id)
}

/// Either side flags a day's log; it is then left out of invoices and wages until resolved.
pub async fn dispute(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    log_id: i64,
    note: &str,
) -> Result<(), AppError> {
    let (c, _) = contract_for(state, viewer, Permission::ManageWorkers, code).await?;
    let note = normalize_persian(note);
    if !(3..=500).contains(&note.chars().count()) {
        return Err(AppError::invalid("note", "employment.note"));
    }
    let actor = match viewer {
        Viewer::Owner(o) => o.user_id,
        Viewer::Staff(a) => a.user_id,
    };
    let txn = audit::begin(&state.db).await?;
    let res = production_log::Entity::update_many()
        .col_expr(production_log::Column::Disputed, Expr::value(true))
        .col_expr(
            production_log::Column::DisputeNote,
            Expr::value(note.clone()),
        )
        .col_expr(
            production_log::Column::ResolvedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(production_log::Column::Id.eq(log_id))
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::Disputed.eq(false))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("log", "employment.bad_transition"));
    }
    // Once wages of that month are paid, the dispute is settled by correction, not by reopening.
    audit::record(
        &txn,
        Entry::new(
            Some(actor),
            "production.disputed",
            "contract",
            &c.public_code,
            serde_json::json!({ "log": log_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn resolve(
    state: &AppState,
    who: &Authed,
    code: &str,
    log_id: i64,
    note: &str,
) -> Result<(), AppError> {
    let (c, _) = staff_contract(state, who, Permission::ManageContract, code).await?;
    let note = normalize_persian(note);
    if !(3..=500).contains(&note.chars().count()) {
        return Err(AppError::invalid("note", "employment.note"));
    }
    let txn = audit::begin(&state.db).await?;
    let res = production_log::Entity::update_many()
        .col_expr(production_log::Column::ResolvedAt, Expr::value(Utc::now()))
        .col_expr(production_log::Column::ResolutionNote, Expr::value(note))
        .filter(production_log::Column::Id.eq(log_id))
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("log", "employment.bad_transition"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "production.resolved",
            "contract",
            &c.public_code,
            serde_json::json!({ "log": log_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- invoices

fn invoice_view(i: &invoice::Model) -> InvoiceView {
    InvoiceView {
        code: i.public_code.clone(),
        period: i.period.clone(),
        accepted_units: i.accepted_units,
        amount_rials: i.amount_rials,
        status: i.status.clone(),
    }
}

async fn open_disputes<C: ConnectionTrait>(
    db: &C,
    contract_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<bool, AppError> {
    Ok(production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(contract_id))
        .filter(production_log::Column::WorkDate.gte(from))
        .filter(production_log::Column::WorkDate.lt(to))
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// The month's invoice: accepted units × unit price. Issuing twice returns the same invoice.
pub async fn issue_invoice(
    state: &AppState,
    who: &Authed,
    code: &str,
    period: &str,
) -> Result<InvoiceView, AppError> {
    let (c, _) = staff_contract(state, who, Permission::PayWages, code).await?;
    let (period, from, to) = period_range(period)?;
    if from > today() {
        return Err(AppError::invalid("period", "employment.period_future"));
    }
    if let Some(i) = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .filter(invoice::Column::Period.eq(&period))
        .one(&state.db)
        .await?
    {
        return Ok(invoice_view(&i));
    }
    if open_disputes(&state.db, c.id, from, to).await? {
        return Err(AppError::invalid("period", "employment.open_disputes"));
    }
    let accepted: i64 = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::WorkDate.gte(from))
        .filter(production_log::Column::WorkDate.lt(to))
        .all(&state.db)
        .await?
        .iter()
        .map(|l| l.accepted)
        .sum();
    if accepted == 0 {
        return Err(AppError::invalid("period", "employment.nothing_to_invoice"));
    }
    let amount = accepted
        .checked_mul(c.unit_price_rials)
        .ok_or_else(|| AppError::invalid("period", "validation.amount"))?;
    let txn = audit::begin(&state.db).await?;
    let row = invoice::ActiveModel {
        public_code: Set(crate::auth::ssr::public_code("INV", 8)),
        contract_id: Set(c.id),
        period: Set(period.clone()),
        accepted_units: Set(accepted),
        amount_rials: Set(amount),
        status: Set("issued".into()),
        transaction_id: Set(None),
        paid_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    invoice::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([invoice::Column::ContractId, invoice::Column::Period])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let i = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .filter(invoice::Column::Period.eq(&period))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("invoice", "vanished"))?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "invoice.issued",
            "contract",
            &c.public_code,
            serde_json::json!({ "invoice": i.public_code, "period": period, "amount": amount }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(invoice_view(&i))
}

/// The entrepreneur paid: one ledger group, bank ← contract income.
pub async fn invoice_paid(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let i = invoice::Entity::find()
        .filter(invoice::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = contract::Entity::find_by_id(i.contract_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("invoice", "contract missing"))?;
    staff_contract(state, who, Permission::PayWages, &c.public_code).await?;
    let txn = audit::begin(&state.db).await?;
    let bank = ledger::account_id(&txn, &Account::Bank).await?;
    let income = ledger::account_id(&txn, &Account::ContractIncome).await?;
    let tid = ledger::post(
        &txn,
        Posting {
            kind: "invoice_payment",
            memo: &format!("invoice {} ({})", i.public_code, i.period),
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[debit(bank, i.amount_rials), credit(income, i.amount_rials)],
    )
    .await?;
    let res = invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value("paid"))
        .col_expr(invoice::Column::TransactionId, Expr::value(tid))
        .col_expr(invoice::Column::PaidAt, Expr::value(Utc::now()))
        .filter(invoice::Column::Id.eq(i.id))
        .filter(invoice::Column::Status.eq("issued"))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        // Already paid: the posting above rolls back with the transaction.
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "invoice.paid",
            "contract",
            &c.public_code,
            serde_json::json!({ "invoice": i.public_code, "amount": i.amount_rials }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- wages

/// One worker's month, as the wage run reads it.
#[derive(Debug, Clone)]
struct Due {
    assignment_id: i64,
    prisoner_id: i64,
    family_id: Option<i64>,
    model: WageModel,
    rate: i64,
    minutes: i64,
    pieces: i64,
}

/// How many workers a wage-run transaction pays.
const WAGE_CHUNK: usize = 200;

/// Pays every worker's month in scope (all of it for the system itself, `who = None`), once:
/// gross from the logged minutes or accepted pieces (logs under an open dispute wait: their
/// contract's workers are left for a later run), split under the rule in force on the month's
/// first day, each wage one balanced ledger group — workshop wages → the family's support fund,
/// the worker's release campaign (never past its goal; the rest to his savings), restitution,
/// his savings, and what he is owed. A second run pays nobody twice (a unique row per worker and
/// month is claimed before posting).
pub async fn wage_run(
    state: &AppState,
    who: Option<&Authed>,
    period: &str,
) -> Result<WageRunReport, AppError> {
    crate::platform::metrics::timed("wage_run", run_wages(state, who, period)).await
}

async fn run_wages(
    state: &AppState,
    who: Option<&Authed>,
    period: &str,
) -> Result<WageRunReport, AppError> {
    let (period, from, to) = period_range(period)?;
    if from > today() {
        return Err(AppError::invalid("period", "employment.period_future"));
    }
    let db = &state.db;
    let backend = db.get_database_backend();
    let scope = match who.and_then(|w| w.province_filter()) {
        None => String::new(),
        Some(ids) if ids.is_empty() => " AND 1 = 0".into(),
        Some(ids) => format!(
            " AND pz.province_id IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let open =
        "SELECT d.contract_id FROM production_logs d WHERE d.work_date >= ? AND d.work_date < ? \
                AND d.disputed = ? AND d.resolved_at IS NULL";
    let sql = format!(
        "SELECT a.id, a.prisoner_id, pr.family_id, c.wage_model, c.wage_rate_rials, \
         CAST(SUM(h.minutes) AS BIGINT), CAST(SUM(h.pieces) AS BIGINT) \
         FROM production_hours h \
         JOIN production_logs l ON l.id = h.log_id \
         JOIN worker_assignments a ON a.id = h.assignment_id \
         JOIN contracts c ON c.id = a.contract_id \
         JOIN workshops w ON w.id = c.workshop_id \
         JOIN prisons pz ON pz.id = w.prison_id \
         JOIN prisoners pr ON pr.id = a.prisoner_id \
         WHERE l.work_date >= ? AND l.work_date < ?{scope} \
         AND c.id NOT IN ({open}) \
         AND NOT EXISTS (SELECT 1 FROM wage_payments wp WHERE wp.assignment_id = a.id AND wp.period = ?) \
         GROUP BY a.id, a.prisoner_id, pr.family_id, c.wage_model, c.wage_rate_rials \
         ORDER BY a.id"
    );
    let rows = db
        .query_all_raw(stmt(
            backend,
            &sql,
            vec![
                from.into(),
                to.into(),
                from.into(),
                to.into(),
                true.into(),
                period.clone().into(),
            ],
        ))
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in rows {
        let model: String = r.try_get_by_index(3)?;
        due.push(Due {
            assignment_id: r.try_get_by_index(0)?,
            prisoner_id: r.try_get_by_index(1)?,
            family_id: r.try_get_by_index(2)?,
            model: WageModel::parse(&model).unwrap_or(WageModel::Hourly),
            rate: r.try_get_by_index(4)?,
            minutes: r.try_get_by_index(5)?,
            pieces: r.try_get_by_index(6)?,
        });
    }
    let already: i64 = db
        .query_one_raw(stmt(
            backend,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM wage_payments WHERE period = ?",
            vec![period.clone().into()],
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    // Release campaigns taking money, by prisoner (one query).
    let prisoner_ids: Vec<i64> = due.iter().map(|d| d.prisoner_id).collect();
    let mut campaigns: HashMap<i64, (i64, i64)> = HashMap::new();
    for chunk in prisoner_ids.chunks(500) {
        for c in release_campaign::Entity::find()
            .filter(release_campaign::Column::PrisonerId.is_in(chunk.to_vec()))
            .filter(release_campaign::Column::Status.eq("published"))
            .all(db)
            .await?
        {
            campaigns.insert(
                c.prisoner_id,
                (c.id, (c.total_owed_rials - c.forgiveness_rials).max(0)),
            );
        }
    }
    let mut report = WageRunReport {
        period: period.clone(),
        already_paid: already,
        ..Default::default()
    };
    let actor = who.map(|w| w.user_id);
    for chunk in due.chunks(WAGE_CHUNK) {
        let txn = audit::begin(db).await?;
        let (rule_id, rule) = rule_row(&txn, from).await?;
        let wages_acct = ledger::account_id(&txn, &Account::Wages).await?;
        let restitution_acct = ledger::account_id(&txn, &Account::Restitution).await?;
        let mut paid = 0i64;
        for d in chunk {
            let Some(gross) = wages::gross(d.model, d.rate, d.minutes, d.pieces) else {
                tracing::error!(assignment = d.assignment_id, "wage overflow; left unpaid");
                continue;
            };
            if gross <= 0 {
                continue;
            }
            let campaign = campaigns.get(&d.prisoner_id).copied();
            let mut split = wages::split(gross, &rule, d.family_id.is_some(), campaign.is_some());
            // A campaign takes no more than it lacks; the rest is the worker's savings.
            let mut campaign_met = None;
            if let Some((cid, goal)) = campaign {
                let acct = ledger::account_id(&txn, &Account::Campaign(cid)).await?;
                let held = ledger::fund_balance(&txn, acct).await?;
                let lacks = (goal - held).max(0);
                if split.release >= lacks {
                    split.savings += split.release - lacks;
                    split.release = lacks;
                    campaign_met = Some(cid);
                }
            }
            // Claim the worker's month first: a concurrent run finds it taken and skips.
            let claimed = wage_payment::Entity::insert(wage_payment::ActiveModel {
                assignment_id: Set(d.assignment_id),
                prisoner_id: Set(d.prisoner_id),
                rule_id: Set(rule_id),
                period: Set(period.clone()),
                gross_rials: Set(split.gross),
                family_rials: Set(split.family),
                release_rials: Set(split.release),
                restitution_rials: Set(split.restitution),
                savings_rials: Set(split.savings),
                net_rials: Set(split.net),
                transaction_id: Set(None),
                created_at: Set(Utc::now()),
                minutes: Set(d.minutes),
                pieces: Set(d.pieces),
                rate_rials: Set(d.rate),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([
                    wage_payment::Column::AssignmentId,
                    wage_payment::Column::Period,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            if claimed == 0 {
                report.already_paid += 1;
                continue;
            }
            let mut lines = vec![debit(wages_acct, split.gross)];
            if let Some(fid) = d.family_id.filter(|_| split.family > 0) {
                lines.push(credit(
                    ledger::account_id(&txn, &Account::Family(fid)).await?,
                    split.family,
                ));
            }
            if let Some((cid, _)) = campaign.filter(|_| split.release > 0) {
                lines.push(credit(
                    ledger::account_id(&txn, &Account::Campaign(cid)).await?,
                    split.release,
                ));
            }
            if split.restitution > 0 {
                lines.push(credit(restitution_acct, split.restitution));
            }
            if split.savings > 0 {
                lines.push(credit(
                    ledger::account_id(&txn, &Account::Savings(d.prisoner_id)).await?,
                    split.savings,
                ));
            }
            if split.net > 0 {
                lines.push(credit(
                    ledger::account_id(&txn, &Account::WorkerPay(d.prisoner_id)).await?,
                    split.net,
                ));
            }
            let tid = ledger::post(
                &txn,
                Posting {
                    kind: "wages",
                    memo: &format!("wages {period}"),
                    donation_id: None,
                    created_by: actor,
                },
                &lines,
            )
            .await?;
            wage_payment::Entity::update_many()
                .col_expr(wage_payment::Column::TransactionId, Expr::value(tid))
                .filter(wage_payment::Column::AssignmentId.eq(d.assignment_id))
                .filter(wage_payment::Column::Period.eq(&period))
                .exec(&txn)
                .await?;
            if let Some(cid) = campaign_met {
                release_campaign::Entity::update_many()
                    .col_expr(release_campaign::Column::Status, Expr::value("funded"))
                    .col_expr(release_campaign::Column::FundedAt, Expr::value(Utc::now()))
                    .filter(release_campaign::Column::Id.eq(cid))
                    .filter(release_campaign::Column::Status.eq("published"))
                    .exec(&txn)
                    .await?;
                campaigns.remove(&d.prisoner_id);
            }
            paid += 1;
            report.payments += 1;
            report.gross_rials += split.gross;
            report.family_rials += split.family;
            report.release_rials += split.release;
            report.restitution_rials += split.restitution;
            report.savings_rials += split.savings;
            report.net_rials += split.net;
        }
        if paid > 0 {
            audit::record(
                &txn,
                Entry::new(
                    actor,
                    "wages.paid",
                    "period",
                    &period,
                    serde_json::json!({ "workers": paid }),
                ),
            )
            .await?;
        }
        txn.commit().await?;
    }
    tracing::info!(period = %report.period, payments = report.payments, gross = report.gross_rials, "wage run");
    Ok(report)
}

pub async fn payslips(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    period: &str,
) -> Result<Vec<Payslip>, AppError> {
    let (c, _) = contract_for(state, viewer, Permission::ViewEmployment, code).await?;
    let (period, _, _) = period_range(period)?;
    let assignments: HashMap<i64, String> = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.worker_code))
        .collect();
    let pays = wage_payment::Entity::find()
        .filter(
            wage_payment::Column::AssignmentId
                .is_in(assignments.keys().copied().collect::<Vec<_>>()),
        )
        .filter(wage_payment::Column::Period.eq(&period))
        .all(&state.db)
        .await?;
    let rules: HashMap<i64, wage_rule::Model> = wage_rule::Entity::find()
        .filter(wage_rule::Column::Id.is_in(pays.iter().map(|p| p.rule_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut out: Vec<Payslip> = pays
        .into_iter()
        .map(|p| {
            let cap_bp = rules
                .get(&p.rule_id)
                .map(|r| r.cap_bp as i64)
                .unwrap_or(DEFAULT_RULE.cap_bp);
            Payslip {
                worker_code: assignments
                    .get(&p.assignment_id)
                    .cloned()
                    .unwrap_or_default(),
                contract_code: c.public_code.clone(),
                period: p.period.clone(),
                wage_model: c.wage_model.clone(),
                rate_rials: p.rate_rials,
                minutes: p.minutes,
                pieces: p.pieces,
                cap_bp,
                split: wages::Split {
                    gross: p.gross_rials,
                    family: p.family_rials,
                    release: p.release_rials,
                    restitution: p.restitution_rials,
                    savings: p.savings_rials,
                    net: p.net_rials,
                    cap: (p.gross_rials as i128 * cap_bp as i128 / wages::FULL_BP as i128) as i64,
                    capped: false,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| a.worker_code.cmp(&b.worker_code));
    Ok(out)
}

// ---------------------------------------------------------------- reading

pub async fn contract_view(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<ContractView, AppError> {
    let (c, place) = contract_for(state, viewer, Permission::ViewEmployment, code).await?;
    let db = &state.db;
    let company = entrepreneur::Entity::find_by_id(c.entrepreneur_id)
        .one(db)
        .await?
        .map(|e| e.company_name)
        .unwrap_or_default();
    let assignments = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .order_by_asc(worker_assignment::Column::Id)
        .all(db)
        .await?;
    let people = prisoner::Entity::find()
        .filter(
            prisoner::Column::Id.is_in(
                assignments
                    .iter()
                    .map(|a| a.prisoner_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?;
    let skills: HashMap<i64, Vec<String>> = people
        .iter()
        .map(|p| (p.id, skills_of(&p.skills)))
        .collect();
    // Staff follow a worker to his family's file; an entrepreneur never learns it.
    let families: HashMap<i64, String> = match viewer {
        Viewer::Owner(_) => HashMap::new(),
        Viewer::Staff(_) => {
            use crate::platform::entity::family;
            let codes: HashMap<i64, String> = family::Entity::find()
                .filter(
                    family::Column::Id.is_in(
                        people
                            .iter()
                            .filter_map(|p| p.family_id)
                            .collect::<Vec<_>>(),
                    ),
                )
                .all(db)
                .await?
                .into_iter()
                .map(|f| (f.id, f.public_code))
                .collect();
            people
                .iter()
                .filter_map(|p| {
                    p.family_id
                        .and_then(|f| codes.get(&f))
                        .map(|c| (p.id, c.clone()))
                })
                .collect()
        }
    };
    let workers = assignments
        .iter()
        .map(|a| WorkerView {
            worker_code: a.worker_code.clone(),
            skills: skills.get(&a.prisoner_id).cloned().unwrap_or_default(),
            status: a.status.clone(),
            family_code: families.get(&a.prisoner_id).cloned(),
            rating: a.rating,
        })
        .collect();
    let logs = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(c.id))
        .order_by_desc(production_log::Column::WorkDate)
        .limit(62)
        .all(db)
        .await?;
    let mut minutes: HashMap<i64, i64> = HashMap::new();
    for h in production_hour::Entity::find()
        .filter(production_hour::Column::LogId.is_in(logs.iter().map(|l| l.id).collect::<Vec<_>>()))
        .all(db)
        .await?
    {
        *minutes.entry(h.log_id).or_default() += h.minutes;
    }
    let logs = logs
        .into_iter()
        .map(|l| LogView {
            id: l.id,
            date: l.work_date.to_string(),
            quantity: l.quantity,
            accepted: l.accepted,
            rejected: l.rejected,
            minutes: minutes.get(&l.id).copied().unwrap_or(0),
            disputed: l.disputed && l.resolved_at.is_none(),
            dispute_note: l.dispute_note,
            resolution_note: l.resolution_note,
        })
        .collect();
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .order_by_desc(invoice::Column::Period)
        .all(db)
        .await?
        .iter()
        .map(invoice_view)
        .collect();
    let reviews = contract_review::Entity::find()
        .filter(contract_review::Column::ContractId.eq(c.id))
        .order_by_asc(contract_review::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ReviewView {
            version: r.version,
            role: r.reviewer_role,
            decision: r.decision,
            reason: r.reason,
            at: r.created_at.date_naive().to_string(),
        })
        .collect();
    Ok(ContractView {
        code: c.public_code.clone(),
        status: c.status.clone(),
        status_reason: c.status_reason.clone(),
        version: c.version,
        workshop_code: place.workshop.public_code.clone(),
        workshop_fa: place.workshop.name_fa.clone(),
        workshop_en: place.workshop.name_en.clone(),
        company,
        terms: terms_of(&c),
        workers,
        logs,
        invoices,
        reviews,
        own: matches!(viewer, Viewer::Owner(_)),
        current_period: period_of(today()),
    })
}

async fn contract_rows(
    state: &AppState,
    contracts: Vec<contract::Model>,
) -> Result<Vec<ContractRow>, AppError> {
    let db = &state.db;
    let ws: HashMap<i64, workshop::Model> = workshop::Entity::find()
        .filter(
            workshop::Column::Id.is_in(contracts.iter().map(|c| c.workshop_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let es: HashMap<i64, String> = entrepreneur::Entity::find()
        .filter(
            entrepreneur::Column::Id.is_in(
                contracts
                    .iter()
                    .map(|c| c.entrepreneur_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.company_name))
        .collect();
    let mut workers: HashMap<i64, i64> = HashMap::new();
    for a in worker_assignment::Entity::find()
        .filter(
            worker_assignment::Column::ContractId
                .is_in(contracts.iter().map(|c| c.id).collect::<Vec<_>>()),
        )
        .filter(worker_assignment::Column::Status.eq("active"))
        .all(db)
        .await?
    {
        *workers.entry(a.contract_id).or_default() += 1;
    }
    Ok(contracts
        .into_iter()
        .map(|c| {
            let w = ws.get(&c.workshop_id);
            ContractRow {
                code: c.public_code,
                product: c.product,
                company: es.get(&c.entrepreneur_id).cloned().unwrap_or_default(),
                workshop_fa: w.map(|w| w.name_fa.clone()).unwrap_or_default(),
                workshop_en: w.map(|w| w.name_en.clone()).unwrap_or_default(),
                status: c.status,
                headcount: c.headcount,
                workers: workers.get(&c.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

async fn entrepreneur_rows(
    state: &AppState,
    es: Vec<entrepreneur::Model>,
) -> Result<Vec<EntrepreneurRow>, AppError> {
    let ps: HashMap<i64, province::Model> = province::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(es
        .into_iter()
        .map(|e| {
            let p = ps.get(&e.province_id);
            EntrepreneurRow {
                code: e.public_code,
                company: e.company_name,
                sector: e.sector,
                province_fa: p.map(|p| p.name_fa.clone()).unwrap_or_default(),
                province_en: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                status: e.status,
            }
        })
        .collect())
}

pub async fn dashboard(state: &AppState, me: &Owner) -> Result<Dashboard, AppError> {
    let db = &state.db;
    let contracts = contract::Entity::find()
        .filter(contract::Column::EntrepreneurId.eq(me.entrepreneur.id))
        .order_by_desc(contract::Column::UpdatedAt)
        .limit(100)
        .all(db)
        .await?;
    let codes: HashMap<i64, String> = contracts
        .iter()
        .map(|c| (c.id, c.public_code.clone()))
        .collect();
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::ContractId.is_in(codes.keys().copied().collect::<Vec<_>>()))
        .order_by_desc(invoice::Column::Period)
        .limit(100)
        .all(db)
        .await?
        .iter()
        .map(|i| {
            (
                codes.get(&i.contract_id).cloned().unwrap_or_default(),
                invoice_view(i),
            )
        })
        .collect();
    let prisons: Vec<i64> = prison::Entity::find()
        .filter(prison::Column::ProvinceId.eq(me.entrepreneur.province_id))
        .all(db)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let workshops = workshop::Entity::find()
        .filter(workshop::Column::PrisonId.is_in(prisons))
        .filter(workshop::Column::Status.eq("open"))
        .order_by_asc(workshop::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.public_code, w.name_fa, w.name_en))
        .collect();
    let province = province::Entity::find_by_id(me.entrepreneur.province_id)
        .one(db)
        .await?
        .map(|p| p.code)
        .unwrap_or_default();
    let output = output_rows(db, &contracts).await?;
    Ok(Dashboard {
        output,
        jobs: super::after_release::own_jobs(state, me.entrepreneur.id).await?,
        province,
        me: entrepreneur_rows(state, vec![me.entrepreneur.clone()])
            .await?
            .remove(0),
        contracts: contract_rows(state, contracts).await?,
        invoices,
        workshops,
    })
}

/// Pays out what the association holds for the workers in the person's scope: each worker's net
/// wages (`fund:worker:*`) into his prison account, and the savings kept for release
/// (`fund:savings:*`) to those released (savings of people still inside stay). One ledger group
/// per person and kind, from the fund to the bank, under the bank transfer's reference. Balances
/// are read after the audit lock is taken, so two officers paying at once pay once.
pub async fn pay_workers(
    state: &AppState,
    who: &Authed,
    reference: &str,
) -> Result<PayoutReport, AppError> {
    if !Permission::PayWages.allows(who.role()) {
        return Err(AppError::Forbidden);
    }
    let reference = validation::normalize_persian(reference);
    if !(3..=60).contains(&reference.chars().count()) {
        return Err(AppError::invalid(
            "reference",
            "employment.reference_invalid",
        ));
    }
    let db = &state.db;
    let txn = audit::begin(db).await?;
    let held = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "SELECT a.id, a.code, CAST(SUM(e.amount_rials) AS BIGINT) FROM ledger_accounts a \
             JOIN ledger_entries e ON e.account_id = a.id \
             WHERE a.code LIKE 'fund:worker:%' OR a.code LIKE 'fund:savings:%' \
             GROUP BY a.id, a.code HAVING SUM(e.amount_rials) < 0"
                .to_string(),
        ))
        .await?;
    // (account, prisoner, amount, is savings)
    let mut due = Vec::new();
    for row in held {
        let (acct, code, sum): (i64, String, i64) = (
            row.try_get_by_index(0)?,
            row.try_get_by_index(1)?,
            row.try_get_by_index(2)?,
        );
        let savings = code.starts_with("fund:savings:");
        if let Some(pid) = code.rsplit(':').next().and_then(|s| s.parse::<i64>().ok()) {
            due.push((acct, pid, -sum, savings));
        }
    }
    let people: HashMap<i64, prisoner::Model> = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(due.iter().map(|d| d.1).collect::<BTreeSet<_>>()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let prisons: HashMap<i64, prison::Model> = prison::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let bank = ledger::account_id(&txn, &Account::Bank).await?;
    let mut report = PayoutReport::default();
    for (acct, pid, amount, savings) in due {
        let Some(p) = people.get(&pid) else { continue };
        let Some(pr) = prisons.get(&p.prison_id) else {
            continue;
        };
        if !who.covers(pr.province_id, Some(pr.id)) || (savings && p.released_on.is_none()) {
            continue;
        }
        ledger::post(
            &txn,
            ledger::Posting {
                kind: "payout",
                memo: if savings {
                    "savings paid to the released worker"
                } else {
                    "net wages paid into the worker's prison account"
                },
                donation_id: None,
                created_by: Some(who.user_id),
            },
            &[ledger::debit(acct, amount), ledger::credit(bank, amount)],
        )
        .await?;
        if savings {
            report.released += 1;
            report.savings_rials += amount;
        } else {
            report.workers += 1;
            report.wages_rials += amount;
        }
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "wages.paid_out",
            "payout",
            &reference,
            serde_json::json!({
                "workers": report.workers, "wages_rials": report.wages_rials,
                "released": report.released, "savings_rials": report.savings_rials,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

/// Output and invoicing per contract, two grouped queries for all of them.
async fn output_rows(
    db: &impl ConnectionTrait,
    contracts: &[contract::Model],
) -> Result<Vec<OutputRow>, AppError> {
    if contracts.is_empty() {
        return Ok(Vec::new());
    }
    let ids = contracts
        .iter()
        .map(|c| c.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let backend = db.get_database_backend();
    let mut made: HashMap<i64, [i64; 4]> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT contract_id, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(accepted), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(rejected), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN disputed AND resolved_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM production_logs WHERE contract_id IN ({ids}) GROUP BY contract_id"
            ),
        ))
        .await?
    {
        made.insert(
            row.try_get_by_index(0)?,
            [
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
                row.try_get_by_index(3)?,
                row.try_get_by_index(4)?,
            ],
        );
    }
    let mut billed: HashMap<i64, [i64; 2]> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT contract_id, CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_rials ELSE 0 END), 0) AS BIGINT) \
                 FROM invoices WHERE contract_id IN ({ids}) GROUP BY contract_id"
            ),
        ))
        .await?
    {
        billed.insert(
            row.try_get_by_index(0)?,
            [row.try_get_by_index(1)?, row.try_get_by_index(2)?],
        );
    }
    Ok(contracts
        .iter()
        .map(|c| {
            let [days, accepted, rejected, disputed] = made.get(&c.id).copied().unwrap_or_default();
            let [invoiced_rials, paid_rials] = billed.get(&c.id).copied().unwrap_or_default();
            OutputRow {
                contract: c.public_code.clone(),
                product: c.product.clone(),
                days,
                accepted,
                rejected,
                disputed,
                invoiced_rials,
                paid_rials,
            }
        })
        .collect())
}

/// Staff work in employment, limited to the person's scope (prison officers: their prison).
pub async fn queue(state: &AppState, who: &Authed) -> Result<StaffQueue, AppError> {
    let db = &state.db;
    let mut q = StaffQueue {
        current_period: period_of(today()),
        ..Default::default()
    };
    let mut pending = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::Status.eq("pending"))
        .order_by_asc(entrepreneur::Column::Id);
    if let Some(ids) = who.province_filter() {
        pending = pending.filter(entrepreneur::Column::ProvinceId.is_in(ids));
    }
    let pending: Vec<entrepreneur::Model> = pending
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .filter(|e| who.covers(e.province_id, None))
        .collect();
    q.entrepreneurs_pending = entrepreneur_rows(state, pending).await?;
    // Workshops in scope, then their contracts.
    let prisons: HashMap<i64, prison::Model> = {
        let mut f = prison::Entity::find();
        if let Some(ids) = who.province_filter() {
            f = f.filter(prison::Column::ProvinceId.is_in(ids));
        }
        f.all(db)
            .await?
            .into_iter()
            .filter(|p| who.covers(p.province_id, Some(p.id)))
            .map(|p| (p.id, p))
            .collect()
    };
    let shops: Vec<i64> = workshop::Entity::find()
        .filter(workshop::Column::PrisonId.is_in(prisons.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?
        .iter()
        .map(|w| w.id)
        .collect();
    let to_review = contract::Entity::find()
        .filter(contract::Column::WorkshopId.is_in(shops.clone()))
        .filter(contract::Column::Status.is_in(["proposed", "officer_approved"]))
        .order_by_asc(contract::Column::UpdatedAt)
        .limit(50)
        .all(db)
        .await?;
    q.contracts_to_review = contract_rows(state, to_review).await?;
    let active = contract::Entity::find()
        .filter(contract::Column::WorkshopId.is_in(shops.clone()))
        .filter(contract::Column::Status.is_in(["active", "suspended"]))
        .order_by_desc(contract::Column::UpdatedAt)
        .limit(50)
        .all(db)
        .await?;
    q.active_contracts = contract_rows(state, active).await?;
    let open = production_log::Entity::find()
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .order_by_asc(production_log::Column::WorkDate)
        .limit(200)
        .all(db)
        .await?;
    let cs: HashMap<i64, contract::Model> = contract::Entity::find()
        .filter(contract::Column::Id.is_in(open.iter().map(|l| l.contract_id).collect::<Vec<_>>()))
        .filter(contract::Column::WorkshopId.is_in(shops))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    q.disputes = open
        .into_iter()
        .filter_map(|l| {
            cs.get(&l.contract_id)
                .map(|c| (c.public_code.clone(), l.id, l.work_date.to_string()))
        })
        .take(50)
        .collect();
    Ok(q)
}

/// A family's support fund (wage shares of its imprisoned member), for the staff family file.
pub async fn family_fund<C: ConnectionTrait>(db: &C, family_id: i64) -> Result<i64, AppError> {
    use crate::platform::entity::ledger_account;
    match ledger_account::Entity::find()
        .filter(ledger_account::Column::Code.eq(Account::Family(family_id).code()))
        .one(db)
        .await?
    {
        Some(a) => ledger::fund_balance(db, a.id).await,
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_every_form() {
        assert_eq!(parse_hours("8").unwrap(), 480);
        assert_eq!(parse_hours("7.5").unwrap(), 450);
        assert_eq!(parse_hours("۷٫۵").unwrap(), 450);
        assert_eq!(parse_hours("7:30").unwrap(), 450);
        assert_eq!(parse_hours("0.25").unwrap(), 15);
        for bad in ["0", "13", "-1", "7:75", "abc", "", "7.555"] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn solar_hijri_months_map_to_gregorian_ranges() {
        let (p, from, to) = period_range("۱۴۰۵-۰۹").unwrap();
        assert_eq!(p, "1405-09");
        assert_eq!(from, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert_eq!(to, NaiveDate::from_ymd_opt(2026, 12, 22).unwrap());
        let (_, from, to) = period_range("1404-12").unwrap();
        assert_eq!(to, NaiveDate::from_ymd_opt(2026, 3, 21).unwrap());
        assert!(from < to);
        assert_eq!(
            period_of(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
            "1405-09"
        );
        for bad in ["1405", "1405-13", "x-1", "1405-00"] {
            assert!(period_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn skills_must_be_known() {
        assert_eq!(
            parse_skills(Some("sewing, Assembly،sewing"), "s").unwrap(),
            vec!["assembly".to_string(), "sewing".to_string()]
        );
        assert!(parse_skills(Some("juggling"), "s").is_err());
        assert!(parse_skills(None, "s").unwrap().is_empty());
    }
}
