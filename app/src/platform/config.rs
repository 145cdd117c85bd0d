use std::net::IpAddr;
use std::time::Duration;

/// Runtime configuration, read from the environment (see `.env.example`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://data/karamat.db?mode=rwc` by default; `postgres://…` to scale out.
    pub database_url: String,
    /// `DATABASE_READ_URL`: a read replica for the public lists and search (see
    /// [`AppState::read`](super::AppState)). Unset: everything reads the primary.
    pub database_read_url: Option<String>,
    /// `dev` relaxes the `Secure` cookie flag so http://127.0.0.1 works; anything else is production.
    pub environment: String,
    /// Pepper for session-token hashing and other keyed hashes (32+ random bytes, hex or text).
    pub secret_key: String,
    /// The key of the audit log's chain (HMAC-SHA-256): kept outside the database, so whoever can
    /// write the database cannot recompute the chain after an edit.
    pub audit_key: String,
    /// `scheme://host[:port]` browsers use to reach this site. Every URL we hand out (the bank's
    /// callback, redirects) is built from it, never from the request's `Host`. Production must set
    /// it; development defaults to `http://` + the listening address.
    pub public_origin: String,
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` we believe (their own addresses).
    pub trusted_proxies: Vec<IpAddr>,
    /// Payments through the sandbox bank outside development: every page then says so.
    pub test_payments: bool,
    pub session_ttl: Duration,
    /// A staff session ends after this long without a request.
    pub staff_idle: Duration,
    pub request_timeout: Duration,
    /// How long an anonymous visitor's public page is kept and served again
    /// (`KARAMAT_PAGE_CACHE_SECS`, 5; 0: never). See `server::page_cache`.
    pub page_cache: Duration,
    /// How often each server runs the reconciler, expiry, pledge reminders and the KPI turn
    /// (`KARAMAT_JOBS_EVERY_SECS`, 300), and the outbox (`KARAMAT_OUTBOX_EVERY_SECS`, 15). Drills
    /// and tests shorten them.
    pub jobs_every: Duration,
    pub outbox_every: Duration,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/karamat.db?mode=rwc";
const DEV_SECRET: &str = "karamat-dev-secret-change-me-in-production-000000";
/// The audit chain's development key (the audit module chains under it until `set_key`).
pub const DEV_AUDIT_KEY: &str = "karamat-dev-audit-key-not-secret-0000000000000000";
/// Shortest secret accepted in production (characters; hex of 32 random bytes is 64).
const MIN_SECRET_CHARS: usize = 32;

/// Reads one setting: `None` when unset or blank.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn env_lookup(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Config {
        Config::from_lookup(&env_lookup)
    }

    /// The configuration from any source of settings (the environment in `main`, a map in tests).
    pub fn from_lookup(get: Lookup) -> Config {
        let environment = get("KARAMAT_ENV").unwrap_or_else(|| "production".into());
        let dev = environment == "dev";
        let site_addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let public_origin = get("KARAMAT_PUBLIC_ORIGIN")
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| {
                if dev {
                    format!("http://{site_addr}")
                } else {
                    String::new()
                }
            });
        let number = |k: &str, default: u64| {
            get(k)
                .and_then(|h| h.trim().parse::<u64>().ok())
                .unwrap_or(default)
        };
        // A timer's period: zero would spin, so it reads as unset.
        let period = |k: &str, default: u64| {
            Duration::from_secs(
                Some(number(k, default))
                    .filter(|s| *s > 0)
                    .unwrap_or(default),
            )
        };
        Config {
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            database_read_url: get("DATABASE_READ_URL"),
            secret_key: get("KARAMAT_SECRET_KEY").unwrap_or_else(|| DEV_SECRET.into()),
            audit_key: get("KARAMAT_AUDIT_KEY").unwrap_or_else(|| DEV_AUDIT_KEY.into()),
            public_origin,
            trusted_proxies: get("KARAMAT_TRUSTED_PROXIES")
                .map(|list| {
                    list.split(',')
                        .filter_map(|p| p.trim().parse::<IpAddr>().ok())
                        .collect()
                })
                .unwrap_or_default(),
            test_payments: get("KARAMAT_TEST_PAYMENTS").is_some_and(|v| v == "1" || v == "true"),
            session_ttl: Duration::from_secs(number("KARAMAT_SESSION_HOURS", 12) * 3600),
            staff_idle: Duration::from_secs(number("KARAMAT_STAFF_IDLE_MINUTES", 30) * 60),
            request_timeout: Duration::from_secs(number("KARAMAT_REQUEST_TIMEOUT_SECS", 30)),
            page_cache: Duration::from_secs(number("KARAMAT_PAGE_CACHE_SECS", 5)),
            jobs_every: period("KARAMAT_JOBS_EVERY_SECS", 300),
            outbox_every: period("KARAMAT_OUTBOX_EVERY_SECS", 15),
            environment,
        }
    }

    /// A configuration for tests: development mode against the given database.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.into(),
            database_read_url: None,
            environment: "dev".into(),
            secret_key: DEV_SECRET.into(),
            audit_key: DEV_AUDIT_KEY.into(),
            public_origin: "http://127.0.0.1:3000".into(),
            trusted_proxies: Vec::new(),
            test_payments: false,
            session_ttl: Duration::from_secs(3600),
            staff_idle: Duration::from_secs(30 * 60),
            request_timeout: Duration::from_secs(30),
            // Off: a test that changes data through a service and then reads a page must see the
            // change; the cache's own tests turn it on.
            page_cache: Duration::ZERO,
            jobs_every: Duration::from_secs(300),
            outbox_every: Duration::from_secs(15),
        }
    }

    pub fn is_dev(&self) -> bool {
        self.environment == "dev"
    }

    pub fn cookie_secure(&self) -> bool {
        !self.is_dev()
    }

    /// `host[:port]` of the public origin.
    pub fn public_host(&self) -> &str {
        host_of(&self.public_origin)
    }
}

/// `host[:port]` of a URL or origin (`https://k.ir/x` → `k.ir`).
pub fn host_of(url: &str) -> &str {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
}

/// Everything that keeps a production start from being safe, one line per setting, naming it.
/// Empty in development (`KARAMAT_ENV=dev`), where the built-in keys and the sandbox bank are the
/// point. `is_dev_field_key` tells a field or blind-index key equal to the built-in one (the
/// privacy module owns those).
pub fn production_problems(get: Lookup, is_dev_field_key: &dyn Fn(&str) -> bool) -> Vec<String> {
    if get("KARAMAT_ENV").as_deref() == Some("dev") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut secret = |name: &str, dev_value: &str| match get(name) {
        None => out.push(format!(
            "{name} is not set (32+ random bytes, e.g. `openssl rand -hex 32`)"
        )),
        Some(v) if v == dev_value => {
            out.push(format!("{name} is the development value from the source"))
        }
        Some(v) if v.chars().count() < MIN_SECRET_CHARS => out.push(format!(
            "{name} is shorter than {MIN_SECRET_CHARS} characters"
        )),
        Some(_) => {}
    };
    secret("KARAMAT_SECRET_KEY", DEV_SECRET);
    secret("KARAMAT_AUDIT_KEY", DEV_AUDIT_KEY);
    for name in ["KARAMAT_FIELD_KEY", "KARAMAT_BLIND_INDEX_KEY"] {
        match get(name) {
            None => out.push(format!("{name} is not set (64 hex characters)")),
            Some(v) if is_dev_field_key(&v) => {
                out.push(format!("{name} is the development key from the source"))
            }
            Some(v) if hex::decode(v.trim()).map_or(true, |b| b.len() != 32) => {
                out.push(format!("{name} must be 64 hex characters"))
            }
            Some(_) => {}
        }
    }
    if get("KARAMAT_FIELD_KEY").is_some()
        && get("KARAMAT_FIELD_KEY") == get("KARAMAT_BLIND_INDEX_KEY")
    {
        out.push("KARAMAT_FIELD_KEY and KARAMAT_BLIND_INDEX_KEY must differ".into());
    }
    match get("KARAMAT_FIELD_KEY_ID").as_deref() {
        None => out
            .push("KARAMAT_FIELD_KEY_ID is not set (a name for the field key, e.g. 2026a)".into()),
        Some("dev") => out.push("KARAMAT_FIELD_KEY_ID is `dev`, the development key's id".into()),
        Some(_) => {}
    }
    match get("KARAMAT_PUBLIC_ORIGIN") {
        None => out.push("KARAMAT_PUBLIC_ORIGIN is not set (https://your.domain)".into()),
        Some(o) if !o.starts_with("https://") => {
            out.push("KARAMAT_PUBLIC_ORIGIN must be an https:// origin".into())
        }
        Some(_) => {}
    }
    let test_payments = get("KARAMAT_TEST_PAYMENTS").is_some_and(|v| v == "1" || v == "true");
    if get("KARAMAT_GATEWAY").as_deref().unwrap_or("sandbox") == "sandbox" && !test_payments {
        out.push(
            "KARAMAT_GATEWAY is the sandbox bank (the default): set KARAMAT_GATEWAY=zarinpal, or \
             KARAMAT_TEST_PAYMENTS=1 for a test installation that says so on every page"
                .into(),
        );
    }
    if let Some(list) = get("KARAMAT_TRUSTED_PROXIES") {
        for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if p.parse::<IpAddr>().is_err() {
                out.push(format!(
                    "KARAMAT_TRUSTED_PROXIES: {p:?} is not an IP address"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup<'a>(m: &'a HashMap<&'static str, String>) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| m.get(k).cloned()
    }

    fn safe() -> HashMap<&'static str, String> {
        HashMap::from([
            ("KARAMAT_SECRET_KEY", "a".repeat(64)),
            ("KARAMAT_AUDIT_KEY", "b".repeat(64)),
            ("KARAMAT_FIELD_KEY", "11".repeat(32)),
            ("KARAMAT_BLIND_INDEX_KEY", "22".repeat(32)),
            ("KARAMAT_FIELD_KEY_ID", "2026a".into()),
            ("KARAMAT_PUBLIC_ORIGIN", "https://karamat.example".into()),
            ("KARAMAT_GATEWAY", "zarinpal".into()),
        ])
    }

    #[test]
    fn production_names_every_unsafe_setting() {
        let dev_key = |v: &str| v == "00".repeat(32);
        let m = safe();
        assert!(production_problems(&lookup(&m), &dev_key).is_empty());
        let all = production_problems(&|_| None, &dev_key);
        for name in [
            "KARAMAT_SECRET_KEY",
            "KARAMAT_AUDIT_KEY",
            "KARAMAT_FIELD_KEY ",
            "KARAMAT_BLIND_INDEX_KEY",
            "KARAMAT_FIELD_KEY_ID",
            "KARAMAT_PUBLIC_ORIGIN",
            "KARAMAT_GATEWAY",
        ] {
            assert!(all.iter().any(|p| p.starts_with(name)), "{name}: {all:?}");
        }
        for (k, v) in [
            ("KARAMAT_SECRET_KEY", DEV_SECRET.to_string()),
            ("KARAMAT_SECRET_KEY", "short".into()),
            ("KARAMAT_AUDIT_KEY", DEV_AUDIT_KEY.to_string()),
            ("KARAMAT_FIELD_KEY", "00".repeat(32)),
            ("KARAMAT_BLIND_INDEX_KEY", "xyz".into()),
            ("KARAMAT_FIELD_KEY_ID", "dev".into()),
            ("KARAMAT_PUBLIC_ORIGIN", "http://karamat.example".into()),
            ("KARAMAT_GATEWAY", "sandbox".into()),
        ] {
            let mut m = safe();
            m.insert(k, v);
            let p = production_problems(&lookup(&m), &dev_key);
            assert_eq!(p.len(), 1, "{k}: {p:?}");
            assert!(p[0].starts_with(k), "{k}: {p:?}");
        }
        // The sandbox is allowed when the installation says it is a test one.
        let mut m = safe();
        m.insert("KARAMAT_GATEWAY", "sandbox".into());
        m.insert("KARAMAT_TEST_PAYMENTS", "1".into());
        assert!(production_problems(&lookup(&m), &dev_key).is_empty());
        // Development needs nothing.
        let dev = HashMap::from([("KARAMAT_ENV", "dev".to_string())]);
        assert!(production_problems(&lookup(&dev), &dev_key).is_empty());
    }

    #[test]
    fn urls_come_from_the_configured_origin() {
        let m = HashMap::from([
            ("KARAMAT_ENV", "dev".to_string()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3107".to_string()),
        ]);
        let c = Config::from_lookup(&lookup(&m));
        assert_eq!(c.public_origin, "http://127.0.0.1:3107");
        assert_eq!(c.public_host(), "127.0.0.1:3107");
        let m = HashMap::from([
            ("KARAMAT_PUBLIC_ORIGIN", "https://k.example/".to_string()),
            (
                "KARAMAT_TRUSTED_PROXIES",
                "10.0.0.1, ::1, nonsense".to_string(),
            ),
        ]);
        let c = Config::from_lookup(&lookup(&m));
        assert_eq!(c.public_origin, "https://k.example");
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.staff_idle, Duration::from_secs(1800));
    }
}
