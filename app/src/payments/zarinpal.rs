//! ZarinPal payment gateway, protocol v4:
//! `POST {base}/pg/v4/payment/request.json` → `data.authority` (code 100) →
//! the payer goes to `{base}/pg/StartPay/{authority}` → ZarinPal sends the browser back to the
//! callback with `Authority` and `Status=OK|NOK` →
//! `POST {base}/pg/v4/payment/verify.json` → code 100 (verified now) or 101 (verified before).
//! Amounts are rials (ZarinPal's default currency, IRR).
//!
//! On an error ZarinPal answers `{"data": [], "errors": {"code": -51, "message": "…"}}`, so both
//! fields are read leniently.

use super::*;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

pub const NAME: &str = "zarinpal";
pub const PRODUCTION_BASE_URL: &str = "https://payment.zarinpal.com";
pub const SANDBOX_BASE_URL: &str = "https://sandbox.zarinpal.com";

pub struct ZarinPal {
    base: String,
    merchant_id: String,
    http: reqwest::Client,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Value,
    #[serde(default)]
    errors: Value,
}

/// What ZarinPal keeps of the amount: its `fee` when the merchant bears it (`fee_type` Merchant,
/// ZarinPal's default), nothing when the payer paid it on top. A fee that is not a number
/// between 0 and the amount is not believed (logged, counted as 0: the gift itself is verified).
fn merchant_fee(data: &Value, amount_rials: i64) -> i64 {
    if data.get("fee_type").and_then(Value::as_str) == Some("Payer") {
        return 0;
    }
    let fee = match data.get("fee") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(Value::String(s)) => s.trim().parse::<i64>().unwrap_or(-1),
        Some(_) => -1,
    };
    if (0..=amount_rials).contains(&fee) {
        fee
    } else {
        tracing::warn!(fee = %data.get("fee").cloned().unwrap_or_default(), amount_rials, "ZarinPal fee not believed");
        0
    }
}

impl Envelope {
    fn code(&self) -> Option<i64> {
        self.data
            .get("code")
            .and_then(Value::as_i64)
            .or_else(|| self.errors.get("code").and_then(Value::as_i64))
    }
    fn message(&self) -> String {
        self.errors
            .get("message")
            .or_else(|| self.data.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
}

impl ZarinPal {
    pub fn new(base_url: &str, merchant_id: &str) -> Result<ZarinPal, reqwest::Error> {
        ZarinPal::with_timeout(base_url, merchant_id, Duration::from_secs(15))
    }

    pub fn with_timeout(
        base_url: &str,
        merchant_id: &str,
        timeout: Duration,
    ) -> Result<ZarinPal, reqwest::Error> {
        Ok(ZarinPal {
            base: base_url.trim_end_matches('/').to_string(),
            merchant_id: merchant_id.to_string(),
            http: reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(5))
                .build()?,
        })
    }

    async fn call(&self, path: &str, body: Value) -> Result<Envelope, GatewayError> {
        let url = format!("{}{path}", self.base);
        let res = self
            .http
            .post(&url)
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(format!("{path}: {e}")))?;
        let status = res.status();
        if status.is_server_error() {
            return Err(GatewayError::Unavailable(format!("{path}: HTTP {status}")));
        }
        // ZarinPal answers 4xx with the same JSON envelope for refused requests.
        res.json::<Envelope>().await.map_err(|e| {
            GatewayError::Unavailable(format!("{path}: unreadable answer ({status}): {e}"))
        })
    }
}

#[async_trait::async_trait]
impl PaymentGateway for ZarinPal {
    fn name(&self) -> &'static str {
        NAME
    }

    fn is_test(&self) -> bool {
        self.base.contains("sandbox")
    }

    async fn request(&self, req: &PaymentRequest) -> Result<Started, GatewayError> {
        let mut metadata = serde_json::Map::new();
        if let Some(m) = &req.mobile {
            metadata.insert("mobile".into(), json!(m));
        }
        if let Some(e) = &req.email {
            metadata.insert("email".into(), json!(e));
        }
        let env = self
            .call(
                "/pg/v4/payment/request.json",
                json!({
                    "merchant_id": self.merchant_id,
                    "amount": req.amount_rials,
                    "currency": "IRR",
                    "callback_url": req.callback_url,
                    "description": req.description,
                    "metadata": metadata,
                }),
            )
            .await?;
        match (
            env.code(),
            env.data.get("authority").and_then(Value::as_str),
        ) {
            (Some(100), Some(authority)) if !authority.is_empty() => Ok(Started {
                authority: authority.to_string(),
                redirect_url: format!("{}/pg/StartPay/{authority}", self.base),
            }),
            (code, _) => Err(GatewayError::Refused {
                code: code.unwrap_or(0),
                message: env.message(),
            }),
        }
    }

    async fn verify(
        &self,
        authority: &str,
        amount_rials: i64,
    ) -> Result<Verification, GatewayError> {
        let env = self
            .call(
                "/pg/v4/payment/verify.json",
                json!({
                    "merchant_id": self.merchant_id,
                    "amount": amount_rials,
                    "authority": authority,
                }),
            )
            .await?;
        let ref_id = || {
            env.data
                .get("ref_id")
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .filter(|s| !s.is_empty() && s != "null")
        };
        match env.code() {
            Some(100) => match ref_id() {
                Some(ref_id) => Ok(Verification::Paid {
                    ref_id,
                    fee_rials: merchant_fee(&env.data, amount_rials),
                }),
                None => Err(GatewayError::Unavailable("code 100 without ref_id".into())),
            },
            Some(101) => match ref_id() {
                Some(ref_id) => Ok(Verification::AlreadyVerified {
                    ref_id,
                    fee_rials: merchant_fee(&env.data, amount_rials),
                }),
                None => Err(GatewayError::Unavailable("code 101 without ref_id".into())),
            },
            Some(-50) => Ok(Verification::AmountMismatch {
                detail: env.message(),
            }),
            // -51 not paid, -54 unknown authority; anything else (merchant, validation, rate)
            // leaves the gift pending for a later verify rather than calling it failed.
            Some(code @ (-51 | -54)) => Ok(Verification::NotPaid {
                code,
                detail: env.message(),
            }),
            other => Err(GatewayError::Unavailable(format!(
                "unexpected verify answer {other:?}: {}",
                env.message()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_counts_when_the_merchant_bears_it_and_is_believed_only_within_the_amount() {
        assert_eq!(
            merchant_fee(&json!({"fee_type": "Merchant", "fee": 1500}), 100_000),
            1500
        );
        assert_eq!(merchant_fee(&json!({"fee": "2500"}), 100_000), 2500);
        assert_eq!(
            merchant_fee(&json!({"fee_type": "Payer", "fee": 1500}), 100_000),
            0
        );
        assert_eq!(merchant_fee(&json!({}), 100_000), 0);
        assert_eq!(merchant_fee(&json!({"fee": -5}), 100_000), 0);
        assert_eq!(merchant_fee(&json!({"fee": 100_001}), 100_000), 0);
        assert_eq!(merchant_fee(&json!({"fee": [1]}), 100_000), 0);
    }
}
