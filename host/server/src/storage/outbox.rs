//! The outbox: effects committed with their execution, waiting to be delivered.
//!
//! The relay claims a batch of due effects under a lease, calls the provider or ERP with each
//! effect's idempotency key, and marks them delivered (the batch in one statement) or failed.
//! A failure either schedules a retry or, when the caller gives up, parks the effect as a dead
//! letter (status `dead`) with the provider's errcode, where an admin can inspect and requeue it.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::claim::Queue;
use super::{Millis, StorageError, Store, batch};

/// Delivery state of an effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectStatus {
    /// Waiting for (re)delivery.
    Pending,
    /// Held by a relay worker under a lease.
    Sending,
    /// Delivered; `result` holds what the receiver returned.
    Delivered,
    /// Given up on: the dead letter.
    Dead,
}

impl EffectStatus {
    fn parse(value: String) -> Result<Self, StorageError> {
        Ok(match value.as_str() {
            "pending" => EffectStatus::Pending,
            "sending" => EffectStatus::Sending,
            "delivered" => EffectStatus::Delivered,
            "dead" => EffectStatus::Dead,
            _ => {
                return Err(StorageError::Corrupt {
                    column: "outbox.status",
                    value,
                });
            }
        })
    }
}

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectRecord {
    /// Effect id.
    pub id: i64,
    /// The execution that staged it.
    pub execution_id: i64,
    /// Sent along with the delivery so the receiver can drop repeats.
    pub idempotency_key: String,
    /// What to do, e.g. `message.send`.
    pub kind: String,
    /// The effect's arguments as JSON text.
    pub payload: String,
    /// Delivery state.
    pub status: EffectStatus,
    /// Delivery attempts so far (including one in progress).
    pub attempts: i64,
    /// When the next attempt becomes due.
    pub next_attempt_at: Millis,
    /// The provider's error code from the last failed attempt.
    pub last_errcode: Option<String>,
    /// The last failure, readable.
    pub last_error: Option<String>,
    /// What the receiver returned on delivery (message id, approval number, document id).
    pub result: Option<String>,
}

const COLUMNS: &str = "id, execution_id, idempotency_key, kind, payload, status, attempts, \
     next_attempt_at, last_errcode, last_error, result";

const QUEUE: Queue = Queue {
    table: "outbox",
    ready: "pending",
    held: "sending",
    also_set: "",
    returning: COLUMNS,
};

/// Why an attempt failed and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    /// The provider's errcode, when it gave one.
    pub errcode: Option<String>,
    /// What went wrong, readable.
    pub error: String,
    /// When to try again; `None` gives up and dead-letters the effect.
    pub retry_at: Option<Millis>,
}

impl Store {
    /// Claims the next due effect for `worker` until `lease_until`, or `None` if nothing is due.
    pub async fn claim_effect(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
    ) -> Result<Option<EffectRecord>, StorageError> {
        Ok(self.claim_effects(worker, now, lease_until, 1).await?.pop())
    }

    /// Claims up to `limit` due effects for `worker` until `lease_until`, in one statement,
    /// ordered by id.
    pub async fn claim_effects(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
        limit: i64,
    ) -> Result<Vec<EffectRecord>, StorageError> {
        let _turn = self.write_turn().await;
        let mut claimed = sqlx::query(&QUEUE.claim_sql(self.backend))
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(effect)
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|effect| effect.id);
        Ok(claimed)
    }

    /// Marks effect `id` delivered with the receiver's `result`.
    pub async fn mark_effect_delivered(
        &self,
        id: i64,
        worker: &str,
        now: Millis,
        result: &str,
    ) -> Result<(), StorageError> {
        let lost = self
            .mark_effects_delivered(worker, now, &[(id, result)])
            .await?;
        held(lost.is_empty(), id, worker)
    }

    /// Marks each `(id, result)` delivered with the receiver's answer, in one statement per
    /// [`batch::MAX_ROWS`]. Returns the ids `worker` no longer held (their lease ran out and
    /// another worker took them over), which were left alone.
    pub async fn mark_effects_delivered(
        &self,
        worker: &str,
        now: Millis,
        delivered: &[(i64, &str)],
    ) -> Result<Vec<i64>, StorageError> {
        let mut lost = Vec::new();
        for chunk in delivered.chunks(batch::MAX_ROWS) {
            // `VALUES` columns are `column1`, `column2` on both backends.
            let sql = format!(
                "UPDATE outbox SET status = 'delivered', result = done.column2, delivered_at = $1, \
                     claimed_by = NULL, claimed_until = NULL \
                 FROM (VALUES {}) AS done \
                 WHERE outbox.id = done.column1 AND outbox.claimed_by = $2 \
                     AND outbox.status = 'sending' \
                 RETURNING id",
                batch::values_rows(chunk.len(), 2, 3, "")
            );
            let mut query = sqlx::query_scalar(&sql).bind(now).bind(worker);
            for (id, result) in chunk {
                query = query.bind(*id).bind(*result);
            }
            let updated: Vec<i64> = {
                let _turn = self.write_turn().await;
                query.fetch_all(&self.pool).await?
            };
            lost.extend(
                chunk
                    .iter()
                    .map(|(id, _)| *id)
                    .filter(|id| !updated.contains(id)),
            );
        }
        Ok(lost)
    }

    /// Records a failed attempt on effect `id`: back to pending at `retry_at`, or dead.
    pub async fn mark_effect_failed(
        &self,
        id: i64,
        worker: &str,
        failure: &DeliveryFailure,
    ) -> Result<(), StorageError> {
        let status = if failure.retry_at.is_some() {
            "pending"
        } else {
            "dead"
        };
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
                 last_errcode = $3, last_error = $4, claimed_by = NULL, claimed_until = NULL \
             WHERE id = $5 AND claimed_by = $6 AND status = 'sending'",
        )
        .bind(status)
        .bind(failure.retry_at)
        .bind(failure.errcode.as_deref())
        .bind(failure.error.as_str())
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        held(done.rows_affected() > 0, id, worker)
    }

    /// Puts dead letter `id` back in the queue, due at `now`. Returns whether it was dead.
    pub async fn requeue_dead_effect(&self, id: i64, now: Millis) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1 WHERE id = $2 AND status = 'dead'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The effects execution `execution_id` staged, in staging order.
    pub async fn effects_of_execution(
        &self,
        execution_id: i64,
    ) -> Result<Vec<EffectRecord>, StorageError> {
        self.effects_where("execution_id = $1 ORDER BY id", execution_id)
            .await
    }

    /// Up to `limit` dead letters, oldest first.
    pub async fn dead_letters(&self, limit: i64) -> Result<Vec<EffectRecord>, StorageError> {
        self.effects_where("status = 'dead' ORDER BY id LIMIT $1", limit)
            .await
    }

    async fn effects_where(
        &self,
        filter: &str,
        arg: i64,
    ) -> Result<Vec<EffectRecord>, StorageError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM outbox WHERE {filter}"))
            .bind(arg)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(effect)
            .collect()
    }
}

/// `Ok` when `worker` still held effect `id`, the lease-lost error otherwise.
fn held(still_held: bool, id: i64, worker: &str) -> Result<(), StorageError> {
    if !still_held {
        return Err(StorageError::LeaseLost {
            table: "outbox",
            id,
            worker: worker.to_owned(),
        });
    }
    Ok(())
}

fn effect(row: &AnyRow) -> Result<EffectRecord, StorageError> {
    Ok(EffectRecord {
        id: row.try_get("id")?,
        execution_id: row.try_get("execution_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        status: EffectStatus::parse(row.try_get("status")?)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_errcode: row.try_get("last_errcode")?,
        last_error: row.try_get("last_error")?,
        result: row.try_get("result")?,
    })
}
