//! JSON callback plaintexts (DingTalk, WeCom's JSON variant) as a field map, with the parser's
//! position in the error.

use serde_json::{Map, Value};

use super::EventError;

/// Parses a JSON object; anything else is an error.
pub(crate) fn parse(plaintext: &str) -> Result<Map<String, Value>, EventError> {
    let value: Value = serde_json::from_str(plaintext).map_err(|e| EventError::Json {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Array(_) => Err(EventError::NotAMap { reason: "a JSON array" }),
        _ => Err(EventError::NotAMap { reason: "a JSON scalar" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_are_callbacks() {
        assert_eq!(parse(r#"{"a":1}"#).unwrap()["a"], 1);
        assert!(matches!(parse("[1]"), Err(EventError::NotAMap { .. })));
        assert!(matches!(parse("3"), Err(EventError::NotAMap { .. })));
        // The official WeCom JSON sample is itself malformed (`: :mycreate"`).
        let sample = r#"{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813}"#;
        assert!(matches!(parse(sample), Err(EventError::Json { line: 1, .. })));
    }
}
