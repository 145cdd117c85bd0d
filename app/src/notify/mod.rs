//! Notifications through an outbox. Messages are written in the same database transaction as
//! the event they report (a settled gift, a delivered need), then a dispatcher sends them through
//! a channel adapter with retries and backoff. The default adapter writes to the log; SMS and
//! e-mail adapters plug in behind the same [`Channel`] trait.

use crate::error::AppError;
use crate::i18n::{format_toman, translate, Locale};
use crate::platform::entity::notification;
use crate::platform::entity::status::*;
use crate::privacy::Sealer;
use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::sync::Arc;

pub mod email;
pub mod sms;

/// The adapters configured in the environment, in the order they are tried: SMS through
/// Kavenegar when `KARAMAT_SMS=kavenegar`, e-mail through SMTP when `KARAMAT_SMTP_URL` is set,
/// then the log adapter for everything else (in development, one that logs the whole message).
pub fn channels_from_env(dev: bool) -> Vec<Arc<dyn Channel>> {
    let mut out: Vec<Arc<dyn Channel>> = Vec::new();
    if let Some(k) = sms::Kavenegar::from_env() {
        tracing::info!("SMS through Kavenegar");
        out.push(Arc::new(k));
    }
    if let Some(s) = email::Smtp::from_env() {
        tracing::info!("e-mail through SMTP");
        out.push(Arc::new(s));
    }
    if dev {
        out.push(Arc::new(DevLogChannel));
    } else {
        out.push(Arc::new(LogChannel));
    }
    out
}

/// After this many failed attempts a message is left as `failed` for staff to look at.
pub const MAX_ATTEMPTS: i32 = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `sms` or `email`.
    pub channel: String,
    pub to: String,
    pub template: String,
    /// A short subject in the recipient's language (e-mail only).
    pub subject: String,
    pub text: String,
}

/// The subject line of a message in the recipient's language.
pub fn subject(template: &str, locale: Locale) -> String {
    let key = match template {
        "receipt" => "notify.subject_receipt",
        "pledge_reminder" => "notify.subject_pledge_reminder",
        "need_reallocated" => "notify.subject_need_reallocated",
        "campaign_released" => "notify.subject_campaign_released",
        "need_delivered" => "notify.subject_need_delivered",
        "sponsor_reminder" => "notify.subject_sponsor_reminder",
        "sponsor_report" => "notify.subject_sponsor_report",
        "sponsorship_ended" => "notify.subject_sponsorship_ended",
        "sign_up_confirm" | "sign_up_exists" => "notify.subject_sign_up",
        _ => "site.name",
    };
    translate(locale, key).to_string()
}

#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    /// Which outbox channel this adapter sends (`sms`, `email`).
    fn handles(&self, channel: &str) -> bool;
    async fn send(&self, message: &Message) -> Result<(), String>;
}

/// The default adapter: logs that a message would go out, without the recipient or the text.
pub struct LogChannel;

/// The log adapter of a development server (`KARAMAT_ENV=dev`): logs the whole message, so a
/// developer can follow a sign-up link or read a receipt without a mail server.
pub struct DevLogChannel;

#[async_trait::async_trait]
impl Channel for DevLogChannel {
    fn handles(&self, _channel: &str) -> bool {
        true
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        tracing::info!(channel = %m.channel, to = %m.to, template = %m.template, text = %m.text, "notification (dev log adapter)");
        Ok(())
    }
}

#[async_trait::async_trait]
impl Channel for LogChannel {
    fn handles(&self, _channel: &str) -> bool {
        true
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        tracing::info!(channel = %m.channel, template = %m.template, chars = m.text.chars().count(), "notification (log adapter)");
        Ok(())
    }
}

/// The text of a message in the recipient's language.
pub fn render(template: &str, locale: Locale, payload: &serde_json::Value) -> String {
    let get = |k: &str| {
        payload
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    match template {
        "receipt" => {
            let amount = payload
                .get("amount_rials")
                .and_then(|v| v.as_i64())
                .unwrap_or(0);
            format!(
                "{} {} — {} {} — {}",
                translate(locale, "notify.receipt"),
                format_toman(amount, locale),
                translate(locale, "receipt.tracking_code"),
                crate::i18n::localize_digits(&get("tracking_code"), locale),
                get("url"),
            )
        }
        "pledge_reminder" => format!(
            "{} {} — {} {}",
            translate(locale, "notify.pledge_reminder"),
            format_toman(
                payload
                    .get("amount_rials")
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0),
                locale
            ),
            get("url"),
            get("cancel_url"),
        ),
        "need_reallocated" => format!(
            "{} {}",
            translate(locale, "notify.need_reallocated"),
            get("url")
        ),
        "campaign_released" => format!(
            "{} {}",
            translate(locale, "notify.campaign_released"),
            get("url")
        ),
        // The redacted impact update itself went through the privacy guard before it was queued.
        "need_delivered" => format!(
            "{} {} {}",
            translate(locale, "notify.need_delivered"),
            get("update"),
            get("url")
        ),
        "sponsor_reminder" => format!(
            "{} {} — {}",
            translate(locale, "notify.sponsor_reminder"),
            format_toman(
                payload
                    .get("amount_rials")
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0),
                locale
            ),
            get("url"),
        ),
        // The report itself is on the sponsorship's page, behind its token: a message carries
        // no text about the family.
        "sponsor_report" => format!(
            "{} {}",
            translate(locale, "notify.sponsor_report"),
            get("url")
        ),
        "sponsorship_ended" => format!(
            "{} {}",
            translate(
                locale,
                match get("reason").as_str() {
                    "released" => "notify.sponsorship_released",
                    "completed" => "notify.sponsorship_completed",
                    _ => "notify.sponsorship_ended",
                }
            ),
            get("url")
        ),
        "sign_up_confirm" => format!(
            "{} {}",
            translate(locale, "notify.sign_up_confirm"),
            get("url")
        ),
        "sign_up_exists" => format!(
            "{} {}",
            translate(locale, "notify.sign_up_exists"),
            get("url")
        ),
        other => {
            tracing::error!(template = other, "unknown notification template");
            get("url")
        }
    }
}

/// How long a server holds a message it is handing to an adapter (adapters give up far sooner).
/// A server killed mid-send leaves the message `sending`; once the lease has run out any server
/// sends it again: a message goes out at least once after a crash, never silently lost, and
/// exactly once otherwise.
pub const SEND_LEASE_MINUTES: i64 = 10;

/// Sends what is due. Each message is claimed with a conditional update first (on its status and
/// attempt count, which every claim moves on), so several app instances can dispatch at once
/// without sending anything twice. Returns how many were sent.
pub async fn dispatch(
    db: &DatabaseConnection,
    sealer: &Sealer,
    channels: &[Arc<dyn Channel>],
    batch: u64,
) -> Result<usize, AppError> {
    let now = Utc::now();
    let due = notification::Entity::find()
        .filter(
            notification::Column::Status
                .is_in([NotificationStatus::Pending, NotificationStatus::Sending]),
        )
        .filter(notification::Column::NextAttemptAt.lte(now))
        .order_by_asc(notification::Column::Id)
        .limit(batch)
        .all(db)
        .await?;
    let mut sent = 0;
    for n in due {
        if n.status == NotificationStatus::Sending {
            tracing::warn!(
                id = n.id,
                attempts = n.attempts,
                "notification lease ran out (its server stopped mid-send): sending again"
            );
        }
        let claimed = notification::Entity::update_many()
            .col_expr(
                notification::Column::Status,
                Expr::value(NotificationStatus::Sending),
            )
            .col_expr(notification::Column::Attempts, Expr::value(n.attempts + 1))
            .col_expr(
                notification::Column::NextAttemptAt,
                Expr::value(now + Duration::minutes(SEND_LEASE_MINUTES)),
            )
            .filter(notification::Column::Id.eq(n.id))
            .filter(notification::Column::Status.eq(n.status))
            .filter(notification::Column::Attempts.eq(n.attempts))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            continue;
        }
        let locale = Locale::from_code(&n.locale).unwrap_or(Locale::Fa);
        let payload: serde_json::Value = serde_json::from_str(&n.payload).unwrap_or_default();
        let result = match sealer.open("notification_outbox.recipient", &n.recipient_enc) {
            Err(e) => Err(format!("recipient does not open: {e}")),
            Ok(to) => {
                let message = Message {
                    channel: n.channel.clone(),
                    to,
                    template: n.template.clone(),
                    subject: subject(&n.template, locale),
                    text: render(&n.template, locale, &payload),
                };
                match channels.iter().find(|c| c.handles(&n.channel)) {
                    Some(c) => c.send(&message).await,
                    None => Err(format!("no adapter for channel {}", n.channel)),
                }
            }
        };
        let update = notification::Entity::update_many().filter(notification::Column::Id.eq(n.id));
        match result {
            Ok(()) => {
                update
                    .col_expr(
                        notification::Column::Status,
                        Expr::value(NotificationStatus::Sent),
                    )
                    .col_expr(notification::Column::SentAt, Expr::value(Utc::now()))
                    .col_expr(notification::Column::Attempts, Expr::value(n.attempts + 1))
                    .exec(db)
                    .await?;
                // One line per message handed over, with its id: what the two-instance test
                // counts to prove no message goes out twice.
                tracing::info!(id = n.id, channel = %n.channel, template = %n.template, "notification sent");
                crate::platform::metrics::notifications("sent", 1);
                sent += 1;
            }
            Err(e) => {
                let attempts = n.attempts + 1;
                tracing::warn!(id = n.id, attempts, error = %e, "notification not sent");
                crate::platform::metrics::notifications("failed", 1);
                update
                    .col_expr(
                        notification::Column::Status,
                        Expr::value(if attempts >= MAX_ATTEMPTS {
                            NotificationStatus::Failed
                        } else {
                            NotificationStatus::Pending
                        }),
                    )
                    .col_expr(notification::Column::Attempts, Expr::value(attempts))
                    .col_expr(
                        notification::Column::LastError,
                        Expr::value(e.chars().take(500).collect::<String>()),
                    )
                    .col_expr(
                        notification::Column::NextAttemptAt,
                        Expr::value(Utc::now() + Duration::minutes(1i64 << attempts.min(10))),
                    )
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Puts a message in the outbox inside the caller's transaction (so it exists exactly when the
/// event it reports does). The recipient is sealed like every other contact.
pub async fn enqueue<C: sea_orm::ConnectionTrait>(
    db: &C,
    sealer: &Sealer,
    recipient: &str,
    template: &str,
    locale: Locale,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    use sea_orm::ActiveValue::Set;
    let now = Utc::now();
    notification::Entity::insert(notification::ActiveModel {
        channel: Set(if recipient.contains('@') {
            "email"
        } else {
            "sms"
        }
        .into()),
        recipient_enc: Set(sealer.seal("notification_outbox.recipient", recipient)),
        key_id: Set(sealer.key_id().into()),
        template: Set(template.into()),
        locale: Set(locale.code().into()),
        payload: Set(payload.to_string()),
        status: Set(NotificationStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
