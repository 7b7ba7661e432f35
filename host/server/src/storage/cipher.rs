//! Encryption of secrets at rest (cached access tokens and other credentials in the database).
//!
//! AES-256-GCM from RustCrypto with a fresh random 96-bit nonce per value, stored as
//! `nonce || ciphertext+tag`. Each value is bound to its row through the associated data, so a
//! ciphertext copied into another row fails authentication instead of decrypting. The key comes
//! from `WORKLINK_SECRET_KEY` (base64 of 32 bytes), never from the database itself.

use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The environment variable holding the at-rest key.
pub const SECRET_KEY_ENV: &str = "WORKLINK_SECRET_KEY";

/// Bytes of nonce prefixed to every stored value.
const NONCE_LEN: usize = 12;

/// Why the at-rest key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The variable is not set.
    #[error("{SECRET_KEY_ENV} is not set; generate one with `openssl rand -base64 32`")]
    Missing,
    /// The variable is not valid base64.
    #[error("{SECRET_KEY_ENV} is not valid base64")]
    NotBase64,
    /// The variable decodes to the wrong number of bytes.
    #[error("{SECRET_KEY_ENV} must decode to 32 bytes, got {0}")]
    WrongLength(usize),
}

/// Why a value could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The value is too large for one AES-GCM message (over 64 GiB).
    #[error("value too large to encrypt")]
    Encrypt,
    /// The stored value failed authentication: tampered, truncated, moved to another row, or
    /// encrypted under a different key.
    #[error("stored secret failed authentication")]
    Decrypt,
}

/// Encrypts and decrypts values stored in the database.
#[derive(Clone)]
pub struct SecretCipher {
    cipher: Aes256Gcm,
}

impl fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretCipher(***)")
    }
}

impl SecretCipher {
    /// Loads the key from `WORKLINK_SECRET_KEY`.
    pub fn from_env() -> Result<Self, KeyError> {
        let value = std::env::var(SECRET_KEY_ENV).map_err(|_| KeyError::Missing)?;
        Self::from_base64(&value)
    }

    /// Loads the key from its base64 form (surrounding whitespace ignored).
    pub fn from_base64(encoded: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| KeyError::WrongLength(bytes.len()))?;
        Ok(Self::from_bytes(&key))
    }

    /// Uses `key` directly.
    pub fn from_bytes(key: &[u8; 32]) -> Self {
        SecretCipher {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        }
    }

    /// Encrypts `plaintext` for the row identified by `context`.
    pub fn encrypt(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>, CipherError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| CipherError::Encrypt)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts a value produced by [`SecretCipher::encrypt`] with the same `context`.
    pub fn decrypt(&self, stored: &[u8], context: &str) -> Result<Vec<u8>, CipherError> {
        if stored.len() < NONCE_LEN {
            return Err(CipherError::Decrypt);
        }
        let (nonce, ciphertext) = stored.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CipherError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> SecretCipher {
        SecretCipher::from_bytes(&[7; 32])
    }

    #[test]
    fn round_trip_and_ciphertext_differs_from_plaintext() {
        let stored = cipher().encrypt(b"access-token-123", "wecom:acme").unwrap();
        assert!(!stored.windows(16).any(|w| w == b"access-token-123"));
        assert_eq!(
            cipher().decrypt(&stored, "wecom:acme").unwrap(),
            b"access-token-123"
        );
    }

    #[test]
    fn each_value_gets_a_fresh_nonce() {
        let a = cipher().encrypt(b"same", "k").unwrap();
        let b = cipher().encrypt(b"same", "k").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn tampering_wrong_row_and_wrong_key_are_detected() {
        let mut stored = cipher().encrypt(b"secret", "k").unwrap();
        assert_eq!(
            cipher().decrypt(&stored, "other-row"),
            Err(CipherError::Decrypt)
        );
        assert_eq!(
            SecretCipher::from_bytes(&[8; 32]).decrypt(&stored, "k"),
            Err(CipherError::Decrypt)
        );
        let last = stored.len() - 1;
        stored[last] ^= 1;
        assert_eq!(cipher().decrypt(&stored, "k"), Err(CipherError::Decrypt));
        assert_eq!(
            cipher().decrypt(&stored[..5], "k"),
            Err(CipherError::Decrypt)
        );
    }

    #[test]
    fn key_must_be_base64_of_32_bytes() {
        assert_eq!(
            SecretCipher::from_base64("%%%").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            SecretCipher::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err(),
            KeyError::WrongLength(16)
        );
        assert!(SecretCipher::from_base64(&STANDARD.encode([1u8; 32])).is_ok());
    }
}
