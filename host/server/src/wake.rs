//! Wake-ups between the stages of the pipeline.
//!
//! Every stage (matching, execution, delivery) polls its table on an interval, because in a
//! scale-out deployment the row that is now due may have been written by another replica. Within
//! one process, the stage that writes a row also rings the next stage's bell so work starts at
//! once instead of on the next poll: latency comes from the bell, correctness from the poll.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// How often an idle stage looks for work written by other replicas (or due retries).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// One bell per pipeline stage. Cheap to clone: the bells are shared.
#[derive(Debug, Clone, Default)]
pub struct Wakeups {
    /// Rung when an event lands in the inbox (ingest, ERP API, scheduler).
    pub inbox: Arc<Notify>,
    /// Rung when executions are queued (matching, replay).
    pub executions: Arc<Notify>,
    /// Rung when effects enter the outbox (a completed execution, a requeued dead letter).
    pub outbox: Arc<Notify>,
}

impl Wakeups {
    /// Fresh bells.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Waits until `bell` rings or `poll` elapses, whichever is first.
pub async fn idle(bell: &Notify, poll: Duration) {
    let _ = tokio::time::timeout(poll, bell.notified()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_rung_bell_ends_the_wait_before_the_poll_interval() {
        let wake = Wakeups::new();
        // `notify_one` stores a permit, so a ring before the wait is not lost.
        wake.executions.notify_one();
        let started = tokio::time::Instant::now();
        idle(&wake.executions, Duration::from_secs(60)).await;
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_ring_the_wait_ends_at_the_poll_interval() {
        let wake = Wakeups::new();
        let started = tokio::time::Instant::now();
        idle(&wake.outbox, Duration::from_secs(3)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }
}
