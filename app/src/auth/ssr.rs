//! Server half of authentication: argon2id passwords, database sessions, guards.

use super::{Role, SessionUser};
use crate::error::AppError;
use crate::platform::entity::{session, user, user_scope};
use crate::platform::Config;
use crate::state::{use_state, AppState};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::HeaderMap;
use chrono::Utc;
use rand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "karamat_session";

/// Argon2id with OWASP's minimum: 19 MiB memory, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("argon2 hash", e))
}

/// Constant work whether or not the hash parses; a malformed or disabled hash never verifies.
pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            let _ = argon2().hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng));
            false
        }
    }
}

/// A hash no password matches: for accounts that may not sign in with a password.
pub const DISABLED_PASSWORD: &str = "!disabled";

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

pub fn token_hash(config: &Config, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(config.secret_key.as_bytes());
    h.update([0u8]);
    h.update(token.as_bytes());
    hex::encode(h.finalize())
}

pub fn session_cookie(config: &Config, token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        config.session_ttl.as_secs(),
        if config.cookie_secure() {
            "; Secure"
        } else {
            ""
        }
    )
}

pub fn clear_session_cookie(config: &Config) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if config.cookie_secure() {
            "; Secure"
        } else {
            ""
        }
    )
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
}

/// A scope a staff member works in. No scope rows on a staff account means national.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub province_id: Option<i64>,
    pub prison_id: Option<i64>,
}

/// The signed-in person, as server code sees them.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user_id: i64,
    pub user: SessionUser,
    pub scopes: Vec<Scope>,
    /// Two-factor sign-in is on for this account (staff must have it to do any staff work).
    pub two_factor: bool,
}

impl Authed {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// Whether a record of this province (and prison) lies inside this person's scopes.
    /// Staff without scope rows are national; non-staff cover nothing.
    pub fn covers(&self, province_id: i64, prison_id: Option<i64>) -> bool {
        if !self.role().is_staff() {
            return false;
        }
        self.scopes.is_empty()
            || self
                .scopes
                .iter()
                .any(|s| match (s.prison_id, s.province_id) {
                    (Some(p), _) => prison_id == Some(p),
                    (None, Some(pr)) => pr == province_id,
                    (None, None) => true,
                })
    }

    /// The provinces this person may see, or `None` for all of them.
    pub fn province_filter(&self) -> Option<Vec<i64>> {
        // No scope rows, or one national row: every province.
        if self.scopes.is_empty()
            || self
                .scopes
                .iter()
                .any(|s| s.province_id.is_none() && s.prison_id.is_none())
        {
            None
        } else {
            Some(self.scopes.iter().filter_map(|s| s.province_id).collect())
        }
    }
}

/// The guard every staff server function starts with: signed in with a role that has `p`.
/// A denial is logged and written to the audit log.
pub async fn authorize(p: super::Permission) -> Result<Authed, AppError> {
    match current().await? {
        None => Err(AppError::Unauthorized),
        Some(a) if p.allows(a.role()) && !a.two_factor => {
            tracing::warn!(user = %a.user.public_id, permission = p.as_str(), "staff work refused until two-factor sign-in is on");
            Err(AppError::TwoFactorRequired)
        }
        Some(a) if p.allows(a.role()) => Ok(a),
        Some(a) => {
            deny(&a, p, None).await;
            Err(AppError::Forbidden)
        }
    }
}

/// The body of a staff server function: [`authorize`] first, then the state and the person are
/// handed over; any error leaves with its HTTP status.
pub async fn with_permission<T>(
    p: super::Permission,
    f: impl AsyncFnOnce(AppState, Authed) -> Result<T, AppError>,
) -> Result<T, AppError> {
    async {
        let who = authorize(p).await?;
        let state = use_state()?;
        f(state, who).await
    }
    .await
    .map_err(AppError::with_status)
}

/// The second half of the guard, once the record is loaded: it must lie in the person's scope.
/// Out of scope answers "not found", so nobody learns what exists elsewhere.
pub async fn check_scope(
    a: &Authed,
    p: super::Permission,
    subject: &str,
    province_id: i64,
    prison_id: Option<i64>,
) -> Result<(), AppError> {
    if a.covers(province_id, prison_id) {
        Ok(())
    } else {
        deny(a, p, Some(subject)).await;
        Err(AppError::NotFound)
    }
}

/// Logs and audits a refused request inside a server function. Failing to audit must not turn a
/// refusal into an error.
pub async fn deny(a: &Authed, p: super::Permission, subject: Option<&str>) {
    match use_state() {
        Ok(state) => deny_with(&state.db, a, p, subject).await,
        Err(_) => tracing::error!(
            permission = p.as_str(),
            "a denial outside a server function: use deny_with"
        ),
    }
}

/// [`deny`] for plain handlers (CSV downloads, the staff-area guard), which hold the state
/// themselves rather than in Leptos's context.
pub async fn deny_with(
    db: &sea_orm::DatabaseConnection,
    a: &Authed,
    p: super::Permission,
    subject: Option<&str>,
) {
    tracing::warn!(user = %a.user.public_id, role = a.role().as_str(), permission = p.as_str(), ?subject, "access denied");
    let entry = crate::audit::Entry {
        actor_user_id: Some(a.user_id),
        action: "access.denied",
        subject_kind: p.as_str(),
        subject_id: subject.map(str::to_string),
        detail: serde_json::json!({ "role": a.role().as_str() }),
    };
    if let Err(e) = crate::audit::record_now(db, entry).await {
        tracing::error!(error = ?e, "could not audit a denial");
    }
}

/// Starts a session and returns the cookie's token.
pub async fn create_session<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    user_id: i64,
    user_agent: Option<String>,
) -> Result<String, AppError> {
    let token = new_token();
    let now = Utc::now();
    let expires = now + chrono::Duration::from_std(config.session_ttl).unwrap_or_default();
    session::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(config, &token)),
        created_at: Set(now),
        expires_at: Set(expires),
        last_seen_at: Set(now),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(250).collect())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

pub async fn end_session<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    token: &str,
) -> Result<(), AppError> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash(config, token)))
        .exec(db)
        .await?;
    Ok(())
}

/// The active user behind a session token, if the session is live and the account enabled.
pub async fn user_for_token<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    token: &str,
) -> Result<Option<Authed>, AppError> {
    let Some(s) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(config, token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if s.expires_at <= Utc::now() {
        return Ok(None);
    }
    let Some(u) = user::Entity::find_by_id(s.user_id).one(db).await? else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&u.role).filter(|_| u.is_active) else {
        return Ok(None);
    };
    if role.is_staff() {
        // A staff session left alone ends: a shared office computer does not stay signed in to
        // families' files. Activity is written at most once a minute.
        let now = Utc::now();
        let idle = chrono::Duration::from_std(config.staff_idle).unwrap_or_default();
        if s.last_seen_at + idle <= now {
            session::Entity::delete_by_id(s.id).exec(db).await?;
            tracing::info!(user = %u.public_id, "staff session ended after idle time");
            return Ok(None);
        }
        if s.last_seen_at + chrono::Duration::seconds(60) <= now {
            session::Entity::update_many()
                .col_expr(
                    session::Column::LastSeenAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(session::Column::Id.eq(s.id))
                .exec(db)
                .await?;
        }
    }
    let scopes = user_scope::Entity::find()
        .filter(user_scope::Column::UserId.eq(u.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| Scope {
            province_id: s.province_id,
            prison_id: s.prison_id,
        })
        .collect();
    Ok(Some(Authed {
        user_id: u.id,
        user: SessionUser {
            public_id: u.public_id,
            display_name: u.display_name,
            role,
        },
        scopes,
        two_factor: u.totp_enabled,
    }))
}

/// The signed-in person for a request's headers.
pub async fn authed_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Authed>, AppError> {
    match cookie_value(headers, SESSION_COOKIE) {
        Some(token) => user_for_token(&state.db, &state.config, &token).await,
        None => Ok(None),
    }
}

/// The signed-in person inside a server function, or `None`.
pub async fn current() -> Result<Option<Authed>, AppError> {
    let state = use_state()?;
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()
        .ok_or_else(|| AppError::internal("context", "request parts missing"))?;
    authed_from_headers(&state, &parts.headers).await
}

/// The guard every protected server function starts with: signed in and one of `roles`.
/// A denial is logged with who asked for what.
pub async fn require(roles: &[Role]) -> Result<Authed, AppError> {
    match current().await? {
        None => Err(AppError::Unauthorized),
        Some(a) if roles.contains(&a.role()) => Ok(a),
        Some(a) => {
            tracing::warn!(user = %a.user.public_id, role = a.role().as_str(), ?roles, "access denied");
            Err(AppError::Forbidden)
        }
    }
}

/// Any staff role.
pub async fn require_staff() -> Result<Authed, AppError> {
    require(&Role::STAFF).await
}

/// A new account. Passwords are validated by the caller with the shared rules.
pub struct NewUser<'a> {
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub locale: &'a str,
}

pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    new: NewUser<'_>,
) -> Result<user::Model, AppError> {
    if let Some(email) = new.email {
        let taken = user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(db)
            .await?
            .is_some();
        if taken {
            return Err(AppError::invalid("email", "validation.email_taken"));
        }
    }
    Ok(user::ActiveModel {
        public_id: Set(crate::platform::public_code("U", 10)),
        email: Set(new.email.map(str::to_string)),
        phone: Set(None),
        display_name: Set(new.display_name.to_string()),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_string()),
        is_active: Set(true),
        totp_secret_enc: Set(None),
        totp_enabled: Set(false),
        locale: Set(new.locale.to_string()),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Password hashing (Argon2id: 19 MiB and tens of milliseconds each) runs on at most this many
/// blocking threads at once, one per core: a flood of sign-ins queues here instead of starving
/// every other request on a small server.
static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
/// How long a sign-in waits for a hashing slot before it is told to try again.
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `f` (a password hash or check) on the bounded hashing pool.
pub async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let pool = HASHING.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let _permit = match tokio::time::timeout(HASHING_WAIT, pool.acquire()).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(AppError::internal("hashing pool", e)),
        Err(_) => {
            tracing::warn!("password hashing pool busy: request refused");
            return Err(AppError::RateLimited);
        }
    };
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal("hashing task", e))
}

/// Sign-in attempts per account and per client address, counted in the database so every app
/// server shares them.
pub const SIGN_IN_PER_ACCOUNT: (i64, i64) = (60, 10);
pub const SIGN_IN_PER_CLIENT: (i64, i64) = (60, 30);
/// Receipt look-ups per tracking code: guessing four digits takes hours, not seconds.
pub const RECEIPT_LOOKUPS: (i64, i64) = (60, 5);

/// Counts an attempt against `bucket` (window seconds, max); `RateLimited` past the limit.
pub async fn limit(
    db: &sea_orm::DatabaseConnection,
    bucket: &str,
    (window, max): (i64, i64),
) -> Result<(), AppError> {
    if crate::platform::rate_limit::hit(db, bucket, window, max).await? {
        Ok(())
    } else {
        tracing::warn!(%bucket, "rate limited");
        Err(AppError::RateLimited)
    }
}

/// The client's address for the current server function's request, if known.
pub fn request_client_ip(config: &Config) -> Option<std::net::IpAddr> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| crate::platform::rate_limit::client_ip(config, &p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "wrong horse battery"));
        assert!(!verify_password(DISABLED_PASSWORD, "anything at all"));
    }

    #[test]
    fn codes_tokens_cookies() {
        assert_eq!(new_token().len(), 64);
        let cfg = Config::for_tests("sqlite::memory:");
        assert_ne!(token_hash(&cfg, "a"), token_hash(&cfg, "b"));
        let cookie = session_cookie(&cfg, "tok");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"), "dev cookies work over http");
        let mut prod = cfg.clone();
        prod.environment = "production".into();
        assert!(session_cookie(&prod, "tok").contains("; Secure"));
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; karamat_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie_value(&h, SESSION_COOKIE), Some("abc".into()));
        assert_eq!(cookie_value(&h, "nope"), None);
    }
}
