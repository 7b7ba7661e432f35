//! `checkin/getcheckindata` (§A5): punches of ≤100 members over ≤30 days, times in Unix seconds,
//! `checkin_type` and `exception_type` as the Chinese strings WeCom uses.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::checkin_rules::{GROUP_ID, GROUP_NAME, known_users};
use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::attendance::{CheckType, Punch, TimeResult, within_days};
use crate::sim::dialect::parse_json;

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route("/cgi-bin/checkin/getcheckindata", post(getcheckindata))
}

/// Longest range per call, in days.
const MAX_DAYS: i64 = 30;

#[derive(Deserialize)]
struct Body {
    opencheckindatatype: Option<u8>,
    starttime: Option<i64>,
    endtime: Option<i64>,
    #[serde(default)]
    useridlist: Vec<String>,
}

fn punch_json(p: &Punch) -> Value {
    let missed = p.time_result == TimeResult::NotSigned;
    let exception = match (p.time_result, p.outside) {
        (TimeResult::NotSigned, _) => "未打卡",
        (TimeResult::Late | TimeResult::Early, _) => "时间异常",
        (TimeResult::Normal, true) => "地点异常",
        (TimeResult::Normal, false) => "",
    };
    json!({
        "userid": p.userid, "groupname": GROUP_NAME, "groupid": GROUP_ID,
        "checkin_type": if p.check_type == CheckType::OnDuty { "上班打卡" } else { "下班打卡" },
        "exception_type": exception, "checkin_time": p.check_ms / 1000, "sch_checkin_time": p.plan_ms / 1000,
        "location_title": if missed { "" } else { "模拟园区" },
        "location_detail": if missed { "" } else { "四川省成都市武侯区模拟大道1号" },
        "wifiname": if missed { "" } else { "办公一区" }, "wifimac": if missed { "" } else { "3c:46:d8:0c:7a:70" },
        "notes": "", "mediaids": [], "lat": if missed { 0 } else { 30_547_645 }, "lng": if missed { 0 } else { 104_063_236 },
        "deviceid": if missed { "" } else { "sim-device" },
    })
}

/// `starttime` and `endtime` (Unix seconds), both present and at most [`MAX_DAYS`] apart.
pub(super) fn checked_range(
    start: Option<i64>,
    end: Option<i64>,
) -> Result<(i64, i64), WeComError> {
    let (Some(start), Some(end)) = (start, end) else {
        return Err(WeComError::with(
            40058,
            "starttime and endtime are required",
        ));
    };
    if !within_days(start * 1000, end * 1000, MAX_DAYS) {
        return Err(WeComError::with(
            40058,
            format!("endtime must be after starttime and within {MAX_DAYS} days"),
        ));
    }
    Ok((start, end))
}

async fn getcheckindata(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: Body = parse_json(&body)?;
    let kind = body.opencheckindatatype.unwrap_or(3);
    let (start, end) = checked_range(body.starttime, body.endtime)?;
    let known = known_users(&wecom, &body.useridlist)?;
    let now = wecom.controls.now_ms();
    let punches = wecom.controls.punches().between(
        wecom.controls.seed(),
        &known,
        start * 1000,
        end * 1000 + 999,
        now,
    );
    // Type 2 is field work (外出打卡), which the simulated tenant has none of.
    let rows: Vec<Value> = if kind == 2 {
        Vec::new()
    } else {
        punches.iter().map(punch_json).collect()
    };
    Ok(ok(json!({"checkindata": rows})))
}
