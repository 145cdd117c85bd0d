//! sea-orm entities, one file a table, without runtime features (services take `&DbConn`).

pub mod audit_head;
pub mod audit_log;
pub mod disbursement;
pub mod disbursement_approval;
pub mod donation;
pub mod family;
pub mod family_document;
pub mod finance_flag;
pub mod household_member;
pub mod impact_update;
pub mod ledger_account;
pub mod ledger_entry;
pub mod ledger_transaction;
pub mod need;
pub mod notification;
pub mod payee;
pub mod prison;
pub mod prisoner;
pub mod province;
pub mod recovery_code;
pub mod release_campaign;
pub mod sandbox_payment;
pub mod session;
pub mod user;
pub mod user_scope;
