//! Aggregates for the transparency page and `/api/v1/`. Public numbers only: sums and counts,
//! never a row that could identify a family, a prisoner or a donor.

use super::*;
use crate::giving::totals::{self, Totals};
use crate::i18n::{parse_period, period_of_day};
use crate::platform::db::{day_expr, rows};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::BTreeMap;

fn month_row(by_month: &mut BTreeMap<(i32, u8), MonthRow>, year: i32, month: u8) -> &mut MonthRow {
    by_month.entry((year, month)).or_insert(MonthRow {
        year,
        month,
        raised_rials: 0,
        disbursed_rials: 0,
        gifts: 0,
    })
}

/// Raised (settled gifts, from the running totals) and disbursed (ledger disbursements) per Solar
/// Hijri month.
pub async fn months(db: &DatabaseConnection, gifts: &Totals) -> Result<Vec<MonthRow>, AppError> {
    let b = db.get_database_backend();
    let mut by_month: BTreeMap<(i32, u8), MonthRow> = BTreeMap::new();
    for (k, s) in gifts {
        if let Some((y, m)) = parse_period(&k.period) {
            let r = month_row(&mut by_month, y, m);
            r.raised_rials += s.rials;
            r.gifts += s.gifts;
        }
    }
    let day = day_expr(b, "t.created_at");
    for r in rows(
        db,
        format!(
            "SELECT {day} AS d, CAST(SUM(e.amount_rials) AS BIGINT) AS s FROM ledger_entries e \
             JOIN ledger_transactions t ON t.id = e.transaction_id JOIN ledger_accounts a ON a.id = e.account_id \
             WHERE t.kind = 'disbursement' AND a.kind = 'fund' AND e.amount_rials > 0 GROUP BY {day}"
        ),
    )
    .await?
    {
        let d: String = r.try_get("", "d")?;
        if let Some((y, m)) = period_of_day(&d).as_deref().and_then(parse_period) {
            month_row(&mut by_month, y, m).disbursed_rials += r.try_get::<i64>("", "s")?;
        }
    }
    let all: Vec<MonthRow> = by_month.into_values().collect();
    let skip = all.len().saturating_sub(12);
    Ok(all.into_iter().skip(skip).collect())
}

/// Raised (from the running totals) and needs met per province: a gift counts for a need's
/// province unless its card hides the province, and for a campaign's province.
pub async fn provinces(
    db: &DatabaseConnection,
    gifts: &Totals,
) -> Result<Vec<ProvinceRow>, AppError> {
    let mut raised: BTreeMap<i64, i64> = BTreeMap::new();
    for (k, s) in gifts {
        if k.province_id != 0 && !k.province_hidden {
            *raised.entry(k.province_id).or_default() += s.rials;
        }
    }
    let mut met: BTreeMap<i64, i64> = BTreeMap::new();
    for r in rows(
        db,
        "SELECT province_id AS p, CAST(COUNT(*) AS BIGINT) AS n FROM needs \
         WHERE hide_province = FALSE AND status IN ('funded','purchased','delivered') GROUP BY province_id"
            .to_string(),
    )
    .await?
    {
        met.insert(r.try_get("", "p")?, r.try_get("", "n")?);
    }
    let mut out = Vec::new();
    for r in rows(
        db,
        "SELECT id, code, name_fa AS fa, name_en AS en FROM provinces ORDER BY sort_order"
            .to_string(),
    )
    .await?
    {
        let id: i64 = r.try_get("", "id")?;
        out.push(ProvinceRow {
            code: r.try_get("", "code")?,
            name_fa: r.try_get("", "fa")?,
            name_en: r.try_get("", "en")?,
            raised_rials: raised.get(&id).copied().unwrap_or(0),
            needs_met: met.get(&id).copied().unwrap_or(0),
        });
    }
    Ok(out)
}

pub async fn categories(
    db: &DatabaseConnection,
    gifts: &Totals,
) -> Result<Vec<CategoryRow>, AppError> {
    let mut raised: BTreeMap<String, i64> = BTreeMap::new();
    for (k, s) in gifts {
        if !k.category.is_empty() {
            *raised.entry(k.category.clone()).or_default() += s.rials;
        }
    }
    let mut met: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows(
        db,
        "SELECT category AS c, CAST(COUNT(*) AS BIGINT) AS n FROM needs \
         WHERE status IN ('funded','purchased','delivered') GROUP BY category"
            .to_string(),
    )
    .await?
    {
        met.insert(r.try_get("", "c")?, r.try_get("", "n")?);
    }
    Ok(crate::giving::CATEGORIES
        .iter()
        .map(|c| CategoryRow {
            category: c.to_string(),
            raised_rials: raised.get(*c).copied().unwrap_or(0),
            needs_met: met.get(*c).copied().unwrap_or(0),
        })
        .collect())
}

/// Gifts and rials per intention, from the running totals; every intention listed, given to or
/// not, so the page shows each rule's figures side by side.
pub fn intentions(gifts: &Totals) -> Vec<IntentionRow> {
    crate::giving::Intention::ALL
        .iter()
        .map(|i| {
            let (mut n, mut rials) = (0, 0);
            for (k, s) in gifts {
                if k.intention == i.as_str() {
                    n += s.gifts;
                    rials += s.rials;
                }
            }
            IntentionRow {
                intention: *i,
                gifts: n,
                raised_rials: rials,
            }
        })
        .collect()
}

pub async fn disbursed(db: &DatabaseConnection) -> Result<i64, AppError> {
    let r = rows(
        db,
        "SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) AS s FROM ledger_entries e \
         JOIN ledger_transactions t ON t.id = e.transaction_id JOIN ledger_accounts a ON a.id = e.account_id \
         WHERE t.kind = 'disbursement' AND a.kind = 'fund' AND e.amount_rials > 0"
            .to_string(),
    )
    .await?;
    Ok(r.first()
        .map(|r| r.try_get("", "s"))
        .transpose()?
        .unwrap_or(0))
}

/// Home-page totals: raised, families supported, prisoners freed, workers employed.
pub async fn impact_summary(
    db: &sea_orm::DatabaseConnection,
) -> Result<super::ImpactSummary, AppError> {
    summary(db, &totals::current(db, Utc::now()).await?).await
}

async fn summary(
    db: &sea_orm::DatabaseConnection,
    gifts: &Totals,
) -> Result<super::ImpactSummary, AppError> {
    let sql = "SELECT \
        (SELECT COUNT(DISTINCT family_id) FROM needs WHERE status IN ('funded','purchased','delivered')) AS families, \
        (SELECT COUNT(*) FROM release_campaigns WHERE status IN ('released','closed')) AS freed, \
        (SELECT COUNT(DISTINCT prisoner_id) FROM worker_assignments WHERE status = 'active') AS workers";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or(AppError::Internal)?;
    Ok(super::ImpactSummary {
        raised_rials: gifts.values().map(|s| s.rials).sum(),
        families_supported: row.try_get("", "families")?,
        prisoners_freed: row.try_get("", "freed")?,
        workers_employed: row.try_get("", "workers")?,
    })
}

/// How many campaigns the home page lists as nearest their goal.
pub const NEAR_GOAL: u64 = 3;

/// Computes every public figure: what was raised from the running gift totals
/// (`giving::totals`: the months already counted plus the gifts of the last minutes), the rest
/// from the needs, campaigns and disbursements. It runs in the background (`snapshot::refresh`),
/// never per request.
pub async fn compute(db: &DatabaseConnection) -> Result<Report, AppError> {
    let gifts = totals::current(db, Utc::now()).await?;
    Ok(Report {
        taken_at: None,
        summary: summary(db, &gifts).await?,
        disbursed_rials: disbursed(db).await?,
        months: months(db, &gifts).await?,
        provinces: provinces(db, &gifts).await?,
        categories: categories(db, &gifts).await?,
        occasions: {
            let mut v = Vec::new();
            for key in crate::giving::OCCASION_KEYS {
                v.push(crate::giving::service::occasion_progress(db, key).await?);
            }
            v
        },
        near_goal: crate::giving::campaign_service::near_goal(db, NEAR_GOAL).await?,
        intentions: intentions(&gifts),
        matches: crate::giving::matching_service::public_rows(db).await?,
    })
}
