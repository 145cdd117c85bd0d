//! Payment gateways. The rest of the system sees one [`PaymentGateway`] trait; two adapters
//! implement it: the built-in sandbox bank ([`sandbox`], the default in development and demos,
//! always labelled as a test bank) and ZarinPal v4 ([`zarinpal`]).
//!
//! The protocol both follow is ZarinPal's: *request* (amount, callback URL) → an authority →
//! the payer's browser goes to the gateway's page → the gateway sends the browser back to the
//! callback with `Authority` and `Status` → the server *verifies* with the gateway itself. The
//! browser's word is never trusted.

#[cfg(feature = "ssr")]
mod registry;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
pub mod zarinpal;
#[cfg(feature = "ssr")]
pub use registry::*;
