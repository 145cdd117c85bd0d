//! The one error type server functions return. It carries a translation key, never internal
//! detail: the server logs what went wrong and the visitor reads a localized sentence.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not signed in.
    #[error("unauthorized")]
    Unauthorized,
    /// Signed in, but this role or scope may not do this.
    #[error("forbidden")]
    Forbidden,
    /// A staff account that has not turned on two-factor sign-in yet.
    #[error("two-factor sign-in required")]
    TwoFactorRequired,
    #[error("not found")]
    NotFound,
    /// Bad input: the field and the translation key of the message.
    #[error("invalid {field}: {key}")]
    Invalid { field: String, key: String },
    /// Too many attempts.
    #[error("rate limited")]
    RateLimited,
    /// Something failed inside; details are in the server log only.
    #[error("internal error")]
    Internal,
    /// The request never reached the function, or its answer never came back.
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, key: &str) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            key: key.to_string(),
        }
    }

    /// The translation key of the message a visitor sees.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::Unauthorized => "error.unauthorized",
            AppError::Forbidden => "error.forbidden",
            AppError::TwoFactorRequired => "error.two_factor_required",
            AppError::NotFound => "error.not_found",
            AppError::Invalid { key, .. } => key,
            AppError::RateLimited => "error.rate_limited",
            AppError::Internal => "error.internal",
            AppError::Transport(_) => "error.network",
        }
    }

    /// Logs an internal failure with its detail and returns the generic error.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%context, error = %err, "internal error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status that fits this error.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::TwoFactorRequired => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets the response status of the current server function to fit this error.
    pub fn with_status(self) -> Self {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not parse (an empty body, `publish=maybe`, a field missing): the
            // caller's mistake, answered 400 with a localized message, never serde's words.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                #[cfg(feature = "ssr")]
                {
                    tracing::info!(%detail, "server function arguments refused");
                    if let Some(res) =
                        leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                    {
                        res.set_status(axum::http::StatusCode::BAD_REQUEST);
                    }
                }
                #[cfg(not(feature = "ssr"))]
                let _ = detail;
                AppError::invalid("request", "error.bad_request")
            }
            #[cfg(feature = "ssr")]
            other => AppError::internal("server function", other),
            #[cfg(not(feature = "ssr"))]
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal("database", err)
    }
}
