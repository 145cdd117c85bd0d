//! The prisoner's consent to a public campaign, and the creditor's forgiveness shown as a match.

use super::*;

/// The prisoner gives (true) or withdraws (false) his consent to a public campaign, recorded on
/// one of his campaigns' files. Withdrawal takes every campaign of his out of public view in the
/// same transaction: one still raising goes to `withdrawn` and what it had raised to the pooled
/// release fund (the published rule for what a campaign cannot use), one not yet public simply
/// goes to `withdrawn`; one already funded keeps its status, hidden (`withdrawn_at`), because
/// the money was given to free him and is still paid to the court. Returns how many campaigns
/// were taken down.
pub async fn record_consent(
    state: &AppState,
    who: &Authed,
    code: &str,
    consent: bool,
) -> Result<u64, AppError> {
    let (c, pr) = campaign_in_scope(state, who, Permission::RecordConsent, code).await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    prisoner::Entity::update_many()
        .col_expr(prisoner::Column::ConsentCampaign, Expr::value(consent))
        .col_expr(
            prisoner::Column::ConsentCampaignAt,
            Expr::value(consent.then_some(now)),
        )
        .filter(prisoner::Column::Id.eq(pr.id))
        .exec(&txn)
        .await?;
    let mut taken_down = 0;
    if !consent {
        let his = release_campaign::Entity::find()
            .filter(release_campaign::Column::PrisonerId.eq(pr.id))
            .filter(release_campaign::Column::WithdrawnAt.is_null())
            .filter(
                release_campaign::Column::Status
                    .is_not_in([CampaignStatus::Withdrawn, CampaignStatus::Closed]),
            )
            .all(&txn)
            .await?;
        for x in his {
            let hide = release_campaign::Entity::update_many()
                .col_expr(release_campaign::Column::WithdrawnAt, Expr::value(now))
                .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
                .filter(release_campaign::Column::Id.eq(x.id));
            // Written before the balance is read: a gift settling now locks the same row first.
            let not_funded = hide
                .clone()
                .col_expr(
                    release_campaign::Column::Status,
                    Expr::value(CampaignStatus::Withdrawn),
                )
                .filter(release_campaign::Column::Status.is_in([
                    CampaignStatus::Draft,
                    CampaignStatus::Verified,
                    CampaignStatus::Published,
                ]))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if not_funded {
                move_balance(
                    &txn,
                    &Account::Campaign(x.id),
                    &Account::Release,
                    "consent withdrawn: moved to the release fund by the published rule",
                    who.user_id,
                )
                .await?;
            } else {
                hide.exec(&txn).await?;
            }
            taken_down += 1;
        }
    }
    audit::record(
        &txn,
        entry(
            who,
            if consent {
                "prisoner.consent_recorded"
            } else {
                "prisoner.consent_withdrawn"
            },
            &c.public_code,
            serde_json::json!({ "prisoner": pr.public_code, "campaigns_taken_down": taken_down }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(taken_down)
}

/// A creditor forgave more after the campaign was drafted or published (a signed letter, a
/// court minute: `evidence` names it). The public campaign shows the larger match at once and
/// asks donors only for the rest; if what was raised now covers the rest, the campaign is funded
/// and what it holds beyond that goes to the pooled release fund (the published rule).
pub async fn record_forgiveness(
    state: &AppState,
    who: &Authed,
    code: &str,
    forgiveness: &str,
    evidence: &str,
) -> Result<(), AppError> {
    let (c, _pr) = campaign_in_scope(state, who, Permission::DraftCampaign, code).await?;
    if !c.status.takes_forgiveness() || c.withdrawn_at.is_some() {
        return Err(invalid("status", "staff.bad_transition"));
    }
    let forgiven = tomans("forgiveness", forgiveness, false)?;
    if forgiven <= c.forgiveness_rials {
        return Err(invalid("forgiveness", "staff.forgiveness_not_more"));
    }
    if forgiven >= c.total_owed_rials {
        return Err(invalid("forgiveness", "staff.forgiveness_too_large"));
    }
    let evidence = normalize_persian(evidence);
    if !(3..=120).contains(&evidence.chars().count()) {
        return Err(invalid("evidence", "staff.evidence_invalid"));
    }
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    // Conditional on what was read: two people recording at once record once.
    let res = release_campaign::Entity::update_many()
        .col_expr(
            release_campaign::Column::ForgivenessRials,
            Expr::value(forgiven),
        )
        .col_expr(release_campaign::Column::UpdatedAt, Expr::value(now))
        .filter(release_campaign::Column::Id.eq(c.id))
        .filter(release_campaign::Column::Status.eq(c.status))
        .filter(release_campaign::Column::ForgivenessRials.eq(c.forgiveness_rials))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid("status", "staff.bad_transition"));
    }
    let mut funded = false;
    let mut to_release_fund = 0;
    if c.status == CampaignStatus::Published {
        let acct = ledger::account_id(&txn, &Account::Campaign(c.id)).await?;
        let held = ledger::fund_balance(&txn, acct).await?;
        let to_raise = c.total_owed_rials - forgiven;
        if held >= to_raise {
            funded = true;
            to_release_fund = held - to_raise;
            reallocate(
                &txn,
                acct,
                &Account::Release,
                to_release_fund,
                "creditor forgave more: the surplus to the release fund by the published rule",
                who.user_id,
            )
            .await?;
            advance(
                &txn,
                c.id,
                CampaignStatus::Published,
                CampaignStatus::Funded,
                vec![(release_campaign::Column::FundedAt, Expr::value(now))],
            )
            .await?;
        }
    }
    audit::record(
        &txn,
        entry(
            who,
            "release_campaign.forgiveness",
            &c.public_code,
            serde_json::json!({
                "from_rials": c.forgiveness_rials, "to_rials": forgiven, "evidence": evidence,
                "funded": funded, "to_release_fund_rials": to_release_fund,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
