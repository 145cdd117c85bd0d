use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The need categories the public can filter by (the order of the filter list).
pub const CATEGORIES: [&str; 7] = [
    "rent",
    "food",
    "school",
    "medical",
    "livelihood",
    "gift",
    "utilities",
];

pub const PER_PAGE: u64 = 12;

/// A need as the public sees it: nothing that could identify a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedCard {
    pub code: String,
    pub category: String,
    pub title: String,
    /// `None` when the card is generalised to hide the province.
    pub province: Option<ProvinceName>,
    pub household_band: String,
    pub goal_rials: i64,
    pub raised_rials: i64,
    pub donors: i64,
    pub deadline: Option<NaiveDate>,
    pub status: crate::platform::status::NeedStatus,
    pub occasion: Option<String>,
    /// A sponsor matches gifts to it (while it is still raising).
    #[serde(default)]
    pub matched: Option<super::MatchBadge>,
}

impl NeedCard {
    pub fn remaining_rials(&self) -> i64 {
        (self.goal_rials - self.raised_rials).max(0)
    }
    /// Progress in whole percent, 0–100.
    pub fn percent(&self) -> i64 {
        if self.goal_rials <= 0 {
            0
        } else {
            (self.raised_rials.min(self.goal_rials) * 100) / self.goal_rials
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceName {
    pub code: String,
    pub fa: String,
    pub en: String,
}

/// A need's page: its card, public story and the dates of its public timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedDetail {
    pub card: NeedCard,
    pub story: String,
    pub published_on: Option<NaiveDate>,
    pub funded_on: Option<NaiveDate>,
    pub purchased_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
}

/// Filters, exactly as they travel in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedQuery {
    pub q: Option<String>,
    pub province: Option<String>,
    pub category: Option<String>,
    /// At most this many tomans still to raise (any digit script): needs a small gift can finish.
    pub left: Option<String>,
    /// `urgent` (deadline first, the default), `newest`, `smallest` (goal ascending).
    pub sort: Option<String>,
    pub page: Option<u64>,
}

/// The "amount left" choices the needs page offers, in tomans (the URL takes any amount).
pub const LEFT_PRESETS: [i64; 4] = [500_000, 2_000_000, 10_000_000, 50_000_000];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedResults {
    pub items: Vec<NeedCard>,
    /// Matches counted, at most `COUNT_CAP`.
    pub total: u64,
    /// More matched than were counted.
    #[serde(default)]
    pub more: bool,
    pub page: u64,
    pub pages: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceOption {
    pub code: String,
    pub fa: String,
    pub en: String,
}

#[server(prefix = "/api", endpoint = "public/needs")]
pub async fn list_needs(
    q: Option<String>,
    province: Option<String>,
    category: Option<String>,
    left: Option<String>,
    sort: Option<String>,
    page: Option<u64>,
) -> Result<NeedResults, AppError> {
    async move {
        let query = NeedQuery {
            q,
            province,
            category,
            left,
            sort,
            page,
        };
        let state = crate::state::use_state()?;
        // Nobody follows a write to a list: it may read a replica.
        super::service::list_needs(&state.read, &query).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "public/need")]
pub async fn get_need(code: String) -> Result<NeedDetail, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::service::get_need(&state.db, &code).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "public/provinces")]
pub async fn provinces() -> Result<Vec<ProvinceOption>, AppError> {
    async move {
        let state = crate::state::use_state()?;
        super::service::provinces(&state.db).await
    }
    .await
    .map_err(AppError::with_status)
}
