//! `POST /api/v1/events`: events from the ERP (or any system holding an API key) into the inbox.
//!
//! A client that may resend (after a timeout, a crash) passes its own `id`; the inbox keeps the
//! first event with that id and answers later ones with the same event id and `duplicate: true`.
//! Without an id every post is a new event.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::Caller;
use super::error::{AppError, ErrorBody};
use super::extract::ApiJson;
use super::metrics::IngestOutcome;
use crate::storage::inbox::{InboxInsert, NewEvent};
use crate::storage::now_millis;

/// The inbox source of events posted here.
pub const SOURCE: &str = "erp";

/// Kind prefixes only the host itself may produce: a posted event must not pass for a provider
/// callback, a cron tick or a delivery report.
const RESERVED_PREFIXES: [&str; 4] = ["wecom.", "dingtalk.", "schedule.", "effect."];

/// The header that may carry the client id instead of the body's `id`.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Longest accepted kind and client id.
const MAX_KIND_LEN: usize = 128;
const MAX_ID_LEN: usize = 200;

/// An event as the ERP posts it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostedEvent {
    /// What happened, dotted lower case: `erp.task.assigned`, `erp.mention`, `erp.employee.joined`...
    pub kind: String,
    /// The client's own id for this event (or the `Idempotency-Key` header); a repeated id is
    /// acknowledged and not stored again.
    #[serde(default)]
    pub id: Option<String>,
    /// When it happened, Unix milliseconds; defaults to the time of receipt.
    #[serde(default)]
    pub occurred_at: Option<i64>,
    /// The event body, a JSON object handed to rules as `event.payload`.
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// The answer to a posted event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The inbox id of the event (of the first one, for a duplicate).
    pub event_id: i64,
    /// Whether an event with the same `id` was already stored.
    pub duplicate: bool,
}

impl PostedEvent {
    /// Checks kind, id and payload; the error names the field.
    fn check(&self) -> Result<(), AppError> {
        let kind = &self.kind;
        let well_formed = !kind.is_empty()
            && kind.len() <= MAX_KIND_LEN
            && kind.split('.').all(|segment| {
                !segment.is_empty()
                    && segment.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    })
            });
        if !well_formed {
            return Err(AppError::BadRequest(format!(
                "kind {kind:?}: expected dotted lower-case segments like erp.task.assigned, at most {MAX_KIND_LEN} characters"
            )));
        }
        if let Some(prefix) = RESERVED_PREFIXES
            .iter()
            .find(|prefix| kind.starts_with(*prefix))
        {
            return Err(AppError::BadRequest(format!(
                "kind {kind:?}: the prefix `{prefix}` is reserved for the host's own events"
            )));
        }
        if let Some(id) = &self.id
            && (id.is_empty() || id.len() > MAX_ID_LEN)
        {
            return Err(AppError::BadRequest(format!(
                "id: must be 1 to {MAX_ID_LEN} bytes"
            )));
        }
        if !self.payload.is_object() {
            return Err(AppError::BadRequest(
                "payload: must be a JSON object".into(),
            ));
        }
        Ok(())
    }

    /// Uses an `Idempotency-Key` header as the client id when the body names none; a body id
    /// that disagrees with the header is refused rather than guessed between.
    fn take_idempotency_key(&mut self, headers: &HeaderMap) -> Result<(), AppError> {
        let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
            return Ok(());
        };
        let header = value
            .to_str()
            .map_err(|_| AppError::BadRequest(format!("{IDEMPOTENCY_KEY} header: not ASCII")))?;
        match &self.id {
            None => self.id = Some(header.to_owned()),
            Some(id) if id == header => {}
            Some(id) => {
                return Err(AppError::BadRequest(format!(
                    "id {id:?} and the {IDEMPOTENCY_KEY} header {header:?} differ"
                )));
            }
        }
        Ok(())
    }

    /// The dedup key: the client's id, or a fresh random key when it gave none.
    fn dedup_key(&self) -> String {
        match &self.id {
            Some(id) => format!("id:{id}"),
            None => format!("auto:{}", hex::encode(rand::random::<[u8; 16]>())),
        }
    }
}

/// Writes a posted event to the inbox.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    security(("api_key" = ["integrator"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "The client id, when the body has no `id`")),
    request_body = PostedEvent,
    responses(
        (status = 202, description = "Stored; rules will run", body = Accepted),
        (status = 200, description = "An event with this id was already stored", body = Accepted),
        (status = 400, description = "Invalid kind, id or payload", body = ErrorBody),
        (status = 401, description = "No valid API key", body = ErrorBody),
    )
)]
pub async fn post_event(
    State(state): State<AppState>,
    Extension(Caller(key)): Extension<Caller>,
    headers: HeaderMap,
    ApiJson(mut posted): ApiJson<PostedEvent>,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    posted
        .take_idempotency_key(&headers)
        .and_then(|()| posted.check())
        .inspect_err(|_| state.metrics.count_ingest(SOURCE, IngestOutcome::Rejected))?;
    let now = now_millis();
    let event = NewEvent {
        source: SOURCE.to_owned(),
        dedup_key: posted.dedup_key(),
        kind: posted.kind,
        occurred_at: posted.occurred_at.unwrap_or(now),
        payload: posted.payload,
    };
    let (status, event_id, duplicate) = match state.store.insert_event(&event, now).await? {
        InboxInsert::Inserted(event_id) => {
            state.metrics.count_ingest(SOURCE, IngestOutcome::Stored);
            state.wake.inbox.notify_one();
            tracing::debug!(event_id, kind = %event.kind, key = %key.name, "event posted");
            (StatusCode::ACCEPTED, event_id, false)
        }
        InboxInsert::Duplicate(event_id) => {
            state.metrics.count_ingest(SOURCE, IngestOutcome::Duplicate);
            (StatusCode::OK, event_id, true)
        }
    };
    Ok((
        status,
        Json(Accepted {
            event_id,
            duplicate,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(kind: &str) -> PostedEvent {
        PostedEvent {
            kind: kind.into(),
            id: None,
            occurred_at: None,
            payload: empty_object(),
        }
    }

    #[test]
    fn kinds_are_checked() {
        for good in [
            "erp.task.assigned",
            "erp.mention",
            "crm.deal-won",
            "erp.employee.v2_joined",
        ] {
            assert!(posted(good).check().is_ok(), "{good}");
        }
        for bad in [
            "",
            "Erp.Task",
            "erp..task",
            "erp.task.",
            "erp task",
            "wecom.contact.user.created",
            "schedule.fired",
        ] {
            assert!(
                matches!(posted(bad).check(), Err(AppError::BadRequest(_))),
                "{bad}"
            );
        }
        assert!(posted(&"a".repeat(MAX_KIND_LEN + 1)).check().is_err());
    }

    #[test]
    fn payload_must_be_an_object_and_ids_bounded() {
        let mut event = posted("erp.mention");
        event.payload = serde_json::json!([1]);
        assert!(event.check().is_err());
        let mut event = posted("erp.mention");
        event.id = Some(String::new());
        assert!(event.check().is_err());
    }

    #[test]
    fn the_idempotency_key_header_is_the_client_id_unless_the_body_disagrees() {
        let mut headers = HeaderMap::new();
        headers.insert(IDEMPOTENCY_KEY, "T-9".parse().unwrap());
        let mut event = posted("erp.mention");
        event.take_idempotency_key(&headers).unwrap();
        assert_eq!(event.id.as_deref(), Some("T-9"));
        event.take_idempotency_key(&headers).unwrap();
        event.id = Some("T-10".into());
        assert!(matches!(
            event.take_idempotency_key(&headers),
            Err(AppError::BadRequest(_))
        ));
        let mut without = posted("erp.mention");
        without.take_idempotency_key(&HeaderMap::new()).unwrap();
        assert_eq!(without.id, None);
    }

    #[test]
    fn client_ids_make_stable_keys_and_missing_ids_fresh_ones() {
        let mut event = posted("erp.mention");
        event.id = Some("T-1".into());
        assert_eq!(event.dedup_key(), event.dedup_key());
        event.id = None;
        assert_ne!(event.dedup_key(), event.dedup_key());
    }
}
