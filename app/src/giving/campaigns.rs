//! Release campaigns: people held for debts, unintentional-crime blood money (diyeh) or unpaid
//! dower, freed by creditor forgiveness (shown as a match) and gifts paid straight to the court's
//! enforcement account. Only public fields: never the prisoner, the creditor or the prison.

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const OFFENCES: [&str; 3] = ["debt", "diyeh", "dower"];

/// The published eligibility rules: every one must hold before a campaign is published, and a
/// campaign that no longer meets them takes no gifts.
pub const ELIGIBILITY_RULES: [&str; 4] = [
    "eligible_offence",
    "no_prior_conviction",
    "conduct_certified",
    "means_tested",
];

/// Whether a campaign's recorded eligibility (a JSON object of rule → bool) meets every rule.
pub fn is_eligible(eligibility_json: &str) -> bool {
    let v: serde_json::Value = serde_json::from_str(eligibility_json).unwrap_or_default();
    ELIGIBILITY_RULES
        .iter()
        .all(|r| v.get(r).and_then(|x| x.as_bool()) == Some(true))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignCard {
    pub code: String,
    pub offence: String,
    pub title: String,
    pub province: Option<super::ProvinceName>,
    pub total_owed_rials: i64,
    /// What the creditor forgave: shown as a match.
    pub forgiveness_rials: i64,
    pub raised_rials: i64,
    pub donors: i64,
    pub status: crate::platform::status::CampaignStatus,
    /// A sponsor matches gifts to it (while it is still raising).
    #[serde(default)]
    pub matched: Option<super::MatchBadge>,
}

impl CampaignCard {
    /// What donors are asked for: the debt less the creditor's forgiveness.
    pub fn to_raise(&self) -> i64 {
        (self.total_owed_rials - self.forgiveness_rials).max(0)
    }
    pub fn remaining(&self) -> i64 {
        (self.to_raise() - self.raised_rials).max(0)
    }
    /// Percent of the whole debt covered by forgiveness and gifts together.
    pub fn percent(&self) -> i64 {
        if self.total_owed_rials <= 0 {
            return 0;
        }
        ((self.forgiveness_rials + self.raised_rials).min(self.total_owed_rials) * 100)
            / self.total_owed_rials
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    pub card: CampaignCard,
    pub story: String,
    pub published_on: Option<NaiveDate>,
    pub funded_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub released_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignResults {
    pub items: Vec<CampaignCard>,
    /// Matches counted, at most `service::COUNT_CAP`.
    pub total: u64,
    /// More matched than were counted.
    #[serde(default)]
    pub more: bool,
    pub page: u64,
    pub pages: u64,
}

#[server(prefix = "/api", endpoint = "public/campaigns")]
pub async fn list_campaigns(
    offence: Option<String>,
    page: Option<u64>,
) -> Result<CampaignResults, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::campaign_service::list(&state.read, offence.as_deref(), page.unwrap_or(1)).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "public/campaign")]
pub async fn get_campaign(code: String) -> Result<CampaignDetail, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::campaign_service::detail(&state.db, &code).await
    }
    .await
    .map_err(AppError::with_status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_must_hold() {
        assert!(is_eligible(
            r#"{"eligible_offence":true,"no_prior_conviction":true,"conduct_certified":true,"means_tested":true}"#
        ));
        assert!(!is_eligible(
            r#"{"eligible_offence":true,"no_prior_conviction":false,"conduct_certified":true,"means_tested":true}"#
        ));
        assert!(!is_eligible(r#"{"eligible_offence":true}"#));
        assert!(!is_eligible("not json"));
    }

    #[test]
    fn forgiveness_counts_as_a_match() {
        let c = CampaignCard {
            code: "C-1".into(),
            offence: "debt".into(),
            title: String::new(),
            province: None,
            total_owed_rials: 1_000,
            forgiveness_rials: 400,
            raised_rials: 100,
            donors: 1,
            status: crate::platform::status::CampaignStatus::Published,
            matched: None,
        };
        assert_eq!(c.to_raise(), 600);
        assert_eq!(c.remaining(), 500);
        assert_eq!(c.percent(), 50);
    }
}
