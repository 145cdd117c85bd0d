use std::collections::HashMap;
use std::sync::Arc;

/// What we ask a gateway for.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub amount_rials: i64,
    /// Absolute URL the gateway sends the payer back to.
    pub callback_url: String,
    /// Shown on the gateway's page: never personal data.
    pub description: String,
    /// Passed to the gateway only where its protocol takes it (ZarinPal metadata).
    pub mobile: Option<String>,
    pub email: Option<String>,
}

/// The gateway accepted the request: send the payer to `redirect_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub authority: String,
    pub redirect_url: String,
}

/// The gateway's answer to "was this authority paid, for this amount?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Paid and verified now (ZarinPal code 100). `fee_rials`: what the gateway keeps of the
    /// amount (0 when the payer paid the fee on top).
    Paid { ref_id: String, fee_rials: i64 },
    /// Paid and already verified before (ZarinPal code 101): the same payment, not a new one.
    AlreadyVerified { ref_id: String, fee_rials: i64 },
    /// The gateway says the amount is not the one the payer paid (ZarinPal -50).
    AmountMismatch { detail: String },
    /// Not paid: failed, cancelled or unknown (ZarinPal -51, -54, …).
    NotPaid { code: i64, detail: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Timeout, connection refused, a 5xx, an answer we cannot read: try again later.
    #[error("gateway unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the request itself (bad merchant, amount too small, …).
    #[error("gateway refused ({code}): {message}")]
    Refused { code: i64, message: String },
}

#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    /// The stable name stored on donations and in ledger account codes.
    fn name(&self) -> &'static str;
    /// A test bank: receipts and pages say so.
    fn is_test(&self) -> bool;
    async fn request(&self, req: &PaymentRequest) -> Result<Started, GatewayError>;
    async fn verify(
        &self,
        authority: &str,
        amount_rials: i64,
    ) -> Result<Verification, GatewayError>;
}

/// The gateways this instance can use, and which one new gifts go through.
#[derive(Clone)]
pub struct Gateways {
    active: &'static str,
    all: HashMap<&'static str, Arc<dyn PaymentGateway>>,
}

impl Gateways {
    pub fn new(active: Arc<dyn PaymentGateway>) -> Gateways {
        let name = active.name();
        let mut all = HashMap::new();
        all.insert(name, active);
        Gateways { active: name, all }
    }

    /// Adds a gateway that can still verify and settle payments started earlier.
    pub fn with(mut self, g: Arc<dyn PaymentGateway>) -> Gateways {
        self.all.entry(g.name()).or_insert(g);
        self
    }

    pub fn active(&self) -> Arc<dyn PaymentGateway> {
        self.all[self.active].clone()
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn PaymentGateway>> {
        self.all.get(name).cloned()
    }

    /// From the environment: `KARAMAT_GATEWAY=sandbox|zarinpal` (sandbox by default),
    /// `ZARINPAL_MERCHANT_ID`, `ZARINPAL_BASE_URL`. The sandbox is always available to verify
    /// payments it started.
    pub fn from_env(db: sea_orm::DatabaseConnection) -> Result<Gateways, String> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let sandbox: Arc<dyn PaymentGateway> = Arc::new(super::sandbox::SandboxBank::new(db));
        match get("KARAMAT_GATEWAY").as_deref().unwrap_or("sandbox") {
            "sandbox" => Ok(Gateways::new(sandbox)),
            "zarinpal" => {
                let merchant = get("ZARINPAL_MERCHANT_ID")
                    .ok_or("KARAMAT_GATEWAY=zarinpal needs ZARINPAL_MERCHANT_ID")?;
                let base = get("ZARINPAL_BASE_URL")
                    .unwrap_or_else(|| super::zarinpal::PRODUCTION_BASE_URL.into());
                let z = super::zarinpal::ZarinPal::new(&base, &merchant)
                    .map_err(|e| format!("ZarinPal client: {e}"))?;
                Ok(Gateways::new(Arc::new(z)).with(sandbox))
            }
            other => Err(format!(
                "unknown KARAMAT_GATEWAY {other:?} (sandbox or zarinpal)"
            )),
        }
    }
}
