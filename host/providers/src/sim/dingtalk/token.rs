//! App tokens: oapi `GET /gettoken` and v1.0 `POST /v1.0/oauth2/accessToken` (§B1, §B2), and the
//! token checks of both API generations (query `access_token` vs header
//! `x-acs-dingtalk-access-token`). Asking again while valid returns the same token, renewed.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::{DingTalk, Params};
use crate::sim::dialect::{Failure, parse_json};
use crate::sim::tokens::{Grant, Renewal};

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/gettoken", get(gettoken))
        .route("/v1.0/oauth2/accessToken", post(access_token))
}

fn grant(
    dingtalk: &DingTalk,
    key: Option<&str>,
    secret: Option<&str>,
) -> Result<Grant, DingTalkError> {
    let creds = &dingtalk.credentials;
    if key != Some(creds.app_key.as_str()) || secret != Some(creds.app_secret.as_str()) {
        return Err(DingTalkError::new(40089));
    }
    Ok(dingtalk.controls.tokens().issue(
        &creds.app_key,
        dingtalk.controls.now_ms(),
        Renewal::Extend,
    ))
}

async fn gettoken(State(dingtalk): State<DingTalk>, Query(params): Query<Params>) -> Reply {
    let grant = grant(
        &dingtalk,
        params.get("appkey").map(String::as_str),
        params.get("appsecret").map(String::as_str),
    )?;
    Ok(ok_fields(
        json!({"access_token": grant.token, "expires_in": grant.expires_in}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessTokenBody {
    app_key: Option<String>,
    app_secret: Option<String>,
}

async fn access_token(
    State(dingtalk): State<DingTalk>,
    body: Bytes,
) -> Result<Json<Value>, DingTalkError> {
    let body: AccessTokenBody = parse_json(&body).map_err(|f| DingTalkError::from(f).v1())?;
    let grant = grant(
        &dingtalk,
        body.app_key.as_deref(),
        body.app_secret.as_deref(),
    )
    .map_err(DingTalkError::v1)?;
    Ok(Json(
        json!({"accessToken": grant.token, "expireIn": grant.expires_in}),
    ))
}

/// Checks the oapi `access_token` query parameter.
pub(super) fn authorize(dingtalk: &DingTalk, params: &Params) -> Result<(), DingTalkError> {
    check(dingtalk, params.get("access_token").map(String::as_str))
}

/// Checks the v1.0 `x-acs-dingtalk-access-token` header (errors in the v1.0 envelope).
pub(super) fn authorize_v1(dingtalk: &DingTalk, headers: &HeaderMap) -> Result<(), DingTalkError> {
    let token = headers
        .get("x-acs-dingtalk-access-token")
        .and_then(|v| v.to_str().ok());
    check(dingtalk, token).map_err(DingTalkError::v1)
}

fn check(dingtalk: &DingTalk, token: Option<&str>) -> Result<(), DingTalkError> {
    dingtalk
        .controls
        .tokens()
        .check(token, dingtalk.controls.now_ms())
        .map(|_| ())
        .map_err(|err| Failure::Token(err).into())
}
