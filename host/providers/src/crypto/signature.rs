//! The callback signature: lower-case hex SHA1 over the byte-wise sorted concatenation of token,
//! timestamp, nonce and the encrypted payload (the *values* are sorted, not the parameter names).

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::CryptoError;

/// Computes the 40-character lower-case hex signature WeCom and DingTalk put in `msg_signature`.
///
/// Public because the simulators sign the callbacks they send with it.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    hex::encode(digest(token, timestamp, nonce, encrypt))
}

/// Checks `received` against the expected signature in constant time, accepting upper-case hex
/// because some gateways re-case query values.
pub(crate) fn verify(
    token: &str,
    timestamp: &str,
    nonce: &str,
    encrypt: &str,
    received: &str,
) -> Result<(), CryptoError> {
    let mut got = [0u8; 20];
    // A wrong length or a non-hex character is simply a wrong signature.
    if received.len() != 40 || hex::decode_to_slice(received, &mut got).is_err() {
        return Err(CryptoError::BadSignature);
    }
    let expected = digest(token, timestamp, nonce, encrypt);
    if bool::from(expected.ct_eq(&got)) {
        Ok(())
    } else {
        Err(CryptoError::BadSignature)
    }
}

fn digest(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> [u8; 20] {
    let mut parts = [token.as_bytes(), timestamp.as_bytes(), nonce.as_bytes(), encrypt.as_bytes()];
    parts.sort_unstable();
    // Feeding the parts one after another hashes their concatenation without allocating it.
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_values_bytewise_before_hashing() {
        // sha1("abcd") computed by hand order: values sorted → "a","b","c","d".
        let direct = hex::encode(Sha1::digest(b"abcd"));
        assert_eq!(signature("d", "b", "c", "a"), direct);
        assert_eq!(signature("a", "b", "c", "d"), direct);
    }

    #[test]
    fn verify_accepts_upper_case_and_rejects_garbage() {
        let sig = signature("t", "1", "n", "payload");
        assert!(verify("t", "1", "n", "payload", &sig).is_ok());
        assert!(verify("t", "1", "n", "payload", &sig.to_uppercase()).is_ok());
        assert_eq!(verify("t", "1", "n", "payload", &sig[..39]), Err(CryptoError::BadSignature));
        assert_eq!(verify("t", "1", "n", "payload", &"z".repeat(40)), Err(CryptoError::BadSignature));
        assert_eq!(verify("t", "2", "n", "payload", &sig), Err(CryptoError::BadSignature));
        assert_eq!(verify("t", "1", "n", "payload", "é"), Err(CryptoError::BadSignature));
    }
}
