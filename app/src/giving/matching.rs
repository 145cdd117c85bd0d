//! Matched gifts: a sponsor (a company or a person) offers to match gifts 1:1 or 2:1 for an
//! occasion, a province, a kind of need or one release campaign, up to a cap and an end date.
//! Staff record the offer and another staff member approves it (four eyes); from then on each gift
//! in its scope settles with the sponsor's match in the same ledger group, up to what the need or
//! campaign still lacks after the donor's own gift. When the cap is reached the offer closes in
//! the same transaction; the part of the cap never drawn is a promise, not money raised, and
//! appears nowhere as raised.
//!
//! The money: each match is a receivable from the sponsor (`asset:match:{id}`) credited to the
//! need's or campaign's fund; finance staff record what the sponsor pays in (bank against the
//! receivable). So a card's "raised" includes the match as soon as the gift settles, as a donor
//! reading "matched 1:1" expects, and the books show what the sponsor still owes.

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::platform::status::{MatchOfferStatus, MatchScope};

/// The ratios a sponsor may offer: rials added per rial given.
pub const RATIOS: [i32; 2] = [1, 2];

/// A sponsor's name as the cards show it: 2–80 characters.
pub const SPONSOR_NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=80;

/// An offer as a card, a need's page or the gift form shows it: who matches, how much of each
/// rial, and how much of the cap is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchBadge {
    pub sponsor: String,
    pub ratio: i32,
    pub remaining_rials: i64,
    pub ends_on: NaiveDate,
}

/// What an offer's scope is compared with: a need's occasion, province (none when its card hides
/// it, so a province's offer never reveals where a generalised card is) and kind, or a
/// campaign's province and code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchSubject {
    pub occasion: Option<String>,
    pub province_id: Option<i64>,
    pub category: Option<String>,
    pub campaign_code: Option<String>,
}

/// The part of an offer that decides which gifts it meets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchTerms {
    pub scope: MatchScope,
    pub scope_value: String,
    pub province_id: Option<i64>,
}

impl MatchOfferForm {
    /// The field the chosen scope names.
    pub fn scope_value(&self, scope: MatchScope) -> &str {
        match scope {
            MatchScope::Occasion => &self.occasion,
            MatchScope::Province => &self.province,
            MatchScope::Category => &self.category,
            MatchScope::Campaign => &self.campaign,
        }
        .as_deref()
        .unwrap_or("")
        .trim()
    }
}

impl MatchTerms {
    /// Does this offer meet gifts to `s`?
    pub fn meets(&self, s: &MatchSubject) -> bool {
        let is = |v: &Option<String>| v.as_deref() == Some(self.scope_value.as_str());
        match self.scope {
            MatchScope::Occasion => is(&s.occasion),
            MatchScope::Category => is(&s.category),
            MatchScope::Campaign => is(&s.campaign_code),
            MatchScope::Province => self.province_id.is_some() && self.province_id == s.province_id,
        }
    }
}

/// What one gift draws from an offer: `ratio` times the gift, no more than the cap has left nor
/// than the target still lacks once the donor's own gift is counted.
pub fn match_for(ratio: i32, gift_rials: i64, cap_left: i64, room_after_gift: i64) -> i64 {
    (gift_rials.saturating_mul(ratio as i64))
        .min(cap_left)
        .min(room_after_gift)
        .max(0)
}

/// What one sponsor's offer added to gifts, as `/transparency` shows it: only what gifts drew,
/// never the unused part of its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorTotal {
    pub sponsor: String,
    pub ratio: i32,
    pub gifts: i64,
    pub matched_rials: i64,
    /// What the sponsor has paid in so far.
    pub received_rials: i64,
}

/// The smallest gift that, with its match, fills `room`: a third of it at 2:1 while the cap has
/// enough left, else what the cap cannot cover. The gift form's "all that is left".
pub fn donor_share(room: i64, ratio: i32, cap_left: i64) -> i64 {
    let ratio = ratio.max(0) as i64;
    let with_match = (room + ratio) / (1 + ratio);
    with_match.max(room - cap_left.max(0)).max(0)
}

/// An offer as staff see it on `/staff/matches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOfferRow {
    pub code: String,
    pub sponsor_name: String,
    /// Opened from its seal for staff.
    pub sponsor_contact: Option<String>,
    pub ratio: i32,
    pub scope: MatchScope,
    pub scope_value: String,
    pub cap_rials: i64,
    pub matched_rials: i64,
    pub received_rials: i64,
    pub ends_on: NaiveDate,
    pub status: MatchOfferStatus,
    /// Active but past its end date: it matches nothing more (the nightly job closes it).
    pub ended: bool,
    pub close_reason: Option<String>,
    /// This person recorded it, so another must approve it.
    pub mine: bool,
    /// Gifts it matched.
    pub gifts: i64,
}

/// A new offer, as the staff form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOfferForm {
    pub sponsor_name: String,
    /// A mobile number or e-mail address staff reach the sponsor at (sealed).
    #[serde(default)]
    pub sponsor_contact: Option<String>,
    pub ratio: String,
    /// `occasion`, `province`, `category` or `campaign`: which of the four fields below applies
    /// (the form shows all four, so it works without JavaScript).
    pub scope: String,
    #[serde(default)]
    pub occasion: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// A release campaign's public code.
    #[serde(default)]
    pub campaign: Option<String>,
    /// In tomans, any digit script.
    pub cap: String,
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub ends_on: String,
}

/// Offers in this person's scope, newest first.
#[server(prefix = "/api", endpoint = "staff/match-offers")]
pub async fn match_offers() -> Result<Vec<MatchOfferRow>, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::Fulfil, async |s, who| {
        super::matching_service::listed(&s, &who).await
    })
    .await
}

/// Records a sponsor's offer; it matches nothing until another staff member approves it.
#[server(prefix = "/api", endpoint = "staff/propose-match-offer")]
pub async fn propose_match_offer(form: MatchOfferForm) -> Result<String, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::Fulfil, async |s, who| {
        super::matching_service::propose(&s, &who, &form).await
    })
    .await
}

/// The second pair of eyes: approve (`approve = true`) or reject an offer someone else recorded.
#[server(prefix = "/api", endpoint = "staff/decide-match-offer")]
pub async fn decide_match_offer(code: String, approve: bool) -> Result<(), AppError> {
    crate::auth::ssr::with_permission(
        crate::auth::Permission::ApproveDisbursement,
        async |s, who| super::matching_service::decide(&s, &who, &code, approve).await,
    )
    .await
}

/// Closes an active offer before its cap or end date (the sponsor withdrew it).
#[server(prefix = "/api", endpoint = "staff/close-match-offer")]
pub async fn close_match_offer(code: String) -> Result<(), AppError> {
    crate::auth::ssr::with_permission(
        crate::auth::Permission::ApproveDisbursement,
        async |s, who| super::matching_service::close(&s, &who, &code).await,
    )
    .await
}

/// Finance records what the sponsor paid in (tomans): the bank against the sponsor's receivable,
/// never more than the matches still unpaid.
#[server(prefix = "/api", endpoint = "staff/match-payment")]
pub async fn record_match_payment(code: String, amount: String) -> Result<(), AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::Fulfil, async |s, who| {
        super::matching_service::record_payment(&s, &who, &code, &amount).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_is_bounded_by_the_cap_and_the_room() {
        assert_eq!(match_for(1, 100, 1_000, 1_000), 100);
        assert_eq!(match_for(2, 100, 1_000, 1_000), 200);
        assert_eq!(match_for(2, 100, 150, 1_000), 150);
        assert_eq!(match_for(1, 100, 1_000, 30), 30);
        assert_eq!(match_for(1, 100, 0, 1_000), 0);
        assert_eq!(match_for(1, 100, 1_000, -5), 0);
    }

    #[test]
    fn the_rest_counts_the_match() {
        assert_eq!(donor_share(900, 2, 10_000), 300);
        assert_eq!(donor_share(901, 2, 10_000), 301);
        assert_eq!(donor_share(1_000, 1, 10_000), 500);
        // The cap covers only 100: the donor gives the rest.
        assert_eq!(donor_share(1_000, 1, 100), 900);
        assert_eq!(donor_share(1_000, 1, 0), 1_000);
        // Whatever the split, the gift and its match fill the room.
        for (room, ratio, cap) in [(901, 2, 10_000), (1_001, 1, 300), (7, 2, 1)] {
            let g = donor_share(room, ratio, cap);
            assert!(g + match_for(ratio, g, cap, room - g) >= room);
        }
    }

    #[test]
    fn a_province_offer_never_meets_a_card_that_hides_its_province() {
        let terms = MatchTerms {
            scope: MatchScope::Province,
            scope_value: "THR".into(),
            province_id: Some(8),
        };
        let mut s = MatchSubject {
            province_id: Some(8),
            category: Some("food".into()),
            ..Default::default()
        };
        assert!(terms.meets(&s));
        s.province_id = None;
        assert!(!terms.meets(&s));
        let food = MatchTerms {
            scope: MatchScope::Category,
            scope_value: "food".into(),
            province_id: None,
        };
        assert!(food.meets(&MatchSubject {
            category: Some("food".into()),
            ..Default::default()
        }));
        let yalda = MatchTerms {
            scope: MatchScope::Occasion,
            scope_value: "yalda".into(),
            province_id: None,
        };
        assert!(!yalda.meets(&s));
    }
}
