//! `checkin/getcheckinoption` (§A5): the attendance rule group each member belongs to.
//!
//! Every member of the simulated corp is in one fixed-schedule group whose times match the
//! generated punches of [`crate::sim::attendance`] (on duty 09:00, off duty 18:00, Monday to
//! Friday), so that the rule a client reads explains the check-ins and day reports it gets.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{Reply, WeComError, ok};
use super::token::authorize;
use super::{Params, WeCom};
use crate::sim::dialect::parse_json;

pub(super) fn routes() -> Router<WeCom> {
    Router::new().route("/cgi-bin/checkin/getcheckinoption", post(getcheckinoption))
}

/// Id of the simulated attendance group.
pub(super) const GROUP_ID: i64 = 1;
/// Name of the simulated attendance group.
pub(super) const GROUP_NAME: &str = "模拟打卡组";
/// On-duty time, seconds after local midnight (09:00).
pub(super) const WORK_SEC: i64 = 9 * 3600;
/// Off-duty time, seconds after local midnight (18:00).
pub(super) const OFF_WORK_SEC: i64 = 18 * 3600;
/// Most members per call, as for the other check-in reads.
pub(super) const MAX_USERS: usize = 100;

/// The group's rule in `getcheckinoption`'s shape: `grouptype` 1 is a fixed schedule and
/// `workdays` count Sunday as 0.
pub(super) fn rule_group() -> Value {
    json!({
        "grouptype": 1, "groupid": GROUP_ID, "groupname": GROUP_NAME,
        "checkindate": [{
            "workdays": [1, 2, 3, 4, 5],
            "checkintime": [{
                "work_sec": WORK_SEC, "off_work_sec": OFF_WORK_SEC,
                "remind_work_sec": WORK_SEC - 600, "remind_off_work_sec": OFF_WORK_SEC,
            }],
            "flex_time": 0, "noneed_offwork": false, "limit_aheadtime": 14_400_000,
        }],
        "spe_workdays": [], "spe_offdays": [], "sync_holidays": true, "need_photo": false,
        "wifimac_infos": [{"wifiname": "办公一区", "wifimac": "3c:46:d8:0c:7a:70"}],
        "note_can_use_local_pic": false, "allow_checkin_offworkday": true,
        "allow_apply_offworkday": true,
        "loc_infos": [{
            "lat": 30_547_645, "lng": 104_063_236, "loc_title": "模拟园区",
            "loc_detail": "四川省成都市武侯区模拟大道1号", "distance": 300,
        }],
    })
}

/// Checks a `useridlist` against [`MAX_USERS`] and keeps the members that exist, as stored.
pub(super) fn known_users(wecom: &WeCom, userids: &[String]) -> Result<Vec<String>, WeComError> {
    if userids.is_empty() || userids.len() > MAX_USERS {
        return Err(WeComError::with(
            40058,
            format!("useridlist must hold 1-{MAX_USERS} userids"),
        ));
    }
    let dir = wecom.controls.directory_mut();
    Ok(userids
        .iter()
        .filter_map(|u| dir.user(u).ok().map(|u| u.userid.clone()))
        .collect())
}

#[derive(Deserialize)]
struct Body {
    datetime: Option<i64>,
    #[serde(default)]
    useridlist: Vec<String>,
}

async fn getcheckinoption(
    State(wecom): State<WeCom>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Reply {
    authorize(&wecom, &params)?;
    let body: Body = parse_json(&body)?;
    if body.datetime.is_none() {
        return Err(WeComError::with(40058, "datetime is required"));
    }
    let info: Vec<Value> = known_users(&wecom, &body.useridlist)?
        .into_iter()
        .map(|userid| json!({"userid": userid, "group": rule_group()}))
        .collect();
    Ok(ok(json!({"info": info})))
}
