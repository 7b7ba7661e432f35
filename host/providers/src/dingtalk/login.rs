//! Login with DingTalk: the v1.0 OAuth2 flow (authorize URL → `authCode` → user token →
//! `contact/users/me`), the in-app silent login (`dd.getAuthCode` → `topapi/v2/user/getuserinfo`)
//! and the legacy signed `sns/getuserinfo_bycode`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::Client;
use super::robot::now_ms;
use crate::api::{ApiError, ApiRequest, Secret, TokenPlacement, url_with_query};
use crate::crypto::sign;

/// A user access token from the OAuth2 code exchange.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserToken {
    /// Token for `contact/users/me`.
    pub access_token: Secret,
    /// Token to renew it.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expire_in: u64,
}

/// The logged-in user's profile (`/v1.0/contact/users/me`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    /// Nickname.
    #[serde(default)]
    pub nick: String,
    /// Cross-organisation id; map to a userid with `topapi/user/getbyunionid`.
    #[serde(default)]
    pub union_id: String,
    /// App-specific id.
    #[serde(default)]
    pub open_id: String,
    /// Avatar.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Country code of the mobile.
    #[serde(default)]
    pub state_code: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
}

/// The user behind a legacy login code (`sns/getuserinfo_bycode`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SnsUser {
    /// Nickname.
    #[serde(default)]
    pub nick: String,
    /// Cross-organisation id.
    #[serde(default)]
    pub unionid: String,
    /// App-specific id.
    #[serde(default)]
    pub openid: String,
}

/// The member behind an in-app login code (`topapi/v2/user/getuserinfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct InAppUser {
    /// The member's userid.
    pub userid: String,
    /// Cross-organisation id.
    #[serde(default)]
    pub unionid: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeExchange<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    code: &'a str,
    grant_type: &'static str,
}

#[derive(Deserialize)]
struct SnsAnswer {
    user_info: SnsUser,
}

impl Client {
    /// The OAuth2 login URL; DingTalk comes back with `authCode` (not `code`) and `state`.
    pub fn login_url(&self, redirect_uri: &str, state: &str) -> String {
        url_with_query(
            &self.login_url,
            &[
                ("redirect_uri", redirect_uri),
                ("response_type", "code"),
                ("client_id", &self.app_key),
                ("scope", "openid"),
                ("state", state),
                ("prompt", "consent"),
            ],
        )
    }

    /// `/v1.0/oauth2/userAccessToken`: exchanges an `authCode` for a user token.
    pub async fn user_token(&self, auth_code: &str) -> Result<UserToken, ApiError> {
        let body = CodeExchange {
            client_id: &self.app_key,
            client_secret: self.app_secret.expose(),
            code: auth_code,
            grant_type: "authorization_code",
        };
        let req = self
            .api_post("/v1.0/oauth2/userAccessToken", &body)
            .token(TokenPlacement::None);
        self.call(req).await
    }

    /// `/v1.0/contact/users/me` with a user token.
    pub async fn user_profile(&self, token: &UserToken) -> Result<UserProfile, ApiError> {
        let req = self
            .api_get("/v1.0/contact/users/me")
            .token(TokenPlacement::None)
            .secret_header("x-acs-dingtalk-access-token", &token.access_token);
        self.call(req).await
    }

    /// `topapi/v2/user/getuserinfo`: the member behind a `dd.getAuthCode` code (in-app login).
    pub async fn in_app_user(&self, code: &str) -> Result<InAppUser, ApiError> {
        let req = self.oapi_post("/topapi/v2/user/getuserinfo", &json!({ "code": code }));
        self.call_result(req).await
    }

    /// Legacy `sns/getuserinfo_bycode`, signed with the app secret over the current timestamp.
    pub async fn sns_user(&self, tmp_auth_code: &str) -> Result<SnsUser, ApiError> {
        let timestamp = now_ms().to_string();
        let signature = sign::login_sign(self.app_secret.expose(), &timestamp);
        let req = ApiRequest::post(
            &self.oapi,
            "/sns/getuserinfo_bycode",
            &json!({ "tmp_auth_code": tmp_auth_code }),
        )
        .query("accessKey", &self.app_key)
        .query("timestamp", timestamp)
        .query("signature", signature)
        .token(TokenPlacement::None);
        Ok(self.call::<SnsAnswer>(req).await?.user_info)
    }
}
