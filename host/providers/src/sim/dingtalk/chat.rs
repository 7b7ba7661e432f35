//! Group-chat messages (§B1, §B2): the legacy oapi `POST /chat/send {chatid, msg}` for groups the
//! app created, and its replacement `POST /v1.0/robot/groupMessages/send` for the app's robot.
//! Accepted messages go to the recorder's group messages.
//!
//! The simulated corp has no group-management API, so a `chatid` is checked for DingTalk's form
//! (`chat` + 32 hex digits) and an `openConversationId` for its `cid` prefix. The robot of an
//! internal app is the app itself, so `robotCode` must be the AppKey.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::message::MSGTYPES;
use super::token::{authorize, authorize_v1};
use super::{DingTalk, Params};
use crate::sim::dialect::parse_json;
use crate::sim::recorder::GroupMessage;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/chat/send", post(chat_send))
        .route("/v1.0/robot/groupMessages/send", post(robot_send))
}

/// Robot templates (`msgKey`) and the `msgParam` fields each one needs.
const TEMPLATES: &[(&str, &[&str])] = &[
    ("sampleText", &["content"]),
    ("sampleMarkdown", &["title", "text"]),
    ("sampleLink", &["title", "text", "messageUrl"]),
    ("sampleImageMsg", &["photoURL"]),
    ("sampleActionCard", &["title", "text"]),
];

fn is_chat_id(chat_id: &str) -> bool {
    chat_id
        .strip_prefix("chat")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Records an accepted group message under a fresh id made with `prefix`.
fn record(
    dingtalk: &DingTalk,
    prefix: &str,
    conversation: String,
    sender: String,
    body: Value,
) -> String {
    let id = format!("{prefix}{:016x}", dingtalk.controls.next_sequence());
    dingtalk
        .controls
        .recorder()
        .record_group_message(GroupMessage {
            id: id.clone(),
            conversation,
            sender,
            body,
        });
    id
}

async fn chat_send(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: Value = parse_json(&body)?;
    let chat_id = body["chatid"].as_str().unwrap_or_default().to_owned();
    if !is_chat_id(&chat_id) {
        return Err(DingTalkError::with(400002, format!("chatid {chat_id:?}")));
    }
    let msgtype = body["msg"]["msgtype"].as_str().unwrap_or_default();
    if !MSGTYPES.contains(&msgtype) {
        return Err(DingTalkError::with(400002, format!("msgtype {msgtype:?}")));
    }
    if !body["msg"][msgtype].is_object() {
        return Err(DingTalkError::with(
            400002,
            format!("msg.{msgtype} is required"),
        ));
    }
    let sender = dingtalk.credentials.app_key.clone();
    let id = record(&dingtalk, "msg", chat_id, sender, body);
    Ok(ok_fields(json!({"messageId": id})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RobotBody {
    #[serde(default)]
    robot_code: String,
    #[serde(default)]
    open_conversation_id: String,
    #[serde(default)]
    msg_key: String,
    #[serde(default)]
    msg_param: String,
}

fn check_robot(dingtalk: &DingTalk, body: &RobotBody) -> Result<(), DingTalkError> {
    let invalid = |detail: String| DingTalkError::with(400002, detail).v1();
    if body.robot_code != dingtalk.credentials.app_key {
        return Err(invalid(format!(
            "robotCode {:?} does not exist",
            body.robot_code
        )));
    }
    if !body.open_conversation_id.starts_with("cid") {
        return Err(invalid(format!(
            "openConversationId {:?}",
            body.open_conversation_id
        )));
    }
    let (_, needs) = TEMPLATES
        .iter()
        .find(|(key, _)| *key == body.msg_key)
        .ok_or_else(|| invalid(format!("msgKey {:?}", body.msg_key)))?;
    let param: Value = serde_json::from_str(&body.msg_param)
        .map_err(|e| invalid(format!("msgParam is not JSON: {e}")))?;
    let missing: Vec<&str> = needs
        .iter()
        .copied()
        .filter(|field| param[*field].as_str().is_none_or(str::is_empty))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(invalid(format!(
            "msgParam of {} lacks {}",
            body.msg_key,
            missing.join(", ")
        )))
    }
}

async fn robot_send(
    State(dingtalk): State<DingTalk>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, DingTalkError> {
    authorize_v1(&dingtalk, &headers)?;
    let raw: Value = parse_json(&body).map_err(|f| DingTalkError::from(f).v1())?;
    let parsed: RobotBody =
        serde_json::from_value(raw.clone()).map_err(|e| DingTalkError::with(400002, e).v1())?;
    check_robot(&dingtalk, &parsed)?;
    let key = record(
        &dingtalk,
        "pqk",
        parsed.open_conversation_id,
        parsed.robot_code,
        raw,
    );
    Ok(Json(json!({"processQueryKey": key})))
}

#[cfg(test)]
mod tests {
    use super::is_chat_id;

    #[test]
    fn chat_ids_have_dingtalks_form() {
        assert!(is_chat_id("chat0123456789abcdef0123456789abcdef"));
        assert!(!is_chat_id("chat0123"));
        assert!(!is_chat_id("cid0123456789abcdef0123456789abcdef"));
        assert!(!is_chat_id("chat0123456789abcdef0123456789abcdeg"));
    }
}
