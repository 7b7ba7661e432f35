//! Building a plugin's `describe()` answer without spelling out every field.

use crate::prelude::*;
use crate::types::{Capability, PluginInfo};

impl PluginInfo {
    /// A plugin called `name` at `version` that handles nothing and needs nothing yet.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        PluginInfo {
            name: name.into(),
            version: version.into(),
            description: String::new(),
            handles: Vec::new(),
            capabilities: Vec::new(),
            config_schema: String::new(),
        }
    }

    /// Sets the one-line description shown in the admin console.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// Adds event kinds (a trailing `*` matches a prefix).
    pub fn handles<I, S>(mut self, kinds: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.handles.extend(kinds.into_iter().map(Into::into));
        self
    }

    /// Adds capabilities the plugin needs; the rule must also grant them.
    pub fn capabilities(mut self, capabilities: impl IntoIterator<Item = Capability>) -> Self {
        self.capabilities.extend(capabilities);
        self
    }

    /// Sets the JSON Schema of the rule config.
    pub fn config_schema(mut self, schema: &serde_json::Value) -> Self {
        self.config_schema = schema.to_string();
        self
    }
}

impl Capability {
    /// Every capability, in WIT order.
    pub const ALL: [Capability; 7] = [
        Capability::Messaging,
        Capability::Contacts,
        Capability::Attendance,
        Capability::Approvals,
        Capability::Erp,
        Capability::Kv,
        Capability::Log,
    ];

    /// The name used in grants and manifests, equal to the WIT interface name.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Messaging => "messaging",
            Capability::Contacts => "contacts",
            Capability::Attendance => "attendance",
            Capability::Approvals => "approvals",
            Capability::Erp => "erp",
            Capability::Kv => "kv",
            Capability::Log => "log",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_fills_every_field() {
        let info = PluginInfo::new("demo", "1.2.3")
            .description("Demo")
            .handles(["erp.task.assigned", "*.approval.instance.changed"])
            .capabilities([Capability::Log, Capability::Kv])
            .config_schema(&serde_json::json!({"type": "object"}));
        assert_eq!(info.name, "demo");
        assert_eq!(info.version, "1.2.3");
        assert_eq!(info.description, "Demo");
        assert_eq!(
            info.handles,
            ["erp.task.assigned", "*.approval.instance.changed"]
        );
        assert_eq!(info.capabilities, [Capability::Log, Capability::Kv]);
        assert_eq!(info.config_schema, r#"{"type":"object"}"#);
    }

    #[test]
    fn capability_names_are_the_interface_names() {
        let names: Vec<_> = Capability::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "messaging",
                "contacts",
                "attendance",
                "approvals",
                "erp",
                "kv",
                "log"
            ]
        );
    }
}
