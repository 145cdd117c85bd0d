//! The server's scenario tests, one module per capability, linked into one test binary.
//!
//! One binary rather than one per file: each integration-test binary links the whole server,
//! Leptos and both database drivers, so seventeen of them took seventeen links and several
//! gigabytes of disk per build (CI's linker once died of a full disk). Run one capability with
//! `cargo test -p server --features app/ssr --test scenarios giving::`.

mod common;

mod admin;
mod backup;
mod campaigns;
mod casework;
mod email;
mod employment;
mod family_list;
mod faults;
mod giving;
mod hardening;
mod intentions;
mod ledger;
mod matching;
mod migrations;
mod owner_teardown;
mod page_cache;
mod public_needs;
mod query_counts;
mod restitution;
mod router;
mod running_totals;
mod seed;
mod sms;
mod sponsorship;
mod transparency;
mod zarinpal;
