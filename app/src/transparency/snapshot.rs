//! The public figures as a snapshot. At national scale the aggregates behind the home page,
//! `/transparency` and `/api/v1/summary|months|provinces|categories` read every gift (a million
//! rows); computing them per request made those pages take seconds and pile up under load. They
//! are computed by [`refresh`] and stored as one row of `public_snapshots`; a request reads that
//! row. A reader that finds it older than [`MAX_AGE`] starts one refresh in the background and
//! answers with what is stored, so no visitor waits for the aggregation (only the very first
//! one, on a database that never had a snapshot). Pages say when the figures were taken.

use super::{service, Report};
use crate::error::AppError;
use crate::platform::entity::public_snapshot;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use std::sync::atomic::{AtomicBool, Ordering};

const NAME: &str = "transparency";
/// Figures older than this are refreshed in the background on the next read.
pub const MAX_AGE: Duration = Duration::seconds(60);

/// One refresh at a time per process (several app servers may each run one; the last write wins,
/// and both wrote true figures).
static REFRESHING: AtomicBool = AtomicBool::new(false);
/// Readers that find no snapshot at all wait here for the one that computes it.
static FIRST: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Computes the figures now and stores them. Returns what was stored.
pub async fn refresh(db: &DatabaseConnection) -> Result<Report, AppError> {
    crate::platform::metrics::timed("transparency_snapshot", take(db)).await
}

async fn take(db: &DatabaseConnection) -> Result<Report, AppError> {
    let started = std::time::Instant::now();
    let mut report = service::compute(db).await?;
    let now = Utc::now();
    report.taken_at = Some(now);
    let body = serde_json::to_string(&report).map_err(|e| AppError::internal("snapshot", e))?;
    let txn = db.begin().await?;
    public_snapshot::Entity::delete_by_id(NAME.to_string())
        .exec(&txn)
        .await?;
    public_snapshot::ActiveModel {
        name: Set(NAME.into()),
        body: Set(body),
        taken_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "public figures refreshed"
    );
    Ok(report)
}

async fn stored(db: &DatabaseConnection) -> Result<Option<Report>, AppError> {
    let Some(row) = public_snapshot::Entity::find_by_id(NAME.to_string())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    match serde_json::from_str::<Report>(&row.body) {
        Ok(mut r) => {
            r.taken_at = Some(row.taken_at);
            Ok(Some(r))
        }
        // Written by an older version with another shape: take it as missing.
        Err(e) => {
            tracing::warn!(error = %e, "public figures snapshot unreadable; recomputing");
            Ok(None)
        }
    }
}

/// The public figures as last taken (see the module's comment).
pub async fn report(db: &DatabaseConnection) -> Result<Report, AppError> {
    if let Some(r) = stored(db).await? {
        let stale = r.taken_at.is_none_or(|t| Utc::now() - t > MAX_AGE);
        if stale && !REFRESHING.swap(true, Ordering::AcqRel) {
            let db = db.clone();
            tokio::spawn(async move {
                if let Err(e) = refresh(&db).await {
                    tracing::warn!(error = %e, "public figures refresh failed");
                }
                REFRESHING.store(false, Ordering::Release);
            });
        }
        return Ok(r);
    }
    let _first = FIRST.lock().await;
    match stored(db).await? {
        Some(r) => Ok(r),
        None => refresh(db).await,
    }
}
