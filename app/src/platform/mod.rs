//! What every capability stands on: configuration, the shared state, the database connection
//! and its entities, and the health report.

#[cfg(feature = "ssr")]
mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
mod state;

#[cfg(feature = "ssr")]
pub use config::*;
#[cfg(feature = "ssr")]
pub use state::*;
