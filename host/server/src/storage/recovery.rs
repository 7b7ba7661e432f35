//! Recovering work a killed process left behind.
//!
//! On PostgreSQL, a held row's lease simply runs out and another replica claims it. A SQLite file
//! belongs to one process, so whatever is still marked running when that process starts was held
//! by its previous incarnation and can be requeued at once instead of waiting out the lease.

use super::{Millis, StorageError, Store};

impl Store {
    /// Puts every execution left `running` back in the queue, due at `now`; returns how many.
    /// Call only when no other process can be running executions on this database (SQLite).
    pub async fn requeue_running_executions(&self, now: Millis) -> Result<u64, StorageError> {
        let done = sqlx::query(
            "UPDATE executions SET status = 'queued', claimed_by = NULL, claimed_until = NULL, \
                 next_attempt_at = $1 \
             WHERE status = 'running'",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
