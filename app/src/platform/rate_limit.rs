//! Attempt counters shared by every app server: one row per bucket in `rate_limits`, counted in
//! one atomic upsert, so two instances behind a load balancer see the same count. A bucket's
//! window opens at its first attempt and lasts `window_secs`; it is not aligned to the clock, so
//! a burst cannot get twice the limit by straddling a minute boundary. Old windows are pruned
//! hourly by `serve`.

use super::Config;
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::net::{IpAddr, SocketAddr};

/// Counts one attempt in `bucket` and answers whether it is within `max` per `window_secs`.
pub async fn hit(
    db: &DatabaseConnection,
    bucket: &str,
    window_secs: i64,
    max: i64,
) -> Result<bool, AppError> {
    let now = chrono::Utc::now().timestamp();
    let backend = db.get_database_backend();
    // SQLite ≥ 3.35 and PostgreSQL both take INSERT … ON CONFLICT … RETURNING. The window
    // still open (started after `now - window`) counts on; an ended one restarts at `now`.
    let sql = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
           hits = CASE WHEN rate_limits.window_start > ? THEN rate_limits.hits + 1 ELSE 1 END, \
           window_start = CASE WHEN rate_limits.window_start > ? \
                          THEN rate_limits.window_start ELSE excluded.window_start END \
         RETURNING hits";
    let bucket: String = bucket.chars().take(250).collect();
    let window_open_after = now - window_secs.max(1);
    let row = db
        .query_one_raw(super::db::stmt(
            backend,
            sql,
            [
                bucket.into(),
                now.into(),
                window_open_after.into(),
                window_open_after.into(),
            ],
        ))
        .await?
        .ok_or_else(|| AppError::internal("rate limit", "no row returned"))?;
    let hits: i64 = row.try_get_by_index(0)?;
    Ok(hits <= max)
}

/// Removes counters whose window ended more than `older_than_secs` ago.
pub async fn prune(db: &DatabaseConnection, older_than_secs: i64) -> Result<u64, AppError> {
    let cutoff = chrono::Utc::now().timestamp() - older_than_secs;
    let backend = db.get_database_backend();
    Ok(db
        .execute_raw(super::db::stmt(
            backend,
            "DELETE FROM rate_limits WHERE window_start < ?",
            [cutoff.into()],
        ))
        .await?
        .rows_affected())
}

/// The client's address: the connection's peer, or — only when that peer is a configured
/// trusted proxy — the last address in `X-Forwarded-For` that is not itself a trusted proxy.
/// `None` when the server was not given connection info (tests calling the router directly).
pub fn client_ip(config: &Config, parts: &http::request::Parts) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !config.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !config.trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: &str, xff: Option<&str>) -> http::request::Parts {
        let mut b = http::Request::get("/");
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut p, _) = b.body(()).unwrap().into_parts();
        p.extensions.insert(axum::extract::ConnectInfo(
            peer.parse::<SocketAddr>().unwrap(),
        ));
        p
    }

    #[test]
    fn forwarded_addresses_only_from_trusted_proxies() {
        let mut c = Config::for_tests("sqlite::memory:");
        let spoofed = parts("203.0.113.9:5000", Some("1.2.3.4"));
        assert_eq!(client_ip(&c, &spoofed), "203.0.113.9".parse().ok());
        c.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
        let proxied = parts("10.0.0.1:5000", Some("1.2.3.4, 198.51.100.7"));
        assert_eq!(client_ip(&c, &proxied), "198.51.100.7".parse().ok());
        let (no_info, _) = http::Request::get("/").body(()).unwrap().into_parts();
        assert_eq!(client_ip(&c, &no_info), None);
    }
}
