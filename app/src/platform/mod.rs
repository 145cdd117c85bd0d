//! What every capability stands on: configuration, the shared state, the database connection
//! and its entities, and the health report.

#[cfg(feature = "ssr")]
mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
mod state;

#[cfg(feature = "ssr")]
pub use config::*;

/// Compares two secrets (tokens, one-time codes, bearer tokens) in time independent of where
/// they differ, so a guesser learns nothing from how long a refusal took.
#[cfg(feature = "ssr")]
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(feature = "ssr")]
pub use state::*;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::tokens_match;

    #[test]
    fn secrets_compare_whole() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", "a"));
    }
}
