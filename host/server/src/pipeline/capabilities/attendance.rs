//! `attendance` read live from the connection's provider, in the runtime's neutral shape.
//!
//! WeCom reports check-ins with Chinese type and exception labels and day reports with
//! per-exception durations; DingTalk reports one result per scheduled check, from which the day
//! reports are summed here (its day-summary API needs a separate attendance permission and says
//! no more than the checks do).

use std::collections::BTreeMap;

use worklink_providers::{dingtalk, wecom};
use worklink_runtime::capability::CapError;
use worklink_runtime::capability::attendance::AttendanceBackend;
use worklink_runtime::types::{CheckIn, CheckKind, CheckResult, DayReport, TimeRange};

use super::{ProviderReads, china_time, provider_error};
use crate::clients::AppClient;

#[async_trait::async_trait]
impl AttendanceBackend for ProviderReads {
    async fn check_ins(
        &self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<CheckIn>, CapError> {
        let (start, end) = seconds(range);
        let mut check_ins: Vec<CheckIn> = match self.app()? {
            AppClient::WeCom(client) => client
                .checkin_records(wecom::CheckinKind::All, users, start, end)
                .await
                .map_err(provider_error)?
                .iter()
                .map(wecom_check_in)
                .collect(),
            AppClient::DingTalk(client) => client
                .attendance(users, start, end)
                .await
                .map_err(provider_error)?
                .iter()
                .map(dingtalk_check_in)
                .collect(),
        };
        check_ins.retain(|c| range.contains(c.at));
        check_ins.sort_by(|a, b| (a.at, &a.user_id).cmp(&(b.at, &b.user_id)));
        Ok(check_ins)
    }

    async fn day_reports(
        &self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<DayReport>, CapError> {
        let (start, end) = seconds(range);
        Ok(match self.app()? {
            AppClient::WeCom(client) => client
                .checkin_day_reports(users, start, end)
                .await
                .map_err(provider_error)?
                .iter()
                .filter_map(wecom_day_report)
                .collect(),
            AppClient::DingTalk(client) => dingtalk_day_reports(
                &client
                    .attendance(users, start, end)
                    .await
                    .map_err(provider_error)?,
            ),
        })
    }
}

/// A half-open millisecond range as the inclusive unix seconds both providers take.
fn seconds(range: TimeRange) -> (i64, i64) {
    (
        range.start.div_euclid(1000),
        (range.end - 1).max(range.start).div_euclid(1000),
    )
}

/// A WeCom check-in. Its type says on or off duty (`上班打卡`, `下班打卡`; field work,
/// `外出打卡`, counts as outside); its exception says how it went (`未打卡` missing,
/// `时间异常` late or early, `地点异常` wrong place).
fn wecom_check_in(record: &wecom::CheckinRecord) -> CheckIn {
    let off_duty = record.checkin_type.contains("下班");
    let exception = record.exception_type.as_str();
    let status = if exception.contains("未打卡") {
        CheckResult::NotSigned
    } else if exception.contains("时间异常") {
        if off_duty {
            CheckResult::Early
        } else {
            CheckResult::Late
        }
    } else if exception.contains("地点异常") || record.checkin_type.contains("外出") {
        CheckResult::Outside
    } else {
        CheckResult::Normal
    };
    CheckIn {
        user_id: record.userid.clone(),
        at: record.checkin_time.saturating_mul(1000),
        kind: if off_duty {
            CheckKind::OffDuty
        } else {
            CheckKind::OnDuty
        },
        status,
        location: (!record.location_title.is_empty()).then(|| record.location_title.clone()),
    }
}

/// WeCom exception codes in a day report (`exception_infos[].exception`).
const WECOM_LATE: i64 = 1;
const WECOM_EARLY: i64 = 2;
const WECOM_ABSENT: i64 = 4;

/// A WeCom day report: `base_info.date` is the day's local midnight in unix seconds,
/// `summary_info` has the earliest and latest check-in as seconds into the day and the regular
/// work time, `exception_infos` the late, early and absent durations in seconds.
fn wecom_day_report(report: &wecom::DayReport) -> Option<DayReport> {
    let int = |value: &serde_json::Value| value.as_i64().unwrap_or(0);
    let user_id = report.base_info.get("acctid")?.as_str()?.to_owned();
    let midnight = report.base_info.get("date")?.as_i64()?;
    let summary = &report.summary_info;
    let checked_in = int(&summary["checkin_count"]) > 0;
    let at = |key: &str| checked_in.then(|| (midnight + int(&summary[key])) * 1000);
    let exception_seconds = |code: i64| -> i64 {
        report
            .exception_infos
            .iter()
            .filter(|e| int(&e["exception"]) == code)
            .map(|e| int(&e["duration"]))
            .sum()
    };
    let minutes = |seconds: i64| u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX);
    let absent = report
        .exception_infos
        .iter()
        .any(|e| int(&e["exception"]) == WECOM_ABSENT);
    Some(DayReport {
        user_id,
        day: china_time::day_of(midnight * 1000),
        first_in: at("earliest_time"),
        last_out: at("lastest_time"),
        work_minutes: minutes(int(&summary["regular_work_sec"])),
        late_minutes: minutes(exception_seconds(WECOM_LATE)),
        early_minutes: minutes(exception_seconds(WECOM_EARLY)),
        absent,
    })
}

/// Whether a DingTalk result is a check that did not happen.
fn dingtalk_missing(record: &dingtalk::AttendanceRecord) -> bool {
    matches!(record.time_result.as_str(), "NotSigned" | "Absenteeism")
}

/// A DingTalk check result; a missing check is placed at its scheduled time.
fn dingtalk_check_in(record: &dingtalk::AttendanceRecord) -> CheckIn {
    let status = match record.time_result.as_str() {
        "NotSigned" | "Absenteeism" => CheckResult::NotSigned,
        "Late" | "SeriousLate" => CheckResult::Late,
        "Early" => CheckResult::Early,
        _ if record.location_result == "Outside" => CheckResult::Outside,
        _ => CheckResult::Normal,
    };
    let at = if record.user_check_time > 0 && !dingtalk_missing(record) {
        record.user_check_time
    } else {
        record.base_check_time
    };
    CheckIn {
        user_id: record.user_id.clone(),
        at,
        kind: if record.check_type == "OffDuty" {
            CheckKind::OffDuty
        } else {
            CheckKind::OnDuty
        },
        status,
        location: None,
    }
}

/// DingTalk check results summed per member and work day.
fn dingtalk_day_reports(records: &[dingtalk::AttendanceRecord]) -> Vec<DayReport> {
    let mut days: BTreeMap<(&str, i64), Vec<&dingtalk::AttendanceRecord>> = BTreeMap::new();
    for record in records {
        days.entry((record.user_id.as_str(), record.work_date))
            .or_default()
            .push(record);
    }
    let minutes = |ms: i64| u32::try_from(ms.max(0) / 60_000).unwrap_or(u32::MAX);
    days.into_iter()
        .map(|((user_id, work_date), checks)| {
            let signed = |kind: &'static str| {
                checks
                    .iter()
                    .filter(move |c| c.check_type == kind && !dingtalk_missing(c))
                    .map(|c| c.user_check_time)
            };
            let first_in = signed("OnDuty").min();
            let last_out = signed("OffDuty").max();
            let late: i64 = checks
                .iter()
                .filter(|c| matches!(c.time_result.as_str(), "Late" | "SeriousLate"))
                .map(|c| c.user_check_time - c.base_check_time)
                .sum();
            let early: i64 = checks
                .iter()
                .filter(|c| c.time_result == "Early")
                .map(|c| c.base_check_time - c.user_check_time)
                .sum();
            DayReport {
                user_id: user_id.to_owned(),
                day: china_time::day_of(work_date),
                first_in,
                last_out,
                work_minutes: match (first_in, last_out) {
                    (Some(start), Some(end)) => minutes(end - start),
                    _ => 0,
                },
                late_minutes: minutes(late),
                early_minutes: minutes(early),
                absent: checks.iter().any(|c| c.time_result == "Absenteeism")
                    || checks.iter().all(|c| dingtalk_missing(c)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wecom_labels_become_neutral_results() {
        let record = |kind: &str, exception: &str| -> wecom::CheckinRecord {
            serde_json::from_value(json!({
                "userid": "zhangsan", "checkin_type": kind, "exception_type": exception,
                "checkin_time": 1_700_000_000, "location_title": "HQ"
            }))
            .unwrap()
        };
        let on_late = wecom_check_in(&record("上班打卡", "时间异常"));
        assert_eq!(
            (on_late.kind, on_late.status),
            (CheckKind::OnDuty, CheckResult::Late)
        );
        assert_eq!(on_late.at, 1_700_000_000_000);
        assert_eq!(on_late.location.as_deref(), Some("HQ"));
        let off_early = wecom_check_in(&record("下班打卡", "时间异常"));
        assert_eq!(
            (off_early.kind, off_early.status),
            (CheckKind::OffDuty, CheckResult::Early)
        );
        assert_eq!(
            wecom_check_in(&record("上班打卡", "未打卡")).status,
            CheckResult::NotSigned
        );
        assert_eq!(
            wecom_check_in(&record("外出打卡", "")).status,
            CheckResult::Outside
        );
        assert_eq!(
            wecom_check_in(&record("上班打卡", "")).status,
            CheckResult::Normal
        );
    }

    #[test]
    fn a_wecom_day_report_sums_its_exceptions() {
        // 2022-10-20 in China; checked in at 09:10 (600 s late), out at 18:00.
        let report: wecom::DayReport = serde_json::from_value(json!({
            "base_info": {"date": 1_666_195_200, "acctid": "zhangsan"},
            "summary_info": {"checkin_count": 2, "regular_work_sec": 31_800,
                "earliest_time": 33_000, "lastest_time": 64_800},
            "exception_infos": [{"exception": 1, "count": 1, "duration": 600}]
        }))
        .unwrap();
        let day = wecom_day_report(&report).unwrap();
        assert_eq!(day.day, "2022-10-20");
        assert_eq!(day.first_in, Some((1_666_195_200 + 33_000) * 1000));
        assert_eq!(day.last_out, Some((1_666_195_200 + 64_800) * 1000));
        assert_eq!(
            (day.work_minutes, day.late_minutes, day.early_minutes),
            (530, 10, 0)
        );
        assert!(!day.absent);
    }

    fn dingtalk(kind: &str, result: &str, base: i64, actual: i64) -> dingtalk::AttendanceRecord {
        serde_json::from_value(json!({
            "userId": "lisi", "checkType": kind, "timeResult": result, "locationResult": "Normal",
            "workDate": 1_666_195_200_000i64, "baseCheckTime": base, "userCheckTime": actual
        }))
        .unwrap()
    }

    #[test]
    fn dingtalk_checks_are_summed_per_day() {
        let nine = 1_666_195_200_000 + 9 * 3_600_000;
        let six = 1_666_195_200_000 + 18 * 3_600_000;
        let records = [
            dingtalk("OnDuty", "Late", nine, nine + 15 * 60_000),
            dingtalk("OffDuty", "Normal", six, six + 60_000),
        ];
        let late = dingtalk_check_in(&records[0]);
        assert_eq!(
            (late.status, late.at),
            (CheckResult::Late, nine + 15 * 60_000)
        );
        let days = dingtalk_day_reports(&records);
        assert_eq!(days.len(), 1);
        let day = &days[0];
        assert_eq!(
            (day.user_id.as_str(), day.day.as_str()),
            ("lisi", "2022-10-20")
        );
        assert_eq!((day.late_minutes, day.work_minutes), (15, 8 * 60 + 46));
        assert!(!day.absent);

        let missed = [dingtalk("OnDuty", "NotSigned", nine, 0)];
        assert!(dingtalk_day_reports(&missed)[0].absent);
        assert_eq!(dingtalk_check_in(&missed[0]).at, nine);
    }
}
