//! Personal data protection. Personal fields of families and prisoners are sealed per field
//! before they touch the database; exact look-ups go through a keyed blind index.

pub mod pii;
#[cfg(feature = "ssr")]
pub mod rotation;
#[cfg(feature = "ssr")]
mod sealing;
#[cfg(feature = "ssr")]
pub use sealing::*;
