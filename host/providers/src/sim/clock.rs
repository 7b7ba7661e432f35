//! The simulators' notion of "now".
//!
//! Token expiry (7200 s), robot timestamp windows, send throttles and OAuth code lifetimes all
//! depend on time. Tests must exercise them without sleeping, so every simulator reads time from a
//! [`SimClock`]: the system clock plus an offset that [`SimClock::advance`] moves forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time shifted by an adjustable offset; cheap to clone, clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct SimClock {
    /// Milliseconds added to the system clock.
    offset_ms: Arc<AtomicI64>,
}

impl SimClock {
    /// Moves simulated time forward (tokens expire, throttle windows roll over).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Now, in Unix milliseconds (DingTalk's unit).
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        real.saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Now, in Unix seconds (WeCom's unit).
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_every_clone() {
        let clock = SimClock::default();
        let other = clock.clone();
        let before = other.now_secs();
        clock.advance(Duration::from_secs(7200));
        assert!(other.now_secs() >= before + 7200);
    }
}
