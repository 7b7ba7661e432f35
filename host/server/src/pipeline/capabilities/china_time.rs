//! China Standard Time, in which both providers report attendance days and DingTalk its
//! approval timestamps (UTC+8 all year: China has no daylight saving time).

use chrono::{FixedOffset, NaiveDateTime, TimeZone};

/// UTC+8, checked when compiling.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The China calendar day of unix milliseconds `at`, as `YYYY-MM-DD`.
pub(super) fn day_of(at: i64) -> String {
    CHINA
        .timestamp_millis_opt(at)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `yyyy-MM-dd HH:mm:ss` in China time as unix milliseconds.
pub(super) fn parse_datetime(text: &str) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    CHINA
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_are_read_in_china_time() {
        // 2022-10-19 16:00:00 UTC is midnight of 2022-10-20 in China.
        assert_eq!(day_of(1_666_195_200_000), "2022-10-20");
        assert_eq!(day_of(1_666_195_199_999), "2022-10-19");
        assert_eq!(
            parse_datetime("2022-10-20 00:00:00"),
            Some(1_666_195_200_000)
        );
        assert_eq!(parse_datetime("20 Oct"), None);
    }
}
