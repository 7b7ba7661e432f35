//! Executions: one run of one rule version against one inbox event.
//!
//! Matching enqueues executions in the same transaction that marks the event matched; workers
//! claim them with a lease; completing one writes its result, logs, resource use and staged
//! effects in a single transaction, so a failed run never leaves half its effects behind and a
//! retry can never double-send.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::claim::Queue;
use super::{Millis, StorageError, Store};

/// Where an execution is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// Waiting for a worker (first run or a retry).
    Queued,
    /// Held by a worker under a lease.
    Running,
    /// Finished; its effects are in the outbox.
    Succeeded,
    /// Finished with an error that will not be retried.
    Failed,
    /// The rule's `when` condition declined the event.
    Skipped,
}

impl ExecutionStatus {
    /// The value stored in `executions.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Queued => "queued",
            ExecutionStatus::Running => "running",
            ExecutionStatus::Succeeded => "succeeded",
            ExecutionStatus::Failed => "failed",
            ExecutionStatus::Skipped => "skipped",
        }
    }

    fn parse(value: String) -> Result<Self, StorageError> {
        Ok(match value.as_str() {
            "queued" => ExecutionStatus::Queued,
            "running" => ExecutionStatus::Running,
            "succeeded" => ExecutionStatus::Succeeded,
            "failed" => ExecutionStatus::Failed,
            "skipped" => ExecutionStatus::Skipped,
            _ => {
                return Err(StorageError::Corrupt {
                    column: "executions.status",
                    value,
                });
            }
        })
    }
}

/// An execution a worker now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedExecution {
    /// Execution id.
    pub id: i64,
    /// The immutable rule version to run.
    pub rule_version_id: i64,
    /// The inbox event to run it on.
    pub event_id: i64,
    /// Attempts so far, including this one.
    pub attempts: i64,
    /// The execution this one replays, if any.
    pub replay_of: Option<i64>,
}

/// An effect staged by a handler, to be delivered by the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEffect {
    /// Unique across the outbox; providers and the ERP get it so a resend is harmless.
    pub idempotency_key: String,
    /// What to do, e.g. `message.send`, `robot.post`, `erp.document`.
    pub kind: String,
    /// The effect's arguments.
    pub payload: serde_json::Value,
}

/// Resources one run used, for the execution history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResourceUse {
    /// Wall-clock time of the run.
    pub duration_ms: i64,
    /// Wasm fuel consumed, when metered.
    pub fuel_used: Option<i64>,
    /// Peak linear memory, when known.
    pub memory_peak_bytes: Option<i64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The handler finished; its effects go to the outbox.
    Succeeded {
        /// Staged effects, in the order the handler produced them.
        effects: Vec<NewEffect>,
    },
    /// The handler failed transiently; run it again at `retry_at`. No effects are kept.
    Retry {
        /// What went wrong this time.
        error: String,
        /// When the next attempt becomes due.
        retry_at: Millis,
    },
    /// The handler failed for good. No effects are kept.
    Failed {
        /// What went wrong.
        error: String,
    },
    /// The rule declined the event.
    Skipped,
}

/// Everything a worker reports when it finishes a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// How the run ended.
    pub outcome: Outcome,
    /// Captured log output.
    pub logs: String,
    /// Resources used.
    pub usage: ResourceUse,
}

/// An execution row as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionRecord {
    /// Execution id.
    pub id: i64,
    /// Rule version run.
    pub rule_version_id: i64,
    /// Event it ran on.
    pub event_id: i64,
    /// Current status.
    pub status: ExecutionStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is (or was) next due.
    pub next_attempt_at: Millis,
    /// The worker holding it, while running.
    pub claimed_by: Option<String>,
    /// The execution this one replays.
    pub replay_of: Option<i64>,
    /// Captured logs of the last attempt.
    pub logs: String,
    /// JSON array of the effects the last successful attempt staged.
    pub effects: String,
    /// Error of the last failed attempt.
    pub error: Option<String>,
    /// Resource use of the last attempt.
    pub usage: ResourceUse,
    /// When the last attempt finished.
    pub finished_at: Option<Millis>,
}

const QUEUE: Queue = Queue {
    table: "executions",
    ready: "queued",
    held: "running",
    also_set: ", started_at = $3",
    returning: "id, rule_version_id, event_id, attempts, replay_of",
};

const RECORD_COLUMNS: &str = "id, rule_version_id, event_id, status, attempts, next_attempt_at, \
     claimed_by, replay_of, logs, effects, error, duration_ms, fuel_used, memory_peak_bytes, \
     finished_at";

impl Store {
    /// Queues one execution per rule version for `event_id` and marks the event matched, in one
    /// transaction. Pairs already queued for this event are left alone, so matching the same
    /// event twice is harmless. Returns the ids of the newly queued executions.
    pub async fn enqueue_executions(
        &self,
        event_id: i64,
        rule_version_ids: &[i64],
        now: Millis,
    ) -> Result<Vec<i64>, StorageError> {
        let mut tx = self.begin_write().await?;
        let queued = enqueue_in(&mut tx, event_id, rule_version_ids, now).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// [`enqueue_executions`](Self::enqueue_executions) for many events in one transaction, so
    /// a matcher draining a backlog pays for one commit per batch rather than one per event.
    /// Each entry is an event id and the rule versions it matched. Returns the ids of the newly
    /// queued executions.
    pub async fn enqueue_matches(
        &self,
        matches: &[(i64, Vec<i64>)],
        now: Millis,
    ) -> Result<Vec<i64>, StorageError> {
        let mut tx = self.begin_write().await?;
        let mut queued = Vec::new();
        for (event_id, rule_version_ids) in matches {
            queued.extend(enqueue_in(&mut tx, *event_id, rule_version_ids, now).await?);
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues a new run of execution `id`'s rule version on the same event.
    pub async fn replay_execution(&self, id: i64, now: Millis) -> Result<i64, StorageError> {
        sqlx::query_scalar(
            "INSERT INTO executions (rule_version_id, event_id, status, next_attempt_at, replay_of, created_at) \
             SELECT rule_version_id, event_id, 'queued', $1, id, $1 FROM executions WHERE id = $2 \
             RETURNING id",
        )
        .bind(now)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("execution {id}")))
    }

    /// Claims the next due execution for `worker` until `lease_until`, or `None` if nothing is due.
    pub async fn claim_execution(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
    ) -> Result<Option<ClaimedExecution>, StorageError> {
        let row = sqlx::query(&QUEUE.claim_sql(self.backend))
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(ClaimedExecution {
                id: row.try_get("id")?,
                rule_version_id: row.try_get("rule_version_id")?,
                event_id: row.try_get("event_id")?,
                attempts: row.try_get("attempts")?,
                replay_of: row.try_get("replay_of")?,
            })
        })
        .transpose()
    }

    /// Records how execution `id` ended and, on success, puts its effects in the outbox — all in
    /// one transaction. Fails with [`StorageError::LeaseLost`] if `worker` no longer holds the
    /// execution, and with [`StorageError::DuplicateIdempotencyKey`] if an effect's key is taken;
    /// either way nothing is written.
    pub async fn complete_execution(
        &self,
        id: i64,
        worker: &str,
        now: Millis,
        completion: &Completion,
    ) -> Result<(), StorageError> {
        let (status, next_attempt_at, error, effects) = match &completion.outcome {
            Outcome::Succeeded { effects } => {
                (ExecutionStatus::Succeeded, None, None, effects.as_slice())
            }
            Outcome::Retry { error, retry_at } => (
                ExecutionStatus::Queued,
                Some(*retry_at),
                Some(error.as_str()),
                &[][..],
            ),
            Outcome::Failed { error } => {
                (ExecutionStatus::Failed, None, Some(error.as_str()), &[][..])
            }
            Outcome::Skipped => (ExecutionStatus::Skipped, None, None, &[][..]),
        };
        // Strings and JSON values always serialise; the fallback is never taken.
        let effects_json = serde_json::to_string(effects).unwrap_or_else(|_| "[]".to_owned());
        let usage = completion.usage;

        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE executions SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
                 claimed_by = NULL, claimed_until = NULL, finished_at = $3, logs = $4, effects = $5, \
                 error = $6, duration_ms = $7, fuel_used = $8, memory_peak_bytes = $9 \
             WHERE id = $10 AND claimed_by = $11 AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(next_attempt_at)
        .bind(now)
        .bind(completion.logs.as_str())
        .bind(effects_json)
        .bind(error)
        .bind(usage.duration_ms)
        .bind(usage.fuel_used)
        .bind(usage.memory_peak_bytes)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StorageError::LeaseLost {
                table: "executions",
                id,
                worker: worker.to_owned(),
            });
        }
        for effect in effects {
            sqlx::query(
                "INSERT INTO outbox (execution_id, idempotency_key, kind, payload, status, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
            )
            .bind(id)
            .bind(effect.idempotency_key.as_str())
            .bind(effect.kind.as_str())
            .bind(effect.payload.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|err| {
                if StorageError::is_unique_violation(&err) {
                    StorageError::DuplicateIdempotencyKey(effect.idempotency_key.clone())
                } else {
                    err.into()
                }
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Execution `id` as the history shows it.
    pub async fn execution(&self, id: i64) -> Result<Option<ExecutionRecord>, StorageError> {
        sqlx::query(&format!(
            "SELECT {RECORD_COLUMNS} FROM executions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| record(&row))
        .transpose()
    }
}

/// Queues `rule_version_ids` for `event_id` and marks the event matched, within `tx`.
async fn enqueue_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event_id: i64,
    rule_version_ids: &[i64],
    now: Millis,
) -> Result<Vec<i64>, StorageError> {
    let mut queued = Vec::with_capacity(rule_version_ids.len());
    for &rule_version_id in rule_version_ids {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO executions (rule_version_id, event_id, status, next_attempt_at, created_at) \
             VALUES ($1, $2, 'queued', $3, $3) \
             ON CONFLICT (rule_version_id, event_id) WHERE replay_of IS NULL DO NOTHING \
             RETURNING id",
        )
        .bind(rule_version_id)
        .bind(event_id)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        queued.extend(id);
    }
    sqlx::query("UPDATE inbox_events SET matched_at = $1 WHERE id = $2")
        .bind(now)
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(queued)
}

fn record(row: &AnyRow) -> Result<ExecutionRecord, StorageError> {
    Ok(ExecutionRecord {
        id: row.try_get("id")?,
        rule_version_id: row.try_get("rule_version_id")?,
        event_id: row.try_get("event_id")?,
        status: ExecutionStatus::parse(row.try_get("status")?)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        claimed_by: row.try_get("claimed_by")?,
        replay_of: row.try_get("replay_of")?,
        logs: row.try_get("logs")?,
        effects: row.try_get("effects")?,
        error: row.try_get("error")?,
        usage: ResourceUse {
            duration_ms: row
                .try_get::<Option<i64>, _>("duration_ms")?
                .unwrap_or_default(),
            fuel_used: row.try_get("fuel_used")?,
            memory_peak_bytes: row.try_get("memory_peak_bytes")?,
        },
        finished_at: row.try_get("finished_at")?,
    })
}
