//! Scheduler ticks entering the inbox.
//!
//! Every replica runs the scheduler. A tick's dedup key (`<rule>@<scheduled ms>`) already makes a
//! double fire harmless; on PostgreSQL the replicas also take a transaction-scoped advisory lock,
//! so in the common case one replica writes the ticks and the others skip the round.

use super::inbox::NewEvent;
use super::{Backend, Millis, StorageError, Store};

/// The advisory-lock key the scheduler takes on PostgreSQL ("wlsched" in ASCII).
const SCHEDULER_LOCK: i64 = 0x0077_6c73_6368_6564;

impl Store {
    /// Inserts `ticks` into the inbox (dropping ones already there) in one transaction. Returns
    /// how many were new, or `None` when another replica holds the scheduler lock (PostgreSQL).
    pub async fn insert_scheduled_events(
        &self,
        ticks: &[NewEvent],
        received_at: Millis,
    ) -> Result<Option<usize>, StorageError> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind(SCHEDULER_LOCK)
                .fetch_one(&mut *tx)
                .await?;
            if !locked {
                return Ok(None);
            }
        }
        let mut inserted = 0;
        for tick in ticks {
            let done = sqlx::query(
                "INSERT INTO inbox_events (source, dedup_key, kind, occurred_at, payload, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, dedup_key) DO NOTHING",
            )
            .bind(tick.source.as_str())
            .bind(tick.dedup_key.as_str())
            .bind(tick.kind.as_str())
            .bind(tick.occurred_at)
            .bind(tick.payload.to_string())
            .bind(received_at)
            .execute(&mut *tx)
            .await?;
            inserted += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(Some(inserted))
    }
}
