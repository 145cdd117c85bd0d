//! The append-only, hash-chained audit log. Each entry carries the hash of the one before it and
//! its own hash over everything it says; the one-row `audit_head` keeps the count and the last
//! hash, so [`verify`] notices an edited row, a deleted row in the middle and a deleted tail.
//!
//! Appends are serial: [`begin`] opens a transaction whose first statement updates the head row
//! (SQLite takes its write lock there, PostgreSQL locks the row), so a staff action and its audit
//! entry commit together or not at all, and two appends never read the same previous hash.

use crate::error::AppError;
use crate::platform::entity::{audit_head, audit_log};
use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use sha2::Sha256;
use std::sync::OnceLock;

/// The chain's key (HMAC-SHA-256), from `KARAMAT_AUDIT_KEY`, kept outside the database: whoever
/// can write the database can edit a row but cannot compute the hashes that would hide it.
/// Process-wide because the chain is: every append in this process must use the same key, and
/// `record` is called inside dozens of callers' transactions that carry no configuration.
static KEY: OnceLock<Vec<u8>> = OnceLock::new();
/// Tests and tools that never call [`set_key`] chain under this one (development only).
const DEV_KEY: &[u8] = crate::platform::DEV_AUDIT_KEY.as_bytes();

/// Sets the chain's key once, at start-up. Later calls keep the first key.
pub fn set_key(key: &str) {
    let _ = KEY.set(key.as_bytes().to_vec());
}

fn key() -> &'static [u8] {
    KEY.get().map(Vec::as_slice).unwrap_or(DEV_KEY)
}

/// The hash before the first entry (the migration writes the same into `audit_head`).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what, and the non-personal detail (codes, statuses, reasons — never names).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_user_id: Option<i64>,
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: Option<String>,
    pub detail: serde_json::Value,
}

impl<'a> Entry<'a> {
    /// An entry about one subject (`kind` and its public code).
    pub fn new(
        actor_user_id: Option<i64>,
        action: &'a str,
        subject_kind: &'a str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Self {
        Entry {
            actor_user_id,
            action,
            subject_kind,
            subject_id: Some(subject.to_string()),
            detail,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    key: &[u8],
    prev: &str,
    at: &DateTime<Utc>,
    actor: Option<i64>,
    action: &str,
    kind: &str,
    subject: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    // Length-prefixed fields: no two different entries serialise alike.
    for part in [
        prev.to_string(),
        at.timestamp_micros().to_string(),
        actor.map(|a| a.to_string()).unwrap_or_default(),
        action.to_string(),
        kind.to_string(),
        subject.unwrap_or("\u{0}").to_string(),
        detail.to_string(),
    ] {
        h.update(&(part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize().into_bytes())
}

/// A transaction that holds the audit chain: call first, record, then commit.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let txn = db.begin().await?;
    lock(&txn).await?;
    Ok(txn)
}

/// Takes the chain's lock inside an existing transaction (its first write on SQLite).
pub async fn lock(txn: &DatabaseTransaction) -> Result<(), AppError> {
    let res = audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::Entries,
            Expr::col(audit_head::Column::Entries),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::internal("audit", "audit_head row missing"));
    }
    Ok(())
}

/// Appends one entry. The transaction must have come from [`begin`] or passed through [`lock`].
pub async fn record(txn: &DatabaseTransaction, e: Entry<'_>) -> Result<(), AppError> {
    let head = audit_head::Entity::find_by_id(1)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("audit", "audit_head row missing"))?;
    let at = Utc::now().trunc_subsecs(6);
    let detail = e.detail.to_string();
    let hash = entry_hash(
        key(),
        &head.last_hash,
        &at,
        e.actor_user_id,
        e.action,
        e.subject_kind,
        e.subject_id.as_deref(),
        &detail,
    );
    audit_log::ActiveModel {
        at: Set(at),
        actor_user_id: Set(e.actor_user_id),
        action: Set(e.action.to_string()),
        subject_kind: Set(e.subject_kind.to_string()),
        subject_id: Set(e.subject_id),
        detail: Set(detail),
        prev_hash: Set(head.last_hash.clone()),
        hash: Set(hash.clone()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit_head::ActiveModel {
        id: Set(1),
        entries: Set(head.entries + 1),
        last_hash: Set(hash),
    }
    .update(txn)
    .await?;
    Ok(())
}

/// Records one entry in its own transaction (a denial, a read of personal fields).
pub async fn record_now(db: &DatabaseConnection, e: Entry<'_>) -> Result<(), AppError> {
    let txn = begin(db).await?;
    record(&txn, e).await?;
    txn.commit().await?;
    Ok(())
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: u64,
    /// The first problem: the entry id (0 for the chain as a whole) and what is wrong.
    pub problem: Option<(i64, String)>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// The chain's head as recorded: the number of entries and the last hash. Write it down
/// somewhere else (`karamat audit-verify` prints it); a later head that does not extend it means
/// history was rewritten.
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<(i64, String), AppError> {
    let h = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("audit", "audit_head row missing"))?;
    Ok((h.entries, h.last_hash))
}

/// Walks the whole chain in id order, in pages, recomputing every hash with the chain's key.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verification, AppError> {
    verify_with_key(db, key()).await
}

/// [`verify`] with a given key (a key that is not the chain's finds the first entry changed).
pub async fn verify_with_key<C: ConnectionTrait>(
    db: &C,
    key: &[u8],
) -> Result<Verification, AppError> {
    let head = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("audit", "audit_head row missing"))?;
    let mut prev = GENESIS.to_string();
    let mut last_id = 0i64;
    let mut count = 0u64;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(last_id))
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            last_id = row.id;
            count += 1;
            if row.prev_hash != prev {
                return Ok(Verification {
                    entries: count,
                    problem: Some((
                        row.id,
                        "an entry before this one was removed or changed".into(),
                    )),
                });
            }
            let expect = entry_hash(
                key,
                &row.prev_hash,
                &row.at,
                row.actor_user_id,
                &row.action,
                &row.subject_kind,
                row.subject_id.as_deref(),
                &row.detail,
            );
            if expect != row.hash {
                return Ok(Verification {
                    entries: count,
                    problem: Some((row.id, "this entry was changed after it was written".into())),
                });
            }
            prev = row.hash;
        }
    }
    let problem = if count != head.entries as u64 || prev != head.last_hash {
        Some((
            0,
            format!(
                "the chain has {count} entries ending in {prev:.12}…, the head says {} ending in {:.12}…: entries were removed from the end",
                head.entries, head.last_hash
            ),
        ))
    } else {
        None
    };
    Ok(Verification {
        entries: count,
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_every_field() {
        let at = Utc::now();
        let base = entry_hash(DEV_KEY, GENESIS, &at, Some(1), "a", "k", Some("s"), "{}");
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "a", "k", Some("s"), "{}")
        );
        for other in [
            entry_hash(DEV_KEY, "1", &at, Some(1), "a", "k", Some("s"), "{}"),
            entry_hash(
                DEV_KEY,
                GENESIS,
                &(at + chrono::Duration::microseconds(1)),
                Some(1),
                "a",
                "k",
                Some("s"),
                "{}",
            ),
            entry_hash(DEV_KEY, GENESIS, &at, None, "a", "k", Some("s"), "{}"),
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "b", "k", Some("s"), "{}"),
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "a", "j", Some("s"), "{}"),
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "a", "k", None, "{}"),
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "a", "k", Some("s"), "{ }"),
            // Another key: the same entry, another hash.
            entry_hash(
                b"another key",
                GENESIS,
                &at,
                Some(1),
                "a",
                "k",
                Some("s"),
                "{}",
            ),
            // Moving a character between fields changes the hash too.
            entry_hash(DEV_KEY, GENESIS, &at, Some(1), "ak", "", Some("s"), "{}"),
        ] {
            assert_ne!(base, other);
        }
    }
}
