//! Splits a (users × time range) query into the chunks a provider accepts in one call.
//!
//! WeCom check-ins take ≤ 100 users and ≤ 30 days per call, DingTalk attendance ≤ 50 users and
//! ≤ 7 days; both clients use this one splitter with their own [`Limits`].

use std::fmt;

/// The largest chunk one call accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum users per call.
    pub max_users: usize,
    /// Maximum `end - start`, in seconds, per call.
    pub max_span_secs: i64,
}

/// One call's worth: a slice of the users and an inclusive time range in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The users of this call.
    pub users: &'a [String],
    /// Start of the range (inclusive, Unix seconds).
    pub start: i64,
    /// End of the range (inclusive, Unix seconds).
    pub end: i64,
}

/// Why a range cannot be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// `end` is before `start`.
    EmptyRange {
        /// Requested start.
        start: i64,
        /// Requested end.
        end: i64,
    },
    /// The limits allow no users or no time per call.
    ZeroLimits,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::EmptyRange { start, end } => {
                write!(f, "time range ends ({end}) before it starts ({start})")
            }
            SplitError::ZeroLimits => f.write_str("per-call limits must be positive"),
        }
    }
}

impl std::error::Error for SplitError {}

/// Splits `users` × `[start, end]` into chunks within `limits`. Windows do not overlap: each one
/// starts one second after the previous one ends, so no record is returned twice.
pub fn split<'a>(
    users: &'a [String],
    start: i64,
    end: i64,
    limits: Limits,
) -> Result<Vec<Chunk<'a>>, SplitError> {
    if limits.max_users == 0 {
        return Err(SplitError::ZeroLimits);
    }
    Ok(spans(start, end, limits.max_span_secs)?
        .into_iter()
        .flat_map(|(start, end)| {
            users
                .chunks(limits.max_users)
                .map(move |users| Chunk { users, start, end })
        })
        .collect())
}

/// Splits `[start, end]` into consecutive, non-overlapping ranges of at most `max_span_secs`,
/// for endpoints limited in time only (e.g. WeCom's approval list).
pub fn spans(start: i64, end: i64, max_span_secs: i64) -> Result<Vec<(i64, i64)>, SplitError> {
    if end < start {
        return Err(SplitError::EmptyRange { start, end });
    }
    if max_span_secs <= 0 {
        return Err(SplitError::ZeroLimits);
    }
    let mut windows = Vec::new();
    let mut from = start;
    loop {
        let to = end.min(from.saturating_add(max_span_secs));
        windows.push((from, to));
        if to >= end {
            return Ok(windows);
        }
        from = to + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn users(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn small_request_is_one_chunk() {
        let u = users(3);
        let chunks = split(
            &u,
            0,
            DAY,
            Limits {
                max_users: 100,
                max_span_secs: 30 * DAY,
            },
        )
        .unwrap();
        assert_eq!(
            chunks,
            vec![Chunk {
                users: &u[..],
                start: 0,
                end: DAY
            }]
        );
    }

    #[test]
    fn users_and_days_are_both_split() {
        let u = users(120);
        let limits = Limits {
            max_users: 50,
            max_span_secs: 7 * DAY,
        };
        let chunks = split(&u, 0, 20 * DAY, limits).unwrap();
        // 3 windows (0-7d, 7d+1s-14d+1s, ...-20d) × 3 user chunks (50, 50, 20).
        assert_eq!(chunks.len(), 9);
        assert!(
            chunks
                .iter()
                .all(|c| c.users.len() <= 50 && c.end - c.start <= 7 * DAY)
        );
        let sizes: Vec<_> = chunks[..3].iter().map(|c| c.users.len()).collect();
        assert_eq!(sizes, vec![50, 50, 20]);
    }

    #[test]
    fn windows_cover_the_range_without_overlap() {
        let u = users(1);
        let limits = Limits {
            max_users: 100,
            max_span_secs: 30 * DAY,
        };
        let chunks = split(&u, 100, 100 + 65 * DAY, limits).unwrap();
        assert_eq!(chunks.first().unwrap().start, 100);
        assert_eq!(chunks.last().unwrap().end, 100 + 65 * DAY);
        for pair in chunks.windows(2) {
            assert_eq!(pair[1].start, pair[0].end + 1);
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let u = users(1);
        let limits = Limits {
            max_users: 1,
            max_span_secs: 1,
        };
        assert_eq!(
            split(&u, 10, 5, limits),
            Err(SplitError::EmptyRange { start: 10, end: 5 })
        );
        let zero = Limits {
            max_users: 0,
            max_span_secs: 1,
        };
        assert_eq!(split(&u, 0, 5, zero), Err(SplitError::ZeroLimits));
    }

    #[test]
    fn spans_alone_cover_the_range() {
        assert_eq!(spans(0, 10, 4).unwrap(), vec![(0, 4), (5, 9), (10, 10)]);
        assert_eq!(spans(3, 3, 4).unwrap(), vec![(3, 3)]);
        assert_eq!(spans(0, 1, 0), Err(SplitError::ZeroLimits));
    }

    #[test]
    fn no_users_means_no_calls() {
        let chunks = split(
            &[],
            0,
            DAY,
            Limits {
                max_users: 10,
                max_span_secs: DAY,
            },
        )
        .unwrap();
        assert!(chunks.is_empty());
    }
}
