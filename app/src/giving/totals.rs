//! Settled gifts added up by Solar Hijri month, category and province, kept as running totals.
//!
//! The public figures (home, `/transparency`, `/api/v1/summary|months|provinces|categories`) and
//! the staff KPIs need what was raised by month, province and category. Summing a million gifts
//! for each refresh took seconds every minute at national scale. `gift_totals` (m0015) holds the
//! sums of the gifts settled before a watermark (`platform::watermark`); [`current`] moves it up
//! to ten minutes ago and adds the gifts settled since, read through `donations(status,
//! settled_at)`. A gift's province is its need's or campaign's, with `hidden` when the need's card
//! hides it, as the card was when the gift settled.

use crate::error::AppError;
use crate::i18n::period_of_day;
use crate::platform::db::{day_expr, stmt};
use crate::platform::watermark;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use std::collections::BTreeMap;

pub const THROUGH_KEY: &str = "gift_totals.through";

/// One row's key: a Solar Hijri month (`1405-09`), a category (`""`: none, e.g. the general
/// fund), a province id (0: none), whether the need's card hides its province, and the gift's
/// intention (`""`: none; m0016).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub period: String,
    pub category: String,
    pub province_id: i64,
    pub province_hidden: bool,
    pub intention: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum {
    pub gifts: i64,
    pub rials: i64,
}

pub type Totals = BTreeMap<Key, Sum>;

fn add(into: &mut Totals, key: Key, gifts: i64, rials: i64) {
    let s = into.entry(key).or_default();
    s.gifts += gifts;
    s.rials += rials;
}

/// The public gift totals (`gift_totals`).
pub struct GiftTotals;

impl watermark::RunningTotals for GiftTotals {
    const KEY: &'static str = THROUGH_KEY;
    type Sums = Totals;

    /// The gifts settled in `[from, to)` (either end open), added up by day in SQL and by month
    /// here.
    async fn span<C: ConnectionTrait + Sync>(
        db: &C,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Totals, AppError> {
        let b = db.get_database_backend();
        let day = day_expr(b, "d.settled_at");
        let mut values = Vec::new();
        let within = watermark::span_sql("d.settled_at", from, to, &mut values);
        let rows = db
            .query_all_raw(stmt(
                b,
                &format!(
                    "SELECT {day} AS d, COALESCE(d.category, '') AS c, \
                     CAST(COALESCE(n.province_id, rc.province_id, 0) AS BIGINT) AS p, \
                     CAST(CASE WHEN n.hide_province = TRUE THEN 1 ELSE 0 END AS BIGINT) AS h, \
                     COALESCE(d.intention, '') AS i, \
                     CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(d.amount_rials) AS BIGINT) AS s \
                     FROM donations d LEFT JOIN needs n ON n.id = d.need_id \
                     LEFT JOIN release_campaigns rc ON rc.id = d.campaign_id \
                     WHERE d.status = 'settled' AND d.settled_at IS NOT NULL{within} \
                     GROUP BY 1, 2, 3, 4, 5"
                ),
                values,
            ))
            .await?;
        let mut months: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut out = Totals::new();
        for r in rows {
            let d: String = r.try_get("", "d")?;
            let period = months
                .entry(d.clone())
                .or_insert_with(|| period_of_day(&d))
                .clone();
            let Some(period) = period else { continue };
            add(
                &mut out,
                Key {
                    period,
                    category: r.try_get("", "c")?,
                    province_id: r.try_get("", "p")?,
                    province_hidden: r.try_get::<i64>("", "h")? == 1,
                    intention: r.try_get("", "i")?,
                },
                r.try_get("", "n")?,
                r.try_get("", "s")?,
            );
        }
        Ok(out)
    }

    async fn store(txn: &DatabaseTransaction, sums: &Totals) -> Result<(), AppError> {
        let now = Utc::now();
        for (k, s) in sums {
            txn.execute_raw(stmt(
                txn.get_database_backend(),
                "INSERT INTO gift_totals (period, category, province_id, province_hidden, intention, gifts, rials, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (period, category, province_id, province_hidden, intention) \
                 DO UPDATE SET gifts = gift_totals.gifts + excluded.gifts, \
                 rials = gift_totals.rials + excluded.rials, updated_at = excluded.updated_at",
                [
                    k.period.clone().into(),
                    k.category.clone().into(),
                    k.province_id.into(),
                    k.province_hidden.into(),
                    k.intention.clone().into(),
                    s.gifts.into(),
                    s.rials.into(),
                    now.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    async fn stored(txn: &DatabaseTransaction) -> Result<Totals, AppError> {
        let mut out = Totals::new();
        for r in txn
            .query_all_raw(stmt(
                txn.get_database_backend(),
                "SELECT period, category, province_id, province_hidden, intention, gifts, rials FROM gift_totals",
                [],
            ))
            .await?
        {
            add(
                &mut out,
                Key {
                    period: r.try_get("", "period")?,
                    category: r.try_get("", "category")?,
                    province_id: r.try_get("", "province_id")?,
                    province_hidden: r.try_get("", "province_hidden")?,
                    intention: r.try_get("", "intention")?,
                },
                r.try_get("", "gifts")?,
                r.try_get("", "rials")?,
            );
        }
        Ok(out)
    }

    fn merge(into: &mut Totals, more: Totals) {
        for (k, s) in more {
            add(into, k, s.gifts, s.rials);
        }
    }
}

/// Every settled gift added up: the running totals, moved up to ten minutes before `now` first,
/// plus the gifts settled since, read as one snapshot.
pub async fn current(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Totals, AppError> {
    watermark::fold::<GiftTotals>(db, now).await?;
    watermark::current::<GiftTotals>(db).await
}

/// Every settled gift counted from scratch (the tests compare [`current`] with it).
pub async fn recount(db: &DatabaseConnection) -> Result<Totals, AppError> {
    use watermark::RunningTotals;
    GiftTotals::span(db, None, None).await
}
