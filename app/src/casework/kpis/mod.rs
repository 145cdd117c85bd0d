//! Staff KPIs by province and Solar Hijri month: families covered, needs published, funded and
//! delivered, the median days from publication to funded, money raised and disbursed, prisoners
//! freed, creditor forgiveness, prisoners held and at work, wages and the families' share.
//!
//! Aggregating a million gifts on each request took seconds at national scale, so the figures are
//! taken by [`refresh`] into `kpi_snapshots` (one row per province × month, one `all` row per
//! province, and the same for the whole country with no province) and the page reads at most a few
//! hundred rows. `serve` refreshes every five minutes; staff can ask for a refresh at most once a
//! minute; the first read of an empty snapshot takes the figures there and then. Each refresh
//! rebuilds everything from the source tables, so a late change to an old record is never missed.

use super::{KpiMonth, KpiRow, Kpis};
use crate::auth::ssr::Authed;
use crate::error::AppError;
use crate::i18n::JalaliDate;
use crate::platform::db::{day_expr, rows as query, stmt};
use crate::platform::entity::{kpi_snapshot, province};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};

mod collect;

use collect::collect;

/// The `settings` key holding when the figures were last taken.
pub const REFRESHED_KEY: &str = "kpi.refreshed_at";
/// The `period` of a province's totals.
pub const ALL: &str = "all";

fn median(v: &mut [i64]) -> Option<i64> {
    v.sort_unstable();
    (!v.is_empty()).then(|| v[v.len() / 2])
}

/// When the figures were last taken, if ever.
pub async fn refreshed_at(db: &DatabaseConnection) -> Result<Option<DateTime<Utc>>, AppError> {
    let rows = query(
        db,
        format!("SELECT value FROM settings WHERE key = '{REFRESHED_KEY}'"),
    )
    .await?;
    Ok(rows
        .first()
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc)))
}

/// Takes the figures again from the source tables and replaces the snapshot in one short write
/// transaction. Two refreshes at once (two app servers) queue on the `settings` row and the last
/// one wins; both wrote the same figures give or take the seconds between them.
pub async fn refresh(db: &DatabaseConnection) -> Result<usize, AppError> {
    crate::platform::metrics::timed("kpi_snapshot", take(db)).await
}

async fn take(db: &DatabaseConnection) -> Result<usize, AppError> {
    let now = Utc::now();
    let mut c = collect(db, now).await?;
    let models: Vec<kpi_snapshot::ActiveModel> = c
        .rows
        .iter_mut()
        .map(|((province, period), k)| kpi_snapshot::ActiveModel {
            province_id: Set(*province),
            period: Set(period.clone()),
            families: Set(k.families),
            needs_published: Set(k.needs_published),
            needs_funded: Set(k.needs_funded),
            needs_delivered: Set(k.needs_delivered),
            raised_rials: Set(k.raised_rials),
            disbursed_rials: Set(k.disbursed_rials),
            prisoners_freed: Set(k.prisoners_freed),
            forgiveness_rials: Set(k.forgiveness_rials),
            workers: Set(k.workers),
            wages_rials: Set(k.wages_rials),
            family_share_rials: Set(k.family_share_rials),
            prisoners_held: Set(k.prisoners_held),
            median_days_to_fund: Set(median(&mut k.days_to_fund)),
            refreshed_at: Set(now),
            ..Default::default()
        })
        .collect();
    let n = models.len();
    let txn = db.begin().await?;
    // First statement writes: SQLite takes its write lock, PostgreSQL locks the settings row, so
    // a second refresh waits here instead of interleaving its rows with ours.
    let b = txn.get_database_backend();
    txn.execute_raw(stmt(
        b,
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [REFRESHED_KEY.into(), now.to_rfc3339().into(), now.into()],
    ))
    .await?;
    kpi_snapshot::Entity::delete_many().exec(&txn).await?;
    for chunk in models.chunks(200) {
        kpi_snapshot::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Refreshes when the figures are older than `age` (or were never taken). Returns whether it did.
/// Several app servers run this on the same timer: one takes the turn, the others skip it.
pub async fn refresh_if_older(
    db: &DatabaseConnection,
    age: chrono::Duration,
) -> Result<bool, AppError> {
    if !take_turn(db, age).await? {
        return Ok(false);
    }
    refresh(db).await.map(|_| true)
}

/// A conditional write on the settings row: only one server moves `updated_at` past `age` (or
/// creates the row), so two whose timers fire together do not both compute the figures.
async fn take_turn(db: &DatabaseConnection, age: chrono::Duration) -> Result<bool, AppError> {
    let now = Utc::now();
    let b = db.get_database_backend();
    let moved = db
        .execute_raw(stmt(
            b,
            "UPDATE settings SET updated_at = ? WHERE key = ? AND updated_at < ?",
            [now.into(), REFRESHED_KEY.into(), (now - age).into()],
        ))
        .await?
        .rows_affected();
    if moved == 1 {
        return Ok(true);
    }
    // Never taken: whoever creates the row takes the turn (the value is written by `refresh`).
    let created = db
        .execute_raw(stmt(
            b,
            "INSERT INTO settings (key, value, updated_at) VALUES (?, '', ?) ON CONFLICT (key) DO NOTHING",
            [REFRESHED_KEY.into(), now.into()],
        ))
        .await?
        .rows_affected();
    Ok(created == 1)
}

fn month_of(s: &kpi_snapshot::Model) -> KpiMonth {
    KpiMonth {
        period: s.period.clone(),
        families: s.families,
        needs_published: s.needs_published,
        needs_funded: s.needs_funded,
        needs_delivered: s.needs_delivered,
        median_days_to_fund: s.median_days_to_fund,
        raised_rials: s.raised_rials,
        disbursed_rials: s.disbursed_rials,
        prisoners_freed: s.prisoners_freed,
        forgiveness_rials: s.forgiveness_rials,
        workers: s.workers,
        wages_rials: s.wages_rials,
        family_share_rials: s.family_share_rials,
    }
}

/// The KPIs of the provinces `who` may see, and the last twelve months of them (or of the one
/// province asked for, which must be in scope). Reads the snapshot: a fixed number of queries
/// over at most a few hundred rows whatever the size of the source tables.
pub async fn kpis(
    state: &AppState,
    who: &Authed,
    province_code: Option<&str>,
) -> Result<Kpis, AppError> {
    let db = &state.db;
    let refreshed = match refreshed_at(db).await? {
        Some(t) => t,
        None => {
            refresh(db).await?;
            refreshed_at(db).await?.unwrap_or_else(Utc::now)
        }
    };
    let scope = who.province_filter();
    let mut provinces_q = province::Entity::find().order_by_asc(province::Column::SortOrder);
    if let Some(ids) = &scope {
        provinces_q = provinces_q.filter(province::Column::Id.is_in(ids.clone()));
    }
    let provinces = provinces_q.all(db).await?;
    let asked = match province_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        // Out of scope or unknown: the same answer.
        Some(code) => Some(
            provinces
                .iter()
                .find(|p| p.code == code)
                .ok_or(AppError::NotFound)?
                .clone(),
        ),
    };
    let ids: Vec<i64> = provinces.iter().map(|p| p.id).collect();
    let totals: HashMap<i64, kpi_snapshot::Model> = kpi_snapshot::Entity::find()
        .filter(kpi_snapshot::Column::Period.eq(ALL))
        .filter(kpi_snapshot::Column::ProvinceId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.province_id?, s)))
        .collect();
    let rows = provinces
        .iter()
        .map(|p| {
            let s = totals.get(&p.id);
            let g = |f: fn(&kpi_snapshot::Model) -> i64| s.map(f).unwrap_or(0);
            KpiRow {
                province: p.code.clone(),
                name_fa: p.name_fa.clone(),
                name_en: p.name_en.clone(),
                families: g(|s| s.families),
                needs_published: g(|s| s.needs_published),
                needs_funded: g(|s| s.needs_funded),
                needs_delivered: g(|s| s.needs_delivered),
                median_days_to_fund: s.and_then(|s| s.median_days_to_fund),
                raised_rials: g(|s| s.raised_rials),
                disbursed_rials: g(|s| s.disbursed_rials),
                prisoners_freed: g(|s| s.prisoners_freed),
                forgiveness_rials: g(|s| s.forgiveness_rials),
                prisoners_held: g(|s| s.prisoners_held),
                workers: g(|s| s.workers),
                wages_rials: g(|s| s.wages_rials),
                family_share_rials: g(|s| s.family_share_rials),
            }
        })
        .collect();

    // The months: one province's own rows, the country's rows for a national view, else the
    // provinces' rows added up (without a median, which does not add up).
    let month_rows = kpi_snapshot::Entity::find().filter(kpi_snapshot::Column::Period.ne(ALL));
    let month_rows = match (&asked, &scope) {
        (Some(p), _) => month_rows.filter(kpi_snapshot::Column::ProvinceId.eq(p.id)),
        (None, None) => month_rows.filter(kpi_snapshot::Column::ProvinceId.is_null()),
        (None, Some(ids)) => month_rows.filter(kpi_snapshot::Column::ProvinceId.is_in(ids.clone())),
    };
    let single = asked.is_some() || scope.is_none() || scope.as_ref().is_some_and(|s| s.len() == 1);
    // Periods sort as text (`1404-12` < `1405-01`): the last twelve are the twelve largest.
    let cutoff = twelve_months_back(refreshed);
    let mut months: BTreeMap<String, KpiMonth> = BTreeMap::new();
    for s in month_rows
        .filter(kpi_snapshot::Column::Period.gt(cutoff.clone()))
        .all(db)
        .await?
    {
        let m = month_of(&s);
        match months.get_mut(&s.period) {
            None => {
                months.insert(s.period.clone(), m);
            }
            Some(acc) => {
                acc.families += m.families;
                acc.needs_published += m.needs_published;
                acc.needs_funded += m.needs_funded;
                acc.needs_delivered += m.needs_delivered;
                acc.raised_rials += m.raised_rials;
                acc.disbursed_rials += m.disbursed_rials;
                acc.prisoners_freed += m.prisoners_freed;
                acc.forgiveness_rials += m.forgiveness_rials;
                acc.workers += m.workers;
                acc.wages_rials += m.wages_rials;
                acc.family_share_rials += m.family_share_rials;
                acc.median_days_to_fund = None;
            }
        }
    }
    let mut months: Vec<KpiMonth> = months.into_values().collect();
    if !single {
        for m in &mut months {
            m.median_days_to_fund = None;
        }
    }
    Ok(Kpis {
        refreshed_at: refreshed.to_rfc3339(),
        provinces: rows,
        province: asked.map(|p| p.code),
        months,
    })
}

/// The period twelve Solar Hijri months before the one `t` falls in (`1404-09` for `1405-09`):
/// periods after it are the last twelve.
fn twelve_months_back(t: DateTime<Utc>) -> String {
    match JalaliDate::from_gregorian(t.date_naive()) {
        Some(j) => format!("{:04}-{:02}", j.year - 1, j.month),
        None => String::new(),
    }
}

/// The province rows as CSV (what the person may see, nothing more).
pub fn csv(rows: &[KpiRow]) -> String {
    let mut s = String::from(
        "province,name_fa,name_en,families,needs_published,needs_funded,needs_delivered,median_days_to_fund,raised_rials,disbursed_rials,prisoners_freed,forgiveness_rials,prisoners_held,workers,wages_rials,family_share_rials\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            crate::platform::csv_field(&r.province),
            crate::platform::csv_field(&r.name_fa),
            crate::platform::csv_field(&r.name_en),
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
            r.forgiveness_rials,
            r.prisoners_held,
            r.workers,
            r.wages_rials,
            r.family_share_rials,
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::collect::Periods;
    use super::*;

    #[test]
    fn periods_are_solar_hijri_months_and_the_window_is_twelve() {
        let mut p = Periods::default();
        // 1 Farvardin 1405 = 21 March 2026; the day before is Esfand 1404.
        assert_eq!(p.of("2026-03-21").as_deref(), Some("1405-01"));
        assert_eq!(p.of("2026-03-20T23:00:00").as_deref(), Some("1404-12"));
        assert_eq!(p.of("not a day"), None);
        let t = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(twelve_months_back(t), "1404-09");
        assert!("1405-01" > "1404-12" && "1404-10" > "1404-09" && "1404-09" <= "1404-09");
    }

    #[test]
    fn medians_take_the_middle_and_nothing_of_nothing() {
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(3));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn employment_rate_in_tenths_of_a_percent() {
        let r = KpiRow {
            prisoners_held: 400,
            workers: 37,
            ..Default::default()
        };
        assert_eq!(r.employment_per_mille(), Some(92));
        assert_eq!(KpiRow::default().employment_per_mille(), None);
    }
}
