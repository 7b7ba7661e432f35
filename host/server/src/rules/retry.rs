//! `[retry]`: how often a failing handler is run again before its execution is dead-lettered.
//!
//! A transient failure (a provider outage behind a live read, a timeout) often clears within
//! seconds to minutes, so retries back off exponentially from `backoff_ms`, doubling each time up
//! to `max_backoff_ms`.

use serde::Deserialize;

/// A rule's retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Runs in all, the first included (default 3); after the last failure the execution is
    /// marked failed, the execution dead letter.
    pub attempts: u32,
    /// Delay before the first retry, in milliseconds (default 1 000).
    pub backoff_ms: u64,
    /// Longest delay between two runs, in milliseconds (default 600 000, ten minutes).
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            backoff_ms: 1_000,
            max_backoff_ms: 600_000,
        }
    }
}

impl RetryPolicy {
    /// Whether a run that failed on attempt `attempt` (1-based) may be run again.
    pub fn allows_retry_after(&self, attempt: i64) -> bool {
        attempt < i64::from(self.attempts)
    }

    /// How long to wait after failed attempt `attempt` (1-based): `backoff_ms × 2^(attempt-1)`,
    /// capped at `max_backoff_ms`.
    pub fn delay_after(&self, attempt: i64) -> u64 {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(63);
        self.backoff_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_backoff_ms)
    }

    /// Why the policy is unusable, naming the key.
    pub(crate) fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.attempts == 0 {
            Some((
                "retry.attempts",
                "must be at least 1 (the first run counts)",
            ))
        } else if self.max_backoff_ms < self.backoff_ms {
            Some((
                "retry.max_backoff_ms",
                "must not be less than retry.backoff_ms",
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_exponentially_up_to_the_cap() {
        let policy = RetryPolicy {
            attempts: 10,
            backoff_ms: 1_000,
            max_backoff_ms: 5_000,
        };
        let delays: Vec<u64> = (1..=5).map(|n| policy.delay_after(n)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(policy.delay_after(1_000), 5_000);
    }

    #[test]
    fn attempts_count_the_first_run() {
        let policy = RetryPolicy::default();
        assert!(policy.allows_retry_after(1));
        assert!(policy.allows_retry_after(2));
        assert!(!policy.allows_retry_after(3));
    }

    #[test]
    fn unusable_policies_name_their_key() {
        let zero = RetryPolicy {
            attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(zero.problem().map(|p| p.0), Some("retry.attempts"));
        let inverted = RetryPolicy {
            backoff_ms: 10,
            max_backoff_ms: 1,
            ..RetryPolicy::default()
        };
        assert_eq!(
            inverted.problem().map(|p| p.0),
            Some("retry.max_backoff_ms")
        );
        assert_eq!(RetryPolicy::default().problem(), None);
    }
}
