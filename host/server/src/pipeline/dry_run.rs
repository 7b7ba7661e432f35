//! Dry runs: a rule's current version on a given event, with nothing stored.
//!
//! The handler runs exactly as it would live (same config, grants, limits and live reads), and
//! the result lists the effects it would stage. Whether a live event would reach the handler at
//! all is reported in the log: a dry run still runs the handler when the `on` pattern does not
//! match or `when` is false, so a rule can be tried on any event.

use worklink_runtime::invocation::InvocationResult;
use worklink_runtime::types::{Event, LogLevel};

use super::capabilities::DirectoryMemo;
use super::completion::host_line;
use super::{Pipeline, PipelineError};

impl Pipeline {
    /// Runs rule `rule` (its current version, enabled or not) on `event`; stores nothing.
    pub async fn dry_run(
        &self,
        rule: &str,
        event: Event,
    ) -> Result<InvocationResult, PipelineError> {
        let record = self
            .store
            .rule(rule)
            .await?
            .ok_or_else(|| PipelineError::UnknownRule(rule.to_owned()))?;
        let version = record
            .current_version
            .ok_or_else(|| PipelineError::UnknownRule(rule.to_owned()))?;
        let compiled = self.rules.get(&version, self.handlers.scripts())?;
        let connection = self.connection_for(&compiled, &event.source)?;

        let mut notes = Vec::new();
        let manifest = &compiled.rule.manifest;
        if !manifest.on.matches(&event.kind) {
            notes.push(host_line(
                LogLevel::Warn,
                format!(
                    "dry run: `on = \"{}\"` does not match `{}`; a live event would not run this rule",
                    manifest.on, event.kind
                ),
            ));
        }
        match self.condition(&compiled, &event) {
            Ok(true) => {}
            Ok(false) => notes.push(host_line(
                LogLevel::Warn,
                "dry run: `when` is false; a live event would be skipped".into(),
            )),
            Err(error) => notes.push(host_line(LogLevel::Error, format!("dry run: {error}"))),
        }
        if !record.enabled {
            notes.push(host_line(
                LogLevel::Info,
                format!("dry run: rule `{rule}` is disabled; live events do not run it"),
            ));
        }
        let invocation_id = format!("dry-run-{}", event.id);
        let mut result = self
            .invoke(
                &compiled,
                &record.approved_grants,
                connection.as_deref(),
                &event,
                invocation_id,
                &DirectoryMemo::default(),
            )
            .await;
        notes.append(&mut result.logs);
        result.logs = notes;
        Ok(result)
    }
}
