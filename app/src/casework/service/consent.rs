//! Consent: recorded, versioned, and withdrawn, which takes the family's cards down.

use super::*;

/// Records (true) or withdraws (false) a family's consent to publish. Withdrawal takes every card
/// of the family out of public view in the same transaction: a card still raising goes to
/// `withdrawn` and what it had raised to its category's fund (the published rule), so nothing is
/// lost; a card already funded keeps its status and is only hidden (`withdrawn_at`), because what
/// donors gave must still be bought and delivered for the family. Cards taken down stay down if
/// consent is given again (staff publish new ones). Its sponsorships end too (each sponsor is
/// told) and it leaves the sponsors' chooser. Returns the number of cards taken down.
pub async fn record_consent(
    state: &AppState,
    who: &Authed,
    code: &str,
    publish: bool,
) -> Result<u64, AppError> {
    let f = family_in_scope(state, who, Permission::RecordConsent, code).await?;
    let now = Utc::now();
    let txn = audit::begin(&state.db).await?;
    let mut am: family::ActiveModel = f.clone().into();
    am.consent_publish = Set(publish);
    if publish {
        am.consent_recorded_at = Set(Some(now));
        am.consent_withdrawn_at = Set(None);
    } else {
        am.consent_withdrawn_at = Set(Some(now));
    }
    am.updated_at = Set(now);
    am.update(&txn).await?;
    let mut taken_down = 0;
    if !publish {
        let public = need::Entity::find()
            .filter(need::Column::FamilyId.eq(f.id))
            .filter(crate::giving::service::card_is_up())
            .all(&txn)
            .await?;
        for n in public {
            // The row is written before its balance is read: a gift settling at the same moment
            // locks the same row first, so either it lands before and is moved, or it finds the
            // card withdrawn and goes to the overflow fund.
            let hide = need::Entity::update_many()
                .col_expr(need::Column::WithdrawnAt, Expr::value(now))
                .col_expr(need::Column::UpdatedAt, Expr::value(now))
                .filter(need::Column::Id.eq(n.id));
            let still_raising = hide
                .clone()
                .col_expr(need::Column::Status, Expr::value(NeedStatus::Withdrawn))
                .filter(need::Column::Status.eq(NeedStatus::Published))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if still_raising {
                move_balance(
                    &txn,
                    &Account::Need(n.id),
                    &Account::Category(n.category.clone()),
                    "consent withdrawn: moved to the category fund by the published rule",
                    who.user_id,
                )
                .await?;
            } else {
                // Funded (perhaps a moment ago): hidden, and still bought for the family.
                hide.exec(&txn).await?;
            }
            taken_down += 1;
        }
    }
    // Its sponsors are told and their sponsorships end; the family leaves the chooser.
    let sponsorships_ended = if publish {
        0
    } else {
        crate::giving::sponsorship_service::end_family(state, &txn, f.id, SponsorshipEnd::Consent)
            .await?
    };
    audit::record(
        &txn,
        audit_entry(
            who,
            if publish {
                "consent.recorded"
            } else {
                "consent.withdrawn"
            },
            "family",
            &f.public_code,
            serde_json::json!({ "cards_taken_down": taken_down, "sponsorships_ended": sponsorships_ended }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(taken_down)
}

/// Moves `amount` from one fund to another by a published rule, one `reallocation` group
/// (nothing when the amount is 0).
pub(in crate::casework) async fn reallocate(
    txn: &DatabaseTransaction,
    from: i64,
    to: &Account,
    amount: i64,
    memo: &str,
    by: i64,
) -> Result<(), AppError> {
    if amount <= 0 {
        return Ok(());
    }
    let to = ledger::account_id(txn, to).await?;
    ledger::post(
        txn,
        Posting {
            kind: "reallocation",
            memo,
            donation_id: None,
            created_by: Some(by),
        },
        &[debit(from, amount), credit(to, amount)],
    )
    .await?;
    Ok(())
}

/// Moves all a fund holds to another (a card taken down: its money goes where the rule says).
pub(in crate::casework) async fn move_balance(
    txn: &DatabaseTransaction,
    from: &Account,
    to: &Account,
    memo: &str,
    by: i64,
) -> Result<(), AppError> {
    let from = ledger::account_id(txn, from).await?;
    let held = ledger::fund_balance(txn, from).await?;
    reallocate(txn, from, to, held, memo, by).await
}
