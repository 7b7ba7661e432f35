//! The pre-`topapi` GET endpoints (`/department/list`, `/department/get`, `/user/get`,
//! `/user/simplelist`) that DingTalk still answers and older SDKs (e.g. the Python
//! `dingtalk-sdk`) still call. Flat, camelCase-ish fields, no `result` wrapper.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::token::authorize;
use super::{DingTalk, Params};
use crate::sim::dialect::merged;
use crate::sim::directory::{Department, ROOT_DEPARTMENT};
use crate::sim::paging;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/department/list", get(department_list))
        .route("/department/get", get(department_get))
        .route("/user/get", get(user_get))
        .route("/user/simplelist", get(user_simplelist))
}

fn number(params: &Params, name: &str, default: Option<u64>) -> Result<u64, DingTalkError> {
    match params.get(name).filter(|v| !v.is_empty()) {
        Some(raw) => raw
            .parse()
            .map_err(|_| DingTalkError::with(400002, format!("{name}={raw}"))),
        None => default.ok_or_else(|| DingTalkError::with(400002, format!("{name} is required"))),
    }
}

fn department_json(d: &Department) -> Value {
    json!({"id": d.id, "name": d.name, "parentid": d.parent_id, "createDeptGroup": true, "autoAddUser": true})
}

/// Sub-departments of `id` (default the root), the whole subtree with `fetch_child=true`.
async fn department_list(State(dingtalk): State<DingTalk>, Query(params): Query<Params>) -> Reply {
    authorize(&dingtalk, &params)?;
    let id = number(&params, "id", Some(ROOT_DEPARTMENT))?;
    let deep = params
        .get("fetch_child")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let dir = dingtalk.controls.directory_mut();
    let list: Vec<Value> = if deep {
        dir.subtree(id)?
            .into_iter()
            .skip(1)
            .map(department_json)
            .collect()
    } else {
        dir.children(id)?.into_iter().map(department_json).collect()
    };
    Ok(ok_fields(json!({"department": list})))
}

async fn department_get(State(dingtalk): State<DingTalk>, Query(params): Query<Params>) -> Reply {
    authorize(&dingtalk, &params)?;
    let id = number(&params, "id", None)?;
    let dir = dingtalk.controls.directory_mut();
    let d = dir.department(id)?;
    let extra = json!({"order": d.order, "deptManagerUseridList": d.leaders.join("|")});
    Ok(ok_fields(merged(department_json(d), extra)))
}

async fn user_get(State(dingtalk): State<DingTalk>, Query(params): Query<Params>) -> Reply {
    authorize(&dingtalk, &params)?;
    let userid = params.get("userid").filter(|v| !v.is_empty());
    let userid = userid.ok_or_else(|| DingTalkError::with(400002, "userid is required"))?;
    let dir = dingtalk.controls.directory_mut();
    let u = dir.user(userid)?;
    let leader: Vec<String> = u
        .departments
        .iter()
        .zip(&u.is_leader_in_dept)
        .map(|(d, l)| format!("{d}:{l}"))
        .collect();
    let mut user = json!({
        "userid": u.userid, "unionid": format!("un{}", u.userid), "name": u.name, "tel": "",
        "workPlace": "", "remark": "", "active": u.enabled, "isAdmin": false, "isBoss": false,
        "isHide": false, "isSenior": false, "department": u.departments, "position": u.position,
        "jobnumber": u.job_number, "hiredDate": u.hired_date_ms, "extattr": {},
        "isLeaderInDepts": format!("{{{}}}", leader.join(",")),
    });
    if !dingtalk.controls.new_app_mode() {
        let sensitive = json!({"mobile": u.mobile, "email": u.email, "orgEmail": "", "stateCode": "86", "avatar": ""});
        user = merged(user, sensitive);
    }
    Ok(ok_fields(user))
}

async fn user_simplelist(State(dingtalk): State<DingTalk>, Query(params): Query<Params>) -> Reply {
    authorize(&dingtalk, &params)?;
    let department = number(&params, "department_id", None)?;
    let offset = number(&params, "offset", Some(0))?;
    let size = number(&params, "size", Some(100))?;
    if size > 100 {
        return Err(DingTalkError::with(400002, format!("size {size} > 100")));
    }
    let dir = dingtalk.controls.directory_mut();
    let members: Vec<Value> = dir
        .members(department)?
        .into_iter()
        .map(|u| json!({"userid": u.userid, "name": u.name}))
        .collect();
    let (page, next) = paging::page(
        &members,
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(size).unwrap_or(100),
    );
    Ok(ok_fields(
        json!({"hasMore": next.is_some(), "userlist": page}),
    ))
}
