//! The services assembled into the one `AppState` (its own floor: it holds the privacy sealer and
//! the payment gateways, which stand on `platform`, so it cannot be part of `platform` itself).

use crate::platform::Config;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The one state shared by axum handlers and (through context) by server functions.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Where the public lists and search read: a replica when `DATABASE_READ_URL` is set, else
    /// the same pool as `db`. The consistency rule: only reads nobody follows a write to (the
    /// needs and campaign lists, search, the API's lists) come here; a page a visitor opens
    /// right after acting (a need or campaign page after a gift, a receipt, anything signed in)
    /// reads `db`, so it never shows the moment before their own gift.
    #[from_ref(skip)]
    pub read: DatabaseConnection,
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
            read: db.clone(),
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

    /// Public lists and search read from `read` (a replica).
    pub fn with_read(mut self, read: DatabaseConnection) -> Self {
        self.read = read;
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
