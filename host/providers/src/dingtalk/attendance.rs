//! Attendance results (`attendance/list`): at most 50 users and 7 days per call, offset paged.
//! Larger requests are split with the shared [`window`](crate::api::window) splitter and merged.

use serde::{Deserialize, Serialize};

use super::client::Client;
use crate::api::ApiError;
use crate::api::window::{self, Limits};

/// The per-call limits of `attendance/list`.
pub const ATTENDANCE_LIMITS: Limits = Limits {
    max_users: 50,
    max_span_secs: 7 * 86_400,
};
/// Records per page: the documented maximum.
const PAGE_SIZE: u32 = 50;
/// DingTalk reads `workDateFrom`/`workDateTo` as China Standard Time (UTC+8, no DST).
const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// One attendance result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRecord {
    /// Record id.
    #[serde(default)]
    pub id: i64,
    /// The member.
    pub user_id: String,
    /// `OnDuty` or `OffDuty`.
    pub check_type: String,
    /// `Normal`, `Early`, `Late`, `SeriousLate`, `Absenteeism`, `NotSigned`.
    pub time_result: String,
    /// `Normal`, `Outside`, `NotSigned`.
    #[serde(default)]
    pub location_result: String,
    /// Work day, epoch milliseconds.
    pub work_date: i64,
    /// Scheduled time, epoch milliseconds.
    #[serde(default)]
    pub base_check_time: i64,
    /// Actual time, epoch milliseconds.
    #[serde(default)]
    pub user_check_time: i64,
    /// How it was recorded (`ATM`, `USER`, `APPROVE`, `SYSTEM`, …).
    #[serde(default)]
    pub source_type: String,
    /// Approval instance behind it (leave, correction), if any.
    #[serde(default)]
    pub proc_inst_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListRequest<'a> {
    work_date_from: String,
    work_date_to: String,
    user_id_list: &'a [String],
    offset: u32,
    limit: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListAnswer {
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    recordresult: Vec<AttendanceRecord>,
}

impl Client {
    /// `attendance/list` for `users` between `start` and `end` (Unix seconds, inclusive), split
    /// into 50-user, 7-day calls and paged to the end.
    pub async fn attendance(
        &self,
        users: &[String],
        start: i64,
        end: i64,
    ) -> Result<Vec<AttendanceRecord>, ApiError> {
        let path = "/attendance/list";
        let chunks = window::split(users, start, end, ATTENDANCE_LIMITS)
            .map_err(|e| self.invalid(path, e.to_string()))?;
        let mut records = Vec::new();
        for chunk in chunks {
            let mut offset = 0;
            loop {
                let body = ListRequest {
                    work_date_from: china_datetime(chunk.start),
                    work_date_to: china_datetime(chunk.end),
                    user_id_list: chunk.users,
                    offset,
                    limit: PAGE_SIZE,
                };
                let page: ListAnswer = self.call(self.oapi_post(path, &body)).await?;
                let count = page.recordresult.len() as u32;
                records.extend(page.recordresult);
                if !page.has_more || count == 0 {
                    break;
                }
                offset += count;
            }
        }
        Ok(records)
    }
}

/// Formats Unix seconds as `yyyy-MM-dd HH:mm:ss` in China Standard Time.
///
/// Hand-written (Howard Hinnant's days-to-civil algorithm) because this one fixed-offset format is
/// the only date handling the crate needs; a calendar dependency would be larger than the code.
pub(super) fn china_datetime(unix_secs: i64) -> String {
    let local = unix_secs + CHINA_OFFSET_SECS;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_china_time() {
        assert_eq!(china_datetime(0), "1970-01-01 08:00:00");
        // 2022-10-20 00:00:00 +08:00, the workDate of the reference sample (1666195200000 ms).
        assert_eq!(china_datetime(1_666_195_200), "2022-10-20 00:00:00");
        // Leap day and a year boundary.
        assert_eq!(china_datetime(1_709_222_399), "2024-02-29 23:59:59");
        assert_eq!(china_datetime(1_704_038_400), "2024-01-01 00:00:00");
    }
}
