//! Login with WeCom: in-app OAuth2 (`open.weixin.qq.com/connect/oauth2/authorize`), the web QR
//! login page (`login.work.weixin.qq.com/wwlogin/sso/login`), and the code exchange.

use serde::Deserialize;
use serde_json::json;

use super::client::Client;
use crate::api::{ApiError, Secret, url_with_query};

/// What the in-app OAuth2 asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthScope {
    /// Silent: only the userid.
    Base,
    /// With consent: also a `user_ticket` for the sensitive fields.
    PrivateInfo,
}

/// Who logged in (`auth/getuserinfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct LoginIdentity {
    /// The member's userid (corp members).
    #[serde(default, alias = "UserId")]
    pub userid: Option<String>,
    /// Ticket for `auth/getuserdetail` (snsapi_privateinfo only).
    #[serde(default)]
    pub user_ticket: Option<Secret>,
    /// OpenID (non-members).
    #[serde(default)]
    pub openid: Option<String>,
    /// External contact id (non-members).
    #[serde(default)]
    pub external_userid: Option<String>,
}

/// The sensitive fields a member consented to share (`auth/getuserdetail`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SensitiveDetail {
    /// The member.
    pub userid: String,
    /// `"1"` male, `"2"` female.
    #[serde(default)]
    pub gender: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Personal QR code URL.
    #[serde(default)]
    pub qr_code: Option<String>,
    /// Mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Corporate mailbox.
    #[serde(default)]
    pub biz_mail: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
}

impl Client {
    /// The in-app OAuth2 URL to redirect a member to; WeCom comes back to `redirect_uri` with
    /// `code` and `state`. `state` should be ≤ 128 bytes of `[a-zA-Z0-9]`.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str, scope: OAuthScope) -> String {
        let scope = match scope {
            OAuthScope::Base => "snsapi_base",
            OAuthScope::PrivateInfo => "snsapi_privateinfo",
        };
        let agent_id = self.agent_id.to_string();
        let mut url = url_with_query(
            &self.authorize_url,
            &[
                ("appid", &self.corp_id),
                ("redirect_uri", redirect_uri),
                ("response_type", "code"),
                ("scope", scope),
                ("state", state),
                ("agentid", &agent_id),
            ],
        );
        url.push_str("#wechat_redirect");
        url
    }

    /// The web login URL (QR code on desktop); same code exchange as OAuth2.
    pub fn web_login_url(&self, redirect_uri: &str, state: &str) -> String {
        let agent_id = self.agent_id.to_string();
        url_with_query(
            &self.web_login_url,
            &[
                ("login_type", "CorpApp"),
                ("appid", &self.corp_id),
                ("agentid", &agent_id),
                ("redirect_uri", redirect_uri),
                ("state", state),
            ],
        )
    }

    /// `auth/getuserinfo`: exchanges a login `code` for the member's identity.
    pub async fn login_identity(&self, code: &str) -> Result<LoginIdentity, ApiError> {
        self.call(self.get("auth/getuserinfo").query("code", code))
            .await
    }

    /// `auth/getuserdetail`: the sensitive fields behind a `user_ticket`.
    pub async fn sensitive_detail(
        &self,
        user_ticket: &Secret,
    ) -> Result<SensitiveDetail, ApiError> {
        let body = json!({ "user_ticket": user_ticket.expose() });
        self.call(self.post("auth/getuserdetail", &body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::TokenManager;
    use crate::wecom::WeComConfig;
    use std::sync::Arc;
    use url::Url;

    fn client() -> Client {
        let config = WeComConfig::new("wwcorp", 1000002, Secret::new("s"));
        Client::new(config, Arc::new(TokenManager::default()))
    }

    #[test]
    fn authorize_url_encodes_redirect_and_ends_with_fragment() {
        let url = client().authorize_url("https://erp.example.com/cb?x=1", "st8", OAuthScope::Base);
        assert!(url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwcorp&redirect_uri=https%3A%2F%2Ferp.example.com%2Fcb%3Fx%3D1&response_type=code&scope=snsapi_base&state=st8&agentid=1000002"), "{url}");
        assert!(url.ends_with("#wechat_redirect"));
    }

    #[test]
    fn web_login_url_has_corp_app_type() {
        let url = client().web_login_url("https://erp.example.com/cb", "s");
        let parsed = Url::parse(&url).unwrap();
        assert_eq!(parsed.host_str(), Some("login.work.weixin.qq.com"));
        let pairs: Vec<_> = parsed.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("login_type".into(), "CorpApp".into())));
        assert!(pairs.contains(&("agentid".into(), "1000002".into())));
    }
}
