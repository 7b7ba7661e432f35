//! Attendance (打卡): check-in records, daily reports and check-in rules.
//!
//! `checkin/getcheckindata` accepts at most 100 users and 30 days per call; larger requests are
//! split with the shared [`window`](crate::api::window) splitter and the results merged.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Client;
use crate::api::ApiError;
use crate::api::window::{self, Limits};

/// The per-call limits of the check-in endpoints.
pub const CHECKIN_LIMITS: Limits = Limits {
    max_users: 100,
    max_span_secs: 30 * 86_400,
};

/// Which check-ins to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinKind {
    /// 上下班打卡: work on/off.
    Work = 1,
    /// 外出打卡: field work.
    Outside = 2,
    /// All kinds.
    All = 3,
}

/// One check-in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckinRecord {
    /// Who checked in.
    pub userid: String,
    /// Attendance group name.
    #[serde(default)]
    pub groupname: String,
    /// 上班打卡 / 下班打卡 / 外出打卡.
    #[serde(default)]
    pub checkin_type: String,
    /// 时间异常 / 地点异常 / 未打卡 / wifi异常 / 非常用设备, empty when normal.
    #[serde(default)]
    pub exception_type: String,
    /// Unix seconds (the scheduled time for a missed check-in).
    pub checkin_time: i64,
    /// Place name.
    #[serde(default)]
    pub location_title: String,
    /// Address.
    #[serde(default)]
    pub location_detail: String,
    /// Wi-Fi name.
    #[serde(default)]
    pub wifiname: String,
    /// The member's note.
    #[serde(default)]
    pub notes: String,
    /// Latitude × 10⁶.
    #[serde(default)]
    pub lat: Option<i64>,
    /// Longitude × 10⁶.
    #[serde(default)]
    pub lng: Option<i64>,
    /// Scheduled time of this check-in, Unix seconds.
    #[serde(default)]
    pub sch_checkin_time: Option<i64>,
}

/// One member's daily report (`checkin/getcheckin_daydata`). The nested sections keep WeCom's
/// shape, which varies with the attendance rule type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DayReport {
    /// Date, member, departments and the rule that applied.
    #[serde(default)]
    pub base_info: Value,
    /// Check-in count, work seconds, earliest and latest check-in.
    #[serde(default)]
    pub summary_info: Value,
    /// Lateness, absence and other exceptions.
    #[serde(default)]
    pub exception_infos: Vec<Value>,
    /// Leave and other approved absences.
    #[serde(default)]
    pub holiday_infos: Vec<Value>,
    /// Overtime.
    #[serde(default)]
    pub ot_info: Value,
}

/// One member's check-in rule (`checkin/getcheckinoption`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckinOption {
    /// The member.
    pub userid: String,
    /// Their attendance group with schedules, places and Wi-Fi.
    #[serde(default)]
    pub group: Value,
}

#[derive(Serialize)]
struct RangeRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    opencheckindatatype: Option<u8>,
    starttime: i64,
    endtime: i64,
    useridlist: &'a [String],
}

#[derive(Deserialize)]
struct CheckinData {
    #[serde(default)]
    checkindata: Vec<CheckinRecord>,
}

#[derive(Deserialize)]
struct DayData {
    #[serde(default)]
    datas: Vec<DayReport>,
}

#[derive(Deserialize)]
struct OptionAnswer {
    #[serde(default)]
    info: Vec<CheckinOption>,
}

#[derive(Serialize)]
struct OptionRequest<'a> {
    datetime: i64,
    useridlist: &'a [String],
}

impl Client {
    /// `checkin/getcheckindata` for `users` between `start` and `end` (Unix seconds, inclusive),
    /// split into as many calls as the limits need.
    pub async fn checkin_records(
        &self,
        kind: CheckinKind,
        users: &[String],
        start: i64,
        end: i64,
    ) -> Result<Vec<CheckinRecord>, ApiError> {
        let path = "checkin/getcheckindata";
        self.ranged(
            path,
            Some(kind as u8),
            users,
            (start, end),
            |a: CheckinData| a.checkindata,
        )
        .await
    }

    /// `checkin/getcheckin_daydata` for `users` between `start` and `end` (Unix seconds of the
    /// days), split like [`checkin_records`](Self::checkin_records).
    pub async fn checkin_day_reports(
        &self,
        users: &[String],
        start: i64,
        end: i64,
    ) -> Result<Vec<DayReport>, ApiError> {
        let path = "checkin/getcheckin_daydata";
        self.ranged(path, None, users, (start, end), |a: DayData| a.datas)
            .await
    }

    /// `checkin/getcheckinoption`: the rules that apply to `users` on the day of `datetime`.
    pub async fn checkin_options(
        &self,
        datetime: i64,
        users: &[String],
    ) -> Result<Vec<CheckinOption>, ApiError> {
        let path = "checkin/getcheckinoption";
        let mut options = Vec::new();
        for chunk in users.chunks(CHECKIN_LIMITS.max_users) {
            let body = OptionRequest {
                datetime,
                useridlist: chunk,
            };
            options.extend(
                self.call::<OptionAnswer>(self.post(path, &body))
                    .await?
                    .info,
            );
        }
        Ok(options)
    }

    /// Calls a users × range endpoint once per chunk and concatenates the rows.
    async fn ranged<A: DeserializeOwned, T>(
        &self,
        path: &str,
        kind: Option<u8>,
        users: &[String],
        (start, end): (i64, i64),
        rows: impl Fn(A) -> Vec<T>,
    ) -> Result<Vec<T>, ApiError> {
        let chunks = window::split(users, start, end, CHECKIN_LIMITS)
            .map_err(|e| self.invalid(path, e.to_string()))?;
        let mut merged = Vec::new();
        for chunk in chunks {
            let body = RangeRequest {
                opencheckindatatype: kind,
                starttime: chunk.start,
                endtime: chunk.end,
                useridlist: chunk.users,
            };
            merged.extend(rows(self.call::<A>(self.post(path, &body)).await?));
        }
        Ok(merged)
    }
}
