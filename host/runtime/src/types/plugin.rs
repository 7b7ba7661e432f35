//! What a handler says about itself and how it fails (WIT `types.plugin-info`, `handler-error`,
//! `log.level`).

use serde::{Deserialize, Serialize};

use crate::capability::Capability;

/// What a plugin or script says about itself; read once at install.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Plugin name, lowercase with dashes.
    pub name: String,
    /// Plugin version (semver).
    pub version: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Event kinds handled; a trailing `*` matches a prefix.
    pub handles: Vec<String>,
    /// Capabilities the plugin needs.
    pub capabilities: Vec<Capability>,
    /// JSON Schema of the rule config; `None` means "any JSON object".
    #[serde(default)]
    pub config_schema: Option<serde_json::Value>,
}

impl PluginInfo {
    /// Whether the plugin says it handles events of `kind` (patterns as in [`kind_matches`]).
    pub fn handles(&self, kind: &str) -> bool {
        self.handles
            .iter()
            .any(|pattern| kind_matches(pattern, kind))
    }
}

/// Whether event `kind` matches `pattern`, compared dot-separated segment by segment: `*` stands
/// for exactly one segment, except as the last segment, where it stands for one or more. So
/// `approval.*` matches `approval.finished`, `*.contact.user.created` matches the WeCom and the
/// DingTalk kind alike, and `*` matches everything. The plugin SDK's `Event::is` follows the same
/// rule, so what a plugin declares it handles means the same on both sides of the sandbox.
pub fn kind_matches(pattern: &str, kind: &str) -> bool {
    let mut kind_segments = kind.split('.');
    let mut pattern_segments = pattern.split('.').peekable();
    while let Some(segment) = pattern_segments.next() {
        let last = pattern_segments.peek().is_none();
        match kind_segments.next() {
            None => return false,
            Some(_) if segment == "*" && last => return true,
            Some(actual) if segment == "*" || segment == actual => {}
            Some(_) => return false,
        }
    }
    kind_segments.next().is_none()
}

/// A handler's own failure, as opposed to a trap or a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandlerError {
    /// Short machine-readable code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Whether running the same event again later may succeed.
    #[serde(default)]
    pub retryable: bool,
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// Very detailed.
    Trace,
    /// Detailed.
    Debug,
    /// Normal.
    Info,
    /// Something unexpected.
    Warn,
    /// A failure.
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_exact_kinds_and_prefixes() {
        let info = PluginInfo {
            name: "p".into(),
            version: "0.1.0".into(),
            description: String::new(),
            handles: vec!["task.assigned".into(), "approval.*".into()],
            capabilities: vec![],
            config_schema: None,
        };
        assert!(info.handles("task.assigned"));
        assert!(info.handles("approval.finished"));
        assert!(!info.handles("task.assigned.extra"));
        assert!(!info.handles("attendance.checkin"));
    }

    #[test]
    fn a_leading_wildcard_spans_providers() {
        assert!(kind_matches(
            "*.contact.user.created",
            "wecom.contact.user.created"
        ));
        assert!(kind_matches(
            "*.contact.user.created",
            "dingtalk.contact.user.created"
        ));
        assert!(!kind_matches(
            "*.contact.user.created",
            "wecom.contact.user.deleted"
        ));
        assert!(!kind_matches(
            "*.contact.user.created",
            "contact.user.created"
        ));
        assert!(kind_matches("*", "erp.task.assigned"));
        assert!(!kind_matches("erp.employee.*", "erp.employee"));
        assert!(!kind_matches("erp.tas*", "erp.task"));
    }
}
