//! `message/send` and `message/recall` (§A3).
//!
//! Recipients are `|` lists (≤1000 users, ≤100 departments and tags) or `touser=@all`, which makes
//! WeCom ignore the other two. Unknown ids come back lower-cased in `invaliduser`/`invalidparty`/
//! `invalidtag` with errcode 0; when nobody valid remains the call fails with 81013. Delivered
//! messages go through the 30/min, 1000/h per-member throttle, which drops silently.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::parse_json;
use crate::sim::messaging::{self, Recipients};

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/message/send", post(send))
        .route("/cgi-bin/message/recall", post(recall))
}

/// Message types message/send accepts.
const MSGTYPES: &[&str] = &[
    "text",
    "image",
    "voice",
    "video",
    "file",
    "textcard",
    "news",
    "mpnews",
    "markdown",
    "miniprogram_notice",
    "template_card",
    "interactive_taskcard",
];

/// Byte limit of text and markdown content.
const CONTENT_LIMIT: usize = 2048;

/// Checks the content of the types whose limits the reference documents.
fn check_content(msgtype: &str, content: &Value) -> Result<(), WeComError> {
    let text = |key: &str| content.get(key).and_then(Value::as_str).unwrap_or_default();
    match msgtype {
        "text" | "markdown" => {
            let body = text("content");
            if body.is_empty() {
                return Err(WeComError::new(44004));
            }
            if body.len() > CONTENT_LIMIT {
                return Err(WeComError::with(
                    45002,
                    format!("content is {} bytes, limit {CONTENT_LIMIT}", body.len()),
                ));
            }
        }
        "textcard" => {
            if text("title").is_empty() || text("description").is_empty() || text("url").is_empty()
            {
                return Err(WeComError::with(
                    40058,
                    "textcard needs title, description and url",
                ));
            }
            if text("title").len() > 128 || text("description").len() > 512 {
                return Err(WeComError::with(
                    45002,
                    "textcard title ≤128 bytes, description ≤512 bytes",
                ));
            }
        }
        "news" => {
            let count = content
                .get("articles")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if !(1..=8).contains(&count) {
                return Err(WeComError::with(
                    40058,
                    format!("news needs 1-8 articles, got {count}"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

async fn send(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let request: Value = parse_json(&body)?;
    let field = |key: &str| request.get(key).and_then(Value::as_str);
    let agent_id = match request.get("agentid") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    if agent_id != Some(wecom.credentials.agent_id) {
        return Err(WeComError::with(
            40056,
            format!("agentid {:?}", request.get("agentid")),
        ));
    }
    let msgtype = field("msgtype").unwrap_or_default();
    if !MSGTYPES.contains(&msgtype) {
        return Err(WeComError::with(40008, format!("msgtype {msgtype:?}")));
    }
    let content = request.get(msgtype).cloned().unwrap_or(Value::Null);
    check_content(msgtype, &content)?;

    let touser = field("touser");
    let to = Recipients {
        all: touser == Some("@all"),
        users: Recipients::split(touser.filter(|t| *t != "@all"), '|'),
        departments: Recipients::split(field("toparty"), '|'),
        tags: Recipients::split(field("totag"), '|'),
    };
    if to.users.len() > 1000 || to.departments.len() > 100 || to.tags.len() > 100 {
        return Err(WeComError::with(
            40058,
            "at most 1000 users and 100 parties and tags",
        ));
    }
    let resolved = messaging::resolve(&wecom.controls.directory_mut(), &to);
    if resolved.members.is_empty() {
        return Err(WeComError::new(81013));
    }
    let msgid = format!("sim{:016x}", wecom.controls.next_sequence());
    let answer = json!({
        "invaliduser": resolved.invalid_users.join("|"),
        "invalidparty": resolved.invalid_departments.join("|"),
        "invalidtag": resolved.invalid_tags.join("|"),
        "unlicenseduser": "",
        "msgid": msgid,
    });
    let agent = wecom.credentials.agent_id.to_string();
    messaging::deliver(
        &wecom.controls,
        msgid,
        &agent,
        msgtype,
        request.clone(),
        &content,
        resolved,
    );
    Ok(ok(answer))
}

async fn recall(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let request: Value = parse_json(&body)?;
    let msgid = request
        .get("msgid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !wecom.controls.messages().iter().any(|m| m.id == msgid) {
        return Err(WeComError::with(40058, format!("unknown msgid {msgid:?}")));
    }
    Ok(ok(json!({})))
}
