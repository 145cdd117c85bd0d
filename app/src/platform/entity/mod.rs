//! sea-orm entities, one file a table, without runtime features (services take `&DbConn`).

pub mod donation;
pub mod finance_flag;
pub mod ledger_account;
pub mod ledger_entry;
pub mod ledger_transaction;
pub mod need;
pub mod notification;
pub mod prison;
pub mod province;
pub mod release_campaign;
pub mod sandbox_payment;
pub mod session;
pub mod user;
pub mod user_scope;
