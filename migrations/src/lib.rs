//! Karamat's schema. Every migration runs unchanged on SQLite and PostgreSQL.
//!
//! Conventions: ids are `bigint` surrogate keys that never leave the staff area; anything shown to
//! the public carries a random `public_code`. Money is `bigint` rials. Personal fields of families
//! and prisoners live in `*_enc` binary columns (field-level AEAD envelopes) with a `key_id` for
//! rotation and, where exact look-up is needed, a keyed blind index `*_bidx`.

pub use sea_orm_migration::prelude::*;

mod dsl;
mod m0001_core;
mod m0002_people;
mod m0003_giving;
mod m0004_employment;
mod m0005_operations;
mod m0006_payments;
mod m0007_casework;
mod m0008_employment_flow;
mod m0009_kpi_snapshots;
mod m0010_withdrawal;
mod m0011_hardening;
mod m0012_sign_up;
mod m0013_public_scale;
mod m0014_account_balances;
mod m0015_running_totals;
mod m0016_intentions;
mod m0017_match_offers;
mod m0018_restitution;
mod m0019_sponsorship;
pub use m0007_casework::GENESIS as AUDIT_GENESIS;
pub use m0014_account_balances::RECOMPUTE as RECOMPUTE_BALANCES;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_core::Migration),
            Box::new(m0002_people::Migration),
            Box::new(m0003_giving::Migration),
            Box::new(m0004_employment::Migration),
            Box::new(m0005_operations::Migration),
            Box::new(m0006_payments::Migration),
            Box::new(m0007_casework::Migration),
            Box::new(m0008_employment_flow::Migration),
            Box::new(m0009_kpi_snapshots::Migration),
            Box::new(m0010_withdrawal::Migration),
            Box::new(m0011_hardening::Migration),
            Box::new(m0012_sign_up::Migration),
            Box::new(m0013_public_scale::Migration),
            Box::new(m0014_account_balances::Migration),
            Box::new(m0015_running_totals::Migration),
            Box::new(m0016_intentions::Migration),
            Box::new(m0017_match_offers::Migration),
            Box::new(m0018_restitution::Migration),
            Box::new(m0019_sponsorship::Migration),
        ]
    }
}
