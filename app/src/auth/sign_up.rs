//! Sign-up by e-mail confirmation. The form's answer is the same whether or not the address is
//! registered: a new address gets a link that makes the account, a registered one gets a note
//! telling its owner that someone tried (and where to sign in). No account, and no session,
//! exists until the link is followed, so nobody can take an address they cannot read.

use super::ssr::{create_user, new_token, token_hash, NewUser};
use super::Role;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::platform::entity::{pending_sign_up, user};
use crate::state::AppState;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

/// Sign-ups asked for one address: each sends a message, so a stranger cannot flood an inbox.
pub const SIGN_UP_PER_ADDRESS: (i64, i64) = (3600, 3);
/// How long a confirmation link works.
pub const LINK_VALID_HOURS: i64 = 24;

/// What the form collected, already validated with the shared rules and the password hashed.
pub struct Request<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: String,
    pub role: Role,
    pub locale: Locale,
}

/// Records the request and queues the one message it leads to. Both branches read the users
/// table, write to the outbox and commit, so their answers and timings look alike.
pub async fn request(state: &AppState, r: Request<'_>) -> Result<(), AppError> {
    let txn = state.db.begin().await?;
    let registered = user::Entity::find()
        .filter(user::Column::Email.eq(r.email))
        .one(&txn)
        .await?
        .is_some();
    let origin = state.config.public_origin.trim_end_matches('/');
    if registered {
        crate::notify::enqueue(
            &txn,
            &state.sealer,
            r.email,
            "sign_up_exists",
            r.locale,
            serde_json::json!({ "url": format!("{origin}/sign-in") }),
        )
        .await?;
        tracing::info!("sign-up for a registered address: owner told");
    } else {
        let token = new_token();
        let now = Utc::now();
        pending_sign_up::ActiveModel {
            token_hash: Set(token_hash(&state.config, &token)),
            email: Set(r.email.to_string()),
            display_name: Set(r.display_name.to_string()),
            password_hash: Set(r.password_hash),
            role: Set(r.role.as_str().to_string()),
            locale: Set(r.locale.code().to_string()),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(LINK_VALID_HOURS)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        crate::notify::enqueue(
            &txn,
            &state.sealer,
            r.email,
            "sign_up_confirm",
            r.locale,
            serde_json::json!({ "url": format!("{origin}/sign-up/confirm/{token}") }),
        )
        .await?;
        tracing::info!(role = r.role.as_str(), "sign-up requested: link queued");
    }
    txn.commit().await?;
    Ok(())
}

/// Makes the account a link asked for, once: the pending rows for the address go with it. A
/// link that expired, was used, or names an address registered since answers `auth.link_invalid`.
pub async fn confirm(state: &AppState, token: &str) -> Result<(user::Model, Role), AppError> {
    let invalid = || AppError::invalid("token", "auth.link_invalid");
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let txn = state.db.begin().await?;
    let Some(p) = pending_sign_up::Entity::find()
        .filter(pending_sign_up::Column::TokenHash.eq(token_hash(&state.config, token)))
        .filter(pending_sign_up::Column::ExpiresAt.gt(Utc::now()))
        .one(&txn)
        .await?
    else {
        return Err(invalid());
    };
    let role = Role::parse(&p.role)
        .filter(|r| r.self_service())
        .ok_or_else(|| AppError::internal("pending role", &p.role))?;
    // Deleting first makes a second click on the same link (or a race of two) find nothing.
    let gone = pending_sign_up::Entity::delete_many()
        .filter(pending_sign_up::Column::Email.eq(p.email.clone()))
        .exec(&txn)
        .await?
        .rows_affected;
    if gone == 0 {
        return Err(invalid());
    }
    let u = match create_user(
        &txn,
        NewUser {
            email: Some(&p.email),
            display_name: &p.display_name,
            password_hash: p.password_hash.clone(),
            role,
            locale: &p.locale,
        },
    )
    .await
    {
        Ok(u) => u,
        // Registered meanwhile through another link: this one is simply spent.
        Err(AppError::Invalid { .. }) => {
            txn.commit().await?;
            return Err(invalid());
        }
        Err(e) => return Err(e),
    };
    txn.commit().await?;
    tracing::info!(user = %u.public_id, role = role.as_str(), "signed up (address confirmed)");
    Ok((u, role))
}

/// Removes links that ran out (hourly, with expired sessions).
pub async fn prune_expired(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    Ok(pending_sign_up::Entity::delete_many()
        .filter(pending_sign_up::Column::ExpiresAt.lt(Utc::now()))
        .exec(db)
        .await?
        .rows_affected)
}
