//! The built-in sandbox bank: a test bank with a card page that can succeed, fail or be cancelled,
//! and that calls back exactly like ZarinPal does. It keeps its own book in `sandbox_payments`.

use super::*;
use crate::platform::entity::sandbox_payment;
use crate::platform::entity::status::*;
use chrono::Utc;
use rand::Rng;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

pub const NAME: &str = "sandbox";
pub const PAGE_PREFIX: &str = "/sandbox-bank/";

pub struct SandboxBank {
    db: DatabaseConnection,
}

impl SandboxBank {
    pub fn new(db: DatabaseConnection) -> SandboxBank {
        SandboxBank { db }
    }
}

fn random_digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn unavailable(e: impl std::fmt::Display) -> GatewayError {
    GatewayError::Unavailable(e.to_string())
}

#[async_trait::async_trait]
impl PaymentGateway for SandboxBank {
    fn name(&self) -> &'static str {
        NAME
    }

    fn is_test(&self) -> bool {
        true
    }

    async fn request(&self, req: &PaymentRequest) -> Result<Started, GatewayError> {
        if req.amount_rials < 10_000 {
            return Err(GatewayError::Refused {
                code: -9,
                message: "amount below the minimum".into(),
            });
        }
        let authority = format!("SBX{}", random_digits(24));
        sandbox_payment::Entity::insert(sandbox_payment::ActiveModel {
            authority: Set(authority.clone()),
            amount_rials: Set(req.amount_rials),
            callback_url: Set(req.callback_url.clone()),
            description: Set(req.description.chars().take(200).collect()),
            status: Set(SandboxPaymentStatus::Pending),
            ref_id: Set(None),
            verify_count: Set(0),
            created_at: Set(Utc::now()),
            decided_at: Set(None),
            ..Default::default()
        })
        .exec(&self.db)
        .await
        .map_err(unavailable)?;
        Ok(Started {
            redirect_url: format!("{PAGE_PREFIX}{authority}"),
            authority,
        })
    }

    async fn verify(
        &self,
        authority: &str,
        amount_rials: i64,
    ) -> Result<Verification, GatewayError> {
        let Some(p) = find(&self.db, authority).await.map_err(unavailable)? else {
            return Ok(Verification::NotPaid {
                code: -54,
                detail: "unknown authority".into(),
            });
        };
        if p.status != SandboxPaymentStatus::Paid {
            return Ok(Verification::NotPaid {
                code: -51,
                detail: format!("payment {}", p.status),
            });
        }
        if p.amount_rials != amount_rials {
            return Ok(Verification::AmountMismatch {
                detail: format!(
                    "paid {} rials, asked to verify {amount_rials}",
                    p.amount_rials
                ),
            });
        }
        let ref_id = p.ref_id.clone().unwrap_or_default();
        sandbox_payment::Entity::update_many()
            .col_expr(
                sandbox_payment::Column::VerifyCount,
                Expr::col(sandbox_payment::Column::VerifyCount).add(1),
            )
            .filter(sandbox_payment::Column::Id.eq(p.id))
            .exec(&self.db)
            .await
            .map_err(unavailable)?;
        Ok(if p.verify_count == 0 {
            Verification::Paid {
                ref_id,
                fee_rials: 0,
            }
        } else {
            Verification::AlreadyVerified {
                ref_id,
                fee_rials: 0,
            }
        })
    }
}

pub async fn find(
    db: &DatabaseConnection,
    authority: &str,
) -> Result<Option<sandbox_payment::Model>, sea_orm::DbErr> {
    if authority.len() > 64 {
        return Ok(None);
    }
    sandbox_payment::Entity::find()
        .filter(sandbox_payment::Column::Authority.eq(authority))
        .one(db)
        .await
}

/// The payer's decision on the card page. Decides once; a repeated decision changes nothing and
/// sends the payer back to the same callback. Returns where to send the browser.
pub async fn decide(
    db: &DatabaseConnection,
    authority: &str,
    decision: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    let status = match decision {
        "pay" => SandboxPaymentStatus::Paid,
        "fail" => SandboxPaymentStatus::Failed,
        _ => SandboxPaymentStatus::Cancelled,
    };
    let Some(p) = find(db, authority).await? else {
        return Ok(None);
    };
    if p.status == SandboxPaymentStatus::Pending {
        sandbox_payment::Entity::update_many()
            .col_expr(sandbox_payment::Column::Status, Expr::value(status))
            .col_expr(
                sandbox_payment::Column::RefId,
                Expr::value((status == SandboxPaymentStatus::Paid).then(|| random_digits(12))),
            )
            .col_expr(sandbox_payment::Column::DecidedAt, Expr::value(Utc::now()))
            .filter(sandbox_payment::Column::Id.eq(p.id))
            .filter(sandbox_payment::Column::Status.eq(SandboxPaymentStatus::Pending))
            .exec(db)
            .await?;
    }
    let p = find(db, authority).await?.unwrap_or(p);
    Ok(Some(callback_url(
        &p.callback_url,
        &p.authority,
        p.status == SandboxPaymentStatus::Paid,
    )))
}

/// The callback URL with ZarinPal's two query parameters.
pub fn callback_url(base: &str, authority: &str, ok: bool) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{sep}Authority={authority}&Status={}",
        if ok { "OK" } else { "NOK" }
    )
}
