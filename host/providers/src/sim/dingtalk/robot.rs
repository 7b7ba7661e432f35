//! The custom group robot `POST /robot/send?access_token=X&timestamp=MS&sign=S` (§B3).
//!
//! The simulated robot uses the "signing" security setting: the signature is HMAC-SHA256 over
//! `"{timestamp}\n{secret}"` and the timestamp must be within an hour of the service's clock;
//! either failure answers 310000. An unknown access_token answers 300001. More than 20 posts a
//! minute answers 410100 and throttles the robot for 10 minutes.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::{DingTalk, Params};
use crate::crypto::{CryptoError, sign};
use crate::sim::dialect::parse_json;
use crate::sim::recorder::RobotPost;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new().route("/robot/send", post(send))
}

/// Message types a robot accepts.
const MSGTYPES: &[&str] = &["text", "link", "markdown", "actionCard", "feedCard"];

fn check_signature(dingtalk: &DingTalk, params: &Params) -> Result<(), DingTalkError> {
    let timestamp = params
        .get("timestamp")
        .map(String::as_str)
        .unwrap_or_default();
    let signature = params.get("sign").map(String::as_str).unwrap_or_default();
    if timestamp.is_empty() || signature.is_empty() {
        return Err(DingTalkError::with(
            310000,
            "timestamp and sign are required",
        ));
    }
    let timestamp: i64 = timestamp.parse().map_err(|_| {
        DingTalkError::with(
            310000,
            format!("timestamp {timestamp:?} is not milliseconds"),
        )
    })?;
    let now = dingtalk.controls.now_ms();
    sign::verify_robot_sign(
        &dingtalk.credentials.robot_secret,
        timestamp,
        signature,
        now,
    )
    .map_err(|err| match err {
        CryptoError::TimestampOutOfWindow { .. } => DingTalkError::with(
            310000,
            "timestamp is more than 1 hour away from server time",
        ),
        _ => DingTalkError::new(310000),
    })
}

fn check_body(body: &Value) -> Result<(), DingTalkError> {
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !MSGTYPES.contains(&msgtype) {
        return Err(DingTalkError::with(400002, format!("msgtype {msgtype:?}")));
    }
    let needs = |field: &str| {
        body[msgtype]
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    };
    let missing = match msgtype {
        "text" => needs("content"),
        "markdown" | "actionCard" => needs("title") || needs("text"),
        "link" => needs("title") || needs("text") || needs("messageUrl"),
        _ => false,
    };
    if missing {
        return Err(DingTalkError::with(
            400002,
            format!("{msgtype} is missing required fields"),
        ));
    }
    Ok(())
}

async fn send(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    let robot = params.get("access_token").cloned().unwrap_or_default();
    let parsed: Value = parse_json(&body)?;
    let outcome = if robot != dingtalk.credentials.robot_token {
        Err(DingTalkError::new(300001))
    } else {
        check_signature(&dingtalk, &params)
            .and_then(|()| check_body(&parsed))
            .and_then(|()| {
                if dingtalk.robots.admit(&robot, dingtalk.controls.now_ms()) {
                    Ok(())
                } else {
                    Err(DingTalkError::new(410100))
                }
            })
    };
    let errcode = outcome.as_ref().err().map_or(0, |e| e.errcode);
    dingtalk.controls.recorder().record_robot_post(RobotPost {
        robot,
        body: parsed,
        errcode,
    });
    outcome.map(|()| ok_fields(json!({})))
}
