//! Login (§B1, §B2): in-app silent login `topapi/v2/user/getuserinfo {code}`, the legacy QR login
//! `sns/getuserinfo_bycode` (HMAC-SHA256 of the timestamp with the app secret, timestamp within a
//! minute), and the v1.0 OAuth2 `userAccessToken` + `contact/users/me`. Codes come from
//! [`Controls::oauth_code_for`](crate::sim::Controls::oauth_code_for); unknown or used codes
//! answer 40078.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields, ok_result};
use super::token::authorize;
use super::{DingTalk, Params};
use crate::crypto::sign;
use crate::sim::dialect::{Failure, parse_json};
use crate::sim::tokens::Renewal;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/topapi/v2/user/getuserinfo", post(getuserinfo))
        .route("/sns/getuserinfo_bycode", post(getuserinfo_bycode))
        .route("/v1.0/oauth2/userAccessToken", post(user_access_token))
        .route("/v1.0/contact/users/me", get(users_me))
}

/// How far the legacy login timestamp may be from the server clock.
const LOGIN_WINDOW_MS: i64 = 60_000;

/// Prefix of user-token grants in the shared token store (app grants use the bare app key).
const USER_GRANT: &str = "user:";

fn redeem(dingtalk: &DingTalk, code: &str) -> Result<String, DingTalkError> {
    dingtalk
        .controls
        .oauth()
        .redeem(code, dingtalk.controls.now_ms())
        .ok_or_else(|| DingTalkError::new(40078))
}

#[derive(Deserialize)]
struct CodeBody {
    code: Option<String>,
    tmp_auth_code: Option<String>,
}

async fn getuserinfo(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: CodeBody = parse_json(&body)?;
    let userid = redeem(&dingtalk, body.code.as_deref().unwrap_or_default())?;
    let name = dingtalk
        .controls
        .directory_mut()
        .user(&userid)?
        .name
        .clone();
    Ok(ok_result(
        json!({"userid": userid, "unionid": format!("un{userid}"), "name": name, "associated_unionid": "", "device_id": "", "sys": false, "sys_level": 0}),
    ))
}

async fn getuserinfo_bycode(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    let field = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if field("accessKey") != dingtalk.credentials.app_key {
        return Err(DingTalkError::new(853003));
    }
    let timestamp: i64 = field("timestamp")
        .parse()
        .map_err(|_| DingTalkError::new(853001))?;
    if timestamp.abs_diff(dingtalk.controls.now_ms()) > LOGIN_WINDOW_MS.unsigned_abs() {
        return Err(DingTalkError::new(853002));
    }
    sign::verify_login_sign(
        &dingtalk.credentials.app_secret,
        field("timestamp"),
        field("signature"),
    )
    .map_err(|_| DingTalkError::new(853004))?;
    let body: CodeBody = parse_json(&body)?;
    let userid = redeem(&dingtalk, body.tmp_auth_code.as_deref().unwrap_or_default())?;
    let name = dingtalk
        .controls
        .directory_mut()
        .user(&userid)?
        .name
        .clone();
    Ok(ok_fields(
        json!({"user_info": {"nick": name, "unionid": format!("un{userid}"), "openid": format!("op{userid}"), "main_org_auth_high_level": true}}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserTokenBody {
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    grant_type: Option<String>,
}

async fn user_access_token(
    State(dingtalk): State<DingTalk>,
    body: Bytes,
) -> Result<Json<Value>, DingTalkError> {
    let body: UserTokenBody = parse_json(&body).map_err(|f| DingTalkError::from(f).v1())?;
    let creds = &dingtalk.credentials;
    if body.client_id.as_deref() != Some(&creds.app_key)
        || body.client_secret.as_deref() != Some(&creds.app_secret)
    {
        return Err(DingTalkError::new(40089).v1());
    }
    if body.grant_type.as_deref() != Some("authorization_code") {
        return Err(DingTalkError::with(400002, "grantType must be authorization_code").v1());
    }
    let userid =
        redeem(&dingtalk, body.code.as_deref().unwrap_or_default()).map_err(DingTalkError::v1)?;
    let grant = dingtalk.controls.tokens().issue(
        &format!("{USER_GRANT}{userid}"),
        dingtalk.controls.now_ms(),
        Renewal::Keep,
    );
    Ok(Json(
        json!({"accessToken": grant.token, "refreshToken": format!("r{}", grant.token), "expireIn": grant.expires_in, "corpId": creds.corp_id}),
    ))
}

async fn users_me(
    State(dingtalk): State<DingTalk>,
    headers: HeaderMap,
) -> Result<Json<Value>, DingTalkError> {
    let token = headers
        .get("x-acs-dingtalk-access-token")
        .and_then(|v| v.to_str().ok());
    let grant = dingtalk
        .controls
        .tokens()
        .check(token, dingtalk.controls.now_ms())
        .map_err(|err| DingTalkError::from(Failure::Token(err)).v1())?;
    let userid = grant
        .strip_prefix(USER_GRANT)
        .ok_or_else(|| DingTalkError::with(40014, "not a user access token").v1())?;
    let dir = dingtalk.controls.directory_mut();
    let u = dir.user(userid).map_err(|e| DingTalkError::from(e).v1())?;
    Ok(Json(
        json!({"nick": u.name, "unionId": format!("un{}", u.userid), "openId": format!("op{}", u.userid),
        "avatarUrl": "", "mobile": u.mobile, "stateCode": "86", "email": u.email}),
    ))
}
