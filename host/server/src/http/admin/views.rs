//! JSON views of storage records for the admin API. The storage types stay free of wire
//! concerns; these fix the field names clients see and turn stored JSON text back into JSON.

use serde::Serialize;

use crate::storage::Millis;
use crate::storage::executions::ExecutionRecord;
use crate::storage::inbox::StoredEvent;
use crate::storage::outbox::{EffectRecord, EffectStatus};

/// Stored JSON text as JSON; text that does not parse (never written by the host) stays a string.
fn json_text(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

/// An outbox effect.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EffectView {
    /// Effect id.
    pub id: i64,
    /// The execution that staged it.
    pub execution_id: i64,
    /// Sent with every delivery attempt.
    pub idempotency_key: String,
    /// `message`, `robot_post`, `erp_post`, `approval_submit`, `kv_set`.
    pub kind: String,
    /// The effect's arguments.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// `pending`, `sending`, `delivered` or `dead`.
    pub status: &'static str,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// When the next attempt is due.
    pub next_attempt_at: Millis,
    /// The provider's errcode of the last failure.
    pub last_errcode: Option<String>,
    /// The last failure, with the provider's hint.
    pub last_error: Option<String>,
    /// What the receiver returned on delivery.
    pub result: Option<String>,
}

impl From<EffectRecord> for EffectView {
    fn from(e: EffectRecord) -> Self {
        EffectView {
            id: e.id,
            execution_id: e.execution_id,
            payload: json_text(&e.payload),
            idempotency_key: e.idempotency_key,
            kind: e.kind,
            status: match e.status {
                EffectStatus::Pending => "pending",
                EffectStatus::Sending => "sending",
                EffectStatus::Delivered => "delivered",
                EffectStatus::Dead => "dead",
            },
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
            last_errcode: e.last_errcode,
            last_error: e.last_error,
            result: e.result,
        }
    }
}

/// An inbox event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Inbox id.
    pub id: i64,
    /// Connection name, `erp` or `schedule`.
    pub source: String,
    /// The key that made retries of it duplicates.
    pub dedup_key: String,
    /// Normalised kind.
    pub kind: String,
    /// When it happened, Unix milliseconds.
    pub occurred_at: Millis,
    /// The normalised body.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When the host stored it.
    pub received_at: Millis,
}

impl From<StoredEvent> for EventView {
    fn from(e: StoredEvent) -> Self {
        EventView {
            id: e.id,
            source: e.source,
            dedup_key: e.dedup_key,
            kind: e.kind,
            occurred_at: e.occurred_at,
            payload: e.payload,
            received_at: e.received_at,
        }
    }
}

/// One execution with everything needed to understand it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExecutionView {
    /// Execution id.
    pub id: i64,
    /// Rule version it ran.
    pub rule_version_id: i64,
    /// `queued`, `running`, `succeeded`, `failed` or `skipped`.
    pub status: &'static str,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is (or was) next due.
    pub next_attempt_at: Millis,
    /// The execution this one replays.
    pub replay_of: Option<i64>,
    /// Captured logs of the last attempt.
    pub logs: String,
    /// The effects the last successful attempt staged.
    #[schema(value_type = Vec<Object>)]
    pub staged_effects: serde_json::Value,
    /// Error of the last failed attempt.
    pub error: Option<String>,
    /// Wall-clock time of the last attempt.
    pub duration_ms: i64,
    /// Wasm fuel used, when metered.
    pub fuel_used: Option<i64>,
    /// Peak linear memory, when known.
    pub memory_peak_bytes: Option<i64>,
    /// When the last attempt finished.
    pub finished_at: Option<Millis>,
    /// The event it ran on.
    pub event: Option<EventView>,
    /// Its effects in the outbox and how their delivery went.
    pub deliveries: Vec<EffectView>,
}

impl ExecutionView {
    /// Joins an execution with its event and outbox rows.
    pub fn new(
        e: ExecutionRecord,
        event: Option<StoredEvent>,
        deliveries: Vec<EffectRecord>,
    ) -> Self {
        ExecutionView {
            id: e.id,
            rule_version_id: e.rule_version_id,
            status: e.status.as_str(),
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
            replay_of: e.replay_of,
            staged_effects: json_text(&e.effects),
            logs: e.logs,
            error: e.error,
            duration_ms: e.usage.duration_ms,
            fuel_used: e.usage.fuel_used,
            memory_peak_bytes: e.usage.memory_peak_bytes,
            finished_at: e.finished_at,
            event: event.map(EventView::from),
            deliveries: deliveries.into_iter().map(EffectView::from).collect(),
        }
    }
}
