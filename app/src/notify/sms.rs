//! The SMS adapter: Kavenegar's REST API (`POST {base}/v1/{api-key}/sms/send.json` with `receptor`,
//! `message` and optionally `sender`; success is `return.status == 200`). Configured by
//! `KARAMAT_SMS=kavenegar`, `KAVENEGAR_API_KEY`, optional `KAVENEGAR_SENDER` and
//! `KAVENEGAR_BASE_URL` (tests point it at a local stub). Errors never carry the recipient.

use super::{Channel, Message};
use std::time::Duration;

pub struct Kavenegar {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
    sender: Option<String>,
}

impl Kavenegar {
    pub fn new(base_url: &str, api_key: &str, sender: Option<String>) -> Kavenegar {
        Kavenegar {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a client with a timeout builds"),
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
            sender,
        }
    }

    /// From the environment, when `KARAMAT_SMS=kavenegar` and a key is set.
    pub fn from_env() -> Option<Kavenegar> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if get("KARAMAT_SMS").as_deref() != Some("kavenegar") {
            return None;
        }
        let key = get("KAVENEGAR_API_KEY")?;
        let base = get("KAVENEGAR_BASE_URL").unwrap_or_else(|| "https://api.kavenegar.com".into());
        Some(Kavenegar::new(&base, &key, get("KAVENEGAR_SENDER")))
    }
}

#[async_trait::async_trait]
impl Channel for Kavenegar {
    fn handles(&self, channel: &str) -> bool {
        channel == "sms"
    }

    async fn send(&self, m: &Message) -> Result<(), String> {
        let url = format!("{}/v1/{}/sms/send.json", self.base_url, self.api_key);
        let mut form = vec![("receptor", m.to.as_str()), ("message", m.text.as_str())];
        if let Some(s) = &self.sender {
            form.push(("sender", s.as_str()));
        }
        let res = self
            .client
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| format!("kavenegar unreachable: {}", e.without_url()))?;
        let http = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        let status = body["return"]["status"].as_i64().unwrap_or(0);
        if http.is_success() && status == 200 {
            Ok(())
        } else {
            Err(format!("kavenegar refused: http {http}, status {status}"))
        }
    }
}
