//! Two-factor sign-in for staff: RFC 6238 TOTP (SHA-1, 6 digits, 30 s — what every authenticator
//! app speaks) through `totp-rs`, the enrolment QR code as SVG through `qrcode`, and single-use
//! recovery codes. A code is accepted once: the step it matched is remembered per account.

use super::ssr::{token_hash, Authed};
use crate::error::AppError;
use crate::platform::entity::{recovery_code, user};
use crate::platform::Config;
use crate::state::AppState;
use chrono::Utc;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use totp_rs::{Algorithm, Secret, TOTP};

pub const ISSUER: &str = "Karamat";
const STEP: u64 = 30;
/// The sealed column's name (bound into the AEAD), kept with the other sealed columns.
pub use crate::privacy::rotation::TOTP_SECRET_COLUMN as SECRET_COLUMN;
/// The secret every demo staff account is seeded with (base32), so the demo can be signed in to
/// with any authenticator app. Never used outside the demo seed.
pub const DEMO_SECRET: &str = "KARAMATDEMOSECRETFORSTAFFONLY234";

fn totp(secret_b32: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| AppError::internal("totp secret", format!("{e:?}")))?;
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        Some(ISSUER.to_string()),
        account.to_string(),
    ))
}

/// A fresh 160-bit secret, base32.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

/// The code for a moment (unix seconds).
pub fn code_at(secret_b32: &str, unix: u64) -> Result<String, AppError> {
    Ok(totp(secret_b32, "-")?.generate(unix))
}

/// The step a six-digit code belongs to, if it is one of now-1, now, now+1 (clock drift), in
/// constant time per candidate.
pub fn matching_step(secret_b32: &str, code: &str, unix: u64) -> Result<Option<i64>, AppError> {
    let code: String = crate::validation::latin_digits(code)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret_b32, "-")?;
    let step = (unix / STEP) as i64;
    let mut found = None;
    for s in [step - 1, step, step + 1] {
        let candidate = t.generate((s.max(0) as u64) * STEP);
        if crate::platform::tokens_match(&candidate, &code) {
            found = Some(s);
        }
    }
    Ok(found)
}

/// What the enrolment page shows: the secret (to type in), the otpauth URL and its QR code.
pub fn enrolment(secret_b32: &str, account: &str) -> Result<(String, String), AppError> {
    let url = totp(secret_b32, account)?.get_url();
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| AppError::internal("qr", e))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok((url, svg))
}

const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Ten single-use codes like `K7QM-2XPD` (40 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| {
            let c: String = (0..8)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &c[..4], &c[4..])
        })
        .collect()
}

fn normalise_recovery(code: &str) -> String {
    crate::validation::latin_digits(code)
        .to_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn recovery_hash(config: &Config, code: &str) -> String {
    token_hash(config, &format!("recovery:{}", normalise_recovery(code)))
}

/// Checks the second factor of an enrolled account at sign-in: a TOTP code not used before, or
/// an unused recovery code (which is then spent). Both are claimed by conditional updates, so two
/// sign-ins racing with one code cannot both pass.
pub async fn check_second_factor(
    state: &AppState,
    u: &user::Model,
    code: &str,
) -> Result<bool, AppError> {
    let Some(sealed) = &u.totp_secret_enc else {
        return Ok(false);
    };
    let secret = state
        .sealer
        .open(SECRET_COLUMN, sealed)
        .map_err(|e| AppError::internal("open totp secret", e))?;
    let now = Utc::now().timestamp().max(0) as u64;
    if let Some(step) = matching_step(&secret, code, now)? {
        let claimed = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(u.id))
            .filter(
                sea_orm::Condition::any()
                    .add(user::Column::TotpLastStep.is_null())
                    .add(user::Column::TotpLastStep.lt(step)),
            )
            .exec(&state.db)
            .await?;
        return Ok(claimed.rows_affected == 1);
    }
    if normalise_recovery(code).len() == 8 {
        let spent = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(Utc::now()))
            .filter(recovery_code::Column::UserId.eq(u.id))
            .filter(recovery_code::Column::CodeHash.eq(recovery_hash(&state.config, code)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&state.db)
            .await?;
        if spent.rows_affected == 1 {
            tracing::warn!(user = %u.public_id, "signed in with a recovery code");
            return Ok(true);
        }
    }
    Ok(false)
}

/// Starts (or restarts, while not yet confirmed) enrolment: a new secret, sealed on the account.
pub async fn begin(state: &AppState, who: &Authed) -> Result<(String, String, String), AppError> {
    let u = user::Entity::find_by_id(who.user_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if u.totp_enabled {
        return Err(AppError::invalid("code", "auth.totp_already"));
    }
    let secret = new_secret();
    let mut am: user::ActiveModel = u.clone().into();
    am.totp_secret_enc = Set(Some(state.sealer.seal(SECRET_COLUMN, &secret)));
    am.totp_last_step = Set(None);
    am.update(&state.db).await?;
    let account = u.email.clone().unwrap_or(u.public_id.clone());
    let (url, svg) = enrolment(&secret, &account)?;
    Ok((secret, url, svg))
}

/// Confirms enrolment with a first code from the app; turns two-factor on and returns ten
/// recovery codes (shown once, stored hashed).
pub async fn confirm(state: &AppState, who: &Authed, code: &str) -> Result<Vec<String>, AppError> {
    let u = user::Entity::find_by_id(who.user_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if u.totp_enabled {
        return Err(AppError::invalid("code", "auth.totp_already"));
    }
    let sealed = u
        .totp_secret_enc
        .clone()
        .ok_or_else(|| AppError::invalid("code", "auth.bad_code"))?;
    let secret = state
        .sealer
        .open(SECRET_COLUMN, &sealed)
        .map_err(|e| AppError::internal("open totp secret", e))?;
    let now = Utc::now().timestamp().max(0) as u64;
    let Some(step) = matching_step(&secret, code, now)? else {
        return Err(AppError::invalid("code", "auth.bad_code"));
    };
    let codes = new_recovery_codes();
    let txn = crate::audit::begin(&state.db).await?;
    let res = user::Entity::update_many()
        .col_expr(user::Column::TotpEnabled, Expr::value(true))
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .filter(user::Column::Id.eq(u.id))
        .filter(user::Column::TotpEnabled.eq(false))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("code", "auth.totp_already"));
    }
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(u.id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for c in &codes {
        recovery_code::ActiveModel {
            user_id: Set(u.id),
            code_hash: Set(recovery_hash(&state.config, c)),
            created_at: Set(now),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            actor_user_id: Some(u.id),
            action: "account.two_factor_enabled",
            subject_kind: "user",
            subject_id: Some(u.public_id.clone()),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Whether the account has two-factor on, and how many recovery codes are left.
pub async fn status(state: &AppState, who: &Authed) -> Result<(bool, u64), AppError> {
    use sea_orm::PaginatorTrait;
    let u = user::Entity::find_by_id(who.user_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let left = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(u.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(&state.db)
        .await?;
    Ok((u.totp_enabled, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_and_window() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s → 94287082 (8
        // digits); the 6-digit code is its last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1111111109).unwrap(), "081804");
        // A code matches its own step and the neighbours, nothing further.
        let now = 1_700_000_000u64;
        let code = code_at(&secret, now).unwrap();
        let step = (now / 30) as i64;
        assert_eq!(matching_step(&secret, &code, now).unwrap(), Some(step));
        assert_eq!(matching_step(&secret, &code, now + 30).unwrap(), Some(step));
        assert_eq!(matching_step(&secret, &code, now + 90).unwrap(), None);
        // Persian digits are fine; wrong lengths are not.
        let fa: String = code
            .chars()
            .map(|c| char::from_u32('۰' as u32 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        assert_eq!(matching_step(&secret, &fa, now).unwrap(), Some(step));
        assert_eq!(matching_step(&secret, "12345", now).unwrap(), None);
    }

    #[test]
    fn secrets_urls_qr_and_recovery_codes() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_ne!(s, new_secret());
        let (url, svg) = enrolment(&s, "sw@example.org").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Karamat:sw%40example.org?secret="),
            "{url}"
        );
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes
            .iter()
            .all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'));
        assert_eq!(normalise_recovery("k7qm-2xpd"), "K7QM2XPD");
        assert!(code_at(DEMO_SECRET, 0).is_ok());
    }
}
