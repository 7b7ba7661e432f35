//! Checking a rule against what this server has before it goes live: is its plugin installed
//! and loadable, does its config pass the plugin's schema, will its grants ever be usable, does
//! its connection exist. Each of these would otherwise surface only as failed executions.

use std::fmt;

use worklink_runtime::capability::Capability;
use worklink_runtime::schema::ConfigSchema;

use super::{Pipeline, PipelineError};
use crate::rules::HandlerRef;

/// Something about a rule that will make its executions fail or its grants useless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleWarning {
    /// The plugin is not installed or does not load.
    Plugin(String),
    /// The config does not pass the plugin's schema.
    Config(String),
    /// Capabilities the manifest requests but the plugin does not ask for in `describe()`, so
    /// approving them has no effect.
    UndeclaredGrants(Vec<Capability>),
    /// Capabilities the plugin needs that the manifest does not request, so calls to them are
    /// denied.
    UnrequestedCapabilities(Vec<Capability>),
    /// Capabilities the manifest requests that no admin has approved yet.
    AwaitingApproval(Vec<Capability>),
    /// The manifest names a connection that is not configured.
    Connection(String),
}

impl fmt::Display for RuleWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names =
            |caps: &[Capability]| caps.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
        match self {
            RuleWarning::Plugin(reason) => write!(f, "plugin: {reason}"),
            RuleWarning::Config(reason) => write!(f, "config: {reason}"),
            RuleWarning::UndeclaredGrants(caps) => write!(
                f,
                "grants the plugin does not ask for (approving them has no effect): {}",
                names(caps)
            ),
            RuleWarning::UnrequestedCapabilities(caps) => write!(
                f,
                "the plugin needs capabilities the manifest does not request (calls are denied): {}",
                names(caps)
            ),
            RuleWarning::AwaitingApproval(caps) => {
                write!(f, "grants awaiting approval: {}", names(caps))
            }
            RuleWarning::Connection(reason) => write!(f, "connection: {reason}"),
        }
    }
}

impl Pipeline {
    /// What stands between rule `name`'s current version and executions that succeed; empty
    /// when nothing does.
    pub async fn check_rule(&self, name: &str) -> Result<Vec<RuleWarning>, PipelineError> {
        let record = self
            .store
            .rule(name)
            .await?
            .ok_or_else(|| PipelineError::UnknownRule(name.to_owned()))?;
        let version = record
            .current_version
            .ok_or_else(|| PipelineError::UnknownRule(name.to_owned()))?;
        let rule = self.rules.get(&version, self.handlers.scripts())?;
        let manifest = &rule.rule.manifest;
        let mut warnings = Vec::new();
        if let Err(e) = self.connection_for(&rule, "") {
            warnings.push(RuleWarning::Connection(e.to_string()));
        }
        let awaiting: Vec<Capability> = manifest
            .grants
            .iter()
            .copied()
            .filter(|cap| !record.approved_grants.contains(cap))
            .collect();
        if !awaiting.is_empty() {
            warnings.push(RuleWarning::AwaitingApproval(awaiting));
        }
        let HandlerRef::Plugin(plugin) = &manifest.handler else {
            return Ok(warnings);
        };
        let plugin = match self.handlers.get(plugin).await {
            Ok(plugin) => plugin,
            Err(e) => {
                warnings.push(RuleWarning::Plugin(e.to_string()));
                return Ok(warnings);
            }
        };
        let info = plugin.info();
        match ConfigSchema::compile(info.config_schema.as_ref()) {
            Ok(schema) => {
                if let Err(reason) = schema.validate(&manifest.config) {
                    warnings.push(RuleWarning::Config(reason));
                }
            }
            Err(e) => warnings.push(RuleWarning::Plugin(e.to_string())),
        }
        let undeclared: Vec<Capability> = manifest
            .grants
            .iter()
            .copied()
            .filter(|cap| !info.capabilities.contains(cap))
            .collect();
        if !undeclared.is_empty() {
            warnings.push(RuleWarning::UndeclaredGrants(undeclared));
        }
        let mut unrequested: Vec<Capability> = info
            .capabilities
            .iter()
            .copied()
            .filter(|cap| !manifest.grants.contains(cap))
            .collect();
        unrequested.sort();
        if !unrequested.is_empty() {
            warnings.push(RuleWarning::UnrequestedCapabilities(unrequested));
        }
        Ok(warnings)
    }
}
