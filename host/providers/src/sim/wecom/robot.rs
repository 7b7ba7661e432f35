//! The group-robot webhook `POST /cgi-bin/webhook/send?key=KEY` (§A4). The key is the only
//! credential (no access token); an unknown key answers 93000; more than 20 posts a minute 45009.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::{Params, WeCom};
use crate::sim::dialect::parse_json;
use crate::sim::recorder::RobotPost;

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route("/cgi-bin/webhook/send", post(send))
}

/// Message types a robot accepts.
const MSGTYPES: &[&str] = &[
    "text",
    "markdown",
    "markdown_v2",
    "image",
    "news",
    "file",
    "voice",
    "template_card",
];

fn check(body: &Value) -> Result<(), WeComError> {
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !MSGTYPES.contains(&msgtype) {
        return Err(WeComError::with(40008, format!("msgtype {msgtype:?}")));
    }
    let content = &body[msgtype];
    let limit = if msgtype == "text" { 2048 } else { 4096 };
    if matches!(msgtype, "text" | "markdown" | "markdown_v2") {
        let text = content
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if text.is_empty() {
            return Err(WeComError::new(44004));
        }
        if text.len() > limit {
            return Err(WeComError::with(
                45002,
                format!("content is {} bytes, limit {limit}", text.len()),
            ));
        }
    }
    if msgtype == "news" {
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
    Ok(())
}

async fn send(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    let key = params.get("key").cloned().unwrap_or_default();
    let parsed: Value = parse_json(&body)?;
    let outcome = if key != wecom.credentials.robot_key {
        Err(WeComError::new(93000))
    } else {
        check(&parsed).and_then(|()| {
            if wecom.robots.admit(&key, wecom.controls.now_ms()) {
                Ok(())
            } else {
                Err(WeComError::with(
                    45009,
                    "robot sends at most 20 messages a minute",
                ))
            }
        })
    };
    let errcode = outcome.as_ref().err().map_or(0, |e| e.errcode);
    wecom.controls.recorder().record_robot_post(RobotPost {
        robot: key,
        body: parsed,
        errcode,
    });
    outcome.map(|()| ok(json!({})))
}
