//! App menus (§A8: `menu/create|get|delete?agentid=`) and the workbench (§A9:
//! `agent/set_workbench_template`, `agent/get_workbench_template`, `agent/set_workbench_data`),
//! validated against the documented limits and stored per app.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::{merged, parse_json};

/// Stored menus and workbench settings of the simulated app.
#[derive(Debug, Default)]
pub(crate) struct AppSettings {
    menu: Mutex<Option<Value>>,
    workbench_template: Mutex<Option<Value>>,
    workbench_data: Mutex<HashMap<String, Value>>,
}

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/menu/create", post(menu_create))
        .route("/cgi-bin/menu/get", get(menu_get))
        .route("/cgi-bin/menu/delete", get(menu_delete))
        .route("/cgi-bin/agent/set_workbench_template", post(set_template))
        .route("/cgi-bin/agent/get_workbench_template", post(get_template))
        .route("/cgi-bin/agent/set_workbench_data", post(set_data))
}

fn check_agent(wecom: &WeCom, agent: Option<&Value>) -> Result<(), WeComError> {
    let id = match agent {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    if id == Some(wecom.credentials.agent_id) {
        Ok(())
    } else {
        Err(WeComError::with(40056, format!("agentid {agent:?}")))
    }
}

const BUTTON_TYPES: &[&str] = &[
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "view_miniprogram",
];

/// Checks one button: name length, type, and the field its type needs.
fn check_button(button: &Value, name_limit: usize) -> Result<(), WeComError> {
    let name = button
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() || name.len() > name_limit {
        return Err(WeComError::with(
            40018,
            format!("button name {name:?} must be 1-{name_limit} bytes"),
        ));
    }
    let kind = button
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !BUTTON_TYPES.contains(&kind) {
        return Err(WeComError::with(40017, format!("button type {kind:?}")));
    }
    let field = |key: &str| button.get(key).and_then(Value::as_str).unwrap_or_default();
    match kind {
        "view" if field("url").is_empty() || field("url").len() > 1024 => {
            Err(WeComError::with(40055, "view button url"))
        }
        "view_miniprogram" if field("appid").is_empty() || field("pagepath").is_empty() => Err(
            WeComError::with(40058, "view_miniprogram needs appid and pagepath"),
        ),
        "view" | "view_miniprogram" => Ok(()),
        _ if field("key").is_empty() || field("key").len() > 128 => {
            Err(WeComError::with(40019, "button key must be 1-128 bytes"))
        }
        _ => Ok(()),
    }
}

fn check_menu(menu: &Value) -> Result<(), WeComError> {
    let buttons = menu
        .get("button")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !(1..=3).contains(&buttons.len()) {
        return Err(WeComError::with(
            40016,
            format!("{} top-level buttons, 1-3 allowed", buttons.len()),
        ));
    }
    for button in buttons {
        match button.get("sub_button").and_then(Value::as_array) {
            Some(subs) => {
                if !(1..=5).contains(&subs.len()) {
                    return Err(WeComError::with(
                        40023,
                        format!("{} sub-buttons, 1-5 allowed", subs.len()),
                    ));
                }
                let name = button
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if name.is_empty() || name.len() > 16 {
                    return Err(WeComError::with(
                        40018,
                        format!("button name {name:?} must be 1-16 bytes"),
                    ));
                }
                for sub in subs {
                    if sub.get("sub_button").is_some() {
                        return Err(WeComError::with(40022, "menus have at most two levels"));
                    }
                    check_button(sub, 40)?;
                }
            }
            None => check_button(button, 16)?,
        }
    }
    Ok(())
}

fn agent_param(params: &Params) -> Option<Value> {
    params.get("agentid").map(|a| Value::String(a.clone()))
}

async fn menu_create(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    check_agent(&wecom, agent_param(&params).as_ref())?;
    let menu: Value = parse_json(&body)?;
    check_menu(&menu)?;
    *wecom
        .settings
        .menu
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(json!({"button": menu["button"]}));
    Ok(ok(json!({})))
}

async fn menu_get(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    check_agent(&wecom, agent_param(&params).as_ref())?;
    let menu = wecom
        .settings
        .menu
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let menu = menu.ok_or_else(|| WeComError::with(46003, "menu no exist"))?;
    Ok(ok(menu))
}

async fn menu_delete(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    check_agent(&wecom, agent_param(&params).as_ref())?;
    *wecom
        .settings
        .menu
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = None;
    Ok(ok(json!({})))
}

/// Checks a workbench payload of `type` (`keydata` ≤ 4 items, `list` ≤ 3, `image`/`webview` need a url).
fn check_workbench(body: &Value) -> Result<String, WeComError> {
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let payload = &body[kind.as_str()];
    let items = payload
        .get("items")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let fine = match kind.as_str() {
        "normal" => true,
        "keydata" => (1..=4).contains(&items),
        "list" => (1..=3).contains(&items),
        "image" | "webview" => payload
            .get("url")
            .and_then(Value::as_str)
            .is_some_and(|u| !u.is_empty()),
        _ => false,
    };
    if fine {
        Ok(kind)
    } else {
        Err(WeComError::with(
            40058,
            format!("invalid workbench payload of type {kind:?}"),
        ))
    }
}

/// `{kind: body[kind]}`: the payload under its type's key.
fn typed(kind: &str, body: &Value) -> Value {
    let mut payload = serde_json::Map::new();
    payload.insert(kind.to_owned(), body[kind].clone());
    Value::Object(payload)
}

async fn set_template(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: Value = parse_json(&body)?;
    check_agent(&wecom, body.get("agentid"))?;
    let kind = check_workbench(&body)?;
    let replace = body["replace_user_data"].as_bool().unwrap_or(false);
    let stored = merged(
        json!({"type": kind, "replace_user_data": replace}),
        typed(&kind, &body),
    );
    if replace {
        wecom
            .settings
            .workbench_data
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
    *wecom
        .settings
        .workbench_template
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(stored);
    Ok(ok(json!({})))
}

async fn get_template(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: Value = parse_json(&body)?;
    check_agent(&wecom, body.get("agentid"))?;
    let stored = wecom
        .settings
        .workbench_template
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    Ok(ok(stored.unwrap_or_else(
        || json!({"type": "normal", "replace_user_data": false}),
    )))
}

async fn set_data(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let body: Value = parse_json(&body)?;
    check_agent(&wecom, body.get("agentid"))?;
    let userid = body
        .get("userid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    wecom.controls.directory_mut().user(&userid)?;
    let kind = check_workbench(&body)?;
    let data = merged(json!({"type": kind}), typed(&kind, &body));
    wecom
        .settings
        .workbench_data
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(userid.to_lowercase(), data);
    Ok(ok(json!({})))
}

#[cfg(test)]
impl AppSettings {
    /// The workbench data set for one member, if any (for inspection in tests).
    pub(crate) fn workbench_data(&self, userid: &str) -> Option<Value> {
        self.workbench_data
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&userid.to_lowercase())
            .cloned()
    }
}
