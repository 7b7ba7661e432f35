//! Departments and members (§A2): reads with WeCom's shapes, writes that change the directory.
//!
//! user/list returns the members directly in a department (`fetch_child` is deprecated and
//! ignored); user/list_id pages one row per (member, department) with an opaque `next_cursor`
//! that is empty at the end. In "new app" mode the sensitive fields are absent from user reads.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok, ok_with};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::callbacks::SimEvent;
use crate::sim::dialect::{merged, parse_json};
use crate::sim::directory::{Department, DirectoryError, ROOT_DEPARTMENT, User};
use crate::sim::paging;

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/department/list", get(department_list))
        .route("/cgi-bin/department/simplelist", get(department_simplelist))
        .route("/cgi-bin/department/get", get(department_get))
        .route("/cgi-bin/department/create", post(department_create))
        .route("/cgi-bin/department/update", post(department_update))
        .route("/cgi-bin/department/delete", get(department_delete))
        .route("/cgi-bin/user/get", get(user_get))
        .route("/cgi-bin/user/list", get(user_list))
        .route("/cgi-bin/user/simplelist", get(user_simplelist))
        .route("/cgi-bin/user/list_id", post(user_list_id))
        .route("/cgi-bin/user/create", post(user_create))
        .route("/cgi-bin/user/update", post(user_update))
        .route("/cgi-bin/user/delete", get(user_delete))
        .route("/cgi-bin/user/getuserid", post(user_getuserid))
}

fn department_json(d: &Department) -> Value {
    json!({
        "id": d.id, "name": d.name, "name_en": d.name_en, "department_leader": d.leaders,
        "parentid": d.parent_id, "order": d.order,
    })
}

/// The fields new apps (since 2022) only get through `auth/getuserdetail` with the member's consent.
pub(super) fn sensitive_fields(u: &User) -> Value {
    json!({
        "mobile": u.mobile, "gender": u.gender.to_string(), "email": u.email,
        "biz_mail": format!("{}@sim-corp.wecom.work", u.userid),
        "avatar": format!("https://wework.qpic.cn/wwhead/{}/0", u.userid),
        "thumb_avatar": format!("https://wework.qpic.cn/wwhead/{}/100", u.userid),
        "qr_code": format!("https://open.work.weixin.qq.com/wwopen/userQRCode?vcode={}", u.userid),
        "address": "",
    })
}

/// A member as user/get and user/list show it; `redacted` drops what new apps may not see.
pub(crate) fn user_json(u: &User, redacted: bool) -> Value {
    let mut user = json!({
        "userid": u.userid, "name": u.name, "department": u.departments,
        "order": vec![0; u.departments.len()], "position": u.position,
        "is_leader_in_dept": u.is_leader_in_dept.iter().map(|l| i32::from(*l)).collect::<Vec<_>>(),
        "direct_leader": u.direct_leader, "main_department": u.main_department,
        "status": if u.enabled { 1 } else { 2 }, "enable": i32::from(u.enabled),
        "isleader": i32::from(u.is_leader_in_dept.iter().any(|l| *l)),
        "alias": "", "telephone": "", "hide_mobile": 0, "english_name": "",
        "extattr": {"attrs": []}, "external_position": "",
        "open_userid": format!("wo{}", u.userid),
    });
    if !redacted {
        user = merged(user, sensitive_fields(u));
    }
    user
}

fn param<'a>(params: &'a Params, name: &str) -> Result<&'a str, WeComError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WeComError::with(40058, format!("missing {name}")))
}

fn department_param(params: &Params, name: &str) -> Result<u64, WeComError> {
    let raw = param(params, name)?;
    raw.parse()
        .map_err(|_| WeComError::with(60123, format!("{name}={raw}")))
}

async fn department_list(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let root = match params.get("id").filter(|v| !v.is_empty()) {
        Some(_) => department_param(&params, "id")?,
        None => ROOT_DEPARTMENT,
    };
    let dir = wecom.controls.directory_mut();
    let list: Vec<Value> = dir
        .subtree(root)?
        .into_iter()
        .map(department_json)
        .collect();
    Ok(ok(json!({"department": list})))
}

async fn department_simplelist(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let root = match params.get("id").filter(|v| !v.is_empty()) {
        Some(_) => department_param(&params, "id")?,
        None => ROOT_DEPARTMENT,
    };
    let dir = wecom.controls.directory_mut();
    let list: Vec<Value> = dir
        .subtree(root)?
        .into_iter()
        .map(|d| json!({"id": d.id, "parentid": d.parent_id, "order": d.order}))
        .collect();
    Ok(ok(json!({"department_id": list})))
}

async fn department_get(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let id = department_param(&params, "id")?;
    let dir = wecom.controls.directory_mut();
    Ok(ok(
        json!({"department": department_json(dir.department(id)?)}),
    ))
}

#[derive(Deserialize)]
struct DepartmentBody {
    id: Option<u64>,
    name: Option<String>,
    #[serde(default)]
    name_en: String,
    parentid: Option<u64>,
    order: Option<u64>,
}

async fn department_create(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: DepartmentBody = parse_json(&body)?;
    let name = body.name.ok_or(WeComError::with(40058, "missing name"))?;
    let parent = body
        .parentid
        .ok_or(WeComError::with(40058, "missing parentid"))?;
    if body
        .id
        .is_some_and(|id| id <= 1 || id > u64::from(u32::MAX))
    {
        return Err(WeComError::with(40058, "id must be a 32-bit integer > 1"));
    }
    let id = wecom.controls.directory_mut().create_department(
        body.id,
        &name,
        &body.name_en,
        parent,
        body.order.unwrap_or(0),
    )?;
    wecom.controls.department_changed(id, true);
    Ok(ok_with("created", json!({"id": id})))
}

async fn department_update(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: DepartmentBody = parse_json(&body)?;
    let id = body.id.ok_or(WeComError::with(40058, "missing id"))?;
    wecom
        .controls
        .directory_mut()
        .update_department(id, body.name.as_deref(), body.parentid, body.order)
        .map_err(mutation_error)?;
    wecom.controls.department_changed(id, false);
    Ok(ok_with("updated", json!({})))
}

async fn department_delete(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let id = department_param(&params, "id")?;
    wecom
        .controls
        .directory_mut()
        .delete_department(id)
        .map_err(mutation_error)?;
    wecom.controls.emit(SimEvent::DepartmentDeleted(id));
    Ok(ok_with("deleted", json!({})))
}

/// Department writes name a missing department 60003 ("department ID does not exist") where reads
/// say 60123 ("invalid party id").
fn mutation_error(err: DirectoryError) -> WeComError {
    match err {
        DirectoryError::DepartmentNotFound(id) => {
            WeComError::with(60003, format!("department {id} not found"))
        }
        other => other.into(),
    }
}

async fn user_get(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let userid = param(&params, "userid")?;
    let dir = wecom.controls.directory_mut();
    let user = user_json(dir.user(userid)?, wecom.controls.new_app_mode());
    Ok(ok(user))
}

async fn user_list(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let department = department_param(&params, "department_id")?;
    let redacted = wecom.controls.new_app_mode();
    let dir = wecom.controls.directory_mut();
    let list: Vec<Value> = dir
        .members(department)?
        .into_iter()
        .map(|u| user_json(u, redacted))
        .collect();
    Ok(ok(json!({"userlist": list})))
}

async fn user_simplelist(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let department = department_param(&params, "department_id")?;
    let dir = wecom.controls.directory_mut();
    let list: Vec<Value> = dir
        .members(department)?
        .into_iter()
        .map(|u| json!({"userid": u.userid, "name": u.name, "department": u.departments, "open_userid": format!("wo{}", u.userid)}))
        .collect();
    Ok(ok(json!({"userlist": list})))
}

#[derive(Deserialize)]
struct ListIdBody {
    cursor: Option<String>,
    limit: Option<i64>,
}

/// The largest `limit` user/list_id accepts.
const LIST_ID_MAX: i64 = 10_000;

async fn user_list_id(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: ListIdBody = parse_json(&body)?;
    let limit = body.limit.unwrap_or(LIST_ID_MAX);
    if !(1..=LIST_ID_MAX).contains(&limit) {
        return Err(WeComError::with(
            40058,
            format!("limit {limit} not in 1..=10000"),
        ));
    }
    let offset = match body.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => paging::decode_cursor(cursor)
            .ok_or_else(|| WeComError::with(40058, format!("invalid cursor {cursor}")))?,
        None => 0,
    };
    let rows: Vec<Value> = wecom
        .controls
        .directory_mut()
        .users()
        .flat_map(|u| {
            u.departments
                .iter()
                .map(|d| json!({"userid": u.userid, "department": d}))
        })
        .collect();
    let (page, next) = paging::page(&rows, offset, usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = next.map(paging::encode_cursor).unwrap_or_default();
    Ok(ok(json!({"next_cursor": next_cursor, "dept_user": page})))
}

/// user/create and user/update bodies; absent fields keep their value on update.
#[derive(Deserialize)]
struct UserBody {
    userid: Option<String>,
    name: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    position: Option<String>,
    gender: Option<Value>,
    department: Option<Vec<u64>>,
    is_leader_in_dept: Option<Vec<u8>>,
    main_department: Option<u64>,
    direct_leader: Option<Vec<String>>,
    enable: Option<u8>,
}

impl UserBody {
    fn apply(self, user: &mut User) {
        if let Some(name) = self.name {
            user.name = name;
        }
        if let Some(mobile) = self.mobile {
            user.mobile = mobile.trim_start_matches("+86 ").to_owned();
        }
        if let Some(email) = self.email {
            user.email = email;
        }
        if let Some(position) = self.position {
            user.position = position;
        }
        // gender is documented as a string, but integers are accepted like the real API does.
        match self.gender {
            Some(Value::String(g)) => user.gender = g.parse().unwrap_or(user.gender),
            Some(Value::Number(g)) => {
                user.gender = g
                    .as_u64()
                    .and_then(|g| u8::try_from(g).ok())
                    .unwrap_or(user.gender)
            }
            _ => {}
        }
        if let Some(department) = self.department {
            user.departments = department;
            user.is_leader_in_dept = vec![false; user.departments.len()];
        }
        if let Some(leader) = self.is_leader_in_dept {
            user.is_leader_in_dept = leader.into_iter().map(|l| l == 1).collect();
        }
        if let Some(main) = self.main_department {
            user.main_department = main;
        }
        if let Some(direct) = self.direct_leader {
            user.direct_leader = direct;
        }
        if let Some(enable) = self.enable {
            user.enabled = enable == 1;
        }
    }
}

async fn user_create(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: UserBody = parse_json(&body)?;
    let userid = body
        .userid
        .clone()
        .ok_or(WeComError::with(40058, "missing userid"))?;
    if body.name.as_deref().is_none_or(str::is_empty) {
        return Err(WeComError::with(60112, "missing name"));
    }
    let mut user = User::blank(userid.clone(), wecom.controls.now_ms());
    body.apply(&mut user);
    wecom.controls.directory_mut().create_user(user)?;
    wecom.controls.user_changed(&userid, true);
    Ok(ok_with("created", json!({})))
}

async fn user_update(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: UserBody = parse_json(&body)?;
    let userid = body
        .userid
        .clone()
        .ok_or(WeComError::with(40058, "missing userid"))?;
    wecom
        .controls
        .directory_mut()
        .update_user(&userid, |user| body.apply(user))?;
    wecom.controls.user_changed(&userid, false);
    Ok(ok_with("updated", json!({})))
}

async fn user_delete(State(wecom): State<WeCom>, Query(params): Query<Params>) -> Reply {
    authorize(&wecom, &params)?;
    let userid = param(&params, "userid")?;
    let deleted = wecom.controls.directory_mut().delete_user(userid)?;
    wecom.controls.emit(SimEvent::UserDeleted(deleted.userid));
    Ok(ok_with("deleted", json!({})))
}

#[derive(Deserialize)]
struct MobileBody {
    mobile: String,
}

async fn user_getuserid(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: MobileBody = parse_json(&body)?;
    let mobile = body.mobile.trim_start_matches("+86 ");
    let dir = wecom.controls.directory_mut();
    let user = dir
        .users()
        .find(|u| u.mobile == mobile)
        .ok_or_else(|| WeComError::with(46004, "user not found by mobile"))?;
    Ok(ok(json!({"userid": user.userid})))
}
