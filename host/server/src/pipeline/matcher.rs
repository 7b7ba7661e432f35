//! Matching: unmatched inbox events → queued executions of the enabled rules that want them.
//!
//! Only the `on` pattern is checked here; `when` is evaluated by the worker, so a condition that
//! reads the payload never slows down the single step that drains the inbox. A batch of events
//! is queued and marked matched in one transaction, and an event matched twice (two replicas
//! reading the same batch) still gets one execution per rule version.

use std::sync::Arc;

use super::compiled::CompiledRule;
use super::{Pipeline, PipelineError};

/// What one matching round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchReport {
    /// Inbox events matched (with or without rules).
    pub events: usize,
    /// Executions newly queued.
    pub executions: usize,
}

impl Pipeline {
    /// Matches up to one batch of unmatched inbox events against the enabled rules, in one
    /// transaction.
    pub async fn match_pending(&self) -> Result<MatchReport, PipelineError> {
        let events = self
            .store
            .unmatched_events(self.options.match_batch)
            .await?;
        if events.is_empty() {
            return Ok(MatchReport::default());
        }
        let rules = self.enabled_rules().await?;
        let matches: Vec<(i64, Vec<i64>)> = events
            .iter()
            .map(|event| {
                let versions = rules
                    .iter()
                    .filter(|rule| rule.wants(event))
                    .map(|rule| rule.rule.version_id)
                    .collect();
                (event.id, versions)
            })
            .collect();
        let queued = self.store.enqueue_matches(&matches, self.now()).await?;
        let report = MatchReport {
            events: events.len(),
            executions: queued.len(),
        };
        Ok(report)
    }

    /// The current versions of the enabled rules, prepared. A version that cannot be prepared is
    /// logged and left out: matching the other rules must not stop because of it.
    async fn enabled_rules(&self) -> Result<Vec<Arc<CompiledRule>>, PipelineError> {
        let versions = self.store.enabled_rule_versions().await?;
        let mut rules = Vec::with_capacity(versions.len());
        for version in &versions {
            match self.rules.get(version, self.handlers.scripts()) {
                Ok(rule) => rules.push(rule),
                Err(error) => tracing::error!(
                    rule = %version.rule_id,
                    version = version.version,
                    %error,
                    "rule version cannot be matched"
                ),
            }
        }
        Ok(rules)
    }
}
