//! HMAC-SHA256 request signatures used by DingTalk outside the callback crypto: the custom group
//! robot (`&timestamp=&sign=` on the webhook) and the legacy login `sns/getuserinfo_bycode`
//! (`&timestamp=&signature=`). The API client signs; the simulator verifies with the same code.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::CryptoError;

type HmacSha256 = Hmac<Sha256>;

/// How far a robot request's timestamp may be from the receiver's clock (DingTalk allows 1 hour).
pub const ROBOT_WINDOW_MS: i64 = 60 * 60 * 1000;

fn mac(key: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails.
    <HmacSha256 as Mac>::new_from_slice(key.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

fn robot_mac(secret: &str, timestamp_ms: i64) -> HmacSha256 {
    let mut m = mac(secret);
    m.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    m
}

fn login_mac(app_secret: &str, timestamp_ms: &str) -> HmacSha256 {
    let mut m = mac(app_secret);
    m.update(timestamp_ms.as_bytes());
    m
}

fn check(m: HmacSha256, sign_base64: &str) -> Result<(), CryptoError> {
    let received = BASE64.decode(sign_base64.trim())?;
    m.verify_slice(&received).map_err(|_| CryptoError::BadSignature)
}

/// Percent-encodes a base64 signature for a query string the way DingTalk's samples do
/// (`quote_plus`: `+` → `%2B`, `/` → `%2F`, `=` → `%3D`).
pub fn url_encode(sign_base64: &str) -> String {
    url::form_urlencoded::byte_serialize(sign_base64.as_bytes()).collect()
}

/// The robot signature, base64: HMAC-SHA256 keyed by the `SEC…` secret over `"{timestamp_ms}\n{secret}"`.
pub fn robot_sign(secret: &str, timestamp_ms: i64) -> String {
    BASE64.encode(robot_mac(secret, timestamp_ms).finalize().into_bytes())
}

/// The robot signature ready for `&sign=` (URL-encoded).
pub fn robot_sign_query(secret: &str, timestamp_ms: i64) -> String {
    url_encode(&robot_sign(secret, timestamp_ms))
}

/// Verifies a robot request: the signature (already URL-decoded) in constant time, and the
/// timestamp within [`ROBOT_WINDOW_MS`] of `now_ms`.
pub fn verify_robot_sign(secret: &str, timestamp_ms: i64, sign_base64: &str, now_ms: i64) -> Result<(), CryptoError> {
    if timestamp_ms.abs_diff(now_ms) > ROBOT_WINDOW_MS.unsigned_abs() {
        return Err(CryptoError::TimestampOutOfWindow { timestamp_ms, now_ms, window_ms: ROBOT_WINDOW_MS });
    }
    check(robot_mac(secret, timestamp_ms), sign_base64)
}

/// The legacy login signature, base64: HMAC-SHA256 keyed by the app secret over the millisecond
/// timestamp **alone** (the English help page's `timestamp + "\n" + secret` contradicts the
/// official example and is wrong).
pub fn login_sign(app_secret: &str, timestamp_ms: &str) -> String {
    BASE64.encode(login_mac(app_secret, timestamp_ms).finalize().into_bytes())
}

/// Verifies a login signature (already URL-decoded) in constant time.
pub fn verify_login_sign(app_secret: &str, timestamp_ms: &str, sign_base64: &str) -> Result<(), CryptoError> {
    check(login_mac(app_secret, timestamp_ms), sign_base64)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Self-computed vector recorded in the reference (§B3); not an official one.
    const ROBOT_SECRET: &str = "SECtestsecret0123456789";
    const ROBOT_TS: i64 = 1_700_000_000_000;
    const ROBOT_SIGN: &str = "zrLWzK97t62y5CpqN8Ok9UIdPvX+jL1PNoW8nKT5a9k=";

    #[test]
    fn robot_signature_matches_the_recorded_vector() {
        assert_eq!(robot_sign(ROBOT_SECRET, ROBOT_TS), ROBOT_SIGN);
        assert_eq!(robot_sign_query(ROBOT_SECRET, ROBOT_TS), "zrLWzK97t62y5CpqN8Ok9UIdPvX%2BjL1PNoW8nKT5a9k%3D");
    }

    #[test]
    fn robot_verification_checks_signature_and_window() {
        assert!(verify_robot_sign(ROBOT_SECRET, ROBOT_TS, ROBOT_SIGN, ROBOT_TS + 1000).is_ok());
        assert_eq!(verify_robot_sign("SECother", ROBOT_TS, ROBOT_SIGN, ROBOT_TS), Err(CryptoError::BadSignature));
        assert_eq!(verify_robot_sign(ROBOT_SECRET, ROBOT_TS + 1, ROBOT_SIGN, ROBOT_TS), Err(CryptoError::BadSignature));
        assert!(matches!(verify_robot_sign(ROBOT_SECRET, ROBOT_TS, "%%%", ROBOT_TS), Err(CryptoError::Base64 { .. })));
        let late = ROBOT_TS + ROBOT_WINDOW_MS + 1;
        assert_eq!(
            verify_robot_sign(ROBOT_SECRET, ROBOT_TS, ROBOT_SIGN, late),
            Err(CryptoError::TimestampOutOfWindow { timestamp_ms: ROBOT_TS, now_ms: late, window_ms: ROBOT_WINDOW_MS })
        );
        assert!(verify_robot_sign(ROBOT_SECRET, i64::MIN, ROBOT_SIGN, i64::MAX).is_err());
    }

    #[test]
    fn login_verification_rejects_other_timestamps() {
        let sig = login_sign("s3cret", "1546084445901");
        assert!(verify_login_sign("s3cret", "1546084445901", &sig).is_ok());
        assert_eq!(verify_login_sign("s3cret", "1546084445902", &sig), Err(CryptoError::BadSignature));
    }
}
