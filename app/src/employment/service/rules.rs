//! Wage rules: the Solar Hijri pay month, the rule in force on a date, and national admins
//! setting the next one.

use super::*;

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

pub(super) fn rule_of(r: &wage_rule::Model) -> Rule {
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
pub(super) async fn rule_row(
    txn: &DatabaseTransaction,
    on: NaiveDate,
) -> Result<(i64, Rule), AppError> {
    if let (Some(id), rule) = rule_in_force(txn, on).await? {
        return Ok((id, rule));
    }
    let r = DEFAULT_RULE;
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(on);
    let row = rule_model(DEFAULT_RULE_NAME, &r, from).insert(txn).await?;
    Ok((row.id, r))
}

pub(super) const DEFAULT_RULE_NAME: &str = "default (built in)";

pub(super) fn rule_model(name: &str, r: &Rule, from: NaiveDate) -> wage_rule::ActiveModel {
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

pub(super) fn rule_view(
    name: String,
    r: &Rule,
    effective_from: String,
    in_force: bool,
) -> WageRuleRow {
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
