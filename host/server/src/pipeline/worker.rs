//! One worker step: claim an execution, run it, commit how it ended.

use worklink_runtime::invocation::Outcome;
use worklink_runtime::types::{Event, LogLevel};

use super::compiled::CompiledRule;
use super::completion::{Judged, host_line, without_run};
use super::{Pipeline, PipelineError};
use crate::storage::executions::{self, ClaimedExecution, Completion, ExecutionStatus};
use crate::storage::inbox::StoredEvent;

/// What [`Pipeline::run_one`] did with the execution it claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The execution.
    pub execution_id: i64,
    /// The rule it belongs to, when its version could be read.
    pub rule: Option<String>,
    /// Its status now: succeeded, skipped, failed, or queued again for a retry.
    pub status: ExecutionStatus,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// Effects put in the outbox.
    pub effects: usize,
    /// Why it failed (or will be retried), if it did.
    pub error: Option<String>,
}

impl Pipeline {
    /// Claims the next due execution as `worker`, runs it and commits the outcome; `None` when
    /// nothing is due. A failing handler is not an error here (it is recorded on the execution);
    /// an error means the database failed or the lease was lost, and the execution will be
    /// claimed again.
    pub async fn run_one(&self, worker: &str) -> Result<Option<RunReport>, PipelineError> {
        let now = self.now();
        let lease_ms = i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX);
        let Some(claimed) = self
            .store
            .claim_execution(worker, now, now.saturating_add(lease_ms))
            .await?
        else {
            return Ok(None);
        };
        let (rule, completion) = self.execute(&claimed).await?;
        self.store
            .complete_execution(claimed.id, worker, self.now(), &completion)
            .await?;
        let (status, effects, error) = match completion.outcome {
            executions::Outcome::Succeeded { effects } => {
                (ExecutionStatus::Succeeded, effects.len(), None)
            }
            executions::Outcome::Retry { error, .. } => (ExecutionStatus::Queued, 0, Some(error)),
            executions::Outcome::Failed { error } => (ExecutionStatus::Failed, 0, Some(error)),
            executions::Outcome::Skipped => (ExecutionStatus::Skipped, 0, None),
        };
        Ok(Some(RunReport {
            execution_id: claimed.id,
            rule,
            status,
            attempts: claimed.attempts,
            effects,
            error,
        }))
    }

    /// Runs a claimed execution and says how it ended (and for which rule).
    async fn execute(
        &self,
        claimed: &ClaimedExecution,
    ) -> Result<(Option<String>, Completion), PipelineError> {
        let fail = |error: String| executions::Outcome::Failed { error };
        // Versions are immutable: one prepared earlier needs no database read.
        let rule = match self.rules.prepared(claimed.rule_version_id) {
            Some(rule) => rule,
            None => {
                let Some(version) = self.store.rule_version(claimed.rule_version_id).await? else {
                    let error = format!("rule version {} does not exist", claimed.rule_version_id);
                    return Ok((None, without_run(fail(error.clone()), error)));
                };
                match self.rules.get(&version, self.handlers.scripts()) {
                    Ok(rule) => rule,
                    Err(e) => {
                        let error = e.to_string();
                        return Ok((
                            Some(version.rule_id),
                            without_run(fail(error.clone()), error),
                        ));
                    }
                }
            }
        };
        let name = Some(rule.name().to_owned());
        let record = self.store.rule(rule.name()).await?;
        let Some(record) = record.filter(|r| r.enabled) else {
            let note = format!("skipped: rule `{}` is disabled", rule.name());
            return Ok((name, without_run(executions::Outcome::Skipped, note)));
        };
        let Some(stored) = self.store.event(claimed.event_id).await? else {
            let error = format!("inbox event {} does not exist", claimed.event_id);
            return Ok((name, without_run(fail(error.clone()), error)));
        };
        let event = event_of(stored);
        match self.condition(&rule, &event) {
            Ok(true) => {}
            Ok(false) => {
                let note = "skipped: `when` is false for this event".to_owned();
                return Ok((name, without_run(executions::Outcome::Skipped, note)));
            }
            Err(error) => return Ok((name, without_run(fail(error.clone()), error))),
        }
        let connection = match self.connection_for(&rule, &event.source) {
            Ok(connection) => connection,
            Err(e) => {
                let error = e.to_string();
                return Ok((name, without_run(fail(error.clone()), error)));
            }
        };
        let result = self
            .invoke(
                &rule,
                &record.approved_grants,
                connection.as_deref(),
                &event,
                format!("exec-{}", claimed.id),
            )
            .await;
        let mut completion = Judged {
            result: &result,
            retry: rule.rule.manifest.retry,
            attempt: claimed.attempts,
            now: self.now(),
            connection: connection.as_deref(),
        }
        .completion();
        if !matches!(result.outcome, Outcome::Ok { .. }) {
            tracing::info!(
                execution = claimed.id,
                rule = rule.name(),
                attempt = claimed.attempts,
                reason = result.outcome.reason().unwrap_or_default(),
                "handler run did not succeed"
            );
        }
        if let Some(original) = claimed.replay_of {
            let note = host_line(LogLevel::Info, format!("replay of execution {original}"));
            if let Ok(line) = serde_json::to_string(&note) {
                completion.logs.insert_str(0, &(line + "\n"));
            }
        }
        Ok((name, completion))
    }

    /// Evaluates the rule's `when` on `event` (true when it has none); an evaluation error is
    /// the reason the execution fails.
    pub(super) fn condition(&self, rule: &CompiledRule, event: &Event) -> Result<bool, String> {
        match &rule.condition {
            None => Ok(true),
            Some(condition) => self
                .handlers
                .scripts()
                .eval_condition(condition, event)
                .map_err(|e| format!("`when` failed: {e}")),
        }
    }
}

/// An inbox event as handlers see it; its id is the inbox id.
pub(super) fn event_of(stored: StoredEvent) -> Event {
    Event {
        id: stored.id.to_string(),
        kind: stored.kind,
        source: stored.source,
        occurred_at: stored.occurred_at,
        payload: stored.payload,
    }
}
