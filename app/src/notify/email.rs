//! The e-mail adapter: SMTP through lettre. Configured by `KARAMAT_SMTP_URL` — lettre's URL form:
//! `smtps://user:password@mail.example.org` (TLS from the first byte, port 465),
//! `smtp://user:password@mail.example.org:587?tls=required` (STARTTLS), or
//! `smtp://127.0.0.1:2525` (plain, for a relay on the same host or a test stub) — and
//! `KARAMAT_MAIL_FROM` (`Karamat <no-reply@example.org>`). Messages are plain text in UTF-8
//! (base64 on the wire, so any server takes Persian), with a subject in the recipient's language.
//! Errors never carry the recipient.

use super::{Channel, Message};
use lettre::message::{header::ContentTransferEncoding, Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// `url` as in the module documentation; `from` a mailbox (`Name <address>` or an address).
    pub fn new(url: &str, from: &str) -> Result<Smtp, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("KARAMAT_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("KARAMAT_MAIL_FROM: {e}"))?;
        Ok(Smtp { transport, from })
    }

    /// From the environment, when `KARAMAT_SMTP_URL` is set. A setting that does not parse is
    /// logged and leaves e-mail to the log adapter (the server still starts).
    pub fn from_env() -> Option<Smtp> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let url = get("KARAMAT_SMTP_URL")?;
        let from =
            get("KARAMAT_MAIL_FROM").unwrap_or_else(|| "Karamat <no-reply@localhost>".into());
        match Smtp::new(&url, &from) {
            Ok(s) => Some(s),
            Err(e) => {
                // The URL may hold a password: only the error, which lettre keeps free of it.
                tracing::error!(error = %e, "e-mail adapter not configured");
                None
            }
        }
    }
}

#[async_trait::async_trait]
impl Channel for Smtp {
    fn handles(&self, channel: &str) -> bool {
        channel == "email"
    }

    async fn send(&self, m: &Message) -> Result<(), String> {
        let to =
            m.to.parse::<Mailbox>()
                .map_err(|_| "not an e-mail address".to_string())?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .singlepart(
                SinglePart::builder()
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(m.text.clone()),
            )
            .map_err(|e| format!("message not built: {e}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            // A server's answer may quote the address: it is taken out before the error is kept.
            .map_err(|e| {
                let e = e.to_string().replace(&m.to, "<recipient>");
                format!("smtp: {e}")
            })
    }
}
