//! Public codes and secret comparison: what every floor above may need, with no state of its own.

use rand::Rng;

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random public code (no 0/O/1/I), e.g. `N-7KQ2M9XD`. Never derived from an id.
pub fn public_code(prefix: &str, len: usize) -> String {
    let mut rng = rand::thread_rng();
    let body: String = (0..len)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{prefix}-{body}")
}

/// Compares two secrets (tokens, one-time codes, bearer tokens) in time independent of where
/// they differ, so a guesser learns nothing from how long a refusal took.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_shaped() {
        let c = public_code("N", 8);
        assert_eq!(c.len(), 10);
        assert!(c.starts_with("N-"));
        assert!(c[2..].bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_ne!(public_code("N", 8), public_code("N", 8));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", "a"));
    }
}
