//! China Standard Time (UTC+8, no daylight saving) calendar arithmetic.
//!
//! Both services speak local dates: DingTalk's attendance takes `"yyyy-MM-dd HH:mm:ss"` and its
//! legacy approvals answer such strings; punches are planned at 09:00 and 18:00 local time. The
//! conversions are the days-from-civil algorithm (H. Hinnant), written out here because pulling a
//! date-time crate into the providers for one fixed-offset format is not worth the dependency.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// UTC+8 in milliseconds.
const OFFSET_MS: i64 = 8 * 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

/// The local day number (days since 1970-01-01 in UTC+8) of a Unix-ms instant.
pub fn local_day(ms: i64) -> i64 {
    (ms + OFFSET_MS).div_euclid(DAY_MS)
}

/// The Unix-ms instant of local midnight starting local day `day`.
pub fn local_midnight(day: i64) -> i64 {
    day * DAY_MS - OFFSET_MS
}

/// Whether a local day is Saturday or Sunday (1970-01-01 was a Thursday).
pub fn is_weekend(day: i64) -> bool {
    matches!((day + 3).rem_euclid(7), 5 | 6)
}

/// Parses local `"yyyy-MM-dd HH:mm:ss"` into Unix ms; `None` if malformed.
pub fn parse_local(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    if !valid || d.next().is_some() || t.next().is_some() {
        return None;
    }
    Some(
        local_midnight(days_from_civil(year, month, day))
            + ((hour * 60 + minute) * 60 + second) * 1000,
    )
}

/// Formats Unix ms as local `"yyyy-MM-dd HH:mm:ss"`.
pub fn format_local(ms: i64) -> String {
    let day = local_day(ms);
    let (year, month, date) = civil_from_days(day);
    let secs = (ms - local_midnight(day)) / 1000;
    format!(
        "{year:04}-{month:02}-{date:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_local_time() {
        // 2023-11-14 22:13:20 UTC is 2023-11-15 06:13:20 in Beijing.
        assert_eq!(format_local(1_700_000_000_000), "2023-11-15 06:13:20");
        assert_eq!(parse_local("2023-11-15 06:13:20"), Some(1_700_000_000_000));
        assert_eq!(
            parse_local("2024-02-29 00:00:00")
                .map(format_local)
                .as_deref(),
            Some("2024-02-29 00:00:00")
        );
        assert_eq!(parse_local("2023-13-01 00:00:00"), None);
        assert_eq!(parse_local("yesterday"), None);
    }

    #[test]
    fn weekends() {
        let saturday = local_day(parse_local("2023-11-18 12:00:00").unwrap());
        assert!(is_weekend(saturday) && is_weekend(saturday + 1));
        assert!(!is_weekend(saturday + 2));
    }
}
