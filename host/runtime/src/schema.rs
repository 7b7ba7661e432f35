//! Rule config validation against a handler's JSON Schema.
//!
//! A handler declares the shape of its config; the host checks the rule's config before every
//! run, so a typo in an admin's config is reported with its JSON path instead of surfacing as a
//! confusing failure deep inside the handler. Shared by both sandboxes.

use serde_json::Value;

/// A handler's compiled config schema.
pub struct ConfigSchema {
    /// `None` when the handler declared no schema: any JSON object is accepted.
    validator: Option<jsonschema::Validator>,
}

/// The handler's schema itself is not a usable JSON Schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config schema is not a valid JSON Schema: {0}")]
pub struct SchemaError(pub String);

/// Most violations listed in one error message.
const MAX_REPORTED: usize = 10;

impl ConfigSchema {
    /// Compiles `schema`; `None` accepts any object.
    pub fn compile(schema: Option<&Value>) -> Result<Self, SchemaError> {
        let validator = match schema {
            None => None,
            Some(schema) => {
                Some(jsonschema::validator_for(schema).map_err(|e| SchemaError(e.to_string()))?)
            }
        };
        Ok(Self { validator })
    }

    /// `Ok` when `config` is valid; otherwise every violation (up to ten), each with its path.
    pub fn validate(&self, config: &Value) -> Result<(), String> {
        let Some(validator) = &self.validator else {
            return match config {
                Value::Object(_) => Ok(()),
                _ => Err("config must be a JSON object".into()),
            };
        };
        let problems: Vec<String> = validator
            .iter_errors(config)
            .take(MAX_REPORTED)
            .map(|e| {
                let path = e.instance_path().to_string();
                let at = if path.is_empty() {
                    "/".to_string()
                } else {
                    path
                };
                format!("at `{at}`: {e}")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

impl std::fmt::Debug for ConfigSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSchema")
            .field("declared", &self.validator.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_violations_with_their_path() {
        let schema = json!({
            "type": "object",
            "properties": {"template": {"type": "string"}, "max": {"type": "integer"}},
            "required": ["template"]
        });
        let schema = ConfigSchema::compile(Some(&schema)).unwrap();
        assert!(schema.validate(&json!({"template": "t"})).is_ok());
        let err = schema.validate(&json!({"max": "ten"})).unwrap_err();
        assert!(err.contains("at `/max`"), "{err}");
        assert!(err.contains("template"), "{err}");
    }

    #[test]
    fn without_a_schema_any_object_is_accepted() {
        let schema = ConfigSchema::compile(None).unwrap();
        assert!(schema.validate(&json!({"anything": 1})).is_ok());
        assert!(schema.validate(&json!([1])).is_err());
    }

    #[test]
    fn refuses_an_invalid_schema() {
        assert!(ConfigSchema::compile(Some(&json!({"type": "no-such-type"}))).is_err());
    }
}
