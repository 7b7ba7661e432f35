//! Attendance (§B1): `POST /attendance/list` (day results, offset paging with `limit` ≤ 50) and
//! `POST /attendance/listRecord` (raw punches). Both take ≤ 50 users over ≤ 7 days, dates as local
//! `"yyyy-MM-dd HH:mm:ss"`, and answer epoch milliseconds.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{DingTalkError, Reply, ok_fields};
use super::token::authorize;
use super::{DingTalk, Params};
use crate::sim::attendance::{CheckType, Punch, TimeResult, within_days};
use crate::sim::calendar;
use crate::sim::dialect::parse_json;
use crate::sim::paging;

pub(super) fn routes() -> Router<DingTalk> {
    Router::new()
        .route("/attendance/list", post(list))
        .route("/attendance/listRecord", post(list_record))
}

/// Most users per call.
const MAX_USERS: usize = 50;
/// Longest range, in days.
const MAX_DAYS: i64 = 7;

/// Parses the range and checks the documented limits.
fn window(
    dingtalk: &DingTalk,
    users: &[String],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Vec<String>, i64, i64), DingTalkError> {
    if users.is_empty() || users.len() > MAX_USERS {
        return Err(DingTalkError::with(
            400002,
            format!("userIdList must hold 1-{MAX_USERS} userids"),
        ));
    }
    let parse = |text: Option<&str>, name: &str| {
        text.and_then(calendar::parse_local).ok_or_else(|| {
            DingTalkError::with(400002, format!("{name} must be \"yyyy-MM-dd HH:mm:ss\""))
        })
    };
    let (from, to) = (parse(from, "from")?, parse(to, "to")?);
    if !within_days(from, to, MAX_DAYS) {
        return Err(DingTalkError::with(
            400002,
            format!("the range must be at most {MAX_DAYS} days"),
        ));
    }
    let dir = dingtalk.controls.directory_mut();
    let known = users
        .iter()
        .filter_map(|u| dir.user(u).ok().map(|u| u.userid.clone()))
        .collect();
    Ok((known, from, to))
}

fn punches(dingtalk: &DingTalk, users: &[String], from: i64, to: i64) -> Vec<Punch> {
    let now = dingtalk.controls.now_ms();
    dingtalk
        .controls
        .punches()
        .between(dingtalk.controls.seed(), users, from, to, now)
}

fn time_result(p: &Punch) -> &'static str {
    match p.time_result {
        TimeResult::Normal => "Normal",
        TimeResult::Late => "Late",
        TimeResult::Early => "Early",
        TimeResult::NotSigned => "NotSigned",
    }
}

fn check_type(p: &Punch) -> &'static str {
    if p.check_type == CheckType::OnDuty {
        "OnDuty"
    } else {
        "OffDuty"
    }
}

fn location_result(p: &Punch) -> &'static str {
    match (p.time_result, p.outside) {
        (TimeResult::NotSigned, _) => "NotSigned",
        (_, true) => "Outside",
        _ => "Normal",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListBody {
    work_date_from: Option<String>,
    work_date_to: Option<String>,
    #[serde(default)]
    user_id_list: Vec<String>,
    #[serde(default)]
    offset: u64,
    limit: Option<u64>,
}

async fn list(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: ListBody = parse_json(&body)?;
    let limit = body.limit.unwrap_or(50);
    if !(1..=50).contains(&limit) {
        return Err(DingTalkError::with(
            400002,
            format!("limit {limit} not in 1..=50"),
        ));
    }
    let (users, from, to) = window(
        &dingtalk,
        &body.user_id_list,
        body.work_date_from.as_deref(),
        body.work_date_to.as_deref(),
    )?;
    let corp = dingtalk.credentials.corp_id.clone();
    let rows: Vec<Value> = punches(&dingtalk, &users, from, to)
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "userId": p.userid, "corpId": corp, "checkType": check_type(p),
                "timeResult": time_result(p), "locationResult": location_result(p),
                "baseCheckTime": p.plan_ms, "userCheckTime": p.check_ms,
                "workDate": calendar::local_midnight(calendar::local_day(p.plan_ms)),
                "sourceType": if p.time_result == TimeResult::NotSigned { "SYSTEM" } else { "USER" },
                "groupId": 1, "planId": p.id, "recordId": p.id,
            })
        })
        .collect();
    let (page, next) = paging::page(
        &rows,
        usize::try_from(body.offset).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(50),
    );
    Ok(ok_fields(
        json!({"hasMore": next.is_some(), "recordresult": page}),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordBody {
    #[serde(default)]
    user_ids: Vec<String>,
    check_date_from: Option<String>,
    check_date_to: Option<String>,
}

async fn list_record(
    State(dingtalk): State<DingTalk>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&dingtalk, &params)?;
    let body: RecordBody = parse_json(&body)?;
    let (users, from, to) = window(
        &dingtalk,
        &body.user_ids,
        body.check_date_from.as_deref(),
        body.check_date_to.as_deref(),
    )?;
    let rows: Vec<Value> = punches(&dingtalk, &users, from, to)
        .iter()
        .filter(|p| p.time_result != TimeResult::NotSigned)
        .map(|p| {
            json!({
                "id": p.id, "userId": p.userid, "checkType": check_type(p), "timeResult": time_result(p),
                "locationResult": location_result(p), "baseCheckTime": p.plan_ms, "userCheckTime": p.check_ms,
                "planCheckTime": p.plan_ms, "userAddress": "模拟园区1号楼", "userLatitude": 30.547645,
                "userLongitude": 104.063236, "userAccuracy": 30, "deviceId": "sim-device", "locationMethod": "MAP",
                "isLegal": "Y", "sourceType": "USER", "gmtCreate": p.check_ms, "gmtModified": p.check_ms,
            })
        })
        .collect();
    Ok(ok_fields(json!({"recordresult": rows})))
}
