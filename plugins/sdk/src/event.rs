//! Reading an event's JSON payload into a typed struct, with errors that say which event kind and
//! which field were wrong (the execution log is often all an admin sees).

use crate::prelude::*;
use core::fmt;

use serde::de::DeserializeOwned;

use crate::types::{Event, HandlerError};

/// A payload struct for one event kind (or a family, with a trailing `*`).
pub trait EventPayload: DeserializeOwned {
    /// The event kind this payload belongs to, e.g. `erp.task.assigned` or `erp.employee.*`.
    const KIND: &'static str;
}

/// Why an event's payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// The event is of another kind than the payload type expects.
    WrongKind {
        /// The kind the payload type is for.
        expected: &'static str,
        /// The event's kind.
        actual: String,
    },
    /// The payload is not valid JSON, or does not have the expected shape.
    Shape {
        /// The event's kind.
        kind: String,
        /// The type the payload was read into.
        target: &'static str,
        /// What was wrong, as the JSON parser says it (names the missing or mistyped field).
        detail: String,
    },
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::WrongKind { expected, actual } => {
                write!(f, "expected an event of kind `{expected}`, got `{actual}`")
            }
            PayloadError::Shape {
                kind,
                target,
                detail,
            } => {
                write!(
                    f,
                    "payload of `{kind}` event does not match {target}: {detail}"
                )
            }
        }
    }
}

impl core::error::Error for PayloadError {}

/// A payload that cannot be read will not become readable on retry.
impl From<PayloadError> for HandlerError {
    fn from(e: PayloadError) -> Self {
        HandlerError::permanent("bad-payload", e.to_string())
    }
}

impl Event {
    /// The payload read into any deserialisable type.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        serde_json::from_str(&self.payload).map_err(|e| PayloadError::Shape {
            kind: self.kind.clone(),
            target: short_type_name::<T>(),
            detail: e.to_string(),
        })
    }

    /// The payload of a known event kind; fails first if the event is of another kind.
    pub fn payload<T: EventPayload>(&self) -> Result<T, PayloadError> {
        if !self.is(T::KIND) {
            return Err(PayloadError::WrongKind {
                expected: T::KIND,
                actual: self.kind.clone(),
            });
        }
        self.payload_as()
    }

    /// Whether the event's kind matches `pattern`; see [`kind_matches`].
    pub fn is(&self, pattern: &str) -> bool {
        kind_matches(pattern, &self.kind)
    }

    /// An event of `kind` with `payload`, for tests and tools; id and source are fixed defaults a
    /// test may overwrite.
    pub fn new(kind: impl Into<String>, payload: &serde_json::Value) -> Self {
        let kind = kind.into();
        Event {
            id: format!("test-{kind}"),
            kind,
            source: "test".into(),
            occurred_at: 0,
            payload: payload.to_string(),
        }
    }
}

/// The last path segment of a type name: `TaskAssigned`, not `worklink_sdk::payload::TaskAssigned`.
fn short_type_name<T>() -> &'static str {
    let full = core::any::type_name::<T>();
    let generic_start = full.find('<').unwrap_or(full.len());
    match full[..generic_start].rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

/// Whether event `kind` matches `pattern`, compared dot-separated segment by segment: `*` stands
/// for exactly one segment, except as the last segment, where it stands for one or more. So
/// `erp.employee.*` matches `erp.employee.created`, `*.contact.user.created` matches the WeCom and
/// the DingTalk kind alike, and `*` matches everything. Rule manifests use the same rule, so a
/// plugin's `handles` list and a rule's `on` pattern mean the same thing.
pub fn kind_matches(pattern: &str, kind: &str) -> bool {
    let mut kind_segments = kind.split('.');
    let mut pattern_segments = pattern.split('.').peekable();
    while let Some(segment) = pattern_segments.next() {
        let last = pattern_segments.peek().is_none();
        match kind_segments.next() {
            None => return false,
            Some(_) if segment == "*" && last => return true,
            Some(actual) if segment == "*" || segment == actual => {}
            Some(_) => return false,
        }
    }
    kind_segments.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Ping {
        #[allow(dead_code)]
        target: String,
    }

    impl EventPayload for Ping {
        const KIND: &'static str = "demo.ping";
    }

    #[test]
    fn kind_patterns_match_segment_by_segment() {
        assert!(kind_matches("*", "erp.task.assigned"));
        assert!(kind_matches("erp.task.assigned", "erp.task.assigned"));
        assert!(kind_matches("erp.employee.*", "erp.employee.created"));
        assert!(kind_matches("erp.*", "erp.employee.created"));
        assert!(kind_matches(
            "*.contact.user.created",
            "wecom.contact.user.created"
        ));
        assert!(kind_matches(
            "*.contact.user.created",
            "dingtalk.contact.user.created"
        ));
        assert!(!kind_matches(
            "*.contact.user.created",
            "wecom.contact.user.deleted"
        ));
        assert!(!kind_matches("erp.employee.*", "erp.employee"));
        assert!(!kind_matches("erp.task", "erp.task.assigned"));
        assert!(!kind_matches("erp.task.assigned", "erp.task"));
        assert!(!kind_matches("erp.tas*", "erp.task"));
    }

    #[test]
    fn missing_field_names_kind_type_and_field() {
        let event = Event::new("demo.ping", &json!({"other": 1}));
        let err = event.payload::<Ping>().unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("payload of `demo.ping` event does not match Ping:"),
            "{text}"
        );
        assert!(text.contains("missing field `target`"), "{text}");
    }

    #[test]
    fn wrong_kind_is_reported_before_parsing() {
        let event = Event::new("demo.pong", &json!({"target": "x"}));
        assert_eq!(
            event.payload::<Ping>().unwrap_err(),
            PayloadError::WrongKind {
                expected: "demo.ping",
                actual: "demo.pong".into()
            }
        );
    }

    #[test]
    fn prefix_patterns_match_families() {
        let event = Event::new("erp.employee.updated", &json!({}));
        assert!(event.is("erp.employee.*"));
        assert!(event.is("erp.employee.updated"));
        assert!(!event.is("erp.employee"));
        assert!(!event.is("erp.task.*"));
    }

    #[test]
    fn payload_errors_become_permanent_handler_errors() {
        let event = Event::new("demo.ping", &json!("not an object"));
        let err = HandlerError::from(event.payload_as::<Ping>().unwrap_err());
        assert_eq!(err.code, "bad-payload");
        assert!(!err.retryable);
    }
}
