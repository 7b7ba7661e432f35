//! Effects a killed process left `sending`.
//!
//! On PostgreSQL their leases run out and any replica claims them again. A SQLite file belongs
//! to one process, so whatever is `sending` when the relay starts was held by this process's
//! previous incarnation: it goes back to `pending` at once instead of waiting out the lease. It
//! is then delivered again with the same idempotency key, which is what makes the resend safe.

use crate::storage::{Millis, StorageError, Store};

/// Puts every `sending` effect back in the queue, due at `now`; returns how many. Call only when
/// no other process delivers from this database (SQLite).
pub(super) async fn requeue_sending(store: &Store, now: Millis) -> Result<u64, StorageError> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL, \
             next_attempt_at = $1 \
         WHERE status = 'sending'",
    )
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}
