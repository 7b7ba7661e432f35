//! What a rule version stores: the manifest text and, for script rules, the script text.
//!
//! Both go into the version's content, so editing only the script publishes a new version, and a
//! version can be run (or replayed months later) from the database alone, exactly as it was.

use serde::{Deserialize, Serialize};

use super::{Manifest, RuleError};
use crate::storage::rules::RuleVersion;

/// The stored content of a rule version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSource {
    /// The manifest's file name within the rules directory, e.g. `task-notify.toml`.
    pub file: String,
    /// The manifest text.
    pub manifest: String,
    /// The handler script, for `script = "..."` rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<ScriptSource>,
}

/// A handler script as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptSource {
    /// The script's path within the rules directory, as the manifest names it.
    pub file: String,
    /// The script text.
    pub text: String,
}

impl RuleSource {
    /// The text stored as the version's content (JSON, so both texts survive unchanged).
    pub fn to_content(&self) -> String {
        // A struct of strings always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a version's content back.
    pub fn from_content(content: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(content)
    }
}

/// A published rule version, parsed: what the pipeline matches and runs.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The version's id (what executions reference).
    pub version_id: i64,
    /// The version number within the rule.
    pub version: i64,
    /// The checked manifest.
    pub manifest: Manifest,
    /// The handler script, for script rules.
    pub script: Option<ScriptSource>,
}

impl Rule {
    /// Parses a stored version. The manifest was checked when it was published; checking it again
    /// here guards against content written by another version of the server.
    pub fn from_version(version: &RuleVersion) -> Result<Self, RuleError> {
        let content_error = |reason: String| RuleError::Content {
            rule: version.rule_id.clone(),
            version: version.version,
            reason,
        };
        let source =
            RuleSource::from_content(&version.content).map_err(|e| content_error(e.to_string()))?;
        let manifest = Manifest::parse(&source.manifest, source.file.as_ref())?;
        if manifest.name != version.rule_id {
            return Err(content_error(format!(
                "its manifest names rule `{}`",
                manifest.name
            )));
        }
        Ok(Rule {
            version_id: version.id,
            version: version.version,
            manifest,
            script: source.script,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(content: String) -> RuleVersion {
        RuleVersion {
            id: 7,
            rule_id: "notify".into(),
            version: 2,
            content_hash: String::new(),
            content,
        }
    }

    #[test]
    fn a_stored_version_parses_back_into_its_rule() {
        let source = RuleSource {
            file: "notify.toml".into(),
            manifest: "name = \"notify\"\non = \"erp.*\"\nscript = \"notify.rhai\"\n".into(),
            script: Some(ScriptSource {
                file: "notify.rhai".into(),
                text: "fn handle(event, config) { }".into(),
            }),
        };
        let rule = Rule::from_version(&version(source.to_content())).unwrap();
        assert_eq!(rule.version_id, 7);
        assert_eq!(rule.manifest.name, "notify");
        assert_eq!(rule.script, source.script);
    }

    #[test]
    fn content_that_is_not_a_rule_source_is_reported_with_the_rule() {
        let err = Rule::from_version(&version("on = \"x\"".into())).unwrap_err();
        assert!(matches!(err, RuleError::Content { .. }), "{err}");
        assert!(
            err.to_string().starts_with("rule `notify` version 2"),
            "{err}"
        );
    }
}
