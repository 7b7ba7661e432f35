//! Jittered exponential backoff for transient failures (busy, rate limited, 5xx, timeouts).
//!
//! WeCom asks for at most a few retries on `-1`; the defaults follow that. Jitter keeps several
//! replicas that failed together from retrying together.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use super::error::{ApiError, ErrorClass};

/// How often and how patiently to retry transient failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = never retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// Upper bound for any single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The un-jittered delay after failed attempt number `retry` (0-based), capped.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The delay to sleep after failed attempt `retry`: uniformly drawn from the upper half of the
    /// ceiling ("equal jitter"), so the delay still grows but replicas spread out.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_nanos() as u64;
        let jitter = if spread == 0 {
            0
        } else {
            rand::rng().random_range(0..=spread)
        };
        half + Duration::from_nanos(jitter)
    }
}

/// Runs `op` until it succeeds, fails with a non-transient error, or the attempts run out.
pub async fn with_backoff<T, F, Fut>(policy: &RetryPolicy, mut op: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut retry = 0;
    loop {
        match op().await {
            Err(err) if err.class() == ErrorClass::Transient && retry + 1 < policy.max_attempts => {
                let delay = policy.delay(retry);
                tracing::warn!(
                    provider = %err.provider,
                    endpoint = %err.endpoint,
                    error = %err,
                    retry = retry + 1,
                    delay_ms = delay.as_millis() as u64,
                    "transient provider error, retrying"
                );
                tokio::time::sleep(delay).await;
                retry += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Failure, Provider};
    use std::sync::atomic::{AtomicU32, Ordering};

    fn policy(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        }
    }

    fn error(class: ErrorClass) -> ApiError {
        ApiError::new(Provider::WeCom, "/x", Failure::Timeout, class)
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy(5);
        let ceilings: Vec<_> = (0..5).map(|r| p.ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, vec![1, 2, 4, 4, 4]);
        assert_eq!(p.ceiling(200), Duration::from_millis(4));
    }

    #[test]
    fn delay_stays_within_upper_half_of_ceiling() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            ..policy(5)
        };
        let p = RetryPolicy {
            max_delay: Duration::from_secs(1),
            ..p
        };
        for retry in 0..6 {
            for _ in 0..50 {
                let d = p.delay(retry);
                assert!(d >= p.ceiling(retry) / 2 && d <= p.ceiling(retry), "{d:?}");
            }
        }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let result = with_backoff(&policy(4), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(error(ErrorClass::Transient)),
                _ => Ok("done"),
            }
        })
        .await;
        assert_eq!(result.unwrap(), "done");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn attempts_are_capped() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_backoff(&policy(3), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(error(ErrorClass::Transient))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn permanent_and_token_errors_are_not_retried_here() {
        for class in [ErrorClass::Permanent, ErrorClass::TokenInvalid] {
            let calls = AtomicU32::new(0);
            let result: Result<(), _> = with_backoff(&policy(5), || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(error(class))
            })
            .await;
            assert_eq!(result.unwrap_err().class(), class);
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }
}
