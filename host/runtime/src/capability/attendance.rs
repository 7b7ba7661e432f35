//! `attendance`: check-ins and day reports, read live.

use super::CapError;
use super::validate::max_items;
use crate::types::{CheckIn, DayReport, TimeRange};

/// Most users per attendance query (both providers page at 100 users).
pub const MAX_USERS: usize = 100;
/// Longest range per query: 31 days, the providers' own maximum.
pub const MAX_RANGE_MS: i64 = 31 * 24 * 60 * 60 * 1000;

/// Live attendance reads.
#[async_trait::async_trait]
pub trait AttendanceBackend: Send + Sync {
    /// Check-ins of `users` within `range`, ordered by time.
    async fn check_ins(&self, users: &[String], range: TimeRange)
    -> Result<Vec<CheckIn>, CapError>;
    /// Day reports of `users` for the days within `range`.
    async fn day_reports(
        &self,
        users: &[String],
        range: TimeRange,
    ) -> Result<Vec<DayReport>, CapError>;
}

/// Checks a query before it reaches a backend.
pub fn validate_query(users: &[String], range: TimeRange) -> Result<(), CapError> {
    if users.is_empty() {
        return Err(CapError::Invalid("`users` must not be empty".into()));
    }
    max_items("users", users, MAX_USERS)?;
    if range.end <= range.start {
        return Err(CapError::Invalid(
            "`range.end` must be after `range.start`".into(),
        ));
    }
    if range.end - range.start > MAX_RANGE_MS {
        return Err(CapError::Invalid("`range` spans more than 31 days".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_must_be_forward_and_bounded() {
        let users = vec!["u1".to_string()];
        assert!(validate_query(&users, TimeRange { start: 0, end: 1 }).is_ok());
        assert!(validate_query(&users, TimeRange { start: 1, end: 1 }).is_err());
        assert!(
            validate_query(
                &users,
                TimeRange {
                    start: 0,
                    end: MAX_RANGE_MS + 1
                }
            )
            .is_err()
        );
        assert!(validate_query(&[], TimeRange { start: 0, end: 1 }).is_err());
    }
}
