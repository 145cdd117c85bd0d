//! Re-sealing every personal field under the current key (`karamat rotate-keys`). Rows whose
//! `key_id` is not the current one are opened (with the current or a retired key), sealed again
//! and stamped with the current key id, a page at a time, each page in one transaction.

use super::Sealer;
use crate::error::AppError;
use crate::platform::db::stmt;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait, Value};

/// Staff authenticator secrets (`users.totp_secret_enc`): the AEAD name `auth::totp` seals them
/// under. Defined here, with the other sealed columns, because rotation re-seals them too.
pub const TOTP_SECRET_COLUMN: &str = "users.totp_secret";

/// Every table with sealed columns: (table, its sealed columns). The column's AEAD name is
/// `table.column` without the `_enc` suffix.
pub const SEALED: &[(&str, &[&str])] = &[
    (
        "families",
        &[
            "head_name_enc",
            "national_code_enc",
            "phone_enc",
            "address_enc",
            "situation_enc",
        ],
    ),
    ("household_members", &["name_enc", "national_code_enc"]),
    ("prisoners", &["name_enc", "national_code_enc"]),
    ("needs", &["private_notes_enc"]),
    ("release_campaigns", &["creditor_enc"]),
    ("pledges", &["contact_enc"]),
    ("donations", &["contact_enc", "nazr_purpose_enc"]),
    ("match_offers", &["sponsor_contact_enc"]),
    ("notification_outbox", &["recipient_enc"]),
    ("payees", &["account_enc"]),
    (
        "restitution_claims",
        &["claimant_name_enc", "claimant_account_enc"],
    ),
    ("family_documents", &["reference_enc"]),
];

fn aad(table: &str, col: &str) -> String {
    format!("{table}.{}", col.trim_end_matches("_enc"))
}

/// How many rows were re-sealed per table.
pub async fn rotate(
    db: &DatabaseConnection,
    sealer: &Sealer,
) -> Result<Vec<(String, u64)>, AppError> {
    let backend = db.get_database_backend();
    let mut report = Vec::new();
    for (table, cols) in SEALED {
        let mut done = 0u64;
        loop {
            let sql = format!(
                "SELECT id, {} FROM {table} WHERE key_id <> ? ORDER BY id LIMIT 500",
                cols.join(", "),
            );
            let rows = db
                .query_all_raw(stmt(backend, &sql, [sealer.key_id().into()]))
                .await?;
            if rows.is_empty() {
                break;
            }
            let txn = db.begin().await?;
            for row in &rows {
                let id: i64 = row.try_get_by_index(0)?;
                let mut values: Vec<Value> = Vec::new();
                let mut sets = Vec::new();
                for (i, col) in cols.iter().enumerate() {
                    let sealed: Option<Vec<u8>> = row.try_get_by_index(i + 1)?;
                    let resealed = match sealed {
                        None => None,
                        Some(bytes) => {
                            let plain = sealer.open(&aad(table, col), &bytes).map_err(|e| {
                                AppError::internal(
                                    "rotate: open",
                                    format!("{table}.{col} row {id}: {e}"),
                                )
                            })?;
                            if *col == "national_code_enc" {
                                // The blind index is recomputed too, so a new index key (rotated
                                // together with a new field key id) keeps look-ups working.
                                values.push(sealer.blind_index("national_code", &plain).into());
                                sets.push("national_code_bidx = ?".to_string());
                            }
                            Some(sealer.seal(&aad(table, col), &plain))
                        }
                    };
                    values.push(resealed.into());
                    sets.push(format!("{col} = ?"));
                }
                values.push(sealer.key_id().into());
                sets.push("key_id = ?".to_string());
                values.push(id.into());
                let sql = format!("UPDATE {table} SET {} WHERE id = ?", sets.join(", "));
                txn.execute_raw(stmt(backend, &sql, values)).await?;
                done += 1;
            }
            txn.commit().await?;
        }
        report.push((table.to_string(), done));
    }
    // Staff authenticator secrets carry no key id: each run re-seals all of them.
    let users = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, totp_secret_enc FROM users WHERE totp_secret_enc IS NOT NULL ORDER BY id",
        ))
        .await?;
    let txn = db.begin().await?;
    for row in &users {
        let id: i64 = row.try_get_by_index(0)?;
        let bytes: Vec<u8> = row.try_get_by_index(1)?;
        let col = TOTP_SECRET_COLUMN;
        let plain = sealer
            .open(col, &bytes)
            .map_err(|e| AppError::internal("rotate: open", format!("users row {id}: {e}")))?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE users SET totp_secret_enc = ? WHERE id = ?",
            [sealer.seal(col, &plain).into(), id.into()],
        ))
        .await?;
    }
    txn.commit().await?;
    report.push(("users".to_string(), users.len() as u64));
    Ok(report)
}
