//! Match offers as stored: the settlement drawing on them and the cards showing them; staff
//! recording, approving and closing them and recording the sponsor's payments are in [`offers`].
//! See [`super::matching`] for the rules.

mod offers;
pub use offers::*;

use super::matching::*;
use crate::error::AppError;
use crate::ledger::{self, credit, debit, Account, Posting};
use crate::platform::entity::{donation, match_offer, need, release_campaign};
use crate::state::AppState;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::HashMap;

/// The sealing context of a sponsor's contact.
pub const SPONSOR_CONTACT: &str = "match_offers.sponsor_contact";

/// The day in Iran: an offer "until 30 Azar" matches gifts through Tehran's 30 Azar.
pub fn today() -> NaiveDate {
    crate::i18n::tehran_today()
}

fn invalid(field: &'static str, key: &'static str) -> AppError {
    AppError::invalid(field, key)
}

fn terms(o: &match_offer::Model) -> MatchTerms {
    MatchTerms {
        scope: o.scope,
        scope_value: o.scope_value.clone(),
        province_id: o.province_id,
    }
}

/// Offers that match gifts on `day`, the soonest to end first (the order a gift draws on them):
/// a handful of rows, read through the status index.
pub async fn active<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
) -> Result<Vec<match_offer::Model>, AppError> {
    Ok(match_offer::Entity::find()
        .filter(match_offer::Column::Status.eq(MatchOfferStatus::Active))
        .filter(match_offer::Column::EndsOn.gte(day))
        .order_by_asc(match_offer::Column::EndsOn)
        .order_by_asc(match_offer::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|o| o.matched_rials < o.cap_rials)
        .collect())
}

/// The offer a gift to `s` would draw on: the first of `offers` whose scope meets it.
pub fn offer_for<'a>(
    offers: &'a [match_offer::Model],
    s: &MatchSubject,
) -> Option<&'a match_offer::Model> {
    offers.iter().find(|o| terms(o).meets(s))
}

pub fn badge(o: &match_offer::Model) -> MatchBadge {
    MatchBadge {
        sponsor: o.sponsor_name.clone(),
        ratio: o.ratio,
        remaining_rials: (o.cap_rials - o.matched_rials).max(0),
        ends_on: o.ends_on,
    }
}

pub fn need_subject(n: &need::Model) -> MatchSubject {
    MatchSubject {
        occasion: n.occasion.clone(),
        province_id: (!n.hide_province).then_some(n.province_id),
        category: Some(n.category.clone()),
        campaign_code: None,
    }
}

pub fn campaign_subject(c: &release_campaign::Model) -> MatchSubject {
    MatchSubject {
        province_id: Some(c.province_id),
        campaign_code: Some(c.public_code.clone()),
        ..Default::default()
    }
}

/// The badge of each target still raising, by id, from one read of the active offers (none when
/// no target is raising).
async fn badges<C: ConnectionTrait>(
    db: &C,
    raising: Vec<(i64, MatchSubject)>,
) -> Result<HashMap<i64, MatchBadge>, AppError> {
    if raising.is_empty() {
        return Ok(HashMap::new());
    }
    let offers = active(db, today()).await?;
    Ok(raising
        .into_iter()
        .filter_map(|(id, s)| offer_for(&offers, &s).map(|o| (id, badge(o))))
        .collect())
}

/// The badge each of these needs shows (only those still raising can be matched).
pub async fn need_badges<C: ConnectionTrait>(
    db: &C,
    needs: &[&need::Model],
) -> Result<HashMap<i64, MatchBadge>, AppError> {
    use crate::platform::status::NeedStatus;
    let raising = needs
        .iter()
        .filter(|n| n.status == NeedStatus::Published)
        .map(|n| (n.id, need_subject(n)))
        .collect();
    badges(db, raising).await
}

/// [`need_badges`] for release campaigns.
pub async fn campaign_badges<C: ConnectionTrait>(
    db: &C,
    campaigns: &[&release_campaign::Model],
) -> Result<HashMap<i64, MatchBadge>, AppError> {
    use crate::platform::status::CampaignStatus;
    let raising = campaigns
        .iter()
        .filter(|c| c.status == CampaignStatus::Published)
        .map(|c| (c.id, campaign_subject(c)))
        .collect();
    badges(db, raising).await
}

/// What one gift drew from an offer, to post in the gift's own ledger group.
pub(crate) struct Drawn {
    pub offer_id: i64,
    pub account: i64,
    pub rials: i64,
}

/// Draws the match for a gift being settled, inside its transaction and after the target's lock
/// (the lock order of every gift: target, then offer, so two gifts never wait on each other in
/// a circle). `room` is what the target still lacks once the donor's own gift is counted. The
/// offer's row is locked by its own update, so two gifts drawing on it one after the other each
/// see what the other left; the gift that reaches the cap closes the offer here.
pub(crate) async fn draw(
    txn: &DatabaseTransaction,
    d: &donation::Model,
    room: i64,
) -> Result<Option<Drawn>, AppError> {
    if room <= 0 || (d.need_id.is_none() && d.campaign_id.is_none()) {
        return Ok(None);
    }
    let offers = active(txn, today()).await?;
    if offers.is_empty() {
        return Ok(None);
    }
    let subject = match (d.need_id, d.campaign_id) {
        (Some(id), _) => need::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|n| need_subject(&n)),
        (None, Some(id)) => release_campaign::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|c| campaign_subject(&c)),
        _ => None,
    };
    let Some(offer) = subject.and_then(|s| offer_for(&offers, &s)) else {
        return Ok(None);
    };
    let now = Utc::now();
    let locked = match_offer::Entity::update_many()
        .col_expr(match_offer::Column::UpdatedAt, Expr::value(now))
        .filter(match_offer::Column::Id.eq(offer.id))
        .filter(match_offer::Column::Status.eq(MatchOfferStatus::Active))
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    if !locked {
        return Ok(None);
    }
    // Read again under the lock: another gift may have drawn on it since the list was read.
    let Some(o) = match_offer::Entity::find_by_id(offer.id).one(txn).await? else {
        return Ok(None);
    };
    let rials = match_for(o.ratio, d.amount_rials, o.cap_rials - o.matched_rials, room);
    if rials <= 0 {
        return Ok(None);
    }
    let matched = o.matched_rials + rials;
    let full = matched >= o.cap_rials;
    let mut up = match_offer::Entity::update_many()
        .col_expr(match_offer::Column::MatchedRials, Expr::value(matched))
        .filter(match_offer::Column::Id.eq(o.id));
    if full {
        up = up
            .col_expr(
                match_offer::Column::Status,
                Expr::value(MatchOfferStatus::Closed),
            )
            .col_expr(match_offer::Column::ClosedAt, Expr::value(now))
            .col_expr(match_offer::Column::CloseReason, Expr::value("cap_reached"));
    }
    up.exec(txn).await?;
    donation::Entity::update_many()
        .col_expr(donation::Column::MatchOfferId, Expr::value(o.id))
        .col_expr(donation::Column::MatchedRials, Expr::value(rials))
        .filter(donation::Column::Id.eq(d.id))
        .exec(txn)
        .await?;
    let account = ledger::account_id(txn, &Account::MatchPledge(o.id)).await?;
    if full {
        tracing::info!(offer = %o.public_code, cap = o.cap_rials, "match offer reached its cap and closed");
    }
    Ok(Some(Drawn {
        offer_id: o.id,
        account,
        rials,
    }))
}

/// Closes the active offers whose end date has passed (run with the other scheduled jobs); the
/// part of their cap never drawn is a lapsed promise and moves no money.
pub async fn close_ended(
    db: &sea_orm::DatabaseConnection,
    day: NaiveDate,
) -> Result<u64, AppError> {
    Ok(match_offer::Entity::update_many()
        .col_expr(
            match_offer::Column::Status,
            Expr::value(MatchOfferStatus::Closed),
        )
        .col_expr(match_offer::Column::ClosedAt, Expr::value(Utc::now()))
        .col_expr(match_offer::Column::CloseReason, Expr::value("ended"))
        .filter(match_offer::Column::Status.eq(MatchOfferStatus::Active))
        .filter(match_offer::Column::EndsOn.lt(day))
        .exec(db)
        .await?
        .rows_affected)
}

/// What each sponsor's offer added to gifts, for `/transparency`: the offers gifts drew on, with
/// how many gifts and how much (never the unused part of a cap), and what the sponsor paid in.
pub async fn public_rows<C: ConnectionTrait>(db: &C) -> Result<Vec<SponsorTotal>, AppError> {
    use sea_orm::{FromQueryResult, QuerySelect};
    #[derive(FromQueryResult)]
    struct Count {
        match_offer_id: i64,
        gifts: i64,
    }
    let offers = match_offer::Entity::find()
        .filter(match_offer::Column::MatchedRials.gt(0))
        .order_by_asc(match_offer::Column::Id)
        .all(db)
        .await?;
    if offers.is_empty() {
        return Ok(Vec::new());
    }
    let counts: HashMap<i64, i64> = donation::Entity::find()
        .select_only()
        .column(donation::Column::MatchOfferId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "gifts")
        .filter(donation::Column::MatchOfferId.is_not_null())
        .filter(donation::Column::MatchedRials.gt(0))
        .group_by(donation::Column::MatchOfferId)
        .into_model::<Count>()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.match_offer_id, c.gifts))
        .collect();
    Ok(offers
        .into_iter()
        .map(|o| SponsorTotal {
            gifts: counts.get(&o.id).copied().unwrap_or(0),
            sponsor: o.sponsor_name,
            ratio: o.ratio,
            matched_rials: o.matched_rials,
            received_rials: o.received_rials,
        })
        .collect())
}
