//! Receipts: by code and token, a signed-in donor's history, and finding a receipt again by
//! the contact it was sent to.

use super::*;

pub async fn receipt(state: &AppState, code: &str, token: &str) -> Result<Receipt, AppError> {
    let code = crate::validation::latin_digits(code.trim());
    if code.len() > 20 || !crate::platform::tokens_match(&receipt_token(state, &code), token.trim())
    {
        return Err(AppError::NotFound);
    }
    let d = donation::Entity::find()
        .filter(donation::Column::TrackingCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    receipt_of(state, d).await
}

/// The receipt of a donation already in hand (its holder's view: no personal data of anyone else).
pub(super) async fn receipt_of(state: &AppState, d: donation::Model) -> Result<Receipt, AppError> {
    let db = &state.db;
    let (target_code, target_title, target_status) = target_of(db, &d).await?;
    let pledge = match d.pledge_id {
        Some(pid) => crate::platform::entity::pledge::Entity::find_by_id(pid)
            .one(db)
            .await?
            .map(|p| (p.public_code, p.status)),
        None => None,
    };
    // Impact updates reach only the people who funded the need or campaign: the receipt is the
    // donor's key to them (its URL carries the token).
    let updates = if d.status == DonationStatus::Settled && target_code.is_some() {
        use crate::platform::entity::impact_update;
        use sea_orm::QueryOrder;
        let q = impact_update::Entity::find();
        let q = match (d.need_id, d.campaign_id) {
            (Some(n), _) => q.filter(impact_update::Column::NeedId.eq(n)),
            (_, Some(c)) => q.filter(impact_update::Column::CampaignId.eq(c)),
            _ => q.filter(impact_update::Column::Id.eq(-1)),
        };
        q.order_by_asc(impact_update::Column::CreatedAt)
            .limit(20)
            .all(db)
            .await?
            .into_iter()
            .map(|u| crate::giving::ImpactNote {
                kind: u.kind,
                body: u.body_public,
                at: u.created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    let overflow_fund = (d.overflow_rials > 0).then(|| {
        if d.campaign_id.is_some() {
            "release".to_string()
        } else {
            d.category.clone().unwrap_or_default()
        }
    });
    let matched = match d.match_offer_id.filter(|_| d.matched_rials > 0) {
        Some(id) => crate::platform::entity::match_offer::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|o| (o.sponsor_name, d.matched_rials)),
        None => None,
    };
    Ok(Receipt {
        token: receipt_token(state, &d.tracking_code),
        tracking_code: d.tracking_code,
        status: d.status,
        amount_rials: d.amount_rials,
        overflow_rials: d.overflow_rials,
        overflow_fund,
        target_kind: d.target_kind,
        target_code,
        target_title,
        category: d.category,
        target_status,
        display_name: d.display_name,
        dedication_kind: d.dedication_kind,
        dedication_text: d.dedication_text,
        contact_hint: d.contact_hint,
        test_bank: state
            .gateways
            .get(&d.gateway)
            .map(|g| g.is_test())
            .unwrap_or(d.gateway == crate::payments::sandbox::NAME),
        gateway: d.gateway,
        gateway_ref: d.gateway_ref,
        created_at: d.created_at,
        settled_at: d.settled_at,
        monthly: d.pledge_id.is_some(),
        pledge: pledge.as_ref().map(|(code, _)| {
            (
                code.clone(),
                crate::giving::pledges::cancel_token(state, code),
            )
        }),
        pledge_active: pledge
            .as_ref()
            .is_some_and(|(_, status)| *status == PledgeStatus::Active),
        updates,
        intention: d.intention,
        matched,
    })
}

/// A donor's gifts (signed in when giving), newest first.
pub async fn history(state: &AppState, user_id: i64) -> Result<Vec<GiftLine>, AppError> {
    use sea_orm::QueryOrder;
    let rows = donation::Entity::find()
        .filter(donation::Column::DonorUserId.eq(user_id))
        .filter(donation::Column::Status.is_in([
            DonationStatus::Settled,
            DonationStatus::Pending,
            DonationStatus::Flagged,
        ]))
        .order_by_desc(donation::Column::CreatedAt)
        .limit(100)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let r = receipt_of(state, d.clone()).await?;
        out.push(GiftLine {
            receipt_url: receipt_url(&d.tracking_code, &r.token),
            tracking_code: d.tracking_code,
            amount_rials: d.amount_rials,
            status: d.status,
            target_kind: d.target_kind,
            target_title: r.target_title,
            target_status: r.target_status,
            created_at: d.created_at,
        });
    }
    Ok(out)
}

/// Tracking code + (last 4+ digits of the phone | the e-mail) → the receipt's URL.
pub async fn find_receipt(state: &AppState, code: &str, contact: &str) -> Result<String, AppError> {
    let code = crate::validation::latin_digits(code.trim());
    let contact = contact.trim();
    if code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("code", "receipt.bad_code"));
    }
    if contact.is_empty() || contact.len() > 254 {
        return Err(AppError::invalid("contact", "receipt.bad_contact"));
    }
    crate::auth::ssr::limit(
        &state.db,
        &format!("receipt:{code}"),
        crate::auth::ssr::RECEIPT_LOOKUPS,
    )
    .await?;
    let not_found = || AppError::invalid("code", "receipt.not_found");
    let d = donation::Entity::find()
        .filter(donation::Column::TrackingCode.eq(&code))
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    let sealed = d.contact_enc.as_ref().ok_or_else(not_found)?;
    let stored = state
        .sealer
        .open("donations.contact", sealed)
        .map_err(|e| AppError::internal("open contact", e))?;
    let given = crate::validation::latin_digits(contact);
    let ok = if stored.contains('@') {
        crate::platform::tokens_match(&stored, &given.to_lowercase())
    } else {
        let digits: String = given.chars().filter(char::is_ascii_digit).collect();
        digits.len() >= 4 && digits.len() == given.trim().len() && stored.ends_with(&digits)
    };
    if !ok {
        return Err(not_found());
    }
    Ok(signed_receipt_url(state, &d.tracking_code))
}

/// What a receipt says its gift was for: the public code, title and status of the need or
/// campaign (read through the public condition), the sponsored family's code while it consents,
/// or the fund's kind.
async fn target_of(
    db: &DatabaseConnection,
    d: &donation::Model,
) -> Result<(Option<String>, String, Option<String>), AppError> {
    Ok(if let Some(id) = d.need_id {
        // Read through the public condition: a card whose family withdrew consent (or never gave
        // it) names nothing on a receipt either.
        let n = need::Entity::find_by_id(id)
            .filter(crate::giving::service::visible_need())
            .one(db)
            .await?;
        match n {
            Some(n) => (
                Some(n.public_code),
                n.public_title,
                Some(n.status.to_string()),
            ),
            _ => (None, String::new(), None),
        }
    } else if let Some(id) = d.campaign_id {
        match release_campaign::Entity::find_by_id(id)
            .filter(crate::giving::campaign_service::visible_campaign())
            .one(db)
            .await?
        {
            Some(c) => (
                Some(c.public_code),
                c.public_title,
                Some(c.status.to_string()),
            ),
            _ => (None, String::new(), None),
        }
    } else if let Some(id) = d.family_id {
        // A sponsor's month names the family by its public code while it consents.
        let f = crate::platform::entity::family::Entity::find_by_id(id)
            .filter(crate::platform::entity::family::Column::ConsentPublish.eq(true))
            .one(db)
            .await?;
        (f.map(|f| f.public_code), String::new(), None)
    } else {
        (d.category.clone(), String::new(), None)
    })
}
