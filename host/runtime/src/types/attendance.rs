//! Attendance records (WIT `attendance`).

use serde::{Deserialize, Serialize};

/// A time range in unix milliseconds, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Start, inclusive.
    pub start: i64,
    /// End, exclusive.
    pub end: i64,
}

impl TimeRange {
    /// Whether `at` falls inside the range.
    pub fn contains(&self, at: i64) -> bool {
        self.start <= at && at < self.end
    }
}

/// Whether a check-in was for starting or ending work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Start of work.
    OnDuty,
    /// End of work.
    OffDuty,
}

/// How a check-in compares to the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// On time and in place.
    Normal,
    /// Later than the schedule.
    Late,
    /// Earlier than the schedule.
    Early,
    /// Outside the allowed place.
    Outside,
    /// Expected but missing.
    NotSigned,
}

/// One check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// Directory user id.
    pub user_id: String,
    /// When, unix milliseconds.
    pub at: i64,
    /// Start or end of work.
    pub kind: CheckKind,
    /// How it compares to the schedule.
    pub status: CheckResult,
    /// Place name, when known.
    #[serde(default)]
    pub location: Option<String>,
}

/// A user's summary of one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayReport {
    /// Directory user id.
    pub user_id: String,
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// First check-in, unix milliseconds.
    #[serde(default)]
    pub first_in: Option<i64>,
    /// Last check-out, unix milliseconds.
    #[serde(default)]
    pub last_out: Option<i64>,
    /// Minutes worked.
    #[serde(default)]
    pub work_minutes: u32,
    /// Minutes late.
    #[serde(default)]
    pub late_minutes: u32,
    /// Minutes left early.
    #[serde(default)]
    pub early_minutes: u32,
    /// Absent for the whole day.
    #[serde(default)]
    pub absent: bool,
}
