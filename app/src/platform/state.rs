use super::Config;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The one state shared by axum handlers and (through context) by server functions.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub limits: Arc<crate::auth::ssr::Limits>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: DatabaseConnection, config: Config) -> Self {
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            limits: Arc::new(crate::auth::ssr::Limits::default()),
        }
    }
}

/// The state inside a server function or component rendered on the server.
pub fn use_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::error::AppError::internal("context", "AppState missing"))
}
