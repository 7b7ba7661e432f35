//! Approvals (§B1, §B2): legacy `topapi/processinstance/create|get` and v1.0
//! `POST|GET /v1.0/workflow/processInstances`. A created instance is RUNNING and pushes
//! `bpms_instance_change` (type `start`); decisions come from the controls (type `finish`).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::token::{authorize, authorize_v1};
use super::{DingTalk, Params};
use crate::sim::approvals::{Approval, ApprovalStatus, FormField};
use crate::sim::calendar;
use crate::sim::callbacks::SimEvent;
use crate::sim::dialect::parse_json;
use crate::sim::messaging::Recipients;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/topapi/processinstance/create", post(create))
        .route("/topapi/processinstance/get", post(get))
        .route(
            "/v1.0/workflow/processInstances",
            post(create_v1).get(get_v1),
        )
}

/// Process codes of the simulated corp: (code, name, field names).
const PROCESSES: &[(&str, &str, &[&str])] = &[
    ("PROC-SIM-EXPENSE", "报销", &["事由", "金额", "发生日期"]),
    ("PROC-SIM-GENERAL", "通用审批", &["申请内容", "备注"]),
];

/// What both API generations submit.
struct Submission {
    process_code: String,
    originator: String,
    dept_id: Option<u64>,
    fields: Vec<(String, Value)>,
    approvers: Vec<String>,
    cc: Vec<String>,
}

fn submit(dingtalk: &DingTalk, s: Submission) -> Result<String, DingTalkError> {
    let (_, name, allowed) = PROCESSES
        .iter()
        .find(|(code, _, _)| *code == s.process_code)
        .ok_or_else(|| {
            DingTalkError::with(400002, format!("unknown process_code {}", s.process_code))
        })?;
    let (applicant, department) = {
        let dir = dingtalk.controls.directory_mut();
        let user = dir.user(&s.originator)?;
        for named in s.approvers.iter().chain(&s.cc) {
            dir.user(named)?;
        }
        (
            user.userid.clone(),
            s.dept_id.unwrap_or(user.main_department),
        )
    };
    if s.approvers.is_empty() {
        return Err(DingTalkError::with(400002, "approvers are required"));
    }
    let mut form = Vec::new();
    for (field, value) in s.fields {
        if !allowed.contains(&field.as_str()) {
            return Err(DingTalkError::with(
                400002,
                format!("form field {field:?} is not in {}", s.process_code),
            ));
        }
        form.push(FormField {
            control: "TextField".into(),
            id: String::new(),
            title: field,
            value,
        });
    }
    let now = dingtalk.controls.now_ms();
    let id = format!(
        "{:08x}-sim-{:012x}",
        (now / 1000) & 0xffff_ffff,
        dingtalk.controls.next_sequence()
    );
    let approval = Approval {
        id: id.clone(),
        template: s.process_code,
        name: (*name).into(),
        applicant,
        department,
        approvers: s.approvers,
        notify: s.cc,
        form,
        status: ApprovalStatus::InReview,
        decisions: Vec::new(),
        created_ms: now,
        finished_ms: None,
    };
    dingtalk.controls.approvals().submit(approval.clone());
    dingtalk.controls.emit(SimEvent::Approval(approval));
    Ok(id)
}

fn status_and_result(a: &Approval) -> (&'static str, &'static str) {
    match a.status {
        ApprovalStatus::InReview => ("RUNNING", ""),
        ApprovalStatus::Approved => ("COMPLETED", "agree"),
        ApprovalStatus::Rejected => ("COMPLETED", "refuse"),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct CreateBody {
    process_code: Option<String>,
    originator_user_id: Option<String>,
    dept_id: Option<u64>,
    #[serde(default)]
    form_component_values: Vec<NameValue>,
    approvers: Option<String>,
    cc_list: Option<String>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: Value,
}

async fn create(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: CreateBody = parse_json(&body)?;
    let id = submit(
        &dingtalk,
        Submission {
            process_code: body.process_code.unwrap_or_default(),
            originator: body
                .originator_user_id
                .ok_or_else(|| DingTalkError::with(400002, "originator_user_id is required"))?,
            dept_id: body.dept_id,
            fields: body
                .form_component_values
                .into_iter()
                .map(|f| (f.name, f.value))
                .collect(),
            approvers: Recipients::split(body.approvers.as_deref(), ','),
            cc: Recipients::split(body.cc_list.as_deref(), ','),
        },
    )?;
    Ok(ok_fields(json!({"process_instance_id": id})))
}

#[derive(Deserialize)]
struct GetBody {
    process_instance_id: Option<String>,
}

async fn get(State(dingtalk): State<DingTalk>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: GetBody = parse_json(&body)?;
    let id = body.process_instance_id.unwrap_or_default();
    let a = dingtalk
        .controls
        .approval(&id)
        .ok_or_else(|| DingTalkError::with(400002, format!("unknown process_instance_id {id}")))?;
    let (status, result) = status_and_result(&a);
    let records: Vec<Value> = a
        .decisions
        .iter()
        .map(|d| json!({"userid": d.approver, "date": calendar::format_local(d.at_ms), "operation_type": "EXECUTE_TASK_NORMAL",
            "operation_result": if d.agreed { "AGREE" } else { "REFUSE" }, "remark": d.speech, "attachments": []}))
        .collect();
    let tasks: Vec<Value> = a
        .approvers
        .iter()
        .map(|u| {
            let decision = a.decisions.iter().find(|d| d.approver.eq_ignore_ascii_case(u));
            json!({"userid": u, "task_status": if decision.is_some() { "COMPLETED" } else { "RUNNING" },
                "task_result": decision.map_or("NONE", |d| if d.agreed { "AGREE" } else { "REFUSE" }),
                "create_time": calendar::format_local(a.created_ms), "taskid": format!("{}-{u}", a.id), "url": ""})
        })
        .collect();
    Ok(ok_fields(json!({"process_instance": {
        "title": format!("{}提交的{}", a.applicant, a.name), "create_time": calendar::format_local(a.created_ms),
        "finish_time": a.finished_ms.map(calendar::format_local).unwrap_or_default(),
        "originator_userid": a.applicant, "originator_dept_id": a.department.to_string(), "status": status,
        "result": result, "approver_userids": a.approvers, "cc_userids": a.notify, "business_id": a.id,
        "operation_records": records, "tasks": tasks, "biz_action": "NONE",
        "form_component_values": a.form.iter().map(|f| json!({"name": f.title, "value": text(&f.value), "ext_value": "", "id": "", "component_type": f.control})).collect::<Vec<_>>(),
    }})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateV1 {
    originator_user_id: Option<String>,
    process_code: Option<String>,
    dept_id: Option<u64>,
    #[serde(default)]
    form_component_values: Vec<NameValue>,
    #[serde(default)]
    approvers: Vec<ApproverV1>,
    #[serde(default)]
    cc_list: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApproverV1 {
    #[serde(default)]
    user_ids: Vec<String>,
}

async fn create_v1(
    State(dingtalk): State<DingTalk>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, DingTalkError> {
    authorize_v1(&dingtalk, &headers)?;
    let body: CreateV1 = parse_json(&body).map_err(|f| DingTalkError::from(f).v1())?;
    let originator = body
        .originator_user_id
        .ok_or_else(|| DingTalkError::with(400002, "originatorUserId is required").v1())?;
    let id = submit(
        &dingtalk,
        Submission {
            process_code: body.process_code.unwrap_or_default(),
            originator,
            dept_id: body.dept_id,
            fields: body
                .form_component_values
                .into_iter()
                .map(|f| (f.name, f.value))
                .collect(),
            approvers: body
                .approvers
                .into_iter()
                .flat_map(|a| a.user_ids)
                .collect(),
            cc: body.cc_list,
        },
    )
    .map_err(DingTalkError::v1)?;
    Ok(Json(json!({"instanceId": id})))
}

async fn get_v1(
    State(dingtalk): State<DingTalk>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, DingTalkError> {
    authorize_v1(&dingtalk, &headers)?;
    let id = params.get("processInstanceId").cloned().unwrap_or_default();
    let a = dingtalk.controls.approval(&id).ok_or_else(|| {
        DingTalkError::with(400002, format!("unknown processInstanceId {id}")).v1()
    })?;
    let (status, result) = status_and_result(&a);
    Ok(Json(json!({"success": true, "result": {
        "title": format!("{}提交的{}", a.applicant, a.name), "status": status, "result": result,
        "originatorUserId": a.applicant, "originatorDeptId": a.department.to_string(), "businessId": a.id,
        "createTime": calendar::format_local(a.created_ms), "finishTime": a.finished_ms.map(calendar::format_local),
        "approverUserIds": a.approvers, "ccUserIds": a.notify,
        "formComponentValues": a.form.iter().map(|f| json!({"name": f.title, "value": text(&f.value), "componentType": f.control})).collect::<Vec<_>>(),
        "operationRecords": a.decisions.iter().map(|d| json!({"userId": d.approver, "date": calendar::format_local(d.at_ms), "type": "EXECUTE_TASK_NORMAL", "result": if d.agreed { "AGREE" } else { "REFUSE" }, "remark": d.speech})).collect::<Vec<_>>(),
    }})))
}
