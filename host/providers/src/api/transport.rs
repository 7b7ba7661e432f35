//! The single HTTP path to both providers: builds the URL from an [`ApiRequest`], applies the
//! per-request timeout, and turns every outcome into JSON or a classified [`ApiError`].

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::error::{ApiError, ErrCode, ErrorClass, Failure};
use super::provider::Provider;
use super::request::{ApiRequest, Envelope, TokenPlacement};
use super::retry::RetryPolicy;
use super::secret::Secret;

/// Network settings shared by every client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Per-request timeout (connect + response).
    pub timeout: Duration,
    /// Retry policy for transient failures.
    pub retry: RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// A reqwest client bound to one provider and one timeout.
#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
    provider: Provider,
    timeout: Duration,
}

impl Transport {
    /// A transport for `provider` with the given per-request timeout; clones share its
    /// connection pool.
    ///
    /// This panics only where `reqwest::Client::new` does: when the TLS backend or the system
    /// resolver configuration cannot be loaded at all, which no request could survive either.
    pub fn new(provider: Provider, timeout: Duration) -> Self {
        Transport {
            http: reqwest::Client::new(),
            provider,
            timeout,
        }
    }

    /// Which provider this transport talks to.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Sends `req` once, with `token` placed as the request asks, and returns the JSON body of a
    /// successful answer.
    pub async fn execute(
        &self,
        req: &ApiRequest,
        token: Option<&Secret>,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{}", req.base.trim_end_matches('/'), req.path);
        let mut builder = self
            .http
            .request(req.method.clone(), url)
            .timeout(self.timeout);
        let mut query: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        query.extend(
            req.secret_query
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose())),
        );
        match (req.token, token) {
            (TokenPlacement::Query, Some(t)) => query.push(("access_token", t.expose())),
            (TokenPlacement::Header, Some(t)) => {
                builder = builder.header("x-acs-dingtalk-access-token", t.expose());
            }
            _ => {}
        }
        for (name, value) in &req.secret_headers {
            builder = builder.header(name.as_str(), value.expose());
        }
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.network_error(req, e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.network_error(req, e))?;
        self.interpret(req, status, &bytes)
    }

    fn interpret(
        &self,
        req: &ApiRequest,
        status: StatusCode,
        bytes: &[u8],
    ) -> Result<Value, ApiError> {
        let body: Option<Value> = serde_json::from_slice(bytes).ok();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(self.fail(req, Failure::Status(status.as_u16()), ErrorClass::Transient));
        }
        match req.envelope {
            Envelope::Errcode => {
                let Some(body) = body.filter(|_| status.is_success()) else {
                    return Err(self.status_or_decode(req, status));
                };
                match envelope_error(&body) {
                    Some((errcode, errmsg)) => Err(ApiError::rejected(
                        self.provider,
                        &req.path,
                        errcode,
                        errmsg,
                        req.token_fetch,
                    )),
                    None => Ok(body),
                }
            }
            Envelope::Rest if status.is_success() => {
                Ok(body.unwrap_or(Value::Object(Default::default())))
            }
            Envelope::Rest => {
                let code = body
                    .as_ref()
                    .and_then(|b| b.get("code"))
                    .and_then(Value::as_str);
                match code {
                    Some(code) => {
                        let message = body
                            .as_ref()
                            .and_then(|b| b.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        let mut err = ApiError::rejected(
                            self.provider,
                            &req.path,
                            ErrCode::Text(code.to_owned()),
                            message.to_owned(),
                            req.token_fetch,
                        );
                        if status == StatusCode::UNAUTHORIZED && !req.token_fetch {
                            err.class = ErrorClass::TokenInvalid;
                        }
                        Err(err)
                    }
                    None if status == StatusCode::UNAUTHORIZED && !req.token_fetch => {
                        Err(self.fail(req, Failure::Status(401), ErrorClass::TokenInvalid))
                    }
                    None => Err(self.status_or_decode(req, status)),
                }
            }
        }
    }

    fn status_or_decode(&self, req: &ApiRequest, status: StatusCode) -> ApiError {
        if status.is_success() {
            self.fail(
                req,
                Failure::Decode("body is not JSON".into()),
                ErrorClass::Permanent,
            )
        } else {
            self.fail(req, Failure::Status(status.as_u16()), ErrorClass::Permanent)
        }
    }

    fn network_error(&self, req: &ApiRequest, err: reqwest::Error) -> ApiError {
        // `without_url` drops the URL, whose query may hold a secret or a token.
        let err = err.without_url();
        let failure = if err.is_timeout() {
            Failure::Timeout
        } else {
            Failure::Connection(error_chain(&err))
        };
        self.fail(req, failure, ErrorClass::Transient)
    }

    fn fail(&self, req: &ApiRequest, failure: Failure, class: ErrorClass) -> ApiError {
        ApiError::new(self.provider, &req.path, failure, class)
    }
}

/// The error code and message of a failed errcode envelope, or `None` for success.
///
/// DingTalk reports an invalid token as `errcode 88` with the real reason in `sub_code`; the
/// sub-code is what the provider table knows about, so it wins when it is numeric.
fn envelope_error(body: &Value) -> Option<(ErrCode, String)> {
    let errcode = body.get("errcode").and_then(|c| {
        c.as_i64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    let errmsg = body
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let sub_code = body.get("sub_code").and_then(|c| {
        c.as_i64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    match (errcode, body.get("success").and_then(Value::as_bool)) {
        (Some(0) | None, Some(false)) => {
            let code = body
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("unsuccessful");
            let message = body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or(&errmsg);
            Some((ErrCode::Text(code.to_owned()), message.to_owned()))
        }
        (Some(0) | None, _) => None,
        (Some(code), _) => Some((
            ErrCode::Number(sub_code.filter(|_| code == 88).unwrap_or(code)),
            errmsg,
        )),
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errcode_zero_or_missing_is_success() {
        assert_eq!(envelope_error(&json!({"errcode":0,"errmsg":"ok"})), None);
        assert_eq!(envelope_error(&json!({"access_token":"x"})), None);
    }

    #[test]
    fn nonzero_errcode_is_an_error() {
        let (code, msg) = envelope_error(&json!({"errcode":60020,"errmsg":"ip"})).unwrap();
        assert_eq!(code, ErrCode::Number(60020));
        assert_eq!(msg, "ip");
        let (code, _) = envelope_error(&json!({"errcode":"45009","errmsg":"x"})).unwrap();
        assert_eq!(code, ErrCode::Number(45009));
    }

    #[test]
    fn dingtalk_sub_code_refines_88() {
        let body = json!({"errcode":88,"errmsg":"x","sub_code":"40014"});
        assert_eq!(envelope_error(&body).unwrap().0, ErrCode::Number(40014));
    }

    #[test]
    fn success_false_is_an_error() {
        let body = json!({"success":false,"code":"param.error","message":"bad"});
        assert_eq!(
            envelope_error(&body).unwrap(),
            (ErrCode::Text("param.error".into()), "bad".into())
        );
    }
}
