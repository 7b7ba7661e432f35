//! Departments and members on the oapi (§B1): `topapi/v2/department/*`, `topapi/v2/user/*`,
//! `topapi/user/listsimple|listid`. All are POST with JSON bodies and answer inside `result`.
//! Member lists page by a numeric `cursor` with `size` ≤ 100 and answer `has_more` and, while
//! more remain, `next_cursor`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_result};
use super::token::authorize;
use super::{DingTalk, Params};
use crate::sim::callbacks::SimEvent;
use crate::sim::dialect::{merged, parse_json};
use crate::sim::directory::{Department, ROOT_DEPARTMENT, User, valid_userid};
use crate::sim::messaging::Recipients;
use crate::sim::paging;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/topapi/v2/department/listsub", post(department_listsub))
        .route(
            "/topapi/v2/department/listsubid",
            post(department_listsubid),
        )
        .route("/topapi/v2/department/get", post(department_get))
        .route("/topapi/v2/department/create", post(department_create))
        .route("/topapi/v2/department/update", post(department_update))
        .route("/topapi/v2/department/delete", post(department_delete))
        .route("/topapi/v2/user/get", post(user_get))
        .route("/topapi/v2/user/list", post(user_list))
        .route("/topapi/user/listsimple", post(user_listsimple))
        .route("/topapi/user/listid", post(user_listid))
        .route("/topapi/v2/user/create", post(user_create))
        .route("/topapi/v2/user/update", post(user_update))
        .route("/topapi/v2/user/delete", post(user_delete))
        .route("/topapi/v2/user/getbymobile", post(user_getbymobile))
}

/// Largest page `size` of the member lists.
const PAGE_MAX: u64 = 100;

#[derive(Deserialize)]
struct DeptBody {
    dept_id: Option<u64>,
    name: Option<String>,
    parent_id: Option<u64>,
    order: Option<u64>,
}

fn department_json(d: &Department) -> Value {
    json!({
        "dept_id": d.id, "name": d.name, "parent_id": d.parent_id, "order": d.order,
        "dept_manager_userid_list": d.leaders, "create_dept_group": true, "auto_add_user": true,
    })
}

/// A member as v2/user/get and v2/user/list show it; `redacted` drops sensitive fields.
pub(crate) fn user_json(u: &User, redacted: bool) -> Value {
    let user = json!({
        "userid": u.userid, "unionid": format!("un{}", u.userid), "name": u.name,
        "hide_mobile": false, "telephone": "", "job_number": u.job_number, "title": u.position,
        "org_email": "", "work_place": "", "remark": "", "dept_id_list": u.departments,
        "dept_order": 0, "extension": "{}", "hired_date": u.hired_date_ms, "active": u.enabled,
        "admin": false, "boss": false, "leader": u.is_leader_in_dept.iter().any(|l| *l),
        "exclusive_account": false, "manager_userid": u.direct_leader.first().cloned().unwrap_or_default(),
        "leader_in_dept": u.departments.iter().zip(&u.is_leader_in_dept)
            .map(|(d, l)| json!({"dept_id": d, "leader": l})).collect::<Vec<_>>(),
        "role_list": [],
    });
    if redacted {
        return user;
    }
    merged(
        user,
        json!({
            "mobile": u.mobile, "state_code": "86", "email": u.email,
            "avatar": format!("https://static-legacy.dingtalk.com/media/{}.png", u.userid),
        }),
    )
}

async fn department_listsub(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let dir = dingtalk.controls.directory_mut();
    let list: Vec<Value> = dir
        .children(body.dept_id.unwrap_or(ROOT_DEPARTMENT))?
        .into_iter()
        .map(|d| json!({"dept_id": d.id, "name": d.name, "parent_id": d.parent_id, "create_dept_group": true, "auto_add_user": true}))
        .collect();
    Ok(ok_result(json!(list)))
}

async fn department_listsubid(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let dir = dingtalk.controls.directory_mut();
    let ids: Vec<u64> = dir
        .children(body.dept_id.unwrap_or(ROOT_DEPARTMENT))?
        .iter()
        .map(|d| d.id)
        .collect();
    Ok(ok_result(json!({"dept_id_list": ids})))
}

fn required_dept(body: &DeptBody) -> Result<u64, DingTalkError> {
    body.dept_id
        .ok_or_else(|| DingTalkError::with(400002, "dept_id is required"))
}

async fn department_get(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let dir = dingtalk.controls.directory_mut();
    Ok(ok_result(department_json(
        dir.department(required_dept(&body)?)?,
    )))
}

async fn department_create(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let name = body
        .name
        .ok_or_else(|| DingTalkError::with(400002, "name is required"))?;
    let parent = body
        .parent_id
        .ok_or_else(|| DingTalkError::with(400002, "parent_id is required"))?;
    let id = dingtalk.controls.directory_mut().create_department(
        None,
        &name,
        "",
        parent,
        body.order.unwrap_or(0),
    )?;
    dingtalk.controls.department_changed(id, true);
    Ok(ok_result(json!({"dept_id": id})))
}

async fn department_update(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let id = required_dept(&body)?;
    dingtalk.controls.directory_mut().update_department(
        id,
        body.name.as_deref(),
        body.parent_id,
        body.order,
    )?;
    dingtalk.controls.department_changed(id, false);
    Ok(ok_result(Value::Null))
}

async fn department_delete(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let id = required_dept(&body)?;
    dingtalk.controls.directory_mut().delete_department(id)?;
    dingtalk.controls.emit(SimEvent::DepartmentDeleted(id));
    Ok(ok_result(Value::Null))
}

#[derive(Deserialize)]
struct UserIdBody {
    userid: Option<String>,
}

async fn user_get(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: UserIdBody = parse_json(&body)?;
    let userid = body
        .userid
        .ok_or_else(|| DingTalkError::with(400002, "userid is required"))?;
    let dir = dingtalk.controls.directory_mut();
    Ok(ok_result(user_json(
        dir.user(&userid)?,
        dingtalk.controls.new_app_mode(),
    )))
}

#[derive(Deserialize)]
struct ListBody {
    dept_id: Option<u64>,
    #[serde(default)]
    cursor: u64,
    size: Option<u64>,
}

/// One page of a department's direct members, after checking `dept_id` and `size`.
fn member_page(dingtalk: &DingTalk, body: &[u8], render: impl Fn(&User) -> Value) -> Reply {
    let body: ListBody = parse_json(body)?;
    let dept = body
        .dept_id
        .ok_or_else(|| DingTalkError::with(400002, "dept_id is required"))?;
    let size = body
        .size
        .ok_or_else(|| DingTalkError::with(400002, "size is required"))?;
    if !(1..=PAGE_MAX).contains(&size) {
        return Err(DingTalkError::with(
            400002,
            format!("size {size} not in 1..=100"),
        ));
    }
    let dir = dingtalk.controls.directory_mut();
    let members: Vec<Value> = dir.members(dept)?.into_iter().map(render).collect();
    let offset = usize::try_from(body.cursor).unwrap_or(usize::MAX);
    let (list, next) = paging::page(
        &members,
        offset,
        usize::try_from(size).unwrap_or(usize::MAX),
    );
    let mut result = json!({"has_more": next.is_some(), "list": list});
    if let Some(next) = next {
        result["next_cursor"] = json!(next);
    }
    Ok(ok_result(result))
}

async fn user_list(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let redacted = dingtalk.controls.new_app_mode();
    member_page(&dingtalk, &body, |u| user_json(u, redacted))
}

async fn user_listsimple(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    member_page(
        &dingtalk,
        &body,
        |u| json!({"userid": u.userid, "name": u.name}),
    )
}

async fn user_listid(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: DeptBody = parse_json(&body)?;
    let dir = dingtalk.controls.directory_mut();
    let ids: Vec<String> = dir
        .members(required_dept(&body)?)?
        .iter()
        .map(|u| u.userid.clone())
        .collect();
    Ok(ok_result(json!({"userid_list": ids})))
}

/// v2/user/create and v2/user/update bodies. `dept_id_list` is a comma-separated string.
#[derive(Deserialize)]
struct UserBody {
    userid: Option<String>,
    name: Option<String>,
    mobile: Option<String>,
    email: Option<String>,
    title: Option<String>,
    job_number: Option<String>,
    dept_id_list: Option<String>,
    hired_date: Option<i64>,
}

impl UserBody {
    /// The parsed `dept_id_list`, checked before anything changes.
    fn departments(&self) -> Result<Option<Vec<u64>>, DingTalkError> {
        self.dept_id_list
            .as_deref()
            .map(|list| {
                Recipients::split(Some(list), ',')
                    .iter()
                    .map(|d| {
                        d.parse().map_err(|_| {
                            DingTalkError::with(400002, format!("dept_id_list item {d:?}"))
                        })
                    })
                    .collect()
            })
            .transpose()
    }

    fn apply(self, departments: Option<Vec<u64>>, user: &mut User) {
        if let Some(departments) = departments {
            user.departments = departments;
        }
        if let Some(name) = self.name {
            user.name = name;
        }
        if let Some(mobile) = self.mobile {
            user.mobile = mobile;
        }
        if let Some(email) = self.email {
            user.email = email;
        }
        if let Some(title) = self.title {
            user.position = title;
        }
        if let Some(job_number) = self.job_number {
            user.job_number = job_number;
        }
        if let Some(hired) = self.hired_date {
            user.hired_date_ms = hired;
        }
    }
}

async fn user_create(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: UserBody = parse_json(&body)?;
    if body.name.as_deref().is_none_or(str::is_empty)
        || body.mobile.as_deref().is_none_or(str::is_empty)
    {
        return Err(DingTalkError::with(400002, "name and mobile are required"));
    }
    // DingTalk generates a userid when none is given.
    let userid = match body.userid.clone() {
        Some(id) if !valid_userid(&id) => {
            return Err(DingTalkError::with(400002, format!("userid {id:?}")));
        }
        Some(id) => id,
        None => format!("sim{:08}", dingtalk.controls.next_sequence()),
    };
    let mut user = User::blank(userid.clone(), dingtalk.controls.now_ms());
    let departments = body.departments()?;
    body.apply(departments, &mut user);
    dingtalk.controls.directory_mut().create_user(user)?;
    dingtalk.controls.user_changed(&userid, true);
    Ok(ok_result(json!({"userid": userid})))
}

async fn user_update(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: UserBody = parse_json(&body)?;
    let userid = body
        .userid
        .clone()
        .ok_or_else(|| DingTalkError::with(400002, "userid is required"))?;
    let departments = body.departments()?;
    dingtalk
        .controls
        .directory_mut()
        .update_user(&userid, |user| body.apply(departments, user))?;
    dingtalk.controls.user_changed(&userid, false);
    Ok(ok_result(Value::Null))
}

async fn user_delete(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: UserIdBody = parse_json(&body)?;
    let userid = body
        .userid
        .ok_or_else(|| DingTalkError::with(400002, "userid is required"))?;
    let deleted = dingtalk.controls.directory_mut().delete_user(&userid)?;
    dingtalk
        .controls
        .emit(SimEvent::UserDeleted(deleted.userid));
    Ok(ok_result(Value::Null))
}

#[derive(Deserialize)]
struct MobileBody {
    mobile: String,
}

async fn user_getbymobile(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: MobileBody = parse_json(&body)?;
    let dir = dingtalk.controls.directory_mut();
    let user = dir
        .users()
        .find(|u| u.mobile == body.mobile)
        .ok_or_else(|| DingTalkError::new(60121))?;
    Ok(ok_result(json!({"userid": user.userid})))
}
