//! A cron expression read in a time zone: when a scheduled rule fires next.
//!
//! Expressions are parsed by `croner` (five fields, or six with seconds; `L`, `W`, `#` and
//! aliases such as `@daily`) and evaluated in the rule's IANA zone through `chrono-tz`, so
//! "09:00 on weekdays" means 09:00 in Shanghai whatever zone the server runs in.

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;

use crate::storage::Millis;

/// A parsed cron expression and its time zone.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    cron: Cron,
    zone: Tz,
}

/// Why a cron expression or zone was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The expression does not parse.
    #[error("`{expression}` is not a cron expression: {reason}")]
    Cron {
        /// The expression as written.
        expression: String,
        /// The parser's explanation.
        reason: String,
    },
    /// The zone is not in the IANA database.
    #[error("`{0}` is not an IANA time zone (e.g. Asia/Shanghai)")]
    Timezone(String),
}

impl ScheduleError {
    /// Whether the zone, not the expression, was wrong.
    pub fn is_timezone(&self) -> bool {
        matches!(self, ScheduleError::Timezone(_))
    }
}

impl CronSchedule {
    /// Parses `expression`, to be read in time zone `zone`.
    pub fn parse(expression: &str, zone: &str) -> Result<Self, ScheduleError> {
        let zone = Tz::from_str(zone).map_err(|_| ScheduleError::Timezone(zone.to_owned()))?;
        let cron = Cron::from_str(expression).map_err(|e| ScheduleError::Cron {
            expression: expression.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self { cron, zone })
    }

    /// The first fire time strictly after `after`, or `None` if the expression never fires again
    /// (or `after` is outside what the calendar can represent).
    pub fn next_after(&self, after: Millis) -> Option<Millis> {
        let start = Utc
            .timestamp_millis_opt(after)
            .single()?
            .with_timezone(&self.zone);
        self.cron
            .find_next_occurrence(&start, false)
            .ok()
            .map(|next| next.timestamp_millis())
    }

    /// Every fire time in `(after, until]`, oldest first, at most `limit` of them.
    pub fn fires_between(&self, after: Millis, until: Millis, limit: usize) -> Vec<Millis> {
        let mut fires = Vec::new();
        let mut cursor = after;
        while fires.len() < limit {
            match self.next_after(cursor) {
                Some(next) if next <= until => {
                    fires.push(next);
                    cursor = next;
                }
                _ => break,
            }
        }
        fires
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-05 00:00:00 UTC, a Monday.
    const MONDAY_UTC: Millis = 1_767_571_200_000;
    const HOUR: Millis = 3_600_000;

    #[test]
    fn fires_at_local_time_in_its_zone() {
        let nine_shanghai = CronSchedule::parse("0 9 * * 1-5", "Asia/Shanghai").unwrap();
        // 09:00 in Shanghai is 01:00 UTC.
        assert_eq!(
            nine_shanghai.next_after(MONDAY_UTC),
            Some(MONDAY_UTC + HOUR)
        );
        let nine_utc = CronSchedule::parse("0 9 * * 1-5", "UTC").unwrap();
        assert_eq!(nine_utc.next_after(MONDAY_UTC), Some(MONDAY_UTC + 9 * HOUR));
    }

    #[test]
    fn skips_the_weekend() {
        let weekdays = CronSchedule::parse("0 9 * * 1-5", "UTC").unwrap();
        // From Friday 10:00 UTC the next weekday 09:00 is Monday.
        let friday_ten = MONDAY_UTC + 4 * 24 * HOUR + 10 * HOUR;
        assert_eq!(
            weekdays.next_after(friday_ten),
            Some(MONDAY_UTC + 7 * 24 * HOUR + 9 * HOUR)
        );
    }

    #[test]
    fn lists_the_fires_in_a_window() {
        let hourly = CronSchedule::parse("0 * * * *", "UTC").unwrap();
        assert_eq!(
            hourly.fires_between(MONDAY_UTC, MONDAY_UTC + 3 * HOUR, 10),
            [
                MONDAY_UTC + HOUR,
                MONDAY_UTC + 2 * HOUR,
                MONDAY_UTC + 3 * HOUR
            ]
        );
        assert_eq!(
            hourly
                .fires_between(MONDAY_UTC, MONDAY_UTC + 3 * HOUR, 2)
                .len(),
            2
        );
        assert!(
            hourly
                .fires_between(MONDAY_UTC, MONDAY_UTC + 1, 10)
                .is_empty()
        );
    }

    #[test]
    fn bad_expressions_and_zones_are_told_apart() {
        let err = CronSchedule::parse("61 * * * *", "UTC").unwrap_err();
        assert!(!err.is_timezone(), "{err}");
        assert!(err.to_string().contains("61 * * * *"), "{err}");
        let err = CronSchedule::parse("0 9 * * *", "Mars/Olympus").unwrap_err();
        assert!(err.is_timezone(), "{err}");
    }
}
