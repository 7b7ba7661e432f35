//! The normalised business event every handler receives.

use serde::{Deserialize, Serialize};

/// A business event, normalised by the host from a provider callback, an ERP webhook or a
/// scheduler tick (WIT `types.event`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Unique id of the event (also its dedup key).
    pub id: String,
    /// Dotted kind, e.g. `approval.finished`.
    pub kind: String,
    /// Where it came from, e.g. `wecom:main`, `erp`, `cron`.
    pub source: String,
    /// When it happened, unix milliseconds.
    pub occurred_at: i64,
    /// The event body; always a JSON object.
    pub payload: serde_json::Value,
}

/// Why a JSON document is not a valid [`Event`].
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The text is not JSON or does not have the event's fields.
    #[error("event is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    /// A field has a value the host refuses.
    #[error("event field `{field}` {problem}")]
    Field {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl Event {
    /// Parses and validates an event from JSON text, so callers get one clear error instead of a
    /// handler failing on a half-formed event later.
    pub fn from_json(text: &str) -> Result<Self, EventError> {
        let event: Event = serde_json::from_str(text)?;
        event.validate()?;
        Ok(event)
    }

    /// Checks the invariants serde cannot express: non-empty id/kind/source, an object payload.
    pub fn validate(&self) -> Result<(), EventError> {
        let empty = |field| EventError::Field {
            field,
            problem: "must not be empty",
        };
        if self.id.trim().is_empty() {
            return Err(empty("id"));
        }
        if self.kind.trim().is_empty() {
            return Err(empty("kind"));
        }
        if self.source.trim().is_empty() {
            return Err(empty("source"));
        }
        if !self.payload.is_object() {
            return Err(EventError::Field {
                field: "payload",
                problem: "must be a JSON object",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_complete_event() {
        let event = Event::from_json(
            r#"{"id":"e1","kind":"task.assigned","source":"erp","occurred_at":1700000000000,"payload":{"task":"T-1"}}"#,
        )
        .unwrap();
        assert_eq!(event.kind, "task.assigned");
        assert_eq!(event.payload["task"], "T-1");
    }

    #[test]
    fn names_the_missing_field() {
        let err =
            Event::from_json(r#"{"id":"e1","kind":"k","source":"s","payload":{}}"#).unwrap_err();
        assert!(err.to_string().contains("occurred_at"), "{err}");
    }

    #[test]
    fn refuses_a_non_object_payload() {
        let err = Event::from_json(
            r#"{"id":"e1","kind":"k","source":"s","occurred_at":1,"payload":[1]}"#,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                EventError::Field {
                    field: "payload",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn refuses_an_empty_kind() {
        let err =
            Event::from_json(r#"{"id":"e1","kind":" ","source":"s","occurred_at":1,"payload":{}}"#)
                .unwrap_err();
        assert!(
            matches!(err, EventError::Field { field: "kind", .. }),
            "{err}"
        );
    }
}
