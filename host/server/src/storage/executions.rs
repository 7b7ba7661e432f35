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
use super::write_gate::WriteTx;
use super::{Millis, StorageError, Store, batch};

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
        let queued = enqueue_in(&mut tx, &[(event_id, rule_version_ids)], now).await?;
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
        let matches: Vec<(i64, &[i64])> = matches
            .iter()
            .map(|(event_id, versions)| (*event_id, versions.as_slice()))
            .collect();
        let mut tx = self.begin_write().await?;
        let queued = enqueue_in(&mut tx, &matches, now).await?;
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
        Ok(self
            .claim_executions(worker, now, lease_until, 1)
            .await?
            .pop())
    }

    /// Claims up to `limit` due executions for `worker` until `lease_until`, in one statement,
    /// ordered by id.
    pub async fn claim_executions(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
        limit: i64,
    ) -> Result<Vec<ClaimedExecution>, StorageError> {
        let _turn = self.write_turn().await;
        let rows = sqlx::query(&QUEUE.claim_sql(self.backend))
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut claimed = rows
            .iter()
            .map(|row| {
                Ok(ClaimedExecution {
                    id: row.try_get("id")?,
                    rule_version_id: row.try_get("rule_version_id")?,
                    event_id: row.try_get("event_id")?,
                    attempts: row.try_get("attempts")?,
                    replay_of: row.try_get("replay_of")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        claimed.sort_by_key(|execution| execution.id);
        Ok(claimed)
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
        self.complete_executions(worker, now, &[(id, completion)])
            .await
    }

    /// [`complete_execution`](Self::complete_execution) for a batch, in one transaction of a
    /// few statements: every execution's result in one `UPDATE`, every effect in one `INSERT`.
    /// All or nothing: if `worker` lost the lease of any of them, or an effect's key is taken,
    /// nothing is written and the error says so (for a lost lease, about the first execution
    /// the batch could not update); completing them one by one then tells which.
    pub async fn complete_executions(
        &self,
        worker: &str,
        now: Millis,
        done: &[(i64, &Completion)],
    ) -> Result<(), StorageError> {
        let rows: Vec<CompletionRow<'_>> = done
            .iter()
            .map(|(id, completion)| CompletionRow::new(*id, completion))
            .collect();
        let mut tx = self.begin_write().await?;
        for chunk in rows.chunks(batch::MAX_ROWS) {
            let updated = update_completed(&mut tx, worker, now, chunk).await?;
            if let Some(lost) = chunk.iter().find(|row| !updated.contains(&row.id)) {
                return Err(StorageError::LeaseLost {
                    table: "executions",
                    id: lost.id,
                    worker: worker.to_owned(),
                });
            }
        }
        let effects: Vec<(i64, &NewEffect)> = rows
            .iter()
            .flat_map(|row| row.effects.iter().map(move |effect| (row.id, effect)))
            .collect();
        if let Some(key) = repeated_key(&effects) {
            return Err(StorageError::DuplicateIdempotencyKey(key.to_owned()));
        }
        for chunk in effects.chunks(batch::MAX_ROWS) {
            if !insert_effects(&mut tx, now, chunk).await? {
                drop(tx);
                return Err(StorageError::DuplicateIdempotencyKey(
                    self.taken_key(chunk).await?,
                ));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Which of `effects`' keys the outbox already holds, after an insert collided (the
    /// statement does not say which row did); all of them when the colliding row has vanished
    /// since.
    async fn taken_key(&self, effects: &[(i64, &NewEffect)]) -> Result<String, StorageError> {
        let keys: Vec<&str> = effects
            .iter()
            .map(|(_, effect)| effect.idempotency_key.as_str())
            .collect();
        let sql = format!(
            "SELECT idempotency_key FROM outbox WHERE idempotency_key IN {} \
             ORDER BY idempotency_key",
            batch::in_list(keys.len(), 1)
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for key in &keys {
            query = query.bind(*key);
        }
        let taken = query.fetch_all(&self.pool).await?;
        Ok(if taken.is_empty() {
            keys.join(", ")
        } else {
            taken.join(", ")
        })
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

/// Queues every (event, rule version) pair of `matches` and marks those events matched, within
/// `tx`: one multi-row `INSERT` and one `UPDATE` per chunk, however many events.
async fn enqueue_in(
    tx: &mut WriteTx,
    matches: &[(i64, &[i64])],
    now: Millis,
) -> Result<Vec<i64>, StorageError> {
    let pairs: Vec<(i64, i64)> = matches
        .iter()
        .flat_map(|(event_id, versions)| versions.iter().map(move |version| (*event_id, *version)))
        .collect();
    let mut queued = Vec::with_capacity(pairs.len());
    for chunk in pairs.chunks(batch::MAX_ROWS) {
        let sql = format!(
            "INSERT INTO executions (rule_version_id, event_id, status, next_attempt_at, created_at) \
             VALUES {} \
             ON CONFLICT (rule_version_id, event_id) WHERE replay_of IS NULL DO NOTHING \
             RETURNING id",
            batch::values_rows(chunk.len(), 2, 2, ", 'queued', $1, $1")
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(now);
        for (event_id, rule_version_id) in chunk {
            query = query.bind(*rule_version_id).bind(*event_id);
        }
        queued.extend(query.fetch_all(&mut **tx).await?);
    }
    let events: Vec<i64> = matches.iter().map(|(event_id, _)| *event_id).collect();
    for chunk in events.chunks(batch::MAX_ROWS) {
        let sql = format!(
            "UPDATE inbox_events SET matched_at = $1 WHERE id IN {}",
            batch::in_list(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql).bind(now);
        for event_id in chunk {
            query = query.bind(*event_id);
        }
        query.execute(&mut **tx).await?;
    }
    queued.sort_unstable();
    Ok(queued)
}

/// One execution's completion as the batch `UPDATE` binds it.
struct CompletionRow<'a> {
    id: i64,
    status: ExecutionStatus,
    next_attempt_at: Option<Millis>,
    error: Option<&'a str>,
    effects: &'a [NewEffect],
    effects_json: String,
    logs: &'a str,
    usage: ResourceUse,
}

impl<'a> CompletionRow<'a> {
    fn new(id: i64, completion: &'a Completion) -> Self {
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
        CompletionRow {
            id,
            status,
            next_attempt_at,
            error,
            effects,
            // Strings and JSON values always serialise; the fallback is never taken.
            effects_json: serde_json::to_string(effects).unwrap_or_else(|_| "[]".to_owned()),
            logs: completion.logs.as_str(),
            usage: completion.usage,
        }
    }
}

/// Writes the results of `rows` that `worker` still holds; returns the ids it updated.
async fn update_completed(
    tx: &mut WriteTx,
    worker: &str,
    now: Millis,
    rows: &[CompletionRow<'_>],
) -> Result<Vec<i64>, StorageError> {
    // `VALUES` columns are `column1`, `column2`, ... on both backends.
    let sql = format!(
        "UPDATE executions SET status = done.column2, \
             next_attempt_at = COALESCE(done.column3, executions.next_attempt_at), \
             claimed_by = NULL, claimed_until = NULL, finished_at = $1, logs = done.column4, \
             effects = done.column5, error = done.column6, duration_ms = done.column7, \
             fuel_used = done.column8, memory_peak_bytes = done.column9 \
         FROM (VALUES {}) AS done \
         WHERE executions.id = done.column1 AND executions.claimed_by = $2 \
             AND executions.status = 'running' \
         RETURNING id",
        batch::values_rows(rows.len(), 9, 3, "")
    );
    let mut query = sqlx::query_scalar(&sql).bind(now).bind(worker);
    for row in rows {
        query = query
            .bind(row.id)
            .bind(row.status.as_str())
            .bind(row.next_attempt_at)
            .bind(row.logs)
            .bind(row.effects_json.as_str())
            .bind(row.error)
            .bind(row.usage.duration_ms)
            .bind(row.usage.fuel_used)
            .bind(row.usage.memory_peak_bytes);
    }
    Ok(query.fetch_all(&mut **tx).await?)
}

/// Puts `effects` (each with the execution that staged it) in the outbox, pending from `now`;
/// `false`, with nothing written, when an idempotency key is already there.
async fn insert_effects(
    tx: &mut WriteTx,
    now: Millis,
    effects: &[(i64, &NewEffect)],
) -> Result<bool, StorageError> {
    let sql = format!(
        "INSERT INTO outbox (execution_id, idempotency_key, kind, payload, status, next_attempt_at, created_at) \
         VALUES {}",
        batch::values_rows(effects.len(), 4, 2, ", 'pending', $1, $1")
    );
    let mut query = sqlx::query(&sql).bind(now);
    for (execution_id, effect) in effects {
        query = query
            .bind(*execution_id)
            .bind(effect.idempotency_key.as_str())
            .bind(effect.kind.as_str())
            .bind(effect.payload.to_string());
    }
    match query.execute(&mut **tx).await {
        Ok(_) => Ok(true),
        Err(err) if StorageError::is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// The first idempotency key staged twice within `effects`.
fn repeated_key<'a>(effects: &[(i64, &'a NewEffect)]) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::with_capacity(effects.len());
    effects
        .iter()
        .map(|(_, effect)| effect.idempotency_key.as_str())
        .find(|key| !seen.insert(*key))
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
