//! How a script run's ending maps onto the outcome kinds the wasm host reports.
//!
//! The execution history must not care which sandbox ran a rule, so each script failure is
//! classified as its wasm counterpart: an uncaught `throw` is the handler returning its error, an
//! exhausted operation budget is the CPU limit, a passed deadline is the timeout, a runaway
//! string is the memory limit, unbounded recursion is a stack-overflow trap.

use rhai::Dynamic;

use super::ScriptError;
use crate::invocation::{Limits, Outcome, TrapKind};
use crate::types::HandlerError;

/// Code of the handler error for a thrown value that is not itself a handler error.
pub const SCRIPT_ERROR_CODE: &str = "script-error";

/// The outcome of a handler that returned `value`, checked against the output limit.
pub(crate) fn returned(value: Dynamic, limits: &Limits) -> Outcome {
    let output = match rhai::serde::from_dynamic::<serde_json::Value>(&value) {
        Ok(output) => output,
        Err(e) => {
            return Outcome::InvalidOutput {
                message: e.to_string(),
            };
        }
    };
    match serde_json::to_string(&output) {
        Ok(text) => Outcome::from_output(&text, limits.output_bytes),
        Err(e) => Outcome::InvalidOutput {
            message: e.to_string(),
        },
    }
}

/// The outcome of a handler that failed with `error`.
///
/// `limits` are the invocation's limits; `max_string_size` is the engine's string limit, the
/// one size limit that is a byte count.
pub(crate) fn failed(error: &ScriptError, limits: &Limits, max_string_size: usize) -> Outcome {
    match error {
        ScriptError::Thrown { value, .. } => Outcome::HandlerError(handler_error(error, value)),
        ScriptError::OperationLimit { .. } => Outcome::CpuLimit {
            limit_ms: limits.cpu_time_ms,
        },
        ScriptError::Deadline { budget, .. } => Outcome::Timeout {
            limit_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
        },
        ScriptError::DataTooLarge { what, .. } if what.contains("string") => Outcome::MemoryLimit {
            limit_bytes: max_string_size as u64,
        },
        ScriptError::CallDepth { .. } => Outcome::Trap {
            kind: TrapKind::StackOverflow,
            message: error.to_string(),
        },
        ScriptError::Runtime { kind, .. } => Outcome::Trap {
            kind: *kind,
            message: error.to_string(),
        },
        ScriptError::DataTooLarge { .. }
        | ScriptError::Syntax { .. }
        | ScriptError::MissingHandler { .. }
        | ScriptError::NotBoolean { .. } => Outcome::Trap {
            kind: TrapKind::Other,
            message: error.to_string(),
        },
    }
}

/// A thrown map shaped like a handler error (`#{ code, message, retryable }`, which is also what
/// an uncaught capability error is) ends the handler with exactly that error; anything else
/// thrown becomes a `script-error` carrying the position of the `throw`.
fn handler_error(error: &ScriptError, value: &serde_json::Value) -> HandlerError {
    serde_json::from_value::<HandlerError>(value.clone()).unwrap_or_else(|_| HandlerError {
        code: SCRIPT_ERROR_CODE.into(),
        message: error.to_string(),
        retryable: false,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::script::Location;

    fn at() -> Location {
        Location {
            source: "r.rhai".into(),
            line: Some(2),
            column: Some(5),
        }
    }

    #[test]
    fn a_thrown_handler_error_is_kept_and_anything_else_is_a_script_error() {
        let limits = Limits::default();
        let structured = ScriptError::Thrown {
            at: at(),
            message: "no binding".into(),
            value: serde_json::json!({"code": "unbound-assignee", "message": "no binding"}),
        };
        let Outcome::HandlerError(e) = failed(&structured, &limits, 10) else {
            panic!()
        };
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.retryable),
            ("unbound-assignee", "no binding", false)
        );

        let text = ScriptError::Thrown {
            at: at(),
            message: "boom".into(),
            value: "boom".into(),
        };
        let Outcome::HandlerError(e) = failed(&text, &limits, 10) else {
            panic!()
        };
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (SCRIPT_ERROR_CODE, "r.rhai:2:5: boom")
        );
    }

    #[test]
    fn limits_map_to_the_wasm_outcomes() {
        let limits = Limits::builder().cpu_time(Duration::from_millis(7)).build();
        let ops = ScriptError::OperationLimit {
            at: at(),
            limit: 7000,
        };
        assert_eq!(failed(&ops, &limits, 10), Outcome::CpuLimit { limit_ms: 7 });
        let late = ScriptError::Deadline {
            at: at(),
            budget: Duration::from_millis(30),
        };
        assert_eq!(
            failed(&late, &limits, 10),
            Outcome::Timeout { limit_ms: 30 }
        );
        let big = ScriptError::DataTooLarge {
            at: at(),
            what: "Length of string".into(),
        };
        assert_eq!(
            failed(&big, &limits, 10),
            Outcome::MemoryLimit { limit_bytes: 10 }
        );
        let deep = ScriptError::CallDepth { at: at(), limit: 8 };
        assert!(matches!(
            failed(&deep, &limits, 10),
            Outcome::Trap {
                kind: TrapKind::StackOverflow,
                ..
            }
        ));
    }

    #[test]
    fn output_is_json_within_the_output_limit() {
        let limits = Limits::builder().output_bytes(8).build();
        assert_eq!(
            returned(Dynamic::UNIT, &limits),
            Outcome::Ok {
                output: serde_json::Value::Null
            }
        );
        assert_eq!(
            returned(Dynamic::from(5_i64), &limits),
            Outcome::Ok {
                output: serde_json::json!(5)
            }
        );
        let long = Dynamic::from("0123456789");
        assert_eq!(
            returned(long, &limits),
            Outcome::OutputTooLarge {
                limit_bytes: 8,
                size_bytes: 12
            }
        );
    }
}
