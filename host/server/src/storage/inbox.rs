//! The inbox: every incoming event, written before the HTTP response and deduplicated at the
//! edge.
//!
//! WeCom retries a callback after 5 s and DingTalk expects an answer within 1.5 s, so a callback
//! only verifies, normalises and inserts here; `UNIQUE (source, dedup_key)` turns a retried
//! delivery into [`InboxInsert::Duplicate`], which is acknowledged and dropped.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::inbox_writer::PendingEvent;
use super::{Millis, StorageError, Store, batch};

/// An event about to enter the inbox. The payload is anything that serialises to a JSON object:
/// a `serde_json::Value` from the events API, or a provider callback's typed payload, which is
/// written straight to the stored text without becoming a `Value` first.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent<P = serde_json::Value> {
    /// Where it came from, e.g. `wecom:acme`, `dingtalk:acme`, `erp`, `cron`.
    pub source: String,
    /// Stable per source: the provider's event id, or a hash of its identifying fields.
    pub dedup_key: String,
    /// Normalised kind, e.g. `approval.completed`.
    pub kind: String,
    /// When the event happened, per the source.
    pub occurred_at: Millis,
    /// The normalised event body.
    pub payload: P,
}

/// What inserting an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxInsert {
    /// A new event with this id.
    Inserted(i64),
    /// The source already delivered this dedup key; the existing event's id.
    Duplicate(i64),
}

/// An event in the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Inbox id.
    pub id: i64,
    /// Where it came from.
    pub source: String,
    /// Its dedup key.
    pub dedup_key: String,
    /// Normalised kind.
    pub kind: String,
    /// When it happened.
    pub occurred_at: Millis,
    /// The normalised body.
    pub payload: serde_json::Value,
    /// When the host received it.
    pub received_at: Millis,
    /// When rules were matched against it; `None` until then.
    pub matched_at: Option<Millis>,
}

const COLUMNS: &str = "id, source, dedup_key, kind, occurred_at, payload, received_at, matched_at";

impl Store {
    /// Inserts `event` unless its source already delivered the same dedup key. Events inserted
    /// at the same time share one transaction (see [`super::inbox_writer`]); the answer comes
    /// once it committed.
    pub async fn insert_event<P: Serialize>(
        &self,
        event: &NewEvent<P>,
        received_at: Millis,
    ) -> Result<InboxInsert, StorageError> {
        let payload = serde_json::to_string(&event.payload).map_err(|e| StorageError::Encode {
            column: "inbox_events.payload",
            reason: e.to_string(),
        })?;
        self.inbox
            .insert(PendingEvent {
                source: event.source.clone(),
                dedup_key: event.dedup_key.clone(),
                kind: event.kind.clone(),
                occurred_at: event.occurred_at,
                payload,
                received_at,
            })
            .await
    }

    /// Inbox event `id`.
    pub async fn event(&self, id: i64) -> Result<Option<StoredEvent>, StorageError> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM inbox_events WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| stored_event(&row))
            .transpose()
    }

    /// The inbox events among `ids` (missing ones are left out), by id: one statement per
    /// [`batch::MAX_ROWS`] ids.
    pub async fn events(&self, ids: &[i64]) -> Result<Vec<StoredEvent>, StorageError> {
        let mut events = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(batch::MAX_ROWS) {
            let sql = format!(
                "SELECT {COLUMNS} FROM inbox_events WHERE id IN {} ORDER BY id",
                batch::in_list(chunk.len(), 1)
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                events.push(stored_event(&row)?);
            }
        }
        Ok(events)
    }

    /// Up to `limit` events not yet matched against rules, oldest first.
    pub async fn unmatched_events(&self, limit: i64) -> Result<Vec<StoredEvent>, StorageError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM inbox_events WHERE matched_at IS NULL ORDER BY id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(stored_event)
        .collect()
    }
}

fn stored_event(row: &AnyRow) -> Result<StoredEvent, StorageError> {
    let payload: String = row.try_get("payload")?;
    Ok(StoredEvent {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        dedup_key: row.try_get("dedup_key")?,
        kind: row.try_get("kind")?,
        occurred_at: row.try_get("occurred_at")?,
        payload: serde_json::from_str(&payload).map_err(|_| StorageError::Corrupt {
            column: "inbox_events.payload",
            value: payload,
        })?,
        received_at: row.try_get("received_at")?,
        matched_at: row.try_get("matched_at")?,
    })
}
