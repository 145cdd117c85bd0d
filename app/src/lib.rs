//! Karamat's shared application: types, validation, components and server functions.
//!
//! Organised by capability. Server-only code sits behind `#[cfg(feature = "ssr")]`; the browser
//! build (`hydrate`) never compiles a database driver, a password hash or a socket.

#![recursion_limit = "256"]

pub mod admin;
#[cfg(feature = "ssr")]
pub mod audit;
pub mod auth;
pub mod casework;
pub mod employment;
pub mod error;
pub mod giving;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod ledger;
#[cfg(feature = "ssr")]
pub mod notify;
pub mod payments;
pub mod platform;
pub mod privacy;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod state;
pub mod transparency;
pub mod ui;
pub mod validation;

pub use shell::{shell, App};
