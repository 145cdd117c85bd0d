//! Field-level AEAD (XChaCha20-Poly1305). A sealed value is `nonce (24 bytes) ‖ ciphertext ‖ tag`;
//! the row keeps the `key_id` so keys can rotate. The column's name is bound in as associated
//! data, so a value copied into another column does not open.

use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{AeadCore, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Development keys: clearly not secret. Production sets `KARAMAT_FIELD_KEY` and
/// `KARAMAT_BLIND_INDEX_KEY` (64 hex characters each).
const DEV_FIELD_KEY: [u8; 32] = *b"karamat-dev-field-key-not-secret";
const DEV_BLIND_KEY: [u8; 32] = *b"karamat-dev-blind-key-not-secret";

#[derive(Clone)]
pub struct Sealer {
    key_id: String,
    cipher: XChaCha20Poly1305,
    blind_key: [u8; 32],
    /// Retired keys (id, cipher): values sealed under them still open until `rotate-keys` has
    /// re-sealed every row under the current key.
    old: Vec<(String, XChaCha20Poly1305)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("sealed value is too short")]
    Truncated,
    #[error("sealed value does not open with this key")]
    Open,
    #[error("bad key: {0}")]
    Key(String),
}

fn key_from_hex(name: &str, hex_key: &str) -> Result<[u8; 32], SealError> {
    let bytes = hex::decode(hex_key.trim()).map_err(|e| SealError::Key(format!("{name}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| SealError::Key(format!("{name} must be 32 bytes (64 hex characters)")))
}

impl Sealer {
    pub fn new(key_id: &str, field_key: [u8; 32], blind_key: [u8; 32]) -> Sealer {
        Sealer {
            key_id: key_id.to_string(),
            cipher: XChaCha20Poly1305::new(&field_key.into()),
            blind_key,
            old: Vec::new(),
        }
    }

    /// Adds a retired key that can still open values (not seal them).
    pub fn with_old_key(mut self, key_id: &str, field_key: [u8; 32]) -> Sealer {
        self.old.push((
            key_id.to_string(),
            XChaCha20Poly1305::new(&field_key.into()),
        ));
        self
    }

    /// The ids of the retired keys this sealer still opens.
    pub fn old_key_ids(&self) -> Vec<String> {
        self.old.iter().map(|(id, _)| id.clone()).collect()
    }

    /// From `KARAMAT_FIELD_KEY_ID`, `KARAMAT_FIELD_KEY`, `KARAMAT_BLIND_INDEX_KEY`, falling back
    /// to the development keys (key id `dev`) when unset.
    pub fn from_env() -> Result<Sealer, SealError> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let field = match get("KARAMAT_FIELD_KEY") {
            Some(h) => key_from_hex("KARAMAT_FIELD_KEY", &h)?,
            None => DEV_FIELD_KEY,
        };
        let blind = match get("KARAMAT_BLIND_INDEX_KEY") {
            Some(h) => key_from_hex("KARAMAT_BLIND_INDEX_KEY", &h)?,
            None => DEV_BLIND_KEY,
        };
        let key_id = get("KARAMAT_FIELD_KEY_ID").unwrap_or_else(|| "dev".into());
        let mut sealer = Sealer::new(&key_id, field, blind);
        // `KARAMAT_FIELD_KEYS_OLD=id1:hex,id2:hex`: keys being rotated away from.
        if let Some(list) = get("KARAMAT_FIELD_KEYS_OLD") {
            for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let (id, hex_key) = item.split_once(':').ok_or_else(|| {
                    SealError::Key("KARAMAT_FIELD_KEYS_OLD: expected id:hex".into())
                })?;
                let key = if hex_key == "dev" {
                    DEV_FIELD_KEY
                } else {
                    key_from_hex("KARAMAT_FIELD_KEYS_OLD", hex_key)?
                };
                sealer = sealer.with_old_key(id, key);
            }
        }
        Ok(sealer)
    }

    /// Whether a configured key (hex) is one of the development keys in this source.
    pub fn is_dev_key(hex_key: &str) -> bool {
        hex::decode(hex_key.trim())
            .is_ok_and(|b| b.as_slice() == DEV_FIELD_KEY || b.as_slice() == DEV_BLIND_KEY)
    }

    pub fn dev() -> Sealer {
        Sealer::new("dev", DEV_FIELD_KEY, DEV_BLIND_KEY)
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn seal(&self, column: &str, plaintext: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(24 + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, column: &str, sealed: &[u8]) -> Result<String, SealError> {
        if sealed.len() < 24 + 16 {
            return Err(SealError::Truncated);
        }
        let (nonce, body) = sealed.split_at(24);
        let payload = || Payload {
            msg: body,
            aad: column.as_bytes(),
        };
        let plain = std::iter::once(&self.cipher)
            .chain(self.old.iter().map(|(_, c)| c))
            .find_map(|c| c.decrypt(XNonce::from_slice(nonce), payload()).ok())
            .ok_or(SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }

    /// A keyed, deterministic index of a normalised value (e.g. a national code) for exact
    /// look-up without storing the value.
    pub fn blind_index(&self, kind: &str, normalised: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.blind_key)
            .expect("HMAC takes a key of any length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_column_binding() {
        let s = Sealer::dev();
        let sealed = s.seal("families.head_name", "مریم احمدی");
        assert!(!sealed.windows("مریم".len()).any(|w| w == "مریم".as_bytes()));
        assert_eq!(s.open("families.head_name", &sealed).unwrap(), "مریم احمدی");
        assert_eq!(s.open("prisoners.name", &sealed), Err(SealError::Open));
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert_eq!(
            s.open("families.head_name", &tampered),
            Err(SealError::Open)
        );
        assert_eq!(s.open("x", &[1, 2, 3]), Err(SealError::Truncated));
        // Two seals of one value differ (random nonces).
        assert_ne!(sealed, s.seal("families.head_name", "مریم احمدی"));
    }

    #[test]
    fn retired_keys_still_open_but_never_seal() {
        let old = Sealer::dev();
        let sealed = old.seal("families.phone", "09121234567");
        let new = Sealer::new("k2", [7u8; 32], [9u8; 32]);
        assert_eq!(new.open("families.phone", &sealed), Err(SealError::Open));
        let rotating = Sealer::new("k2", [7u8; 32], [9u8; 32]).with_old_key("dev", DEV_FIELD_KEY);
        assert_eq!(
            rotating.open("families.phone", &sealed).unwrap(),
            "09121234567"
        );
        let resealed = rotating.seal("families.phone", "09121234567");
        assert_eq!(
            new.open("families.phone", &resealed).unwrap(),
            "09121234567"
        );
        assert_eq!(old.open("families.phone", &resealed), Err(SealError::Open));
        assert_eq!(rotating.old_key_ids(), vec!["dev".to_string()]);
    }

    #[test]
    fn other_key_cannot_open_and_blind_index_is_keyed() {
        let a = Sealer::dev();
        let b = Sealer::new("k2", [7u8; 32], [9u8; 32]);
        let sealed = a.seal("c", "0499370899");
        assert_eq!(b.open("c", &sealed), Err(SealError::Open));
        assert_eq!(
            a.blind_index("nc", "0499370899"),
            a.blind_index("nc", "0499370899")
        );
        assert_ne!(
            a.blind_index("nc", "0499370899"),
            b.blind_index("nc", "0499370899")
        );
        assert_ne!(
            a.blind_index("nc", "0499370899"),
            a.blind_index("phone", "0499370899")
        );
    }
}
