//! What an invocation produced, whichever sandbox ran it.

use serde::{Deserialize, Serialize};

use super::{LogLine, StagedEffect};
use crate::types::HandlerError;

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The handler returned normally.
    Ok {
        /// Its output (a JSON value).
        output: serde_json::Value,
    },
    /// The handler returned its own error.
    HandlerError(HandlerError),
    /// The rule config does not match the handler's config schema; the handler did not run.
    InvalidConfig {
        /// Every violation, with its JSON path.
        message: String,
    },
    /// The handler does not handle this event kind; it did not run.
    NotHandled {
        /// The event kind.
        kind: String,
    },
    /// The handler trapped (panic, stack overflow, out-of-bounds access, ...).
    Trap {
        /// Which kind of trap.
        kind: TrapKind,
        /// What happened; for a panic, the panic message.
        message: String,
    },
    /// The handler used up its CPU time.
    CpuLimit {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
    /// The handler tried to grow its memory past the limit.
    MemoryLimit {
        /// The limit, in bytes.
        limit_bytes: u64,
    },
    /// The whole call, host calls included, took longer than the wall-clock limit.
    Timeout {
        /// The limit, in milliseconds.
        limit_ms: u64,
    },
    /// The handler's output is larger than the output limit.
    OutputTooLarge {
        /// The limit, in bytes.
        limit_bytes: u64,
        /// The output's size, in bytes.
        size_bytes: u64,
    },
    /// The handler's output is not valid JSON.
    InvalidOutput {
        /// The parse error.
        message: String,
    },
    /// The host could not run the handler (for example, no instance slot was free).
    HostError {
        /// What failed.
        message: String,
    },
}

/// The kinds of trap worth telling apart in the execution history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrapKind {
    /// A Rust panic (it aborts through `unreachable`).
    Panic,
    /// The call stack overflowed (usually unbounded recursion).
    StackOverflow,
    /// A memory or table access out of bounds.
    OutOfBounds,
    /// Integer division by zero or overflow.
    Arithmetic,
    /// Any other trap.
    Other,
}

impl Outcome {
    /// Classifies a handler's JSON output text against the output limit.
    pub fn from_output(text: &str, limit_bytes: u64) -> Outcome {
        let size_bytes = text.len() as u64;
        if size_bytes > limit_bytes {
            return Outcome::OutputTooLarge {
                limit_bytes,
                size_bytes,
            };
        }
        let text = if text.trim().is_empty() { "null" } else { text };
        match serde_json::from_str(text) {
            Ok(output) => Outcome::Ok { output },
            Err(e) => Outcome::InvalidOutput {
                message: e.to_string(),
            },
        }
    }

    /// Whether the handler succeeded (and its effects are to be delivered).
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok { .. })
    }

    /// A one-line reason for a failed outcome, for stderr and the execution list.
    pub fn reason(&self) -> Option<String> {
        Some(match self {
            Outcome::Ok { .. } => return None,
            Outcome::HandlerError(e) => format!("handler error `{}`: {}", e.code, e.message),
            Outcome::InvalidConfig { message } => format!("invalid config: {message}"),
            Outcome::NotHandled { kind } => format!("the handler does not handle `{kind}` events"),
            Outcome::Trap { kind, message } => format!("trap ({}): {message}", trap_name(*kind)),
            Outcome::CpuLimit { limit_ms } => format!("CPU time limit of {limit_ms} ms exceeded"),
            Outcome::MemoryLimit { limit_bytes } => {
                format!("memory limit of {limit_bytes} bytes exceeded")
            }
            Outcome::Timeout { limit_ms } => {
                format!("wall-clock timeout of {limit_ms} ms exceeded")
            }
            Outcome::OutputTooLarge {
                limit_bytes,
                size_bytes,
            } => {
                format!("output too large: {size_bytes} bytes, limit {limit_bytes}")
            }
            Outcome::InvalidOutput { message } => format!("output is not JSON: {message}"),
            Outcome::HostError { message } => format!("host error: {message}"),
        })
    }
}

fn trap_name(kind: TrapKind) -> &'static str {
    match kind {
        TrapKind::Panic => "panic",
        TrapKind::StackOverflow => "stack overflow",
        TrapKind::OutOfBounds => "out of bounds",
        TrapKind::Arithmetic => "arithmetic",
        TrapKind::Other => "other",
    }
}

/// Resources an invocation used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Wall-clock time of the whole call, in microseconds.
    pub wall_time_us: u64,
    /// Epoch ticks elapsed while the handler ran (wasm), or operations counted (Rhai).
    pub cpu_ticks: u64,
    /// Highest linear memory size reached, in bytes.
    pub peak_memory_bytes: u64,
    /// Capability calls made.
    pub host_calls: u32,
}

/// Everything an invocation produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvocationResult {
    /// How it ended.
    pub outcome: Outcome,
    /// Staged writes in the order the handler made them; empty unless the outcome is `ok`, so a
    /// failed run can be retried without doubling any write.
    pub effects: Vec<StagedEffect>,
    /// The execution log.
    pub logs: Vec<LogLine>,
    /// Log lines dropped because the log was full.
    pub logs_dropped: u64,
    /// Resources used.
    pub usage: Usage,
}

impl InvocationResult {
    /// Assembles a result, discarding the effects unless the outcome is `ok`.
    pub fn new(
        outcome: Outcome,
        effects: Vec<StagedEffect>,
        logs: (Vec<LogLine>, u64),
        usage: Usage,
    ) -> Self {
        let effects = if outcome.is_ok() { effects } else { Vec::new() };
        Self {
            outcome,
            effects,
            logs: logs.0,
            logs_dropped: logs.1,
            usage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invocation::Effect;

    fn one_effect() -> Vec<StagedEffect> {
        vec![StagedEffect {
            id: "i/1".into(),
            effect: Effect::KvSet {
                scope: "s".into(),
                key: "k".into(),
                value: "v".into(),
            },
        }]
    }

    #[test]
    fn failed_outcomes_carry_no_effects() {
        let trap = Outcome::Trap {
            kind: TrapKind::Panic,
            message: "boom".into(),
        };
        let result = InvocationResult::new(trap, one_effect(), (vec![], 0), Usage::default());
        assert!(result.effects.is_empty());
        let ok = Outcome::Ok {
            output: serde_json::Value::Null,
        };
        assert_eq!(
            InvocationResult::new(ok, one_effect(), (vec![], 0), Usage::default())
                .effects
                .len(),
            1
        );
    }

    #[test]
    fn classifies_output_text() {
        assert_eq!(
            Outcome::from_output(r#"{"a":1}"#, 100),
            Outcome::Ok {
                output: serde_json::json!({"a": 1})
            }
        );
        assert_eq!(
            Outcome::from_output("", 100),
            Outcome::Ok {
                output: serde_json::Value::Null
            }
        );
        assert!(matches!(
            Outcome::from_output("{", 100),
            Outcome::InvalidOutput { .. }
        ));
        assert_eq!(
            Outcome::from_output("[1,2,3]", 3),
            Outcome::OutputTooLarge {
                limit_bytes: 3,
                size_bytes: 7
            }
        );
    }

    #[test]
    fn serialises_with_a_status_tag() {
        let json = serde_json::to_value(Outcome::CpuLimit { limit_ms: 5 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status": "cpu_limit", "limit_ms": 5})
        );
        let reason = Outcome::Trap {
            kind: TrapKind::StackOverflow,
            message: "deep".into(),
        }
        .reason();
        assert_eq!(reason.as_deref(), Some("trap (stack overflow): deep"));
    }
}
