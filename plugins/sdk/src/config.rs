//! The rule's config as handed to `handle`: JSON text the host has already validated against the
//! plugin's `config-schema`.

use crate::prelude::*;
use serde::de::DeserializeOwned;

use crate::types::HandlerError;

/// The rule's config (a JSON object, as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config(String);

impl Config {
    /// Wraps the JSON text the host passed in.
    pub fn new(json: impl Into<String>) -> Self {
        Config(json.into())
    }

    /// The JSON text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the config into `T`; an empty config parses as `{}` so every-field-optional configs
    /// work without one. The error (code `bad-config`) says which field was wrong.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, HandlerError> {
        let text = if self.0.trim().is_empty() {
            "{}"
        } else {
            self.0.as_str()
        };
        serde_json::from_str(text).map_err(|e| HandlerError {
            code: "bad-config".into(),
            message: format!(
                "rule config does not match {}: {e}",
                core::any::type_name::<T>()
            ),
            retryable: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Settings {
        #[serde(default)]
        prefix: String,
        limit: Option<u32>,
    }

    #[test]
    fn empty_config_is_an_empty_object() {
        let settings: Settings = Config::new("  ").parse().unwrap();
        assert_eq!(
            settings,
            Settings {
                prefix: String::new(),
                limit: None
            }
        );
    }

    #[test]
    fn wrong_field_type_names_the_field() {
        let err = Config::new(r#"{"limit":"ten"}"#)
            .parse::<Settings>()
            .unwrap_err();
        assert_eq!(err.code, "bad-config");
        assert!(
            err.message.contains("invalid type: string \"ten\""),
            "{}",
            err.message
        );
        assert!(!err.retryable);
    }
}
