//! Staff KPIs by province, for the provinces a person may see: families covered, needs published,
//! funded and delivered, the median days from publication to funded, money raised and disbursed,
//! prisoners freed and creditor forgiveness obtained. A fixed number of grouped queries.

use super::KpiRow;
use crate::auth::ssr::Authed;
use crate::error::AppError;
use crate::platform::AppState;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;

fn scope_sql(who: &Authed, col: &str) -> String {
    match who.province_filter() {
        None => "1 = 1".to_string(),
        Some(ids) if ids.is_empty() => "1 = 0".to_string(),
        // Ids are integers from our own database: safe to inline.
        Some(ids) => format!(
            "{col} IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

async fn grouped(state: &AppState, sql: String) -> Result<BTreeMap<i64, i64>, AppError> {
    let db = &state.db;
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        out.insert(r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i64>(1)?);
    }
    Ok(out)
}

pub async fn kpis(state: &AppState, who: &Authed) -> Result<Vec<KpiRow>, AppError> {
    let db = &state.db;
    let pg = matches!(
        db.get_database_backend(),
        sea_orm::DatabaseBackend::Postgres
    );
    let n_scope = scope_sql(who, "n.province_id");
    let families = grouped(state, format!(
        "SELECT f.province_id, CAST(COUNT(*) AS BIGINT) FROM families f WHERE {} GROUP BY f.province_id",
        scope_sql(who, "f.province_id")
    )).await?;
    let count_needs = |cond: &str| {
        format!(
        "SELECT n.province_id, CAST(COUNT(*) AS BIGINT) FROM needs n WHERE {n_scope} AND {cond} GROUP BY n.province_id"
    )
    };
    let published = grouped(state, count_needs("n.published_at IS NOT NULL")).await?;
    let funded = grouped(state, count_needs("n.funded_at IS NOT NULL")).await?;
    let delivered = grouped(state, count_needs("n.delivered_at IS NOT NULL")).await?;
    let raised = grouped(state, format!(
        "SELECT n.province_id, CAST(COALESCE(SUM(d.amount_rials), 0) AS BIGINT) FROM donations d JOIN needs n ON n.id = d.need_id \
         WHERE d.status = 'settled' AND {n_scope} GROUP BY n.province_id"
    )).await?;
    let disbursed = grouped(state, format!(
        "SELECT n.province_id, CAST(COALESCE(SUM(x.amount_rials), 0) AS BIGINT) FROM disbursements x JOIN needs n ON n.id = x.need_id \
         WHERE x.status = 'paid' AND {n_scope} GROUP BY n.province_id"
    )).await?;
    let c_scope = scope_sql(who, "c.province_id");
    let freed = grouped(state, format!(
        "SELECT c.province_id, CAST(COUNT(*) AS BIGINT) FROM release_campaigns c WHERE c.status IN ('released', 'closed') AND {c_scope} GROUP BY c.province_id"
    )).await?;
    let forgiveness = grouped(state, format!(
        "SELECT c.province_id, CAST(COALESCE(SUM(c.forgiveness_rials), 0) AS BIGINT) FROM release_campaigns c \
         WHERE c.status NOT IN ('draft') AND {c_scope} GROUP BY c.province_id"
    )).await?;
    // Median days to fund over the last year: the day counts per province, sorted here.
    let days_expr = if pg {
        "CAST(EXTRACT(EPOCH FROM (n.funded_at - n.published_at)) / 86400 AS BIGINT)"
    } else {
        "CAST(julianday(n.funded_at) - julianday(n.published_at) AS INTEGER)"
    };
    let since = if pg {
        "n.funded_at > NOW() - INTERVAL '365 days'"
    } else {
        "julianday(n.funded_at) > julianday('now') - 365"
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT n.province_id, {days_expr} FROM needs n WHERE n.funded_at IS NOT NULL AND n.published_at IS NOT NULL AND {since} AND {n_scope}"
            ),
        ))
        .await?;
    let mut days: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in rows {
        days.entry(r.try_get_by_index::<i64>(0)?)
            .or_default()
            .push(r.try_get_by_index::<i64>(1)?.max(0));
    }
    let provinces = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT p.id, p.code, p.name_fa, p.name_en FROM provinces p WHERE {} ORDER BY p.sort_order",
                scope_sql(who, "p.id")
            ),
        ))
        .await?;
    let mut out = Vec::new();
    for p in provinces {
        let id: i64 = p.try_get_by_index(0)?;
        let median = days.get_mut(&id).and_then(|v| {
            v.sort_unstable();
            (!v.is_empty()).then(|| v[v.len() / 2])
        });
        let get = |m: &BTreeMap<i64, i64>| m.get(&id).copied().unwrap_or(0);
        out.push(KpiRow {
            province: p.try_get_by_index(1)?,
            name_fa: p.try_get_by_index(2)?,
            name_en: p.try_get_by_index(3)?,
            families: get(&families),
            needs_published: get(&published),
            needs_funded: get(&funded),
            needs_delivered: get(&delivered),
            median_days_to_fund: median,
            raised_rials: get(&raised),
            disbursed_rials: get(&disbursed),
            prisoners_freed: get(&freed),
            forgiveness_rials: get(&forgiveness),
        });
    }
    Ok(out)
}

/// The same rows as CSV (what the person may see, nothing more).
pub fn csv(rows: &[KpiRow]) -> String {
    let mut s = String::from(
        "province,name_fa,name_en,families,needs_published,needs_funded,needs_delivered,median_days_to_fund,raised_rials,disbursed_rials,prisoners_freed,forgiveness_rials\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            crate::transparency::csv_field(&r.province),
            crate::transparency::csv_field(&r.name_fa),
            crate::transparency::csv_field(&r.name_en),
            r.families,
            r.needs_published,
            r.needs_funded,
            r.needs_delivered,
            r.median_days_to_fund
                .map(|d| d.to_string())
                .unwrap_or_default(),
            r.raised_rials,
            r.disbursed_rials,
            r.prisoners_freed,
            r.forgiveness_rials
        ));
    }
    s
}
