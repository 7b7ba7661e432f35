//! The rule config of welcome and its JSON Schema (validated by the host before `handle`).

use serde::Deserialize;
use serde_json::{Value, json};
use worklink_sdk::prelude::*;

/// Greeting used when the rule sets none; `{name}` becomes the member's name.
const DEFAULT_GREETING: &str = "欢迎加入，{name}！";

/// What an admin can tune per rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The greeting; `{name}` is replaced by the member's name.
    #[serde(rename = "greeting")]
    pub greeting_template: String,
    /// When set, the greeting is a card opening this link (an onboarding handbook, say).
    pub handbook_url: Option<String>,
    /// The card's title.
    pub title: String,
    /// The card's button text (at most 4 characters).
    pub button_text: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            greeting_template: DEFAULT_GREETING.to_owned(),
            handbook_url: None,
            title: "欢迎加入".to_owned(),
            button_text: "查看".to_owned(),
        }
    }
}

impl Settings {
    /// The greeting for `name`.
    pub fn greeting(&self, name: &str) -> String {
        self.greeting_template.replace("{name}", name)
    }
}

/// The JSON Schema of [`Settings`].
pub fn schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "greeting": {
                "type": "string",
                "minLength": 1,
                "maxLength": 500,
                "description": "The greeting; {name} is replaced by the member's name",
                "default": DEFAULT_GREETING
            },
            "handbook_url": {
                "type": "string",
                "pattern": "^https?://",
                "description": "Send a card opening this link instead of plain text"
            },
            "title": { "type": "string", "maxLength": 64, "default": "欢迎加入" },
            "button_text": { "type": "string", "maxLength": 4, "default": "查看" }
        },
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_and_the_struct_name_the_same_settings() {
        let schema = schema();
        let mut names: Vec<_> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names.sort();
        assert_eq!(names, ["button_text", "greeting", "handbook_url", "title"]);
        let parsed: Settings =
            serde_json::from_value(json!({"greeting": "Hi {name}", "handbook_url": "https://x"}))
                .unwrap();
        assert_eq!(parsed.greeting("Ann"), "Hi Ann");
    }

    #[test]
    fn unknown_settings_are_rejected_by_name() {
        let err = serde_json::from_value::<Settings>(json!({"greting": "x"})).unwrap_err();
        assert!(err.to_string().contains("unknown field `greting`"), "{err}");
    }
}
