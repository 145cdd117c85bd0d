//! Public reads of release campaigns: public columns and ledger-derived totals only.

use super::service::{raised_and_donors, Owner};
use super::*;
use crate::error::AppError;
use crate::platform::entity::status::CampaignStatus;
use crate::platform::entity::{province, release_campaign};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use std::collections::HashMap;

const PER_PAGE: u64 = 12;

/// What the public may see of release campaigns: published onward, unless the prisoner withdrew
/// his consent (a funded campaign is still paid to the court, privately), and only while his
/// consent to a campaign is recorded — checked in the query, like needs.
pub fn visible_campaign() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(release_campaign::Column::Status.is_in(CampaignStatus::PUBLIC))
        .add(release_campaign::Column::WithdrawnAt.is_null())
        .add(sea_orm::sea_query::Expr::cust(PRISONER_CONSENTS))
}

/// The prisoner behind `release_campaigns.prisoner_id` consents now.
/// A scalar look-up by primary key rather than `EXISTS`, for the planner's sake (see
/// `service::FAMILY_CONSENTS`).
pub const PRISONER_CONSENTS: &str =
    "(SELECT 1 FROM prisoners p WHERE p.id = release_campaigns.prisoner_id \
     AND p.consent_campaign = TRUE AND p.consent_campaign_at IS NOT NULL) IS NOT NULL";

fn card(
    c: &release_campaign::Model,
    provinces: &HashMap<i64, province::Model>,
    (raised, donors): (i64, i64),
) -> CampaignCard {
    CampaignCard {
        code: c.public_code.clone(),
        offence: c.offence_category.clone(),
        title: c.public_title.clone(),
        province: provinces
            .get(&c.province_id)
            .map(crate::giving::service::province_name),
        total_owed_rials: c.total_owed_rials,
        forgiveness_rials: c.forgiveness_rials,
        raised_rials: raised,
        donors,
        status: c.status,
        matched: None,
    }
}

async fn provinces(db: &DatabaseConnection) -> Result<HashMap<i64, province::Model>, AppError> {
    Ok(province::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

pub async fn list(
    db: &DatabaseConnection,
    offence: Option<&str>,
    page: u64,
) -> Result<CampaignResults, AppError> {
    let backend = db.get_database_backend();
    let mut q = release_campaign::Entity::find().filter(match backend {
        // On SQLite a unary `+` keeps the planner on the order index instead of sorting every
        // visible campaign (as for needs: `service::listed_need`). Same rows.
        sea_orm::DbBackend::Sqlite => sea_orm::Condition::all()
            .add(super::service::unindexed_in(
                "release_campaigns",
                "status",
                &CampaignStatus::PUBLIC.map(CampaignStatus::as_str),
            ))
            .add(release_campaign::Column::WithdrawnAt.is_null())
            .add(sea_orm::sea_query::Expr::cust(PRISONER_CONSENTS)),
        _ => visible_campaign(),
    });
    if let Some(o) = offence.filter(|o| !o.is_empty()) {
        let o = OFFENCES
            .iter()
            .find(|x| **x == o)
            .ok_or_else(|| AppError::invalid("offence", "validation.filter"))?;
        q = q.filter(release_campaign::Column::OffenceCategory.eq(*o));
    }
    // Open campaigns first, then the most recently published.
    let q = q
        .order_by(
            sea_orm::sea_query::Expr::cust("CASE WHEN status = 'published' THEN 0 ELSE 1 END"),
            Order::Asc,
        )
        .order_by(release_campaign::Column::PublishedAt, Order::Desc)
        .order_by(release_campaign::Column::Id, Order::Asc);
    let page = page.clamp(1, super::service::COUNT_CAP.div_ceil(PER_PAGE));
    let (total, more) =
        super::service::bounded_count(db, q.clone(), release_campaign::Column::Id).await?;
    let rows = q
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let m = raised_and_donors(db, Owner::Campaign, &ids).await?;
    let p = provinces(db).await?;
    let badges =
        super::matching_service::campaign_badges(db, &rows.iter().collect::<Vec<_>>()).await?;
    Ok(CampaignResults {
        items: rows
            .iter()
            .map(|c| CampaignCard {
                matched: badges.get(&c.id).cloned(),
                ..card(c, &p, m.get(&c.id).copied().unwrap_or_default())
            })
            .collect(),
        total,
        more,
        page,
        pages: total.div_ceil(PER_PAGE).max(1),
    })
}

fn public_campaign(code: &str) -> Option<sea_orm::Select<release_campaign::Entity>> {
    crate::validation::public_code(code).map(|code| {
        release_campaign::Entity::find()
            .filter(release_campaign::Column::PublicCode.eq(code))
            .filter(visible_campaign())
    })
}

pub async fn is_public(db: &DatabaseConnection, code: &str) -> Result<bool, AppError> {
    match public_campaign(code) {
        Some(q) => Ok(q.count(db).await? > 0),
        None => Ok(false),
    }
}

pub async fn detail(db: &DatabaseConnection, code: &str) -> Result<CampaignDetail, AppError> {
    let c = public_campaign(code)
        .ok_or(AppError::NotFound)?
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = raised_and_donors(db, Owner::Campaign, &[c.id]).await?;
    let p = provinces(db).await?;
    let matched = super::matching_service::campaign_badges(db, &[&c])
        .await?
        .remove(&c.id);
    Ok(CampaignDetail {
        card: CampaignCard {
            matched,
            ..card(&c, &p, m.get(&c.id).copied().unwrap_or_default())
        },
        story: c.public_story.clone(),
        published_on: c.published_at.map(|t| t.date_naive()),
        funded_on: c.funded_at.map(|t| t.date_naive()),
        paid_on: c.paid_at.map(|t| t.date_naive()),
        released_on: c.released_on,
    })
}

/// The cards among `cards` that are still public now, in their order.
pub async fn still_visible(
    db: &DatabaseConnection,
    cards: Vec<CampaignCard>,
) -> Result<Vec<CampaignCard>, AppError> {
    if cards.is_empty() {
        return Ok(cards);
    }
    let visible: std::collections::HashSet<String> = release_campaign::Entity::find()
        .filter(release_campaign::Column::PublicCode.is_in(cards.iter().map(|c| c.code.clone())))
        .filter(visible_campaign())
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.public_code)
        .collect();
    Ok(cards
        .into_iter()
        .filter(|c| visible.contains(&c.code))
        .collect())
}

/// Open campaigns closest to their goal (least left to raise, counting forgiveness), for the home page.
pub async fn near_goal(db: &DatabaseConnection, n: u64) -> Result<Vec<CampaignCard>, AppError> {
    let backend = db.get_database_backend();
    let ids: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT c.id AS id FROM release_campaigns c WHERE c.status = 'published' \
                 AND c.withdrawn_at IS NULL AND {} \
                 ORDER BY (c.total_owed_rials - c.forgiveness_rials + COALESCE((SELECT SUM(a.balance_rials) \
                   FROM ledger_accounts a WHERE a.campaign_id = c.id), 0)) ASC, c.id \
                 LIMIT {}",
                PRISONER_CONSENTS.replace("release_campaigns.", "c."),
                n.min(12)
            ),
        ))
        .await?
        .into_iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let rows = release_campaign::Entity::find()
        .filter(release_campaign::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    let m = raised_and_donors(db, Owner::Campaign, &ids).await?;
    let p = provinces(db).await?;
    let mut cards: Vec<(usize, CampaignCard)> = rows
        .iter()
        .map(|c| {
            let pos = ids.iter().position(|i| *i == c.id).unwrap_or(usize::MAX);
            (pos, card(c, &p, m.get(&c.id).copied().unwrap_or_default()))
        })
        .collect();
    cards.sort_by_key(|(pos, _)| *pos);
    Ok(cards.into_iter().map(|(_, c)| c).collect())
}
