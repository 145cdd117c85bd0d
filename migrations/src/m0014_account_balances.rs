//! Each ledger account carries its balance (`ledger_accounts.balance_rials`, the sum of its
//! entries, debit positive), kept by `ledger::post` in the same transaction as the entries.
//!
//! At national scale a fund's balance was a sum over its entries on every read: the needs
//! list's "still to raise" filter summed every listed need's gifts, and each debit of a fund
//! (a purchase, a payout) summed all of that fund's entries to check it stays above zero. Now
//! both read one row. The entries stay the record: `ledger::health` (`karamat reconcile`,
//! the backup check and the tests) compares every stored balance with its entries.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

/// The balances of the entries already written.
pub const RECOMPUTE: &str = "UPDATE ledger_accounts SET balance_rials = COALESCE(\
    (SELECT SUM(e.amount_rials) FROM ledger_entries e WHERE e.account_id = ledger_accounts.id), 0)";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(id("ledger_accounts"))
                .add_column(bigint_default("balance_rials", 0))
                .to_owned(),
        )
        .await?;
        m.get_connection().execute_unprepared(RECOMPUTE).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(id("ledger_accounts"))
                .drop_column(id("balance_rials"))
                .to_owned(),
        )
        .await
    }
}
