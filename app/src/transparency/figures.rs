//! The public figures the home page shows (totals, the occasion under way, campaigns nearest
//! their goal), read from the snapshot the transparency page is built from (`snapshot`).

use crate::error::AppError;
use crate::giving::{CampaignCard, OccasionProgress};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Public aggregates for the home page: no record, only totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactSummary {
    pub raised_rials: i64,
    pub families_supported: i64,
    pub prisoners_freed: i64,
    pub workers_employed: i64,
}

#[server(prefix = "/api", endpoint = "public/impact")]
pub async fn impact_totals() -> Result<ImpactSummary, AppError> {
    let state = crate::state::use_state()?;
    // From the public figures' snapshot: these sums read every gift.
    Ok(super::snapshot::report(&state.db).await?.summary)
}

/// The current occasion and how its children's gifts stand, or nothing outside every window.
#[server(prefix = "/api", endpoint = "public/occasion")]
pub async fn current_occasion() -> Result<Option<OccasionProgress>, AppError> {
    async move {
        let state = crate::state::use_state()?;
        let windows = std::env::var("KARAMAT_OCCASIONS")
            .ok()
            .and_then(|s| crate::giving::parse_windows(&s))
            .unwrap_or_else(|| crate::giving::DEFAULT_WINDOWS.to_vec());
        let today = crate::i18n::tehran_today();
        let Some(j) = crate::i18n::JalaliDate::from_gregorian(today) else {
            return Ok(None);
        };
        let Some(key) = crate::giving::current(&windows, j.month, j.day) else {
            return Ok(None);
        };
        // From the public figures' snapshot: the progress sums every gift of the occasion.
        Ok(super::snapshot::report(&state.db)
            .await?
            .occasions
            .into_iter()
            .find(|o| o.key == key))
    }
    .await
    .map_err(AppError::with_status)
}

/// Open campaigns closest to their goal, for the home page.
#[server(prefix = "/api", endpoint = "public/campaigns-near-goal")]
pub async fn campaigns_near_goal() -> Result<Vec<CampaignCard>, AppError> {
    async move {
        let state = crate::state::use_state()?;
        // From the public figures' snapshot (ordering by what is left reads every open
        // campaign), each card checked again now: one taken down or whose consent was withdrawn
        // since the snapshot is not shown.
        let cards = super::snapshot::report(&state.db).await?.near_goal;
        crate::giving::campaign_service::still_visible(&state.db, cards).await
    }
    .await
    .map_err(AppError::with_status)
}
