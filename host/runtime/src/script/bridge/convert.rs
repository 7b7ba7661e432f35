//! Conversions between Rhai values and the WIT record mirrors, and capability errors as thrown
//! values.

use rhai::{Dynamic, EvalAltResult, Position};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Call;
use crate::capability::CapError;
use crate::types::HandlerError;

/// Reads argument `name` of `function` as the record `T`.
///
/// A map of the wrong shape is the script's mistake about arguments, which the WIT would have
/// caught at compile time in a plugin; here it becomes the `invalid` capability error, naming the
/// function, the argument and the field.
pub(super) fn record<T: DeserializeOwned>(
    function: &str,
    name: &str,
    value: &Dynamic,
) -> Result<T, CapError> {
    rhai::serde::from_dynamic(value)
        .map_err(|e| CapError::Invalid(format!("{function}: argument `{name}`: {e}")))
}

/// Converts a record for the script.
pub(super) fn ret<T: Serialize>(value: &T) -> Call<Dynamic> {
    rhai::serde::to_dynamic(value)
}

/// A capability error as the catchable value the script sees.
pub(super) fn thrown(error: CapError) -> Box<EvalAltResult> {
    let value =
        rhai::serde::to_dynamic(handler_error(error)).unwrap_or_else(|e| e.to_string().into());
    EvalAltResult::ErrorRuntime(value, Position::NONE).into()
}

/// The handler error an uncaught capability error ends a handler with: the WIT `cap-error` case
/// as the code, only `unavailable` worth a retry. Plugins get the same from the SDK's `?`.
pub(crate) fn handler_error(error: CapError) -> HandlerError {
    let retryable = matches!(error, CapError::Unavailable(_));
    let (code, message) = match error {
        CapError::Denied(m) => ("denied", m),
        CapError::Invalid(m) => ("invalid", m),
        CapError::NotFound(m) => ("not-found", m),
        CapError::Unavailable(m) => ("unavailable", m),
        CapError::Provider { code, message } => {
            ("provider", format!("provider error {code}: {message}"))
        }
    };
    HandlerError {
        code: code.into(),
        message,
        retryable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_errors_keep_the_wit_case_as_code() {
        let denied = handler_error(CapError::Denied("`messaging` is not granted".into()));
        assert_eq!((denied.code.as_str(), denied.retryable), ("denied", false));
        let down = handler_error(CapError::Unavailable("directory down".into()));
        assert_eq!((down.code.as_str(), down.retryable), ("unavailable", true));
        let provider = handler_error(CapError::Provider {
            code: 60011,
            message: "no privilege".into(),
        });
        assert_eq!(provider.message, "provider error 60011: no privilege");
        assert_eq!(
            handler_error(CapError::NotFound("u9".into())).code,
            "not-found"
        );
    }

    #[test]
    fn a_misshapen_record_is_an_invalid_argument() {
        let map = rhai::serde::to_dynamic(serde_json::json!({"title": "t"})).unwrap();
        let err = record::<crate::types::TextCard>("messaging::send", "message", &map).unwrap_err();
        let CapError::Invalid(message) = err else {
            panic!("{err}")
        };
        assert!(
            message.starts_with("messaging::send: argument `message`: "),
            "{message}"
        );
        assert!(message.contains("description"), "{message}");
    }

    #[test]
    fn a_thrown_capability_error_reads_back_as_a_handler_error() {
        let EvalAltResult::ErrorRuntime(value, _) = *thrown(CapError::Denied("no".into())) else {
            panic!("a capability error must be a catchable runtime error")
        };
        let error: HandlerError = rhai::serde::from_dynamic(&value).unwrap();
        assert_eq!(
            error,
            HandlerError {
                code: "denied".into(),
                message: "no".into(),
                retryable: false
            }
        );
    }
}
