//! The rule config of task-notify and its JSON Schema (which the host validates against before
//! `handle`, and the admin console renders as a form).

use serde::Deserialize;
use serde_json::{Value, json};
use worklink_sdk::prelude::*;

/// What an admin can tune per rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Put before the task title, e.g. `[ERP] `.
    pub title_prefix: String,
    /// Card button text (at most 4 characters); the provider's default when absent.
    pub button_text: Option<String>,
    /// Succeed without sending when the assignee has no directory binding, instead of failing.
    pub skip_unbound: bool,
}

/// The JSON Schema of [`Settings`].
pub fn schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "title_prefix": {
                "type": "string",
                "description": "Put before the task title",
                "default": ""
            },
            "button_text": {
                "type": "string",
                "maxLength": 4,
                "description": "Card button text; the provider default when absent"
            },
            "skip_unbound": {
                "type": "boolean",
                "description": "Succeed without sending when the assignee has no directory binding",
                "default": false
            }
        },
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lists_every_setting() {
        let schema = schema();
        let properties = schema["properties"].as_object().unwrap();
        let mut names: Vec<_> = properties.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["button_text", "skip_unbound", "title_prefix"]);
        let parsed: Settings = serde_json::from_value(json!({
            "title_prefix": "[ERP] ", "button_text": "查看", "skip_unbound": true
        }))
        .unwrap();
        assert_eq!(parsed.button_text.as_deref(), Some("查看"));
    }

    #[test]
    fn unknown_settings_are_rejected() {
        let err = serde_json::from_value::<Settings>(json!({"title": "x"})).unwrap_err();
        assert!(err.to_string().contains("unknown field `title`"), "{err}");
    }
}
