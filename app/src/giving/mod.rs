//! Public giving: discovering needs. Only public fields ever leave this module's services.

mod needs;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use needs::*;
pub use pages::*;
