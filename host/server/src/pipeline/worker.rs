//! One worker step: claim a batch of executions, run them, commit how they ended.

use worklink_runtime::invocation::Outcome;
use worklink_runtime::types::{Event, LogLevel};

use std::collections::HashMap;
use std::sync::Arc;

use super::capabilities::DirectoryMemo;
use super::compiled::CompiledRule;
use super::completion::{Judged, host_line, without_run};
use super::{Pipeline, PipelineError};
use crate::storage::executions::{self, ClaimedExecution, Completion, ExecutionStatus};
use crate::storage::inbox::StoredEvent;
use crate::storage::rules::RuleRecord;

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

/// A claimed execution's inputs, read before it runs: the batch reads them together.
struct Inputs {
    /// The rule version, prepared; otherwise the rule's name when known and why it cannot run.
    rule: Result<Arc<CompiledRule>, (Option<String>, String)>,
    /// The rule's row (enabled flag and approved grants), when the rule exists.
    record: Option<RuleRecord>,
    /// The inbox event, when it exists.
    event: Option<StoredEvent>,
}

impl Pipeline {
    /// Claims the next due execution as `worker`, runs it and commits the outcome; `None` when
    /// nothing is due. A failing handler is not an error here (it is recorded on the execution);
    /// an error means the database failed or the lease was lost, and the execution will be
    /// claimed again.
    pub async fn run_one(&self, worker: &str) -> Result<Option<RunReport>, PipelineError> {
        Ok(self.run_batch(worker, 1).await?.pop())
    }

    /// Claims up to `limit` due executions as `worker`, runs them concurrently (sharing their
    /// directory reads, see [`DirectoryMemo`]) and commits their outcomes together; an empty
    /// list when nothing is due. The batch costs a handful of statements (claim, events, rules,
    /// one completing transaction) however many executions it holds, which is what lets a
    /// worker keep up with a busy inbox. If committing the batch fails (a lease ran out, a
    /// database error), each execution is committed on its own, so one bad row does not hold
    /// back the others.
    pub async fn run_batch(
        &self,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<RunReport>, PipelineError> {
        let now = self.now();
        let lease_ms = i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX);
        let claimed = self
            .store
            .claim_executions(worker, now, now.saturating_add(lease_ms), limit)
            .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let inputs = self.inputs(&claimed).await?;
        let memo = DirectoryMemo::default();
        let runs = futures_util::future::join_all(
            claimed
                .iter()
                .zip(inputs)
                .map(|(execution, inputs)| self.execute(execution, inputs, &memo)),
        )
        .await;
        let finished = self.now();
        let done: Vec<(i64, &Completion)> = claimed
            .iter()
            .zip(&runs)
            .map(|(execution, (_, completion))| (execution.id, completion))
            .collect();
        if let Err(error) = self
            .store
            .complete_executions(worker, finished, &done)
            .await
        {
            if done.len() == 1 {
                return Err(error.into());
            }
            tracing::debug!(%error, "committing a batch failed; committing one by one");
            let mut reports = Vec::with_capacity(done.len());
            for (execution, (rule, completion)) in claimed.iter().zip(&runs) {
                match self
                    .store
                    .complete_execution(execution.id, worker, finished, completion)
                    .await
                {
                    Ok(()) => reports.push(report(execution, rule.clone(), completion)),
                    Err(error) => tracing::warn!(
                        %worker, execution = execution.id, %error, "committing an execution failed"
                    ),
                }
            }
            return Ok(reports);
        }
        Ok(claimed
            .iter()
            .zip(&runs)
            .map(|(execution, (rule, completion))| report(execution, rule.clone(), completion))
            .collect())
    }

    /// Reads what the claimed executions need, one query per kind of row rather than per
    /// execution: their events together, each distinct rule's row once, and rule versions only
    /// when they are not prepared already (versions are immutable, so a prepared one is final).
    async fn inputs(&self, claimed: &[ClaimedExecution]) -> Result<Vec<Inputs>, PipelineError> {
        let mut event_ids: Vec<i64> = claimed.iter().map(|c| c.event_id).collect();
        event_ids.sort_unstable();
        event_ids.dedup();
        let mut events: HashMap<i64, StoredEvent> = self
            .store
            .events(&event_ids)
            .await?
            .into_iter()
            .map(|event| (event.id, event))
            .collect();
        let mut records: HashMap<String, Option<RuleRecord>> = HashMap::new();
        let mut inputs = Vec::with_capacity(claimed.len());
        for (n, execution) in claimed.iter().enumerate() {
            let rule = self.prepared_rule(execution.rule_version_id).await?;
            let record = match &rule {
                Ok(rule) => match records.get(rule.name()) {
                    Some(record) => record.clone(),
                    None => {
                        let record = self.store.rule(rule.name()).await?;
                        records.insert(rule.name().to_owned(), record.clone());
                        record
                    }
                },
                Err(_) => None,
            };
            // The last execution of an event takes it; earlier ones of the same event clone.
            let shared = claimed[n + 1..]
                .iter()
                .any(|c| c.event_id == execution.event_id);
            let event = if shared {
                events.get(&execution.event_id).cloned()
            } else {
                events.remove(&execution.event_id)
            };
            inputs.push(Inputs {
                rule,
                record,
                event,
            });
        }
        Ok(inputs)
    }

    /// Rule version `id`, prepared (from memory when it was before); the error is the rule's
    /// name when known and why the version cannot run.
    async fn prepared_rule(
        &self,
        id: i64,
    ) -> Result<Result<Arc<CompiledRule>, (Option<String>, String)>, PipelineError> {
        if let Some(rule) = self.rules.prepared(id) {
            return Ok(Ok(rule));
        }
        let Some(version) = self.store.rule_version(id).await? else {
            return Ok(Err((None, format!("rule version {id} does not exist"))));
        };
        Ok(self
            .rules
            .get(&version, self.handlers.scripts())
            .map_err(|e| (Some(version.rule_id.clone()), e.to_string())))
    }

    /// Runs a claimed execution on its inputs and says how it ended (and for which rule).
    async fn execute(
        &self,
        claimed: &ClaimedExecution,
        inputs: Inputs,
        memo: &DirectoryMemo,
    ) -> (Option<String>, Completion) {
        let fail = |error: String| executions::Outcome::Failed { error };
        let rule = match inputs.rule {
            Ok(rule) => rule,
            Err((name, error)) => return (name, without_run(fail(error.clone()), error)),
        };
        let name = Some(rule.name().to_owned());
        let Some(record) = inputs.record.filter(|r| r.enabled) else {
            let note = format!("skipped: rule `{}` is disabled", rule.name());
            return (name, without_run(executions::Outcome::Skipped, note));
        };
        let Some(stored) = inputs.event else {
            let error = format!("inbox event {} does not exist", claimed.event_id);
            return (name, without_run(fail(error.clone()), error));
        };
        let event = event_of(stored);
        match self.condition(&rule, &event) {
            Ok(true) => {}
            Ok(false) => {
                let note = "skipped: `when` is false for this event".to_owned();
                return (name, without_run(executions::Outcome::Skipped, note));
            }
            Err(error) => return (name, without_run(fail(error.clone()), error)),
        }
        let connection = match self.connection_for(&rule, &event.source) {
            Ok(connection) => connection,
            Err(e) => {
                let error = e.to_string();
                return (name, without_run(fail(error.clone()), error));
            }
        };
        let result = self
            .invoke(
                &rule,
                &record.approved_grants,
                connection.as_deref(),
                &event,
                format!("exec-{}", claimed.id),
                memo,
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
        (name, completion)
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

/// What became of `execution` once `completion` is committed.
fn report(
    execution: &ClaimedExecution,
    rule: Option<String>,
    completion: &Completion,
) -> RunReport {
    let (status, effects, error) = match &completion.outcome {
        executions::Outcome::Succeeded { effects } => {
            (ExecutionStatus::Succeeded, effects.len(), None)
        }
        executions::Outcome::Retry { error, .. } => {
            (ExecutionStatus::Queued, 0, Some(error.clone()))
        }
        executions::Outcome::Failed { error } => (ExecutionStatus::Failed, 0, Some(error.clone())),
        executions::Outcome::Skipped => (ExecutionStatus::Skipped, 0, None),
    };
    RunReport {
        execution_id: execution.id,
        rule,
        status,
        attempts: execution.attempts,
        effects,
        error,
    }
}
