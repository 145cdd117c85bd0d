//! Public giving: discovering needs and campaigns, giving, receipts. Only public fields ever
//! leave this module's services.

mod campaign_pages;
#[cfg(feature = "ssr")]
pub mod campaign_service;
mod campaigns;
mod gift;
mod give_pages;
pub mod intention;
mod intention_pages;
mod match_pages;
pub mod matching;
#[cfg(feature = "ssr")]
pub mod matching_service;
mod needs;
mod occasions;
mod pages;
#[cfg(feature = "ssr")]
pub mod pledges;
mod sandbox_bank;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settlement;
mod sponsor_pages;
pub mod sponsorship;
#[cfg(feature = "ssr")]
pub mod sponsorship_service;
#[cfg(feature = "ssr")]
pub mod totals;

pub use campaign_pages::*;
pub use campaigns::*;
pub use gift::*;
pub use give_pages::*;
pub use intention::{intention_key, Intention, IntentionRule, NAZR_PURPOSE_CHARS};
pub use intention_pages::*;
pub use match_pages::*;
pub use matching::MatchBadge;
pub use needs::*;
pub use occasions::*;
pub use pages::*;
pub use sandbox_bank::*;
pub use sponsor_pages::*;
pub use sponsorship::*;
