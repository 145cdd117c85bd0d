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
    pub sealer: Arc<crate::privacy::Sealer>,
    pub gateways: crate::payments::Gateways,
}

impl AppState {
    /// A state with the development field keys and the sandbox bank; `main` swaps in what the
    /// environment configures ([`AppState::with_sealer`], [`AppState::with_gateways`]).
    pub fn new(leptos_options: LeptosOptions, db: DatabaseConnection, config: Config) -> Self {
        let sandbox = crate::payments::sandbox::SandboxBank::new(db.clone());
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            sealer: Arc::new(crate::privacy::Sealer::dev()),
            gateways: crate::payments::Gateways::new(Arc::new(sandbox)),
        }
    }

    pub fn with_sealer(mut self, sealer: crate::privacy::Sealer) -> Self {
        self.sealer = Arc::new(sealer);
        self
    }

    pub fn with_gateways(mut self, gateways: crate::payments::Gateways) -> Self {
        self.gateways = gateways;
        self
    }
}

/// The state inside a server function or component rendered on the server.
pub fn use_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::error::AppError::internal("context", "AppState missing"))
}
