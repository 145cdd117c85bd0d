//! Transparency: public aggregates only — raised and disbursed by Solar Hijri month, province
//! and category, families supported, prisoners freed — as a page with SVG charts (readable both
//! right-to-left and left-to-right, each with a text table as its alternative), CSV downloads and
//! the read-only JSON API under `/api/v1/` (served by the server crate from the same service).

mod figures;
mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod snapshot;

pub use figures::*;
pub use page::*;

use crate::error::AppError;
use crate::platform::csv_field;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    /// Solar Hijri year and month (1–12).
    pub year: i32,
    pub month: u8,
    pub raised_rials: i64,
    pub disbursed_rials: i64,
    pub gifts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceRow {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub raised_rials: i64,
    pub needs_met: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub category: String,
    pub raised_rials: i64,
    pub needs_met: i64,
}

/// Gifts given with one intention (`giving::intention`), every one since the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentionRow {
    pub intention: crate::giving::Intention,
    pub gifts: i64,
    pub raised_rials: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// When the figures were computed (they are a snapshot; see `snapshot`).
    pub taken_at: Option<chrono::DateTime<chrono::Utc>>,
    pub summary: ImpactSummary,
    pub disbursed_rials: i64,
    /// The last twelve Solar Hijri months with any activity, oldest first.
    pub months: Vec<MonthRow>,
    pub provinces: Vec<ProvinceRow>,
    pub categories: Vec<CategoryRow>,
    /// Children's gifts of each occasion (the home page shows the one under way).
    #[serde(default)]
    pub occasions: Vec<crate::giving::OccasionProgress>,
    /// Open campaigns nearest their goal (the home page's list).
    #[serde(default)]
    pub near_goal: Vec<crate::giving::CampaignCard>,
    /// What was given with each intention, in [`crate::giving::Intention::ALL`] order.
    #[serde(default)]
    pub intentions: Vec<IntentionRow>,
    /// Sponsors' matches that gifts drew on, oldest offer first.
    #[serde(default)]
    pub matches: Vec<crate::giving::matching::SponsorTotal>,
}

#[server(prefix = "/api", endpoint = "public/transparency")]
pub async fn transparency_report() -> Result<Report, AppError> {
    async move {
        let state = crate::state::use_state()?;
        snapshot::report(&state.db).await
    }
    .await
    .map_err(AppError::with_status)
}

pub fn months_csv(rows: &[MonthRow]) -> String {
    let mut out = String::from("year,month,raised_rials,disbursed_rials,gifts\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            r.year, r.month, r.raised_rials, r.disbursed_rials, r.gifts
        ));
    }
    out
}

pub fn provinces_csv(rows: &[ProvinceRow]) -> String {
    let mut out = String::from("code,name_fa,name_en,raised_rials,needs_met\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\r\n",
            csv_field(&r.code),
            csv_field(&r.name_fa),
            csv_field(&r.name_en),
            r.raised_rials,
            r.needs_met
        ));
    }
    out
}

pub fn categories_csv(rows: &[CategoryRow]) -> String {
    let mut out = String::from("category,raised_rials,needs_met\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{}\r\n",
            csv_field(&r.category),
            r.raised_rials,
            r.needs_met
        ));
    }
    out
}

pub fn intentions_csv(rows: &[IntentionRow]) -> String {
    let mut out = String::from("intention,gifts,raised_rials\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{}\r\n",
            r.intention, r.gifts, r.raised_rials
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(csv_field("Tehran"), "Tehran");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        let csv = months_csv(&[MonthRow {
            year: 1405,
            month: 9,
            raised_rials: 10,
            disbursed_rials: 0,
            gifts: 1,
        }]);
        assert_eq!(
            csv,
            "year,month,raised_rials,disbursed_rials,gifts\r\n1405,9,10,0,1\r\n"
        );
    }
}
