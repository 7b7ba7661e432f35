//! The call loop every authenticated request goes through: get a token, send, and on failure
//! either refresh the token once (token-invalid), back off and retry (transient), or give up
//! (permanent).

use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorClass, Failure};
use super::gettoken::GetToken;
use super::provider::Provider;
use super::request::{ApiRequest, TokenPlacement};
use super::retry::{RetryPolicy, with_backoff};
use super::secret::Secret;
use super::transport::HttpConfig;
use super::transport::Transport;
use crate::token::{TokenError, TokenKey, TokenManager, TokenSource};

/// Sends requests for one app of one provider: its transport, its token and its retry policy.
#[derive(Clone)]
pub struct Caller {
    transport: Transport,
    retry: RetryPolicy,
    auth: Option<Auth>,
}

/// Where an authenticated caller gets its app token.
#[derive(Clone)]
struct Auth {
    tokens: Arc<TokenManager>,
    key: TokenKey,
    source: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("provider", &self.transport.provider())
            .field("key", &self.auth.as_ref().map(|a| &a.key))
            .finish()
    }
}

impl Caller {
    /// A caller whose token for `key` comes from `source` via the shared `tokens` manager.
    pub fn new(
        transport: Transport,
        retry: RetryPolicy,
        tokens: Arc<TokenManager>,
        key: TokenKey,
        source: Arc<dyn TokenSource>,
    ) -> Self {
        Caller {
            transport,
            retry,
            auth: Some(Auth {
                tokens,
                key,
                source,
            }),
        }
    }

    /// The caller of one app: its token comes from sending `gettoken` (a request carrying the
    /// app's credentials), cached in `tokens` under a key derived from `org` and `secret`.
    pub fn for_app(
        provider: Provider,
        http: &HttpConfig,
        tokens: Arc<TokenManager>,
        org: &str,
        secret: &Secret,
        gettoken: ApiRequest,
    ) -> Self {
        let transport = Transport::new(provider, http.timeout);
        let source = GetToken::new(transport.clone(), http.retry.clone(), gettoken);
        let key = TokenKey::new(&provider.to_string(), org, secret);
        Caller::new(transport, http.retry.clone(), tokens, key, Arc::new(source))
    }

    /// A caller for endpoints that carry their own credential (robot webhooks, signed login).
    pub fn unauthenticated(provider: Provider, http: &HttpConfig) -> Self {
        let transport = Transport::new(provider, http.timeout);
        Caller {
            transport,
            retry: http.retry.clone(),
            auth: None,
        }
    }

    /// The transport (for requests that carry no app token).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sends `req` and decodes the answer as `T`.
    pub async fn call<T: DeserializeOwned>(&self, req: &ApiRequest) -> Result<T, ApiError> {
        let body = self.call_raw(req).await?;
        serde_json::from_value(body).map_err(|e| {
            ApiError::new(
                self.transport.provider(),
                &req.path,
                Failure::Decode(e.to_string()),
                ErrorClass::Permanent,
            )
        })
    }

    /// Sends `req` for its effect only, ignoring the body of a successful answer.
    pub async fn send(&self, req: &ApiRequest) -> Result<(), ApiError> {
        self.call_raw(req).await.map(drop)
    }

    /// Sends `req` and returns the raw JSON answer.
    pub async fn call_raw(&self, req: &ApiRequest) -> Result<serde_json::Value, ApiError> {
        let auth = match (&self.auth, req.token) {
            (_, TokenPlacement::None) => {
                return with_backoff(&self.retry, || self.transport.execute(req, None)).await;
            }
            (Some(auth), _) => auth,
            (None, _) => {
                let detail = "this client has no app credentials for token-authenticated endpoints";
                return Err(ApiError::invalid(
                    self.transport.provider(),
                    &req.path,
                    detail,
                ));
            }
        };
        let mut refreshed = false;
        loop {
            let token = auth
                .tokens
                .get(&auth.key, &*auth.source)
                .await
                .map_err(|e| self.token_error(req, e))?;
            let result =
                with_backoff(&self.retry, || self.transport.execute(req, Some(&token))).await;
            match result {
                Err(err) if err.class() == ErrorClass::TokenInvalid && !refreshed => {
                    tracing::info!(endpoint = %req.path, error = %err, "access token rejected, refreshing once");
                    auth.tokens
                        .invalidate(&auth.key, &token)
                        .await
                        .map_err(|e| self.token_error(req, e))?;
                    refreshed = true;
                }
                other => return other,
            }
        }
    }

    fn token_error(&self, req: &ApiRequest, err: TokenError) -> ApiError {
        match err {
            TokenError::Fetch(api) => api,
            TokenError::Store(store) => ApiError::new(
                self.transport.provider(),
                &req.path,
                Failure::Store(store.0),
                ErrorClass::Permanent,
            ),
        }
    }
}
