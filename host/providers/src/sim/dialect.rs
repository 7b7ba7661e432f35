//! How a simulator words its refusals.
//!
//! The failures are the same on both services (bad token, IP not allowed, too many calls, a
//! directory rule broken) but the codes and envelopes differ: WeCom answers
//! `{"errcode":40014,"errmsg":"..."}`, DingTalk's oapi does the same with its own codes, and
//! DingTalk's v1.0 API answers an HTTP 4xx with `{"code":"...","message":"..."}`. Shared code raises
//! a [`Failure`]; each provider's [`Dialect`] turns it into the exact answer.

use axum::response::Response;

use super::directory::DirectoryError;
use super::tokens::TokenError;

/// A failure shared code can raise, before it is worded by a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The access token is missing, unknown or expired.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The caller's IP is not on the allow-list (knob).
    #[error("caller IP not on the allow-list")]
    IpBlocked,
    /// The per-path frequency limit is exceeded (knob).
    #[error("frequency limit exceeded")]
    RateLimited,
    /// A test asked for this errcode (knob).
    #[error("injected errcode {0}")]
    Injected(i64),
    /// A directory rule refused the change or lookup.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The body is not the JSON the endpoint expects.
    #[error("invalid request body: {0}")]
    BadBody(String),
    /// A parameter is missing or out of range.
    #[error("invalid parameter: {0}")]
    BadParam(String),
}

/// A provider's wording of failures.
pub trait Dialect: Send + Sync + 'static {
    /// The complete HTTP answer for `failure` on a request to `path`.
    fn reject(&self, path: &str, failure: &Failure) -> Response;
}

/// Parses a JSON request body, as a [`Failure::BadBody`] naming the serde error on failure. An
/// empty body parses as `{}` so endpoints whose fields are all optional accept it.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|err| Failure::BadBody(err.to_string()))
}

/// `base` with the fields of `extra` added (success envelopes: errcode/errmsg plus the payload).
pub fn merged(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(base), serde_json::Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}
