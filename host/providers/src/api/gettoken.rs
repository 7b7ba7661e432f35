//! The app-token fetch both providers share: WeCom `/cgi-bin/gettoken` and DingTalk `/gettoken`
//! answer the same `{access_token, expires_in}` shape; only the request differs.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use super::error::{ApiError, ErrorClass, Failure};
use super::request::ApiRequest;
use super::retry::{RetryPolicy, with_backoff};
use super::secret::Secret;
use super::transport::Transport;
use crate::token::{FreshToken, TokenSource};

/// A [`TokenSource`] that sends one prepared gettoken request (transient failures retried).
#[derive(Debug, Clone)]
pub struct GetToken {
    transport: Transport,
    retry: RetryPolicy,
    request: ApiRequest,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<Secret>,
    expires_in: Option<u64>,
}

impl GetToken {
    /// A source sending `request` (marked as a token fetch) through `transport`.
    pub fn new(transport: Transport, retry: RetryPolicy, request: ApiRequest) -> Self {
        GetToken {
            transport,
            retry,
            request: request.token_fetch(),
        }
    }
}

#[async_trait]
impl TokenSource for GetToken {
    async fn fetch(&self) -> Result<FreshToken, ApiError> {
        let body =
            with_backoff(&self.retry, || self.transport.execute(&self.request, None)).await?;
        let decode_error = |detail: String| {
            ApiError::new(
                self.transport.provider(),
                &self.request.path,
                Failure::Decode(detail),
                ErrorClass::Permanent,
            )
        };
        let answer: TokenAnswer =
            serde_json::from_value(body).map_err(|e| decode_error(e.to_string()))?;
        let value = answer
            .access_token
            .ok_or_else(|| decode_error("no access_token".into()))?;
        // Both providers document 7200 s; assume it when the field is missing.
        let expires_in = Duration::from_secs(answer.expires_in.unwrap_or(7200));
        Ok(FreshToken { value, expires_in })
    }
}
