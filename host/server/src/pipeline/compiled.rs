//! A rule version ready to match and run: its manifest parsed, its `when` condition and script
//! compiled. Versions are immutable, so each is prepared once per process and kept by id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use worklink_runtime::script::{CompiledScript, Condition, ScriptEngine};

use super::PipelineError;
use crate::rules::{Rule, SCHEDULE_FIRED};
use crate::storage::inbox::StoredEvent;
use crate::storage::rules::RuleVersion;

/// A prepared rule version.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    /// The parsed version.
    pub rule: Rule,
    /// The compiled `when`, if the rule has one.
    pub condition: Option<Condition>,
    /// The compiled handler script, for script rules.
    pub script: Option<Arc<CompiledScript>>,
}

impl CompiledRule {
    /// The rule's name.
    pub fn name(&self) -> &str {
        &self.rule.manifest.name
    }

    /// Whether `event` is for this rule: its kind matches `on`, and a scheduler tick is this
    /// rule's own.
    pub fn wants(&self, event: &StoredEvent) -> bool {
        let manifest = &self.rule.manifest;
        if !manifest.on.matches(&event.kind) {
            return false;
        }
        event.kind != SCHEDULE_FIRED
            || event.payload.get("rule").and_then(|r| r.as_str()) == Some(manifest.name.as_str())
    }
}

/// Prepared versions by id.
#[derive(Debug, Default)]
pub(crate) struct RuleCache {
    prepared: Mutex<HashMap<i64, Arc<CompiledRule>>>,
}

impl RuleCache {
    /// Version `id`, if it was prepared before.
    pub fn prepared(&self, id: i64) -> Option<Arc<CompiledRule>> {
        self.lock().get(&id).cloned()
    }

    /// `version`, prepared (once).
    pub fn get(
        &self,
        version: &RuleVersion,
        engine: &ScriptEngine,
    ) -> Result<Arc<CompiledRule>, PipelineError> {
        if let Some(ready) = self.prepared(version.id) {
            return Ok(ready);
        }
        let rule = Rule::from_version(version)?;
        let script_error = |source| PipelineError::Script {
            rule: rule.manifest.name.clone(),
            source: Box::new(source),
        };
        let condition = rule
            .manifest
            .when
            .as_deref()
            .map(|when| {
                engine.compile_condition_named(&format!("{} when", rule.manifest.name), when)
            })
            .transpose()
            .map_err(script_error)?;
        let script = rule
            .script
            .as_ref()
            .map(|source| engine.compile(&source.file, &source.text))
            .transpose()
            .map_err(script_error)?;
        let ready = Arc::new(CompiledRule {
            rule,
            condition,
            script,
        });
        self.lock().insert(version.id, ready.clone());
        Ok(ready)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<CompiledRule>>> {
        self.prepared.lock().unwrap_or_else(|e| e.into_inner())
    }
}
