//! `GET /cgi-bin/gettoken` and the access-token check every other endpoint starts with (§A1).

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::json;

use super::errors::{Reply, WeComError, ok};
use super::{Params, WeCom};
use crate::sim::dialect::Failure;
use crate::sim::tokens::Renewal;

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route("/cgi-bin/gettoken", get(gettoken))
}

/// Issues the app token: 41002/41004 for missing parameters, 40013 for a wrong corp id, 40001 for
/// a wrong secret; the same token while it is valid.
async fn gettoken(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    let corp_id = params
        .get("corpid")
        .filter(|v| !v.is_empty())
        .ok_or(WeComError::new(41002))?;
    let secret = params
        .get("corpsecret")
        .filter(|v| !v.is_empty())
        .ok_or(WeComError::new(41004))?;
    if *corp_id != wecom.credentials.corp_id {
        return Err(WeComError::new(40013));
    }
    if *secret != wecom.credentials.secret {
        return Err(WeComError::new(40001));
    }
    let grant = wecom.controls.tokens().issue(
        &wecom.credentials.agent_id.to_string(),
        wecom.controls.now_ms(),
        Renewal::Keep,
    );
    Ok(ok(
        json!({"access_token": grant.token, "expires_in": grant.expires_in}),
    ))
}

/// Checks the `access_token` query parameter (41001 / 40014 / 42001).
pub(super) fn authorize(wecom: &WeCom, params: &Params) -> Result<(), WeComError> {
    let token = params.get("access_token").map(String::as_str);
    wecom
        .controls
        .tokens()
        .check(token, wecom.controls.now_ms())
        .map(|_| ())
        .map_err(|err| Failure::Token(err).into())
}
