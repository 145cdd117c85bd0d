//! Aggregates for the transparency page and `/api/v1/`. Public numbers only: sums and counts,
//! never a row that could identify a family, a prisoner or a donor.

use super::*;
use crate::i18n::JalaliDate;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::BTreeMap;

/// The UTC day of a timestamp (or date) column as `YYYY-MM-DD` text, on either database.
pub(crate) fn day_expr(backend: DbBackend, col: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({col}, 'YYYY-MM-DD')"),
        _ => format!("substr({col}, 1, 10)"),
    }
}

pub(crate) async fn rows(
    db: &DatabaseConnection,
    sql: String,
) -> Result<Vec<sea_orm::QueryResult>, AppError> {
    Ok(db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?)
}

/// Raised (settled gifts) and disbursed (ledger disbursements) per Solar Hijri month.
pub async fn months(db: &DatabaseConnection) -> Result<Vec<MonthRow>, AppError> {
    let b = db.get_database_backend();
    let mut by_month: BTreeMap<(i32, u8), MonthRow> = BTreeMap::new();
    let mut add = |day: &str, raised: i64, disbursed: i64, gifts: i64| {
        let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
            return;
        };
        let Some(j) = JalaliDate::from_gregorian(d) else {
            return;
        };
        let row = by_month.entry((j.year, j.month)).or_insert(MonthRow {
            year: j.year,
            month: j.month,
            raised_rials: 0,
            disbursed_rials: 0,
            gifts: 0,
        });
        row.raised_rials += raised;
        row.disbursed_rials += disbursed;
        row.gifts += gifts;
    };
    let day = day_expr(b, "settled_at");
    for r in rows(
        db,
        format!(
            "SELECT {day} AS d, CAST(SUM(amount_rials) AS BIGINT) AS s, CAST(COUNT(*) AS BIGINT) AS n \
             FROM donations WHERE status = 'settled' AND settled_at IS NOT NULL GROUP BY {day}"
        ),
    )
    .await?
    {
        let d: String = r.try_get("", "d")?;
        add(&d, r.try_get("", "s")?, 0, r.try_get("", "n")?);
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
        add(&d, 0, r.try_get("", "s")?, 0);
    }
    let all: Vec<MonthRow> = by_month.into_values().collect();
    let skip = all.len().saturating_sub(12);
    Ok(all.into_iter().skip(skip).collect())
}

pub async fn provinces(db: &DatabaseConnection) -> Result<Vec<ProvinceRow>, AppError> {
    let mut out = Vec::new();
    // Needs whose card hides the province are left out of the per-province figures.
    for r in rows(
        db,
        "SELECT p.code AS code, p.name_fa AS fa, p.name_en AS en, \
           CAST(COALESCE((SELECT SUM(d.amount_rials) FROM donations d JOIN needs n ON n.id = d.need_id \
              WHERE d.status = 'settled' AND n.province_id = p.id AND n.hide_province = FALSE), 0) \
            + COALESCE((SELECT SUM(d.amount_rials) FROM donations d JOIN release_campaigns c ON c.id = d.campaign_id \
              WHERE d.status = 'settled' AND c.province_id = p.id), 0) AS BIGINT) AS raised, \
           CAST((SELECT COUNT(*) FROM needs n WHERE n.province_id = p.id AND n.hide_province = FALSE \
              AND n.status IN ('funded','purchased','delivered')) AS BIGINT) AS met \
         FROM provinces p ORDER BY p.sort_order"
            .to_string(),
    )
    .await?
    {
        out.push(ProvinceRow {
            code: r.try_get("", "code")?,
            name_fa: r.try_get("", "fa")?,
            name_en: r.try_get("", "en")?,
            raised_rials: r.try_get("", "raised")?,
            needs_met: r.try_get("", "met")?,
        });
    }
    Ok(out)
}

pub async fn categories(db: &DatabaseConnection) -> Result<Vec<CategoryRow>, AppError> {
    let mut raised: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows(
        db,
        "SELECT category AS c, CAST(SUM(amount_rials) AS BIGINT) AS s FROM donations \
         WHERE status = 'settled' AND category IS NOT NULL GROUP BY category"
            .to_string(),
    )
    .await?
    {
        raised.insert(r.try_get("", "c")?, r.try_get("", "s")?);
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

pub async fn report(db: &DatabaseConnection) -> Result<Report, AppError> {
    Ok(Report {
        summary: crate::shell::impact_totals_from(db).await?,
        disbursed_rials: disbursed(db).await?,
        months: months(db).await?,
        provinces: provinces(db).await?,
        categories: categories(db).await?,
    })
}
