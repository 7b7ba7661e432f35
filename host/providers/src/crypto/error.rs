//! The one error type of callback crypto, precise enough to tell an operator what was wrong with a
//! callback without ever echoing the token or the AES key.

/// Why a callback could not be verified, decrypted or encrypted.
///
/// The variants mirror the failure points of the official WXBizMsgCrypt / DingCallbackCrypto
/// (-40001…-40011, 900001…900010) so a log line maps to the provider's documentation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The `msg_signature` does not match SHA1 over the sorted token, timestamp, nonce and payload.
    #[error("callback signature does not match")]
    BadSignature,
    /// The configured EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    #[error("EncodingAESKey is invalid: {reason}")]
    InvalidAesKey {
        /// What is wrong with the key (never the key itself).
        reason: &'static str,
    },
    /// The encrypted payload (or a signature) is not valid base64.
    #[error("payload is not valid base64: {reason}")]
    Base64 {
        /// The decoder's description of the first bad character or length.
        reason: String,
    },
    /// The ciphertext or the decrypted frame has an impossible length.
    #[error("bad length: {reason}")]
    BadLength {
        /// Which length was wrong and by how much.
        reason: String,
    },
    /// The PKCS#7 (32-byte block) padding of the decrypted frame is invalid.
    #[error("bad PKCS#7 padding (pad byte {pad}, expected 1..=32 repeated pad times)")]
    BadPadding {
        /// The last byte of the decrypted frame.
        pad: u8,
    },
    /// The frame was encrypted for another receiver (corp id, suite id, app key…): usually a callback
    /// configured with the wrong connection.
    #[error("receive id mismatch: expected {expected:?}, got {got:?}")]
    ReceiveIdMismatch {
        /// The receive id this connection is configured with.
        expected: String,
        /// The receive id found in the frame (lossily decoded, truncated to 64 characters).
        got: String,
    },
    /// The decrypted message is not UTF-8.
    #[error("decrypted message is not valid UTF-8")]
    Utf8,
    /// The request body or query around the ciphertext is unusable.
    #[error("malformed callback envelope: {reason}")]
    MalformedEnvelope {
        /// What is missing or unparsable.
        reason: String,
    },
    /// A signed request's timestamp is outside the accepted window (robot signatures).
    #[error("timestamp {timestamp_ms} is more than {window_ms} ms away from now ({now_ms})")]
    TimestampOutOfWindow {
        /// The timestamp the request carried, in milliseconds.
        timestamp_ms: i64,
        /// The verifier's clock, in milliseconds.
        now_ms: i64,
        /// The allowed distance, in milliseconds.
        window_ms: i64,
    },
}

impl CryptoError {
    /// A malformed-envelope error from anything printable.
    pub(crate) fn envelope(reason: impl Into<String>) -> Self {
        Self::MalformedEnvelope { reason: reason.into() }
    }
}

impl From<base64::DecodeError> for CryptoError {
    fn from(e: base64::DecodeError) -> Self {
        Self::Base64 { reason: e.to_string() }
    }
}
