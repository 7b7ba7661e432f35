//! The DingTalk client: configuration, token source and request helpers for both API hosts.

use std::sync::Arc;

use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, ApiRequest, Caller, HttpConfig, Provider, Secret, TokenPlacement};
use crate::token::TokenManager;

/// The real legacy API host.
pub const DEFAULT_OAPI_URL: &str = "https://oapi.dingtalk.com";
/// The real v1.0 API host.
pub const DEFAULT_API_URL: &str = "https://api.dingtalk.com";
/// The real OAuth2 login page.
pub const DEFAULT_LOGIN_URL: &str = "https://login.dingtalk.com/oauth2/auth";

/// How to reach one DingTalk app.
#[derive(Debug, Clone)]
pub struct DingTalkConfig {
    /// Legacy API host.
    pub oapi_url: String,
    /// v1.0 API host.
    pub api_url: String,
    /// OAuth2 login page (a simulator serves its own).
    pub login_url: String,
    /// App key (also the OAuth2 `client_id`).
    pub app_key: String,
    /// App secret (also the OAuth2 `client_secret` and the login signing key).
    pub app_secret: Secret,
    /// Agent id (work notifications).
    pub agent_id: i64,
    /// Timeout and retry settings.
    pub http: HttpConfig,
}

impl DingTalkConfig {
    /// A configuration against the real DingTalk hosts with default timeouts.
    pub fn new(app_key: impl Into<String>, app_secret: Secret, agent_id: i64) -> Self {
        DingTalkConfig {
            oapi_url: DEFAULT_OAPI_URL.to_owned(),
            api_url: DEFAULT_API_URL.to_owned(),
            login_url: DEFAULT_LOGIN_URL.to_owned(),
            app_key: app_key.into(),
            app_secret,
            agent_id,
            http: HttpConfig::default(),
        }
    }
}

/// A DingTalk app client. Cheap to clone; clones share the token manager.
#[derive(Debug, Clone)]
pub struct Client {
    pub(super) caller: Caller,
    pub(super) oapi: String,
    pub(super) api: String,
    pub(super) login_url: String,
    pub(super) app_key: String,
    pub(super) app_secret: Secret,
    pub(super) agent_id: i64,
}

/// The `{"errcode":0,"result":...}` wrapper of most legacy answers.
#[derive(Deserialize)]
pub(super) struct Wrapped<T> {
    pub(super) result: T,
}

impl Client {
    /// A client for `config`, caching its token in `tokens` (share one manager per process).
    pub fn new(config: DingTalkConfig, tokens: Arc<TokenManager>) -> Self {
        let oapi = config.oapi_url.trim_end_matches('/').to_owned();
        let gettoken = ApiRequest::get(&oapi, "/gettoken")
            .query("appkey", &config.app_key)
            .secret_query("appsecret", &config.app_secret);
        let caller = Caller::for_app(
            Provider::DingTalk,
            &config.http,
            tokens,
            &config.app_key,
            &config.app_secret,
            gettoken,
        );
        Client {
            caller,
            oapi,
            api: config.api_url.trim_end_matches('/').to_owned(),
            login_url: config.login_url,
            app_key: config.app_key,
            app_secret: config.app_secret,
            agent_id: config.agent_id,
        }
    }

    /// The app key this client acts for.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// A legacy JSON POST with the token in the query.
    pub(super) fn oapi_post(&self, path: &str, body: &impl Serialize) -> ApiRequest {
        ApiRequest::post(&self.oapi, path, body)
    }

    /// A v1.0 GET with the token in the header.
    pub(super) fn api_get(&self, path: &str) -> ApiRequest {
        ApiRequest::get(&self.api, path)
            .token(TokenPlacement::Header)
            .rest()
    }

    /// A v1.0 JSON POST with the token in the header.
    pub(super) fn api_post(&self, path: &str, body: &impl Serialize) -> ApiRequest {
        ApiRequest::post(&self.api, path, body)
            .token(TokenPlacement::Header)
            .rest()
    }

    /// Sends `req` and decodes the answer.
    pub(super) async fn call<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, ApiError> {
        self.caller.call(&req).await
    }

    /// Sends `req` and decodes its `result`.
    pub(super) async fn call_result<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
    ) -> Result<T, ApiError> {
        Ok(self.caller.call::<Wrapped<T>>(&req).await?.result)
    }

    /// A local validation failure on `path`.
    pub(super) fn invalid(&self, path: &str, detail: impl Into<String>) -> ApiError {
        ApiError::invalid(Provider::DingTalk, path, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret() {
        let config = DingTalkConfig::new("dingkey", Secret::new("app-secret-value"), 1);
        let client = Client::new(config.clone(), Arc::new(TokenManager::default()));
        let shown = format!("{config:?} {client:?}");
        assert!(!shown.contains("app-secret-value"), "{shown}");
    }
}
