//! The one error type every provider call returns, carrying what an operator needs to act on a
//! failure (provider, endpoint, code, message, hint) and never a secret.

use std::fmt;

use thiserror::Error;

use super::provider::Provider;

/// A provider error code: numeric on WeCom and the DingTalk legacy API, textual on DingTalk v1.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrCode {
    /// `errcode` of a legacy JSON envelope.
    Number(i64),
    /// `code` of a DingTalk v1.0 error body.
    Text(String),
}

impl fmt::Display for ErrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrCode::Number(n) => write!(f, "{n}"),
            ErrCode::Text(t) => f.write_str(t),
        }
    }
}

/// How the shared call loop should react to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The access token was rejected: invalidate it, fetch a new one and retry once.
    TokenInvalid,
    /// Busy, rate limited or a network fault: retry with backoff.
    Transient,
    /// Retrying cannot help: fail at once.
    Permanent,
}

/// What went wrong, independent of where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The provider answered with an error code.
    Rejected {
        /// The provider's code.
        errcode: ErrCode,
        /// The provider's message, verbatim.
        errmsg: String,
    },
    /// The provider answered with a non-success HTTP status and no error body we understand.
    Status(u16),
    /// No answer within the configured timeout.
    Timeout,
    /// The connection could not be made or broke mid-request.
    Connection(String),
    /// The answer was not the JSON we expect.
    Decode(String),
    /// The request was refused locally before sending (invalid input).
    Invalid(String),
    /// The token store failed.
    Store(String),
}

/// A failed provider call.
#[derive(Debug, Clone, Error)]
#[error("{provider} {endpoint}: {}{}", describe(.failure), hint_suffix(.hint))]
pub struct ApiError {
    /// Which service.
    pub provider: Provider,
    /// The endpoint path (never the full URL, whose query may carry a token or secret).
    pub endpoint: String,
    /// What went wrong.
    pub failure: Failure,
    /// What an administrator should do, when known.
    pub hint: Option<&'static str>,
    /// How the call loop treats it.
    pub class: ErrorClass,
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Rejected { errcode, errmsg } => format!("errcode {errcode} ({errmsg})"),
        Failure::Status(status) => format!("HTTP status {status}"),
        Failure::Timeout => "timed out".to_owned(),
        Failure::Connection(detail) => format!("connection failed: {detail}"),
        Failure::Decode(detail) => format!("unexpected response: {detail}"),
        Failure::Invalid(detail) => format!("invalid request: {detail}"),
        Failure::Store(detail) => format!("token store failed: {detail}"),
    }
}

fn hint_suffix(hint: &Option<&'static str>) -> String {
    hint.map(|h| format!("; hint: {h}")).unwrap_or_default()
}

impl ApiError {
    /// An error code returned by the provider, classified and annotated from the provider table.
    pub fn rejected(
        provider: Provider,
        endpoint: &str,
        errcode: ErrCode,
        errmsg: String,
        token_fetch: bool,
    ) -> Self {
        ApiError {
            provider,
            endpoint: endpoint.to_owned(),
            class: provider.classify(&errcode, token_fetch),
            hint: provider.hint(&errcode),
            failure: Failure::Rejected { errcode, errmsg },
        }
    }

    /// Any other failure, with an explicit class.
    pub fn new(provider: Provider, endpoint: &str, failure: Failure, class: ErrorClass) -> Self {
        ApiError {
            provider,
            endpoint: endpoint.to_owned(),
            failure,
            hint: None,
            class,
        }
    }

    /// Input refused before anything was sent.
    pub fn invalid(provider: Provider, endpoint: &str, detail: impl Into<String>) -> Self {
        Self::new(
            provider,
            endpoint,
            Failure::Invalid(detail.into()),
            ErrorClass::Permanent,
        )
    }

    /// The numeric provider error code, if this is a provider rejection with one.
    pub fn errcode(&self) -> Option<i64> {
        match &self.failure {
            Failure::Rejected {
                errcode: ErrCode::Number(n),
                ..
            } => Some(*n),
            _ => None,
        }
    }

    /// How the call loop treats this error.
    pub fn class(&self) -> ErrorClass {
        self.class
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_provider_endpoint_code_and_hint() {
        let e = ApiError::rejected(
            Provider::WeCom,
            "/cgi-bin/user/get",
            ErrCode::Number(60020),
            "not allow to access from your ip".into(),
            false,
        );
        let text = e.to_string();
        assert!(
            text.starts_with("wecom /cgi-bin/user/get: errcode 60020"),
            "{text}"
        );
        assert!(text.contains("trusted IPs"), "{text}");
        assert_eq!(e.class(), ErrorClass::Permanent);
        assert_eq!(e.errcode(), Some(60020));
    }

    #[test]
    fn bad_secret_at_gettoken_is_permanent_with_hint() {
        let e = ApiError::rejected(
            Provider::WeCom,
            "/cgi-bin/gettoken",
            ErrCode::Number(40001),
            "invalid credential".into(),
            true,
        );
        assert_eq!(e.class(), ErrorClass::Permanent);
        assert!(e.to_string().contains("check the app secret"));
    }
}
