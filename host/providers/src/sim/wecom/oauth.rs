//! `auth/getuserinfo` (§A7): exchanges a one-time code (minted by
//! [`Controls::oauth_code_for`](crate::sim::Controls::oauth_code_for)) for the member's userid;
//! unknown, used or expired codes answer 40029.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::json;

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route("/cgi-bin/auth/getuserinfo", get(getuserinfo))
}

async fn getuserinfo(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let code = params.get("code").map(String::as_str).unwrap_or_default();
    let userid = wecom
        .controls
        .oauth()
        .redeem(code, wecom.controls.now_ms())
        .ok_or(WeComError::new(40029))?;
    Ok(ok(json!({"userid": userid})))
}
