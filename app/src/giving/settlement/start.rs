//! Starting a gift: a pending donation under the form's idempotency key, and the gateway's page.

use super::*;

/// What the bank's payment page shows the payer: in Persian, as every Iranian gateway's page is.
pub(super) fn description(kind: &str) -> &'static str {
    match kind {
        "need" => "کرامت: کمک به نیاز یک خانواده",
        "campaign" => "کرامت: کمک به پویش آزادی",
        "family" => "کرامت: کفالت یک خانواده",
        _ => "کرامت: کمک به صندوق حمایت",
    }
}

/// Records the gift as pending and returns where to send the giver (the gateway's page).
pub async fn start(
    state: &AppState,
    gift: &ValidGift,
    donor_user_id: Option<i64>,
    origin: &str,
) -> Result<String, AppError> {
    // The same form submitted again: the same gift.
    if let Some(existing) = by_attempt(&state.db, &gift.attempt).await? {
        return Ok(resume_url(state, &existing));
    }
    let target = open_target(&state.db, gift.target_kind, gift.target_code.as_deref()).await?;
    let target = by_intention(&state.db, gift, target).await?;
    let gateway = state.gateways.active();
    let family_id = match &target {
        Target::Family(f) => Some(f.id),
        _ => None,
    };
    let pledge_id = match (gift.pledge_id, gift.monthly) {
        (Some(id), _) => Some(id),
        (None, true) => {
            Some(crate::giving::pledges::create(state, gift, donor_user_id, family_id).await?)
        }
        (None, false) => None,
    };
    let pending = Pending {
        gift,
        target: &target,
        gateway: gateway.name(),
        donor_user_id,
        pledge_id,
    };
    let (donation_id, code) = match record_pending(state, &pending).await? {
        Recorded::New { id, code } => (id, code),
        Recorded::AlreadyThere(url) => return Ok(url),
    };
    ask_gateway(state, gateway.as_ref(), gift, donation_id, &code, origin).await
}

/// The gift's intention checked against its rule in force today, before anything is written.
/// An intention restricted to some kinds of need, given "where most urgent", goes to the fund of
/// its rule's first kind: the general fund's money may reach any need.
async fn by_intention(
    db: &DatabaseConnection,
    gift: &ValidGift,
    target: Target,
) -> Result<Target, AppError> {
    use crate::giving::intention::rules;
    let Some(intention) = gift.intention else {
        return Ok(target);
    };
    let today = rules::today();
    let rule = rules::rule_in_force(db, intention, today).await?;
    if !rule.open_on(today) {
        return Err(AppError::invalid(
            "intention",
            "give.intention_out_of_season",
        ));
    }
    let (kind, category) = match &target {
        Target::Need(n) => ("need", Some(n.category.as_str())),
        Target::Campaign(_) => ("campaign", None),
        Target::Category(c) => ("category_fund", Some(*c)),
        Target::Urgent => ("urgent", None),
        Target::Family(f) => ("family", f.sponsor_kind.as_deref()),
    };
    if !rule.reaches(kind, category) {
        tracing::info!(%intention, kind, ?category, "gift refused: its intention's rule does not reach this target");
        return Err(AppError::invalid("intention", "give.intention_not_here"));
    }
    Ok(match (target, rule.urgent_fund()) {
        (Target::Urgent, Some(c)) => Target::Category(
            CATEGORIES
                .iter()
                .find(|k| **k == c)
                .copied()
                .ok_or_else(|| AppError::internal("intention rule", format!("unknown kind {c}")))?,
        ),
        (t, _) => t,
    })
}

async fn by_attempt(
    db: &DatabaseConnection,
    attempt: &str,
) -> Result<Option<donation::Model>, AppError> {
    Ok(donation::Entity::find()
        .filter(donation::Column::IdempotencyKey.eq(attempt))
        .one(db)
        .await?)
}

/// Where a gift already recorded for this form goes on: the sandbox bank's page while it is
/// pending there (a real gateway's page cannot be reopened), else its receipt.
fn resume_url(state: &AppState, existing: &donation::Model) -> String {
    let receipt = || signed_receipt_url(state, &existing.tracking_code);
    match (existing.status, &existing.gateway_authority) {
        (DonationStatus::Pending, Some(authority)) => state
            .gateways
            .get(&existing.gateway)
            .filter(|g| g.name() == crate::payments::sandbox::NAME)
            .map(|_| format!("{}{authority}", crate::payments::sandbox::PAGE_PREFIX))
            .unwrap_or_else(receipt),
        _ => receipt(),
    }
}

/// The sealing context of a nazr's purpose (staff open it on the case pages).
pub const NAZR_PURPOSE: &str = "donations.nazr_purpose";

/// A gift about to be recorded as pending.
struct Pending<'a> {
    gift: &'a ValidGift,
    target: &'a Target,
    gateway: &'static str,
    donor_user_id: Option<i64>,
    pledge_id: Option<i64>,
}

enum Recorded {
    New {
        id: i64,
        code: String,
    },
    /// A concurrent double submit of the same form won the idempotency key: its receipt.
    AlreadyThere(String),
}

impl Pending<'_> {
    fn row(&self, sealer: &crate::privacy::Sealer, code: &str) -> donation::ActiveModel {
        let gift = self.gift;
        // The kind as recorded: an intention may have turned "where most urgent" into a fund.
        let (kind, need_id, campaign_id, category) = match self.target {
            Target::Need(n) => ("need", Some(n.id), None, Some(n.category.clone())),
            Target::Campaign(c) => ("campaign", None, Some(c.id), None),
            Target::Category(c) => ("category_fund", None, None, Some(c.to_string())),
            Target::Urgent => ("urgent", None, None, None),
            Target::Family(f) => ("family", None, None, f.sponsor_kind.clone()),
        };
        let family_id = match self.target {
            Target::Family(f) => Some(f.id),
            _ => None,
        };
        donation::ActiveModel {
            tracking_code: Set(code.to_string()),
            target_kind: Set(kind.into()),
            need_id: Set(need_id),
            campaign_id: Set(campaign_id),
            category: Set(category),
            amount_rials: Set(gift.amount_rials),
            overflow_rials: Set(0),
            anonymous: Set(gift.display_name.is_none()),
            display_name: Set(gift.display_name.clone()),
            dedication_kind: Set(gift.dedication.as_ref().map(|d| d.0.to_string())),
            dedication_text: Set(gift.dedication.as_ref().map(|d| d.1.clone())),
            contact_enc: Set(gift
                .contact
                .as_ref()
                .map(|c| sealer.seal("donations.contact", c.value()))),
            contact_hint: Set(gift.contact.as_ref().map(Contact::hint)),
            key_id: Set(sealer.key_id().to_string()),
            donor_user_id: Set(self.donor_user_id),
            pledge_id: Set(self.pledge_id),
            status: Set(DonationStatus::Pending),
            gateway: Set(self.gateway.into()),
            gateway_authority: Set(None),
            gateway_ref: Set(None),
            idempotency_key: Set(gift.attempt.clone()),
            created_at: Set(Utc::now()),
            settled_at: Set(None),
            intention: Set(gift.intention),
            nazr_purpose_enc: Set(gift
                .nazr_purpose
                .as_ref()
                .map(|p| sealer.seal(NAZR_PURPOSE, p))),
            family_id: Set(family_id),
            ..Default::default()
        }
    }
}

/// Inserts the pending donation under a fresh tracking code (a few tries, should one collide).
async fn record_pending(state: &AppState, p: &Pending<'_>) -> Result<Recorded, AppError> {
    for _ in 0..4 {
        let code = tracking_code();
        match donation::Entity::insert(p.row(&state.sealer, &code))
            .exec(&state.db)
            .await
        {
            Ok(r) => {
                return Ok(Recorded::New {
                    id: r.last_insert_id,
                    code,
                })
            }
            Err(e) => {
                if let Some(existing) = by_attempt(&state.db, &p.gift.attempt).await? {
                    return Ok(Recorded::AlreadyThere(signed_receipt_url(
                        state,
                        &existing.tracking_code,
                    )));
                }
                tracing::warn!(error = %e, "donation insert failed; retrying with a new tracking code");
            }
        }
    }
    Err(AppError::internal("donation", "no free tracking code"))
}

/// Asks the gateway for an authority, stores it on the donation, and returns the gateway's page.
async fn ask_gateway(
    state: &AppState,
    gateway: &dyn crate::payments::PaymentGateway,
    gift: &ValidGift,
    donation_id: i64,
    code: &str,
    origin: &str,
) -> Result<String, AppError> {
    let db = &state.db;
    let req = PaymentRequest {
        amount_rials: gift.amount_rials,
        callback_url: format!("{origin}/give/callback/{}", gateway.name()),
        description: description(gift.target_kind).into(),
        mobile: match &gift.contact {
            Some(Contact::Mobile(m)) => Some(m.clone()),
            _ => None,
        },
        email: match &gift.contact {
            Some(Contact::Email(e)) => Some(e.clone()),
            _ => None,
        },
    };
    match gateway.request(&req).await {
        Ok(started) => {
            donation::Entity::update_many()
                .col_expr(
                    donation::Column::GatewayAuthority,
                    Expr::value(started.authority.clone()),
                )
                .filter(donation::Column::Id.eq(donation_id))
                .exec(db)
                .await?;
            tracing::info!(tracking = %code, gateway = gateway.name(), amount = gift.amount_rials, "gift started");
            crate::platform::metrics::gift("started");
            Ok(started.redirect_url)
        }
        Err(e) => {
            tracing::error!(tracking = %code, gateway = gateway.name(), error = %e, "payment request failed");
            crate::platform::metrics::gift("gateway_refused");
            mark(
                db,
                donation_id,
                &[DonationStatus::Pending],
                DonationStatus::Failed,
            )
            .await?;
            Err(AppError::invalid("gateway", "give.gateway_unavailable"))
        }
    }
}

/// Moves a gift from one of the states `from` to `status` (conditional: one caller wins).
pub(super) async fn mark(
    db: &impl ConnectionTrait,
    donation_id: i64,
    from: &[DonationStatus],
    status: DonationStatus,
) -> Result<bool, AppError> {
    let r = donation::Entity::update_many()
        .col_expr(donation::Column::Status, Expr::value(status))
        .filter(donation::Column::Id.eq(donation_id))
        .filter(donation::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}
