//! Constructors for what a handler returns, and how capability errors read and turn into handler
//! errors so `?` works inside `handle`.

use crate::prelude::*;
use crate::types::{CapError, HandlerError, Outcome};

impl Outcome {
    /// An outcome whose output is `value` as JSON; a value that cannot be serialised becomes a JSON
    /// string holding the serialiser's message, so a handler never fails for its summary.
    pub fn json(value: &impl serde::Serialize) -> Self {
        let output = serde_json::to_string(value).unwrap_or_else(|e| {
            serde_json::Value::String(format!("output not serialisable: {e}")).to_string()
        });
        Outcome { output }
    }

    /// The output parsed back as JSON (an unparsable output becomes a JSON string).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(&self.output)
            .unwrap_or_else(|_| serde_json::Value::String(self.output.clone()))
    }
}

impl HandlerError {
    /// A failure that running the same event again will not fix.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        HandlerError {
            code: code.into(),
            message: message.into(),
            retryable: false,
        }
    }

    /// A failure that may go away if the event is retried later.
    pub fn retryable(code: impl Into<String>, message: impl Into<String>) -> Self {
        HandlerError {
            code: code.into(),
            message: message.into(),
            retryable: true,
        }
    }
}

impl CapError {
    /// Short machine-readable name of the variant, used as the handler error code.
    pub fn code(&self) -> &'static str {
        match self {
            CapError::Denied(_) => "denied",
            CapError::Invalid(_) => "invalid",
            CapError::NotFound(_) => "not-found",
            CapError::Provider(_) => "provider",
            CapError::Unavailable(_) => "unavailable",
        }
    }
}

/// A capability error ends the handler with the same code; only `unavailable` is worth a retry.
impl From<CapError> for HandlerError {
    fn from(e: CapError) -> Self {
        let retryable = matches!(e, CapError::Unavailable(_));
        let message = match &e {
            CapError::Denied(m)
            | CapError::Invalid(m)
            | CapError::NotFound(m)
            | CapError::Unavailable(m) => m.clone(),
            CapError::Provider(p) => format!("provider error {}: {}", p.code, p.message),
        };
        HandlerError {
            code: e.code().into(),
            message,
            retryable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ProviderError;

    #[test]
    fn outcome_round_trips_json() {
        let outcome = Outcome::json(&serde_json::json!({"sent": 2}));
        assert_eq!(outcome.output, r#"{"sent":2}"#);
        assert_eq!(outcome.value()["sent"], 2);
    }

    #[test]
    fn only_unavailable_is_retryable() {
        let denied = HandlerError::from(CapError::Denied("messaging not granted".into()));
        assert_eq!((denied.code.as_str(), denied.retryable), ("denied", false));
        let down = HandlerError::from(CapError::Unavailable("directory down".into()));
        assert_eq!((down.code.as_str(), down.retryable), ("unavailable", true));
    }

    #[test]
    fn provider_errors_keep_the_provider_code() {
        let e = HandlerError::from(CapError::Provider(ProviderError {
            code: 60011,
            message: "no privilege".into(),
        }));
        assert_eq!(e.code, "provider");
        assert_eq!(e.message, "provider error 60011: no privilege");
    }
}
