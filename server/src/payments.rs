//! The two HTTP endpoints of the payment protocol that are not pages: the gateway's callback
//! (the payer's browser comes back from the gateway) and the sandbox bank's card-page decision.

use app::giving::settlement;
use app::payments::sandbox;
use app::state::AppState;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(rename = "Authority", default)]
    authority: String,
    #[serde(rename = "Status", default)]
    status: String,
}

/// `GET /give/callback/{gateway}?Authority=…&Status=OK|NOK`. Gateways send the browser back with
/// a GET; what it changes is decided by the gateway's own verify answer, and any number of
/// repeats settle once. Always ends on the receipt.
pub async fn callback(
    State(state): State<AppState>,
    Path(gateway): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    match settlement::settle(&state, &gateway, q.authority.trim(), q.status == "OK").await {
        Ok(done) => {
            tracing::info!(tracking = %done.tracking_code, outcome = ?done.outcome, "gateway callback");
            Redirect::to(&settlement::signed_receipt_url(&state, &done.tracking_code))
                .into_response()
        }
        Err(app::error::AppError::NotFound) => {
            tracing::warn!(%gateway, authority = %q.authority, "callback for an unknown payment");
            (StatusCode::NOT_FOUND, "unknown payment").into_response()
        }
        Err(e) => {
            // Logged where it happened; the gift stays pending and reconciliation retries it.
            tracing::error!(%gateway, authority = %q.authority, error = %e, "callback failed");
            match settlement::find_by_authority(&state.db, &gateway, q.authority.trim()).await {
                Ok(Some(d)) => {
                    Redirect::to(&settlement::signed_receipt_url(&state, &d.tracking_code))
                        .into_response()
                }
                _ => (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response(),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(default)]
    decision: String,
}

/// `POST /sandbox-bank/{authority}/decide`: the sandbox bank records the payer's choice and
/// sends the browser back to the merchant's callback, as a real bank does.
pub async fn sandbox_decide(
    State(state): State<AppState>,
    Path(authority): Path<String>,
    Form(d): Form<Decision>,
) -> Response {
    match sandbox::decide(&state.db, &authority, &d.decision).await {
        Ok(Some(url)) => Redirect::to(&url).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "unknown payment").into_response(),
        Err(e) => {
            tracing::error!(%authority, error = %e, "sandbox decision failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
