//! `checkin/getcheckin_daydata` (§A5): one report per member and day, derived from the same
//! punches `checkin/getcheckindata` returns (generated history plus live check-ins), under the
//! rule of [`super::checkin_rules`].
//!
//! The reference gives the sections but not every value set; the simulator uses WeCom's
//! documented ones: `record_type` 1 = fixed schedule, `day_type` 0 = workday / 1 = rest day, and
//! `exception` 1 = late, 2 = left early, 3 = missed check-in, 5 = outside the allowed place.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::attendance::checked_range;
use super::checkin_rules::{GROUP_ID, GROUP_NAME, OFF_WORK_SEC, WORK_SEC, known_users};
use super::errors::{Reply, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::attendance::{CheckType, Punch, TimeResult};
use crate::sim::calendar::{self, DAY_MS};
use crate::sim::dialect::parse_json;

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route(
        "/cgi-bin/checkin/getcheckin_daydata",
        post(getcheckin_daydata),
    )
}

#[derive(Deserialize)]
struct Body {
    starttime: Option<i64>,
    endtime: Option<i64>,
    #[serde(default)]
    useridlist: Vec<String>,
}

/// Who the report is about, as `base_info` names them.
struct Member {
    userid: String,
    name: String,
    departments: String,
}

/// Seconds after local midnight of `ms`.
fn second_of_day(ms: i64, midnight: i64) -> i64 {
    (ms - midnight) / 1000
}

/// `exception_infos`: one entry per exception kind that occurred, with its count and duration.
fn exceptions(punches: &[&Punch]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut add = |exception: u8, hits: Vec<i64>| {
        if !hits.is_empty() {
            let duration: i64 = hits.iter().sum();
            out.push(json!({"exception": exception, "count": hits.len(), "duration": duration}));
        }
    };
    let late = |p: &&Punch| (p.check_ms - p.plan_ms).abs() / 1000;
    let of = |result: TimeResult| -> Vec<i64> {
        punches
            .iter()
            .filter(|p| p.time_result == result)
            .map(late)
            .collect()
    };
    add(1, of(TimeResult::Late));
    add(2, of(TimeResult::Early));
    add(3, of(TimeResult::NotSigned).iter().map(|_| 0).collect());
    let outside: Vec<i64> = punches.iter().filter(|p| p.outside).map(|_| 0).collect();
    add(5, outside);
    out
}

fn day_report(member: &Member, day: i64, punches: &[&Punch]) -> Value {
    let midnight = calendar::local_midnight(day);
    let workday = !calendar::is_weekend(day);
    let signed: Vec<&&Punch> = punches
        .iter()
        .filter(|p| p.time_result != TimeResult::NotSigned)
        .collect();
    let earliest = signed.iter().map(|p| p.check_ms).min();
    let latest = signed.iter().map(|p| p.check_ms).max();
    let on = signed.iter().find(|p| p.check_type == CheckType::OnDuty);
    let off = signed.iter().find(|p| p.check_type == CheckType::OffDuty);
    let regular = match (on, off) {
        (Some(on), Some(off)) => (off.check_ms - on.check_ms).max(0) / 1000,
        _ => 0,
    };
    json!({
        "base_info": {
            "date": midnight / 1000, "record_type": 1, "name": member.name, "name_ex": member.name,
            "departs_name": member.departments, "acctid": member.userid,
            "day_type": if workday { 0 } else { 1 },
            "rule_info": {
                "groupid": GROUP_ID, "groupname": GROUP_NAME, "scheduleid": 0, "schedulename": "",
                "checkintime": if workday {
                    json!([{"work_sec": WORK_SEC, "off_work_sec": OFF_WORK_SEC}])
                } else {
                    json!([])
                },
            },
        },
        "summary_info": {
            "checkin_count": signed.len(), "regular_work_sec": regular,
            "standard_work_sec": if workday { OFF_WORK_SEC - WORK_SEC } else { 0 },
            "earliest_time": earliest.map_or(0, |ms| second_of_day(ms, midnight)),
            "lastest_time": latest.map_or(0, |ms| second_of_day(ms, midnight)),
        },
        "holiday_infos": [],
        "exception_infos": exceptions(punches),
        "ot_info": {"ot_status": 0, "ot_duration": 0, "exception_duration": []},
        "sp_items": [],
    })
}

async fn getcheckin_daydata(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: Body = parse_json(&body)?;
    let (start, end) = checked_range(body.starttime, body.endtime)?;
    let known = known_users(&wecom, &body.useridlist)?;
    let members: Vec<Member> = {
        let dir = wecom.controls.directory_mut();
        known
            .iter()
            .filter_map(|userid| dir.user(userid).ok())
            .map(|u| Member {
                userid: u.userid.clone(),
                name: u.name.clone(),
                departments: u
                    .departments
                    .iter()
                    .filter_map(|d| dir.department(*d).ok().map(|d| d.name.clone()))
                    .collect::<Vec<_>>()
                    .join(","),
            })
            .collect()
    };
    let (first, last) = (
        calendar::local_day(start * 1000),
        calendar::local_day(end * 1000),
    );
    let from_ms = calendar::local_midnight(first);
    let to_ms = calendar::local_midnight(last) + DAY_MS - 1;
    let now = wecom.controls.now_ms();
    let punches =
        wecom
            .controls
            .punches()
            .between(wecom.controls.seed(), &known, from_ms, to_ms, now);
    let mut datas = Vec::new();
    for member in &members {
        for day in first..=last {
            let of_day: Vec<&Punch> = punches
                .iter()
                .filter(|p| p.userid.eq_ignore_ascii_case(&member.userid))
                .filter(|p| calendar::local_day(p.plan_ms) == day)
                .collect();
            datas.push(day_report(member, day, &of_day));
        }
    }
    Ok(ok(json!({"datas": datas})))
}
