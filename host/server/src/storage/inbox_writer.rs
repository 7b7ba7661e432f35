//! Group commit for the inbox: events arriving together are written together.
//!
//! Every callback and every ERP event is one inbox insert before its answer, and the pipeline's
//! workers write beside them. A commit per event makes concurrent ingest queue for the write lock
//! one event at a time; instead, inserts go to one writer task that takes whatever is waiting
//! (up to [`MAX_BATCH`]), writes it in one transaction — one multi-row `INSERT ... ON CONFLICT
//! DO NOTHING`, plus a lookup for the duplicates — and answers each caller. A lone event is
//! written at once, alone; under load each commit carries many. Nothing is answered before its
//! transaction committed, so "stored" still means durable.

use std::collections::HashMap;

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};

use super::inbox::InboxInsert;
use super::write_gate::WriteGate;
use super::{Millis, StorageError, batch};

/// Most events one transaction takes.
const MAX_BATCH: usize = 256;

/// Inserts waiting for the writer; when the writer is busy, callers wait here (backpressure).
const QUEUE: usize = 4 * MAX_BATCH;

/// One event to insert, its payload already JSON text.
#[derive(Debug)]
pub(super) struct PendingEvent {
    /// Where it came from.
    pub source: String,
    /// Its dedup key within the source.
    pub dedup_key: String,
    /// Normalised kind.
    pub kind: String,
    /// When it happened.
    pub occurred_at: Millis,
    /// The payload as JSON text.
    pub payload: String,
    /// When the host received it.
    pub received_at: Millis,
}

/// An insert and where its answer goes.
type Request = (
    PendingEvent,
    oneshot::Sender<Result<InboxInsert, StorageError>>,
);

/// The handle callers insert through. Cloning shares the writer.
#[derive(Debug, Clone)]
pub(super) struct InboxWriter {
    requests: mpsc::Sender<Request>,
}

impl InboxWriter {
    /// Starts the writer task over `pool`. It ends when the last handle is dropped.
    pub(super) fn start(pool: sqlx::AnyPool, gate: WriteGate) -> Self {
        let (requests, mut queue) = mpsc::channel::<Request>(QUEUE);
        tokio::spawn(async move {
            let mut waiting = Vec::with_capacity(MAX_BATCH);
            while queue.recv_many(&mut waiting, MAX_BATCH).await > 0 {
                let (rows, answers): (Vec<PendingEvent>, Vec<_>) = waiting.drain(..).unzip();
                match write(&pool, &gate, &rows).await {
                    Ok(results) => {
                        for (answer, result) in answers.into_iter().zip(results) {
                            // A caller that gave up waiting no longer needs its answer.
                            let _ = answer.send(Ok(result));
                        }
                    }
                    Err(error) => {
                        let reason = error.to_string();
                        for answer in answers {
                            let _ = answer.send(Err(StorageError::InboxWrite(reason.clone())));
                        }
                    }
                }
            }
        });
        InboxWriter { requests }
    }

    /// Inserts `row` with whatever else is waiting; see [`super::Store::insert_event`].
    pub(super) async fn insert(&self, row: PendingEvent) -> Result<InboxInsert, StorageError> {
        let (answer, result) = oneshot::channel();
        let stopped = || StorageError::InboxWrite("the inbox writer has stopped".to_owned());
        self.requests
            .send((row, answer))
            .await
            .map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// Writes `rows` in one transaction; the answers in `rows`' order. The first of several rows
/// with the same key is the one inserted; the others, like rows already in the inbox, are
/// duplicates of it.
async fn write(
    pool: &sqlx::AnyPool,
    gate: &WriteGate,
    rows: &[PendingEvent],
) -> Result<Vec<InboxInsert>, StorageError> {
    let mut tx = gate.begin(pool).await?;
    let mut inserted: HashMap<(&str, &str), i64> = HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(batch::MAX_ROWS) {
        let sql = format!(
            "INSERT INTO inbox_events (source, dedup_key, kind, occurred_at, payload, received_at) \
             VALUES {} ON CONFLICT (source, dedup_key) DO NOTHING RETURNING id, source, dedup_key",
            batch::values_rows(chunk.len(), 6, 1, "")
        );
        // Returned rows are among `chunk`: their keys are borrowed from there, found by hash.
        let by_key: HashMap<(&str, &str), &PendingEvent> = chunk
            .iter()
            .map(|row| ((row.source.as_str(), row.dedup_key.as_str()), row))
            .collect();
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.source.as_str())
                .bind(row.dedup_key.as_str())
                .bind(row.kind.as_str())
                .bind(row.occurred_at)
                .bind(row.payload.as_str())
                .bind(row.received_at);
        }
        for written in query.fetch_all(&mut *tx).await? {
            let (id, source, key): (i64, String, String) = (
                written.try_get("id")?,
                written.try_get("source")?,
                written.try_get("dedup_key")?,
            );
            if let Some(row) = by_key.get(&(source.as_str(), key.as_str())) {
                inserted.insert((row.source.as_str(), row.dedup_key.as_str()), id);
            }
        }
    }
    let mut answers = Vec::with_capacity(rows.len());
    let mut taken: HashMap<(&str, &str), i64> = HashMap::new();
    for row in rows {
        let key = (row.source.as_str(), row.dedup_key.as_str());
        let answer = if let Some(id) = taken.get(&key) {
            InboxInsert::Duplicate(*id)
        } else if let Some(id) = inserted.get(&key) {
            taken.insert(key, *id);
            InboxInsert::Inserted(*id)
        } else {
            let existing: i64 = sqlx::query_scalar(
                "SELECT id FROM inbox_events WHERE source = $1 AND dedup_key = $2",
            )
            .bind(row.source.as_str())
            .bind(row.dedup_key.as_str())
            .fetch_one(&mut *tx)
            .await?;
            taken.insert(key, existing);
            InboxInsert::Duplicate(existing)
        };
        answers.push(answer);
    }
    tx.commit().await?;
    Ok(answers)
}
