//! Watermarks for background work that reads only what is new.
//!
//! A job that keeps running totals (the reconciler, the public gift totals) stores in `settings`
//! how far it has counted: rows stamped before the watermark are in its totals, rows after it are
//! read live. The watermark stays [`MARGIN_MINUTES`] behind the clock, so no transaction still
//! open can commit a row behind it (SQLite's busy timeout is 30 s; nothing here holds a
//! transaction for minutes); the margin also absorbs app servers' clocks a little apart.
//!
//! Moving it is a conditional write (`… WHERE value = <what was read>`) as the first statement of
//! the transaction that adds to the totals: of two servers folding the same span, one wins and the
//! other rolls back, so no span is counted twice. A job says what a span adds up to and how totals
//! are stored ([`RunningTotals`]); [`fold`] and [`current`] do the rest, the same for every job.

use crate::error::AppError;
use crate::platform::db::stmt;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use std::future::Future;

/// How far behind the clock a watermark stays.
pub const MARGIN_MINUTES: i64 = 10;

/// A watermark as read: its stored text (to move it conditionally) and its time (none: never
/// moved, so everything is still to count).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mark {
    stored: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

impl Mark {
    /// Where the next span ends when the clock says `now`, if there is a span to count.
    pub fn next(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let to = now - chrono::Duration::minutes(MARGIN_MINUTES);
        (self.at.is_none_or(|at| at < to)).then_some(to)
    }
}

pub async fn read(db: &impl ConnectionTrait, key: &str) -> Result<Mark, AppError> {
    let row = db
        .query_one_raw(stmt(
            db.get_database_backend(),
            "SELECT value FROM settings WHERE key = ?",
            [key.into()],
        ))
        .await?;
    let stored = row.map(|r| r.try_get::<String>("", "value")).transpose()?;
    let at = stored
        .as_deref()
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc));
    Ok(Mark { stored, at })
}

/// Moves the watermark from `from` (as read) to `to`; false when another server moved it first
/// (the caller rolls back). Make it the transaction's first statement: on SQLite it takes the
/// write lock before anything is read.
pub async fn advance(
    txn: &DatabaseTransaction,
    key: &str,
    from: &Mark,
    to: DateTime<Utc>,
) -> Result<bool, AppError> {
    let b = txn.get_database_backend();
    let now = Utc::now();
    let r = match &from.stored {
        Some(v) => {
            txn.execute_raw(stmt(
                b,
                "UPDATE settings SET value = ?, updated_at = ? WHERE key = ? AND value = ?",
                [to.to_rfc3339().into(), now.into(), key.into(), v.clone().into()],
            ))
            .await?
        }
        None => {
            txn.execute_raw(stmt(
                b,
                "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                [key.into(), to.to_rfc3339().into(), now.into()],
            ))
            .await?
        }
    };
    Ok(r.rows_affected() == 1)
}

/// `AND col >= ? AND col < ?` for a span with either end open, with its values.
pub fn span_sql(
    col: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    values: &mut Vec<sea_orm::Value>,
) -> String {
    let mut sql = String::new();
    if let Some(f) = from {
        sql.push_str(&format!(" AND {col} >= ?"));
        values.push(f.into());
    }
    if let Some(t) = to {
        sql.push_str(&format!(" AND {col} < ?"));
        values.push(t.into());
    }
    sql
}

/// A read-only transaction in which the running totals, the watermark and the rows after it are
/// one snapshot (PostgreSQL: repeatable read; SQLite's read transactions always are), so a fold by
/// another server in between cannot make a span count twice or not at all.
pub async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    Ok(match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            db.begin_with_config(
                Some(sea_orm::IsolationLevel::RepeatableRead),
                Some(sea_orm::AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    })
}

/// Totals kept behind a watermark: what the rows of a span add up to, and how totals are stored.
pub trait RunningTotals {
    /// The `settings` key of the watermark.
    const KEY: &'static str;
    type Sums: Default + Send;
    /// What the rows stamped in `[from, to)` add up to (either end open).
    fn span<C: ConnectionTrait + Sync>(
        db: &C,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Self::Sums, AppError>> + Send;
    /// Adds `sums` to the stored totals.
    fn store(
        txn: &DatabaseTransaction,
        sums: &Self::Sums,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
    /// The stored totals.
    fn stored(
        txn: &DatabaseTransaction,
    ) -> impl Future<Output = Result<Self::Sums, AppError>> + Send;
    /// Adds `more` to `into`.
    fn merge(into: &mut Self::Sums, more: Self::Sums);
}

/// Adds the rows stamped between the watermark and `now - MARGIN_MINUTES` to the stored totals
/// and moves the watermark: the sums are read first, outside any lock, then written in one short
/// transaction whose first statement moves the mark (another server that moved it first makes
/// this one roll back). Returns the watermark after the pass.
pub async fn fold<T: RunningTotals>(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let mark = read(db, T::KEY).await?;
    let Some(to) = mark.next(now) else {
        return Ok(mark.at);
    };
    let sums = T::span(db, mark.at, Some(to)).await?;
    let txn = db.begin().await?;
    if !advance(&txn, T::KEY, &mark, to).await? {
        txn.rollback().await?;
        return Ok(read(db, T::KEY).await?.at);
    }
    T::store(&txn, &sums).await?;
    txn.commit().await?;
    Ok(Some(to))
}

/// The stored totals plus the rows stamped since the watermark, read as one [`snapshot`].
pub async fn current<T: RunningTotals>(db: &DatabaseConnection) -> Result<T::Sums, AppError> {
    let txn = snapshot(db).await?;
    let from = read(&txn, T::KEY).await?.at;
    let mut totals = T::stored(&txn).await?;
    T::merge(&mut totals, T::span(&txn, from, None).await?);
    txn.commit().await?;
    Ok(totals)
}
