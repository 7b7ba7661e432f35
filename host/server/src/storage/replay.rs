//! Replaying an execution against its rule's *current* version (a fix deployed since). Replaying
//! against the original version is [`Store::replay_execution`]; both queue a new execution that
//! points back at the one it replays and leave the original untouched.

use super::{Millis, StorageError, Store};

impl Store {
    /// Queues a run of the current version of execution `id`'s rule on the same event; returns
    /// the new execution's id.
    pub async fn replay_execution_on_current(
        &self,
        id: i64,
        now: Millis,
    ) -> Result<i64, StorageError> {
        sqlx::query_scalar(
            "INSERT INTO executions (rule_version_id, event_id, status, next_attempt_at, replay_of, created_at) \
             SELECT r.current_version_id, e.event_id, 'queued', $1, e.id, $1 \
             FROM executions e \
             JOIN rule_versions v ON v.id = e.rule_version_id \
             JOIN rules r ON r.id = v.rule_id \
             WHERE e.id = $2 AND r.current_version_id IS NOT NULL \
             RETURNING id",
        )
        .bind(now)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("execution {id} (or a current version of its rule)")))
    }
}
