//! `message/send` and `message/recall` (§A3).
//!
//! Recipients are `|` lists (≤1000 users, ≤100 departments and tags) or `touser=@all`, which makes
//! WeCom ignore the other two. Unknown ids come back lower-cased in `invaliduser`/`invalidparty`/
//! `invalidtag` with errcode 0; when nobody valid remains the call fails with 81013. Delivered
//! messages go through the 30/min, 1000/h per-member throttle, which drops silently.
//!
//! With `enable_duplicate_check: 1`, a message identical to one sent within
//! `duplicate_check_interval` seconds (default 1800, at most 4 h) is answered as sent, with the
//! first message's id, and delivered to nobody.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::parse_json;
use crate::sim::messaging::{
    self, DUPLICATE_CHECK_DEFAULT_SECS, DUPLICATE_CHECK_MAX_SECS, DuplicateCheck, Recipients,
};
use crate::sim::throttle::fingerprint;

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/message/send", post(send))
        .route("/cgi-bin/message/recall", post(recall))
        .layer(Extension(Arc::new(DuplicateCheck::default())))
}

/// `enable_duplicate_check` and `duplicate_check_interval` of a request.
fn duplicate_check(request: &Value) -> Result<(bool, i64), WeComError> {
    let enabled = match request.get("enable_duplicate_check") {
        None => false,
        Some(flag) => match flag.as_i64() {
            Some(0) => false,
            Some(1) => true,
            _ => {
                return Err(WeComError::with(
                    40058,
                    format!("enable_duplicate_check must be 0 or 1, got {flag}"),
                ));
            }
        },
    };
    let interval = match request.get("duplicate_check_interval") {
        None => DUPLICATE_CHECK_DEFAULT_SECS,
        Some(value) => value
            .as_i64()
            .filter(|secs| (1..=DUPLICATE_CHECK_MAX_SECS).contains(secs))
            .ok_or_else(|| {
                WeComError::with(
                    40058,
                    format!(
                        "duplicate_check_interval must be 1..={DUPLICATE_CHECK_MAX_SECS} seconds, got {value}"
                    ),
                )
            })?,
    };
    Ok((enabled, interval))
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

async fn send(
    State(wecom): State<WeCom>,
    Extension(duplicates): Extension<Arc<DuplicateCheck>>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
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
    let (check_duplicates, interval) = duplicate_check(&request)?;

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
    let mut msgid = format!("sim{:016x}", wecom.controls.next_sequence());
    let print = fingerprint(&json!([
        msgtype,
        content,
        field("touser"),
        field("toparty"),
        field("totag")
    ]));
    let now = wecom.controls.now_ms();
    let earlier = duplicates.earlier(print, check_duplicates, interval, now, &msgid);
    let repeat = earlier.is_some();
    if let Some(first) = earlier {
        msgid = first;
    }
    let answer = json!({
        "invaliduser": resolved.invalid_users.join("|"),
        "invalidparty": resolved.invalid_departments.join("|"),
        "invalidtag": resolved.invalid_tags.join("|"),
        "unlicenseduser": "",
        "msgid": msgid,
    });
    if repeat {
        return Ok(ok(answer));
    }
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
