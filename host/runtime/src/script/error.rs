//! Errors of the script tier, each carrying where in the script it happened.
//!
//! An administrator editing `rules/x.rhai` needs "line 3, column 14" more than anything else, so
//! every error that can be pinned to a spot in the source carries a [`Location`], and the Display
//! reads like a compiler diagnostic: `rules/x.rhai:3:14: ...`. Rhai reports failures as one big
//! `EvalAltResult` enum nested through function calls; this module flattens that into the few
//! cases a caller acts on (limits hit, handler failed, bad input).

use std::fmt;
use std::time::Duration;

use rhai::{EvalAltResult, ParseError, Position};

use super::ambient;
use crate::invocation::TrapKind;

/// A place in a script: the script's name plus a 1-based line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The name the script was compiled under, e.g. `rules/task-notify.rhai` or `when`.
    pub source: String,
    /// 1-based line, when the error could be tied to one.
    pub line: Option<usize>,
    /// 1-based column within [`line`](Self::line), when known.
    pub column: Option<usize>,
}

impl Location {
    /// A location with no line information, for errors about the script as a whole.
    pub fn whole(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            line: None,
            column: None,
        }
    }

    /// Converts a Rhai position into a location within `source`.
    pub(crate) fn at(source: &str, pos: Position) -> Self {
        Self {
            source: source.to_owned(),
            line: pos.line(),
            column: pos.position(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Why compiling or running a script (or a `when` condition) failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScriptError {
    /// The source does not parse, or uses a symbol the engine refuses (`eval`, `import`).
    #[error("{at}: syntax error: {message}")]
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// The parser's explanation.
        message: String,
    },
    /// A handler script compiled but has no `fn handle(event, config)`.
    #[error("{at}: the script must define `fn handle(event, config)`")]
    MissingHandler {
        /// The script (no line: the function is absent).
        at: Location,
    },
    /// The script threw a value it did not catch: its own `throw`, or a capability error.
    #[error("{at}: {message}")]
    Thrown {
        /// Where the `throw` or the failing capability call is.
        at: Location,
        /// The thrown value's `message` field if it has one, else the value as text.
        message: String,
        /// The thrown value as JSON, so a handler error map survives intact.
        value: serde_json::Value,
    },
    /// The script failed at run time: a type error, an unknown function or property, an index
    /// out of bounds, a division by zero.
    #[error("{at}: {message}")]
    Runtime {
        /// Where the failing expression is.
        at: Location,
        /// What went wrong.
        message: String,
        /// The matching wasm trap kind, so both sandboxes classify failures alike.
        kind: TrapKind,
    },
    /// The operation budget ran out, usually an endless loop.
    #[error("{at}: operation limit of {limit} exceeded")]
    OperationLimit {
        /// Where the script was when the budget ran out.
        at: Location,
        /// The budget that was exceeded.
        limit: u64,
    },
    /// The wall-clock deadline passed while the script was still running.
    #[error("{at}: wall-clock limit of {}ms exceeded", budget.as_millis())]
    Deadline {
        /// Where the script was when it was stopped.
        at: Location,
        /// The budget that was exceeded.
        budget: Duration,
    },
    /// A string, array or map grew beyond its size limit.
    #[error("{at}: {what} exceeds its size limit")]
    DataTooLarge {
        /// Where the value grew too large.
        at: Location,
        /// Which kind of value, as Rhai names it (e.g. "Length of string").
        what: String,
    },
    /// Script functions nested deeper than allowed, usually unbounded recursion.
    #[error("{at}: call depth limit of {limit} exceeded")]
    CallDepth {
        /// Where the call that went too deep is.
        at: Location,
        /// The depth that was exceeded.
        limit: usize,
    },
    /// A `when` condition produced something other than `true` or `false`.
    #[error("{at}: condition evaluated to {found}, expected true or false")]
    NotBoolean {
        /// The condition.
        at: Location,
        /// The Rhai type name of what it produced.
        found: String,
    },
}

impl ScriptError {
    /// Where the error happened.
    pub fn location(&self) -> &Location {
        match self {
            Self::Syntax { at, .. }
            | Self::MissingHandler { at }
            | Self::Thrown { at, .. }
            | Self::Runtime { at, .. }
            | Self::OperationLimit { at, .. }
            | Self::Deadline { at, .. }
            | Self::DataTooLarge { at, .. }
            | Self::CallDepth { at, .. }
            | Self::NotBoolean { at, .. } => at,
        }
    }

    /// Converts a parse error of `source`.
    pub(crate) fn from_parse(source: &str, err: ParseError) -> Self {
        let ParseError(kind, pos) = err;
        Self::Syntax {
            at: Location::at(source, pos),
            message: kind.to_string(),
        }
    }

    /// Converts a run-time error of `source`, naming the limit that was hit where there is one.
    ///
    /// Errors raised inside script functions arrive wrapped once per call level; the innermost
    /// one says what actually happened and where, so that is the one reported.
    pub(crate) fn from_eval(source: &str, err: EvalAltResult, budget: &Budget) -> Self {
        let mut err = innermost(err);
        let at = Location::at(source, err.take_position());
        match err {
            EvalAltResult::ErrorParsing(kind, _) => Self::Syntax {
                at,
                message: kind.to_string(),
            },
            EvalAltResult::ErrorTooManyOperations(_) => Self::OperationLimit {
                at,
                limit: budget.operations,
            },
            EvalAltResult::ErrorTerminated(token, _)
                if token
                    .clone()
                    .into_string()
                    .is_ok_and(|t| t == ambient::OPERATIONS_TOKEN) =>
            {
                Self::OperationLimit {
                    at,
                    limit: budget.operations,
                }
            }
            EvalAltResult::ErrorTerminated(..) => Self::Deadline {
                at,
                budget: budget.wall_time,
            },
            EvalAltResult::ErrorDataTooLarge(what, _) => Self::DataTooLarge { at, what },
            EvalAltResult::ErrorStackOverflow(_) => Self::CallDepth {
                at,
                limit: budget.call_levels,
            },
            EvalAltResult::ErrorRuntime(value, _) => {
                let value = rhai::serde::from_dynamic::<serde_json::Value>(&value)
                    .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
                let message = match &value {
                    serde_json::Value::String(text) => text.clone(),
                    other => match other.get("message").and_then(|m| m.as_str()) {
                        Some(text) => text.to_owned(),
                        None => other.to_string(),
                    },
                };
                Self::Thrown { at, message, value }
            }
            other => {
                let kind = match &other {
                    EvalAltResult::ErrorArithmetic(..) => TrapKind::Arithmetic,
                    EvalAltResult::ErrorArrayBounds(..)
                    | EvalAltResult::ErrorStringBounds(..)
                    | EvalAltResult::ErrorBitFieldBounds(..) => TrapKind::OutOfBounds,
                    _ => TrapKind::Other,
                };
                Self::Runtime {
                    at,
                    message: other.to_string(),
                    kind,
                }
            }
        }
    }
}

/// The limits in force for one run, so an error can say which budget was exceeded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// The operation budget of the run.
    pub operations: u64,
    /// The engine's call-depth limit.
    pub call_levels: usize,
    /// The wall-clock budget of this run.
    pub wall_time: Duration,
}

/// Peels off the "in call to function" wrappers Rhai adds at each call level.
fn innermost(err: EvalAltResult) -> EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
        | EvalAltResult::ErrorInModule(_, inner, _) => innermost(*inner),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_display_reads_like_a_compiler_diagnostic() {
        let at = Location {
            source: "rules/x.rhai".into(),
            line: Some(3),
            column: Some(14),
        };
        assert_eq!(at.to_string(), "rules/x.rhai:3:14");
        assert_eq!(Location::whole("when").to_string(), "when");
        let err = ScriptError::Runtime {
            at,
            message: "boom".into(),
            kind: TrapKind::Other,
        };
        assert_eq!(err.to_string(), "rules/x.rhai:3:14: boom");
    }

    #[test]
    fn nested_errors_report_the_innermost_cause_and_position() {
        let inner = EvalAltResult::ErrorStackOverflow(Position::new(7, 3)).into();
        let wrapped = EvalAltResult::ErrorInFunctionCall(
            "f".into(),
            String::new(),
            Box::new(EvalAltResult::ErrorInFunctionCall(
                "g".into(),
                String::new(),
                inner,
                Position::new(2, 1),
            )),
            Position::new(1, 1),
        );
        let budget = Budget {
            operations: 10,
            call_levels: 4,
            wall_time: Duration::from_secs(1),
        };
        let err = ScriptError::from_eval("s.rhai", wrapped, &budget);
        assert_eq!(
            err,
            ScriptError::CallDepth {
                at: Location {
                    source: "s.rhai".into(),
                    line: Some(7),
                    column: Some(3)
                },
                limit: 4
            }
        );
    }
}
