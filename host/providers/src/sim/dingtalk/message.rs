//! Work notifications: `topapi/message/corpconversation/asyncsend_v2` and `getsendresult` (§B1).
//!
//! Lists are comma-separated strings; one of `userid_list`, `dept_id_list`, `to_all_user` is
//! required; at most 5000 recipients per call. The send is asynchronous: the answer is only a
//! `task_id`, unknown recipients and members dropped by the per-member limits (500 a day,
//! identical content once a day) show up only in getsendresult (`invalid_user_id_list`,
//! `forbidden_user_id_list`), never as an error.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::token::authorize;
use super::{DingTalk, Params};
use crate::sim::dialect::parse_json;
use crate::sim::messaging::{self, Recipients};

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route(
            "/topapi/message/corpconversation/asyncsend_v2",
            post(asyncsend),
        )
        .route(
            "/topapi/message/corpconversation/getsendresult",
            post(getsendresult),
        )
}

/// Message types work notifications (and `chat/send`) accept.
pub(super) const MSGTYPES: &[&str] = &[
    "text",
    "image",
    "voice",
    "file",
    "link",
    "oa",
    "markdown",
    "action_card",
];

/// Most recipients one call may name (internal apps).
const MAX_RECIPIENTS: usize = 5000;

#[derive(Deserialize)]
struct SendBody {
    agent_id: Option<Value>,
    userid_list: Option<String>,
    dept_id_list: Option<String>,
    #[serde(default)]
    to_all_user: bool,
    msg: Option<Value>,
}

fn agent_matches(dingtalk: &DingTalk, agent: Option<&Value>) -> bool {
    let id = match agent {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    id == Some(dingtalk.credentials.agent_id)
}

async fn asyncsend(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let request: Value = parse_json(&body)?;
    let send: SendBody = parse_json(&body)?;
    if !agent_matches(&dingtalk, send.agent_id.as_ref()) {
        return Err(DingTalkError::with(
            400002,
            "agent_id does not match the app",
        ));
    }
    let msg = send
        .msg
        .ok_or_else(|| DingTalkError::with(400002, "msg is required"))?;
    let msgtype = msg
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !MSGTYPES.contains(&msgtype.as_str()) {
        return Err(DingTalkError::with(400002, format!("msgtype {msgtype:?}")));
    }
    let to = Recipients {
        users: Recipients::split(send.userid_list.as_deref(), ','),
        departments: Recipients::split(send.dept_id_list.as_deref(), ','),
        tags: Vec::new(),
        all: send.to_all_user,
    };
    if to.is_empty() {
        return Err(DingTalkError::with(
            400002,
            "one of userid_list, dept_id_list, to_all_user is required",
        ));
    }
    if to.users.len() > MAX_RECIPIENTS {
        return Err(DingTalkError::with(
            400002,
            format!("at most {MAX_RECIPIENTS} userids"),
        ));
    }
    let resolved = messaging::resolve(&dingtalk.controls.directory_mut(), &to);
    let task_id = dingtalk.controls.next_sequence() + 256_000_000_000;
    let content = msg.get(&msgtype).cloned().unwrap_or(Value::Null);
    let agent = dingtalk.credentials.agent_id.to_string();
    messaging::deliver(
        &dingtalk.controls,
        task_id.to_string(),
        &agent,
        &msgtype,
        request,
        &content,
        resolved,
    );
    Ok(ok_fields(json!({"task_id": task_id})))
}

#[derive(Deserialize)]
struct ResultBody {
    task_id: Option<Value>,
}

async fn getsendresult(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: ResultBody = parse_json(&body)?;
    let task = match body.task_id {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s,
        _ => return Err(DingTalkError::with(400002, "task_id is required")),
    };
    let message = dingtalk
        .controls
        .messages()
        .into_iter()
        .find(|m| m.id == task)
        .ok_or_else(|| DingTalkError::with(400002, format!("unknown task_id {task}")))?;
    Ok(ok_fields(json!({"send_result": {
        "invalid_user_id_list": message.invalid_users,
        "invalid_dept_id_list": message.invalid_departments,
        "forbidden_user_id_list": message.throttled,
        "failed_user_id_list": [],
        "read_user_id_list": [],
        "unread_user_id_list": message.delivered,
        "forbidden_list": message.throttled.iter().map(|u| json!({"code": "143105", "count": 500, "userid": u})).collect::<Vec<_>>(),
    }})))
}
