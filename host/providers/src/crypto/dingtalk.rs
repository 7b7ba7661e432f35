//! DingTalk's wire shapes around [`CallbackCrypto`]: the `{"encrypt": …}` POST body with the
//! signature in the query, and the encrypted JSON reply (`success` for every event, `check_url`
//! included).
//!
//! The receive id ("owner key") is the app key for an internal app's event subscription, the corp
//! id for a legacy registered callback, and the suite key for a third-party app.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{CallbackCrypto, CryptoError, Envelope};

/// The plaintext DingTalk expects back, encrypted, to acknowledge a push or a URL check.
pub const SUCCESS: &str = "success";

/// The query string of a DingTalk push. Deliveries name the signature `msg_signature`,
/// `signature` or both (with the same value), and the timestamp `timestamp` or `timeStamp`; every
/// combination is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "WireQuery")]
pub struct CallbackQuery {
    /// SHA1 signature over token, timestamp, nonce and `encrypt`.
    pub msg_signature: String,
    /// Unix milliseconds, as sent.
    pub timestamp: String,
    /// Random string chosen by DingTalk (8 characters in its own pushes).
    pub nonce: String,
}

/// The query as it arrives; serde aliases would reject a query carrying both spellings.
#[derive(Deserialize)]
struct WireQuery {
    msg_signature: Option<String>,
    signature: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "timeStamp")]
    time_stamp: Option<String>,
    #[serde(default)]
    nonce: String,
}

impl From<WireQuery> for CallbackQuery {
    fn from(q: WireQuery) -> Self {
        Self {
            msg_signature: q.msg_signature.or(q.signature).unwrap_or_default(),
            timestamp: q.timestamp.or(q.time_stamp).unwrap_or_default(),
            nonce: q.nonce,
        }
    }
}

#[derive(Deserialize)]
struct Body {
    encrypt: Option<String>,
}

/// The acknowledgement DingTalk expects within 1.5 s, field names exactly as on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Signature over token, `timeStamp`, nonce and `encrypt`.
    pub msg_signature: String,
    /// Milliseconds, as a string.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// The nonce that was signed.
    pub nonce: String,
    /// The encrypted reply text.
    pub encrypt: String,
}

impl From<Envelope> for Reply {
    fn from(e: Envelope) -> Self {
        Self { msg_signature: e.msg_signature, time_stamp: e.timestamp, nonce: e.nonce, encrypt: e.encrypt }
    }
}

/// Reads the `encrypt` field of a push body.
pub fn parse_body(body: &[u8]) -> Result<String, CryptoError> {
    let parsed: Body = serde_json::from_slice(body).map_err(|e| CryptoError::envelope(format!("JSON body: {e}")))?;
    parsed.encrypt.filter(|e| !e.is_empty()).ok_or_else(|| CryptoError::envelope("JSON body has no encrypt"))
}

/// Verifies and decrypts a push; returns the plaintext event JSON.
pub fn decrypt(crypto: &CallbackCrypto, query: &CallbackQuery, body: &[u8]) -> Result<String, CryptoError> {
    let encrypt = parse_body(body)?;
    crypto.decrypt(&query.msg_signature, &query.timestamp, &query.nonce, &encrypt)
}

/// Like [`decrypt`], but lends the plaintext to `read` instead of returning it (the request path).
pub(crate) fn decrypt_with<R>(
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
    read: impl FnOnce(&str) -> R,
) -> Result<R, CryptoError> {
    let encrypt = parse_body(body)?;
    crypto.decrypt_with(&query.msg_signature, &query.timestamp, &query.nonce, &encrypt, read)
}

/// Encrypts `plaintext` into the reply shape.
pub fn reply(crypto: &CallbackCrypto, plaintext: &str, timestamp_ms: &str, nonce: &str) -> Reply {
    crypto.encrypt(plaintext, timestamp_ms, nonce).into()
}

/// The acknowledgement for any push (`check_url` included): the encrypted string `success`.
pub fn success_reply(crypto: &CallbackCrypto, timestamp_ms: &str, nonce: &str) -> Reply {
    reply(crypto, SUCCESS, timestamp_ms, nonce)
}

/// A 16-character alphanumeric nonce, the length DingTalk's own Java encryptor insists on.
pub fn random_nonce() -> String {
    let bytes: [u8; 12] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(bytes)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { 'x' })
        .collect()
}

/// Builds the POST body DingTalk would send for an already encrypted event.
pub fn request_body(encrypt: &str) -> String {
    serde_json::json!({ "encrypt": encrypt }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> CallbackCrypto {
        CallbackCrypto::new("mryue", "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "ding6ccabc44d2c8d38b").unwrap()
    }

    #[test]
    fn decrypts_the_official_check_url_push_with_any_query_spelling() {
        let body = request_body(
            "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3",
        );
        for query in [
            "msg_signature=03044561471240d4a14bb09372dfcfd4fd0e40cb&timestamp=1608001896814&nonce=WL4PK6yA",
            "signature=03044561471240d4a14bb09372dfcfd4fd0e40cb&timeStamp=1608001896814&nonce=WL4PK6yA",
            "signature=03044561471240d4a14bb09372dfcfd4fd0e40cb&msg_signature=03044561471240d4a14bb09372dfcfd4fd0e40cb&timestamp=1608001896814&nonce=WL4PK6yA",
        ] {
            let query: CallbackQuery = serde_json::from_value(
                url::form_urlencoded::parse(query.as_bytes())
                    .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            )
            .unwrap();
            assert_eq!(decrypt(&crypto(), &query, body.as_bytes()).unwrap(), r#"{"EventType":"check_url"}"#);
        }
    }

    #[test]
    fn success_reply_has_wire_field_names_and_decrypts_to_success() {
        let c = crypto();
        let nonce = random_nonce();
        assert_eq!(nonce.len(), 16);
        assert!(nonce.chars().all(|ch| ch.is_ascii_alphanumeric()));
        let reply = success_reply(&c, "1608001896814", &nonce);
        let json = serde_json::to_value(&reply).unwrap();
        for field in ["msg_signature", "timeStamp", "nonce", "encrypt"] {
            assert!(json.get(field).is_some(), "missing {field}");
        }
        assert_eq!(c.decrypt(&reply.msg_signature, &reply.time_stamp, &reply.nonce, &reply.encrypt).unwrap(), SUCCESS);
    }

    #[test]
    fn body_errors_are_typed() {
        for body in [&b""[..], b"{}", b"{\"encrypt\":\"\"}", b"{\"encrypt\":3}", b"null"] {
            assert!(matches!(parse_body(body), Err(CryptoError::MalformedEnvelope { .. })), "{body:?}");
        }
    }
}
