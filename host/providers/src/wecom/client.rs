//! The WeCom client: configuration, token source and the request helpers the API areas share.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{ApiError, ApiRequest, Caller, HttpConfig, Provider, Secret};
use crate::token::TokenManager;

/// The real WeCom API host.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";
/// The real in-app OAuth2 authorize page.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";
/// The real web login (QR code) page.
pub const DEFAULT_WEB_LOGIN_URL: &str = "https://login.work.weixin.qq.com/wwlogin/sso/login";

/// How to reach one WeCom app.
#[derive(Debug, Clone)]
pub struct WeComConfig {
    /// API host, `https://qyapi.weixin.qq.com` unless pointed at a simulator.
    pub base_url: String,
    /// The corp id (`corpid`, starts with `ww`).
    pub corp_id: String,
    /// The app's agent id (needed for messages, menus, workbench and OAuth).
    pub agent_id: i64,
    /// The app secret (`corpsecret`).
    pub secret: Secret,
    /// The in-app OAuth2 authorize page (a simulator serves its own).
    pub authorize_url: String,
    /// The web (QR) login page.
    pub web_login_url: String,
    /// Timeout and retry settings.
    pub http: HttpConfig,
}

impl WeComConfig {
    /// A configuration against the real WeCom host with default timeouts.
    pub fn new(corp_id: impl Into<String>, agent_id: i64, secret: Secret) -> Self {
        WeComConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            corp_id: corp_id.into(),
            agent_id,
            secret,
            authorize_url: DEFAULT_AUTHORIZE_URL.to_owned(),
            web_login_url: DEFAULT_WEB_LOGIN_URL.to_owned(),
            http: HttpConfig::default(),
        }
    }
}

/// A WeCom app client. Cheap to clone; clones share the token manager.
#[derive(Debug, Clone)]
pub struct Client {
    pub(super) caller: Caller,
    pub(super) base: String,
    pub(super) corp_id: String,
    pub(super) agent_id: i64,
    pub(super) authorize_url: String,
    pub(super) web_login_url: String,
}

impl Client {
    /// A client for `config`, caching its token in `tokens` (share one manager per process).
    pub fn new(config: WeComConfig, tokens: Arc<TokenManager>) -> Self {
        let base = config.base_url.trim_end_matches('/').to_owned();
        let gettoken = ApiRequest::get(&base, "/cgi-bin/gettoken")
            .query("corpid", &config.corp_id)
            .secret_query("corpsecret", &config.secret);
        let caller = Caller::for_app(
            Provider::WeCom,
            &config.http,
            tokens,
            &config.corp_id,
            &config.secret,
            gettoken,
        );
        Client {
            caller,
            base,
            corp_id: config.corp_id,
            agent_id: config.agent_id,
            authorize_url: config.authorize_url,
            web_login_url: config.web_login_url,
        }
    }

    /// The corp id this client acts for.
    pub fn corp_id(&self) -> &str {
        &self.corp_id
    }

    /// The agent id this client acts for.
    pub fn agent_id(&self) -> i64 {
        self.agent_id
    }

    /// A GET to `/cgi-bin/{path}` with the access token.
    pub(super) fn get(&self, path: &str) -> ApiRequest {
        ApiRequest::get(&self.base, &format!("/cgi-bin/{path}"))
    }

    /// A JSON POST to `/cgi-bin/{path}` with the access token.
    pub(super) fn post(&self, path: &str, body: &impl Serialize) -> ApiRequest {
        ApiRequest::post(&self.base, &format!("/cgi-bin/{path}"), body)
    }

    /// Sends `req` and decodes the answer.
    pub(super) async fn call<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, ApiError> {
        self.caller.call(&req).await
    }

    /// Sends `req` for its effect.
    pub(super) async fn send(&self, req: ApiRequest) -> Result<(), ApiError> {
        self.caller.send(&req).await
    }

    /// A local validation failure on `path`.
    pub(super) fn invalid(&self, path: &str, detail: impl Into<String>) -> ApiError {
        ApiError::invalid(Provider::WeCom, &format!("/cgi-bin/{path}"), detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret() {
        let config = WeComConfig::new("wwcorp", 1000002, Secret::new("very-secret-value"));
        let client = Client::new(config.clone(), Arc::new(TokenManager::default()));
        let shown = format!("{config:?} {client:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
    }
}
