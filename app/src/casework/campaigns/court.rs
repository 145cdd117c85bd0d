//! Payment to the court's enforcement account, the release notice, and closing.

use super::*;

/// Pays what the campaign raised to the court's enforcement account (one ledger group from the
/// campaign's fund out of the bank). Above the disbursement threshold a manager approves first.
pub async fn pay_court(
    state: &AppState,
    who: &Authed,
    code: &str,
    court_ref: &str,
) -> Result<FulfilOutcome, AppError> {
    let (c, _pr) = campaign_in_scope(state, who, Permission::Fulfil, code).await?;
    if c.status != CampaignStatus::Funded {
        return Err(invalid("status", "staff.not_funded"));
    }
    let court_ref = normalize_persian(court_ref);
    if !(3..=60).contains(&court_ref.chars().count()) {
        return Err(invalid("court_ref", "staff.evidence_invalid"));
    }
    disburse(
        state,
        who,
        Disburse {
            target: FundTarget::Campaign(c.id),
            code: c.public_code.clone(),
            payee: None,
            purpose: "court".into(),
            reference: Some(court_ref.clone()),
            evidence: court_ref,
        },
    )
    .await
}

/// Pays a campaign's disbursement to the court out of its fund and moves it to `paid_to_court`
/// (also used by the approval).
pub(in crate::casework) async fn pay(
    txn: &sea_orm::DatabaseTransaction,
    who: &Authed,
    d: &disbursement::Model,
    c: &release_campaign::Model,
) -> Result<(), AppError> {
    let now = pay_out(
        txn,
        who,
        d,
        Account::Campaign(c.id),
        "paid to the court's enforcement account",
        ("campaign", &c.public_code),
    )
    .await?;
    advance(
        txn,
        c.id,
        CampaignStatus::Funded,
        CampaignStatus::PaidToCourt,
        vec![
            (release_campaign::Column::PaidAt, Expr::value(now)),
            (
                release_campaign::Column::CourtAccountRef,
                Expr::value(d.reference.clone()),
            ),
        ],
    )
    .await
}

/// The prisoner walked free: the campaign shows "released", its donors are told (those who left
/// a contact), with a redacted update on their receipts.
pub async fn record_release(
    state: &AppState,
    who: &Authed,
    code: &str,
    date: &str,
) -> Result<(), AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::RecordRelease, code).await?;
    let date = crate::validation::parse_date(date)
        .filter(|d| *d <= Utc::now().date_naive())
        .ok_or_else(|| invalid("date", "staff.release_date_invalid"))?;
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        CampaignStatus::PaidToCourt,
        CampaignStatus::Released,
        vec![(release_campaign::Column::ReleasedOn, Expr::value(date))],
    )
    .await?;
    prisoner::Entity::update_many()
        .col_expr(prisoner::Column::ReleasedOn, Expr::value(date))
        .filter(prisoner::Column::Id.eq(pr.id))
        .exec(&txn)
        .await?;
    // The family's sponsors get a closing report and their sponsorships end.
    let sponsorships_closed = match pr.family_id {
        Some(family) => {
            crate::giving::sponsorship_service::close_on_release(state, &txn, family, who.user_id)
                .await?
        }
        None => 0,
    };
    let body =
        "آزاد شد. سپاس از همراهی شما. / Released. Thank you for standing with him.".to_string();
    impact_update::ActiveModel {
        public_code: Set(crate::platform::public_code("U", 8)),
        need_id: Set(None),
        campaign_id: Set(Some(c.id)),
        kind: Set("released".into()),
        body_public: Set(body.clone()),
        author_id: Set(Some(who.user_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let donors_told = crate::giving::settlement::queue_to_donors(
        state,
        &txn,
        crate::giving::service::Owner::Campaign,
        c.id,
        "campaign_released",
        serde_json::json!({}),
    )
    .await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.released",
            &c.public_code,
            serde_json::json!({ "donors_told": donors_told, "sponsorships_closed": sponsorships_closed }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn close(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let (c, _) = campaign_in_scope(state, who, Permission::RecordRelease, code).await?;
    let txn = audit::begin(&state.db).await?;
    advance(
        &txn,
        c.id,
        CampaignStatus::Released,
        CampaignStatus::Closed,
        vec![],
    )
    .await?;
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.closed",
            &c.public_code,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
