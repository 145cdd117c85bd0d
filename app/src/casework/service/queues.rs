//! The staff queues by scope, the audit log's pages, and their CSV downloads.

use super::*;

pub(super) fn in_provinces(who: &Authed) -> Condition {
    match who.province_filter() {
        None => Condition::all(),
        Some(ids) => Condition::all().add(need::Column::ProvinceId.is_in(ids)),
    }
}

pub(super) async fn need_items(
    state: &AppState,
    who: &Authed,
    status: NeedStatus,
) -> Result<Vec<QueueItem>, AppError> {
    let rows = need::Entity::find()
        .filter(need::Column::Status.eq(status))
        .filter(in_provinces(who))
        .order_by_asc(need::Column::UpdatedAt)
        .limit(50)
        .all(&state.db)
        .await?;
    let fam_ids: Vec<i64> = rows.iter().map(|n| n.family_id).collect();
    let fams: std::collections::HashMap<i64, String> = family::Entity::find()
        .filter(family::Column::Id.is_in(fam_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.public_code))
        .collect();
    Ok(rows
        .into_iter()
        .map(|n| QueueItem {
            family_code: fams.get(&n.family_id).cloned().unwrap_or_default(),
            code: n.public_code,
            title: n.public_title,
            category: n.category,
            amount_rials: n.goal_rials,
        })
        .collect())
}

pub(super) async fn campaign_items(
    state: &AppState,
    who: &Authed,
    statuses: &[CampaignStatus],
) -> Result<Vec<QueueItem>, AppError> {
    use crate::platform::entity::release_campaign;
    let mut q = release_campaign::Entity::find()
        .filter(release_campaign::Column::Status.is_in(statuses.iter().copied()))
        .order_by_asc(release_campaign::Column::UpdatedAt)
        .limit(50);
    if let Some(ids) = who.province_filter() {
        q = q.filter(release_campaign::Column::ProvinceId.is_in(ids));
    }
    Ok(q.all(&state.db)
        .await?
        .into_iter()
        .map(|c| QueueItem {
            code: c.public_code,
            family_code: String::new(),
            title: c.public_title,
            category: c.offence_category,
            amount_rials: c.total_owed_rials - c.forgiveness_rials,
        })
        .collect())
}

pub async fn queues(state: &AppState, who: &Authed) -> Result<Queues, AppError> {
    use crate::platform::entity::release_campaign;
    // A fixed number of queries whatever the row counts: the pending disbursements, then their
    // needs and campaigns in one query each.
    // Scoped in the query, not after it: fifty other provinces' payments must not hide ours.
    let mut pending = disbursement::Entity::find()
        .filter(disbursement::Column::Status.eq(DisbursementStatus::AwaitingApproval));
    if let Some(ids) = who.province_filter() {
        pending = pending.filter(
            Condition::any()
                .add(
                    disbursement::Column::NeedId.in_subquery(
                        Query::select()
                            .column(need::Column::Id)
                            .from(need::Entity)
                            .and_where(need::Column::ProvinceId.is_in(ids.clone()))
                            .to_owned(),
                    ),
                )
                .add(
                    disbursement::Column::CampaignId.in_subquery(
                        Query::select()
                            .column(release_campaign::Column::Id)
                            .from(release_campaign::Entity)
                            .and_where(release_campaign::Column::ProvinceId.is_in(ids))
                            .to_owned(),
                    ),
                ),
        );
    }
    let pending = pending
        .order_by_asc(disbursement::Column::CreatedAt)
        .limit(50)
        .all(&state.db)
        .await?;
    let need_ids: Vec<i64> = pending.iter().filter_map(|d| d.need_id).collect();
    let campaign_ids: Vec<i64> = pending.iter().filter_map(|d| d.campaign_id).collect();
    let needs: std::collections::HashMap<i64, need::Model> = need::Entity::find()
        .filter(need::Column::Id.is_in(need_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let campaigns: std::collections::HashMap<i64, release_campaign::Model> =
        release_campaign::Entity::find()
            .filter(release_campaign::Column::Id.is_in(campaign_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let awaiting_approval = pending
        .into_iter()
        .filter_map(|d| {
            let (province, title, kind) = match (d.need_id, d.campaign_id) {
                (Some(n), _) => needs
                    .get(&n)
                    .map(|n| (n.province_id, n.public_title.clone(), n.category.clone()))?,
                (_, Some(c)) => campaigns
                    .get(&c)
                    .map(|c| (c.province_id, c.public_title.clone(), "court".to_string()))?,
                _ => return None,
            };
            who.covers(province, None).then(|| QueueItem {
                code: d.public_code,
                family_code: String::new(),
                title,
                category: kind,
                amount_rials: d.amount_rials,
            })
        })
        .collect();
    Ok(Queues {
        campaigns_to_verify: campaign_items(
            state,
            who,
            &[CampaignStatus::Draft, CampaignStatus::Verified],
        )
        .await?,
        campaigns_to_pay: campaign_items(state, who, &[CampaignStatus::Funded]).await?,
        awaiting_verification: need_items(state, who, NeedStatus::AwaitingVerification).await?,
        to_purchase: need_items(state, who, NeedStatus::Funded).await?,
        to_deliver: need_items(state, who, NeedStatus::Purchased).await?,
        awaiting_approval,
    })
}

/// The audit page's page size; the CSV takes up to [`AUDIT_CSV_ROWS`] at once.
pub const AUDIT_PAGE_ROWS: u64 = 100;
pub const AUDIT_CSV_ROWS: u64 = 10_000;

/// Audit entries newest first, optionally those whose action starts with `action` and older than
/// entry `before`, at most `limit`.
pub async fn audit_rows(
    state: &AppState,
    action: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditRow>, AppError> {
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(a) = action.map(str::trim).filter(|a| !a.is_empty()) {
        q = q.filter(audit_log::Column::Action.starts_with(a));
    }
    if let Some(b) = before {
        q = q.filter(audit_log::Column::Id.lt(b));
    }
    let rows = q.all(&state.db).await?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    let actors: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.public_id))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            id: r.id,
            at: r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: r.actor_user_id.and_then(|id| actors.get(&id).cloned()),
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            detail: r.detail,
        })
        .collect())
}

/// The work queues as CSV (one row per item, the queue's name first), what the page shows.
pub fn queues_csv(q: &Queues) -> String {
    use crate::platform::csv_field;
    let mut out = String::from("queue,code,family,title,category,amount_rials\n");
    for (name, items) in [
        ("awaiting_verification", &q.awaiting_verification),
        ("to_purchase", &q.to_purchase),
        ("to_deliver", &q.to_deliver),
        ("awaiting_approval", &q.awaiting_approval),
        ("campaigns_to_verify", &q.campaigns_to_verify),
        ("campaigns_to_pay", &q.campaigns_to_pay),
    ] {
        for i in items {
            out.push_str(&format!(
                "{name},{},{},{},{},{}\n",
                csv_field(&i.code),
                csv_field(&i.family_code),
                csv_field(&i.title),
                csv_field(&i.category),
                i.amount_rials
            ));
        }
    }
    out
}

/// Audit entries as CSV (the verify command checks the chain itself, in the database).
pub fn audit_csv(rows: &[AuditRow]) -> String {
    use crate::platform::csv_field;
    let mut out = String::from("id,at_utc,actor,action,subject_kind,subject_id,detail\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.id,
            csv_field(&r.at),
            csv_field(r.actor.as_deref().unwrap_or("")),
            csv_field(&r.action),
            csv_field(&r.subject_kind),
            csv_field(r.subject_id.as_deref().unwrap_or("")),
            csv_field(&r.detail),
        ));
    }
    out
}
