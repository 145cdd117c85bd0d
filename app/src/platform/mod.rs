//! The ground floor: configuration, the database connection and its entities, metrics, rate
//! limits, public codes and secret comparison. It uses nothing of the application above it.

#[cfg(feature = "ssr")]
mod codes;
#[cfg(feature = "ssr")]
mod config;
mod csv;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod rate_limit;
pub mod status;
#[cfg(feature = "ssr")]
pub mod watermark;

#[cfg(feature = "ssr")]
pub use codes::{public_code, tokens_match};
#[cfg(feature = "ssr")]
pub use config::*;
pub use csv::csv_field;

/// The household-size band shown on a card (never the exact size).
pub fn household_band(size: i32) -> &'static str {
    match size {
        ..=2 => "1-2",
        3..=4 => "3-4",
        _ => "5+",
    }
}
