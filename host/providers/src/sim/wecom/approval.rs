//! OA approvals (§A6): `oa/gettemplatedetail`, `oa/applyevent` (creates an instance in review and
//! pushes `sys_approval_change`), `oa/getapprovaldetail`, `oa/getapprovalinfo` (cursor paging,
//! size ≤ 100, ≤ 31 days). Decisions come from the controls, which push the callback again.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::approvals::{Approval, ApprovalStatus, FormField};
use crate::sim::attendance::within_days;
use crate::sim::callbacks::SimEvent;
use crate::sim::dialect::parse_json;
use crate::sim::{calendar, paging};

pub(super) fn routes() -> Router<WeCom> {
    Router::new()
        .route("/cgi-bin/oa/gettemplatedetail", post(template_detail))
        .route("/cgi-bin/oa/applyevent", post(applyevent))
        .route("/cgi-bin/oa/getapprovaldetail", post(detail))
        .route("/cgi-bin/oa/getapprovalinfo", post(info))
}

/// A template: id, name and its controls (control type, control id, title).
struct Template {
    id: &'static str,
    name: &'static str,
    controls: &'static [(&'static str, &'static str, &'static str)],
}

/// The templates of the simulated corp.
const TEMPLATES: &[Template] = &[
    Template {
        id: "3WLJF6naF5jhnbvKSzzw6ZXtLfPsbDCjA2bExtHz",
        name: "报销",
        controls: &[
            ("Text", "Text-1", "事由"),
            ("Money", "Money-1", "金额"),
            ("Date", "Date-1", "发生日期"),
        ],
    },
    Template {
        id: "C4NyFZG4u4aFe5HQzEVCJYSSVrVK8rokifSiPLXHi",
        name: "通用审批",
        controls: &[
            ("Text", "Text-1", "申请内容"),
            ("Textarea", "Textarea-1", "备注"),
        ],
    },
];

fn template(id: &str) -> Result<&'static Template, WeComError> {
    TEMPLATES
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| WeComError::with(40058, format!("unknown template_id {id}")))
}

#[derive(Deserialize)]
struct TemplateBody {
    template_id: String,
}

async fn template_detail(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: TemplateBody = parse_json(&body)?;
    let t = template(&body.template_id)?;
    let controls: Vec<Value> = t
        .controls
        .iter()
        .map(|(control, id, title)| json!({"property": {"control": control, "id": id, "title": [{"text": title, "lang": "zh_CN"}], "require": 0}}))
        .collect();
    Ok(ok(
        json!({"template_names": [{"text": t.name, "lang": "zh_CN"}], "template_content": {"controls": controls}}),
    ))
}

#[derive(Deserialize)]
struct ApproverBody {
    #[serde(default)]
    userid: Vec<String>,
}

#[derive(Deserialize)]
struct ApplyBody {
    creator_userid: Option<String>,
    template_id: Option<String>,
    #[serde(default)]
    use_template_approver: u8,
    #[serde(default)]
    approver: Vec<ApproverBody>,
    #[serde(default)]
    notifyer: Vec<String>,
    apply_data: Option<ApplyData>,
}

#[derive(Deserialize)]
struct ApplyData {
    #[serde(default)]
    contents: Vec<Value>,
}

async fn applyevent(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: ApplyBody = parse_json(&body)?;
    let t = template(body.template_id.as_deref().unwrap_or_default())?;
    let creator = body
        .creator_userid
        .ok_or_else(|| WeComError::with(40058, "creator_userid is required"))?;
    let (applicant, department, template_approvers) = {
        let dir = wecom.controls.directory_mut();
        let user = dir.user(&creator)?;
        let leaders = dir
            .department(user.main_department)
            .map(|d| d.leaders.clone())
            .unwrap_or_default();
        let approvers = if user.direct_leader.is_empty() {
            leaders
        } else {
            user.direct_leader.clone()
        };
        let mut approvers: Vec<String> = approvers
            .into_iter()
            .filter(|a| *a != user.userid)
            .collect();
        if approvers.is_empty() {
            approvers.push(user.userid.clone());
        }
        for named in body
            .approver
            .iter()
            .flat_map(|a| &a.userid)
            .chain(&body.notifyer)
        {
            dir.user(named)?;
        }
        (user.userid.clone(), user.main_department, approvers)
    };
    let approvers: Vec<String> = if body.use_template_approver == 1 {
        template_approvers
    } else {
        body.approver.into_iter().flat_map(|a| a.userid).collect()
    };
    if approvers.is_empty() {
        return Err(WeComError::with(
            40058,
            "approver is required when use_template_approver is 0",
        ));
    }
    let contents = body.apply_data.map(|d| d.contents).unwrap_or_default();
    let mut form = Vec::new();
    for content in contents {
        let id = content
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((control, _, title)) = t.controls.iter().find(|(_, cid, _)| *cid == id) else {
            return Err(WeComError::with(
                40058,
                format!("control id {id:?} is not in template {}", t.id),
            ));
        };
        form.push(FormField {
            control: (*control).into(),
            id: id.into(),
            title: (*title).into(),
            value: content["value"].clone(),
        });
    }
    let now = wecom.controls.now_ms();
    let date = calendar::format_local(now)
        .get(..10)
        .unwrap_or_default()
        .replace('-', "");
    let sp_no = format!("{date}{:04}", wecom.controls.next_sequence() % 10_000);
    let approval = Approval {
        id: sp_no.clone(),
        template: t.id.into(),
        name: t.name.into(),
        applicant,
        department,
        approvers,
        notify: body.notifyer,
        form,
        status: ApprovalStatus::InReview,
        decisions: Vec::new(),
        created_ms: now,
        finished_ms: None,
    };
    wecom.controls.approvals().submit(approval.clone());
    wecom.controls.emit(SimEvent::Approval(approval));
    Ok(ok(json!({"sp_no": sp_no})))
}

fn sp_status(status: ApprovalStatus) -> u8 {
    match status {
        ApprovalStatus::InReview => 1,
        ApprovalStatus::Approved => 2,
        ApprovalStatus::Rejected => 3,
    }
}

fn detail_json(a: &Approval) -> Value {
    let details: Vec<Value> = a
        .approvers
        .iter()
        .map(|approver| {
            let decision = a
                .decisions
                .iter()
                .find(|d| d.approver.eq_ignore_ascii_case(approver));
            json!({
                "approver": {"userid": approver},
                "speech": decision.map(|d| d.speech.clone()).unwrap_or_default(),
                "sp_status": decision.map_or(1, |d| if d.agreed { 2 } else { 3 }),
                "sptime": decision.map_or(0, |d| d.at_ms / 1000),
                "media_id": [],
            })
        })
        .collect();
    let contents: Vec<Value> = a
        .form
        .iter()
        .map(|f| json!({"control": f.control, "id": f.id, "title": [{"text": f.title, "lang": "zh_CN"}], "value": f.value}))
        .collect();
    json!({
        "sp_no": a.id, "sp_name": a.name, "sp_status": sp_status(a.status), "template_id": a.template,
        "apply_time": a.created_ms / 1000,
        "applyer": {"userid": a.applicant, "partyid": a.department.to_string()},
        "sp_record": [{"sp_status": sp_status(a.status), "approverattr": 1, "details": details}],
        "notifyer": a.notify.iter().map(|u| json!({"userid": u})).collect::<Vec<_>>(),
        "apply_data": {"contents": contents},
        "comments": [],
    })
}

#[derive(Deserialize)]
struct DetailBody {
    sp_no: Value,
}

async fn detail(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let body: DetailBody = parse_json(&body)?;
    let sp_no = match body.sp_no {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let approval = wecom
        .controls
        .approval(&sp_no)
        .ok_or_else(|| WeComError::with(40058, format!("unknown sp_no {sp_no}")))?;
    Ok(ok(json!({"info": detail_json(&approval)})))
}

#[derive(Deserialize)]
struct InfoBody {
    starttime: Value,
    endtime: Value,
    new_cursor: Option<String>,
    cursor: Option<Value>,
    size: Option<u64>,
    #[serde(default)]
    filters: Vec<Filter>,
}

#[derive(Deserialize)]
struct Filter {
    key: String,
    value: String,
}

fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

async fn info(State(wecom): State<WeCom>, Query(params): Query<Params>, body: Bytes) -> Reply {
    authorize(&wecom, &params)?;
    let body: InfoBody = parse_json(&body)?;
    let (Some(start), Some(end)) = (seconds(&body.starttime), seconds(&body.endtime)) else {
        return Err(WeComError::with(
            40058,
            "starttime and endtime are required",
        ));
    };
    if !within_days(start * 1000, end * 1000, 31) {
        return Err(WeComError::with(40058, "the range must be at most 31 days"));
    }
    let size = body.size.unwrap_or(100);
    if !(1..=100).contains(&size) {
        return Err(WeComError::with(
            40058,
            format!("size {size} not in 1..=100"),
        ));
    }
    let offset = match (
        body.new_cursor.as_deref().filter(|c| !c.is_empty()),
        body.cursor.as_ref().and_then(seconds),
    ) {
        (Some(cursor), _) => paging::decode_cursor(cursor)
            .ok_or_else(|| WeComError::with(40058, "invalid new_cursor"))?,
        (None, Some(cursor)) => usize::try_from(cursor).unwrap_or(0),
        (None, None) => 0,
    };
    let matches = |a: &Approval| {
        body.filters.iter().all(|f| match f.key.as_str() {
            "template_id" => a.template == f.value,
            "creator" => a.applicant.eq_ignore_ascii_case(&f.value),
            "department" => a.department.to_string() == f.value,
            "sp_status" => sp_status(a.status).to_string() == f.value,
            _ => true,
        })
    };
    let numbers: Vec<String> = wecom
        .controls
        .approvals()
        .created_between(start * 1000, end * 1000 + 999)
        .into_iter()
        .filter(matches)
        .map(|a| a.id)
        .collect();
    let (page, next) = paging::page(&numbers, offset, usize::try_from(size).unwrap_or(100));
    let next_cursor = next.map(paging::encode_cursor).unwrap_or_default();
    Ok(ok(
        json!({"sp_no_list": page, "new_next_cursor": next_cursor, "next_cursor": next.unwrap_or(0)}),
    ))
}
