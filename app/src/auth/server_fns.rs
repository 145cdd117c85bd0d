//! Sign-up (and its confirmation), sign-in, sign-out and "who am I". Each is a public POST endpoint: it validates with
//! the shared rules, logs detail on the server and answers with a translation key.

use super::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    async move { Ok(super::ssr::current().await?.map(|a| a.user)) }
        .await
        .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "auth/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    /// The authenticator code (or a recovery code) of an account with two-factor sign-in on.
    code: Option<String>,
) -> Result<SessionUser, AppError> {
    async move {
        use super::ssr::*;
        use crate::platform::entity::user;
        use sea_orm::{
            ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
        };

        let state = crate::state::use_state()?;
        let email = crate::validation::email(&email).map_err(|k| AppError::invalid("email", k))?;
        if password.is_empty() || password.len() > 512 {
            return Err(AppError::invalid("password", "auth.bad_credentials"));
        }
        // Per client address first (one client trying many accounts), then per account (many
        // clients trying one); both before any password work.
        if let Some(ip) = request_client_ip(&state.config) {
            limit(&state.db, &format!("signin:ip:{ip}"), SIGN_IN_PER_CLIENT).await?;
        }
        limit(
            &state.db,
            &format!("signin:acct:{email}"),
            SIGN_IN_PER_ACCOUNT,
        )
        .await?;
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(&state.db)
            .await?;
        let hash = found
            .as_ref()
            .filter(|u| u.is_active)
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DISABLED_PASSWORD.to_string());
        let pw = password.clone();
        let ok = hashing(move || verify_password(&hash, &pw)).await?;
        let Some(u) = found.filter(|_| ok) else {
            tracing::info!(%email, "sign-in refused");
            return Err(AppError::invalid("password", "auth.bad_credentials"));
        };
        let role =
            super::Role::parse(&u.role).ok_or_else(|| AppError::internal("role", &u.role))?;
        if u.totp_enabled {
            let code = code.as_deref().map(str::trim).unwrap_or("");
            if code.is_empty() {
                return Err(AppError::invalid("code", "auth.code_required"));
            }
            if !super::totp::check_second_factor(&state, &u, code).await? {
                tracing::info!(user = %u.public_id, "second factor refused");
                return Err(AppError::invalid("code", "auth.bad_code"));
            }
        }

        let mut active = u.clone().into_active_model();
        active.last_login_at = Set(Some(chrono::Utc::now()));
        active.update(&state.db).await?;
        tracing::info!(user = %u.public_id, role = role.as_str(), "signed in");
        start_session(&state, u, role).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Asks for an account. The answer is the same whether or not the address is registered (a
/// link or a note goes to the address); the account is made when the link is followed.
#[server(prefix = "/api", endpoint = "auth/sign-up")]
pub async fn sign_up(
    display_name: String,
    email: String,
    password: String,
    role: String,
) -> Result<(), AppError> {
    async move {
        use super::sign_up::{request, Request, SIGN_UP_PER_ADDRESS};
        use super::ssr::*;
        use crate::validation;

        let state = crate::state::use_state()?;
        let name = validation::display_name(&display_name)
            .map_err(|k| AppError::invalid("display_name", k))?;
        let email = validation::email(&email).map_err(|k| AppError::invalid("email", k))?;
        validation::password(&password).map_err(|k| AppError::invalid("password", k))?;
        let role = super::Role::parse(&role)
            .filter(|r| r.self_service())
            .ok_or_else(|| AppError::invalid("role", "validation.role"))?;
        if let Some(ip) = request_client_ip(&state.config) {
            limit(&state.db, &format!("signin:ip:{ip}"), SIGN_IN_PER_CLIENT).await?;
        }
        limit(
            &state.db,
            &format!("signup:addr:{email}"),
            SIGN_UP_PER_ADDRESS,
        )
        .await?;
        // Hashed whether or not the address is registered, so both answers take as long.
        let hash = hashing(move || hash_password(&password)).await??;
        request(
            &state,
            Request {
                email: &email,
                display_name: &name,
                password_hash: hash,
                role,
                locale: crate::i18n::request_locale(),
            },
        )
        .await?;
        leptos_axum::redirect("/sign-up/sent");
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Follows the link from a sign-up e-mail: makes the account and signs it in.
#[server(prefix = "/api", endpoint = "auth/confirm-sign-up")]
pub async fn confirm_sign_up(token: String) -> Result<SessionUser, AppError> {
    async move {
        let state = crate::state::use_state()?;
        let (u, role) = super::sign_up::confirm(&state, token.trim()).await?;
        start_session(&state, u, role).await
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    async move {
        use super::ssr::*;
        let state = crate::state::use_state()?;
        if let Some(parts) = use_context::<axum::http::request::Parts>() {
            if let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) {
                end_session(&state.db, &state.config, &token).await?;
            }
        }
        set_cookie(&clear_session_cookie(&state.config));
        leptos_axum::redirect("/");
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Starts a session for `u`: the cookie, the redirect to the role's home, the answer.
#[cfg(feature = "ssr")]
pub(crate) async fn start_session(
    state: &crate::state::AppState,
    u: crate::platform::entity::user::Model,
    role: super::Role,
) -> Result<SessionUser, AppError> {
    use super::ssr::{create_session, session_cookie};
    let ua = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.headers.get(axum::http::header::USER_AGENT).cloned())
        .and_then(|v| v.to_str().ok().map(str::to_string));
    let token = create_session(&state.db, &state.config, u.id, ua).await?;
    set_cookie(&session_cookie(&state.config, &token));
    leptos_axum::redirect(role.home_path());
    Ok(SessionUser {
        public_id: u.public_id,
        display_name: u.display_name,
        role,
    })
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(value),
    ) {
        res.append_header(axum::http::header::SET_COOKIE, v);
    }
}

/// Two-factor state of the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecurityStatus {
    pub enabled: bool,
    pub recovery_codes_left: u64,
}

/// What the enrolment page shows once: the secret, the otpauth URL and its QR code (SVG).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Enrolment {
    pub secret: String,
    pub url: String,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::state::AppState, super::ssr::Authed), AppError> {
    let who = super::ssr::current().await?.ok_or(AppError::Unauthorized)?;
    Ok((crate::state::use_state()?, who))
}

#[server(prefix = "/api", endpoint = "auth/security")]
pub async fn get_security_status() -> Result<SecurityStatus, AppError> {
    async move {
        let (state, who) = signed_in().await?;
        let (enabled, left) = super::totp::status(&state, &who).await?;
        Ok(SecurityStatus {
            enabled,
            recovery_codes_left: left,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "auth/totp-begin")]
pub async fn totp_begin() -> Result<Enrolment, AppError> {
    async move {
        let (state, who) = signed_in().await?;
        let (secret, url, qr_svg) = super::totp::begin(&state, &who).await?;
        Ok(Enrolment {
            secret,
            url,
            qr_svg,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "auth/totp-confirm")]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, AppError> {
    async move {
        let (state, who) = signed_in().await?;
        super::totp::confirm(&state, &who, &code).await
    }
    .await
    .map_err(AppError::with_status)
}
