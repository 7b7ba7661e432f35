//! `auth/getuserinfo` and `auth/getuserdetail` (§A7): a one-time code (minted by
//! [`Controls::oauth_code_for`](crate::sim::Controls::oauth_code_for) or, with consent,
//! [`Controls::oauth_consent_code_for`](crate::sim::Controls::oauth_consent_code_for)) is exchanged
//! for the member's userid, plus a `user_ticket` when they consented; the ticket then unlocks the
//! sensitive fields. Unknown, used or expired codes answer 40029; bad or expired tickets 84014.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::contacts::sensitive_fields;
use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::{merged, parse_json};
use crate::sim::oauth::TicketError;

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/auth/getuserinfo", get(getuserinfo))
        .route("/cgi-bin/auth/getuserdetail", post(getuserdetail))
}

async fn getuserinfo(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let code = params.get("code").map(String::as_str).unwrap_or_default();
    let redeemed = wecom
        .controls
        .oauth()
        .redeem_with_ticket(code, wecom.controls.now_ms())
        .ok_or(WeComError::new(40029))?;
    let mut answer = json!({"userid": redeemed.userid});
    if let Some(ticket) = redeemed.user_ticket {
        answer["user_ticket"] = json!(ticket);
    }
    Ok(ok(answer))
}

#[derive(Deserialize)]
struct DetailBody {
    #[serde(default)]
    user_ticket: String,
}

async fn getuserdetail(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: DetailBody = parse_json(&body)?;
    let now = wecom.controls.now_ms();
    let userid = wecom
        .controls
        .oauth()
        .ticket_holder(&body.user_ticket, now)
        .map_err(|err| match err {
            TicketError::Unknown => WeComError::with(84014, "user_ticket was not issued"),
            TicketError::Expired => WeComError::with(84014, "user_ticket expired"),
        })?;
    let dir = wecom.controls.directory_mut();
    let u = dir.user(&userid)?;
    let detail = merged(json!({"userid": u.userid}), sensitive_fields(u));
    Ok(ok(detail))
}
