use std::time::Duration;

/// Runtime configuration, read from the environment (see `.env.example`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/karamat.db?mode=rwc` by default; `postgres://…` to scale out.
    pub database_url: String,
    /// `dev` relaxes the `Secure` cookie flag so http://127.0.0.1 works; anything else is production.
    pub environment: String,
    /// Pepper for session-token hashing and other keyed hashes (32+ random bytes, hex or text).
    pub secret_key: String,
    /// Public origin (scheme://host[:port]) used by the cross-site POST check; empty = same host.
    pub public_origin: Option<String>,
    pub session_ttl: Duration,
    pub request_timeout: Duration,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/karamat.db?mode=rwc";
const DEV_SECRET: &str = "karamat-dev-secret-change-me-in-production-000000";

impl Config {
    pub fn from_env() -> Config {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let environment = get("KARAMAT_ENV").unwrap_or_else(|| "production".into());
        let secret_key = match get("KARAMAT_SECRET_KEY") {
            Some(k) => k,
            None => {
                if environment != "dev" {
                    tracing::warn!("KARAMAT_SECRET_KEY is not set: using the development secret");
                }
                DEV_SECRET.into()
            }
        };
        Config {
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            environment,
            secret_key,
            public_origin: get("KARAMAT_PUBLIC_ORIGIN"),
            session_ttl: Duration::from_secs(
                get("KARAMAT_SESSION_HOURS")
                    .and_then(|h| h.parse::<u64>().ok())
                    .unwrap_or(12)
                    * 3600,
            ),
            request_timeout: Duration::from_secs(
                get("KARAMAT_REQUEST_TIMEOUT_SECS")
                    .and_then(|h| h.parse::<u64>().ok())
                    .unwrap_or(30),
            ),
        }
    }

    /// A configuration for tests: development mode against the given database.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.into(),
            environment: "dev".into(),
            secret_key: DEV_SECRET.into(),
            public_origin: None,
            session_ttl: Duration::from_secs(3600),
            request_timeout: Duration::from_secs(30),
        }
    }

    pub fn is_dev(&self) -> bool {
        self.environment == "dev"
    }

    pub fn cookie_secure(&self) -> bool {
        !self.is_dev()
    }
}
