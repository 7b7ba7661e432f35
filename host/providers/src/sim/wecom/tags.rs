//! Tags (§A2): list, get, create, add and remove members. Unknown members or departments in
//! addtagusers are reported in `invalidlist` / `invalidparty` rather than failing the call.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok, ok_with};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::parse_json;

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/tag/list", get(tag_list))
        .route("/cgi-bin/tag/get", get(tag_get))
        .route("/cgi-bin/tag/create", post(tag_create))
        .route("/cgi-bin/tag/addtagusers", post(tag_add))
        .route("/cgi-bin/tag/deltagusers", post(tag_del))
}

async fn tag_list(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let dir = wecom.controls.directory_mut();
    let list: Vec<Value> = dir
        .tags()
        .map(|t| json!({"tagid": t.id, "tagname": t.name}))
        .collect();
    Ok(ok(json!({"taglist": list})))
}

async fn tag_get(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let id: u64 = params
        .get("tagid")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| WeComError::with(40068, "missing or invalid tagid"))?;
    let dir = wecom.controls.directory_mut();
    let tag = dir.tag(id)?;
    let users: Vec<Value> = tag
        .users
        .iter()
        .filter_map(|u| dir.user(u).ok())
        .map(|u| json!({"userid": u.userid, "name": u.name}))
        .collect();
    Ok(ok(
        json!({"tagname": tag.name, "userlist": users, "partylist": tag.departments}),
    ))
}

#[derive(Deserialize)]
struct CreateBody {
    tagname: Option<String>,
    tagid: Option<u64>,
}

async fn tag_create(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: CreateBody = parse_json(&body)?;
    let name = body
        .tagname
        .filter(|n| !n.is_empty() && n.chars().count() <= 32);
    let name = name.ok_or_else(|| WeComError::with(40058, "tagname must be 1-32 characters"))?;
    let id = wecom
        .controls
        .directory_mut()
        .create_tag(body.tagid, &name)?;
    Ok(ok_with("created", json!({"tagid": id})))
}

#[derive(Deserialize)]
struct MembersBody {
    tagid: u64,
    #[serde(default)]
    userlist: Vec<String>,
    #[serde(default)]
    partylist: Vec<u64>,
}

async fn tag_add(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let body: MembersBody = parse_json(&body)?;
    if body.userlist.is_empty() && body.partylist.is_empty() {
        return Err(WeComError::with(
            40058,
            "userlist and partylist are both empty",
        ));
    }
    let (bad_users, bad_parties) = wecom.controls.directory_mut().add_tag_members(
        body.tagid,
        &body.userlist,
        &body.partylist,
    )?;
    let mut fields = json!({});
    if !bad_users.is_empty() {
        fields["invalidlist"] = json!(bad_users.join("|").to_lowercase());
    }
    if !bad_parties.is_empty() {
        fields["invalidparty"] = json!(bad_parties);
    }
    Ok(ok(fields))
}

async fn tag_del(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let body: MembersBody = parse_json(&body)?;
    wecom.controls.directory_mut().remove_tag_members(
        body.tagid,
        &body.userlist,
        &body.partylist,
    )?;
    Ok(ok_with("deleted", json!({})))
}
