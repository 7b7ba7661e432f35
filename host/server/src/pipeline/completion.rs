//! What a handler run means for its execution.
//!
//! - Success: every staged effect becomes an outbox row keyed by its effect id
//!   (`exec-<execution id>/<n>`, the same on every retry of the execution, so a crash between
//!   running and committing can never deliver twice), with the effect's JSON plus the rule's
//!   connection as payload.
//! - Declined: the plugin does not handle the event's kind → skipped.
//! - Failures that a rerun cannot fix (a handler error it marks not retryable, a config its
//!   schema rejects) → failed at once.
//! - Anything else (a retryable handler error, a trap, a limit, a host error) → retried with the
//!   rule's backoff while attempts remain, then failed: the execution dead letter.
//!
//! Logs are stored as JSON lines, one [`LogLine`] per line, so the history can show them as text
//! and tools can still parse them.

use worklink_runtime::invocation::{InvocationResult, LogLine, LogSource, Outcome, StagedEffect};
use worklink_runtime::types::LogLevel;

use crate::rules::RetryPolicy;
use crate::storage::Millis;
use crate::storage::executions::{self, Completion, NewEffect, ResourceUse};

/// Everything needed to judge one run.
pub(super) struct Judged<'a> {
    /// The handler's result.
    pub result: &'a InvocationResult,
    /// The rule's retry policy.
    pub retry: RetryPolicy,
    /// Which attempt this was (1-based).
    pub attempt: i64,
    /// When the run ended.
    pub now: Millis,
    /// The rule's connection, recorded on each effect for delivery.
    pub connection: Option<&'a str>,
}

impl Judged<'_> {
    /// The completion to commit.
    pub fn completion(&self) -> Completion {
        let result = self.result;
        let outcome = match &result.outcome {
            Outcome::Ok { .. } => match effects(&result.effects, self.connection) {
                Ok(effects) => executions::Outcome::Succeeded { effects },
                Err(error) => executions::Outcome::Failed { error },
            },
            Outcome::NotHandled { .. } => executions::Outcome::Skipped,
            Outcome::HandlerError(e) if !e.retryable => executions::Outcome::Failed {
                error: reason(&result.outcome),
            },
            Outcome::InvalidConfig { .. } => executions::Outcome::Failed {
                error: reason(&result.outcome),
            },
            failed => self.retry_or_fail(reason(failed)),
        };
        let mut logs = result.logs.clone();
        if let Outcome::NotHandled { kind } = &result.outcome {
            logs.push(host_line(
                LogLevel::Info,
                format!("skipped: the handler does not handle `{kind}` events"),
            ));
        }
        Completion {
            outcome,
            logs: render_logs(&logs),
            usage: ResourceUse {
                duration_ms: i64::try_from(result.usage.wall_time_us / 1_000).unwrap_or(i64::MAX),
                // The CPU measure the sandbox keeps: epoch ticks in wasm, operations in Rhai.
                fuel_used: i64::try_from(result.usage.cpu_ticks).ok(),
                memory_peak_bytes: (result.usage.peak_memory_bytes > 0)
                    .then(|| i64::try_from(result.usage.peak_memory_bytes).unwrap_or(i64::MAX)),
            },
        }
    }

    fn retry_or_fail(&self, error: String) -> executions::Outcome {
        if self.retry.allows_retry_after(self.attempt) {
            let delay = i64::try_from(self.retry.delay_after(self.attempt)).unwrap_or(i64::MAX);
            executions::Outcome::Retry {
                error,
                retry_at: self.now.saturating_add(delay),
            }
        } else {
            executions::Outcome::Failed {
                error: format!("gave up after {} attempts: {error}", self.attempt),
            }
        }
    }
}

/// A completion that ends an execution without running its handler.
pub(super) fn without_run(outcome: executions::Outcome, note: String) -> Completion {
    let level = match outcome {
        executions::Outcome::Failed { .. } => LogLevel::Error,
        _ => LogLevel::Info,
    };
    Completion {
        outcome,
        logs: render_logs(&[host_line(level, note)]),
        usage: ResourceUse::default(),
    }
}

/// A log line from the host about the run.
pub(super) fn host_line(level: LogLevel, message: String) -> LogLine {
    LogLine {
        level,
        source: LogSource::Host,
        message,
    }
}

fn reason(outcome: &Outcome) -> String {
    outcome
        .reason()
        .unwrap_or_else(|| "the handler succeeded".to_owned())
}

/// Staged effects as outbox rows.
fn effects(staged: &[StagedEffect], connection: Option<&str>) -> Result<Vec<NewEffect>, String> {
    staged
        .iter()
        .map(|effect| {
            let mut payload = serde_json::to_value(effect)
                .map_err(|e| format!("effect {} cannot be serialised: {e}", effect.id))?;
            let kind = payload
                .get("effect")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_owned();
            if let Some(object) = payload.as_object_mut() {
                object.insert("connection".into(), connection.into());
            }
            Ok(NewEffect {
                idempotency_key: effect.id.clone(),
                kind,
                payload,
            })
        })
        .collect()
}

/// Log lines as JSON lines.
fn render_logs(lines: &[LogLine]) -> String {
    lines
        .iter()
        .filter_map(|line| serde_json::to_string(line).ok())
        .map(|json| json + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use worklink_runtime::invocation::{Effect, TrapKind, Usage};
    use worklink_runtime::types::HandlerError;

    fn result(outcome: Outcome, effects: Vec<StagedEffect>) -> InvocationResult {
        InvocationResult::new(
            outcome,
            effects,
            (vec![host_line(LogLevel::Info, "ran".into())], 0),
            Usage {
                wall_time_us: 2_500,
                ..Usage::default()
            },
        )
    }

    fn judge(result: &InvocationResult, attempt: i64) -> Completion {
        Judged {
            result,
            retry: RetryPolicy::default(),
            attempt,
            now: 10_000,
            connection: Some("acme"),
        }
        .completion()
    }

    #[test]
    fn effects_keep_their_ids_and_carry_the_connection() {
        let staged = StagedEffect {
            id: "exec-7/1".into(),
            effect: Effect::KvSet {
                scope: "s".into(),
                key: "k".into(),
                value: "v".into(),
            },
        };
        let ok = result(
            Outcome::Ok {
                output: serde_json::Value::Null,
            },
            vec![staged],
        );
        let completion = judge(&ok, 1);
        let executions::Outcome::Succeeded { effects } = completion.outcome else {
            panic!("{completion:?}");
        };
        assert_eq!(effects[0].idempotency_key, "exec-7/1");
        assert_eq!(effects[0].kind, "kv_set");
        assert_eq!(
            effects[0].payload,
            serde_json::json!({"id": "exec-7/1", "effect": "kv_set", "scope": "s", "key": "k",
                "value": "v", "connection": "acme"})
        );
        assert_eq!(completion.usage.duration_ms, 2);
        assert!(
            completion.logs.ends_with("\"message\":\"ran\"}\n"),
            "{}",
            completion.logs
        );
    }

    #[test]
    fn failures_retry_with_backoff_until_the_attempts_are_spent() {
        let trap = result(
            Outcome::Trap {
                kind: TrapKind::Panic,
                message: "boom".into(),
            },
            vec![],
        );
        assert_eq!(
            judge(&trap, 1).outcome,
            executions::Outcome::Retry {
                error: "trap (panic): boom".into(),
                retry_at: 11_000
            }
        );
        assert!(matches!(
            judge(&trap, 2).outcome,
            executions::Outcome::Retry {
                retry_at: 12_000,
                ..
            }
        ));
        let executions::Outcome::Failed { error } = judge(&trap, 3).outcome else {
            panic!("the third failure is final");
        };
        assert!(
            error.starts_with("gave up after 3 attempts: trap"),
            "{error}"
        );
    }

    #[test]
    fn errors_a_rerun_cannot_fix_fail_at_once() {
        let permanent = result(
            Outcome::HandlerError(HandlerError {
                code: "unbound-assignee".into(),
                message: "no binding".into(),
                retryable: false,
            }),
            vec![],
        );
        assert!(matches!(
            judge(&permanent, 1).outcome,
            executions::Outcome::Failed { .. }
        ));
        let config = result(
            Outcome::InvalidConfig {
                message: "bad".into(),
            },
            vec![],
        );
        assert!(matches!(
            judge(&config, 1).outcome,
            executions::Outcome::Failed { .. }
        ));
    }

    #[test]
    fn an_unhandled_kind_is_skipped_with_a_note() {
        let declined = result(Outcome::NotHandled { kind: "x.y".into() }, vec![]);
        let completion = judge(&declined, 1);
        assert_eq!(completion.outcome, executions::Outcome::Skipped);
        assert!(
            completion.logs.contains("does not handle `x.y`"),
            "{}",
            completion.logs
        );
    }
}
