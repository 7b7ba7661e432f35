//! Check-ins and day reports (live reads).

use crate::prelude::*;
use crate::route::route;
use crate::types::{CapError, TimeRange};

#[cfg(target_arch = "wasm32")]
use crate::bindings::worklink::plugin::attendance as wit;
pub use crate::bindings::worklink::plugin::attendance::{
    CheckIn, CheckKind, CheckResult, DayReport,
};

/// Check-ins of `users` (at most 100) within `range`.
pub fn check_ins(users: &[String], range: TimeRange) -> Result<Vec<CheckIn>, CapError> {
    route!(wasm: wit::check_ins(users, range), native: |host| host.check_ins(users, range))
}

/// Day reports of `users` (at most 100) for the days within `range`.
pub fn day_reports(users: &[String], range: TimeRange) -> Result<Vec<DayReport>, CapError> {
    route!(wasm: wit::day_reports(users, range), native: |host| host.day_reports(users, range))
}
