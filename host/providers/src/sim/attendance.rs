//! Check-ins (打卡): a deterministic history for every member plus live check-ins.
//!
//! Attendance reads must return plausible, stable data for any range a client asks: each workday
//! every member has an on-duty punch planned at 09:00 and an off-duty punch at 18:00 local time,
//! and a seeded hash of (seed, member, day) decides whether they were on time, late, early or
//! missed it. Check-ins made through the controls are added on top and pushed as callbacks.

use std::sync::Mutex;

use serde::Serialize;

use super::calendar::{self, DAY_MS};

/// On-duty or off-duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CheckType {
    /// 上班打卡.
    OnDuty,
    /// 下班打卡.
    OffDuty,
}

/// How the punch time compares to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TimeResult {
    /// On time.
    Normal,
    /// Arrived after the plan.
    Late,
    /// Left before the plan.
    Early,
    /// No punch.
    NotSigned,
}

/// One punch (or missed punch) of one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Punch {
    /// Stable id.
    pub id: u64,
    /// Member.
    pub userid: String,
    /// On or off duty.
    pub check_type: CheckType,
    /// Planned time, Unix ms.
    pub plan_ms: i64,
    /// Actual time, Unix ms; the plan for missed punches.
    pub check_ms: i64,
    /// Time result.
    pub time_result: TimeResult,
    /// Whether the location was outside the allowed range.
    pub outside: bool,
}

/// Live check-ins made through the controls.
#[derive(Debug, Default)]
pub struct Punches {
    live: Mutex<Vec<Punch>>,
}

fn mix(seed: u64, userid: &str, day: i64) -> u64 {
    let start = seed ^ (day as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    userid.bytes().fold(start, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The generated punches of `userid` on local day `day` (none on weekends).
pub fn generated(seed: u64, userid: &str, day: i64) -> Vec<Punch> {
    if calendar::is_weekend(day) {
        return Vec::new();
    }
    let h = mix(seed, userid, day);
    let midnight = calendar::local_midnight(day);
    let on_plan = midnight + 9 * 3_600_000;
    let off_plan = midnight + 18 * 3_600_000;
    let minutes = |bits: u64| i64::try_from(bits % 30).unwrap_or(0) * 60_000;
    let (on_ms, on_result) = match h % 20 {
        0 => (on_plan, TimeResult::NotSigned),
        1 | 2 => (on_plan + minutes(h >> 8) + 60_000, TimeResult::Late),
        _ => (on_plan - minutes(h >> 8), TimeResult::Normal),
    };
    let (off_ms, off_result) = match (h >> 16) % 20 {
        0 => (off_plan, TimeResult::NotSigned),
        1 => (off_plan - minutes(h >> 24) - 60_000, TimeResult::Early),
        _ => (off_plan + minutes(h >> 24), TimeResult::Normal),
    };
    let id = (day as u64) << 20 ^ (h & 0xf_ffff);
    vec![
        Punch {
            id: id << 1,
            userid: userid.to_owned(),
            check_type: CheckType::OnDuty,
            plan_ms: on_plan,
            check_ms: on_ms,
            time_result: on_result,
            outside: (h >> 40).is_multiple_of(25),
        },
        Punch {
            id: id << 1 | 1,
            userid: userid.to_owned(),
            check_type: CheckType::OffDuty,
            plan_ms: off_plan,
            check_ms: off_ms,
            time_result: off_result,
            outside: false,
        },
    ]
}

impl Punches {
    /// Records a live check-in of `userid` at `now_ms`: on duty before noon, off duty after.
    pub fn check_in(&self, userid: &str, now_ms: i64) -> Punch {
        let day = calendar::local_day(now_ms);
        let midnight = calendar::local_midnight(day);
        let on_duty = now_ms - midnight < 12 * 3_600_000;
        let plan_ms = midnight + if on_duty { 9 } else { 18 } * 3_600_000;
        let time_result = match (on_duty, now_ms > plan_ms) {
            (true, true) => TimeResult::Late,
            (false, false) => TimeResult::Early,
            _ => TimeResult::Normal,
        };
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let punch = Punch {
            id: (1 << 62) + live.len() as u64,
            userid: userid.to_owned(),
            check_type: if on_duty {
                CheckType::OnDuty
            } else {
                CheckType::OffDuty
            },
            plan_ms,
            check_ms: now_ms,
            time_result,
            outside: false,
        };
        live.push(punch.clone());
        punch
    }

    /// Every punch of `userids` with `check_ms` in `[from_ms, to_ms]`, generated history first
    /// (up to `history_until_ms`, i.e. not in the simulated future), then live check-ins.
    pub fn between(
        &self,
        seed: u64,
        userids: &[String],
        from_ms: i64,
        to_ms: i64,
        history_until_ms: i64,
    ) -> Vec<Punch> {
        let mut out = Vec::new();
        let last = to_ms.min(history_until_ms);
        for userid in userids {
            let mut day = calendar::local_day(from_ms);
            while calendar::local_midnight(day) <= last {
                out.extend(
                    generated(seed, userid, day)
                        .into_iter()
                        .filter(|p| p.check_ms >= from_ms && p.check_ms <= last),
                );
                day += 1;
            }
        }
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        out.extend(
            live.iter()
                .filter(|p| userids.iter().any(|u| u.eq_ignore_ascii_case(&p.userid)))
                .filter(|p| p.check_ms >= from_ms && p.check_ms <= to_ms)
                .cloned(),
        );
        out
    }
}

/// Whether `[from_ms, to_ms]` is a forward range of at most `days` days (the services' limits).
pub fn within_days(from_ms: i64, to_ms: i64, days: i64) -> bool {
    to_ms >= from_ms && to_ms - from_ms <= days * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::calendar::parse_local;

    #[test]
    fn history_is_deterministic_and_skips_weekends() {
        let monday = calendar::local_day(parse_local("2023-11-13 12:00:00").unwrap());
        assert_eq!(
            generated(5, "zhangsan", monday),
            generated(5, "zhangsan", monday)
        );
        assert_eq!(generated(5, "zhangsan", monday).len(), 2);
        assert!(generated(5, "zhangsan", monday + 5).is_empty());
        let week: Vec<_> = (0..5)
            .flat_map(|d| generated(5, "zhangsan", monday + d))
            .collect();
        assert!(
            week.iter()
                .all(|p| (p.check_type == CheckType::OnDuty)
                    == (p.plan_ms % DAY_MS == 1_000 * 3_600))
        );
    }

    #[test]
    fn range_limits() {
        assert!(within_days(0, 7 * DAY_MS, 7));
        assert!(!within_days(0, 7 * DAY_MS + 1, 7));
        assert!(!within_days(10, 0, 7));
    }

    #[test]
    fn between_filters_by_range_and_includes_live() {
        let punches = Punches::default();
        let from = parse_local("2023-11-13 00:00:00").unwrap();
        let to = parse_local("2023-11-19 23:59:59").unwrap();
        let users = vec!["lisi".to_string()];
        let week = punches.between(1, &users, from, to, i64::MAX);
        assert_eq!(week.len(), 10);
        let live = punches.check_in("LiSi", parse_local("2023-11-18 08:30:00").unwrap());
        assert_eq!(
            (live.check_type, live.time_result),
            (CheckType::OnDuty, TimeResult::Normal)
        );
        assert_eq!(punches.between(1, &users, from, to, i64::MAX).len(), 11);
        assert_eq!(
            punches.between(1, &users, from, to, from).len(),
            1,
            "only the live check-in: no history in the future"
        );
    }
}
